package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
)

func TestSourcingExportLocksAt30Results(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	var services []any
	for i := range 31 {
		s := gcService(fmt.Sprintf("6%014d", i), fmt.Sprintf("Telephony plan %02d", i))
		if i == 30 {
			s.Lot = sourcing.LotSoftware
		}
		services = append(services, s)
	}
	ts.importJSON(officer, services...)

	save := func(name, query string) savedSearchView {
		t.Helper()
		r := ts.do("POST", "/api/v1/saved-searches", officer, map[string]any{"name": name, "query": query})
		if r.Status != 201 {
			t.Fatalf("save %s: %d %s", query, r.Status, r.Body)
		}
		var v savedSearchView
		r.json(t, &v)
		return v
	}
	wide := save("All telephony", "q=telephony")
	if *wide.CurrentTotal != 31 || wide.Organisation != "neddc" {
		t.Fatalf("wide search: total %d, organisation %q", *wide.CurrentTotal, wide.Organisation)
	}
	r := ts.do("GET", "/api/v1/saved-searches/"+wide.ID+"/export.csv", officer, nil)
	if r.Status != 409 {
		t.Fatalf("exporting 31 results: %d, want 409", r.Status)
	}
	if p := r.problem(t); !strings.Contains(p.Detail, "31") || !strings.Contains(p.Detail, "narrow") {
		t.Errorf("the 409 should give the count and say to narrow the search: %q", p.Detail)
	}
	if ts.audited("saved-search.export", wide.ID) {
		t.Error("a refused export was audited as done")
	}

	narrow := save("Hosted telephony", "?q=telephony&lot=cloud-hosting&sort=name&limit=5")
	if *narrow.CurrentTotal != 30 || strings.Contains(narrow.QueryString, "limit") {
		t.Fatalf("narrow search: total %d, query %q", *narrow.CurrentTotal, narrow.QueryString)
	}
	r = ts.do("GET", "/api/v1/saved-searches/"+narrow.ID+"/export.csv", officer, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), ".csv") {
		t.Fatalf("exporting 30 results: %d %s %s", r.Status, r.Header, r.Body)
	}
	if !bytes.HasPrefix(r.Body, []byte("# Record: G-Cloud search provenance")) {
		t.Errorf("the CSV does not begin with the provenance block: %.200s", r.Body)
	}
	for _, want := range []string{"# Query terms: telephony\r\n", "# Lot: cloud-hosting\r\n", "# Results: 30\r\n", "# Catalogue services: 31\r\n",
		"# Run by: officer key ", "# Catalogue content hash: sha256:"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("the provenance lacks %q", want)
		}
	}
	cr := csv.NewReader(bytes.NewReader(r.Body))
	cr.Comment = '#'
	rows, err := cr.ReadAll()
	if err != nil || len(rows) != 31 {
		t.Fatalf("CSV: %d rows (%v), want a header and 30", len(rows), err)
	}
	if strings.Join(rows[0], "|") != strings.Join(sourcing.ExportHeaders, "|") || rows[1][0] != "Example Hosting Ltd" || rows[1][1] != "Telephony plan 00" {
		t.Errorf("CSV starts %v / %v", rows[0], rows[1])
	}
	if !strings.Contains(strings.Join(rows[1], "|"), "bids@example.co.uk") {
		t.Errorf("the export lacks the supplier contact: %v", rows[1])
	}
	if !ts.audited("saved-search.export", narrow.ID) {
		t.Error("the export (which locks the search) was not audited")
	}

	// The catalogue moves on; the locked shortlist does not.
	more := gcService("699999999999999", "Telephony plan 99")
	ts.importJSON(officer, more)
	var got savedSearchView
	ts.do("GET", "/api/v1/saved-searches/"+narrow.ID, officer, nil).json(t, &got)
	if got.LockedAt == nil || len(got.ExportedIDs) != 30 || *got.CurrentTotal != 31 {
		t.Fatalf("after export: locked %v, %d exported, today %d", got.LockedAt, len(got.ExportedIDs), *got.CurrentTotal)
	}
	again := ts.do("GET", "/api/v1/saved-searches/"+narrow.ID+"/export.csv", officer, nil)
	if again.Status != 200 || !bytes.Equal(again.Body, r.Body) {
		t.Errorf("re-downloading a locked export: %d, same bytes %v", again.Status, bytes.Equal(again.Body, r.Body))
	}
	x := ts.do("GET", "/api/v1/saved-searches/"+narrow.ID+"/export.xlsx", officer, nil)
	if x.Status != 200 || x.Header.Get("Content-Type") != sourcingXLSXType {
		t.Fatalf("XLSX: %d %s", x.Status, x.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	xrows, _ := f.GetRows("Shortlist")
	if len(xrows) != 32 || !strings.Contains(xrows[0][0], "Hosted telephony") {
		t.Errorf("XLSX has %d rows (want title, header, 30), title %v", len(xrows), xrows[0])
	}
	search, _ := f.GetRows("Search")
	if len(search) < 10 || search[0][1] != "G-Cloud search provenance (councilapi)" || search[2][0] != "Query terms" || search[2][1] != "telephony" {
		t.Errorf("the XLSX Search sheet: %v", search)
	}

	// Outcome: only an exported service can be awarded; recorded once.
	r = ts.do("POST", "/api/v1/saved-searches/"+narrow.ID+"/outcome", officer, map[string]any{
		"result": "awarded", "serviceId": "699999999999999", "contractValue": "0", "startDate": "2026-04-01", "endDate": "2026-03-01"})
	if p := r.problem(t); r.Status != 400 || len(p.Errors) < 4 {
		t.Errorf("bad outcome: %d %+v, want serviceId, contractValue, endDate and buyingOrganisation named", r.Status, p.Errors)
	}
	award := map[string]any{"result": "awarded", "serviceId": got.ExportedIDs[3], "contractValue": "42000.00",
		"startDate": "2026-04-01", "endDate": "2028-03-31", "buyingOrganisation": "North East Derbyshire District Council", "supplierSme": false}
	r = ts.do("POST", "/api/v1/saved-searches/"+narrow.ID+"/outcome", officer, award)
	if r.Status != 200 {
		t.Fatalf("outcome: %d %s", r.Status, r.Body)
	}
	r.json(t, &got)
	if got.Outcome == nil || got.Outcome.ContractValue != 4_200_000 || got.Outcome.RecordedBy == "" {
		t.Fatalf("outcome recorded as %+v", got.Outcome)
	}
	if !ts.audited("saved-search.outcome", narrow.ID) {
		t.Error("the outcome was not audited")
	}
	if r := ts.do("POST", "/api/v1/saved-searches/"+narrow.ID+"/outcome", officer, award); r.Status != 409 {
		t.Errorf("a second outcome: %d, want 409", r.Status)
	}
	if r := ts.do("POST", "/api/v1/saved-searches/"+wide.ID+"/outcome", officer, map[string]any{"result": "cancelled", "reason": "Budget withdrawn"}); r.Status != 409 {
		t.Errorf("an outcome before export: %d, want 409", r.Status)
	}
}

func TestSourcingSavedSearchesBelongToTheirCouncil(t *testing.T) {
	ts := newTestServer(t)
	neddc := ts.key(domain.RoleOfficer, "neddc")
	bdc := ts.key(domain.RoleOfficer, "bdc")
	ts.importJSON(neddc, gcService("700000000000001", "Planning portal hosting"))
	r := ts.do("POST", "/api/v1/saved-searches", neddc, map[string]any{"name": "Planning", "query": "q=planning"})
	var ss savedSearchView
	r.json(t, &ss)
	for _, p := range []string{"", "/export.csv"} {
		if r := ts.do("GET", "/api/v1/saved-searches/"+ss.ID+p, bdc, nil); r.Status != 404 {
			t.Errorf("another council's officer, GET %s: %d, want 404", p, r.Status)
		}
	}
	if r := ts.do("POST", "/api/v1/saved-searches", bdc, map[string]any{"name": "X", "query": "q=planning", "organisation": "neddc"}); r.Status != 403 {
		t.Errorf("saving for another council: %d, want 403", r.Status)
	}
	var list listResponse[savedSearchView]
	ts.do("GET", "/api/v1/saved-searches", bdc, nil).json(t, &list)
	if list.Total != 0 {
		t.Errorf("BDC sees %d of NEDDC's searches", list.Total)
	}
	ts.do("GET", "/api/v1/saved-searches?organisation=neddc", ts.Admin, nil).json(t, &list)
	if list.Total != 1 {
		t.Errorf("admin sees %d NEDDC searches, want 1", list.Total)
	}
	r = ts.do("POST", "/api/v1/saved-searches", ts.Admin, map[string]any{"name": "X", "query": "lot=cloud-hostin&colour=red"})
	p := r.problem(t)
	fields := map[string]bool{}
	for _, e := range p.Errors {
		fields[e.Field] = true
	}
	if r.Status != 400 || !fields["organisation"] {
		t.Errorf("admin without organisation: %d %+v, want organisation named", r.Status, p.Errors)
	}
	r = ts.do("POST", "/api/v1/saved-searches", neddc, map[string]any{"name": "X", "query": "lot=cloud-hostin&colour=red"})
	p = r.problem(t)
	fields = map[string]bool{}
	for _, e := range p.Errors {
		fields[e.Field] = true
	}
	if r.Status != 400 || !fields["query.lot"] || !fields["query.colour"] {
		t.Errorf("bad query: %d %+v, want query.lot and query.colour named", r.Status, p.Errors)
	}
}
