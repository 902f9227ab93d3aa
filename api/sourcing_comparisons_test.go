package api

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
)

// TestSourcingWorkedExampleOverHTTP posts the README's request and checks
// every yearly figure, the summary and the assumptions against the README.
func TestSourcingWorkedExampleOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	section, _ := readmeWorkedExample(t)
	rec := ts.postWorkedExample(officer, nil)
	lines := map[string]bool{}
	for _, l := range strings.Split(section, "\n") {
		lines[l] = true
	}
	rows := workedExampleRows(rec.Result)
	if len(rows) < 20 {
		t.Fatalf("only %d rows rendered", len(rows))
	}
	for _, row := range rows {
		if !lines[row] {
			t.Errorf("the README lacks this figure row from the HTTP response:\n%s", row)
		}
	}
	if rec.Result.Method != sourcing.Method || !strings.Contains(section, sourcing.Method) {
		t.Error("the method in the response or the README differs from sourcing.Method")
	}
	if rec.FactorSetVersion != sourcing.CurrentFactorSetVersion || rec.Input.FactorSetVersion != rec.FactorSetVersion || rec.Organisation != "neddc" {
		t.Errorf("stored factor set %q / input %q, organisation %q", rec.FactorSetVersion, rec.Input.FactorSetVersion, rec.Organisation)
	}
}

func TestSourcingStoredComparisonNeverChanges(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "bdc")
	saasSvc := gcService("800000000000001", "Hosted revenues and benefits")
	saasSvc.Lot, saasSvc.PriceMin, saasSvc.PriceUnit, saasSvc.PriceInterval = sourcing.LotSoftware, sourcing.MustDec("9.50"), "User", "Month"
	saasSvc.SupplierName, saasSvc.PriceMax = "Example Software Ltd", nil
	if rep := ts.importJSON(officer, saasSvc); rep.Created != 1 {
		t.Fatalf("import: %+v", rep)
	}

	// The SaaS option names the catalogue service and takes its price from it.
	body := map[string]any{
		"title": "Revenues and benefits", "startYear": 2025,
		"drivers":      []any{map[string]any{"id": "users", "name": "Users", "unit": "users", "baseQuantity": "250", "growthPerYear": "0.02"}},
		"cloudOptions": []any{map[string]any{"id": "saas", "serviceId": "800000000000001", "quantities": []any{map[string]any{"driver": "users", "perUnit": "1"}}, "carbon": map[string]any{"declaredKwhPerYear": "1200"}}},
		"onPremOptions": []any{map[string]any{"id": "onprem", "name": "Two hosts", "servers": 2, "hardwareCapex": "24000", "refreshYears": 4,
			"powerWatts": "650", "electricityPricePerKwh": "0.28", "staffFte": "0.3", "staffCostPerFte": "52000"}},
	}
	r := ts.do("POST", "/api/v1/comparisons", officer, body)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var rec comparisonView
	r.json(t, &rec)
	saas := rec.Input.CloudOptions[0]
	if saas.PriceMin != sourcing.MustDec("9.5") || saas.PriceUnit != "User" || saas.Name != "Hosted revenues and benefits" || saas.SupplierName != "Example Software Ltd" {
		t.Fatalf("the option did not snapshot the catalogue service: %+v", saas)
	}
	path := "/api/v1/comparisons/" + rec.ID
	read := func(suffix string) []byte {
		t.Helper()
		r := ts.do("GET", path+suffix, officer, nil)
		if r.Status != 200 {
			t.Fatalf("GET %s: %d", suffix, r.Status)
		}
		return r.Body
	}
	before := map[string][]byte{}
	for _, s := range []string{"", "/export.csv", "/chart.svg", "/report"} {
		before[s] = read(s)
	}

	// The catalogue price rises and a new factor set with other grid factors appears.
	if r := ts.do("PATCH", "/api/v1/services/800000000000001", officer, map[string]any{"priceMin": "14.00"}); r.Status != 200 {
		t.Fatalf("price change: %d %s", r.Status, r.Body)
	}
	var current sourcing.FactorSet
	ts.do("GET", "/api/v1/factor-sets/"+sourcing.CurrentFactorSetVersion, "", nil).json(t, &current)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"key", "value", "unit", "year", "source"})
	for _, f := range current.Factors {
		v := f.Value
		if strings.HasPrefix(f.Key, "grid.") || strings.HasPrefix(f.Key, "gridproj.") {
			v = v.MulInt(2)
		}
		w.Write([]string{f.Key, v.String(), f.Unit, strconv.Itoa(f.Year), "test: doubled " + f.Source})
	}
	w.Flush()
	const testVersion = "test-api-doubled-grid.1"
	if err := sourcing.RegisterFactorSet(testVersion, buf.Bytes()); err != nil && domain.ErrorCode(err) != domain.CodeConflict {
		t.Fatal(err)
	}
	body["factorSetVersion"] = testVersion
	r = ts.do("POST", "/api/v1/comparisons", officer, body)
	if r.Status != 201 {
		t.Fatalf("create with the new factor set: %d %s", r.Status, r.Body)
	}
	var newer comparisonView
	r.json(t, &newer)
	// Doubled grid factors double the operational emissions, up to the
	// rounding of each year's cell to 3 decimals.
	drift := newer.Result.Options[0].Summary.OperationalKgCO2e - rec.Result.Options[0].Summary.OperationalKgCO2e.MulInt(2)
	if drift < -sourcing.MustDec("0.005") || drift > sourcing.MustDec("0.005") {
		t.Errorf("the new factor set did not double the on-premise emissions: %s vs %s",
			newer.Result.Options[0].Summary.OperationalKgCO2e, rec.Result.Options[0].Summary.OperationalKgCO2e)
	}
	if newer.Result.Options[1].Summary.NPV == rec.Result.Options[1].Summary.NPV {
		t.Error("the new comparison did not take the catalogue's new price")
	}
	for s, b := range before {
		if after := read(s); !bytes.Equal(after, b) {
			t.Errorf("GET %s%s changed after the catalogue and factor sets changed", path, s)
		}
	}
}

