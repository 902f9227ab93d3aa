package api

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain/procurement"
)

func TestEstateRegisterOverHTTP(t *testing.T) {
	x := newExample(t)
	ts := x.ts
	base := "/api/v1/organisations/bdc/estate"
	var list listResponse[map[string]any]
	mustStatus(t, "estate", ts.do("GET", base, x.bdc, nil), 200).json(t, &list)
	if list.Total != 2 || list.Items[0]["id"] != "bdc-office" || list.Items[1]["acquired"] != "2011-09-01" {
		t.Fatalf("BDC's estate %+v", list.Items)
	}
	asset := map[string]any{"id": "bdc-sw", "category": "network", "product": "Cisco Catalyst 2960", "quantity": 12,
		"acquired": "2015-07-14", "replacementCost": "1500.00", "refreshYears": 7, "powerWatts": 40}
	r := mustStatus(t, "create", ts.do("POST", base, x.bdc, asset), 201)
	if !strings.HasSuffix(r.Header.Get("Location"), base+"/bdc-sw") {
		t.Errorf("Location %s", r.Header.Get("Location"))
	}
	if r := ts.do("POST", base, x.bdc, asset); r.Status != 409 {
		t.Errorf("the same id again: %d", r.Status)
	}
	// NEDDC may use the same id in its own estate.
	mustStatus(t, "NEDDC's own bdc-sw", ts.do("POST", "/api/v1/organisations/neddc/estate", x.neddc, asset), 201)
	bad := map[string]any{"id": "x y", "category": "toaster", "product": "", "quantity": 0, "organisation": "neddc", "licence": "perpetual"}
	r = ts.do("POST", base, x.bdc, bad)
	if r.Status != 400 {
		t.Fatalf("invalid asset: %d %s", r.Status, r.Body)
	}
	fields := map[string]bool{}
	for _, f := range r.problem(t).Errors {
		fields[f.Field] = true
	}
	for _, f := range []string{"id", "category", "product", "quantity", "organisation", "licence"} {
		if !fields[f] {
			t.Errorf("no problem names %s: %s", f, r.Body)
		}
	}
	// The officer overrides the shipped end of support; If-Match guards the edit.
	got := ts.do("GET", base+"/bdc-srv", x.bdc, nil)
	tag := got.Header.Get("ETag")
	r = mustStatus(t, "patch", ts.do("PATCH", base+"/bdc-srv", x.bdc, map[string]string{"endOfSupport": "2027-06-30"}, "If-Match", tag), 200)
	if !strings.Contains(string(r.Body), `"endOfSupport":"2027-06-30"`) {
		t.Errorf("patched %s", r.Body)
	}
	if r := ts.do("PATCH", base+"/bdc-srv", x.bdc, map[string]string{"notes": "late"}, "If-Match", tag); r.Status != 412 {
		t.Errorf("stale If-Match: %d", r.Status)
	}
	if r := ts.do("PATCH", base+"/bdc-srv", x.bdc, map[string]string{"id": "other"}); r.Status != 400 {
		t.Errorf("changed an asset's id: %d", r.Status)
	}
	// The officer's date decides the need: the servers' refresh cycle
	// (bought September 2011, 5 years) ended in 2016, before it.
	var needs []struct{ AssetID, Reason, Due string }
	ts.do("GET", base+"/refresh-needs", x.bdc, nil).json(t, &needs)
	if len(needs) != 3 || needs[0].AssetID != "bdc-srv" || needs[0].Reason != "endOfLife" || needs[0].Due != "2016-09-01" {
		t.Errorf("needs %+v", needs)
	}
	// Re-importing replaces by id; deleting removes.
	var imp struct{ Created, Updated int }
	mustStatus(t, "re-import", ts.do("POST", base+"/import", x.bdc, bdcEstateXLSX(t), "Content-Type", xlsxType), 200).json(t, &imp)
	if imp.Created != 0 || imp.Updated != 2 {
		t.Errorf("re-import %+v", imp)
	}
	if r := ts.do("POST", base+"/import", x.bdc, "id,cost\n", "Content-Type", "text/csv"); r.Status != 400 || !strings.Contains(r.problem(t).Detail, "category") {
		t.Errorf("a file without the needed columns: %d %s", r.Status, r.Body)
	}
	if r := ts.do("POST", base+"/import", x.bdc, "{}", "Content-Type", "application/json"); r.Status != 415 {
		t.Errorf("JSON to the import: %d", r.Status)
	}
	mustStatus(t, "delete", ts.do("DELETE", base+"/bdc-sw", x.bdc, nil), 204)
	if r := ts.do("GET", base+"/bdc-sw", x.bdc, nil); r.Status != 404 {
		t.Errorf("deleted asset: %d", r.Status)
	}
	if r := ts.do("DELETE", base+"/bdc-sw", x.neddc, nil); r.Status != 403 {
		t.Errorf("NEDDC deleted in BDC's estate: %d", r.Status)
	}
	actions := auditActions(t, ts, "bdc:bdc-srv")
	if actions["estate.import"] != 2 || actions["estate.update"] != 1 {
		t.Errorf("audit %v", actions)
	}
	var table struct {
		Version string `json:"version"`
		Entries []struct{ Product, EndOfSupport, Source string }
	}
	ts.do("GET", "/api/v1/estate/support-table", "", nil).json(t, &table)
	if table.Version == "" || len(table.Entries) < 5 || table.Entries[0].Source == "" {
		t.Errorf("support table %+v", table)
	}
}

