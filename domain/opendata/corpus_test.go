package opendata

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// The corpus: for every template, a file in the Code's layout and one in
// the schema's (LGA, or 360Giving for grants), generated here with the
// quirks of real council files (issue 17). Row numbers below are 1-based
// data rows; each quirk sits on its own row in every file.
const (
	corpusRows   = 300
	rowNBSP      = 3  // non-breaking spaces around and inside a name
	rowMojibake  = 5  // "CafÃ© Ltd", "Â£2,345.00"
	rowCredit    = 7  // "(750.00)"
	rowMinus     = 8  // "-1,200.00"
	rowRedacted  = 9  // "Redacted"
	rowNA        = 11 // "N/A"
	rowNA2       = 12 // "NA"
	rowLineBreak = 13 // a quoted cell with a line break
	rowSmall     = 15 // below the template's threshold
	rowTextDate  = 17 // 17-Apr-2024
	rowReason    = 41 // a name left empty with a reason in the redaction column
	rowBreach    = 42 // a breach of the Code's rules: the one error row
)

type layout int

const (
	codeLayout layout = iota
	schemaLayout
)

func (l layout) String() string {
	return map[layout]string{codeLayout: "code", schemaLayout: "schema"}[l]
}

type corpusColumn struct {
	code, schema string // the heading in each layout; "" leaves the column out of it
	cell         func(i int, l layout) string
}

type corpusFile struct {
	template *Template
	columns  []corpusColumn
	// want lists what the report must say, per layout.
	mappings map[layout][]FieldMatch // Header, Field and Source checked
	repairs  map[layout][][2]string  // column, repair kind
	warnings map[layout][]wantProblem
	breach   wantProblem // the error on rowBreach
	json     map[layout]map[int]map[string]any
}

type wantProblem struct {
	row    int64
	field  string
	phrase string
}

// bytes writes the file: CRLF line ends, quoted cells where needed, and the
// empty lines and delimiter-only rows spreadsheets leave at the end.
func (f corpusFile) bytes(l layout) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	var header []string
	var cols []corpusColumn
	for _, c := range f.columns {
		if h := map[layout]string{codeLayout: c.code, schemaLayout: c.schema}[l]; h != "" {
			header, cols = append(header, h), append(cols, c)
		}
	}
	w.Write(header)
	for i := 1; i <= corpusRows; i++ {
		row := make([]string, len(cols))
		for j, c := range cols {
			row[j] = c.cell(i, l)
		}
		w.Write(row)
	}
	w.Flush()
	b.WriteString(strings.Repeat(",", len(cols)-1) + "\r\n" + strings.Repeat(",", len(cols)-1) + "\r\n\r\n\r\n")
	return b.Bytes()
}

var (
	shortNames = []string{"Acme Ltd", "Pools plc", "Green Spaces CIC", "Derbyshire Supplies", "Shine Cleaning Ltd", "Bolsover Motors"}
	longNames  = []string{"Northumberland Highway Maintenance Services", "East Midlands Community Transport Partnership Ltd",
		"Consolidated Facilities Management and Cleaning plc"}
)

// name gives the rows' names: every tenth cut at 30 characters, as a
// finance system's field width does, and the NBSP and mojibake quirks.
func name(i int) string {
	switch {
	case i%10 == 0:
		return longNames[(i/10)%len(longNames)][:30]
	case i == rowNBSP:
		return "\u00a0Acme\u00a0Ltd "
	case i == rowMojibake:
		return "Caf\u00c3\u00a9 Ltd"
	}
	return shortNames[i%len(shortNames)]
}

// ukDate and usDate write the same day of April 2024 the UK way (with the
// text form on one row) and as a US-locale export does.
func ukDate(i int) string {
	if i == rowTextDate {
		return fmt.Sprintf("%02d-Apr-2024", 1+i%28)
	}
	return fmt.Sprintf("%02d/04/2024", 1+i%28)
}

func usDate(i int) string {
	h := 1 + i%12
	return fmt.Sprintf("04/%02d/2024 %02d:%02d:%02d %s", 1+i%28, h, i%60, (i*7)%60, map[bool]string{true: "AM", false: "PM"}[i%2 == 0])
}

func date(i int, l layout) string {
	if l == codeLayout {
		return ukDate(i)
	}
	return usDate(i)
}

// isoDay is the ISO date both forms mean.
func isoDay(i int) string { return fmt.Sprintf("2024-04-%02d", 1+i%28) }

func usDateTime(i int) string {
	h := 1 + i%12
	if i%2 != 0 && h != 12 {
		h += 12
	} else if i%2 == 0 && h == 12 {
		h = 0
	}
	return fmt.Sprintf("%sT%02d:%02d:%02d", isoDay(i), h, i%60, (i*7)%60)
}

// amount writes pounds as councils do, with the credit and mojibake rows;
// base is a typical amount, small one below the threshold.
func amount(i int, base, small float64) string {
	switch i {
	case rowMojibake:
		return "\u00c2\u00a32,345.00"
	case rowCredit:
		return "(750.00)"
	case rowMinus:
		return "-1,200.00"
	case rowSmall:
		return fmt.Sprintf("%.2f", small)
	}
	v := base + float64(i*37%900)
	if i%3 == 0 {
		return fmt.Sprintf("£%s.%02d", groupThousands(v), i%100)
	}
	return fmt.Sprintf("%.2f", v)
}

