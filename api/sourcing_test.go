package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
)

func TestSourcingWritesNeedAnOfficerKey(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	publisher := ts.key(domain.RolePublisher, "neddc")
	ts.importJSON(officer, gcService("100000000000001", "Managed backup"))
	savedBody := map[string]any{"name": "Backup shortlist", "query": "q=backup"}
	_, compReq := readmeWorkedExample(t)

	writes := []struct {
		name, method, path string
		body               any
		action             string
		id                 func(response) string
	}{
		{"create service", "POST", "/api/v1/services", gcService("100000000000002", "Managed firewall"), "service.create",
			func(response) string { return "100000000000002" }},
		{"patch service", "PATCH", "/api/v1/services/100000000000001", map[string]any{"serviceName": "Managed backup and restore"}, "service.update",
			func(response) string { return "100000000000001" }},
		{"import", "POST", "/api/v1/services/import", map[string]any{"services": []any{gcService("100000000000003", "Managed DNS")}}, "service.import",
			func(response) string { return "100000000000003" }},
		{"save search", "POST", "/api/v1/saved-searches", savedBody, "saved-search.create",
			func(r response) string { var v savedSearchView; r.json(t, &v); return v.ID }},
		{"compare", "POST", "/api/v1/comparisons", string(compReq), "comparison.create",
			func(r response) string { var v comparisonView; r.json(t, &v); return v.ID }},
	}
	for _, w := range writes {
		if r := ts.do(w.method, w.path, "", w.body); r.Status != 401 {
			t.Errorf("%s without a key: %d, want 401", w.name, r.Status)
		} else {
			r.problem(t)
		}
		r := ts.do(w.method, w.path, publisher, w.body)
		if r.Status != 403 {
			t.Errorf("%s with a publisher key: %d, want 403", w.name, r.Status)
		} else if p := r.problem(t); !strings.Contains(p.Detail, "officer") {
			t.Errorf("%s: the 403 should name the officer role: %q", w.name, p.Detail)
		}
		r = ts.do(w.method, w.path, officer, w.body)
		if r.Status/100 != 2 {
			t.Errorf("%s with an officer key: %d %s", w.name, r.Status, r.Body)
			continue
		}
		if id := w.id(r); !ts.audited(w.action, id) {
			t.Errorf("%s: no %s audit entry for %s", w.name, w.action, id)
		}
	}
	// Reads of the catalogue and of comparisons are published information.
	for _, p := range []string{"/api/v1/services?q=backup", "/api/v1/services/100000000000001", "/api/v1/comparisons", "/api/v1/factor-sets"} {
		if r := ts.do("GET", p, "", nil); r.Status != 200 {
			t.Errorf("GET %s without a key: %d", p, r.Status)
		}
	}
}