type partnerOut struct {
	Organisation string `json:"organisation"`
	Name         string `json:"name"`
	Procurements []struct {
		Reference, Percent, ShareOfCost, Saving string
		Commitments                             []procurement.YearAmount
	} `json:"procurements"`
	Totals struct {
		ShareOfCost string                   `json:"shareOfCost"`
		Commitments []procurement.YearAmount `json:"commitments"`
	} `json:"totals"`
}

func TestPartnerViewsAndTheCommitteeRegister(t *testing.T) {
	x := newExample(t)
	ts := x.ts
	// A second procurement, in the pipeline, of NEDDC and BDC only.
	in := procInput("JICT-2026-031", "openProcedure")
	createProc(t, ts, x.neddc, in)

	var bdc partnerOut
	mustStatus(t, "BDC's view", ts.do("GET", "/api/v1/organisations/bdc/joint-procurements", x.bdc, nil), 200).json(t, &bdc)
	if bdc.Name != "Bolsover District Council" || len(bdc.Procurements) != 2 {
		t.Fatalf("BDC's view %+v", bdc)
	}
	m365 := bdc.Procurements[0]
	// 35% of the £880,000 contract, spread over its five years of days.
	if m365.Reference != "JICT-2026-030" || m365.Percent != "35.00" || m365.ShareOfCost != "308000.00" || len(m365.Commitments) != 5 ||
		m365.Commitments[0].Year != 2027 || m365.Commitments[4].Year != 2031 {
		t.Errorf("BDC's share of JICT-2026-030 %+v", m365)
	}
	// Each year is split to the penny on its own, so the years may add up
	// to the share of the whole contract give or take a penny a year.
	var sum procurement.Pence
	for _, c := range m365.Commitments {
		sum += c.Amount
	}
	if d := sum - procurement.Pounds(308000); d < -4 || d > 4 {
		t.Errorf("BDC's commitments add up to %s", sum)
	}
	var dddc partnerOut
	ts.do("GET", "/api/v1/organisations/dddc/joint-procurements", x.dddc, nil).json(t, &dddc)
	if len(dddc.Procurements) != 1 || dddc.Totals.ShareOfCost != "176000.00" {
		t.Errorf("DDDC's view %+v", dddc)
	}
	if r := ts.do("GET", "/api/v1/organisations/bdc/joint-procurements", x.dddc, nil); r.Status != 403 {
		t.Errorf("DDDC read BDC's view: %d", r.Status)
	}
	r := mustStatus(t, "BDC's CSV", ts.do("GET", "/api/v1/organisations/bdc/joint-procurements.csv", x.bdc, nil), 200)
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("partner CSV: %v", err)
	}
	if len(rows) != 1+2+1 || rows[0][0] != "Reference" || rows[1][0] != "JICT-2026-030" || rows[3][0] != "Total" || rows[1][6] != "308000.00" {
		t.Errorf("partner CSV %q", rows)
	}

	entries := func(key, query string) []string {
		t.Helper()
		var v struct {
			Entries []struct{ Reference string } `json:"entries"`
		}
		mustStatus(t, "register"+query, ts.do("GET", "/api/v1/procurement-register"+query, key, nil), 200).json(t, &v)
		var refs []string
		for _, e := range v.Entries {
			refs = append(refs, e.Reference)
		}
		return refs
	}
	for _, c := range []struct {
		who, key, query, want string
	}{
		{"the public", "", "", "JICT-2026-030"},
		{"BDC", x.bdc, "", "JICT-2026-030 JICT-2026-031"},
		{"DDDC", x.dddc, "", "JICT-2026-030"},
		{"BDC", x.bdc, "?state=pipeline", "JICT-2026-031"},
		{"BDC", x.bdc, "?partner=dddc", "JICT-2026-030"},
		{"BDC", x.bdc, "?route=openProcedure,competitiveFlexible", "JICT-2026-031"},
		{"the public", "", "?year=2027/28", "JICT-2026-030"},
		{"the public", "", "?year=2026-27", ""},
		{"BDC", x.bdc, "?year=2026", "JICT-2026-031"}, // no contract dates: the year it was created
	} {
		if got := strings.Join(entries(c.key, c.query), " "); got != c.want {
			t.Errorf("register for %s %s: %q, want %q", c.who, c.query, got, c.want)
		}
	}
	for _, q := range []string{"?year=next", "?state=bogus", "?partner=nobody"} {
		if r := ts.do("GET", "/api/v1/procurement-register"+q, "", nil); r.Status != 400 {
			t.Errorf("register %s: %d", q, r.Status)
		}
	}
	r = mustStatus(t, "register CSV", ts.do("GET", "/api/v1/procurement-register.csv?partner=bdc", x.bdc, nil), 200)
	rows, err = csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("register CSV: %v", err)
	}
	if len(rows) != 3 || rows[0][0] != "Reference" || rows[1][11] != "neddc 45.00% 396000.00; bdc 35.00% 308000.00; dddc 20.00% 176000.00" ||
		!strings.HasPrefix(rows[1][12], "2027/28 ") {
		t.Errorf("register CSV %q", rows)
	}
}
