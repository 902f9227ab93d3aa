package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jointict/councilapi/domain"
)

// answer is a single procurement answer with its assessment.
type answer struct {
	procOut
	RegisterProblems   []string `json:"registerProblems"`
	IdentifierProblems []string `json:"identifierProblems"`
	Assessment         *struct {
		MissingApprovals []string `json:"missingApprovals"`
		Approvals        []struct {
			Body, Outcome, CallInEnds, AwardFrom, Problem string
		} `json:"approvals"`
		NoticesDue []struct {
			Notice, DueWith, Due, Published string
			Overdue                         bool
		} `json:"noticesDue"`
		Next []struct {
			To    string                `json:"to"`
			Ready bool                  `json:"ready"`
			From  string                `json:"from"`
			Needs []domain.FieldProblem `json:"needs"`
		} `json:"next"`
		Obligations []struct {
			What, Field, Due string
			Overdue          bool
		} `json:"obligations"`
	} `json:"assessment"`
}

func answerOf(t *testing.T, r response) answer {
	t.Helper()
	if r.Status != 200 && r.Status != 201 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var a answer
	r.json(t, &a)
	return a
}

// refused checks a 409 problem whose errors name every field in want.
func refused(t *testing.T, what string, r response, want ...string) {
	t.Helper()
	if r.Status != http.StatusConflict {
		t.Errorf("%s: %d, want 409: %s", what, r.Status, r.Body)
		return
	}
	p := r.problem(t)
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
	}
	for _, w := range want {
		if !slices.ContainsFunc(p.Errors, func(f domain.FieldProblem) bool { return f.Field == w && f.Problem != "" }) {
			t.Errorf("%s: no problem names %s; errors %v (%s)", what, w, got, p.Detail)
		}
	}
}

func problemWith(t *testing.T, r response, field, words string) {
	t.Helper()
	for _, f := range r.problem(t).Errors {
		if f.Field == field && strings.Contains(f.Problem, words) {
			return
		}
	}
	t.Errorf("no problem of %s says %q: %s", field, words, r.Body)
}