func TestSourcingComparisonValidationAndOwnership(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "dddc")
	_, req := readmeWorkedExample(t)
	bad := strings.Replace(string(req), `"price": "60"`, `"price": "65"`, 1)
	bad = strings.Replace(bad, `"startYear": 2025`, `"startYear": 1900`, 1)
	r := ts.do("POST", "/api/v1/comparisons", officer, bad)
	p := r.problem(t)
	fields := map[string]bool{}
	for _, e := range p.Errors {
		fields[e.Field] = true
	}
	if r.Status != 400 || !fields["weights"] || !fields["startYear"] {
		t.Fatalf("invalid comparison: %d %+v, want weights and startYear named", r.Status, p.Errors)
	}
	for _, e := range p.Errors {
		if e.Field == "weights" && !strings.Contains(e.Problem, "sum to 100") {
			t.Errorf("the weights problem should say they must sum to 100: %q", e.Problem)
		}
	}
	if r := ts.do("POST", "/api/v1/comparisons", officer, strings.Replace(string(req), `"title"`, `"organisation": "neddc", "title"`, 1)); r.Status != 403 {
		t.Errorf("a comparison for another council: %d, want 403", r.Status)
	}
	if r := ts.do("POST", "/api/v1/comparisons", ts.Admin, string(req)); r.Status != 400 {
		t.Errorf("admin without organisation: %d, want 400", r.Status)
	}
	withUnknown := strings.Replace(string(req), `"title"`, `"colour": "red", "title"`, 1)
	if r := ts.do("POST", "/api/v1/comparisons", officer, withUnknown); r.Status != 400 {
		t.Errorf("unknown member: %d, want 400", r.Status)
	}
	missing := strings.Replace(string(req), `"priceUnit": "User"`, `"priceUnit": ""`, 1)
	missing = strings.Replace(missing, `"serviceId": "512345678901234"`, `"serviceId": "000000000000000"`, 1)
	r = ts.do("POST", "/api/v1/comparisons", officer, missing)
	if p := r.problem(t); r.Status != 400 || p.Errors[0].Field != "cloudOptions[0].serviceId" {
		t.Errorf("an unknown catalogue service: %d %+v", r.Status, p.Errors)
	}
	rec := ts.postWorkedExample(ts.Admin, map[string]any{"organisation": "bdc"})
	var list listResponse[comparisonSummaryView]
	ts.do("GET", "/api/v1/comparisons?organisation=bdc", ts.key(domain.RoleOfficer, "bdc"), nil).json(t, &list)
	if list.Total != 1 || list.Items[0].ID != rec.ID || list.Items[0].Recommended != "IaaS virtual machines" || list.Items[0].State != "draft" {
		t.Errorf("listing: %+v", list)
	}
	ts.do("GET", "/api/v1/comparisons?organisation=bdc", "", nil).json(t, &list)
	if list.Total != 0 {
		t.Errorf("the public listing shows BDC's draft: %+v", list)
	}
}

func TestSourcingComparisonExportsAndChart(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	rec := ts.postWorkedExample(officer, nil)
	path := "/api/v1/comparisons/" + rec.ID
	r := ts.do("GET", path+"/export.csv", officer, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	parts := strings.Split(string(r.Body), "\n\n")
	if len(parts) != 2 {
		t.Fatalf("CSV should hold two tables separated by an empty line, got %d parts", len(parts))
	}
	years, err := csv.NewReader(strings.NewReader(parts[0])).ReadAll()
	if err != nil || len(years) != 1+3*5 {
		t.Fatalf("yearly table: %d rows (%v), want a header and 15", len(years), err)
	}
	summary, err := csv.NewReader(strings.NewReader(parts[1])).ReadAll()
	if err != nil || len(summary) != 4 {
		t.Fatalf("summary table: %d rows (%v)", len(summary), err)
	}
	// The on-premise year 4 cash and the IaaS NPV, as in the README.
	if years[5][3] != "2029" || years[5][5] != "59299.31" {
		t.Errorf("on-premise 2029 row: %v", years[5])
	}
	if summary[3][1] != "IaaS virtual machines" || summary[3][4] != "128057.43" || summary[3][20] != "1" {
		t.Errorf("IaaS summary row: %v", summary[3])
	}

	x := ts.do("GET", path+"/export.xlsx", officer, nil)
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.GetSheetList(), ","); got != "Years,Summary,Assumptions" {
		t.Errorf("sheets %s", got)
	}
	if v, _ := f.GetCellValue("Summary", "E5"); v != "128,057.43" {
		t.Errorf("XLSX IaaS NPV cell shows %q", v)
	}
	raw, _ := f.GetCellValue("Summary", "E5", excelize.Options{RawCellValue: true})
	if raw != "128057.43" {
		t.Errorf("XLSX IaaS NPV is stored as %q, want the number 128057.43", raw)
	}

	svg := ts.do("GET", path+"/chart.svg", officer, nil)
	if svg.Status != 200 || svg.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("chart: %d %s", svg.Status, svg.Header.Get("Content-Type"))
	}
	dec := xml.NewDecoder(bytes.NewReader(svg.Body))
	for {
		if _, err := dec.Token(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("chart is not well-formed XML: %v", err)
		}
	}
	if r := ts.do("GET", "/api/v1/comparisons/nope/chart.svg", officer, nil); r.Status != 404 {
		t.Errorf("unknown comparison: %d", r.Status)
	}
}
