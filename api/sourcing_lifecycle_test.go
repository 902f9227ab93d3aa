package api

import (
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/domain/sourcing"
)

func fieldsOf(p Problem) map[string]string {
	out := map[string]string{}
	for _, e := range p.Errors {
		out[e.Field] = e.Problem
	}
	return out
}

// TestSourcingComparisonLifecycle takes a comparison from draft to
// published: drafts are edited with If-Match and deleted, decided ones are
// frozen, exempt fields are marked before publication and released after,
// and every step is audited.
func TestSourcingComparisonLifecycle(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	rec := ts.postWorkedExample(officer, nil)
	path := "/api/v1/comparisons/" + rec.ID
	if rec.State != "draft" || !rec.Access.Edit || rec.Access.Publish {
		t.Fatalf("a new comparison: state %s, access %+v", rec.State, rec.Access)
	}
	tag := ts.mustDo("GET", path, officer, nil).Header.Get("ETag")

	// PATCH recomputes the draft; a stale ETag changes nothing.
	r := ts.do("PATCH", path, officer, map[string]any{"horizonYears": 3, "purpose": "Hosting from April 2025"}, "If-Match", tag)
	if r.Status != 200 || r.Header.Get("ETag") == tag {
		t.Fatalf("PATCH with the current ETag: %d %s", r.Status, r.Body)
	}
	var edited comparisonView
	r.json(t, &edited)
	if edited.Result.HorizonYears != 3 || len(edited.Result.Options[0].Years) != 3 || edited.Purpose != "Hosting from April 2025" {
		t.Errorf("the PATCH was not recomputed: horizon %d, %d years, purpose %q", edited.Result.HorizonYears, len(edited.Result.Options[0].Years), edited.Purpose)
	}
	if r := ts.do("PATCH", path, officer, map[string]any{"horizonYears": 4}, "If-Match", tag); r.Status != 412 {
		t.Errorf("PATCH with a stale ETag: %d, want 412", r.Status)
	}
	if r := ts.do("PATCH", path, officer, map[string]any{"organisation": "bdc"}); r.Status != 400 {
		t.Errorf("moving a comparison to another council: %d, want 400", r.Status)
	}
	if !ts.audited("comparison.update", rec.ID) {
		t.Error("the edit was not audited")
	}

	// A draft is deleted, audited; a decided comparison is a record.
	scratch := ts.postWorkedExample(officer, nil)
	if r := ts.do("DELETE", "/api/v1/comparisons/"+scratch.ID, officer, nil); r.Status != 204 {
		t.Fatalf("deleting a draft: %d %s", r.Status, r.Body)
	}
	if r := ts.do("GET", "/api/v1/comparisons/"+scratch.ID, officer, nil); r.Status != 404 || !ts.audited("comparison.delete", scratch.ID) {
		t.Errorf("after delete: %d, audited %v", r.Status, ts.audited("comparison.delete", scratch.ID))
	}

	// Exempt fields can be marked on a draft, not an unknown field.
	if r := ts.do("POST", path+"/exempt", officer, map[string]any{"field": "options.nope", "reason": "x"}); r.Status != 400 {
		t.Errorf("an exempt field naming no option: %d", r.Status)
	}
	ts.mustDo("POST", path+"/exempt", officer, map[string]any{"field": "purpose", "reason": "Names the incumbent supplier before the contract ends"})

	if r := ts.do("POST", path+"/publish", officer, nil); r.Status != 409 {
		t.Errorf("publishing a draft: %d, want 409", r.Status)
	}
	if r := ts.do("POST", path+"/decide", officer, map[string]any{"decision": "Approve"}); r.Status != 400 || fieldsOf(r.problem(t))["by"] == "" {
		t.Errorf("a decision without who took it: %d %s", r.Status, r.Body)
	}
	r = ts.mustDo("POST", path+"/decide", officer, map[string]any{"decision": "Approve a 3-year call-off of IaaS virtual machines", "reference": "JICT/2026/14", "by": "Joint ICT Committee"})
	var decided comparisonView
	r.json(t, &decided)
	if decided.State != "decided" || decided.Decided == nil || decided.Decided.Reference != "JICT/2026/14" || decided.DecidedPolicy == nil {
		t.Fatalf("decided: %+v", decided.Decided)
	}
	for _, change := range []struct {
		method, suffix string
		body           any
	}{{"PATCH", "", map[string]any{"horizonYears": 5}}, {"DELETE", "", nil}, {"POST", "/decide", map[string]any{"decision": "again", "by": "x"}},
		{"POST", "/release", map[string]any{"fields": []string{"purpose"}}}} {
		r := ts.do(change.method, path+change.suffix, officer, change.body)
		if r.Status != 409 || len(r.problem(t).Allowed) == 0 {
			t.Errorf("%s %s on a decided comparison: %d %s, want 409 naming what is allowed", change.method, change.suffix, r.Status, r.Body)
		}
	}
	ts.mustDo("POST", path+"/publish", officer, nil)
	var pub comparisonView
	ts.mustDo("GET", path, "", nil).json(t, &pub)
	if pub.Purpose != "" || len(pub.Withheld) != 1 || pub.Withheld[0].Field != "purpose" {
		t.Errorf("the public view shows the exempt purpose %q, withheld %+v", pub.Purpose, pub.Withheld)
	}
	if r := ts.do("POST", path+"/exempt", officer, map[string]any{"field": "risks", "reason": "x"}); r.Status != 409 {
		t.Errorf("marking a field exempt after publication: %d, want 409", r.Status)
	}
	ts.mustDo("POST", path+"/release", officer, map[string]any{"fields": []string{"purpose"}})
	pub = comparisonView{}
	ts.mustDo("GET", path, "", nil).json(t, &pub)
	if pub.Purpose != "Hosting from April 2025" || len(pub.Withheld) != 0 {
		t.Errorf("after release: purpose %q, withheld %+v", pub.Purpose, pub.Withheld)
	}
	for _, action := range []string{"comparison.create", "comparison.exempt", "comparison.decide", "comparison.publish", "comparison.release"} {
		if !ts.audited(action, rec.ID) {
			t.Errorf("no %s audit entry", action)
		}
	}
}

