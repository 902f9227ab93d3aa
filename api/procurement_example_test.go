package api

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jointict/councilapi/app"
	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
)

// exampleDay is the day of the README's capital programme worked example:
// the programme years are 2026/27 to 2030/31. The server's procurement
// clock is pinned to it, so the figures hold whenever the test runs.
var exampleDay = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

// example is the README's worked example built through the API.
type example struct {
	ts               *testServer
	neddc, bdc, dddc string // officers' keys
	comparison       string // NEDDC's approved sourcing comparison
	m365             string // the joint procurement JICT-2026-030
}

// neddcEstateCSV is NEDDC's estate register as exported from a
// spreadsheet, with a bad row that the import reports and skips.
const neddcEstateCSV = "\ufeffAsset ID,Type,Product,Version,Qty,Purchase date,Unit cost,Refresh cycle,Licence,Watts\n" +
	"neddc-fs,Servers,Windows Server 2003,R2,4,01/05/2012,6000.00,5,,350\n" +
	"neddc-office,software,Office 2007,,250,2008-01-01,180.00,,perpetual,\n" +
	"neddc-toaster,toaster,Breville,,two,soon,,,,\n"

// bdcEstateXLSX is BDC's estate register as a workbook.
func bdcEstateXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"id", "category", "product", "version", "quantity", "acquired", "replacementCost", "refreshYears", "licence", "powerWatts"},
		{"bdc-srv", "server", "Windows Server 2003", "R2", 3, time.Date(2011, 9, 1, 0, 0, 0, 0, time.UTC), 5500, 5, nil, 400},
		{"bdc-office", "software", "Office Professional Plus 2007", nil, 200, time.Date(2009, 4, 1, 0, 0, 0, 0, time.UTC), 180, nil, "perpetual", nil},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func years(from int, amounts ...string) []map[string]string {
	out := make([]map[string]string, len(amounts))
	for i, a := range amounts {
		out[i] = map[string]string{"year": yearName(from + i), "amount": a}
	}
	return out
}

func yearName(y int) string { return fmt.Sprintf("%d/%02d", y, (y+1)%100) }

func mustStatus(t *testing.T, what string, r response, want int) response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("%s: %d, want %d: %s", what, r.Status, want, r.Body)
	}
	return r
}

// newExample builds the README's worked example through the API: the
// estates of NEDDC (CSV) and BDC (XLSX), NEDDC's approved comparison for
// its file servers, the Microsoft 365 joint procurement of the three
// councils shared by users and driven to contract signature, and NEDDC's
// manual line for core switches.
func newExample(t *testing.T) *example {
	t.Helper()
	ts := newTestServerWith(t, Config{BodyLimit: 1 << 20}, app.Config{Procurement: appproc.Config{Now: func() time.Time { return exampleDay }}})
	x := &example{ts: ts, neddc: ts.key(domain.RoleOfficer, "neddc"), bdc: ts.key(domain.RoleOfficer, "bdc"), dddc: ts.key(domain.RoleOfficer, "dddc")}

	var imp struct {
		Created  int `json:"created"`
		Problems []struct {
			Row   int    `json:"row"`
			Field string `json:"field"`
		} `json:"problems"`
	}
	mustStatus(t, "NEDDC's estate", ts.do("POST", "/api/v1/organisations/neddc/estate/import", x.neddc, neddcEstateCSV, "Content-Type", "text/csv"), 200).json(t, &imp)
	if imp.Created != 2 || len(imp.Problems) < 2 || imp.Problems[0].Row != 4 {
		t.Fatalf("NEDDC's import: %+v", imp)
	}
	mustStatus(t, "BDC's estate", ts.do("POST", "/api/v1/organisations/bdc/estate/import", x.bdc, bdcEstateXLSX(t), "Content-Type", xlsxType), 200).json(t, &imp)
	if imp.Created != 2 || len(imp.Problems) != 0 {
		t.Fatalf("BDC's import: %+v", imp)
	}

	x.comparison = ts.postWorkedExample(x.neddc, nil).ID
	mustStatus(t, "comparison cash profile", ts.do("PUT", "/api/v1/organisations/neddc/capital-programme/comparisons/"+x.comparison, x.neddc, map[string]any{
		"title": "NEDDC file servers to cloud storage", "approvedOn": "2026-11-10", "replacesAssets": []string{"neddc-fs"},
		"lines": []map[string]any{
			{"id": "migration", "description": "File server migration", "kind": "service", "amounts": years(2026, "8000.00")},
			{"id": "storage", "description": "Cloud file storage subscription", "kind": "subscription", "amounts": years(2027, "12000.00", "12000.00", "12000.00", "12000.00")},
		}}), 200)

	in := map[string]any{"reference": "JICT-2026-030", "title": "Microsoft 365 for the three councils", "description": "Productivity suite",
		"category": "services", "cpv": []string{"48000000-8"}, "partners": []string{"bdc", "dddc"}, "route": "frameworkCallOff",
		"framework": "Technology Products and Associated Services 2 (RM6098)", "estimatedValue": "880000.00", "estimatedValueIncVat": "1056000.00",
		"termMonths": 60, "shares": map[string]any{"method": "driver", "driver": "users", "counts": map[string]int{"neddc": 450, "bdc": 350, "dddc": 200}},
		"replacesAssets": []string{"neddc-office", "bdc-office"}}
	p := createProc(t, ts, x.neddc, in)
	x.m365 = p.ID
	mustMove(t, ts, x.neddc, p.ID, "planning", "2026-09-01T09:00:00Z")
	mustMove(t, ts, x.neddc, p.ID, "tender", "2026-09-02T09:00:00Z")
	mustMove(t, ts, x.neddc, p.ID, "evaluation", "2026-09-14T09:00:00Z")
	for _, a := range []struct{ key, body string }{{x.neddc, "jointManagementTeam"}, {x.neddc, "ictSharedServiceCommittee"},
		{x.neddc, "neddc-cabinet"}, {x.bdc, "bdc-executive"}, {x.dddc, "dddc-committee"}} {
		mustStatus(t, a.body, approveOn(ts, a.key, p.ID, a.body, "", "2026-10-01"), 200)
	}
	mustStatus(t, "award", ts.do("PATCH", "/api/v1/procurements/"+p.ID, x.neddc, awardFrom("880000.00", "2027-04-01", "2032-03-31")), 200)
	mustMove(t, ts, x.neddc, p.ID, "awardDecision", "2026-10-15T09:00:00Z")
	mustMove(t, ts, x.neddc, p.ID, "contractSigned", "2026-11-02T09:00:00Z")
	mustStatus(t, "cash lines", ts.do("PUT", "/api/v1/procurements/"+p.ID+"/cash-lines", x.neddc, []map[string]any{
		{"id": "migration", "description": "Migration to Microsoft 365", "kind": "service", "amounts": years(2027, "30000.00")},
		{"id": "subscriptions", "description": "Microsoft 365 E3 subscriptions", "kind": "subscription",
			"amounts": years(2027, "150000.00", "150000.00", "150000.00", "150000.00", "150000.00")},
		{"id": "laptops", "description": "Laptops for hybrid working", "kind": "hardware", "funded": true, "amounts": years(2027, "100000.00")},
	}), 200)
	mustStatus(t, "manual line", ts.do("PUT", "/api/v1/organisations/neddc/capital-programme/lines/switches", x.neddc, map[string]any{
		"description": "Core network switches", "kind": "hardware", "amounts": years(2028, "20000.00")}), 200)
	return x
}

