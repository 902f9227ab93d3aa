package procurement

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Category is the OCDS main procurement category.
type Category string

const (
	Goods    Category = "goods"
	Services Category = "services"
	Works    Category = "works"
)

// Categories lists the valid categories.
var Categories = []Category{Goods, Services, Works}

// Route is how the contract is awarded.
type Route string

const (
	RouteGCloudDirectAward       Route = "gcloudDirectAward"       // call-off from G-Cloud without further competition
	RouteFrameworkCallOff        Route = "frameworkCallOff"        // call-off (usually a mini-competition) from another framework
	RouteOpen                    Route = "openProcedure"           // Procurement Act 2023 s.20(2)(a)
	RouteCompetitiveFlexible     Route = "competitiveFlexible"     // Procurement Act 2023 s.20(2)(b)
	RouteBelowThresholdQuotation Route = "belowThresholdQuotation" // quotes under the host's contract procedure rules
)

// Routes lists the valid routes.
var Routes = []Route{RouteGCloudDirectAward, RouteFrameworkCallOff, RouteOpen, RouteCompetitiveFlexible, RouteBelowThresholdQuotation}

// IsFramework reports a call-off from a framework, which has no mandatory
// standstill under the Act.
func (r Route) IsFramework() bool { return r == RouteGCloudDirectAward || r == RouteFrameworkCallOff }

// Label is the route in words, for the contracts register.
func (r Route) Label() string {
	switch r {
	case RouteGCloudDirectAward:
		return "G-Cloud direct award"
	case RouteFrameworkCallOff:
		return "Framework call-off"
	case RouteOpen:
		return "Open procedure"
	case RouteCompetitiveFlexible:
		return "Competitive flexible procedure"
	case RouteBelowThresholdQuotation:
		return "Below-threshold quotation"
	}
	return string(r)
}

// Link is a document published or held elsewhere.
type Link struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
	// Type is an OCDS documentType code such as "tenderNotice" or "contractSigned".
	Type string `json:"type,omitempty"`
}

// Milestone is a planned or met date of the project.
type Milestone struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Due   Date   `json:"due,omitzero"`
	Met   Date   `json:"met,omitzero"`
	// Type is an OCDS milestoneType code (preProcurement, approval, engagement, assessment, delivery, reporting, ...).
	Type string `json:"type,omitempty"`
}

// Supplier is a company the contract is awarded to.
type Supplier struct {
	Name string `json:"name"`
	// CompaniesHouse is the Companies House registration number (8 characters, e.g. 01234567 or SC123456).
	CompaniesHouse string `json:"companiesHouse,omitempty"`
	CharityNumber  string `json:"charityNumber,omitempty"`
	SME            bool   `json:"sme"`
	VCSE           bool   `json:"vcse"`
}

// Award is a contract awarded (one per lot or supplier).
type Award struct {
	ID       string   `json:"id"`
	Supplier Supplier `json:"supplier"`
	// Value is the whole-life contract value excluding VAT; ValueIncVAT
	// including it, which the Act's thresholds are judged on.
	Value             Pence `json:"value"`
	ValueIncVAT       Pence `json:"valueIncVat"`
	NonRecoverableVAT Pence `json:"nonRecoverableVat"`
	Start             Date  `json:"start,omitzero"`
	End               Date  `json:"end,omitzero"`
	Review            Date  `json:"review,omitzero"`
	Signed            Date  `json:"signed,omitzero"`
}

// PublishedNotice is a notice published on Find a Tender (or elsewhere).
type PublishedNotice struct {
	Notice    Notice `json:"notice"`
	Published Date   `json:"published"`
	URL       string `json:"url,omitempty"`
}