// TestSourcingRecommendationRules: the report names the officer's
// recommendation and every rejection reason; a rejection of the top-ranked
// option without another recommendation is 422, as is a recommendation of
// another option without a justification.
func TestSourcingRecommendationRules(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	_, req := readmeWorkedExample(t)
	post := func(extra string) response {
		return ts.do("POST", "/api/v1/comparisons", officer, strings.Replace(string(req), `"title"`, extra+`, "title"`, 1))
	}
	r := post(`"rejectionReasons": {"iaas": "Covers the servers only: desktop licences still needed"}`)
	if r.Status != 422 {
		t.Fatalf("a rejection of the top-ranked option without a recommendation: %d %s, want 422", r.Status, r.Body)
	}
	if p := fieldsOf(r.problem(t)); !strings.Contains(p["rejectionReasons.iaas"], "top-ranked") {
		t.Errorf("the 422 should name rejectionReasons.iaas and say it is the top-ranked option: %v", p)
	}
	if r := post(`"recommendedOption": "saas"`); r.Status != 422 || fieldsOf(r.problem(t))["justification"] == "" {
		t.Errorf("another option without a justification: %d %s", r.Status, r.Body)
	}
	if r := post(`"recommendedOption": "nope", "justification": "x"`); r.Status != 422 || fieldsOf(r.problem(t))["recommendedOption"] == "" {
		t.Errorf("an unknown recommended option: %d %s", r.Status, r.Body)
	}

	r = post(`"recommendedOption": "saas", "justification": "The SaaS contract includes the document management integration the council needs.",
		"rejectionReasons": {"iaas": "Covers the servers only: desktop licences still needed", "onprem": "The hosts reach the end of support in March 2026"}`)
	if r.Status != 201 {
		t.Fatalf("a justified recommendation: %d %s", r.Status, r.Body)
	}
	var rec comparisonView
	r.json(t, &rec)
	html := string(ts.mustDo("GET", "/api/v1/comparisons/"+rec.ID+"/report", officer, nil).Body)
	for _, want := range []string{"The officer recommends <strong>Hosted R&amp;B (SaaS)</strong>", "IaaS virtual machines ranks first",
		"because: The SaaS contract includes the document management integration",
		"Rejected. Covers the servers only: desktop licences still needed", "Rejected. The hosts reach the end of support in March 2026",
		"The recommended option costs £231,353.58"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(html, "recommends <strong>IaaS virtual machines</strong>") {
		t.Error("the report approves the top-ranked option the officer rejected")
	}
	var list listResponse[comparisonSummaryView]
	ts.mustDo("GET", "/api/v1/comparisons", officer, nil).json(t, &list)
	if list.Items[0].Recommended != "Hosted R&B (SaaS)" {
		t.Errorf("the listing names %q as recommended", list.Items[0].Recommended)
	}
	// The same rule on an edit.
	if r := ts.do("PATCH", "/api/v1/comparisons/"+rec.ID, officer, map[string]any{"recommendedOption": nil, "justification": nil}); r.Status != 422 {
		t.Errorf("an edit leaving a rejection on the top-ranked option: %d, want 422", r.Status)
	}
}

// TestSourcingExpiredFrameworks: a service on a framework that has ended
// is absent from the default search, shown flagged with includeExpired,
// and a comparison with it is refused unless an override names it, which
// the report then states.
func TestSourcingExpiredFrameworks(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	old := gcService("920000000000001", "Backup vault")
	old.FrameworkSlug = "g-cloud-13" // ended 8 November 2024
	live := gcService("920000000000002", "Backup vault plus")
	ts.importJSON(officer, old, live)
	var hits listResponse[sourcing.Hit]
	ts.mustDo("GET", "/api/v1/services?q=backup+vault", "", nil).json(t, &hits)
	if hits.Total != 1 || hits.Items[0].Service.ID != live.ID {
		t.Fatalf("default search: %+v, want only the live service", hits.Items)
	}
	ts.mustDo("GET", "/api/v1/services?q=backup+vault&includeExpired=true&sort=name", "", nil).json(t, &hits)
	if hits.Total != 2 || hits.Items[0].FrameworkClosed == nil || !hits.Items[0].FrameworkClosed.Expired || hits.Items[0].FrameworkClosed.Expiry != "2024-11-08" || hits.Items[1].FrameworkClosed != nil {
		t.Fatalf("includeExpired: %+v", hits.Items)
	}
	if hits.Items[0].Service.ServiceDescription == "" {
		t.Error("a hit does not carry the whole service")
	}

	body := map[string]any{"title": "Backup", "startYear": 2027,
		"cloudOptions": []any{map[string]any{"id": "vault", "serviceId": old.ID, "fixedQuantity": "2", "carbon": map[string]any{"declaredKwhPerYear": "100"}},
			map[string]any{"id": "plus", "serviceId": live.ID, "fixedQuantity": "2", "carbon": map[string]any{"declaredKwhPerYear": "100"}}},
		"onPremOptions": []any{map[string]any{"id": "tape", "name": "Tape library", "servers": 1, "hardwareCapex": "9000", "refreshYears": 5,
			"powerWatts": "200", "electricityPricePerKwh": "0.28"}}}
	r := ts.do("POST", "/api/v1/comparisons", officer, body)
	if r.Status != 422 || !strings.Contains(fieldsOf(r.problem(t))["cloudOptions[0].frameworkSlug"], "G-Cloud 13 expired on 2024-11-08") {
		t.Fatalf("a comparison with a G-Cloud 13 service: %d %s, want 422 on cloudOptions[0].frameworkSlug", r.Status, r.Body)
	}
	body["frameworkOverride"] = map[string]any{"options": []string{"vault"}, "reason": "The council's current call-off, for comparison with its replacement"}
	r = ts.do("POST", "/api/v1/comparisons", officer, body)
	if r.Status != 201 {
		t.Fatalf("with the override: %d %s", r.Status, r.Body)
	}
	var rec comparisonView
	r.json(t, &rec)
	if rec.FrameworkOverride == nil || rec.FrameworkOverride.By == "" || rec.Input.CloudOptions[0].FrameworkSlug != "g-cloud-13" {
		t.Errorf("override %+v, snapshotted framework %q", rec.FrameworkOverride, rec.Input.CloudOptions[0].FrameworkSlug)
	}
	html := string(ts.mustDo("GET", "/api/v1/comparisons/"+rec.ID+"/report", officer, nil).Body)
	if !strings.Contains(html, "Kept in the comparison by") || !strings.Contains(html, "for comparison with its replacement") {
		t.Error("the report does not state the framework override")
	}
	if r := ts.do("POST", "/api/v1/comparisons", officer, map[string]any{"title": "x", "startYear": 2027, "frameworkOverride": map[string]any{"options": []string{"vault"}},
		"cloudOptions": body["cloudOptions"], "onPremOptions": body["onPremOptions"]}); r.Status != 422 || fieldsOf(r.problem(t))["frameworkOverride.reason"] == "" {
		t.Errorf("an override without a reason: %d %s", r.Status, r.Body)
	}
	// The shortlist's provenance says closed frameworks were left out.
	var ss savedSearchView
	ts.mustDo("POST", "/api/v1/saved-searches", officer, map[string]any{"name": "Backup", "query": "q=backup+vault"}).json(t, &ss)
	csv := string(ts.mustDo("GET", "/api/v1/saved-searches/"+ss.ID+"/export.csv", officer, nil).Body)
	if !strings.Contains(csv, "# Closed frameworks: left out") || !strings.Contains(csv, "# Results: 1\r\n") || strings.Contains(csv, old.ID) {
		t.Errorf("the shortlist of a default search:\n%s", csv)
	}
}

// TestSourcingCloudFirstPolicy: an organisation switches its cloud-by-
// default policy; an on-premise recommendation then needs service reasons,
// the report states the cost and carbon against the best cloud option, and
// a decided comparison keeps the policy it was decided under.
func TestSourcingCloudFirstPolicy(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	path := "/api/v1/sourcing-settings/neddc"
	for _, c := range []struct {
		key  string
		want int
	}{{"", 401}, {ts.key(domain.RoleOfficer, "bdc"), 403}, {ts.key(domain.RolePublisher, "neddc"), 403}} {
		if r := ts.do("PUT", path, c.key, map[string]any{"cloudFirst": true}); r.Status != c.want {
			t.Errorf("PUT settings: %d, want %d", r.Status, c.want)
		}
	}
	r := ts.mustDo("PUT", path, officer, map[string]any{"cloudFirst": true})
	if !ts.audited("sourcing-settings.update", "neddc") {
		t.Error("the policy change was not audited")
	}
	if r := ts.do("PUT", path, officer, map[string]any{"cloudFirst": false}, "If-Match", `"neddc-99"`); r.Status != 412 {
		t.Errorf("a stale If-Match: %d, want 412", r.Status)
	}
	var st struct{ CloudFirst bool }
	ts.mustDo("GET", path, "", nil).json(t, &st)
	if !st.CloudFirst || r.Header.Get("ETag") == "" {
		t.Fatalf("settings after PUT: %+v", st)
	}

	_, req := readmeWorkedExample(t)
	post := func(extra string) response {
		return ts.do("POST", "/api/v1/comparisons", officer, strings.Replace(string(req), `"title"`, extra+`, "title"`, 1))
	}
	onPrem := `"recommendedOption": "onprem", "justification": "The hosts were refreshed in 2024 and have two years of support left."`
	if r := post(onPrem); r.Status != 422 || fieldsOf(r.problem(t))["serviceReasons"] == "" {
		t.Fatalf("an on-premise recommendation without service reasons under cloud first: %d %s", r.Status, r.Body)
	}
	r = post(onPrem + `, "serviceReasons": "Integration with the on-site document scanning cannot move to the cloud before 2027."`)
	if r.Status != 201 {
		t.Fatalf("with service reasons: %d %s", r.Status, r.Body)
	}
	var rec comparisonView
	r.json(t, &rec)
	report := func() string {
		return string(ts.mustDo("GET", "/api/v1/comparisons/"+rec.ID+"/report", officer, nil).Body)
	}
	for _, want := range []string{"Cloud by default.", "is on-premise", "more in present value than IaaS virtual machines", "document scanning"} {
		if !strings.Contains(report(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	ts.mustDo("POST", "/api/v1/comparisons/"+rec.ID+"/decide", officer, map[string]any{"decision": "Keep the hosts", "by": "Head of ICT"})
	ts.mustDo("PUT", path, officer, map[string]any{"cloudFirst": false})
	if !strings.Contains(report(), "Cloud by default.") {
		t.Error("switching the policy off changed the report of a decided comparison")
	}
}

// TestSourcingAwardOutcomeLinksAndNotices: an award names the decided
// comparison it rests on and the joint procurement it is part of, and
// states the notices it triggers.
func TestSourcingAwardOutcomeLinksAndNotices(t *testing.T) {
	w := newSourcingWorld(t)
	ts := w.ts
	var got savedSearchView
	ts.mustDo("GET", "/api/v1/saved-searches/"+w.linkedSearch, w.own.key, nil).json(t, &got)
	o := got.Outcome
	if o == nil || o.ComparisonID != w.published || o.JointProcurement != w.jp || got.Notices == nil {
		t.Fatalf("outcome %+v, notices %+v", o, got.Notices)
	}
	n := got.Notices
	// £42,000 ex VAT, £50,400 with it: a contract details notice on Find a
	// Tender (notifiable below threshold) and the contracts register.
	if !n.ContractsRegister || n.RuleSet == "" || !slices.Equal(n.Notices, []procurement.Notice{procurement.NoticeContractDetails, procurement.NoticeTransparencyRegister}) {
		t.Errorf("a £42,000 award's notices: %+v", n)
	}

	ts.mustDo("GET", "/api/v1/saved-searches/"+w.search+"/export.csv", w.own.key, nil)
	award := map[string]any{"result": "awarded", "serviceId": "910000000000001", "contractValue": "4000.00", "startDate": "2027-04-01",
		"endDate": "2028-03-31", "buyingOrganisation": "NEDDC"}
	for field, bad := range map[string]any{"comparisonId": w.draft, "jointProcurement": "nope"} {
		body := map[string]any{field: bad}
		for k, v := range award {
			body[k] = v
		}
		r := ts.do("POST", "/api/v1/saved-searches/"+w.search+"/outcome", w.own.key, body)
		if r.Status != 400 || fieldsOf(r.problem(t))[field] == "" {
			t.Errorf("an outcome with %s %v: %d %s, want 400 naming it", field, bad, r.Status, r.Body)
		}
	}
	ts.mustDo("POST", "/api/v1/saved-searches/"+w.search+"/outcome", w.own.key, award).json(t, &got)
	if got.Notices == nil || got.Notices.ContractsRegister || len(got.Notices.Notices) != 0 {
		t.Errorf("a £4,000 award triggers %+v", got.Notices)
	}
}