func TestSourcingImportKeepsGoodRowsAndReportsBadOnes(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "bdc")
	bad := gcService("200000000000002", "Bad lot")
	bad.Lot = "cloud-nothing"
	noPrice := map[string]any{"id": "200000000000004", "frameworkSlug": "g-cloud-14", "lot": "cloud-support",
		"supplierName": "X Ltd", "serviceName": "Support", "serviceDescription": "Help.", "priceUnit": "Person",
		"priceInterval": "Day", "serviceDefinitionDocumentURL": "https://x.example/sd.pdf"}
	rep := ts.importJSON(officer, gcService("200000000000001", "Backup as a service"), bad,
		gcService("200000000000003", "Archive storage"), noPrice, gcService("200000000000005", "Email filtering"))
	if rep.Rows != 5 || rep.Created != 3 || rep.Updated != 0 || rep.Unchanged != 0 || rep.Rejected != 2 {
		t.Fatalf("report %+v, want 5 rows, 3 created, 2 rejected", rep)
	}
	want := map[string]string{"200000000000002": "lot", "200000000000004": "priceMin"}
	for _, p := range rep.Problems {
		if want[p.ServiceID] == p.Field {
			delete(want, p.ServiceID)
		}
		if p.Row != 2 && p.Row != 4 {
			t.Errorf("problem on row %d, want rows 2 and 4: %+v", p.Row, p)
		}
	}
	if len(want) > 0 {
		t.Errorf("problems %+v lack %v", rep.Problems, want)
	}
	if r := ts.do("GET", "/api/v1/services/200000000000005", "", nil); r.Status != 200 {
		t.Errorf("a good row after bad ones was not stored: %d", r.Status)
	}
	if r := ts.do("GET", "/api/v1/services/200000000000002", "", nil); r.Status != 404 {
		t.Errorf("a bad row was stored: %d", r.Status)
	}

	// Re-import: one price changes, the rest are unchanged; history is kept.
	cheaper := gcService("200000000000001", "Backup as a service")
	cheaper.PriceMin = sourcing.MustDec("0.18")
	rep = ts.importJSON(officer, cheaper, gcService("200000000000003", "Archive storage"))
	if rep.Updated != 1 || rep.Unchanged != 1 || rep.Created != 0 {
		t.Fatalf("re-import %+v, want 1 updated, 1 unchanged", rep)
	}
	var svc sourcing.Service
	ts.do("GET", "/api/v1/services/200000000000001", "", nil).json(t, &svc)
	if len(svc.PriceHistory) != 2 || svc.PriceHistory[0].PriceMin != sourcing.MustDec("0.21") || svc.PriceHistory[1].PriceMin != sourcing.MustDec("0.18") {
		t.Fatalf("price history %+v, want 0.21 then 0.18", svc.PriceHistory)
	}
	if !strings.HasPrefix(svc.PriceHistory[1].Source, "import:") {
		t.Errorf("history source %q, want import:...", svc.PriceHistory[1].Source)
	}
	if r := ts.do("GET", "/api/v1/services?q=backup", "", nil); !strings.Contains(string(r.Body), `"priceMin":"0.18"`) {
		t.Error("the search index does not show the imported price")
	}

	// CSV, with a row of the wrong width and a file name recorded as the source.
	var csv strings.Builder
	csv.WriteString(strings.Join(sourcing.CSVHeaders, ",") + "\n")
	ok := gcService("200000000000006", "Geographic information hosting")
	csv.WriteString(csvLine(sourcing.CSVRow(ok)) + "\n")
	csv.WriteString("200000000000007,g-cloud-14,cloud-hosting\n")
	r := ts.do("POST", "/api/v1/services/import", officer, csv.String(), "Content-Type", "text/csv", "Content-Disposition", `attachment; filename="g-cloud-14.csv"`)
	if r.Status != 200 {
		t.Fatalf("CSV import: %d %s", r.Status, r.Body)
	}
	r.json(t, &rep)
	if rep.Created != 1 || rep.Rejected != 1 || rep.Problems[0].Row != 3 {
		t.Fatalf("CSV report %+v, want 1 created and row 3 rejected", rep)
	}
	ts.do("GET", "/api/v1/services/200000000000006", "", nil).json(t, &svc)
	if svc.PriceHistory[0].Source != "import:g-cloud-14.csv" {
		t.Errorf("source %q, want import:g-cloud-14.csv", svc.PriceHistory[0].Source)
	}

	if r := ts.do("POST", "/api/v1/services/import", officer, "<services/>", "Content-Type", "application/xml"); r.Status != 415 {
		t.Errorf("XML import: %d, want 415", r.Status)
	}
	if r := ts.do("POST", "/api/v1/services/import", officer, `{"servics": []}`); r.Status != 400 {
		t.Errorf("a document without services: %d, want 400", r.Status)
	}
}

func csvLine(cells []string) string {
	for i, c := range cells {
		if strings.ContainsAny(c, ",\"\n") {
			cells[i] = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		}
	}
	return strings.Join(cells, ",")
}

func TestSourcingImportIsNotHeldToTheJSONBodyLimit(t *testing.T) {
	ts := newTestServer(t) // the general body limit is 64 KiB
	officer := ts.key(domain.RoleOfficer, "neddc")
	var services []any
	for i := range 400 {
		services = append(services, gcService(fmt.Sprintf("3%014d", i), fmt.Sprintf("Hosting plan %d", i)))
	}
	rep := ts.importJSON(officer, services...)
	if rep.Created != 400 {
		t.Fatalf("created %d of 400", rep.Created)
	}
	big := gcService("399999999999999", strings.Repeat("x", 90))
	big.ServiceDescription = strings.Repeat("Too long for the general limit. ", 3000)
	if r := ts.do("POST", "/api/v1/services", officer, big); r.Status != 413 {
		t.Errorf("an oversized POST /services: %d, want 413", r.Status)
	}
}