// TransitionRecord is one lifecycle move: who, when, why.
type TransitionRecord struct {
	From   State     `json:"from"`
	To     State     `json:"to"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// RealisedSaving is a saving measured after go-live for one organisation.
type RealisedSaving struct {
	Organisation string    `json:"organisation"`
	From         Date      `json:"from"`
	To           Date      `json:"to"`
	Amount       Pence     `json:"amount"`
	Note         string    `json:"note,omitempty"`
	RecordedBy   string    `json:"recordedBy"`
	RecordedAt   time.Time `json:"recordedAt"`
}

// JointProcurement is one entry of the host authority's register.
type JointProcurement struct {
	ID          string   `json:"id"`
	Reference   string   `json:"reference"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Department  string   `json:"department,omitempty"`
	Category    Category `json:"category"`
	CPV         []string `json:"cpv"`
	Host        string   `json:"host"`
	Partners    []string `json:"partners"`
	Route       Route    `json:"route"`
	Framework   string   `json:"framework,omitempty"`
	Lot         string   `json:"lot,omitempty"`
	// EstimatedValue is the whole-life value over TermMonths excluding VAT;
	// EstimatedValueIncVAT is what the Act's thresholds are compared with.
	EstimatedValue       Pence `json:"estimatedValue"`
	EstimatedValueIncVAT Pence `json:"estimatedValueIncVat"`
	TermMonths           int   `json:"termMonths"`
	// Baseline is each party's current annual cost of what is being replaced.
	Baseline   map[string]Pence `json:"baseline,omitempty"`
	Shares     ShareBasis       `json:"shares"`
	Comparison string           `json:"comparison,omitempty"`
	Documents  []Link           `json:"documents,omitempty"`
	Milestones []Milestone      `json:"milestones,omitempty"`
	Awards     []Award          `json:"awards,omitempty"`
	Approvals  []Approval       `json:"approvals,omitempty"`
	// PublishedNotices records notices published outside a move, such as
	// the contract details notice due within 30 days of signature.
	PublishedNotices []PublishedNotice `json:"publishedNotices,omitempty"`
	// ReplacesAssets are the ids of estate assets this procurement
	// replaces, so their refresh needs leave the capital programme.
	ReplacesAssets []string `json:"replacesAssets,omitempty"`

	State            State              `json:"state"`
	History          []TransitionRecord `json:"history,omitempty"`
	StandstillEnds   Date               `json:"standstillEnds,omitzero"`
	DetailsNoticeDue Date               `json:"contractDetailsNoticeDue,omitzero"`
	RealisedSavings  []RealisedSaving   `json:"realisedSavings,omitempty"`
	Created          time.Time          `json:"created"`
	Updated          time.Time          `json:"updated"`
	Version          int                `json:"version"`
}

// Parties is the host followed by the partners, in stored order.
func (p JointProcurement) Parties() []string {
	return append([]string{p.Host}, p.Partners...)
}

// IsParty reports whether org is the host or a partner.
func (p JointProcurement) IsParty(org string) bool {
	return org != "" && slices.Contains(p.Parties(), org)
}

