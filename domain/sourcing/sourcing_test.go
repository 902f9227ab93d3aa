package sourcing

import (
	"bytes"
	"encoding/csv"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/xuri/excelize/v2"
)

func TestDecParseAndFormat(t *testing.T) {
	for in, want := range map[string]string{"12": "12", "12.50": "12.5", "-0.035": "-0.035", "0.000001": "0.000001", ".5": "0.5"} {
		d, err := ParseDec(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseDec(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, bad := range []string{"", "1e3", "1,000", "0.0000001", "abc", "1.", "1234567890123"} {
		if _, err := ParseDec(bad); err == nil {
			t.Errorf("ParseDec(%q) accepted", bad)
		}
	}
	if got := MustDec("2.345").Fixed(2); got != "2.35" {
		t.Errorf("half away from zero: %s", got)
	}
	if got := MustDec("-2.345").Fixed(2); got != "-2.35" {
		t.Errorf("negative half away from zero: %s", got)
	}
	if got := ToMoney(MustDec("0.005")); got != 1 {
		t.Errorf("ToMoney(0.005) = %d pence", got)
	}
}

func validService() Service {
	max := MustDec("0.35")
	return Service{ID: "123456789012345", FrameworkSlug: "g-cloud-13", Lot: LotHosting,
		Supplier:    Supplier{SupplierID: "700001", SupplierName: "Example Hosting Ltd", ContactEmail: "bids@example.co.uk"},
		ServiceName: "Managed virtual machines", ServiceDescription: "Linux and Windows virtual machines in UK data centres.",
		ServiceFeatures: []string{"Automated backup"}, ServiceBenefits: []string{"Pay by the hour"},
		ServiceCategories: []string{"Compute and application hosting"}, PriceMin: MustDec("0.21"), PriceMax: &max,
		PriceUnit: "Virtual machine", PriceInterval: "Hour", StandardsISOIEC27001: true,
		DataStorageAndProcessingLocations: []string{"uk"}, ServiceDefinitionDocumentURL: "https://example.co.uk/sd.pdf"}
}

func fieldsOf(err error) []string {
	var de *domain.Error
	if !errors.As(err, &de) {
		return nil
	}
	var out []string
	for _, f := range de.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestServiceValidateReportsEveryProblem(t *testing.T) {
	if err := validService().Validate(); err != nil {
		t.Fatalf("valid service rejected: %v", err)
	}
	s := validService()
	lower := MustDec("0.10")
	s.PriceMax, s.PriceUnit, s.PriceInterval, s.Lot = &lower, "Widget", "Fortnight", "cloud-stuff"
	s.DataStorageAndProcessingLocations = []string{"mars"}
	got := strings.Join(fieldsOf(s.Validate()), ",")
	for _, f := range []string{"lot", "priceMax", "priceUnit", "priceInterval", "dataStorageAndProcessingLocations"} {
		if !strings.Contains(got, f) {
			t.Errorf("problems %s lack %s", got, f)
		}
	}
}

func TestPeriodsPerYear(t *testing.T) {
	cases := map[string]string{"Second": "31536000", "Minute": "525600", "Hour": "8760", "Day": "365", "Week": "52",
		"Month": "12", "Quarter": "4", "6 months": "2", "Year": "1", "": "0"}
	for iv, want := range cases {
		got, ok := PeriodsPerYear(iv, 0)
		if !ok || got.String() != want {
			t.Errorf("PeriodsPerYear(%q) = %s, %v; want %s", iv, got, ok, want)
		}
	}
	if got, _ := PeriodsPerYear("Hour", DecInt(2000)); got != DecInt(2000) {
		t.Errorf("office-hours usage not applied: %s", got)
	}
	if _, ok := PeriodsPerYear("Fortnight", 0); ok {
		t.Error("unknown interval accepted")
	}
}

func TestMergeKeepsPriceHistory(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	s := Merge(nil, validService(), t0, "import:a.json")
	same := Merge(&s, validService(), t0.AddDate(0, 1, 0), "import:b.json")
	if len(same.PriceHistory) != 1 {
		t.Fatalf("unchanged price added history: %+v", same.PriceHistory)
	}
	dearer := validService()
	dearer.PriceMin = MustDec("0.25")
	up := Merge(&same, dearer, t0.AddDate(0, 2, 0), "officer:jo")
	if len(up.PriceHistory) != 2 || up.PriceHistory[1].PriceMin != MustDec("0.25") || up.PriceHistory[0].PriceMin != MustDec("0.21") {
		t.Fatalf("history = %+v", up.PriceHistory)
	}
}

func TestParseJSONKeepsGoodRows(t *testing.T) {
	doc := `{"services":[
	 {"id":"1001","frameworkSlug":"g-cloud-13","lot":"cloud-software","supplierId":700002,"supplierName":"Acme",
	  "serviceName":"Case management","serviceDescription":"Cases.","serviceCategories":["Case management"],
	  "priceMin":"5.00","priceMax":"7.5","priceUnit":"User","priceInterval":"Month","dataStorageAndProcessingLocations":["uk","eea"],
	  "serviceDefinitionDocumentURL":"https://acme.example/sd.pdf","standardsISOIEC27001":true,"unknownField":[1,2]},
	 {"id":"1002","frameworkSlug":"g-cloud-13","lot":"cloud-software","supplierName":"Acme","serviceName":"Bad",
	  "serviceDescription":"x","serviceCategories":["Case management"],"priceMin":"abc","priceUnit":"User","priceInterval":"Month",
	  "dataStorageAndProcessingLocations":["uk"],"serviceDefinitionDocumentURL":"https://acme.example/sd.pdf"},
	 {"id":"1001","frameworkSlug":"g-cloud-13","lot":"cloud-software","supplierName":"Acme","serviceName":"Dup",
	  "serviceDescription":"x","serviceCategories":["Case management"],"priceMin":"1","priceUnit":"User","priceInterval":"Month",
	  "dataStorageAndProcessingLocations":["uk"],"serviceDefinitionDocumentURL":"https://acme.example/sd.pdf"}]}`
	res, err := ParseJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || len(res.Services) != 1 || res.Services[0].SupplierID != "700002" || *res.Services[0].PriceMax != MustDec("7.5") {
		t.Fatalf("services = %+v", res.Services)
	}
	var rows []int
	for _, p := range res.Problems {
		rows = append(rows, p.Row)
		if p.Row == 2 && p.Field != "priceMin" {
			t.Errorf("row 2 problem on %s: %s", p.Field, p.Problem)
		}
	}
	if len(rows) != 2 || rows[0] != 2 || rows[1] != 3 {
		t.Errorf("problem rows = %v (%+v)", rows, res.Problems)
	}
	if _, err := ParseJSON(strings.NewReader(`[1,2]`)); err == nil {
		t.Error("a non-object document was accepted")
	}
}

func TestParseCSVRoundTripAndRowProblems(t *testing.T) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(CSVHeaders)
	_ = w.Write(CSVRow(validService()))
	bad := CSVRow(validService())
	bad[0], bad[16] = "999", "-5"
	_ = w.Write(bad)
	_ = w.Write([]string{"short"})
	w.Flush()
	res, err := ParseCSV(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Services) != 1 || res.Services[0].ServiceName != validService().ServiceName || res.Services[0].PriceMin != MustDec("0.21") {
		t.Fatalf("services = %+v", res.Services)
	}
	if len(res.Problems) != 2 || res.Problems[0].Row != 3 || res.Problems[0].Field != "priceMin" || res.Problems[1].Row != 4 {
		t.Fatalf("problems = %+v", res.Problems)
	}
	if _, err := ParseCSV(strings.NewReader("name,price\nx,1\n")); err == nil || !strings.Contains(err.Error(), "serviceName") {
		t.Errorf("missing columns not named: %v", err)
	}
}

func TestSavedSearchExportLockAndOutcome(t *testing.T) {
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	ss, err := NewSavedSearch("s1", "R&B hosting", SearchQuery{Keywords: "revenues"}, "jo", now)
	if err != nil {
		t.Fatal(err)
	}
	big := SearchResult{Total: 31}
	if err := ss.Export(big, now); domain.ErrorCode(err) != domain.CodeConflict || ss.Locked() {
		t.Fatalf("31 results exported: %v", err)
	}
	hits := []Hit{{Service: validService()}}
	if err := ss.Export(SearchResult{Total: 1, Hits: hits}, now); err != nil || !ss.Locked() {
		t.Fatalf("export: %v", err)
	}
	if err := ss.UpdateQuery(SearchQuery{Keywords: "other"}); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("locked search changed: %v", err)
	}
	err = ss.RecordOutcome(Outcome{Result: OutcomeAwarded, ServiceID: "nope", StartDate: "2025-07-01", EndDate: "2025-06-01"})
	if got := strings.Join(fieldsOf(err), ","); got != "serviceId,contractValue,endDate,buyingOrganisation" {
		t.Errorf("outcome problems = %s", got)
	}
	if err := ss.RecordOutcome(Outcome{Result: OutcomeNoneSuitable}); !strings.Contains(strings.Join(fieldsOf(err), ","), "reason") {
		t.Errorf("none-suitable without reason: %v", err)
	}
	ok := Outcome{Result: OutcomeAwarded, ServiceID: validService().ID, ContractValue: 4_999_961, StartDate: "2025-07-01",
		EndDate: "2027-06-30", BuyingOrganisation: "Example District Council", RecordedAt: now}
	if err := ss.RecordOutcome(ok); err != nil {
		t.Fatal(err)
	}
	if err := ss.RecordOutcome(ok); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("second outcome accepted: %v", err)
	}
}

func TestExportCSVAndXLSX(t *testing.T) {
	s := validService()
	s.ServiceName = "=HYPERLINK(\"http://evil\")"
	s.ContactName = "Jo Bloggs"
	rows := ExportRows([]Hit{{Service: s}})
	var b bytes.Buffer
	if err := WriteCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[1][1] != "'"+s.ServiceName || recs[1][4] != "0.21" || recs[1][5] != "0.35" || recs[1][9] != "Jo Bloggs, bids@example.co.uk" {
		t.Fatalf("csv = %q", recs)
	}
	b.Reset()
	if err := WriteXLSX(&b, "Shortlist: R&B", rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Shortlist", "B3"); v != s.ServiceName {
		t.Errorf("B3 = %q", v)
	}
	if v, _ := f.GetCellValue("Shortlist", "A2"); v != "Supplier" {
		t.Errorf("A2 = %q", v)
	}
	if v, _ := f.GetCellValue("Shortlist", "E3", excelize.Options{RawCellValue: true}); v != "0.21" {
		t.Errorf("E3 = %q", v)
	}
}

func TestParseSearchQuery(t *testing.T) {
	q, err := ParseSearchQuery(url.Values{"q": {"backup"}, "lot": {"cloud-hosting,cloud-software"}, "assurance": {"iso-iec-27001", "cyber-essentials"}, "sort": {"price"}, "limit": {"50"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Lot) != 1 || len(q.Lot[0]) != 2 || len(q.Assurance) != 2 || q.Limit != 50 || q.Sort != SortPrice {
		t.Fatalf("query = %+v", q)
	}
	_, err = ParseSearchQuery(url.Values{"lot": {"cloud-nope"}, "limit": {"1000"}, "sort": {"cheapest"}, "colour": {"red"}})
	if got := strings.Join(fieldsOf(err), ","); got != "colour,lot,limit,sort" {
		t.Errorf("problems = %s", got)
	}
}

func TestRegisterFactorSet(t *testing.T) {
	full := strings.Replace(string(factorsUK2025v2), "grid.2025,0.177,", "grid.2025,0.150,", 1)
	full = strings.Replace(full, "grid.2024,", "grid.2026,", 1)
	if err := RegisterFactorSet("test-register.1", []byte(full)); err != nil {
		t.Fatal(err)
	}
	fs, ok := LookupFactorSet("test-register.1")
	if !ok || fs.Get("grid.2025").Value != MustDec("0.15") {
		t.Fatalf("registered set not found or wrong: %v", ok)
	}
	if !slices.Contains(FactorSetVersions(), "test-register.1") {
		t.Error("version not listed")
	}
	if err := RegisterFactorSet("test-register.1", []byte(full)); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("re-registering a version: %v, want a conflict", err)
	}
	if err := RegisterFactorSet(CurrentFactorSetVersion, []byte(full)); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("replacing the current version: %v, want a conflict", err)
	}
	lacking := "key,value,unit,year,source\ngrid.2025,0.1,kgCO2e/kWh,2025,test\n"
	err := RegisterFactorSet("test-register.2", []byte(lacking))
	if domain.ErrorCode(err) != domain.CodeInvalid || !strings.Contains(err.Error(), "pue.onprem") {
		t.Errorf("incomplete set: %v, want a problem naming the missing factors", err)
	}
	if _, ok := LookupFactorSet("test-register.2"); ok {
		t.Error("an invalid set was registered")
	}
}
