package opendata

import (
	"io"
	"strings"
	"time"
)

// ColumnType is the inferred type of a column.
type ColumnType string

const (
	TypeEmpty   ColumnType = "empty" // every cell null
	TypeInteger ColumnType = "integer"
	TypeDecimal ColumnType = "decimal"
	TypeDate    ColumnType = "date"
	TypeBoolean ColumnType = "boolean"
	TypeText    ColumnType = "text"
)

// widen joins the type seen so far with a cell's type. Integers widen to
// decimals; any other mix can only be text. Once text, always text.
func widen(a, b ColumnType) ColumnType {
	switch {
	case a == TypeEmpty || a == b:
		return b
	case (a == TypeInteger && b == TypeDecimal) || (a == TypeDecimal && b == TypeInteger):
		return TypeDecimal
	}
	return TypeText
}

// IsNull reports whether a cell means "no value".
func IsNull(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || strings.EqualFold(s, "null") || strings.EqualFold(s, "n/a")
}

// CellType classifies one non-null cell; for a date it also says which
// format ("iso" or "uk").
func CellType(s string) (ColumnType, string) {
	s = strings.TrimSpace(s)
	if isInteger(s) {
		return TypeInteger, ""
	}
	if isDecimal(s) {
		return TypeDecimal, ""
	}
	if len(s) >= 8 && s[0] >= '0' && s[0] <= '9' {
		if _, f, ok := ParseDate(s); ok && f != "uk-text" {
			return TypeDate, f
		}
	}
	if ParseBool(s) != nil {
		return TypeBoolean, ""
	}
	return TypeText, ""
}

// ParseBool reads the spellings of true and false that council spreadsheets
// use, or returns nil.
func ParseBool(s string) *bool {
	t, f := true, false
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y":
		return &t
	case "false", "no", "n":
		return &f
	}
	return nil
}

// digits reports whether s is non-empty and all ASCII digits, optionally in
// comma-separated groups of three ("1,234,567").
func digits(s string) bool {
	if s == "" {
		return false
	}
	if !strings.Contains(s, ",") {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	groups := strings.Split(s, ",")
	for i, g := range groups {
		if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) || !digits(g) {
			return false
		}
	}
	return true
}

// isInteger accepts an optionally signed whole number. A leading zero makes
// it text: "007" and "01234" are codes, and reading them as numbers would
// lose the zeros.
func isInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return digits(s) && (s == "0" || s[0] != '0')
}

func isDecimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || !digits(frac) || strings.Contains(frac, ",") {
		return false
	}
	return whole == "" || whole == "0" || (digits(whole) && whole[0] != '0')
}

var monthNames = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		n := strings.ToLower(m.String())
		monthNames[n] = m
		monthNames[n[:3]] = m
	}
	monthNames["sept"] = time.September
}

// ParseDate reads a date as ISO 8601 (yyyy-mm-dd, optionally with a time),
// UK numeric (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or UK text
// ("1 April 2024", "01-Apr-2024"), returning the format it matched: "iso",
// "uk" or "uk-text". Impossible dates such as 31/02/2024 are refused.
func ParseDate(s string) (time.Time, string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		if len(s) == 10 {
			t, err := time.Parse(time.DateOnly, s)
			return t, "iso", err == nil
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, "iso", true
			}
		}
		return time.Time{}, "", false
	}
	// A UK date followed by a midnight time, as Excel exports them.
	if d, tm, ok := strings.Cut(s, " "); ok && strings.Count(d, "/") == 2 && (tm == "00:00" || tm == "00:00:00") {
		s = d
	}
	for _, sep := range []string{"/", "-", "."} {
		parts := strings.Split(s, sep)
		if len(parts) != 3 {
			continue
		}
		if len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[0]) >= 1 {
			if m, ok := monthNames[strings.ToLower(parts[1])]; ok && sep == "-" {
				return civil(parts[2], int(m), parts[0], "uk-text")
			}
			if len(parts[1]) >= 1 && len(parts[1]) <= 2 && digits(parts[0]) && digits(parts[1]) {
				return civil(parts[2], atoi(parts[1]), parts[0], "uk")
			}
		}
	}
	if f := strings.Fields(s); len(f) == 3 && len(f[2]) == 4 {
		if m, ok := monthNames[strings.ToLower(f[1])]; ok {
			return civil(f[2], int(m), strings.TrimRight(f[0], "stndrh"), "uk-text")
		}
	}
	return time.Time{}, "", false
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func civil(year string, month int, day string, format string) (time.Time, string, bool) {
	y, d := atoi(year), atoi(day)
	if y < 1000 || month < 1 || month > 12 || d < 1 || d > 31 {
		return time.Time{}, "", false
	}
	t := time.Date(y, time.Month(month), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, "", false // 31/02 rolled over into March
	}
	return t, format, true
}

// ColumnProfile is a column with the statistics profiling gathered.
type ColumnProfile struct {
	Column
	Distinct  int    `json:"distinct"` // capped at DistinctCap; a lower bound once reached
	MinLength int    `json:"minLength"`
	MaxLength int    `json:"maxLength"`
	Example   string `json:"example,omitempty"` // first non-null value
	distinct  map[string]struct{}
	dates     map[string]bool
}

// DistinctCap bounds the distinct values kept per column, so memory stays
// flat however many rows stream past.
const DistinctCap = 1000

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
}

// ProfileCSV streams a CSV file once, inferring column types, counting
// rows and nulls, keeping a preview and reporting row problems (and, with a
// template, the template's checks). Memory does not grow with the file. The
// error is for a file that cannot be read to the end; the profile of what was
// read comes with it when there is one.
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
	var check *templateCheck
	if opt.Template != nil {
		check = opt.Template.begin(rd.Header(), rd.Report())
	}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			p.finish(rd)
			return p, err
		}
		p.RowCount++
		if len(p.Sample) < opt.SampleRows {
			p.Sample = append(p.Sample, append([]string(nil), row...))
		}
		for i, cell := range row {
			p.Columns[i].observe(cell)
		}
		if check != nil {
			check.row(row, rd.Row(), rd.Line())
		}
	}
	if check != nil {
		check.end()
	}
	p.finish(rd)
	return p, nil
}

func (p *Profile) finish(rd *Reader) {
	p.Bytes = rd.BytesRead()
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
}

func (c *ColumnProfile) observe(cell string) {
	if IsNull(cell) {
		c.Nulls++
		return
	}
	n := len(cell)
	if c.MinLength < 0 || n < c.MinLength {
		c.MinLength = n
	}
	c.MaxLength = max(c.MaxLength, n)
	if c.Example == "" {
		c.Example = cell
	}
	if len(c.distinct) < DistinctCap {
		if _, ok := c.distinct[cell]; !ok {
			c.distinct[strings.Clone(cell)] = struct{}{}
		}
	}
	if c.Type == TypeText {
		return
	}
	t, f := CellType(cell)
	if f != "" {
		c.dates[f] = true
	}
	c.Type = widen(c.Type, t)
}
