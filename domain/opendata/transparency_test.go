package opendata

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

func check(t *testing.T, tpl *Template, data string) *Report {
	t.Helper()
	r, err := CheckTemplate(strings.NewReader(data), tpl, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func hasProblem(r *Report, row int64, column string, sev Severity) bool {
	for _, p := range r.Problems {
		if p.Row == row && p.Column == column && p.Severity == sev {
			return true
		}
	}
	return false
}

func TestSpendOver500(t *testing.T) {
	good := "Payment Date,Service Area,Supplier Name,Expense Type,Amount (£),Irrecoverable VAT,Merchant Category\n" +
		"01/04/2024,Housing,Acme Ltd,Repairs,\"£1,234.56\",,\n" +
		"2024-04-02,Leisure,Pools plc,Chemicals,600,12.00,Chemicals\n" +
		"03/04/2024,Finance,Acme Ltd,Credit note,(750.00),,\n"
	if r := check(t, &SpendOver500, good); !r.Valid() || r.Warnings != 0 || r.Template != "spend-over-500" {
		t.Fatalf("good spend file: %+v", r)
	}
	bad := "Date,Department,Supplier,Amount\n" +
		"31/02/2024,Housing,Acme,600\n" +
		"04/13/2024,Housing,Acme,600\n" +
		"01/04/2024,,Acme,six hundred\n" +
		"01/04/2024,Housing,Acme,£499.99\n"
	r := check(t, &SpendOver500, bad)
	for _, want := range []struct {
		row int64
		col string
		sev Severity
	}{{0, "Purpose", SeverityError}, {0, "Irrecoverable VAT", SeverityError}, {0, "Merchant category", SeverityError},
		{1, "Date", SeverityError}, {2, "Date", SeverityError}, {3, "Department", SeverityError},
		{3, "Amount", SeverityError}, {4, "Amount", SeverityWarning}} {
		if !hasProblem(r, want.row, want.col, want.sev) {
			t.Errorf("no %s for row %d column %s in %+v", want.sev, want.row, want.col, r.Problems)
		}
	}
	for _, p := range r.Problems {
		if p.Row == 2 && !strings.Contains(p.Message, "US") {
			t.Errorf("04/13/2024 should be called out as a US date: %q", p.Message)
		}
	}
}

func TestContractsOver5000(t *testing.T) {
	head := "Reference Number,Title of Agreement,Department,Description of Goods and Services,Supplier Name," +
		"Contract Value,Irrecoverable VAT,Start Date,End Date,Review Date,Procurement Route,SME/VCSE,Company Registration Number\n"
	good := head + "C-001,Cleaning,Facilities,Office cleaning,Shine Ltd,\"£25,000\",0,01/04/2024,31/03/2027,,Open tender,SME,01234567\n" +
		"C-002,Grounds,Parks,Grass cutting,Green CIC,5000,,2024-05-01,2025-04-30,2024-11-01,Quotes,VCSE,\n"
	if r := check(t, &ContractsOver5000, good); !r.Valid() || r.Warnings != 0 {
		t.Fatalf("good contracts file: %+v", r)
	}
	bad := head + "C-003,Tiny,IT,Cables,Wire Ltd,4999,,01/04/2024,31/03/2024,,Quote,No,ABC\n" +
		",Missing ref,IT,Laptops,PC Ltd,9000,,soon,31/03/2025,,Tender,No,SC123456\n"
	r := check(t, &ContractsOver5000, bad)
	for _, want := range []struct {
		row int64
		col string
		sev Severity
	}{{1, "Value", SeverityWarning}, {1, "End Date", SeverityError}, {1, "Registration Number", SeverityError},
		{2, "Reference", SeverityError}, {2, "Start Date", SeverityError}} {
		if !hasProblem(r, want.row, want.col, want.sev) {
			t.Errorf("no %s for row %d column %s in %+v", want.sev, want.row, want.col, r.Problems)
		}
	}
	if hasProblem(r, 2, "Registration Number", SeverityError) {
		t.Error("a Scottish company number SC123456 was refused")
	}
}

func TestLandAndBuildingAssets(t *testing.T) {
	good := "UPRN,Asset ID,Property Name,No,Street,Post Town,Post Code,Easting,Northing,Tenure,Tenure Category\n" +
		"100030000001,A1,Council Offices,2,Sherwood Lodge,Bolsover,S44 6NF,447100,370300,Freehold,Occupied by the LA\n" +
		",A2,Allotment land,,Mill Lane,Shirebrook,,450100,367500,Leasehold,Licence\n"
	if r := check(t, &LandAndBuildingAssets, good); !r.Valid() {
		t.Fatalf("good assets file: %+v", r)
	}
	latlon := "UPRN,Asset ID,Name,Street Number,Post Town,Postcode,Latitude,Longitude,Tenure\n" +
		"1,A1,Depot,3,Bolsover,S44 6NF,53.23,-1.29,Freehold\n"
	if r := check(t, &LandAndBuildingAssets, latlon); !r.Valid() {
		t.Fatalf("latitude/longitude map reference refused: %+v", r)
	}
	bad := "UPRN,Asset ID,Name,Street Number,Post Town,Postcode,Tenure\n" +
		"12a,A1,Depot,3,Bolsover,NOT A CODE,Rented\n"
	r := check(t, &LandAndBuildingAssets, bad)
	for _, want := range []struct {
		row int64
		col string
	}{{0, "Map reference"}, {1, "UPRN"}, {1, "Postcode"}, {1, "Tenure"}} {
		if !hasProblem(r, want.row, want.col, SeverityError) {
			t.Errorf("no error for row %d column %s in %+v", want.row, want.col, r.Problems)
		}
	}
}

func TestParseAmount(t *testing.T) {
	cases := map[string]float64{"1234.5": 1234.5, "£1,234.56": 1234.56, "-£600": -600, "£-600": -600,
		"(600.00)": -600, "GBP 700": 700, ".5": 0.5}
	for in, want := range cases {
		if got, ok := ParseAmount(in); !ok || got != want {
			t.Errorf("ParseAmount(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "£", "12,34", "1.2.3", "ten", "1,234.5,6", "$5"} {
		if _, ok := ParseAmount(in); ok {
			t.Errorf("ParseAmount(%q) accepted", in)
		}
	}
}

// The README lists every heading each template accepts; this keeps it so.
func TestREADMEListsEveryHeading(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testref.ModuleRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, tp := range Templates {
		start := strings.Index(readme, "**`"+tp.ID+"`**")
		if start < 0 {
			t.Errorf("README has no heading table for %s", tp.ID)
			continue
		}
		table := readme[start:]
		table = table[:strings.Index(table, "</details>")]
		for _, col := range tp.Columns {
			for _, name := range append(append(append([]string{col.Name}, col.Code...), col.Schema...), col.Variants...) {
				if !strings.Contains(table, name) {
					t.Errorf("README's %s table does not list %q (field %s)", tp.ID, name, col.Name)
				}
			}
		}
	}
}
