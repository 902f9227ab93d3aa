package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	appproc "github.com/jointict/councilapi/app/procurement"
)

// TestCapitalProgrammesOfTheWorkedExampleOverHTTP reproduces every figure
// of the README's worked example (domain/capital checks the same figures
// from values; this checks them as stored, imported and served).
func TestCapitalProgrammesOfTheWorkedExampleOverHTTP(t *testing.T) {
	x := newExample(t)
	cmp := "comparison:" + x.comparison + ":"
	checkProgramme(t, "neddc", x.programme(t, "neddc", x.neddc), []line{
		{"procurement:JICT-2026-030:migration", "revenue", true, [5]string{"0", "13500", "0", "0", "0"}},
		{"procurement:JICT-2026-030:subscriptions", "revenue", true, [5]string{"0", "67500", "67500", "67500", "67500"}},
		{"procurement:JICT-2026-030:laptops", "capital", true, [5]string{"0", "45000", "0", "0", "0"}},
		{cmp + "migration", "revenue", true, [5]string{"8000", "0", "0", "0", "0"}},
		{cmp + "storage", "revenue", true, [5]string{"0", "12000", "12000", "12000", "12000"}},
		{"manual:switches:switches", "capital", false, [5]string{"0", "0", "20000", "0", "0"}},
	}, [5]string{"8000", "138000", "99500", "79500", "79500"}, "65000", "339500", "384500", "20000")
	bdc := x.programme(t, "bdc", x.bdc)
	checkProgramme(t, "bdc", bdc, []line{
		{"procurement:JICT-2026-030:migration", "revenue", true, [5]string{"0", "10500", "0", "0", "0"}},
		{"procurement:JICT-2026-030:subscriptions", "revenue", true, [5]string{"0", "52500", "52500", "52500", "52500"}},
		{"procurement:JICT-2026-030:laptops", "capital", true, [5]string{"0", "35000", "0", "0", "0"}},
		{"estate:bdc-srv", "capital", false, [5]string{"16500", "0", "0", "0", "0"}},
	}, [5]string{"16500", "98000", "52500", "52500", "52500"}, "51500", "220500", "255500", "16500")
	checkProgramme(t, "dddc", x.programme(t, "dddc", x.dddc), []line{
		{"procurement:JICT-2026-030:migration", "revenue", true, [5]string{"0", "6000", "0", "0", "0"}},
		{"procurement:JICT-2026-030:subscriptions", "revenue", true, [5]string{"0", "30000", "30000", "30000", "30000"}},
		{"procurement:JICT-2026-030:laptops", "capital", true, [5]string{"0", "20000", "0", "0", "0"}},
	}, [5]string{"0", "56000", "30000", "30000", "30000"}, "20000", "126000", "146000", "0")
	if l := bdc.Programme.Lines[3]; l.Description != "Replace Windows Server 2003 R2 (3, support ended 2015-07-14)" || l.Kind != "hardware" {
		t.Errorf("BDC's estate line %+v", l)
	}
	if bdc.Programme.Lines[0].Share != "35.00" || bdc.Title != "Bolsover District Council: capital investment programme 2026/27 to 2030/31" {
		t.Errorf("BDC's share %s, title %q", bdc.Programme.Lines[0].Share, bdc.Title)
	}

	// The estate's refresh needs that fed it, with a configurable horizon.
	var needs []struct{ AssetID, Year, Cost string }
	mustStatus(t, "refresh needs", x.ts.do("GET", "/api/v1/organisations/bdc/estate/refresh-needs?horizonMonths=12", x.bdc, nil), 200).json(t, &needs)
	if len(needs) != 2 || needs[0].AssetID != "bdc-srv" || needs[0].Year != "2026/27" || needs[0].Cost != "16500.00" || needs[1].Cost != "36000.00" {
		t.Errorf("BDC's refresh needs %+v", needs)
	}
	if r := x.ts.do("GET", "/api/v1/organisations/bdc/estate/refresh-needs?horizonMonths=121", x.bdc, nil); r.Status != 400 {
		t.Errorf("a 121-month horizon: %d", r.Status)
	}

	// Private: another council's officers and anonymous callers read nothing.
	for _, path := range []string{"/capital-programme", "/capital-programme.csv", "/capital-programme.xlsx", "/capital-programme.html",
		"/capital-programme/reviews", "/capital-programme/lines", "/capital-programme/comparisons", "/estate", "/estate/refresh-needs"} {
		if r := x.ts.do("GET", "/api/v1/organisations/neddc"+path, x.bdc, nil); r.Status != 403 {
			t.Errorf("BDC read NEDDC's %s: %d", path, r.Status)
		}
		if r := x.ts.do("GET", "/api/v1/organisations/neddc"+path, "", nil); r.Status != 401 {
			t.Errorf("anonymous read of NEDDC's %s: %d", path, r.Status)
		}
	}
	if r := x.ts.do("GET", "/api/v1/organisations/neddc/capital-programme", x.ts.Admin, nil); r.Status != 200 {
		t.Errorf("admin: %d", r.Status)
	}
}

