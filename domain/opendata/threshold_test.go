package opendata

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/domain"
)

func TestTemporalAcceptsDatesAndNamesBadFields(t *testing.T) {
	var d Dataset
	if err := json.Unmarshal([]byte(`{"temporal":{"start":"2019-01-01","end":"2019-12-31T23:59:59Z"}}`), &d); err != nil {
		t.Fatal(err)
	}
	if !d.Temporal.Start.Equal(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)) || d.Temporal.End.Year() != 2019 {
		t.Fatalf("temporal %v", d.Temporal)
	}
	// It round-trips through the store's JSON.
	b, _ := json.Marshal(d)
	var back Dataset
	if err := json.Unmarshal(b, &back); err != nil || !back.Temporal.Start.Equal(*d.Temporal.Start) {
		t.Fatalf("round trip %s: %v", b, err)
	}
	for body, field := range map[string]string{
		`{"temporal":{"start":"2019-13-01"}}`: "temporal.start",
		`{"temporal":{"end":"next year"}}`:    "temporal.end",
		`{"temporal":{"end":20190101}}`:       "temporal.end",
		`{"temporal":{"start":"01/02/2019"}}`: "temporal.start", // 1 February or 2 January
		`{"temporal":{"begin":"2019-01-01"}}`: "temporal.begin",
	} {
		err := json.Unmarshal([]byte(body), &d)
		var de *domain.Error
		if !errors.As(err, &de) || len(de.Fields) != 1 || de.Fields[0].Field != field || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: %v, want a problem naming %s", body, err, field)
		}
	}
	if err := json.Unmarshal([]byte(`{"temporal":{"start":"13/01/2019"}}`), &d); err != nil || d.Temporal.Start.Month() != time.January {
		t.Errorf("an unambiguous UK date: %v %v", err, d.Temporal)
	}
	if p := DatasetDateProblems([]byte(`{"issued":"2019-01-01","modified":"2019-01-01T00:00:00Z","temporal":{"start":"x"}}`)); len(p) != 2 ||
		p[0].Field != "issued" || p[1].Field != "temporal.start" {
		t.Errorf("problems %+v", p)
	}
}

func TestErrorThreshold(t *testing.T) {
	head := "Date,Department,Supplier,Purpose,Amount,Irrecoverable VAT,Merchant Category\n"
	var b strings.Builder
	b.WriteString(head)
	for i := range 400 {
		supplier := "Acme"
		if i%100 == 0 {
			supplier = "" // four error rows, each with two errors below
		}
		b.WriteString("01/04/2024,Housing," + supplier + ",Repairs," + map[bool]string{true: "x", false: "600"}[supplier == ""] + ",0,Construction\n")
	}
	r := check(t, &SpendOver500, b.String())
	if r.Errors != 8 || r.ErrorRows != 4 {
		t.Fatalf("errors %d on %d rows", r.Errors, r.ErrorRows)
	}
	if d := r.Decide(400, nil); !d.Publishable || !strings.Contains(d.Reason, "4 of 400 rows") {
		t.Errorf("default threshold (1%% = 4 rows): %+v", d)
	}
	version := func() Version {
		return Version{DatasetID: "d1", Number: 1, FileName: "spend.csv", Format: "csv", MediaType: "text/csv",
			SHA256: strings.Repeat("a", 64), Created: time.Now(), CreatedBy: "k1", State: VersionProcessing, Report: r}
	}
	v := version()
	if err := v.Publish(time.Now()); err != nil || v.State != VersionPublished {
		t.Errorf("a version within its threshold is refused: %v", err)
	}
	strict := Strict()
	if d := r.Decide(400, &strict); d.Publishable {
		t.Errorf("a strict dataset published %+v", d)
	}
	v = version()
	if err := v.Publish(time.Now()); err == nil || !strings.Contains(err.Error(), "allows 0") {
		t.Errorf("a version over its threshold: %v", err)
	}
	// A missing column concerns the whole file: no threshold lets it through.
	r = check(t, &SpendOver500, "Date,Supplier\n01/04/2024,Acme\n")
	if d := r.Decide(1, &ErrorThreshold{MaxPercent: ptr(100.0)}); d.Publishable {
		t.Errorf("missing columns published: %+v", d)
	}
	d := Dataset{ErrorThreshold: &ErrorThreshold{MaxRows: ptr(int64(-1)), MaxPercent: ptr(101.0)}}
	err := d.Validate()
	if err == nil || !strings.Contains(err.Error(), "errorThreshold.maxRows") || !strings.Contains(err.Error(), "errorThreshold.maxPercent") {
		t.Errorf("validation: %v", err)
	}
}
