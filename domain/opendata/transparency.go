package opendata

import (
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ValueKind is the format a template column's values must have.
type ValueKind string

const (
	KindText         ValueKind = "text"
	KindDate         ValueKind = "date"   // ISO 8601 or UK dd/mm/yyyy
	KindAmount       ValueKind = "amount" // pounds, with or without £ and thousands commas
	KindPostcode     ValueKind = "postcode"
	KindUPRN         ValueKind = "uprn" // Unique Property Reference Number, up to 12 digits
	KindEasting      ValueKind = "easting"
	KindNorthing     ValueKind = "northing"
	KindLatitude     ValueKind = "latitude"
	KindLongitude    ValueKind = "longitude"
	KindTenure       ValueKind = "tenure"       // freehold / leasehold
	KindRegistration ValueKind = "registration" // Companies House or Charity Commission number
)

// TemplateColumn is one field of a template.
type TemplateColumn struct {
	Name     string    `json:"name"`
	Synonyms []string  `json:"synonyms,omitempty"` // other headings councils use for it
	Required bool      `json:"required"`           // the column must be present
	Blank    bool      `json:"blankAllowed"`       // cells may be empty
	Kind     ValueKind `json:"kind"`
	// Threshold is the amount (in pounds, either sign) below which the Code
	// does not require a row; smaller amounts get a warning, not an error,
	// since publishing more than the Code asks is allowed.
	Threshold float64 `json:"threshold,omitempty"`
	NotBefore string  `json:"notBefore,omitempty"` // a date column this one must not precede
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
	Columns      []TemplateColumn `json:"columns"`
	Alternatives []Alternative    `json:"alternatives,omitempty"`
}

var (
	departmentSyn = []string{"Department", "Service Area", "Directorate", "Service", "Expense Area", "Service Division",
		"Department Incurring Expenditure", "Department Responsible", "Responsible Department", "Body Name"}
	vatSyn = []string{"Irrecoverable VAT", "VAT that cannot be recovered", "Non-recoverable VAT", "Unrecoverable VAT",
		"VAT Irrecoverable", "Irrecoverable VAT Amount", "VAT not recoverable"}
)

// The three templates the Code makes mandatory that councils publish as CSV.
var (
	SpendOver500 = Template{ID: "spend-over-500", Title: "Expenditure exceeding £500", Columns: []TemplateColumn{
		{Name: "Organisation Name", Synonyms: []string{"Organisation", "Body", "Local Authority"}, Kind: KindText, Blank: true},
		{Name: "Date", Synonyms: []string{"Payment Date", "Transaction Date", "Date Paid", "Effective Date", "Invoice Date",
			"Expenditure Date", "Date Incurred", "Date the expenditure was incurred", "Paid Date"}, Required: true, Kind: KindDate},
		{Name: "Department", Synonyms: departmentSyn, Required: true, Kind: KindText},
		{Name: "Beneficiary", Synonyms: []string{"Supplier", "Supplier Name", "Payee", "Payee Name", "Vendor", "Vendor Name",
			"Creditor", "Creditor Name", "Merchant Name", "Recipient"}, Required: true, Kind: KindText},
		{Name: "Purpose", Synonyms: []string{"Summary of Purpose", "Purpose of Spend", "Purpose of Expenditure", "Expense Type",
			"Description", "Expenditure Category", "Subjective Description", "Expense Description"}, Required: true, Kind: KindText},
		{Name: "Amount", Synonyms: []string{"Net Amount", "Value", "Amount (£)", "Amount £", "Total", "Gross Amount",
			"Amount Paid", "Net Value", "Amount Excluding VAT"}, Required: true, Kind: KindAmount, Threshold: 500},
		{Name: "Irrecoverable VAT", Synonyms: vatSyn, Required: true, Blank: true, Kind: KindAmount},
		{Name: "Merchant Category", Synonyms: []string{"Merchant Category Code", "MCC", "Merchant Type", "Category"},
			Required: true, Blank: true, Kind: KindText},
		{Name: "Transaction Number", Synonyms: []string{"Transaction ID", "Transaction Reference", "Payment Reference",
			"Invoice Number", "Reference"}, Kind: KindText, Blank: true},
	}}

	ContractsOver5000 = Template{ID: "contracts-over-5000", Title: "Contracts exceeding £5,000", Columns: []TemplateColumn{
		{Name: "Reference", Synonyms: []string{"Reference Number", "Contract Reference", "Contract Ref", "Contract ID",
			"Contract Number", "Ref"}, Required: true, Kind: KindText},
		{Name: "Title", Synonyms: []string{"Title of Agreement", "Contract Title", "Contract Name", "Agreement Title"},
			Required: true, Kind: KindText},
		{Name: "Department", Synonyms: departmentSyn, Required: true, Kind: KindText},
		{Name: "Description", Synonyms: []string{"Description of Goods and Services", "Description of Goods or Services",
			"Contract Description", "Goods/Services", "Description of the goods and/or services"}, Required: true, Kind: KindText},
		{Name: "Supplier", Synonyms: []string{"Supplier Name", "Supplier Name and Details", "Contractor", "Provider",
			"Supplier Details"}, Required: true, Kind: KindText},
		{Name: "Value", Synonyms: []string{"Contract Value", "Total Value", "Total Contract Value", "Sum to be Paid",
			"Estimated Value", "Estimated Annual Value", "Annual Value", "Value (£)", "Estimated Annual Spend", "Budget"},
			Required: true, Kind: KindAmount, Threshold: 5000},
		{Name: "Irrecoverable VAT", Synonyms: vatSyn, Required: true, Blank: true, Kind: KindAmount},
		{Name: "Start Date", Synonyms: []string{"Contract Start Date", "Start", "Commencement Date"}, Required: true, Kind: KindDate},
		{Name: "End Date", Synonyms: []string{"Contract End Date", "End", "Expiry Date", "Contract Expiry Date"},
			Required: true, Kind: KindDate, NotBefore: "Start Date"},
		{Name: "Review Date", Synonyms: []string{"Contract Review Date"}, Kind: KindDate, Blank: true},
		{Name: "Procurement Route", Synonyms: []string{"Invitation to Quote or Tender", "Procurement Process",
			"Procurement Type", "ITQ/ITT", "Quote or Tender", "Whether Invitation to Quote or Tender",
			"Result of Invitation to Quote or Tender", "Tender Process"}, Required: true, Kind: KindText},
		{Name: "SME/VCSE", Synonyms: []string{"SME", "VCSE", "SME or VCSE", "Is SME", "SME/VCSE Status", "Supplier Type",
			"Small or Medium Enterprise", "Voluntary or Community Sector Enterprise"}, Required: true, Kind: KindText},
		{Name: "Registration Number", Synonyms: []string{"Company Registration Number", "Charity Registration Number",
			"Company Number", "Charity Number", "Company or Charity Number", "Company or Charity Registration Number",
			"Companies House Number", "Supplier Registration Number"}, Required: true, Blank: true, Kind: KindRegistration},
	}}

	LandAndBuildingAssets = Template{ID: "land-and-building-assets", Title: "Land and building assets", Columns: []TemplateColumn{
		{Name: "Organisation Name", Synonyms: []string{"Organisation", "Body", "Local Authority"}, Kind: KindText, Blank: true},
		{Name: "UPRN", Synonyms: []string{"Unique Property Reference Number", "Property Reference Number"}, Required: true,
			Blank: true, Kind: KindUPRN},
		{Name: "Unique Asset ID", Synonyms: []string{"Unique Asset Identity", "Asset ID", "Asset Reference", "Asset Number",
			"Asset Ref", "Property Reference", "Property ID"}, Required: true, Kind: KindText},
		{Name: "Name", Synonyms: []string{"Asset Name", "Property Name", "Building Name", "Site Name", "Name of Building/Land",
			"Name of the building/land or both", "Land/Building Name"}, Required: true, Kind: KindText},
		{Name: "Street Number", Synonyms: []string{"No", "Number", "Building Number", "Street No", "House Number",
			"Street Number(s)"}, Required: true, Blank: true, Kind: KindText},
		{Name: "Street", Synonyms: []string{"Street Name", "Road", "Address Line 1", "Address"}, Kind: KindText, Blank: true},
		{Name: "Post Town", Synonyms: []string{"Town", "PostTown"}, Required: true, Blank: true, Kind: KindText},
		{Name: "Postcode", Synonyms: []string{"Post Code", "United Kingdom Postcode", "UK Postcode"}, Required: true,
			Blank: true, Kind: KindPostcode},
		{Name: "Easting", Synonyms: []string{"X", "X Coordinate", "X Co-ordinate", "GeoX", "Map Reference X"}, Kind: KindEasting, Blank: true},
		{Name: "Northing", Synonyms: []string{"Y", "Y Coordinate", "Y Co-ordinate", "GeoY", "Map Reference Y"}, Kind: KindNorthing, Blank: true},
		{Name: "Latitude", Synonyms: []string{"Lat"}, Kind: KindLatitude, Blank: true},
		{Name: "Longitude", Synonyms: []string{"Long", "Lon", "Lng"}, Kind: KindLongitude, Blank: true},
		{Name: "Tenure", Synonyms: []string{"Holding Type", "Freehold or Leasehold", "Freehold/Leasehold", "Tenure Type",
			"Ownership"}, Required: true, Kind: KindTenure},
		{Name: "Tenure Category", Synonyms: []string{"Characteristics", "Holding Detail", "Tenure Detail", "Use"}, Kind: KindText, Blank: true},
		{Name: "Land or Building", Synonyms: []string{"Land Only or Land and Building", "Asset Type", "Property Type",
			"Land/Building"}, Kind: KindText, Blank: true},
	}, Alternatives: []Alternative{{Name: "Map reference",
		Options: [][]string{{"Easting", "Northing"}, {"Latitude", "Longitude"}}}}}
)

// Templates lists the templates by id.
var Templates = []*Template{&SpendOver500, &ContractsOver5000, &LandAndBuildingAssets}

// LookupTemplate finds a template by id.
func LookupTemplate(id string) (*Template, bool) {
	for _, t := range Templates {
		if t.ID == id {
			return t, true
		}
	}
	return nil, false
}

// headingKey folds a heading so that "Amount (£)", "amount_£" and "AMOUNT"
// compare equal to the synonym lists.
func headingKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type templateCheck struct {
	t      *Template
	report *Report
	index  []int // header index per template column, -1 when absent
	byName map[string]int
}

// begin matches the header against the template, reporting missing columns.
func (t *Template) begin(header []string, report *Report) *templateCheck {
	report.Template = t.ID
	c := &templateCheck{t: t, report: report, index: make([]int, len(t.Columns)), byName: map[string]int{}}
	keys := make(map[string]int, len(header))
	for i, h := range header {
		if _, dup := keys[headingKey(h)]; !dup {
			keys[headingKey(h)] = i
		}
	}
	for ci, col := range t.Columns {
		c.index[ci] = -1
		for _, name := range append([]string{col.Name}, col.Synonyms...) {
			if i, ok := keys[headingKey(name)]; ok {
				c.index[ci] = i
				break
			}
		}
		c.byName[col.Name] = ci
		if c.index[ci] < 0 && col.Required {
			report.Add(RowProblem{Column: col.Name, Severity: SeverityError, Message: fmt.Sprintf(
				"the %s template needs a %q column (also accepted: %s)", t.Title, col.Name, strings.Join(col.Synonyms, ", "))})
		}
	}
	for _, alt := range t.Alternatives {
		satisfied := false
		var ways []string
		for _, set := range alt.Options {
			all := true
			for _, name := range set {
				all = all && c.index[c.byName[name]] >= 0
			}
			satisfied = satisfied || all
			ways = append(ways, strings.Join(set, " and "))
		}
		if !satisfied {
			report.Add(RowProblem{Column: alt.Name, Severity: SeverityError, Message: fmt.Sprintf(
				"the %s template needs a %s: columns %s", t.Title, strings.ToLower(alt.Name), strings.Join(ways, ", or "))})
		}
	}
	return c
}

func (c *templateCheck) row(row []string, rowNum, line int64) {
	for ci, col := range c.t.Columns {
		i := c.index[ci]
		if i < 0 {
			continue
		}
		v := strings.TrimSpace(row[i])
		bad := func(sev Severity, format string, args ...any) {
			c.report.Add(RowProblem{Row: rowNum, Line: line, Column: col.Name, Value: v, Severity: sev,
				Message: fmt.Sprintf(format, args...)})
		}
		if IsNull(v) {
			if !col.Blank {
				bad(SeverityError, "%s is required", col.Name)
			}
			continue
		}
		if msg := checkValue(col, v, bad); msg != "" {
			bad(SeverityError, "%s", msg)
		}
		if col.NotBefore != "" {
			if j := c.index[c.byName[col.NotBefore]]; j >= 0 {
				end, _, ok1 := ParseDate(v)
				start, _, ok2 := ParseDate(row[j])
				if ok1 && ok2 && end.Before(start) {
					bad(SeverityError, "%s %s is before %s %s", col.Name, v, col.NotBefore, strings.TrimSpace(row[j]))
				}
			}
		}
	}
}

func (c *templateCheck) end() {}

var (
	postcodeRe     = regexp.MustCompile(`^(?i)(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$`)
	uprnRe         = regexp.MustCompile(`^[0-9]{1,12}$`)
	registrationRe = regexp.MustCompile(`^(?i)([0-9]{6,8}|[A-Z]{2}[0-9]{6})(-[0-9]{1,2})?$`)
)

// coordRange bounds coordinates to the UK: British National Grid metres, or
// WGS 84 degrees.
var coordRange = map[ValueKind][2]float64{KindEasting: {0, 700000}, KindNorthing: {0, 1300000},
	KindLatitude: {49, 61}, KindLongitude: {-9, 2.1}}

// CheckTemplate streams a CSV file through a template's checks alone; to
// profile and check in one pass use ProfileCSV with ProfileOptions.Template.
func CheckTemplate(r io.Reader, t *Template, opt ReadOptions) (*Report, error) {
	p, err := ProfileCSV(r, ProfileOptions{ReadOptions: opt, Template: t, SampleRows: -1})
	if p == nil {
		return nil, err
	}
	return p.Report, err
}

// checkValue returns why v is not a valid value of col, or "".
func checkValue(col TemplateColumn, v string, warn func(Severity, string, ...any)) string {
	switch col.Kind {
	case KindDate:
		if _, _, ok := ParseDate(v); !ok {
			if parts := strings.Split(v, "/"); len(parts) == 3 && atoi(parts[1]) > 12 && atoi(parts[0]) <= 12 {
				return "looks like a US month/day date; write it as dd/mm/yyyy or yyyy-mm-dd"
			}
			return "is not a date; write it as yyyy-mm-dd or dd/mm/yyyy"
		}
	case KindAmount:
		a, ok := ParseAmount(v)
		if !ok {
			return "is not an amount in pounds, e.g. 1234.56, £1,234.56 or -650.00"
		}
		if col.Threshold > 0 && math.Abs(a) < col.Threshold {
			warn(SeverityWarning, "£%s is below the Code's £%s threshold; check the row belongs in this file",
				strconv.FormatFloat(math.Abs(a), 'f', 2, 64), groupThousands(col.Threshold))
		}
	case KindPostcode:
		if !postcodeRe.MatchString(v) {
			return "is not a UK postcode such as S44 6NG"
		}
	case KindUPRN:
		if !uprnRe.MatchString(v) {
			return "is not a UPRN: up to 12 digits"
		}
	case KindEasting, KindNorthing, KindLatitude, KindLongitude:
		lo, hi := coordRange[col.Kind][0], coordRange[col.Kind][1]
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < lo || f > hi {
			return fmt.Sprintf("must be a number from %g to %g (%s in Great Britain and Northern Ireland)", lo, hi, col.Kind)
		}
	case KindTenure:
		l := strings.ToLower(v)
		if !strings.Contains(l, "freehold") && !strings.Contains(l, "leasehold") && l != "other" {
			return "must say whether the council holds the freehold or a leasehold (Freehold, Leasehold or Other)"
		}
	case KindRegistration:
		if !registrationRe.MatchString(strings.ReplaceAll(v, " ", "")) {
			return "is not a Companies House number (8 characters, e.g. 01234567 or SC123456) or a charity number"
		}
	}
	return ""
}

// ParseAmount reads an amount of pounds as councils write them: "1234.5",
// "£1,234.56", "-£600", "£-600", "(600.00)" for a credit, or "GBP 700".
func ParseAmount(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, strings.TrimSpace(s[1:])
	}
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "£"), "GBP"))
	if strings.HasPrefix(s, "-") {
		neg, s = !neg, s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if !digits(whole) && !(whole == "" && hasFrac) {
		return 0, false
	}
	if hasFrac && (!digits(frac) || strings.Contains(frac, ",")) {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

func groupThousands(f float64) string {
	s := strconv.FormatFloat(f, 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TemplateIDs lists the template ids, for messages naming the valid ones.
func TemplateIDs() []string {
	ids := make([]string, len(Templates))
	for i, t := range Templates {
		ids[i] = t.ID
	}
	return ids
}
