package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jointict/councilapi/app/audit"
	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/internal/browsertest"
	"github.com/jointict/councilapi/internal/testref"
)

// sourcingBrowser is an officer's Chromium tab on the sourcing pages.
type sourcingBrowser struct {
	*browsertest.Browser
	t   *testing.T
	f   sourcingFixture
	url string
}

// look screenshots the page, checks it with axe-core and that it fits
// the width.
func (b sourcingBrowser) look(name string) {
	b.t.Helper()
	b.Screenshot(name)
	b.Accessible(name)
	b.FitsWidth(name)
}

func (b sourcingBrowser) open(path, ready string) {
	b.t.Helper()
	b.Do(chromedp.Navigate(b.url+path), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// fill sets inputs by id as typed (selects by value) and ticks checkboxes
// and radios given the value "tick".
func (b sourcingBrowser) fill(fields ...string) {
	b.t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(fields); i += 2 {
		sel := chromedp.CSS("#" + fields[i])
		if fields[i+1] == "tick" {
			acts = append(acts, chromedp.Click(sel))
		} else {
			acts = append(acts, chromedp.SetValue(sel, fields[i+1]))
		}
	}
	b.Do(acts...)
}

// submit presses the form's button and waits for what the next page shows.
func (b sourcingBrowser) submit(form, ready string) {
	b.t.Helper()
	// The old page is marked, so waiting for ready cannot be satisfied by it.
	browsertest.Eval[chromedp.Void](b.Browser, `window.beforeSubmit = true; undefined`)
	b.Do(chromedp.Click(chromedp.CSS(form + ` button[type="submit"]`)))
	eventually(b.t, "the form's answer loads", func() bool {
		loaded, ok := browsertest.TryEval[bool](b.Browser, `window.beforeSubmit === undefined && document.readyState === "complete"`)
		return ok && loaded
	})
	b.Do(chromedp.WaitVisible(chromedp.CSS(ready)))
}

func signedInSourcingBrowser(t *testing.T) sourcingBrowser {
	testref.Axe(t) // skip before starting anything without it
	f := newSourcingFixture(t)
	b := sourcingBrowser{Browser: browsertest.New(t), t: t, f: f, url: f.ts.URL}
	b.open("/signin", "#key")
	b.fill("key", f.officer)
	b.submit("form.signin", ".account")
	return b
}

// eventually polls the store until cond holds (a redirect has landed).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
	}
}

