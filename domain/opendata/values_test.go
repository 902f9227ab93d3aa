package opendata

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseAmountCredits(t *testing.T) {
	cases := map[string]float64{"£ 1,234.56": 1234.56, "600.00-": -600, "600.00 CR": -600, "(£1,000)": -1000, "£-1,200.50": -1200.5}
	for in, want := range cases {
		if got, ok := ParseAmount(in); !ok || got != want {
			t.Errorf("ParseAmount(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"-", "CR", "1,00.00", "£1.234,56"} {
		if _, ok := ParseAmount(in); ok {
			t.Errorf("ParseAmount(%q) accepted", in)
		}
	}
}

func TestParseMissing(t *testing.T) {
	cases := map[string]string{"": MissingEmpty, "  ": MissingEmpty, "NA": MissingNotApplicable, "n/a": MissingNotApplicable,
		"N/A": MissingNotApplicable, "NULL": MissingNull, "Redacted": MissingRedacted, "REDACTED - personal data": MissingRedacted,
		"Personal Data": MissingRedacted, "*****": MissingRedacted, "Withheld": MissingRedacted}
	for in, want := range cases {
		if got, ok := ParseMissing(in); !ok || got != want {
			t.Errorf("ParseMissing(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"Nationwide", "Acme Ltd", "0", "**", "NAT"} {
		if _, ok := ParseMissing(in); ok {
			t.Errorf("ParseMissing(%q) took a value for a missing marker", in)
		}
	}
}

func TestCleanCell(t *testing.T) {
	cases := []struct {
		in, want string
		repairs  []string
	}{
		{"Acme Ltd", "Acme Ltd", nil},
		{"  Acme Ltd\t", "Acme Ltd", []string{RepairWhitespace}},
		{"\u00a0Acme\u00a0Ltd", "Acme Ltd", []string{RepairNBSP}},
		{"Acme\u200bLtd", "AcmeLtd", []string{RepairNBSP}},
		{"\u00c2\u00a3500", "£500", []string{RepairMojibake}},
		{"St Mary\u00e2\u20ac\u2122s", "St Mary’s", []string{RepairMojibake}},
		{"\u00c3\u0192\u00c2\u00a9t\u00c3\u0192\u00c2\u00a9", "été", []string{RepairMojibake}}, // twice mangled
		{"Caf\u00e9 £5 for 1½", "Caf\u00e9 £5 for 1½", nil},                                    // real accents and symbols stay
		{"\u00c2\u00a0Acme", "Acme", []string{RepairMojibake, RepairNBSP}},
	}
	for _, c := range cases {
		got, repairs := CleanCell(c.in)
		if got != c.want || !slices.Equal(repairs, c.repairs) {
			t.Errorf("CleanCell(%q) = %q %v; want %q %v", c.in, got, repairs, c.want, c.repairs)
		}
	}
}

func TestReadDateForms(t *testing.T) {
	day := func(y, m, d, h, min, s int) time.Time { return time.Date(y, time.Month(m), d, h, min, s, 0, time.UTC) }
	cases := []struct {
		in     string
		order  DateOrder
		want   time.Time
		usOnly bool
	}{
		{"2024-04-13", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
		{"2024/04/13", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
		{"13/04/2024", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
		{"13/04/24", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
		{"13-Apr-2024", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
		{"13-APR-24", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
		{"13 April 2024", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
		{"04/13/2024 10:22:01 AM", MonthFirst, day(2024, 4, 13, 10, 22, 1), true},
		{"04/13/2024 12:05:00 AM", MonthFirst, day(2024, 4, 13, 0, 5, 0), true},
		{"04/13/2024 1:05:00 PM", MonthFirst, day(2024, 4, 13, 13, 5, 0), true},
		{"19811104000000", DayFirst, day(1981, 11, 4, 0, 0, 0), false},
		{"20240413", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
		{"13/04/2024 00:00:00", DayFirst, day(2024, 4, 13, 0, 0, 0), false},
	}
	for _, c := range cases {
		r := readDate(c.in)
		got, ok := r.in(c.order)
		if !ok || !got.Equal(c.want) || (r.usOK && !r.ukOK) != c.usOnly {
			t.Errorf("readDate(%q) in %s = %v %v (uk %v us %v)", c.in, c.order, got, ok, r.ukOK, r.usOK)
		}
	}
	for _, in := range []string{"31/02/2024", "13/13/2024", "2024-02-30", "04/13/2024 13:00 PM", "12345678", "99999999999999", "soon"} {
		if readDate(in).ok() {
			t.Errorf("readDate(%q) accepted", in)
		}
	}
	// The strict reading used for column types is unchanged: no US, compact
	// or two-digit years.
	for _, in := range []string{"04/13/2024", "20240413", "13/04/24", "13/04/2024 10:30"} {
		if _, _, ok := ParseDate(in); ok {
			t.Errorf("ParseDate(%q) accepted", in)
		}
	}
}

func TestUSDatesOnlyWhenConsistent(t *testing.T) {
	head := "Date,Department,Supplier,Purpose,Amount,Irrecoverable VAT,Merchant Category\n"
	row := func(d string) string { return d + ",Housing,Acme,Repairs,600,0,Construction\n" }
	us := head + row("04/13/2024") + row("04/14/2024") + row("04/02/2024")
	r := check(t, &SpendOver500, us)
	if r.Errors != 0 || !hasMessage(r, wantProblem{0, "Date", "read as US month/day dates"}, SeverityWarning) {
		t.Errorf("a consistently US file: %s %s", problems(r, SeverityError), problems(r, SeverityWarning))
	}
	// One US-looking date among UK ones is a mistake, reported on its row.
	mixed := head + row("13/04/2024") + row("04/14/2024") + row("04/02/2024")
	r = check(t, &SpendOver500, mixed)
	if r.ErrorRows != 1 || !hasMessage(r, wantProblem{2, "Date", "US month/day date in a column of UK dates"}, SeverityError) {
		t.Errorf("a UK file with a US date: %s", problems(r, SeverityError))
	}
}

func TestHeadingMatching(t *testing.T) {
	cases := map[string]string{
		"  5. Supplier Name ": "suppliername", "Supplier Name *******": "suppliername", "Supplier’s Name": "suppliersname",
		"AMOUNT_£": "amount", "Désignation": "designation", "Amount (Â£)": "amounta",
	}
	for in, want := range cases {
		if got := headingKey(in); got != want {
			t.Errorf("headingKey(%q) = %q, want %q", in, got, want)
		}
	}
	fit := SpendOver500.Match([]string{"TRANSACTIO", "SUPPLIER_N", "Amount (Â£)", "PAYMENT_DA", "Service"})
	for field, header := range map[string]string{"Transaction number": "TRANSACTIO", "Supplier name": "SUPPLIER_N",
		"Amount": "Amount (Â£)", "Date": "PAYMENT_DA", "Department": "Service"} {
		if !hasMapping(&fit, FieldMatch{Header: header, Field: field}) {
			t.Errorf("%s not read as %s: %+v", header, field, fit.Fields)
		}
	}
	// A short heading is not taken for a cut one.
	if fit := SpendOver500.Match([]string{"Supp"}); len(fit.Fields) != 0 {
		t.Errorf("Supp matched %+v", fit.Fields)
	}
}

func TestCoordSystems(t *testing.T) {
	for in, want := range map[string]CoordSystem{"WGS84": CoordWGS84, "OSGB36": CoordBNG, "British National Grid": CoordBNG,
		"EPSG:27700": CoordBNG, "27700": CoordBNG, "urn:ogc:def:crs:EPSG::4258": CoordETRS89,
		"http://www.opengis.net/def/crs/EPSG/0/27700": CoordBNG, "http://www.opengis.net/def/crs/OGC/1.3/CRS84": CoordWGS84} {
		if got, ok := ParseCoordSystem(in); !ok || got != want {
			t.Errorf("ParseCoordSystem(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "EPSG:3857", "Mercator", "84"} {
		if _, ok := ParseCoordSystem(in); ok {
			t.Errorf("ParseCoordSystem(%q) accepted", in)
		}
	}
	if ReadUK(447100, 370300).Only() != CoordBNG || ReadUK(-1.29, 53.23).Only() != CoordWGS84 || ReadUK(53.23, -1.29).Only() != "" ||
		!ReadUK(53.23, -1.29).LatLonSwap || ReadUK(0.5, 0.5).Only() != "" {
		t.Error("UK readings")
	}
}

func TestBareCarriageReturns(t *testing.T) {
	p := profile(t, []byte("a,b\r1,2\r3,4\r"), ProfileOptions{})
	if p.RowCount != 2 || !hasRepair(p.Report, "(file)", "line endings") {
		t.Fatalf("rows %d, repairs %+v", p.RowCount, p.Report.Repairs)
	}
}

func TestRowEncoderNamesItsMissingMember(t *testing.T) {
	enc := NewRowEncoder([]Column{{Name: "_missing", Type: TypeText}, {Name: "Amount", Kind: KindAmount}})
	got := string(enc.AppendRow(nil, []string{"x", "Redacted"}))
	if !strings.Contains(got, `"__missing":{"Amount":"redacted"}`) {
		t.Errorf("row %s", got)
	}
}