func TestCapitalProgrammeRenderingsParse(t *testing.T) {
	x := newExample(t)
	r := mustStatus(t, "CSV", x.ts.do("GET", "/api/v1/organisations/bdc/capital-programme.csv", x.bdc, nil), 200)
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	if len(rows) != 1+4+5 || rows[0][7] != "2026/27" || rows[0][12] != "Total" || rows[4][0] != "estate:bdc-srv" || rows[4][7] != "16500.00" ||
		rows[9][0] != "Total" || rows[9][12] != "272000.00" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("CSV %q", rows)
	}

	// XLSX, after a review and a change, so it has a Changes sheet.
	mustStatus(t, "review", x.ts.do("POST", "/api/v1/organisations/bdc/capital-programme/reviews", x.bdc,
		map[string]string{"approvedBy": "Head of ICT", "body": "Joint Management Team", "date": "2026-12-02"}), 201)
	mustStatus(t, "a new line", x.ts.do("PUT", "/api/v1/organisations/bdc/capital-programme/lines/wifi", x.bdc, map[string]any{
		"description": "Wi-Fi refresh", "kind": "hardware", "amounts": years(2027, "9000.00")}), 200)
	r = mustStatus(t, "XLSX", x.ts.do("GET", "/api/v1/organisations/bdc/capital-programme.xlsx", x.bdc, nil), 200)
	f, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	cell := func(sheet, c string) string {
		v, _ := f.GetCellValue(sheet, c, excelize.Options{RawCellValue: true})
		return v
	}
	// Row 2 is the header; the estate line is row 6, the grand total row 12.
	if cell("Programme", "H6") != "16500" || cell("Programme", "I7") != "9000" || cell("Programme", "M12") != "281000" ||
		!strings.HasPrefix(cell("Programme", "A1"), "Bolsover District Council") || cell("Changes", "C2") != "added" || cell("Changes", "A2") != "manual:wifi:wifi" {
		t.Errorf("XLSX H6=%q I7=%q M12=%q A1=%q Changes=%q %q", cell("Programme", "H6"), cell("Programme", "I7"), cell("Programme", "M12"),
			cell("Programme", "A1"), cell("Changes", "A2"), cell("Changes", "C2"))
	}
	if r.Header.Get("Content-Type") != xlsxType {
		t.Errorf("XLSX served as %q", r.Header.Get("Content-Type"))
	}
}

