package opendata

import (
	"cmp"
	"io"
	"slices"
)

// Profile is what profiling a CSV file found.
type Profile struct {
	Encoding  Encoding        `json:"encoding"`
	BOM       bool            `json:"bom"`
	Delimiter string          `json:"delimiter"`
	Columns   []ColumnProfile `json:"columns"`
	RowCount  int64           `json:"rowCount"`
	Bytes     int64           `json:"bytes"`
	Sample    [][]string      `json:"sample"` // the first rows, for the dataset page's preview
	Report    *Report         `json:"report"`
}

// ProfileOptions tune profiling.
type ProfileOptions struct {
	ReadOptions
	SampleRows int       // rows kept for the preview; 0 means 10
	Template   *Template // also check the file against a Transparency Code template
	// NoDetect skips matching a file without a template against every
	// template (see Report.Detected).
	NoDetect bool
}

// detectMinScore is the share of a template's required fields a header
// must have for the template to be suggested.
const detectMinScore = 0.6

// ProfileCSV streams a CSV file once, inferring column types, counting
// rows and nulls, keeping a preview and reporting row problems. With a
// template it also checks the file against it: the report's Fit says which
// heading was read as which field, and the template's fields are typed by
// their kind (amounts as decimals, dates in the order the column uses).
// Without one, it checks the file against the templates its header fits
// and lists them in Report.Detected. Memory does not grow with the file.
// The error is for a file that cannot be read to the end; the profile of
// what was read comes with it when there is one.
func ProfileCSV(r io.Reader, opt ProfileOptions) (*Profile, error) {
	rd, err := NewReader(r, opt.ReadOptions)
	if err != nil {
		return nil, err
	}
	if opt.SampleRows == 0 {
		opt.SampleRows = 10
	}
	// A negative SampleRows keeps no preview.
	p := &Profile{Encoding: rd.Encoding(), BOM: rd.BOM(), Delimiter: string(rd.Delimiter()), Report: rd.Report()}
	for _, name := range rd.Header() {
		p.Columns = append(p.Columns, ColumnProfile{Column: Column{Name: name, Type: TypeEmpty},
			MinLength: -1, distinct: map[string]struct{}{}, dates: map[string]bool{}})
	}
	var checks []*templateCheck
	var shadows []*Report
	switch {
	case opt.Template != nil:
		c := opt.Template.begin(rd.Header(), rd.Report())
		rd.Report().Template, rd.Report().Fit = opt.Template.ID, c.fit
		checks = append(checks, c)
	case !opt.NoDetect:
		for _, fit := range DetectTemplates(rd.Header()) {
			if fit.Score < detectMinScore {
				continue
			}
			t, _ := LookupTemplate(fit.Template)
			shadow := &Report{limit: 1}
			checks, shadows = append(checks, t.begin(rd.Header(), shadow)), append(shadows, shadow)
		}
	}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.finish(rd, checks, shadows)
			return p, err
		}
		p.RowCount++
		if len(p.Sample) < opt.SampleRows {
			p.Sample = append(p.Sample, append([]string(nil), row...))
		}
		for i, cell := range row {
			p.Columns[i].observe(cell)
		}
		for _, c := range checks {
			c.row(row, rd.Row(), rd.Line())
		}
	}
	p.finish(rd, checks, shadows)
	return p, nil
}

func (p *Profile) finish(rd *Reader, checks []*templateCheck, shadows []*Report) {
	rd.Finish()
	p.Bytes = rd.BytesRead()
	for _, c := range checks {
		c.end()
	}
	for i := range p.Columns {
		c := &p.Columns[i]
		if c.MinLength < 0 {
			c.MinLength = 0
		}
		c.Distinct = len(c.distinct)
		if c.Type == TypeDate {
			for _, f := range []string{"iso", "uk"} {
				if c.dates[f] {
					c.DateFormats = append(c.DateFormats, f)
				}
			}
		}
	}
	if len(shadows) == 0 && len(checks) == 1 {
		p.typeFields(checks[0])
		return
	}
	type ranked struct {
		fit         TemplateFit
		mostlyBelow bool
	}
	var fits []ranked
	for i, c := range checks {
		fit := *c.fit
		fit.ErrorRows, fit.Warnings = &shadows[i].ErrorRows, &shadows[i].Warnings
		fit.describe()
		fits = append(fits, ranked{fit, c.mostlyBelow()})
	}
	// A card statement fits the spend template too, but with most payments
	// under £500: the template the rows agree with wins. Otherwise the fits
	// keep DetectTemplates' order.
	slices.SortStableFunc(fits, func(a, b ranked) int {
		return cmp.Or(-cmp.Compare(a.fit.Score, b.fit.Score), cmp.Compare(*a.fit.ErrorRows, *b.fit.ErrorRows),
			compareBool(a.mostlyBelow, b.mostlyBelow))
	})
	for _, f := range fits {
		p.Report.Detected = append(p.Report.Detected, f.fit)
	}
}

// typeFields gives the columns a template read their field and kind, and
// types amounts and dates by what the template reads them as.
func (p *Profile) typeFields(c *templateCheck) {
	for ci, col := range c.t.Columns {
		i := c.index[ci]
		if i < 0 {
			continue
		}
		pc := &p.Columns[i]
		pc.Field, pc.Kind = col.Name, col.Kind
		if c.kindFailed[ci] || pc.Nulls == p.RowCount {
			continue
		}
		switch col.Kind {
		case KindAmount:
			pc.Type = TypeDecimal
		case KindDate:
			pc.Type = TypeDate
			pc.DateFormats = c.dates[ci].formats()
		}
	}
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