func TestEveryRefusedTransitionNamesItsMissingFacts(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-040", "gcloudDirectAward"))
	moveToEvaluation(t, ts, k.host, p.ID)

	// Nothing recorded: the award and every approval its value needs.
	refused(t, "no award, no approvals", move(ts, k.host, p.ID, "awardDecision", ""),
		"awards", "approvals.jointManagementTeam", "approvals.ictSharedServiceCommittee", "approvals.neddc-cabinet", "approvals.bdc-executive")

	// An award without the supplier's number and the value including VAT.
	bare := map[string]any{"awards": []map[string]any{{"id": "a1", "value": "270000.00", "supplier": map[string]any{"name": "Helpdesk Ltd"}}}}
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, bare); r.Status != 200 {
		t.Fatalf("bare award: %d %s", r.Status, r.Body)
	}
	approveAll(t, ts, k, p.ID)
	refused(t, "unidentified supplier, no gross value", move(ts, k.host, p.ID, "awardDecision", ""),
		"awards[0].supplier.companiesHouse", "awards[0].valueIncVat")
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, award("270000.00")); r.Status != 200 {
		t.Fatalf("award: %d %s", r.Status, r.Body)
	}

	// A refusal blocks the award; a deferral too; and the answer to the
	// approval says so in its assessment.
	r := ts.do("POST", "/api/v1/procurements/"+p.ID+"/approvals", k.partner,
		map[string]string{"body": "bdc-executive", "outcome": "refused", "date": dayAgo(25), "reference": "EX/2026/77"})
	a := answerOf(t, r)
	if a.Assessment == nil || !slices.Equal(a.Assessment.MissingApprovals, []string{"bdc-executive"}) {
		t.Fatalf("approval answer without the assessment of the refusal: %s", r.Body)
	}
	refused(t, "a refusal", move(ts, k.host, p.ID, "awardDecision", ""), "approvals.bdc-executive")
	problemWith(t, move(ts, k.host, p.ID, "awardDecision", ""), "approvals.bdc-executive", "refusal blocks the award")
	ts.do("POST", "/api/v1/procurements/"+p.ID+"/approvals", k.partner, map[string]string{"body": "bdc-executive", "outcome": "deferred", "date": dayAgo(24)})
	problemWith(t, move(ts, k.host, p.ID, "awardDecision", ""), "approvals.bdc-executive", "deferred")

	// Dates out of order: an approval before the evaluation began, one
	// after the award decision, one whose call-in has not run.
	approveOn(ts, k.partner, p.ID, "bdc-executive", "", dayAgo(35))
	problemWith(t, move(ts, k.host, p.ID, "awardDecision", ""), "approvals.bdc-executive", "before the evaluation began")
	approveOn(ts, k.partner, p.ID, "bdc-executive", "", dayAgo(5))
	problemWith(t, move(ts, k.host, p.ID, "awardDecision", daysAgo(10)), "approvals.bdc-executive", "after the award decision")
	approveOn(ts, k.partner, p.ID, "bdc-executive", "", dayAgo(1))
	problemWith(t, move(ts, k.host, p.ID, "awardDecision", ""), "approvals.bdc-executive", "call-in period")
	// A decision cannot be dated in the future, nor a move.
	if r := approveOn(ts, k.partner, p.ID, "bdc-executive", "", dayAgo(-3)); r.Status != 400 {
		t.Errorf("a decision dated in the future: %d %s", r.Status, r.Body)
	}
	if r := move(ts, k.host, p.ID, "awardDecision", daysAgo(-1)); r.Status != 400 {
		t.Errorf("a move dated tomorrow: %d %s", r.Status, r.Body)
	} else {
		problemWith(t, r, "at", "future")
	}
	// With every fact in order the move is made.
	approveOn(ts, k.partner, p.ID, "bdc-executive", "", dayAgo(25))
	if a := answerOf(t, move(ts, k.host, p.ID, "awardDecision", daysAgo(10))); a.State != "awardDecision" || len(a.Assessment.MissingApprovals) != 0 {
		t.Errorf("award decision %s %+v", a.State, a.Assessment.MissingApprovals)
	}
}

func TestLifecycleAnswersCarryTheAssessment(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-041", "gcloudDirectAward"))
	moveToEvaluation(t, ts, k.host, p.ID)
	approveAll(t, ts, k, p.ID)
	// An award starting in ten days, so the contract is not live yet.
	start := dayAgo(-10)
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, awardFrom("270000.00", start, dayAgo(-1000))); r.Status != 200 {
		t.Fatalf("award: %d %s", r.Status, r.Body)
	}
	a := answerOf(t, move(ts, k.host, p.ID, "awardDecision", daysAgo(10)))
	if a.State != "awardDecision" || a.Assessment == nil || len(a.Assessment.Next) != 2 || a.Assessment.Next[0].To != "contractSigned" {
		t.Fatalf("transition answer %+v", a.Assessment)
	}
	// contractSigned before a move: the signature must follow the award decision.
	if r := move(ts, k.host, p.ID, "contractSigned", daysAgo(12)); r.Status != 400 {
		t.Errorf("signed before the award decision: %d %s", r.Status, r.Body)
	}
	a = answerOf(t, move(ts, k.host, p.ID, "contractSigned", daysAgo(5)))
	// The contract details notice is due within 30 days of the signature
	// five days ago: due, not overdue.
	var details *struct {
		Notice, DueWith, Due, Published string
		Overdue                         bool
	}
	for i, n := range a.Assessment.NoticesDue {
		if n.Notice == "contractDetailsNotice" {
			details = &a.Assessment.NoticesDue[i]
		}
	}
	if details == nil || details.Due != a.Details || details.Overdue || len(a.Assessment.Obligations) != 1 || a.Assessment.Obligations[0].Field != "publishedNotices" {
		t.Errorf("notices %+v obligations %+v", a.Assessment.NoticesDue, a.Assessment.Obligations)
	}
	// live needs the start date reached; the next move says so and when.
	live := a.Assessment.Next[0]
	if live.To != "live" || live.Ready || live.From != start || len(live.Needs) != 1 || live.Needs[0].Field != "awards[0].start" {
		t.Errorf("next move %+v", live)
	}
	refused(t, "live before the start", move(ts, k.host, p.ID, "live", ""), "awards[0].start")
}