func TestProgrammeReviewsAreImmutableAndLaterChangesShow(t *testing.T) {
	x := newExample(t)
	ts := x.ts
	base := "/api/v1/organisations/neddc/capital-programme"
	r := mustStatus(t, "review", ts.do("POST", base+"/reviews", x.neddc, map[string]string{"approvedBy": "Joint Management Team chair",
		"body": "Joint Management Team", "minute": "JMT/2026/41", "date": "2026-12-02"}), 201)
	var frozen struct {
		Version  int             `json:"version"`
		Digest   string          `json:"digest"`
		Snapshot json.RawMessage `json:"snapshot"`
	}
	r.json(t, &frozen)
	if frozen.Version != 1 || frozen.Digest == "" || !strings.HasSuffix(r.Header.Get("Location"), base+"/reviews/1") {
		t.Fatalf("review %d %q %s", frozen.Version, frozen.Digest, r.Header.Get("Location"))
	}
	// The programme changes: the switches slip a year and cost more, the
	// storage subscription rises.
	mustStatus(t, "switches", ts.do("PUT", base+"/lines/switches", x.neddc, map[string]any{
		"description": "Core network switches", "kind": "hardware", "amounts": years(2029, "24000.00")}), 200)
	mustStatus(t, "storage", ts.do("PUT", base+"/comparisons/"+x.comparison, x.neddc, map[string]any{
		"title": "NEDDC file servers to cloud storage", "approvedOn": "2026-11-10", "replacesAssets": []string{"neddc-fs"},
		"lines": []map[string]any{
			{"id": "migration", "description": "File server migration", "kind": "service", "amounts": years(2026, "8000.00")},
			{"id": "storage", "description": "Cloud file storage subscription", "kind": "subscription", "amounts": years(2027, "12000.00", "13000.00", "13000.00", "13000.00")},
		}}), 200)
	p := x.programme(t, "neddc", x.neddc)
	got := map[string]string{}
	for _, d := range p.Differences {
		got[d.LineID+" "+d.Year] = d.Before + "->" + d.After
	}
	cmp := "comparison:" + x.comparison + ":storage"
	want := map[string]string{
		"manual:switches:switches 2028/29": "20000.00->0.00",
		"manual:switches:switches 2029/30": "0.00->24000.00",
		cmp + " 2028/29":                   "12000.00->13000.00",
		cmp + " 2029/30":                   "12000.00->13000.00",
		cmp + " 2030/31":                   "12000.00->13000.00",
		"total 2028/29":                    "99500.00->80500.00",
		"total 2029/30":                    "79500.00->104500.00",
		"total 2030/31":                    "79500.00->80500.00",
	}
	if len(got) != len(want) {
		t.Errorf("differences %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("difference %s: %q, want %q", k, got[k], w)
		}
	}
	if p.LastReview == nil || p.LastReview.Version != 1 || p.LastReview.Body != "Joint Management Team" || p.ReviewDue != "2027-12-02" {
		t.Errorf("last review %+v due %s", p.LastReview, p.ReviewDue)
	}

	// The snapshot read back is the one frozen, byte for byte.
	var again struct {
		Snapshot json.RawMessage `json:"snapshot"`
	}
	mustStatus(t, "review 1", ts.do("GET", base+"/reviews/1", x.neddc, nil), 200).json(t, &again)
	if !bytes.Equal(again.Snapshot, frozen.Snapshot) {
		t.Error("the stored snapshot changed after the programme did")
	}
	// There is no way to change or remove a review, nor to date one before the last.
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		if r := ts.do(m, base+"/reviews/1", x.neddc, map[string]string{"body": "Someone else"}); r.Status != 405 {
			t.Errorf("%s of a review: %d", m, r.Status)
		}
	}
	r = ts.do("POST", base+"/reviews", x.neddc, map[string]string{"approvedBy": "Chair", "body": "ICT Shared Service Committee", "date": "2026-11-01"})
	if r.Status != 400 {
		t.Errorf("a review dated before the last: %d %s", r.Status, r.Body)
	}
	mustStatus(t, "review 2", ts.do("POST", base+"/reviews", x.neddc, map[string]string{"approvedBy": "Chair", "body": "ICT Shared Service Committee",
		"minute": "ICT/12", "date": "2026-12-02"}), 201)
	if p := x.programme(t, "neddc", x.neddc); len(p.Differences) != 0 || p.LastReview.Version != 2 {
		t.Errorf("after review 2: %+v differences", p.Differences)
	}

	// A review altered in the store behind the service is refused when read
	// and left out of the programme.
	ctx := context.Background()
	rec, err := ts.Store.Get(ctx, appproc.CollReviews, "neddc.000002")
	if err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(rec.Data, []byte(`"amount":"24000.00"`), []byte(`"amount":"2400.00"`), 1)
	if bytes.Equal(tampered, rec.Data) {
		t.Fatal("the snapshot has no 24000.00 to alter")
	}
	if _, err := ts.Store.Update(ctx, appproc.CollReviews, rec.ID, rec.Version, json.RawMessage(tampered)); err != nil {
		t.Fatal(err)
	}
	if r := ts.do("GET", base+"/reviews/2", x.neddc, nil); r.Status != 500 {
		t.Errorf("an altered review was served: %d", r.Status)
	}
	var list []struct {
		Version  int  `json:"version"`
		Verified bool `json:"verified"`
	}
	ts.do("GET", base+"/reviews", x.neddc, nil).json(t, &list)
	if len(list) != 2 || !list[0].Verified || list[1].Verified {
		t.Errorf("reviews %+v", list)
	}
	if p := x.programme(t, "neddc", x.neddc); p.LastReview.Version != 1 || len(p.ReviewProblems) != 1 {
		t.Errorf("with review 2 altered: last review %+v problems %v", p.LastReview, p.ReviewProblems)
	}
	if got := auditActions(t, ts, "neddc.000001")["capital.review"]; got != 1 {
		t.Errorf("the review is audited %d times", got)
	}
}
