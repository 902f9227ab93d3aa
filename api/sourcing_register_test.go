package api

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"
)

// TestAwardedCallOffsAreInTheContractsRegister: a G-Cloud direct award
// over £5,000 recorded on a saved search is a row of the Transparency Code
// contracts register, with the supplier's registration from the catalogue;
// one of £5,000 or less is not, nor one that is part of a joint procurement
// (its award row lists the contract), and the register's dataset gets a new
// version when the outcome is recorded.
func TestAwardedCallOffsAreInTheContractsRegister(t *testing.T) {
	w := newSourcingWorld(t)
	ts := w.ts
	if r := ts.do("PATCH", "/api/v1/organisations/neddc", ts.Admin, map[string]any{"contact": map[string]string{"email": "ict@ne-derbyshire.gov.uk"}}); r.Status != 200 {
		t.Fatalf("host contact: %d %s", r.Status, r.Body)
	}
	svc := gcService("920000000000001", "Payroll bureau service")
	svc.Supplier.SupplierName, svc.Supplier.CompaniesHouseNumber = "Example Payroll Ltd", "01234567"
	ts.importJSON(w.own.key, svc)
	var ss savedSearchView
	ts.mustDo("POST", "/api/v1/saved-searches", w.own.key, map[string]any{"name": "Payroll bureau", "query": "q=payroll"}).json(t, &ss)
	ts.mustDo("GET", "/api/v1/saved-searches/"+ss.ID+"/export.csv", w.own.key, nil)
	award := map[string]any{"result": "awarded", "serviceId": "920000000000001", "contractValue": "12500.00",
		"startDate": "2027-04-01", "endDate": "2029-03-31", "buyingOrganisation": "North East Derbyshire District Council"}
	if r := ts.do("POST", "/api/v1/saved-searches/"+ss.ID+"/outcome", w.own.key, award); r.Status != 400 || fieldsOf(r.problem(t))["supplierSme"] == "" {
		t.Fatalf("an award for the register without the supplier's SME status: %d %s, want 400 naming supplierSme", r.Status, r.Body)
	}
	award["supplierSme"] = true
	ts.mustDo("POST", "/api/v1/saved-searches/"+ss.ID+"/outcome", w.own.key, award)
	// A £4,000 award on another search: below the Code's threshold.
	ts.mustDo("GET", "/api/v1/saved-searches/"+w.search+"/export.csv", w.own.key, nil)
	ts.mustDo("POST", "/api/v1/saved-searches/"+w.search+"/outcome", w.own.key, map[string]any{"result": "awarded",
		"serviceId": "910000000000001", "contractValue": "4000.00", "startDate": "2027-04-01", "endDate": "2028-03-31",
		"buyingOrganisation": "NEDDC"})

	r := ts.mustDo("GET", "/contracts-register.csv", "", nil)
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var callOffs [][]string
	for _, row := range rows[1:] {
		if len(row[0]) > 3 && row[0][:3] == "GC/" {
			callOffs = append(callOffs, row)
		}
	}
	if len(callOffs) != 1 {
		t.Fatalf("call-off rows %q, want the £12,500 award only (the £4,000 one is under the threshold, the joint one is the procurement's)", callOffs)
	}
	got := callOffs[0]
	want := map[int]string{0: "GC/" + ss.ID, 1: "Payroll bureau service", 2: "North East Derbyshire District Council",
		4: "Example Payroll Ltd", 5: "01234567", 6: "12500.00", 8: "2027-04-01", 9: "2029-03-31", 11: "G-Cloud direct award", 12: "Yes", 13: "No"}
	for i, v := range want {
		if got[i] != v {
			t.Errorf("column %q is %q, want %q", rows[0][i], got[i], v)
		}
	}

	// The register's dataset, published by the host, lists it too.
	// The change feed brings the outcome to the register's consumer.
	var id string
	for range 200 {
		if id, err = ts.srv.app.Procurement.RegisterDataset(t.Context()); err != nil || id != "" {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if err != nil || id == "" {
		t.Fatalf("no register dataset: %q %v", id, err)
	}
	d := waitDataset(t, ts, id, 1)
	dl := ts.mustDo("GET", "/datasets/"+d.Slug+"/latest.csv", "", nil)
	if !bytes.Contains(dl.Body, []byte("GC/"+ss.ID)) {
		t.Errorf("the register dataset's latest.csv lacks the call-off:\n%s", dl.Body)
	}
}