func TestContractDetailsNoticeBecomesAnOverdueObligation(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-042", "gcloudDirectAward"))
	mustMove(t, ts, k.host, p.ID, "planning", daysAgo(80))
	mustMove(t, ts, k.host, p.ID, "tender", daysAgo(79))
	mustMove(t, ts, k.host, p.ID, "evaluation", daysAgo(70))
	approveAllOn(t, ts, k, p.ID, dayAgo(65))
	undated := award("270000.00")
	delete(undated["awards"].([]map[string]any)[0], "start")
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, undated); r.Status != 200 {
		t.Fatalf("award: %d %s", r.Status, r.Body)
	}
	mustMove(t, ts, k.host, p.ID, "awardDecision", daysAgo(50))
	refused(t, "signed without a start date", move(ts, k.host, p.ID, "contractSigned", daysAgo(45)), "awards[0].start")
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, awardFrom("270000.00", dayAgo(40), dayAgo(-1000))); r.Status != 200 {
		t.Fatalf("award: %d %s", r.Status, r.Body)
	}
	a := answerOf(t, move(ts, k.host, p.ID, "contractSigned", daysAgo(40)))
	if len(a.Assessment.Obligations) != 1 || !a.Assessment.Obligations[0].Overdue {
		t.Errorf("the notice due 30 days after a signature 40 days ago is not overdue: %+v", a.Assessment.Obligations)
	}
	published := map[string]any{"publishedNotices": []map[string]string{{"notice": "contractDetailsNotice", "published": dayAgo(12)}}}
	a = answerOf(t, ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, published))
	if len(a.Assessment.Obligations) != 0 {
		t.Errorf("obligations after publishing the notice: %+v", a.Assessment.Obligations)
	}
}

