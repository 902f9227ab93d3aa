package demo

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/audit"
	appproc "github.com/jointict/councilapi/app/procurement"
	appsrc "github.com/jointict/councilapi/app/sourcing"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/domain/procurement"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/internal/apptest"
	"github.com/jointict/councilapi/store"
)

// loaded is a fresh store with the sample loaded, as the demo command
// leaves it.
func loaded(t *testing.T) *app.App {
	t.Helper()
	ctx := context.Background()
	a := apptest.Start(t, app.Config{})
	var out bytes.Buffer
	start := time.Now()
	if err := Load(ctx, a, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Logf("loaded in %s:\n%s", time.Since(start).Round(time.Millisecond), out.String())
	return a
}

func TestTheSampleIsPublishedLabelledAndAudited(t *testing.T) {
	a := loaded(t)
	ctx := context.Background()

	sets, total, err := a.OpenData.Search(ctx, audit.Actor{}, od.Query{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, d := range sets {
		slugs = append(slugs, d.Slug)
		if d.CurrentVersion == 0 || len(d.Formats) == 0 {
			t.Errorf("%s is listed without a published version: %+v", d.Slug, d.Dataset)
		}
		// The contracts register is the procurement capability's own
		// dataset; its rows are the sample procurements, each titled so.
		if d.Slug != registerSlug && (!strings.Contains(d.Description, "SAMPLE DATA") || !slices.Contains(d.Keywords, SampleKeyword)) {
			t.Errorf("%s is not labelled sample data: %q %v", d.Slug, d.Description, d.Keywords)
		}
	}
	for _, want := range []string{registerSlug, WifiSlug, GroundsSlug, ToiletsSlug, SpendSlug, VisitsSlug} {
		if !slices.Contains(slugs, want) {
			t.Errorf("%s is not published; published: %v (%d)", want, slugs, total)
		}
	}

	// The spatial samples are OGC API collections with every generated feature.
	features := map[string]int{WifiSlug: len(offices) * (1 + wifiSitesPerOffice), GroundsSlug: groundsAreas, ToiletsSlug: toiletSites}
	for slug, want := range features {
		c, ok := a.OGC.Collection(ctx, slug)
		if !ok {
			t.Errorf("no OGC API collection %s; collections: %d", slug, len(a.OGC.Collections(ctx)))
			continue
		}
		if got := c.Features.Len(); got != want {
			t.Errorf("%s serves %d features, want %d", slug, got, want)
		}
	}
	// The toilets came as British National Grid: they are published in
	// WGS84 within a few kilometres of Matlock Town Hall.
	if c, ok := a.OGC.Collection(ctx, ToiletsSlug); ok {
		b := c.Features.Bound()
		m := officeOf("dddc")
		if b.Min.X() < m.Lon-0.1 || b.Max.X() > m.Lon+0.1 || b.Min.Y() < m.Lat-0.07 || b.Max.Y() > m.Lat+0.07 {
			t.Errorf("toilets extent %v is not around Matlock (%g, %g)", b, m.Lon, m.Lat)
		}
	}

	ps, n, err := a.Procurement.List(ctx, actor, appproc.Filter{}, 100, 0)
	if err != nil || n != 3 {
		t.Fatalf("procurements: %d %v", n, err)
	}
	states := map[string]procurement.State{}
	for _, p := range ps {
		states[p.Reference] = p.State
	}
	if states[PrintRef] != procurement.StateLive || states[HostingRef] != procurement.StateEvaluation || states[FirewallRef] != procurement.StatePlanning {
		t.Fatalf("states %v", states)
	}
	as, err := a.Procurement.Assess(ctx, actor, procID(t, ps, HostingRef))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(as.MissingApprovals, "bdc-executive") || len(as.MissingApprovals) != 1 {
		t.Errorf("the hosting procurement should wait for BDC's Executive alone: missing %v", as.MissingApprovals)
	}

	// The catalogue is searchable, and the comparison behind the hosting
	// procurement is public with the officer's recommendation.
	found, err := a.Sourcing.Search(ctx, ds.SearchQuery{Keywords: "Microsoft 365", Limit: 50})
	if err != nil || found.Total < 3 {
		t.Errorf("searching the sample catalogue for Microsoft 365: %d hits, %v", found.Total, err)
	}
	cs, _, err := a.Sourcing.ListComparisons(ctx, audit.Actor{}, appsrc.ComparisonQuery{Limit: 10})
	if err != nil || len(cs) != 1 || cs[0].State != "published" || cs[0].Title != ComparisonTitle || cs[0].JointProcurement != procID(t, ps, HostingRef) {
		t.Fatalf("published comparisons: %+v %v", cs, err)
	}
	report, err := a.Sourcing.ComparisonReport(ctx, audit.Actor{}, cs[0].ID)
	if err != nil || report.Decision == nil || report.Decision.Recommended.ID != "m365" || !report.Decision.FollowsRank {
		t.Fatalf("the public report should recommend Microsoft 365, the top-ranked option: %v %+v", err, report.Decision)
	}
	if len(report.Comparison.Withheld) != 1 || report.Comparison.Withheld[0].Field != "options.daas" {
		t.Errorf("the public report should withhold the exempt quote alone: %+v", report.Comparison.Withheld)
	}
	if p, err := a.Procurement.Get(ctx, actor, procID(t, ps, HostingRef)); err != nil || p.Comparison != cs[0].ID {
		t.Errorf("%s does not name its comparison: %q %v", HostingRef, p.Comparison, err)
	}

	for _, org := range []string{"neddc", "bdc", "dddc"} {
		p, err := a.Procurement.Programme(ctx, actor, org, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Programme.Lines) == 0 || p.LastReview == nil {
			t.Errorf("%s's programme: %d lines, last review %v", org, len(p.Programme.Lines), p.LastReview)
		}
		if org == "neddc" && len(p.Differences) == 0 {
			t.Errorf("NEDDC's programme shows no difference from its review")
		}
	}

	// Every write is in the audit log, as the demo loader.
	entries, _, err := a.Store.ListAudit(ctx, store.AuditQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byDemo := 0
	for _, e := range entries {
		if e.RequestID == actor.RequestID && e.Actor == "system" {
			byDemo++
		}
	}
	if byDemo < 30 {
		t.Errorf("%d audit entries of the demo load, want every write (dozens)", byDemo)
	}
}

// registerSlug is the contracts register the procurement use cases publish.
const registerSlug = "joint-ict-contracts-register"

func procID(t *testing.T, ps []appproc.Procurement, ref string) string {
	t.Helper()
	for _, p := range ps {
		if p.Reference == ref {
			return p.ID
		}
	}
	t.Fatalf("no procurement %s", ref)
	return ""
}