func TestSourcingSearchFollowsDigitalMarketplaceFilters(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "dddc")
	mk := func(id, name, lot string, iso, ce bool, loc ...string) sourcing.Service {
		s := gcService(id, name)
		s.Lot, s.StandardsISOIEC27001, s.CyberEssentials, s.DataStorageAndProcessingLocations = lot, iso, ce, loc
		s.SupplierName, s.ServiceFeatures = "Example Ltd", []string{"Role-based access"}
		return s
	}
	ts.importJSON(officer,
		mk("400000000000001", "Backup hosting", sourcing.LotHosting, true, true, "uk"),
		mk("400000000000002", "Backup software", sourcing.LotSoftware, true, false, "uk", "eea"),
		mk("400000000000003", "Backup support", sourcing.LotSupport, false, true, "eea"),
		mk("400000000000004", "Email hosting", sourcing.LotHosting, false, false, "other"),
	)
	ids := func(query string) string {
		t.Helper()
		r := ts.do("GET", "/api/v1/services?"+query, "", nil)
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", query, r.Status, r.Body)
		}
		var list listResponse[sourcing.Hit]
		r.json(t, &list)
		var out []string
		for _, h := range list.Items {
			out = append(out, h.Service.ID[len(h.Service.ID)-1:])
		}
		if int(list.Total) < len(out) {
			t.Fatalf("%s: total %d < %d items", query, list.Total, len(out))
		}
		return fmt.Sprintf("%d:%s", list.Total, strings.Join(out, ","))
	}
	cases := map[string]string{
		"q=backup&sort=name":                                 "3:1,2,3",
		"lot=cloud-hosting,cloud-software&sort=name":         "3:1,2,4",
		"lot=cloud-hosting&lot=cloud-software":               "0:",
		"assurance=iso-iec-27001&assurance=cyber-essentials": "1:1",
		"assurance=iso-iec-27001,cyber-essentials&sort=name": "3:1,2,3",
		"dataLocation=eea&q=backup&sort=name":                "2:2,3",
		"q=backup+hosting":                                   "1:1",
	}
	for q, want := range cases {
		if got := ids(q); got != want {
			t.Errorf("%s: got %s, want %s", q, got, want)
		}
	}
	r := ts.do("GET", "/api/v1/services?lot=cloud-hostin&colour=red", "", nil)
	p := r.problem(t)
	if r.Status != 400 || len(p.Errors) != 2 {
		t.Fatalf("bad parameters: %d %+v", r.Status, p.Errors)
	}

	// Paging: exact totals and links that keep the filters.
	r = ts.do("GET", "/api/v1/services?lot=cloud-hosting,cloud-software,cloud-support&sort=name&limit=3", "", nil)
	var page listResponse[sourcing.Hit]
	r.json(t, &page)
	if page.Total != 4 || len(page.Items) != 3 || page.Links["next"] == "" || page.Links["prev"] != "" {
		t.Fatalf("page 1: total %d, %d items, links %v", page.Total, len(page.Items), page.Links)
	}
	next, _ := url.Parse(page.Links["next"])
	if next.Query().Get("lot") != "cloud-hosting,cloud-software,cloud-support" || next.Query().Get("offset") != "3" {
		t.Fatalf("next link %s loses the filters", page.Links["next"])
	}
	r = ts.do("GET", next.RequestURI(), "", nil)
	page = listResponse[sourcing.Hit]{}
	r.json(t, &page)
	if len(page.Items) != 1 || page.Links["next"] != "" || page.Links["prev"] == "" {
		t.Fatalf("page 2: %d items, links %v", len(page.Items), page.Links)
	}
}

func TestSourcingStaleIfMatchIs412(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	ts.importJSON(officer, gcService("500000000000001", "Managed firewall"))
	r := ts.do("GET", "/api/v1/services/500000000000001", "", nil)
	tag := r.Header.Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	if r := ts.do("GET", "/api/v1/services/500000000000001", "", nil, "If-None-Match", tag); r.Status != 304 {
		t.Errorf("If-None-Match: %d, want 304", r.Status)
	}
	r = ts.do("PATCH", "/api/v1/services/500000000000001", officer, map[string]any{"priceMin": "0.25"}, "If-Match", tag)
	if r.Status != 200 || r.Header.Get("ETag") == tag {
		t.Fatalf("PATCH with the current ETag: %d %s", r.Status, r.Body)
	}
	var svc sourcing.Service
	r.json(t, &svc)
	if len(svc.PriceHistory) != 2 || !strings.HasPrefix(svc.PriceHistory[1].Source, "officer:") {
		t.Fatalf("price history after an officer's edit: %+v", svc.PriceHistory)
	}
	r = ts.do("PATCH", "/api/v1/services/500000000000001", officer, map[string]any{"priceMin": "0.30"}, "If-Match", tag)
	if r.Status != 412 {
		t.Fatalf("PATCH with a stale ETag: %d, want 412", r.Status)
	}
	r.problem(t)
	ts.do("GET", "/api/v1/services/500000000000001", "", nil).json(t, &svc)
	if svc.PriceMin != sourcing.MustDec("0.25") {
		t.Errorf("a stale PATCH changed the price to %s", svc.PriceMin)
	}
	r = ts.do("PATCH", "/api/v1/services/500000000000001", officer, map[string]any{"priceHistory": nil, "id": "x"})
	if p := r.problem(t); r.Status != 400 || p.Errors[0].Field != "priceHistory" {
		t.Errorf("editing the price history: %d %+v", r.Status, p.Errors)
	}
	r = ts.do("PATCH", "/api/v1/services/500000000000001", officer, map[string]any{"lot": "cloud-nothing", "priceUnit": "Widget"})
	if p := r.problem(t); r.Status != 400 || len(p.Errors) != 2 {
		t.Errorf("invalid PATCH: %d %+v, want both fields named", r.Status, p.Errors)
	}
}