// programmeOut is the programme as the API shows it.
type programmeOut struct {
	Name      string `json:"name"`
	Title     string `json:"title"`
	Programme struct {
		Years []string `json:"years"`
		Lines []struct {
			ID, Source, Ref, Description, Kind, Nature, Share, Total string
			Funded                                                   bool
			Amounts                                                  []struct{ Year, Amount string }
		} `json:"lines"`
		ByYear []struct{ Year, Capital, Revenue, Funded, Unfunded, Total string } `json:"byYear"`
		Total  struct{ Capital, Revenue, Funded, Unfunded, Total string }         `json:"total"`
	} `json:"programme"`
	LastReview *struct {
		Version int    `json:"version"`
		Body    string `json:"body"`
	} `json:"lastReview"`
	Differences []struct {
		LineID, Change, Year, Before, After string
	} `json:"differences"`
	ReviewDue      string   `json:"reviewDue"`
	ReviewProblems []string `json:"reviewProblems"`
}

func (x *example) programme(t *testing.T, org, key string) programmeOut {
	t.Helper()
	var p programmeOut
	mustStatus(t, org+"'s programme", x.ts.do("GET", "/api/v1/organisations/"+org+"/capital-programme", key, nil), 200).json(t, &p)
	return p
}

// line is a programme line as the README's tables write it: the line, its
// nature, whether it is funded and five years of whole pounds.
type line struct {
	id     string
	nature string
	funded bool
	amount [5]string
}

func checkProgramme(t *testing.T, org string, got programmeOut, want []line, byYear [5]string, capital, revenue, funded, unfunded string) {
	t.Helper()
	if strings.Join(got.Programme.Years, " ") != "2026/27 2027/28 2028/29 2029/30 2030/31" {
		t.Fatalf("%s: years %v", org, got.Programme.Years)
	}
	if len(got.Programme.Lines) != len(want) {
		t.Fatalf("%s: %d lines, want %d: %+v", org, len(got.Programme.Lines), len(want), got.Programme.Lines)
	}
	for i, w := range want {
		l := got.Programme.Lines[i]
		if l.ID != w.id || l.Nature != w.nature || l.Funded != w.funded {
			t.Errorf("%s line %d: %s %s funded=%v, want %s %s funded=%v", org, i, l.ID, l.Nature, l.Funded, w.id, w.nature, w.funded)
		}
		for y, a := range w.amount {
			if l.Amounts[y].Amount != a+".00" {
				t.Errorf("%s %s in %s: %s, want %s.00", org, l.ID, l.Amounts[y].Year, l.Amounts[y].Amount, a)
			}
		}
	}
	for y, a := range byYear {
		if got.Programme.ByYear[y].Total != a+".00" {
			t.Errorf("%s total %s: %s, want %s.00", org, got.Programme.ByYear[y].Year, got.Programme.ByYear[y].Total, a)
		}
	}
	tt := got.Programme.Total
	if tt.Capital != capital+".00" || tt.Revenue != revenue+".00" || tt.Funded != funded+".00" || tt.Unfunded != unfunded+".00" {
		t.Errorf("%s totals %+v, want capital %s revenue %s funded %s unfunded %s", org, tt, capital, revenue, funded, unfunded)
	}
}