func fixed(s string) func(int, layout) string { return func(int, layout) string { return s } }

func TestCorpus(t *testing.T) {
	for _, f := range corpus() {
		for _, l := range []layout{codeLayout, schemaLayout} {
			t.Run(f.template.ID+"/"+l.String(), func(t *testing.T) { f.check(t, l) })
		}
	}
}

func (f corpusFile) check(t *testing.T, l layout) {
	data := f.bytes(l)
	p, err := ProfileCSV(bytes.NewReader(data), ProfileOptions{Template: f.template})
	if err != nil {
		t.Fatal(err)
	}
	r := p.Report
	if p.RowCount != corpusRows {
		t.Errorf("rows = %d, want %d (trailing blank lines are not rows)", p.RowCount, corpusRows)
	}
	wantLayout := "code"
	if l == schemaLayout {
		wantLayout = f.template.Schema
	}
	if !r.Fit.Fits() || r.Fit.Layout != wantLayout {
		t.Fatalf("fit: layout %s (want %s), missing %v", r.Fit.Layout, wantLayout, r.Fit.Missing)
	}
	for _, want := range f.mappings[l] {
		if !hasMapping(r.Fit, want) {
			t.Errorf("no mapping %s -> %s (%s) in %+v", want.Header, want.Field, want.Source, r.Fit.Fields)
		}
	}
	for _, want := range f.repairs[l] {
		if !hasRepair(r, want[0], want[1]) {
			t.Errorf("no %s repair in column %s: %+v", want[1], want[0], r.Repairs)
		}
	}
	for _, want := range append(f.warnings[l], wantProblem{corpusRows + 1, "", "empty rows"}) {
		if !hasMessage(r, want, SeverityWarning) {
			t.Errorf("no warning on row %d %s saying %q", want.row, want.field, want.phrase)
		}
	}
	if r.ErrorRows != 1 || !hasMessage(r, f.breach, SeverityError) {
		t.Errorf("want exactly the breach on row %d as an error; %d error rows: %s", f.breach.row, r.ErrorRows, problems(r, SeverityError))
	}
	if d := r.Decide(p.RowCount, nil); !d.Publishable {
		t.Errorf("not publishable: %s", d.Reason)
	}
	f.checkJSON(t, l, p, data)
	// Uploaded without a template, the file says which one it fits.
	p2, err := ProfileCSV(bytes.NewReader(data), ProfileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p2.Report.Detected) == 0 || p2.Report.Detected[0].Template != f.template.ID || !p2.Report.Detected[0].Fits() {
		t.Errorf("detected %s", detected(p2.Report))
	} else if !strings.Contains(p2.Report.Detected[0].Advice, `PATCH {"template":"`+f.template.ID+`"}`) {
		t.Errorf("advice %q does not say how to adopt the template", p2.Report.Detected[0].Advice)
	}
}

// checkJSON encodes the rows as the typed JSON download and checks the
// values the corpus planted.
func (f corpusFile) checkJSON(t *testing.T, l layout, p *Profile, data []byte) {
	cols := make([]Column, len(p.Columns))
	for i, c := range p.Columns {
		cols[i] = c.Column
	}
	enc := NewRowEncoder(cols)
	rd, err := NewReader(bytes.NewReader(data), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for {
		row, err := rd.Next()
		if err != nil {
			break
		}
		want, ok := f.json[l][int(rd.Row())]
		if !ok {
			continue
		}
		var got map[string]any
		if err := json.Unmarshal(enc.AppendRow(nil, row), &got); err != nil {
			t.Fatalf("row %d: %v", rd.Row(), err)
		}
		for k, v := range want {
			if fmt.Sprint(got[k]) != fmt.Sprint(v) {
				t.Errorf("row %d: JSON %s = %#v, want %#v", rd.Row(), k, got[k], v)
			}
		}
	}
}

func hasMapping(fit *TemplateFit, want FieldMatch) bool {
	for _, m := range fit.Fields {
		if m.Header == want.Header && m.Field == want.Field && (want.Source == "" || m.Source == want.Source) {
			return true
		}
	}
	return false
}

func hasRepair(r *Report, column, kind string) bool {
	for _, rp := range r.Repairs {
		if rp.Column == column && rp.Kind == kind {
			return true
		}
	}
	return false
}

func hasMessage(r *Report, want wantProblem, sev Severity) bool {
	for _, p := range r.Problems {
		if p.Severity == sev && (want.row < 0 || p.Row == want.row || (want.row > corpusRows && p.Row > corpusRows)) &&
			(want.field == "" || p.Column == want.field) && strings.Contains(p.Message, want.phrase) {
			return true
		}
	}
	return false
}

func problems(r *Report, sev Severity) string {
	var b strings.Builder
	for _, p := range r.Problems {
		if p.Severity == sev {
			fmt.Fprintf(&b, "\n  row %d %s %q: %s", p.Row, p.Column, p.Value, p.Message)
		}
	}
	return b.String()
}

func detected(r *Report) string {
	var b strings.Builder
	for _, f := range r.Detected {
		fmt.Fprintf(&b, "\n  %s score %.2f errors %d warnings %d missing %v", f.Template, f.Score, *f.ErrorRows, *f.Warnings, f.Missing)
	}
	return b.String()
}

// num is the value a number written with 6 decimals reads back as.
func num(f float64) float64 {
	v, _ := strconv.ParseFloat(fmt.Sprintf("%.6f", f), 64)
	return v
}