func TestSourcingFactorSetsArePublished(t *testing.T) {
	ts := newTestServer(t)
	var list listResponse[factorSetSummary]
	ts.do("GET", "/api/v1/factor-sets", "", nil).json(t, &list)
	found := false
	for _, fs := range list.Items {
		found = found || fs.Version == sourcing.CurrentFactorSetVersion && fs.Current && fs.Factors > 10
	}
	if !found {
		t.Fatalf("factor sets %+v lack the current one", list.Items)
	}
	var fs sourcing.FactorSet
	ts.do("GET", "/api/v1/factor-sets/"+sourcing.CurrentFactorSetVersion, "", nil).json(t, &fs)
	for _, f := range fs.Factors {
		if f.Source == "" || f.Year == 0 {
			t.Errorf("factor %s lacks its source or year", f.Key)
		}
	}
	if r := ts.do("GET", "/api/v1/factor-sets/uk-1999.1", "", nil); r.Status != 404 || len(r.problem(t).Allowed) == 0 {
		t.Errorf("unknown factor set: %d, want 404 listing the versions", r.Status)
	}
}

// TestSourcingImportIsDocumented: the README's import table and the OpenAPI
// document name every field the CSV import reads, and both mark required
// exactly the fields whose absence the import rejects.
func TestSourcingImportIsDocumented(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	start := strings.Index(readme, "### Importing the G-Cloud catalogue")
	if start < 0 {
		t.Fatal("the README has no import section")
	}
	section := readme[start:]
	if end := strings.Index(section[4:], "\n#"); end >= 0 {
		section = section[:end+4]
	}
	if !strings.Contains(section, "separated by a vertical bar `|`") {
		t.Error("the README does not document the CSV list separator")
	}
	readmeRequired := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		for _, f := range strings.Split(cells[1], ",") {
			readmeRequired[strings.Trim(strings.TrimSpace(f), "`")] = strings.TrimSpace(cells[2]) == "yes"
		}
	}

	doc, err := os.ReadFile("docs/swagger.json")
	if err != nil {
		t.Fatal(err)
	}
	var openapi struct {
		Components struct {
			Schemas map[string]struct {
				Required   []string                   `json:"required"`
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(doc, &openapi); err != nil {
		t.Fatal(err)
	}
	schema := openapi.Components.Schemas["sourcing.Service"]

	// Which fields does the import reject when absent? A support-lot
	// service, whose categories and locations are optional.
	svc := gcService("930000000000001", "Managed support")
	svc.Lot, svc.ServiceCategories, svc.DataStorageAndProcessingLocations = sourcing.LotSupport, nil, nil
	for i, field := range sourcing.CSVHeaders {
		if _, ok := readmeRequired[field]; !ok {
			t.Errorf("the README's import table lacks %s", field)
		}
		if _, ok := schema.Properties[field]; !ok {
			t.Errorf("the OpenAPI sourcing.Service lacks %s", field)
		}
		row := sourcing.CSVRow(svc)
		row[i] = ""
		res, err := sourcing.ParseCSV(strings.NewReader(csvLine(slices.Clone(sourcing.CSVHeaders)) + "\n" + csvLine(row) + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		rejected := slices.ContainsFunc(res.Problems, func(p sourcing.ImportProblem) bool { return p.Field == field })
		if rejected != slices.Contains(schema.Required, field) {
			t.Errorf("%s: the import rejects its absence %v, the OpenAPI marks it required %v", field, rejected, slices.Contains(schema.Required, field))
		}
		if rejected != readmeRequired[field] {
			t.Errorf("%s: the import rejects its absence %v, the README marks it required %v", field, rejected, readmeRequired[field])
		}
	}
	if !slices.Contains(schema.Required, "serviceDefinitionDocumentURL") {
		t.Error("serviceDefinitionDocumentURL is not marked required")
	}
}
