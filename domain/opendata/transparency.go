package opendata

import (
	"io"
	"regexp"
	"strings"
)

// ValueKind is the format a template column's values must have.
type ValueKind string

const (
	KindText         ValueKind = "text"
	KindDate         ValueKind = "date"   // ISO 8601, dd/mm/yyyy, dd-MMM-yyyy, compact yyyymmdd[hhmmss]; US mm/dd/yyyy when the column is consistently US
	KindAmount       ValueKind = "amount" // pounds: £, thousands commas, brackets or a minus (leading or trailing) for credits
	KindPostcode     ValueKind = "postcode"
	KindUPRN         ValueKind = "uprn" // Unique Property Reference Number, up to 12 digits
	KindEasting      ValueKind = "easting"
	KindNorthing     ValueKind = "northing"
	KindLatitude     ValueKind = "latitude"
	KindLongitude    ValueKind = "longitude"
	KindMapX         ValueKind = "map-x"        // an easting or a longitude, as the row's CRS (or its value range) says
	KindMapY         ValueKind = "map-y"        // a northing or a latitude
	KindCRS          ValueKind = "crs"          // a CRS label: WGS84, OSGB36, EPSG:27700 …
	KindTenure       ValueKind = "tenure"       // freehold / leasehold
	KindRegistration ValueKind = "registration" // Companies House or Charity Commission number
	KindRedaction    ValueKind = "redaction"    // the reason a row's values were redacted
)

// TemplateColumn is one field of a template, with every heading it is
// recognised under. Headings are compared folded (see headingKey), and also
// as a Shapefile DBF would have cut them to 10 characters.
type TemplateColumn struct {
	Name     string   `json:"name"`               // the field as reports call it
	Code     []string `json:"code,omitempty"`     // other names the Code and its guidance use
	Schema   []string `json:"schema,omitempty"`   // the template schema's field names (LGA, 360Giving)
	Variants []string `json:"variants,omitempty"` // other headings councils use
	Required bool     `json:"required"`           // the Code requires the column
	Blank    bool     `json:"blankAllowed"`       // cells may be empty
	// Redactable fields may be withheld: a cell saying Redacted, or a reason
	// in the template's redaction column, stands for the value.
	Redactable bool      `json:"redactable,omitempty"`
	Kind       ValueKind `json:"kind"`
	// Threshold is the amount (in pounds, either sign) below which the Code
	// does not require a row; smaller amounts get a warning, not an error,
	// since publishing more than the Code asks is allowed.
	Threshold float64 `json:"threshold,omitempty"`
	NotBefore string  `json:"notBefore,omitempty"` // a date column this one must not precede
	// WatchCut asks for a warning when many values share the column's
	// greatest length, the sign of names cut by a finance system.
	WatchCut bool `json:"-"`
}

// Alternative is a requirement any one of several column sets satisfies,
// such as a map reference given as easting/northing or latitude/longitude.
type Alternative struct {
	Name    string     `json:"name"`
	Options [][]string `json:"options"`
}

// Template is a Local Government Transparency Code 2015 dataset layout.
type Template struct {
	ID           string           `json:"id"`
	Title        string           `json:"title"`
	Schema       string           `json:"schema"`      // id of the published schema its Schema names follow: "lga", "360giving"
	SchemaTitle  string           `json:"schemaTitle"` // "LGA spend schema"
	Columns      []TemplateColumn `json:"columns"`
	Alternatives []Alternative    `json:"alternatives,omitempty"`
}

// Templates lists the templates by id.
var Templates = []*Template{&SpendOver500, &ProcurementCardTransactions, &ContractsOver5000, &LandAndBuildingAssets, &GrantsToVCSE}

// LookupTemplate finds a template by id.
func LookupTemplate(id string) (*Template, bool) {
	for _, t := range Templates {
		if t.ID == id {
			return t, true
		}
	}
	return nil, false
}

// TemplateIDs lists the template ids, for messages naming the valid ones.
func TemplateIDs() []string {
	ids := make([]string, len(Templates))
	for i, t := range Templates {
		ids[i] = t.ID
	}
	return ids
}

// CheckTemplate streams a CSV file through a template's checks alone; to
// profile and check in one pass use ProfileCSV with ProfileOptions.Template.
func CheckTemplate(r io.Reader, t *Template, opt ReadOptions) (*Report, error) {
	p, err := ProfileCSV(r, ProfileOptions{ReadOptions: opt, Template: t, SampleRows: -1})
	if p == nil {
		return nil, err
	}
	return p.Report, err
}

var (
	postcodeRe     = regexp.MustCompile(`^(?i)(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$`)
	uprnRe         = regexp.MustCompile(`^[0-9]{1,12}$`)
	registrationRe = regexp.MustCompile(`^(?i)(GB-(COH|CHC|SC|NIC)-)?([0-9]{6,8}|[A-Z]{2}[0-9]{6})(-[0-9]{1,2})?$`)
)

// coordRange bounds single-axis coordinate columns to the UK.
var coordRange = map[ValueKind][2]float64{KindEasting: {0, maxEasting}, KindNorthing: {0, maxNorthing},
	KindLatitude: {minLat, maxLat}, KindLongitude: {minLon, maxLon}}

// tenureWords are the words a tenure cell must contain one of.
var tenureWords = []string{"freehold", "leasehold", "lease", "licence", "license", "other", "fh", "lh"}

func validTenure(v string) bool {
	l := strings.ToLower(v)
	for _, w := range tenureWords {
		if l == w || (len(w) > 2 && strings.Contains(l, w)) {
			return true
		}
	}
	return false
}