func TestCallInAcrossTheSummerBankHoliday(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-043", "gcloudDirectAward"))
	moveToAugustEvaluation(t, ts, k.host, p.ID)
	for _, body := range []string{"jointManagementTeam", "ictSharedServiceCommittee", "neddc-cabinet"} {
		if r := approveOn(ts, k.host, p.ID, body, "", "2026-08-12"); r.Status != 200 {
			t.Fatalf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	// BDC's Executive decides on Thursday 27 August 2026: five clear working
	// days, with Monday 31 August the summer bank holiday, end on Friday 4
	// September, so the award can rely on it from Saturday 5 September.
	a := answerOf(t, approveOn(ts, k.partner, p.ID, "bdc-executive", "", "2026-08-27"))
	var bdc *struct{ Body, Outcome, CallInEnds, AwardFrom, Problem string }
	for i, s := range a.Assessment.Approvals {
		if s.Body == "bdc-executive" {
			bdc = &a.Assessment.Approvals[i]
		}
	}
	if bdc == nil || bdc.CallInEnds != "2026-09-04" || bdc.AwardFrom != "2026-09-05" {
		t.Fatalf("BDC's call-in %+v", bdc)
	}
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, awardFrom("270000.00", "2026-10-01", "2029-09-30")); r.Status != 200 {
		t.Fatalf("award: %d %s", r.Status, r.Body)
	}
	problemWith(t, move(ts, k.host, p.ID, "awardDecision", "2026-09-04T15:00:00Z"), "approvals.bdc-executive", "can be decided from 2026-09-05")
	mustMove(t, ts, k.host, p.ID, "awardDecision", "2026-09-07T09:00:00Z")

	// The call-in period is configured per body: BDC's constitution of 3 days.
	gov := ts.do("GET", "/api/v1/procurement-governance", "", nil)
	if gov.Status != 200 || !strings.Contains(string(gov.Body), `"BDC Executive"`) {
		t.Fatalf("governance %d %s", gov.Status, gov.Body)
	}
	changed := strings.Replace(string(gov.Body), `"organisation":"bdc","approves":"keyDecision"`, `"organisation":"bdc","approves":"keyDecision","callInClearWorkingDays":3`, 1)
	if r := ts.do("PUT", "/api/v1/procurement-governance", k.host, changed); r.Status != 200 {
		t.Fatalf("governance put: %d %s", r.Status, r.Body)
	}
	a = answerOf(t, ts.do("GET", "/api/v1/procurements/"+p.ID, k.partner, nil))
	for _, s := range a.Assessment.Approvals {
		if s.Body == "bdc-executive" && s.CallInEnds != "2026-09-02" {
			t.Errorf("3 clear working days from 28 August end on %s, want 2026-09-02", s.CallInEnds)
		}
	}
}

func TestEachCouncilRecordsOnlyItsOwnDecisions(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	in := procInput("JICT-2026-044", "gcloudDirectAward")
	in["partners"] = []string{"bdc", "dddc"}
	in["estimatedValue"], in["estimatedValueIncVat"] = "600000.00", "720000.00"
	p := createProc(t, ts, k.host, in)
	if r := ts.do("POST", "/api/v1/organisations", ts.Admin, map[string]string{"name": "Amber Valley Borough Council", "shortName": "AVBC", "gssCode": "E07000032"}); r.Status != 201 {
		t.Fatalf("organisation: %d %s", r.Status, r.Body)
	}
	dddc, amber := k.outsider, ts.key(domain.RoleOfficer, "avbc") // dddc is a partner here
	cases := []struct {
		who, key, body, org string
		want                int
	}{
		{"BDC for BDC's Executive", k.partner, "bdc-executive", "", 200},
		{"BDC for DDDC's committee", k.partner, "dddc-committee", "", 403},
		{"DDDC for its own committee", dddc, "dddc-committee", "", 200},
		{"DDDC in the earlier form", dddc, "cabinet", "dddc", 200},
		{"BDC for a joint body", k.partner, "jointManagementTeam", "", 403},
		{"the host for BDC's Executive", k.host, "bdc-executive", "", 403},
		{"the host for a joint body", k.host, "jointManagementTeam", "", 200},
		{"the host for its own Cabinet", k.host, "neddc-cabinet", "", 200},
		{"a council not party", amber, "jointManagementTeam", "", 403},
		{"an admin for DDDC", ts.Admin, "dddc-committee", "", 200},
		{"BDC for an unknown body", k.partner, "bdc-cabinet", "", 400},
	}
	for _, c := range cases {
		r := approveOn(ts, c.key, p.ID, c.body, c.org, dayAgo(1))
		if r.Status != c.want {
			t.Errorf("%s: %d, want %d: %s", c.who, r.Status, c.want, r.Body)
		}
		if r.Status >= 400 {
			r.problem(t)
		}
	}
	var full answer
	ts.do("GET", "/api/v1/procurements/"+p.ID, ts.Admin, nil).json(t, &full)
	if len(full.Approvals) != 4 {
		t.Errorf("%d approvals recorded, want 4 (BDC, DDDC, JMT, NEDDC): %v", len(full.Approvals), full.Approvals)
	}
}

func TestRoleAndPartyAreCheckedBeforeTheBody(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-045", "gcloudDirectAward"))
	base := "/api/v1/procurements/" + p.ID
	malformed := "{this is not JSON"
	cases := []struct {
		who, method, path, key string
	}{
		{"publisher creates", "POST", "/api/v1/procurements", k.publisher},
		{"publisher patches", "PATCH", base, k.publisher},
		{"outsider patches", "PATCH", base, k.outsider},
		{"partner moves", "POST", base + "/transitions", k.partner},
		{"outsider moves", "POST", base + "/transitions", k.outsider},
		{"outsider approves", "POST", base + "/approvals", k.outsider},
		{"outsider saves", "POST", base + "/realised-savings", k.outsider},
		{"partner sets cash lines", "PUT", base + "/cash-lines", k.partner},
		{"partner sets governance", "PUT", "/api/v1/procurement-governance", k.partner},
		{"publisher sets governance", "PUT", "/api/v1/procurement-governance", k.publisher},
		{"BDC adds to NEDDC's estate", "POST", "/api/v1/organisations/neddc/estate", k.partner},
		{"BDC imports into NEDDC's estate", "POST", "/api/v1/organisations/neddc/estate/import", k.partner},
		{"BDC reviews NEDDC's programme", "POST", "/api/v1/organisations/neddc/capital-programme/reviews", k.partner},
		{"BDC adds a line to NEDDC's programme", "PUT", "/api/v1/organisations/neddc/capital-programme/lines/x", k.partner},
	}
	for _, c := range cases {
		r := ts.do(c.method, c.path, c.key, malformed, "Content-Type", "text/plain")
		if r.Status != 403 {
			t.Errorf("%s with a malformed body: %d, want 403: %s", c.who, r.Status, r.Body)
		} else {
			r.problem(t)
		}
	}
	// A key of the wrong role is refused whatever its headers say.
	if r := ts.do("PATCH", base, k.publisher, malformed, "If-Match", "not an etag"); r.Status != 403 {
		t.Errorf("publisher with a malformed If-Match: %d", r.Status)
	}
}

func TestStaleIfMatchIs412AndLostRetriesAreNot(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-046", "gcloudDirectAward"))
	tag := ts.do("GET", "/api/v1/procurements/"+p.ID, k.host, nil).Header.Get("ETag")
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, map[string]string{"title": "First"}, "If-Match", tag); r.Status != 200 {
		t.Fatalf("fresh If-Match: %d", r.Status)
	}
	for name, path := range map[string]string{"approval": "/approvals", "transition": "/transitions"} {
		body := map[string]string{"body": "jointManagementTeam", "outcome": "approved", "date": dayAgo(1)}
		if name == "transition" {
			body = map[string]string{"to": "planning", "reason": "engagement"}
		}
		if r := ts.do("POST", "/api/v1/procurements/"+p.ID+path, k.host, body, "If-Match", tag); r.Status != 412 {
			t.Errorf("%s with a stale If-Match: %d, want 412", name, r.Status)
		}
	}
	// Without If-Match, concurrent writes of different facts all succeed:
	// each retries from a fresh read instead of failing the client.
	const n = 8
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Go(func() {
			r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, map[string]any{"milestones": nil, "documents": []map[string]string{
				{"id": fmt.Sprintf("d%d", i), "title": "Paper", "url": "https://example.gov.uk/p.pdf"}}})
			statuses[i] = r.Status
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != 200 {
			t.Errorf("concurrent PATCH %d without If-Match: %d", i, s)
		}
	}
	var now answer
	ts.do("GET", "/api/v1/procurements/"+p.ID, k.host, nil).json(t, &now)
	if now.Version != 2+n {
		t.Errorf("version %d after %d writes, want %d", now.Version, 1+1+n, 2+n)
	}
}

