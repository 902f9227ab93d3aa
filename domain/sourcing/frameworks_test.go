package sourcing

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFrameworkTableIsOrderedAndDated(t *testing.T) {
	for i, f := range Frameworks {
		live, e1 := time.Parse(time.DateOnly, f.Live)
		end, e2 := time.Parse(time.DateOnly, f.Expiry)
		if e1 != nil || e2 != nil || !end.After(live) || f.Source == "" || f.Reference == "" {
			t.Errorf("%s: live %s, expiry %s, source %q", f.Slug, f.Live, f.Expiry, f.Source)
		}
		if i > 0 && f.Live <= Frameworks[i-1].Live {
			t.Errorf("%s goes live before %s", f.Slug, Frameworks[i-1].Slug)
		}
	}
}

func TestExpiredFrameworksAreLeftOutOfSearchByDefault(t *testing.T) {
	old, live := validService(), validService()
	old.ID, old.FrameworkSlug, old.ServiceName = "g13-backup", "g-cloud-13", "Backup vault"
	live.ID, live.FrameworkSlug, live.ServiceName = "g14-backup", "g-cloud-14", "Backup vault plus"
	ix := NewIndex([]Service{old, live})
	q, err := ParseSearchQuery(url.Values{"q": {"backup"}})
	if err != nil {
		t.Fatal(err)
	}
	q.AsOf = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	res := ix.Search(q)
	if res.Total != 1 || res.Hits[0].Service.ID != "g14-backup" {
		t.Fatalf("default search: %d hits %v, want only the G-Cloud 14 service", res.Total, hitIDs(res))
	}
	q, _ = ParseSearchQuery(url.Values{"q": {"backup"}, "includeExpired": {"true"}})
	q.AsOf = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	res = ix.Search(q)
	if res.Total != 2 {
		t.Fatalf("includeExpired: %d hits", res.Total)
	}
	for _, h := range res.Hits {
		closed := h.FrameworkClosed != nil
		if closed != (h.Service.ID == "g13-backup") {
			t.Errorf("%s flagged closed = %v", h.Service.ID, closed)
		}
		if closed && (h.FrameworkClosed.Expiry != "2024-11-08" || !h.FrameworkClosed.Expired) {
			t.Errorf("flag %+v", h.FrameworkClosed)
		}
	}
	// A day before G-Cloud 13 ended, it is live.
	q.IncludeExpired, q.AsOf = false, time.Date(2024, 11, 8, 12, 0, 0, 0, time.UTC)
	if res := ix.Search(q); res.Total != 2 {
		t.Errorf("on G-Cloud 13's last day: %d hits", res.Total)
	}
	if _, err := ParseSearchQuery(url.Values{"includeExpired": {"yes"}}); !slices.Contains(fieldsOf(err), "includeExpired") {
		t.Errorf("includeExpired=yes: %v", err)
	}
}

func hitIDs(r SearchResult) []string {
	var ids []string
	for _, h := range r.Hits {
		ids = append(ids, h.Service.ID)
	}
	return ids
}

func TestAComparisonWithAnExpiredFrameworkNeedsAnOverride(t *testing.T) {
	c := workedExample()
	svc := validService()
	svc.FrameworkSlug = "g-cloud-13"
	opt := CloudOptionFromService("old", svc)
	if opt.FrameworkSlug != "g-cloud-13" {
		t.Fatalf("the option did not snapshot the framework: %+v", opt)
	}
	c.CloudOptions[1].FrameworkSlug = "g-cloud-13"
	c.CloudOptions[0].FrameworkSlug = "g-cloud-14"
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	p, flags := FrameworkProblems(c, day, nil)
	if len(p) != 1 || p[0].Field != "cloudOptions[1].frameworkSlug" || !strings.Contains(p[0].Problem, "G-Cloud 13 expired on 2024-11-08") || len(flags) != 0 {
		t.Fatalf("problems %v, flags %v", p, flags)
	}
	// The refusal reaches the decision.
	r := draftRecord(t)
	r.Input = c
	if err := r.Decide(DecisionRecord{Decision: "Approve", By: "Head of ICT", At: day}, Policy{}, p); !slices.Contains(fieldsOf(err), "cloudOptions[1].frameworkSlug") {
		t.Errorf("deciding with an expired framework: %v", err)
	}
	override := &FrameworkOverride{Options: []string{"iaas"}, Reason: "the council's current call-off, for comparison only", By: "Head of ICT", At: day}
	p, flags = FrameworkProblems(c, day, override)
	if len(p) != 0 || len(flags) != 1 || flags[0].Code != "framework-override" || !strings.Contains(flags[0].Message, "for comparison only") {
		t.Errorf("with the override: problems %v, flags %v", p, flags)
	}
	override.Reason = ""
	if p, _ = FrameworkProblems(c, day, override); len(p) != 2 {
		t.Errorf("an override without a reason: %v", p)
	}
}
