package sourcing

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jointict/councilapi/domain/procurement"
)

func exampleProvenance(t *testing.T) (SearchProvenance, []ExportRow) {
	t.Helper()
	a, b := validService(), validService()
	a.ID, b.ID = "svc-a", "svc-b"
	a.FrameworkSlug, b.FrameworkSlug = "g-cloud-14", "g-cloud-14"
	b.ServiceName = "=HYPERLINK(\"x\")"
	ix := NewIndex([]Service{a, b})
	imported := time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)
	q := SearchQuery{Keywords: "backup\nvault", Lot: Filter{{LotHosting, LotSoftware}}, Assurance: Filter{{"iso-iec-27001"}}, Sort: SortPrice,
		PriceMax: dp("1200"), AsOf: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	res := ix.Search(SearchQuery{Limit: 10, AsOf: q.AsOf})
	prov := SearchProvenance{SavedSearch: "ss-1 Backup shortlist", Query: q, RunAt: time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC),
		RunBy: "officer key k1 (neddc)", Results: res.Total, Catalogue: ix.Snapshot(imported)}
	return prov, ExportRows(res.Hits)
}

func TestExportsBeginWithTheProvenanceBlock(t *testing.T) {
	prov, rows := exampleProvenance(t)
	var b bytes.Buffer
	if err := WriteShortlistCSV(&b, &prov, rows); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	lines := strings.Split(text, "\r\n")
	want := []string{"# Record: G-Cloud search provenance (councilapi)", "# Saved search: ss-1 Backup shortlist", "# Query terms: backup vault",
		"# Lot: cloud-hosting or cloud-software", "# Category: any", "# Assurance: iso-iec-27001", "# Data location: any", "# Framework: any",
		"# Price from: any", "# Price to: £1200 per unit per year"}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], w)
		}
	}
	for _, w := range []string{"# Run at: 2026-03-02T14:05:00Z", "# Run by: officer key k1 (neddc)", "# Results: 2",
		"# Catalogue imported: 2026-02-01T09:30:00Z", "# Catalogue services: 2", "# Catalogue content hash: sha256:", "# Frameworks judged on: 2026-03-02"} {
		if !strings.Contains(text, w) {
			t.Errorf("the CSV lacks %q", w)
		}
	}
	// A CSV reader that skips comments sees the header and the rows.
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 3 || recs[0][0] != "Supplier" || !strings.HasPrefix(recs[1][1], "'=") {
		t.Fatalf("records %v, %v", recs, err)
	}

	var x bytes.Buffer
	if err := WriteShortlistXLSX(&x, "Backup shortlist", &prov, rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Shortlist", "Search"}) {
		t.Errorf("sheets %v", got)
	}
	got, _ := f.GetRows("Search")
	if len(got) != len(prov.Rows()) || got[2][0] != "Query terms" || got[2][1] != "backup vault" || got[len(got)-1][0] != "Catalogue content hash" {
		t.Errorf("Search sheet %v", got)
	}
}

func TestCatalogueHashFollowsContentNotOrder(t *testing.T) {
	a, b := validService(), validService()
	a.ID, b.ID = "a", "b"
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h1 := NewIndex([]Service{a, b}).Snapshot(at)
	h2 := NewIndex([]Service{b, a}).Snapshot(at)
	b.PriceMin++
	h3 := NewIndex([]Service{a, b}).Snapshot(at)
	if h1.ContentHash != h2.ContentHash || h1.ContentHash == h3.ContentHash || h1.Services != 2 {
		t.Errorf("hashes %s %s %s", h1.ContentHash, h2.ContentHash, h3.ContentHash)
	}
}

func TestAnAwardStatesTheNoticesItTriggers(t *testing.T) {
	sets := procurement.DefaultRuleSets()
	at := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		value      Money
		regime     procurement.Regime
		notices    []procurement.Notice
		register   bool
		standstill bool
	}{
		{500_000, procurement.BelowThreshold, []procurement.Notice{}, false, false},                                                                                     // £5,000: not over
		{500_001, procurement.BelowThreshold, []procurement.Notice{procurement.NoticeTransparencyRegister}, true, false},                                                // over £5,000
		{3_000_000, procurement.NotifiableBelowThreshold, []procurement.Notice{procurement.NoticeContractDetails, procurement.NoticeTransparencyRegister}, true, false}, // £36,000 incl. VAT
		{20_000_000, procurement.AboveThreshold, []procurement.Notice{procurement.NoticeContractAward, procurement.NoticeContractDetails, procurement.NoticeTransparencyRegister}, true, false},
	}
	for _, c := range cases {
		o := Outcome{Result: OutcomeAwarded, ContractValue: c.value, BuyingOrganisation: "neddc", RecordedAt: at, ComparisonID: "c1", JointProcurement: "jp-rb"}
		n, err := o.Notices(sets)
		if err != nil {
			t.Fatal(err)
		}
		if n.Regime != c.regime || !slices.Equal(n.Notices, c.notices) || n.ContractsRegister != c.register || n.StandstillApplies != c.standstill || n.RuleSet != "pa2023-2026" {
			t.Errorf("%s: %+v", c.value.Display(), n)
		}
	}
	n, _ := Outcome{Result: OutcomeCancelled, RecordedAt: at}.Notices(sets)
	if len(n.Notices) != 0 || n.ContractsRegister {
		t.Errorf("a cancelled search triggers %+v", n)
	}
}