func TestRegisterPublicationAndIdentifierProblemsAreNeverSilent(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	if r := ts.do("POST", "/api/v1/organisations", ts.Admin, map[string]string{"name": "South Derbyshire District Council", "shortName": "SDDC", "gssCode": "E07000039"}); r.Status != 201 {
		t.Fatalf("organisation: %d %s", r.Status, r.Body)
	}
	in := procInput("JICT-2026-047", "gcloudDirectAward")
	in["partners"] = []string{"bdc", "sddc"}
	a := answerOf(t, ts.do("POST", "/api/v1/procurements", k.host, in))
	if len(a.RegisterProblems) != 1 || !strings.Contains(a.RegisterProblems[0], "no contact email") {
		t.Errorf("register problems %v", a.RegisterProblems)
	}
	if len(a.IdentifierProblems) != 1 || !strings.Contains(a.IdentifierProblems[0], "E07000039") {
		t.Errorf("identifier problems %v", a.IdentifierProblems)
	}
	var ready struct {
		Status string            `json:"status"`
		Detail map[string]string `json:"detail"`
	}
	r := ts.do("GET", "/readyz", "", nil)
	r.json(t, &ready)
	if r.Status != 200 || !strings.Contains(ready.Detail["contracts-register"], "no contact email") || !strings.Contains(ready.Detail["ocds-identifiers"], "South Derbyshire") {
		t.Errorf("/readyz %d %s", r.Status, r.Body)
	}
	ts.do("PATCH", "/api/v1/organisations/neddc", ts.Admin, map[string]any{"contact": map[string]string{"email": "ict@ne-derbyshire.gov.uk"}})
	ts.do("PATCH", "/api/v1/organisations/sddc", ts.Admin, map[string]any{"gssCode": nil})
	a = answerOf(t, ts.do("GET", "/api/v1/procurements/"+a.ID, k.host, nil))
	if len(a.RegisterProblems) != 0 || len(a.IdentifierProblems) != 1 || !strings.Contains(a.IdentifierProblems[0], "no GSS code") {
		t.Errorf("after the fixes: register %v identifiers %v", a.RegisterProblems, a.IdentifierProblems)
	}
	r = ts.do("GET", "/readyz", "", nil)
	ready.Detail = nil
	r.json(t, &ready)
	if _, ok := ready.Detail["contracts-register"]; ok || r.Status != 200 {
		t.Errorf("/readyz after the host's email: %s", r.Body)
	}
}

