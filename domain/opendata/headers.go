package opendata

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// headingKey folds a heading so that "Amount (£)", "amount_£", "AMOUNT",
// "Supplier’s Name", "Supplier Name *****" and "5. Supplier name" compare
// equal to the names a template knows: accents are dropped and only ASCII
// letters and digits kept, after any leading "5." numbering.
func headingKey(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && i < len(s) &&
		(s[i] == '.' || s[i] == ')') && i+1 < len(s) && s[i+1] == ' ' {
		s = s[i+1:]
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		r = unicode.ToLower(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FoldHeading is the folded form headings are compared in (see
// headingKey), for other packages that recognise columns by name.
func FoldHeading(s string) string { return headingKey(s) }

// dbfKeys are the heading keys a name takes when a Shapefile's DBF cut it
// to 10 characters, with spaces kept, dropped or written as underscores, as
// GDAL and ArcGIS do.
func dbfKeys(name string) []string {
	var keys []string
	for _, form := range []string{name, strings.ReplaceAll(name, " ", ""), strings.ReplaceAll(name, " ", "_")} {
		if utf8.RuneCountInString(form) <= dbfNameLen {
			continue // not cut, so matched exactly if at all
		}
		if k := headingKey(string([]rune(form)[:dbfNameLen])); len(k) >= 6 && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// dbfNameLen is the longest field name a dBase file holds.
const dbfNameLen = 10

// Where a heading's name came from, best first.
const (
	SourceCode      = "code"      // the Transparency Code's (or its guidance's) name for the field
	SourceSchema    = "schema"    // the template's published schema (LGA, 360Giving)
	SourceVariant   = "variant"   // a heading councils commonly use
	SourceTruncated = "truncated" // a name cut to 10 characters by a DBF (Shapefile) export
)

var sourceRank = map[string]int{SourceCode: 0, SourceSchema: 1, SourceVariant: 2, SourceTruncated: 3}

// FieldMatch is how one template field was found in a file's header.
type FieldMatch struct {
	Field   string `json:"field"`  // the template's name for it, e.g. "Supplier name"
	Header  string `json:"header"` // the file's heading, e.g. "BeneficiaryName"
	Column  int    `json:"column"` // 0-based position in the file
	Source  string `json:"source"` // code, schema, variant or truncated
	Message string `json:"message"`
}

// TemplateFit says how well a file's header fits a template: which fields
// were found under which headings, which required ones are missing, and
// whether the file follows the Code's names or the template's schema.
type TemplateFit struct {
	Template string `json:"template"`
	Title    string `json:"title"`
	// Layout is "code" when most headings are the Code's names, the schema id
	// ("lga", "360giving") when most are the schema's, "mixed" otherwise.
	Layout        string       `json:"layout"`
	Needed        int          `json:"needed"` // required fields and map-reference-style alternatives
	Found         int          `json:"found"`
	Optional      int          `json:"optional"`
	OptionalFound int          `json:"optionalFound"`
	Score         float64      `json:"score"` // Found / Needed, 0 to 1
	Missing       []string     `json:"missing,omitempty"`
	Fields        []FieldMatch `json:"fields"`
	// ErrorRows and Warnings are what checking the file against the template
	// found; set by profiling for a detected template.
	ErrorRows *int64 `json:"errorRows,omitempty"`
	Warnings  *int64 `json:"warnings,omitempty"`
	Advice    string `json:"advice,omitempty"`

	index []int // header column per template column, -1 when absent
}

// Fits reports whether every required field was found.
func (f TemplateFit) Fits() bool { return f.Found == f.Needed }

type candidate struct {
	col, header, rank, nameAt int
	list                      int // 0 the Code's names, 1 the schema's, 2 variants
	needed                    bool
	source                    string
}

// Match finds the template's fields in a header. Each heading serves one
// field and each field takes one heading. Exact names are placed first,
// required fields choosing first, then by the best-ranked names (the
// Code's, the schema's, common variants), then the earlier name in the
// field's list. DBF-truncated headings come last, and there a cut Code
// name beats a cut variant before required fields choose, since a cut
// heading ("TRANSACTIO") can stand for several names.
func (t *Template) Match(header []string) TemplateFit {
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = headingKey(repairMojibake(h))
	}
	needed := t.neededColumns()
	var cands []candidate
	for ci, col := range t.Columns {
		for _, list := range []struct {
			names  []string
			source string
		}{{append([]string{col.Name}, col.Code...), SourceCode}, {col.Schema, SourceSchema}, {col.Variants, SourceVariant}} {
			for ni, name := range list.names {
				k := headingKey(name)
				for hi, hk := range keys {
					if hk == k {
						cands = append(cands, candidate{ci, hi, sourceRank[list.source], ni, 0, needed[ci], list.source})
					} else if utf8.RuneCountInString(strings.TrimSpace(header[hi])) == dbfNameLen && slices.Contains(dbfKeys(name), hk) {
						cands = append(cands, candidate{ci, hi, sourceRank[SourceTruncated], ni, sourceRank[list.source], needed[ci], SourceTruncated})
					}
				}
			}
		}
	}
	truncated := func(c candidate) bool { return c.source == SourceTruncated }
	slices.SortStableFunc(cands, func(a, b candidate) int {
		return cmp.Or(compareBool(truncated(a), truncated(b)), cmp.Compare(a.list, b.list), compareBool(!a.needed, !b.needed),
			cmp.Compare(a.rank, b.rank), cmp.Compare(a.nameAt, b.nameAt), cmp.Compare(a.col, b.col), cmp.Compare(a.header, b.header))
	})
	fit := TemplateFit{Template: t.ID, Title: t.Title, index: make([]int, len(t.Columns))}
	for i := range fit.index {
		fit.index[i] = -1
	}
	taken := make([]bool, len(header))
	sources := make([]string, len(t.Columns))
	free := func(c candidate) bool { return fit.index[c.col] < 0 && !taken[c.header] }
	assign := func(c candidate) { fit.index[c.col], taken[c.header], sources[c.col] = c.header, true, c.source }
	var cut []candidate
	for _, c := range cands {
		switch {
		case truncated(c):
			cut = append(cut, c)
		case free(c):
			assign(c)
		}
	}
	// A cut heading that can only be one field is placed first, which frees
	// the others: PAYMENT_DA can only be the date, so TRANSACTIO is the
	// transaction number and not the transaction date.
	for {
		cut = slices.DeleteFunc(cut, func(c candidate) bool { return !free(c) })
		if len(cut) == 0 {
			break
		}
		pick := cut[0]
		for _, c := range cut {
			if !slices.ContainsFunc(cut, func(o candidate) bool { return o.header == c.header && o.col != c.col }) {
				pick = c
				break
			}
		}
		assign(pick)
	}
	codeHits, schemaHits := 0, 0
	for ci, col := range t.Columns {
		hi := fit.index[ci]
		if hi < 0 {
			if col.Required {
				fit.Missing = append(fit.Missing, col.Name)
			}
			continue
		}
		// A heading both lists know ("Amount", "TransactionNumber") counts as
		// the schema's when written its way, in one word.
		source := sources[ci]
		if source == SourceCode && inNames(keys[hi], col.Schema) && !strings.ContainsAny(strings.TrimSpace(header[hi]), " _-") {
			source = SourceSchema
		}
		switch source {
		case SourceCode:
			codeHits++
		case SourceSchema:
			schemaHits++
		}
		fit.Fields = append(fit.Fields, FieldMatch{Field: col.Name, Header: header[hi], Column: hi, Source: source,
			Message: t.matchMessage(col.Name, header[hi], source)})
	}
	slices.SortFunc(fit.Fields, func(a, b FieldMatch) int { return cmp.Compare(a.Column, b.Column) })
	switch {
	case schemaHits > codeHits:
		fit.Layout = t.Schema
	case codeHits > schemaHits:
		fit.Layout = "code"
	default:
		fit.Layout = "mixed"
	}
	for ci, col := range t.Columns {
		switch {
		case col.Required:
			fit.Needed++
			if fit.index[ci] >= 0 {
				fit.Found++
			}
		case !needed[ci]:
			fit.Optional++
			if fit.index[ci] >= 0 {
				fit.OptionalFound++
			}
		}
	}
	for _, alt := range t.Alternatives {
		fit.Needed++
		if t.satisfied(alt, fit.index) {
			fit.Found++
		} else {
			fit.Missing = append(fit.Missing, alt.Name)
		}
	}
	if fit.Needed > 0 {
		fit.Score = float64(fit.Found) / float64(fit.Needed)
	}
	return fit
}

func inNames(key string, names []string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return headingKey(n) == key })
}

// neededColumns marks required columns and those an alternative may need.
func (t *Template) neededColumns() []bool {
	needed := make([]bool, len(t.Columns))
	for ci, col := range t.Columns {
		needed[ci] = col.Required
		for _, alt := range t.Alternatives {
			for _, set := range alt.Options {
				needed[ci] = needed[ci] || slices.Contains(set, col.Name)
			}
		}
	}
	return needed
}

func (t *Template) satisfied(alt Alternative, index []int) bool {
	for _, set := range alt.Options {
		all := true
		for _, name := range set {
			ci := t.column(name)
			all = all && ci >= 0 && index[ci] >= 0
		}
		if all {
			return true
		}
	}
	return false
}

func (t *Template) column(name string) int {
	return slices.IndexFunc(t.Columns, func(c TemplateColumn) bool { return c.Name == name })
}

func (t *Template) matchMessage(field, header, source string) string {
	if headingKey(header) == headingKey(field) {
		return fmt.Sprintf("%s is %s", header, field)
	}
	switch source {
	case SourceSchema:
		return fmt.Sprintf("%s read as %s (%s)", header, field, t.SchemaTitle)
	case SourceVariant:
		return fmt.Sprintf("%s read as %s", header, field)
	case SourceTruncated:
		return fmt.Sprintf("%s read as %s (a name cut to 10 characters, as a Shapefile's DBF does)", header, field)
	}
	return fmt.Sprintf("%s read as %s (the Code's name)", header, field)
}

// DetectTemplates matches a header against every template, best fit first:
// most required fields found, then most optional ones, then the fewest
// headings taken from variants. Templates with no field found are left out.
func DetectTemplates(header []string) []TemplateFit {
	var fits []TemplateFit
	for _, t := range Templates {
		if f := t.Match(header); len(f.Fields) > 0 {
			fits = append(fits, f)
		}
	}
	slices.SortStableFunc(fits, compareFits)
	return fits
}

func compareFits(a, b TemplateFit) int {
	return cmp.Or(-cmp.Compare(a.Score, b.Score), -cmp.Compare(a.OptionalFound, b.OptionalFound),
		cmp.Compare(variantCount(a), variantCount(b)))
}

func variantCount(f TemplateFit) int {
	n := 0
	for _, m := range f.Fields {
		if m.Source == SourceVariant || m.Source == SourceTruncated {
			n++
		}
	}
	return n
}

// describe sums a fit up for the report, with the PATCH that adopts it.
func (f *TemplateFit) describe() {
	how := fmt.Sprintf("%d of %d required fields", f.Found, f.Needed)
	if f.Optional > 0 {
		how += fmt.Sprintf(" and %d of %d optional ones", f.OptionalFound, f.Optional)
	}
	layout := "the Code's names"
	switch f.Layout {
	case "mixed":
		layout = "a mix of the Code's and the schema's names"
	case "code":
	default:
		layout = "the " + strings.ToUpper(f.Layout) + " schema's names"
		if f.Layout == "360giving" {
			layout = "the 360Giving standard's names"
		}
	}
	s := fmt.Sprintf("the file fits the %s template (%s): %s, in %s", f.Title, f.Template, how, layout)
	if f.ErrorRows != nil {
		s += fmt.Sprintf("; checked against it, %d rows would have errors and there would be %d warnings", *f.ErrorRows, *f.Warnings)
	}
	if f.Fits() {
		s += fmt.Sprintf(`. Adopt it with PATCH {"template":%q} on the dataset and upload the file again`, f.Template)
	} else {
		s += fmt.Sprintf("; missing: %s", strings.Join(f.Missing, ", "))
	}
	f.Advice = s
}