var (
	referencePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9/_.-]{1,49}$`)
	companiesHouse   = regexp.MustCompile(`^([0-9]{8}|[A-Z]{2}[0-9]{6})$`)
	localID          = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
)

// Validate reports every problem with the record's fields. Lifecycle rules
// (approvals, standstill) are checked by Transition, not here.
func (p JointProcurement) Validate() error {
	var pr domain.Problems
	if !referencePattern.MatchString(p.Reference) {
		pr.Add("reference", "must be 2-50 letters, digits, '/', '_', '.' or '-', e.g. JICT-2026-004")
	}
	if strings.TrimSpace(p.Title) == "" || len(p.Title) > 300 {
		pr.Add("title", "is required and at most 300 characters")
	}
	if len(p.Description) > 10000 {
		pr.Add("description", "must be at most 10000 characters")
	}
	if !slices.Contains(Categories, p.Category) {
		pr.Add("category", "must be one of goods, services, works")
	}
	if len(p.CPV) == 0 {
		pr.Add("cpv", "needs at least one CPV code, e.g. 72000000-5 (IT services)")
	}
	for i, c := range p.CPV {
		if err := CheckCPV(c); err != nil {
			pr.Add("cpv["+itoa(i)+"]", "%s", err.Error())
		} else if slices.Index(p.CPV, c) != i {
			pr.Add("cpv["+itoa(i)+"]", "repeats %s; list each code once", c)
		}
	}
	if p.Host == "" {
		pr.Add("host", "is required: the id of the host authority")
	}
	if len(p.Partners) == 0 {
		pr.Add("partners", "needs at least one partner organisation besides the host")
	}
	for i, o := range p.Partners {
		switch {
		case o == p.Host:
			pr.Add("partners["+itoa(i)+"]", "is the host; list only the other organisations")
		case o == "":
			pr.Add("partners["+itoa(i)+"]", "is empty; give an organisation id")
		case slices.Index(p.Partners, o) != i:
			pr.Add("partners["+itoa(i)+"]", "repeats %q", o)
		}
	}
	if !slices.Contains(Routes, p.Route) {
		pr.Add("route", "must be one of gcloudDirectAward, frameworkCallOff, openProcedure, competitiveFlexible, belowThresholdQuotation")
	}
	if p.Route.IsFramework() && strings.TrimSpace(p.Framework) == "" {
		pr.Add("framework", "is required for a framework route, e.g. \"G-Cloud 14 (RM1557.14)\"")
	}
	if p.EstimatedValue < 0 {
		pr.Add("estimatedValue", "must not be negative")
	}
	if p.EstimatedValueIncVAT < p.EstimatedValue {
		pr.Add("estimatedValueIncVat", "must be at least the value excluding VAT (%s)", p.EstimatedValue)
	}
	if p.TermMonths < 1 || p.TermMonths > 240 {
		pr.Add("termMonths", "must be the contract term including extensions, 1 to 240 months")
	}
	for org, v := range p.Baseline {
		if !p.IsParty(org) {
			pr.Add("baseline."+org, "is not a party to this procurement")
		}
		if v < 0 {
			pr.Add("baseline."+org, "must not be negative")
		}
	}
	pr = append(pr, p.Shares.problems(p.Parties()).Prefix("shares.")...)
	for i, d := range p.Documents {
		f := "documents[" + itoa(i) + "]."
		if !localID.MatchString(d.ID) {
			pr.Add(f+"id", "must be a short id of letters, digits, '_', '.' or '-'")
		}
		if strings.TrimSpace(d.Title) == "" {
			pr.Add(f+"title", "is required")
		}
		if !httpURL(d.URL) {
			pr.Add(f+"url", "must be an absolute http(s) URL")
		}
	}
	for i, m := range p.Milestones {
		f := "milestones[" + itoa(i) + "]."
		if !localID.MatchString(m.ID) {
			pr.Add(f+"id", "must be a short id of letters, digits, '_', '.' or '-'")
		}
		if strings.TrimSpace(m.Title) == "" {
			pr.Add(f+"title", "is required")
		}
	}
	for i, a := range p.Awards {
		pr = append(pr, a.problems().Prefix("awards["+itoa(i)+"].")...)
	}
	for i, n := range p.PublishedNotices {
		f := "publishedNotices[" + itoa(i) + "]."
		if !slices.Contains(AllNotices, n.Notice) {
			pr.Add(f+"notice", "must be one of %s", joinNotices(AllNotices))
		}
		if n.Published.IsZero() {
			pr.Add(f+"published", "is required: the day the notice was published, YYYY-MM-DD")
		}
		if n.URL != "" && !httpURL(n.URL) {
			pr.Add(f+"url", "must be an absolute http(s) URL")
		}
	}
	for i, id := range p.ReplacesAssets {
		if !localID.MatchString(id) {
			pr.Add("replacesAssets["+itoa(i)+"]", "must be the id of an estate asset")
		}
	}
	return pr.Err()
}

func (a Award) problems() domain.Problems {
	var pr domain.Problems
	if !localID.MatchString(a.ID) {
		pr.Add("id", "must be a short id of letters, digits, '_', '.' or '-'")
	}
	if strings.TrimSpace(a.Supplier.Name) == "" {
		pr.Add("supplier.name", "is required")
	}
	if a.Supplier.CompaniesHouse != "" && !companiesHouse.MatchString(a.Supplier.CompaniesHouse) {
		pr.Add("supplier.companiesHouse", "must be a Companies House number: 8 digits or 2 capital letters and 6 digits, e.g. 01234567 or SC123456")
	}
	if a.Value < 0 {
		pr.Add("value", "must not be negative")
	}
	if a.ValueIncVAT != 0 && a.ValueIncVAT < a.Value {
		pr.Add("valueIncVat", "must be at least the value excluding VAT (%s)", a.Value)
	}
	if a.NonRecoverableVAT < 0 {
		pr.Add("nonRecoverableVat", "must not be negative")
	}
	if !a.Start.IsZero() && !a.End.IsZero() && a.End.Before(a.Start) {
		pr.Add("end", "must not be before the start date %s", a.Start)
	}
	if !a.Review.IsZero() && !a.End.IsZero() && a.Review.After(a.End) {
		pr.Add("review", "must not be after the end date %s", a.End)
	}
	return pr
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