func TestGovernanceIsStoredAndGuarded(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	var gov struct {
		Bodies []map[string]any `json:"bodies"`
	}
	ts.do("GET", "/api/v1/procurement-governance", "", nil).json(t, &gov)
	if len(gov.Bodies) != 5 {
		t.Fatalf("seed governance %+v", gov)
	}
	p := createProc(t, ts, k.host, procInput("JICT-2026-048", "gcloudDirectAward"))
	if r := approve(ts, k.partner, p.ID, "bdc-executive", ""); r.Status != 200 {
		t.Fatal(r.Status)
	}
	// Renaming a body keeps its decisions; dropping it is refused.
	for _, b := range gov.Bodies {
		if b["id"] == "bdc-executive" {
			b["name"], b["kind"] = "Bolsover Executive", "executive"
		}
	}
	r := ts.do("PUT", "/api/v1/procurement-governance", ts.Admin, gov)
	if r.Status != 200 || r.Header.Get("ETag") == "" {
		t.Fatalf("rename: %d %s", r.Status, r.Body)
	}
	tag := r.Header.Get("ETag")
	kept := gov.Bodies
	gov.Bodies = slices.DeleteFunc(slices.Clone(kept), func(b map[string]any) bool { return b["id"] == "bdc-executive" })
	refused(t, "dropping a body with a decision", ts.do("PUT", "/api/v1/procurement-governance", k.host, gov), "bodies")
	gov.Bodies = append(kept, map[string]any{"id": "x", "name": "", "kind": "soviet", "approves": "keyDecision", "organisation": "nobody"})
	r = ts.do("PUT", "/api/v1/procurement-governance", k.host, gov)
	if r.Status != 400 {
		t.Errorf("invalid governance: %d %s", r.Status, r.Body)
	}
	gov.Bodies = kept
	if r := ts.do("PUT", "/api/v1/procurement-governance", k.host, gov, "If-Match", `"governance-1"`); r.Status != 200 {
		t.Errorf("host with a fresh If-Match: %d %s", r.Status, r.Body)
	}
	if r := ts.do("PUT", "/api/v1/procurement-governance", k.host, gov, "If-Match", tag); r.Status != 412 {
		t.Errorf("stale If-Match: %d", r.Status)
	}
	var a answer
	ts.do("GET", "/api/v1/procurements/"+p.ID, k.partner, nil).json(t, &a)
	if !strings.Contains(fmt.Sprint(a.Assessment.Approvals), "bdc-executive approved") {
		t.Errorf("the renamed body lost its decision: %+v", a.Assessment.Approvals)
	}
	if got := auditActions(t, ts, "governance")["procurement.governance"]; got != 2 {
		t.Errorf("%d governance changes audited, want 2", got)
	}
}
