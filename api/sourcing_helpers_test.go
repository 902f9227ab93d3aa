package api

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// gcService is a valid catalogue service; tests change what they need. It
// is on G-Cloud 15, a framework the table of frameworks has no end date for,
// so searches made on any day find it (G-Cloud 14 ended on 28 October 2026).
func gcService(id, name string) sourcing.Service {
	max := sourcing.MustDec("0.35")
	return sourcing.Service{ID: id, FrameworkSlug: "g-cloud-15", Lot: sourcing.LotHosting,
		Supplier:    sourcing.Supplier{SupplierID: "700001", SupplierName: "Example Hosting Ltd", ContactName: "Bid team", ContactEmail: "bids@example.co.uk"},
		ServiceName: name, ServiceDescription: "Linux and Windows virtual machines in UK data centres.",
		ServiceFeatures: []string{"Automated backup"}, ServiceBenefits: []string{"Pay by the hour"},
		ServiceCategories: []string{"Compute and application hosting"}, PriceMin: sourcing.MustDec("0.21"), PriceMax: &max,
		PriceUnit: "Virtual machine", PriceInterval: "Hour", StandardsISOIEC27001: true,
		DataStorageAndProcessingLocations: []string{"uk"}, ServiceDefinitionDocumentURL: "https://example.co.uk/sd.pdf"}
}

// importJSON posts services as a Digital Marketplace document and returns the report.
func (ts *testServer) importJSON(key string, services ...any) appsrc.ImportReport {
	ts.t.Helper()
	r := ts.do("POST", "/api/v1/services/import", key, map[string]any{"services": services})
	if r.Status != 200 {
		ts.t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	var rep appsrc.ImportReport
	r.json(ts.t, &rep)
	return rep
}

// audited reports whether the audit log has action on record id.
func (ts *testServer) audited(action, id string) bool {
	ts.t.Helper()
	entries, _, err := ts.Store.ListAudit(context.Background(), store.AuditQuery{RecordID: id, Limit: 100})
	if err != nil {
		ts.t.Fatal(err)
	}
	for _, e := range entries {
		if e.Action == action && e.ActorRole != "" {
			return true
		}
	}
	return false
}

// readmeWorkedExample returns the README's worked-example section and the
// JSON request it publishes for POST /api/v1/comparisons.
func readmeWorkedExample(t *testing.T) (section string, request json.RawMessage) {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	b := strings.Index(readme, "<!-- sourcing-worked-example:begin")
	e := strings.Index(readme, "<!-- sourcing-worked-example:end -->")
	if b < 0 || e < b {
		t.Fatal("README.md has no sourcing worked example between its markers")
	}
	section = readme[b:e]
	const intro = "The same inputs as the body of `POST /api/v1/comparisons`:\n\n```json\n"
	i := strings.Index(section, intro)
	if i < 0 {
		t.Fatal("the README worked example publishes no JSON request")
	}
	body := section[i+len(intro):]
	body = body[:strings.Index(body, "```")]
	if !json.Valid([]byte(body)) {
		t.Fatalf("the README's request is not JSON:\n%s", body)
	}
	return section, json.RawMessage(body)
}

// workedExampleRows renders a result as the README's table rows, with the
// README's formatting, so the HTTP figures can be compared line by line.
func workedExampleRows(r sourcing.Result) []string {
	var rows []string
	for _, o := range r.Options {
		rows = append(rows, fmt.Sprintf("##### %s (%s)", o.Name, o.Kind))
		for _, y := range o.Years {
			var lines []string
			for _, l := range y.Lines {
				lines = append(lines, l.Item+" "+l.Amount.String())
			}
			rows = append(rows, fmt.Sprintf("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", y.Year, y.Index, strings.Join(lines, "; "), y.Cash,
				y.DiscountFactor.Fixed(6), y.Discounted, y.CumulativeCash, y.CumulativeDiscounted, y.EnergyKWh.Fixed(3), y.GridFactor, y.OperationalKgCO2e.Fixed(3), y.EmbodiedKgCO2e.Fixed(3)))
		}
	}
	for _, o := range r.Options {
		s := o.Summary
		be := "-"
		if s.BreakEvenYear != nil {
			be = fmt.Sprint(*s.BreakEvenYear)
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |", o.Name, s.WholeLifeCost, s.NPV, s.SavingVsBaseline, s.SavingVsBaselineNominal, be,
			s.EnergyKWh.Fixed(3), s.TotalKgCO2e.Fixed(3), s.EnvironmentalScore.Fixed(6), s.PricePoints.Fixed(6), s.QualityPoints.Fixed(6), s.SocialValuePoints.Fixed(6), s.EnvironmentPoints.Fixed(6), s.BestValueScore.Fixed(6), s.Rank))
	}
	for _, a := range r.Assumptions {
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s |", a.Name, a.Value, a.Unit, a.Source))
	}
	return rows
}

// postWorkedExample creates the README's worked example as a comparison.
func (ts *testServer) postWorkedExample(key string, extra map[string]any) comparisonView {
	ts.t.Helper()
	_, req := readmeWorkedExample(ts.t)
	var body map[string]any
	if err := json.Unmarshal(req, &body); err != nil {
		ts.t.Fatal(err)
	}
	for k, v := range extra {
		body[k] = v
	}
	r := ts.do("POST", "/api/v1/comparisons", key, body)
	if r.Status != 201 {
		ts.t.Fatalf("worked example: %d %s", r.Status, r.Body)
	}
	var rec comparisonView
	r.json(ts.t, &rec)
	return rec
}

// decideAndPublish takes a draft through its decision to publication.
func (ts *testServer) decideAndPublish(key, id string) comparisonView {
	ts.t.Helper()
	path := "/api/v1/comparisons/" + id
	if r := ts.do("POST", path+"/decide", key, map[string]any{"decision": "Approve the recommended option", "by": "Joint ICT Committee"}); r.Status != 200 {
		ts.t.Fatalf("decide: %d %s", r.Status, r.Body)
	}
	r := ts.do("POST", path+"/publish", key, nil)
	if r.Status != 200 {
		ts.t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var v comparisonView
	r.json(ts.t, &v)
	return v
}
