// Package ocds represents the joint procurement register in the Open
// Contracting Data Standard 1.1: releases, release and record packages, and
// compiled releases built by the OCDS merge rules. It is pure: values in,
// values out; the caller stores releases and serves the bytes.
package ocds

import (
	"fmt"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// Version is the OCDS version of every package.
const Version = "1.1"

// Config says who publishes and under which ocid prefix.
type Config struct {
	// Prefix is the registered ocid prefix including its trailing hyphen,
	// e.g. "ocds-b5fd17-".
	Prefix        string
	PublisherName string
	PublisherURI  string
	// BaseURI is the public root of the OCDS endpoints, used for package uris.
	BaseURI string
}

// OCID is the contracting process id of a procurement.
func (c Config) OCID(p procurement.JointProcurement) string { return c.Prefix + p.Reference }

// Check reports a malformed configuration.
func (c Config) Check() error {
	var pr domain.Problems
	if !strings.HasPrefix(c.Prefix, "ocds-") || len(c.Prefix) != len("ocds-xxxxxx-") || !strings.HasSuffix(c.Prefix, "-") {
		pr.Add("prefix", "must be an ocid prefix of the form ocds-xxxxxx- (six characters issued by the OCDS helpdesk)")
	}
	if strings.TrimSpace(c.PublisherName) == "" {
		pr.Add("publisherName", "is required")
	}
	if !strings.HasPrefix(c.BaseURI, "http") {
		pr.Add("baseURI", "must be the absolute URL of the OCDS endpoints")
	}
	return pr.Err()
}

// Value is an amount with its currency; amounts are decimal pounds.
type Value struct {
	Amount   Amount `json:"amount"`
	Currency string `json:"currency"`
}

// Amount writes pence as a JSON number with two decimals, exactly.
type Amount procurement.Pence

func (a Amount) MarshalJSON() ([]byte, error) { return []byte(procurement.Pence(a).String()), nil }

// UnmarshalJSON reads the amount back exactly, so a stored release decodes
// to the value it was published with.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var p procurement.Pence
	if err := p.UnmarshalJSON(b); err != nil {
		return err
	}
	*a = Amount(p)
	return nil
}

func gbp(p procurement.Pence) *Value { return &Value{Amount: Amount(p), Currency: "GBP"} }

// Period is a span of dates.
type Period struct {
	StartDate string `json:"startDate,omitempty"`
	EndDate   string `json:"endDate,omitempty"`
}

// Identifier names an organisation in a registry.
type Identifier struct {
	Scheme    string `json:"scheme,omitempty"`
	ID        string `json:"id,omitempty"`
	LegalName string `json:"legalName,omitempty"`
}

// Party is an organisation with its roles.
type Party struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Identifier *Identifier    `json:"identifier,omitempty"`
	Roles      []string       `json:"roles"`
	Details    map[string]any `json:"details,omitempty"`
}

// OrgRef refers to a party.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Classification is a CPV code.
type Classification struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

// Item is what is bought.
type Item struct {
	ID                        string           `json:"id"`
	Description               string           `json:"description,omitempty"`
	Classification            *Classification  `json:"classification,omitempty"`
	AdditionalClassifications []Classification `json:"additionalClassifications,omitempty"`
}

// Document links to a document.
type Document struct {
	ID           string `json:"id"`
	DocumentType string `json:"documentType,omitempty"`
	Title        string `json:"title,omitempty"`
	URL          string `json:"url,omitempty"`
}

// Milestone is a dated event.
type Milestone struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Type    string `json:"type,omitempty"`
	DueDate string `json:"dueDate,omitempty"`
	DateMet string `json:"dateMet,omitempty"`
	Status  string `json:"status,omitempty"`
}

// Budget is the planning budget.
type Budget struct {
	Description string `json:"description,omitempty"`
	Amount      *Value `json:"amount,omitempty"`
}

// Planning is the planning section.
type Planning struct {
	Rationale  string      `json:"rationale,omitempty"`
	Budget     *Budget     `json:"budget,omitempty"`
	Documents  []Document  `json:"documents,omitempty"`
	Milestones []Milestone `json:"milestones,omitempty"`
}

// Tender is the tender section.
type Tender struct {
	ID                       string      `json:"id"`
	Title                    string      `json:"title,omitempty"`
	Description              string      `json:"description,omitempty"`
	Status                   string      `json:"status,omitempty"`
	ProcuringEntity          *OrgRef     `json:"procuringEntity,omitempty"`
	Items                    []Item      `json:"items,omitempty"`
	Value                    *Value      `json:"value,omitempty"`
	ProcurementMethod        string      `json:"procurementMethod,omitempty"`
	ProcurementMethodDetails string      `json:"procurementMethodDetails,omitempty"`
	MainProcurementCategory  string      `json:"mainProcurementCategory,omitempty"`
	Documents                []Document  `json:"documents,omitempty"`
	Milestones               []Milestone `json:"milestones,omitempty"`
}

// AwardOut is an OCDS award.
type AwardOut struct {
	ID             string   `json:"id"`
	Title          string   `json:"title,omitempty"`
	Status         string   `json:"status"`
	Date           string   `json:"date,omitempty"`
	Value          *Value   `json:"value,omitempty"`
	Suppliers      []OrgRef `json:"suppliers,omitempty"`
	ContractPeriod *Period  `json:"contractPeriod,omitempty"`
}

// Implementation is the contract's implementation section.
type Implementation struct {
	Milestones []Milestone `json:"milestones,omitempty"`
}

// Contract is an OCDS contract.
type Contract struct {
	ID             string          `json:"id"`
	AwardID        string          `json:"awardID"`
	Title          string          `json:"title,omitempty"`
	Status         string          `json:"status"`
	Period         *Period         `json:"period,omitempty"`
	Value          *Value          `json:"value,omitempty"`
	DateSigned     string          `json:"dateSigned,omitempty"`
	Milestones     []Milestone     `json:"milestones,omitempty"`
	Implementation *Implementation `json:"implementation,omitempty"`
}

// Release is one OCDS release.
type Release struct {
	OCID           string     `json:"ocid"`
	ID             string     `json:"id"`
	Date           string     `json:"date"`
	Tag            []string   `json:"tag"`
	InitiationType string     `json:"initiationType"`
	Language       string     `json:"language,omitempty"`
	Parties        []Party    `json:"parties,omitempty"`
	Buyer          *OrgRef    `json:"buyer,omitempty"`
	Planning       *Planning  `json:"planning,omitempty"`
	Tender         *Tender    `json:"tender,omitempty"`
	Awards         []AwardOut `json:"awards,omitempty"`
	Contracts      []Contract `json:"contracts,omitempty"`
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func day(d procurement.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String() + "T00:00:00Z"
}

// ReleaseID is unique within an ocid: the ocid, the sequence number of the
// change and its first tag.
func ReleaseID(ocid string, seq int, tag string) string {
	return fmt.Sprintf("%s-%04d-%s", ocid, seq, tag)
}
