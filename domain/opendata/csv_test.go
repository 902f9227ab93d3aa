package opendata

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
)

func profile(t *testing.T, data []byte, opt ProfileOptions) *Profile {
	t.Helper()
	p, err := ProfileCSV(bytes.NewReader(data), opt)
	if err != nil {
		t.Fatalf("ProfileCSV: %v", err)
	}
	return p
}

func column(t *testing.T, p *Profile, name string) ColumnProfile {
	t.Helper()
	for _, c := range p.Columns {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no column %q in %v", name, p.Columns)
	return ColumnProfile{}
}

func TestWindows1252PoundSign(t *testing.T) {
	// "Café" and "£" as Excel on Windows saves them: é = 0xE9, £ = 0xA3.
	data := []byte("Supplier,Amount\r\nCaf\xe9 Ltd,\xa3600.00\r\nAcme,\"\xa31,200.50\"\r\n")
	p := profile(t, data, ProfileOptions{})
	if p.Encoding != EncodingWindows1252 || p.BOM {
		t.Fatalf("encoding = %s bom=%v, want windows-1252 without BOM", p.Encoding, p.BOM)
	}
	if got := p.Sample[0]; got[0] != "Café Ltd" || got[1] != "£600.00" {
		t.Fatalf("first row decoded as %q, want Café Ltd / £600.00", got)
	}
	if p.RowCount != 2 || !p.Report.Valid() {
		t.Fatalf("rows=%d report=%+v", p.RowCount, p.Report)
	}
}

func TestLateInvalidUTF8FallsBackPerByte(t *testing.T) {
	// The first 64 KB are ASCII, so detection says UTF-8; a Windows-1252 £
	// after that must still arrive as £, not U+FFFD.
	var b bytes.Buffer
	b.WriteString("name,note\n")
	for b.Len() < 70<<10 {
		b.WriteString("plain,ascii\n")
	}
	b.WriteString("late,\xa3500\n")
	p := profile(t, b.Bytes(), ProfileOptions{SampleRows: 1 << 20})
	if p.Encoding != EncodingUTF8 {
		t.Fatalf("encoding %s", p.Encoding)
	}
	if last := p.Sample[len(p.Sample)-1]; last[1] != "£500" {
		t.Fatalf("late row = %q", last)
	}
}

func TestBOMUTF8Semicolon(t *testing.T) {
	data := []byte("\xef\xbb\xbfWard;Population;Area km²;Surveyed\n" +
		"\"Bolsover North; East\";6000;12.5;yes\nShirebrook;7000;8;no\n")
	p := profile(t, data, ProfileOptions{})
	if p.Encoding != EncodingUTF8 || !p.BOM || p.Delimiter != ";" {
		t.Fatalf("encoding=%s bom=%v delimiter=%q", p.Encoding, p.BOM, p.Delimiter)
	}
	if p.Columns[0].Name != "Ward" {
		t.Fatalf("BOM leaked into the first heading: %q", p.Columns[0].Name)
	}
	if p.Sample[0][0] != "Bolsover North; East" {
		t.Fatalf("quoted delimiter split the cell: %q", p.Sample[0])
	}
	want := map[string]ColumnType{"Ward": TypeText, "Population": TypeInteger, "Area km²": TypeDecimal, "Surveyed": TypeBoolean}
	for name, typ := range want {
		if c := column(t, p, name); c.Type != typ {
			t.Errorf("%s: type %s, want %s", name, c.Type, typ)
		}
	}
}

func TestDetectDelimiter(t *testing.T) {
	cases := map[string]rune{
		"a,b,c\n1,2,3\n":         ',',
		"a;b;c\n1,5;2,5;3\n":     ';',
		"a\tb\n\"x,y,z\"\t2\n":   '\t',
		"a|b|c\n1|2|3\n":         '|',
		"single\nvalue\n":        ',',
		"a;b;c\n\"1;2\";x,y;z\n": ';',
	}
	for in, want := range cases {
		if got := DetectDelimiter(in); got != want {
			t.Errorf("DetectDelimiter(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRaggedAndBrokenRows(t *testing.T) {
	data := "id,name,amount\n1,a,10\n2,b\n3,c,30,extra\n4,d,40,,\n,,\n5,\"bad\"quote,50\n6,f,60\n"
	p := profile(t, []byte(data), ProfileOptions{})
	byRow := map[int64]RowProblem{}
	for _, pr := range p.Report.Problems {
		byRow[pr.Row] = pr
	}
	for _, row := range []int64{2, 3, 6} {
		if byRow[row].Severity != SeverityError {
			t.Errorf("row %d: want an error, got %+v (all: %+v)", row, byRow[row], p.Report.Problems)
		}
	}
	if pr := byRow[4]; pr.Message != "" && pr.Severity == SeverityError {
		t.Errorf("trailing empty cells are not an error: %+v", pr)
	}
	if !strings.Contains(byRow[2].Message, "2 cells") || byRow[2].Line != 3 {
		t.Errorf("short row problem = %+v", byRow[2])
	}
	if p.RowCount != 5 {
		t.Errorf("rows = %d, want 5 (the empty row and the unreadable row are not rows)", p.RowCount)
	}
	if p.Report.Errors != 3 {
		t.Errorf("errors = %d, want 3: %+v", p.Report.Errors, p.Report.Problems)
	}
}

func TestTypeInferenceWidening(t *testing.T) {
	data := "int,dec,iso,uk,mixdate,code,flag,blank,money\n" +
		"1,1,2024-04-01,01/04/2024,2024-04-01,007,TRUE,,£5\n" +
		"-20,2.5,2024-04-02T10:00:00Z,31/12/2023,02/04/2024,010,no,NULL,£6\n" +
		"\"1,000\",3,2024-02-29,1/2/2024,x,011,y,,£7\n"
	p := profile(t, []byte(data), ProfileOptions{})
	want := map[string]ColumnType{"int": TypeInteger, "dec": TypeDecimal, "iso": TypeDate, "uk": TypeDate,
		"mixdate": TypeText, "code": TypeText, "flag": TypeBoolean, "blank": TypeEmpty, "money": TypeText}
	for name, typ := range want {
		if c := column(t, p, name); c.Type != typ {
			t.Errorf("%s: %s, want %s", name, c.Type, typ)
		}
	}
	if c := column(t, p, "blank"); c.Nulls != 3 {
		t.Errorf("blank nulls = %d", c.Nulls)
	}
	if c := column(t, p, "uk"); len(c.DateFormats) != 1 || c.DateFormats[0] != "uk" {
		t.Errorf("uk date formats %v", c.DateFormats)
	}
	if typ, _ := CellType("31/02/2024"); typ == TypeDate {
		t.Error("31 February accepted as a date")
	}
}

func TestNoHeaderAndDuplicateHeadings(t *testing.T) {
	p := profile(t, []byte("1,2\n3,4\n"), ProfileOptions{ReadOptions: ReadOptions{NoHeader: true}})
	if p.RowCount != 2 || p.Columns[1].Name != "column_2" {
		t.Fatalf("rows=%d columns=%v", p.RowCount, p.Columns)
	}
	p = profile(t, []byte("Name,name,,Other\nx,y,z,w\n"), ProfileOptions{})
	names := []string{p.Columns[0].Name, p.Columns[1].Name, p.Columns[2].Name}
	if fmt.Sprint(names) != "[Name name_2 column_3]" || p.Report.Warnings != 2 {
		t.Fatalf("headings %v, warnings %d", names, p.Report.Warnings)
	}
}

func TestEmptyAndUnclosedQuote(t *testing.T) {
	if _, err := ProfileCSV(strings.NewReader(""), ProfileOptions{}); err == nil {
		t.Fatal("an empty file was accepted")
	}
	var b strings.Builder
	b.WriteString("a,b\n1,\"never closed\n")
	for b.Len() < 3<<20 {
		b.WriteString("more text that the quote swallows\n")
	}
	p, err := ProfileCSV(strings.NewReader(b.String()), ProfileOptions{ReadOptions: ReadOptions{MaxRecordBytes: 1 << 20}})
	if err == nil || p == nil || p.Report.Errors == 0 {
		t.Fatalf("unclosed quote: err=%v profile=%v", err, p)
	}
}

func TestProblemsAreCappedButCounted(t *testing.T) {
	var b strings.Builder
	b.WriteString("a,b\n")
	for range 50 {
		b.WriteString("1\n")
	}
	p := profile(t, []byte(b.String()), ProfileOptions{ReadOptions: ReadOptions{MaxProblems: 10}})
	if p.Report.Errors != 50 || len(p.Report.Problems) != 10 || !p.Report.Truncated {
		t.Fatalf("errors=%d kept=%d truncated=%v", p.Report.Errors, len(p.Report.Problems), p.Report.Truncated)
	}
}

// genLines streams the lines line(0), line(1), … until line returns nil,
// without holding them in memory.
type genLines struct {
	line func(i int) []byte
	i    int
	buf  []byte
	done bool
}

func (g *genLines) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && !g.done {
		if l := g.line(g.i); l != nil {
			g.buf = append(g.buf, l...)
			g.i++
		} else {
			g.done = true
		}
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

// genCSV writes n rows of spend-like data in the Code's layout.
func genCSV(n int) *genLines {
	return &genLines{line: func(i int) []byte {
		switch {
		case i == 0:
			return []byte("Date,Department,Beneficiary,Purpose,Amount,Irrecoverable VAT,Merchant Category\n")
		case i > n:
			return nil
		}
		return fmt.Appendf(nil, "%02d/%02d/2024,Environmental Services,Supplier %d Ltd,\"Waste, recycling\",%d.%02d,,\n",
			i%28+1, i%12+1, i%997, 500+i%100000, i%100)
	}}
}

func TestLargeStreamedCSV(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 40 MB")
	}
	const rows = 500_000
	var ticks int
	p, err := ProfileCSV(genCSV(rows), ProfileOptions{Template: &SpendOver500,
		ReadOptions: ReadOptions{Progress: func(int64) { ticks++ }}})
	if err != nil {
		t.Fatal(err)
	}
	if p.RowCount != rows || !p.Report.Valid() || p.Report.Warnings != 0 {
		t.Fatalf("rows=%d report=%+v", p.RowCount, p.Report)
	}
	if column(t, p, "Amount").Type != TypeDecimal || column(t, p, "Date").Type != TypeDate {
		t.Fatalf("columns %+v", p.Columns)
	}
	if ticks < int(p.Bytes>>20) || len(p.Sample) != 10 {
		t.Fatalf("progress ticks=%d for %d bytes, sample %d", ticks, p.Bytes, len(p.Sample))
	}
}

func BenchmarkProfileCSV(b *testing.B) {
	const rows = 200_000
	var size int64
	for b.Loop() {
		p, err := ProfileCSV(genCSV(rows), ProfileOptions{Template: &SpendOver500})
		if err != nil {
			b.Fatal(err)
		}
		size = p.Bytes
	}
	b.SetBytes(size)
	b.ReportMetric(float64(size)*float64(b.N)/1e6/b.Elapsed().Seconds(), "MB/s")
}