func savedSearchNamed(t *testing.T, ts *testServer, name string) (appsrc.SavedSearchView, bool) {
	list, _, err := ts.srv.app.Sourcing.ListSavedSearches(context.Background(), audit.System, appsrc.SearchQueryFilter{Organisation: "bdc", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Name == name {
			return s, true
		}
	}
	return appsrc.SavedSearchView{}, false
}

// TestSourcingSearchJourneyInChromium: an officer searches G-Cloud with
// all-of filters, reads a service, saves the search, exports it (the
// lock and the provenance show) and records the outcome, at a desktop and
// a phone width; the store holds each step.
func TestSourcingSearchJourneyInChromium(t *testing.T) {
	b := signedInSourcingBrowser(t)
	for _, w := range browsertest.Widths {
		b.Width(w)
		b.open("/sourcing", ".actions")
		b.look("sourcing-home")
		b.open("/sourcing/services", "#q")
		b.fill("f-assurance-iso-iec-27001", "tick", "f-assurance-cyber-essentials", "tick", "assuranceMatch-all", "tick")
		b.submit(".filters", "#results-heading")
		if h := b.Text("#results-heading"); h != "1 service" {
			t.Errorf("at %dpx ISO 27001 and Cyber Essentials find %q", w, h)
		}
		b.look("search-all-of")
		b.fill("assuranceMatch-any", "tick")
		b.submit(".filters", "#results-heading")
		if h := b.Text("#results-heading"); h != "3 services" {
			t.Errorf("at %dpx ISO 27001 or Cyber Essentials find %q", w, h)
		}
		b.Do(chromedp.Click(chromedp.CSS(`.results-list a[href$="/100000000000002"]`)), chromedp.WaitVisible(chromedp.CSS(".summary")))
		if s := b.Text("main"); !strings.Contains(s, "Backup and recovery") || !strings.Contains(s, "£9.50 to £12.00 a user a month") {
			t.Errorf("at %dpx the service page says %q", w, s)
		}
		b.look("service")

		b.open("/sourcing/services?lot=cloud-software&lotMatch=any", "form.save-search")
		name := fmt.Sprintf("Backup for 250 users (%dpx)", w)
		b.fill("name", name)
		b.submit("form.save-search", `form[action$="/export"]`)
		b.look("saved-search")
		b.submit(`form[action$="/export"]`, ".lock")
		if s := b.Text(".lock"); !strings.Contains(s, "Locked: exported on") || !strings.Contains(s, "Query terms") || !strings.Contains(s, "Lot cloud-software") {
			t.Errorf("at %dpx the lock and provenance say %q", w, s)
		}
		b.look("saved-search-locked")
		ss, ok := savedSearchNamed(t, b.f.ts, name)
		if !ok || ss.LockedAt == nil || len(ss.ExportedRows) != 1 || ss.Provenance == nil || ss.Provenance.RunBy == "" {
			t.Fatalf("at %dpx the store holds %+v", w, ss)
		}
		// Refused first: an award names the service.
		b.fill("result-awarded", "tick")
		b.submit("form.outcome", ".error-summary")
		b.look("outcome-error")
		b.fill("serviceId", "100000000000002", "contractValue", "28500", "startDate", "2026-04-01", "endDate", "2029-03-31",
			"buyingOrganisation", "Bolsover District Council", "supplierSme-yes", "tick")
		b.submit("form.outcome", "#outcome")
		if s := b.Text("#outcome + dl"); !strings.Contains(s, "awarded") || !strings.Contains(s, "£28,500") || !strings.Contains(s, "Supplier an SME yes") {
			t.Errorf("at %dpx the outcome says %q", w, s)
		}
		b.look("saved-search-outcome")
		ss, _ = savedSearchNamed(t, b.f.ts, name)
		if ss.Outcome == nil || ss.Outcome.Result != sourcing.OutcomeAwarded || ss.Outcome.ServiceID != "100000000000002" || ss.Outcome.SupplierSME == nil || !*ss.Outcome.SupplierSME || !b.f.ts.audited("saved-search.outcome", ss.ID) {
			t.Errorf("at %dpx the stored outcome is %+v", w, ss.Outcome)
		}
	}
}

func comparisonTitled(t *testing.T, ts *testServer, title string) (appsrc.ComparisonView, bool) {
	list, _, err := ts.srv.app.Sourcing.ListComparisons(context.Background(), audit.System, appsrc.ComparisonQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.Title == title {
			v, err := ts.srv.app.Sourcing.GetComparison(context.Background(), audit.System, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return v, true
		}
	}
	return appsrc.ComparisonView{}, false
}

// TestSourcingComparisonJourneyInChromium: an officer builds a comparison
// in the form (a driver, a cloud option from a shortlist, the on-premise
// estate, weights, assessments with evidence), reads the results and
// chart, marks the recommendation, decides and publishes it and opens the
// Cabinet report, at a desktop and a phone width.
func TestSourcingComparisonJourneyInChromium(t *testing.T) {
	b := signedInSourcingBrowser(t)
	ctx := context.Background()
	ss, err := b.f.ts.srv.app.Sourcing.CreateSavedSearch(ctx, audit.System, appsrc.SavedSearchInput{Name: "Backup shortlist", Query: "lot=cloud-software", Organisation: "bdc"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.f.ts.srv.app.Sourcing.Export(ctx, audit.System, ss.ID); err != nil {
		t.Fatal(err)
	}
	for _, w := range browsertest.Widths {
		b.Width(w)
		title := fmt.Sprintf("Backup: cloud or on-premise (%dpx)", w)
		b.open("/sourcing/comparisons/new", "form.comparison-form")
		b.look("comparison-new")
		b.fill("horizonYears", "5", "startYear", "2026",
			"drivers-0-id", "users", "drivers-0-name", "Named users", "drivers-0-unit", "users",
			"drivers-0-baseQuantity", "250", "drivers-0-growthPerYear", "0.02",
			"cloudOptions-0-id", "saas", "cloudOptions-0-serviceId", "100000000000002", "cloudOptions-0-priceBasis", "min",
			"cloudOptions-0-quantities-0-driver", "users", "cloudOptions-0-quantities-0-perUnit", "1",
			"cloudOptions-0-onboarding", "15000", "cloudOptions-0-indexation", "0.03",
			"cloudOptions-0-quality-score", "70", "cloudOptions-0-quality-evidence", "Demonstration on 3 March: all 12 scenarios passed",
			"cloudOptions-0-socialValue-score", "60", "cloudOptions-0-socialValue-evidence", "Two local apprenticeships (tender response 4.2)",
			"onPremOptions-0-id", "onprem", "onPremOptions-0-name", "On-premise (2 hosts)", "onPremOptions-0-servers", "2",
			"onPremOptions-0-hardwareCapex", "24000", "onPremOptions-0-refreshYears", "4", "onPremOptions-0-installation", "3000",
			"onPremOptions-0-licencesOneOff", "18000", "onPremOptions-0-licenceSupportRate", "0.2", "onPremOptions-0-maintenancePerYear", "2400",
			"onPremOptions-0-powerWatts", "650", "onPremOptions-0-electricityPricePerKwh", "0.28", "onPremOptions-0-facilitiesPerYear", "1800",
			"onPremOptions-0-indexation", "0.03",
			"onPremOptions-0-quality-score", "60", "onPremOptions-0-quality-evidence", "The current service's satisfaction survey, 2025",
			"onPremOptions-0-socialValue-score", "40", "onPremOptions-0-socialValue-evidence", "None offered",
			"weights-price", "60", "weights-quality", "20", "weights-socialValue", "10", "weights-environment", "10")
		// Without a title the form comes back with the problem beside it,
		// everything typed kept.
		b.submit("form.comparison-form", ".error-summary")
		if s := b.Text(".error-summary"); !strings.Contains(s, "Title") {
			t.Errorf("at %dpx the error summary says %q", w, s)
		}
		b.look("comparison-error")
		b.fill("title", title)
		b.submit("form.comparison-form", "table.results")
		b.look("comparison-draft")
		if s := b.Text("table.results"); !strings.Contains(s, "Cloud backup for councils") || !strings.Contains(s, "On-premise (2 hosts)") {
			t.Errorf("at %dpx the results table says %q", w, s)
		}
		if n := browsertest.Eval[int](b.Browser, `document.querySelectorAll(".chart-svg svg").length`); n != 1 {
			t.Errorf("at %dpx the page has %d charts", w, n)
		}
		v, ok := comparisonTitled(t, b.f.ts, title)
		if !ok || v.State != sourcing.StateDraft || len(v.Input.CloudOptions) != 1 || v.Input.CloudOptions[0].PriceUnit != "User" ||
			v.Input.CloudOptions[0].Quality.Evidence == "" || v.Input.Weights == nil || !b.f.ts.audited("comparison.create", v.ID) {
			t.Fatalf("at %dpx the store holds %+v", w, v)
		}
		// The officer recommends the on-premise option against the ranking, with reasons.
		top, _ := v.Result.TopRanked()
		other := "onprem"
		if top.ID == "onprem" {
			other = "saas"
		}
		b.fill("recommendedOption", other, "justification", "The service must stay on the council's network until the PSN review.",
			"serviceReasons", "Integration with the document management system on site.")
		b.submit(`form[action$="/recommendation"]`, "#recommendation")
		eventually(t, "the recommendation is stored", func() bool {
			v, _ = comparisonTitled(t, b.f.ts, title)
			return v.RecommendedOption == other
		})
		b.open("/sourcing/comparisons/"+v.ID+"/report-text", "form.report-text")
		b.fill("report-meeting", "Cabinet", "report-meetingDate", "2026-03-12", "report-background", "The backup service runs on two hosts bought in 2019.",
			"report-recommendations", "That Cabinet approves the recommended option.\nThat the Assistant Director signs the call-off.",
			"report-significantInTwoOrMoreWards", "tick")
		b.look("report-text")
		b.submit("form.report-text", "table.results")
		v, _ = comparisonTitled(t, b.f.ts, title)
		if v.Report.Meeting != "Cabinet" || len(v.Report.Recommendations) != 2 || !v.Report.SignificantInTwoOrMoreWards {
			t.Errorf("at %dpx the stored report text is %+v", w, v.Report)
		}
		b.open("/sourcing/comparisons/"+v.ID, "form.decide")
		b.fill("decision", "Approve the recommended option", "by", "Joint ICT Committee", "reference", "JICT/26/04")
		b.submit("form.decide", "form.publish")
		b.look("comparison-decided")
		v, _ = comparisonTitled(t, b.f.ts, title)
		if v.State != sourcing.StateDecided || !b.f.ts.audited("comparison.decide", v.ID) {
			t.Fatalf("at %dpx after deciding the comparison is %s", w, v.State)
		}
		b.fill("field", "justification", "reason", "It names the council's negotiating position with the supplier.")
		b.submit("form.exempt", "form.publish")
		v, _ = comparisonTitled(t, b.f.ts, title)
		if len(v.Exempt) != 1 || v.Exempt[0].Field != "justification" || v.Exempt[0].Paragraph != 3 || !b.f.ts.audited("comparison.exempt", v.ID) {
			t.Errorf("at %dpx the stored exempt fields are %+v", w, v.Exempt)
		}
		b.submit("form.publish", `.states li[aria-current="step"]`)
		eventually(t, "the comparison is published", func() bool {
			v, _ = comparisonTitled(t, b.f.ts, title)
			return v.State == sourcing.StatePublished
		})
		b.open("/sourcing/comparisons/"+v.ID, `.states li[aria-current="step"]`)
		if s := b.Text(`.states li[aria-current="step"]`); s != "Published" {
			t.Errorf("at %dpx the stage shown is %q", w, s)
		}
		b.look("comparison-published")
		b.Do(chromedp.Click(chromedp.CSS(`.actions a[href$="/report"]`)), chromedp.WaitVisible(chromedp.CSS("h1")))
		if !strings.HasSuffix(b.Location(), "/sourcing/comparisons/"+v.ID+"/report") || !strings.Contains(b.Text("body"), "Recommendations") {
			t.Errorf("at %dpx the report link leads to %s", w, b.Location())
		}
		b.Screenshot("report")
	}
}
