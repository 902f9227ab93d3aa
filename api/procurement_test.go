package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestProcurementWritesNeedTheRightKey(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	in := procInput("JICT-2026-010", "gcloudDirectAward")

	for name, key := range map[string]string{"none": "", "publisher": k.publisher, "partner": k.partner, "outsider": k.outsider} {
		r := ts.do("POST", "/api/v1/procurements", key, in)
		want := 403
		if key == "" {
			want = 401
		}
		if r.Status != want {
			t.Errorf("create with %s key: %d, want %d: %s", name, r.Status, want, r.Body)
		}
		r.problem(t)
	}
	p := createProc(t, ts, k.host, in)
	if p.State != "pipeline" || p.Version != 1 || p.Published {
		t.Fatalf("created %+v", p)
	}
	base := "/api/v1/procurements/" + p.ID
	writes := []struct {
		name, path string
		body       any
	}{
		{"patch", base, map[string]string{"title": "Renamed"}},
		{"transition", base + "/transitions", map[string]string{"to": "planning", "reason": "market engagement"}},
		{"approval", base + "/approvals", map[string]string{"body": "jointManagementTeam", "date": "2026-07-01"}},
		{"saving", base + "/realised-savings", map[string]string{"organisation": "dddc", "from": "2026-01-01", "to": "2026-12-31", "amount": "10.00"}},
	}
	for _, w := range writes {
		method := "POST"
		if w.name == "patch" {
			method = "PATCH"
		}
		for name, key := range map[string]string{"none": "", "publisher": k.publisher, "outsider": k.outsider} {
			r := ts.do(method, w.path, key, w.body)
			want := 403
			if key == "" {
				want = 401
			}
			if r.Status != want {
				t.Errorf("%s with %s key: %d, want %d: %s", w.name, name, r.Status, want, r.Body)
			}
			r.problem(t)
		}
	}
	// The partner may not run the lifecycle nor edit the host's fields.
	if r := move(ts, k.partner, p.ID, "planning", ""); r.Status != 403 {
		t.Errorf("partner moved the lifecycle: %d", r.Status)
	}
	r := ts.do("PATCH", base, k.partner, map[string]any{"title": "Mine", "baseline": map[string]string{"neddc": "1.00"}})
	if r.Status != 403 {
		t.Fatalf("partner edited host fields: %d %s", r.Status, r.Body)
	}
	pb := r.problem(t)
	var fields []string
	for _, f := range pb.Errors {
		fields = append(fields, f.Field)
	}
	if !slices.Equal(fields, []string{"baseline.neddc", "title"}) || !slices.Contains(pb.Allowed, "baseline.bdc") {
		t.Errorf("forbidden fields %v allowed %v", fields, pb.Allowed)
	}
	// What each may do is a 2xx, audited.
	if r := ts.do("PATCH", base, k.partner, map[string]any{"baseline": map[string]string{"bdc": "47000.00"}}); r.Status != 200 {
		t.Fatalf("partner's own baseline: %d %s", r.Status, r.Body)
	}
	if r := ts.do("PATCH", base, k.host, map[string]string{"title": "Renamed"}); r.Status != 200 {
		t.Fatalf("host patch: %d %s", r.Status, r.Body)
	}
	if r := approve(ts, k.partner, p.ID, "cabinet", "bdc"); r.Status != 200 {
		t.Fatalf("partner's own cabinet approval: %d %s", r.Status, r.Body)
	}
	if r := approve(ts, k.partner, p.ID, "cabinet", "neddc"); r.Status != 403 {
		t.Errorf("partner recorded the host's cabinet approval: %d %s", r.Status, r.Body)
	}
	mustMove(t, ts, k.host, p.ID, "planning", "")
	got := auditActions(t, ts, p.ID)
	want := map[string]int{"procurement.create": 1, "procurement.update": 2, "procurement.approval": 1, "procurement.transition": 1}
	for a, n := range want {
		if got[a] != n {
			t.Errorf("audit %s: %d entries, want %d (all: %v)", a, got[a], n, got)
		}
	}
}

func TestProcurementLifecycleOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-011", "gcloudDirectAward"))

	r := move(ts, k.host, p.ID, "tender", "")
	if r.Status != 409 {
		t.Fatalf("pipeline -> tender: %d %s", r.Status, r.Body)
	}
	if pb := r.problem(t); !slices.Equal(pb.Allowed, []string{"planning", "cancelled"}) {
		t.Errorf("allowed %v", pb.Allowed)
	}
	moveToEvaluation(t, ts, k.host, p.ID)
	r = move(ts, k.host, p.ID, "awardDecision", "")
	if r.Status != 409 {
		t.Fatalf("award without approvals: %d %s", r.Status, r.Body)
	}
	pb := r.problem(t)
	for _, want := range []string{"awards", "jointManagementTeam", "ictSharedServiceCommittee", "neddc-cabinet", "bdc-executive"} {
		if !strings.Contains(pb.Detail, want) {
			t.Errorf("the missing approval %s is not named: %s", want, pb.Detail)
		}
	}
	var as struct {
		MissingApprovals []string `json:"missingApprovals"`
		KeyDecisions     []string `json:"keyDecisions"`
		Notices          []string `json:"notices"`
		Regime           string   `json:"regime"`
	}
	r = ts.do("GET", "/api/v1/procurements/"+p.ID+"/assessment", k.partner, nil)
	r.json(t, &as)
	if r.Status != 200 || len(as.MissingApprovals) != 4 || !slices.Equal(as.KeyDecisions, []string{"neddc", "bdc"}) || as.Regime != "aboveThreshold" {
		t.Errorf("assessment %d %+v", r.Status, as)
	}
	if r := ts.do("GET", "/api/v1/procurements/"+p.ID+"/assessment", k.outsider, nil); r.Status != 403 {
		t.Errorf("outsider read the assessment: %d", r.Status)
	}
	approveAll(t, ts, k, p.ID)
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, award("270000.01")); r.Status != 200 {
		t.Fatalf("award patch: %d %s", r.Status, r.Body)
	}
	got := mustMove(t, ts, k.host, p.ID, "awardDecision", daysAgo(10))
	if got.Standstill != "" {
		t.Errorf("a G-Cloud call-off has no standstill, got %s", got.Standstill)
	}
	got = mustMove(t, ts, k.host, p.ID, "contractSigned", daysAgo(5))
	if got.Details == "" {
		t.Error("no contract details notice due date")
	}
	saving := map[string]string{"organisation": "bdc", "from": dayAgo(2), "to": dayAgo(0), "amount": "12500.00"}
	if r := ts.do("POST", "/api/v1/procurements/"+p.ID+"/realised-savings", k.partner, saving); r.Status != 409 {
		t.Errorf("saving before go-live: %d %s", r.Status, r.Body)
	}
	mustMove(t, ts, k.host, p.ID, "live", daysAgo(2))
	if r := ts.do("POST", "/api/v1/procurements/"+p.ID+"/realised-savings", k.partner, saving); r.Status != 200 {
		t.Fatalf("partner's saving: %d %s", r.Status, r.Body)
	}
	saving["organisation"] = "neddc"
	if r := ts.do("POST", "/api/v1/procurements/"+p.ID+"/realised-savings", k.partner, saving); r.Status != 403 {
		t.Errorf("partner recorded the host's saving: %d %s", r.Status, r.Body)
	}
	var sh struct {
		ContractCost string `json:"contractCost"`
		Shares       []struct {
			Organisation, Percent, Amount string
		} `json:"shares"`
		Savings struct {
			Parties []struct {
				Organisation string `json:"organisation"`
				Realised     string `json:"realised"`
				Saving       string `json:"saving"`
			} `json:"parties"`
		} `json:"savings"`
	}
	r = ts.do("GET", "/api/v1/procurements/"+p.ID+"/shares", k.partner, nil)
	r.json(t, &sh)
	// £270,000.01 in halves: the odd penny goes to the first id in byte order (bdc, listed second).
	if sh.ContractCost != "270000.01" || len(sh.Shares) != 2 || sh.Shares[0].Amount != "135000.00" || sh.Shares[1].Amount != "135000.01" {
		t.Errorf("shares %+v", sh)
	}
	if sh.Savings.Parties[1].Realised != "12500.00" || sh.Savings.Parties[1].Saving != "-0.01" {
		t.Errorf("savings %+v (bdc: baseline 45000 x 3 years - 135000.01)", sh.Savings.Parties)
	}
	mustMove(t, ts, k.host, p.ID, "closed", "")
	r = move(ts, k.host, p.ID, "cancelled", "")
	if r.Status != 409 || len(r.problem(t).Allowed) != 0 {
		t.Errorf("a closed procurement moved: %d %s", r.Status, r.Body)
	}
	var full procOut
	ts.do("GET", "/api/v1/procurements/"+p.ID, k.host, nil).json(t, &full)
	if len(full.History) != 7 || full.History[0]["by"] == "" || full.History[0]["reason"] == "" {
		t.Errorf("history %v", full.History)
	}
}

func TestProcurementStandstillAcrossBankHoliday(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-012", "competitiveFlexible"))
	moveToAugustEvaluation(t, ts, k.host, p.ID)
	// Decided on Wednesday 12 August: the five-day call-in ends on 19 August.
	approveAllOn(t, ts, k, p.ID, "2026-08-12")
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, awardFrom("300000.00", "2026-10-01", "2029-09-30")); r.Status != 200 {
		t.Fatalf("award patch: %d %s", r.Status, r.Body)
	}
	// Thursday 27 August 2026; Monday 31 August is the summer bank holiday.
	got := mustMove(t, ts, k.host, p.ID, "awardDecision", "2026-08-27T09:00:00Z")
	if got.Standstill != "2026-09-08" {
		t.Errorf("standstill ends %s, want 2026-09-08", got.Standstill)
	}
	r := move(ts, k.host, p.ID, "contractSigned", "2026-09-08T16:00:00Z")
	if r.Status != 409 || !strings.Contains(r.problem(t).Detail, "2026-09-09") {
		t.Errorf("signed within the standstill: %d %s", r.Status, r.Body)
	}
	if r := move(ts, k.host, p.ID, "contractSigned", "2026-08-01T16:00:00Z"); r.Status != 400 {
		t.Errorf("a move before the previous one: %d %s", r.Status, r.Body)
	}
	got = mustMove(t, ts, k.host, p.ID, "contractSigned", "2026-09-09T10:00:00Z")
	if got.Details != "2026-10-08" {
		t.Errorf("contract details notice due %s, want 2026-10-08", got.Details)
	}
}

func TestProcurementConcurrentPatches(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	p := createProc(t, ts, k.host, procInput("JICT-2026-013", "gcloudDirectAward"))
	url := ts.URL + "/api/v1/procurements/" + p.ID
	r := ts.do("GET", "/api/v1/procurements/"+p.ID, k.host, nil)
	tag := r.Header.Get("ETag")

	const n = 8
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]string{"title": fmt.Sprintf("Title %d", i)})
			req, _ := http.NewRequest("PATCH", url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/merge-patch+json")
			req.Header.Set("Authorization", "Bearer "+k.host)
			req.Header.Set("If-Match", tag)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return
			}
			res.Body.Close()
			statuses[i] = res.StatusCode
		})
	}
	wg.Wait()
	winner := -1
	for i, s := range statuses {
		switch {
		case s == 200 && winner < 0:
			winner = i
		case s == 200:
			t.Errorf("two PATCHes with the same ETag succeeded: %v", statuses)
		case s != 412:
			t.Errorf("PATCH %d: status %d", i, s)
		}
	}
	if winner < 0 {
		t.Fatalf("no PATCH succeeded: %v", statuses)
	}
	var now procOut
	r = ts.do("GET", "/api/v1/procurements/"+p.ID, k.host, nil)
	r.json(t, &now)
	if now.Title != fmt.Sprintf("Title %d", winner) || now.Version != 2 {
		t.Errorf("after the race: %q version %d, want the winner's title at version 2", now.Title, now.Version)
	}
	// A stale ETag changes nothing; a fresh one works.
	r = ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, map[string]string{"title": "Late"}, "If-Match", tag)
	if r.Status != 412 {
		t.Errorf("stale If-Match: %d", r.Status)
	}
	if r := ts.do("GET", "/api/v1/procurements/"+p.ID, k.host, nil); !strings.Contains(string(r.Body), fmt.Sprintf("Title %d", winner)) {
		t.Error("a stale PATCH changed the record")
	}
	cur := ts.do("GET", "/api/v1/procurements/"+p.ID, k.host, nil)
	if r := ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, map[string]string{"title": "Fresh"}, "If-Match", cur.Header.Get("ETag")); r.Status != 200 {
		t.Errorf("fresh If-Match: %d %s", r.Status, r.Body)
	}
	if got := auditActions(t, ts, p.ID)["procurement.update"]; got != 2 {
		t.Errorf("%d updates audited, want 2", got)
	}
}

func TestProcurementVisibilityAndValidation(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	in := procInput("JICT-2026-014", "gcloudDirectAward")
	in["comparison"] = "no-such-comparison"
	in["partners"] = []string{"bdc", "nobody"}
	r := ts.do("POST", "/api/v1/procurements", k.host, in)
	if r.Status != 400 {
		t.Fatalf("invalid create: %d %s", r.Status, r.Body)
	}
	var fields []string
	for _, f := range r.problem(t).Errors {
		fields = append(fields, f.Field)
	}
	for _, f := range []string{"comparison", "partners[1]"} {
		if !slices.Contains(fields, f) {
			t.Errorf("no problem for %s in %v", f, fields)
		}
	}
	p := createProc(t, ts, k.host, procInput("JICT-2026-014", "gcloudDirectAward"))
	if r := ts.do("POST", "/api/v1/procurements", k.host, procInput("JICT-2026-014", "gcloudDirectAward")); r.Status != 409 {
		t.Errorf("duplicate reference: %d", r.Status)
	}
	list := func(key, query string) []procOut {
		var l listResponse[procOut]
		ts.do("GET", "/api/v1/procurements"+query, key, nil).json(t, &l)
		return l.Items
	}
	if len(list("", "")) != 0 || len(list(k.outsider, "")) != 0 {
		t.Error("a pipeline entry is public")
	}
	if r := ts.do("GET", "/api/v1/procurements/"+p.ID, "", nil); r.Status != 404 {
		t.Errorf("anonymous read of a pipeline entry: %d", r.Status)
	}
	if got := list(k.partner, ""); len(got) != 1 || got[0].Baseline["bdc"] != "45000.00" {
		t.Errorf("partner's list %+v", got)
	}
	mustMove(t, ts, k.host, p.ID, "planning", "")
	got := list("", "?state=planning&partner=bdc&text=service+desk")
	if len(got) != 1 || !got[0].Published || got[0].Baseline != nil || got[0].Approvals != nil || got[0].OCID != "ocds-jict00-JICT-2026-014" {
		t.Errorf("public list %+v", got)
	}
	if len(list("", "?state=tender")) != 0 || len(list("", "?text=nothing-like-it")) != 0 {
		t.Error("filters do not filter")
	}
	if r := ts.do("GET", "/api/v1/procurements?state=bogus", "", nil); r.Status != 400 {
		t.Errorf("bad state filter: %d", r.Status)
	}
	r = ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, map[string]string{"reference": "JICT-2026-999"})
	if r.Status != 400 || r.problem(t).Errors[0].Field != "reference" {
		t.Errorf("changed the reference of a published procurement: %d %s", r.Status, r.Body)
	}
	r = ts.do("PATCH", "/api/v1/procurements/"+p.ID, k.host, map[string]string{"state": "live"})
	if r.Status != 403 {
		t.Errorf("patched the state: %d %s", r.Status, r.Body)
	}
	// A reference with slashes makes an ocid that the record URL takes as
	// is or percent-encoded.
	slashed := createProc(t, ts, k.host, procInput("JICT/2026/030", "gcloudDirectAward"))
	mustMove(t, ts, k.host, slashed.ID, "planning", "")
	for _, path := range []string{"/ocds/records/ocds-jict00-JICT/2026/030", "/ocds/records/ocds-jict00-JICT%2F2026%2F030"} {
		if r := ts.do("GET", path, "", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"ocid":"ocds-jict00-JICT/2026/030"`) {
			t.Errorf("%s: %d %s", path, r.Status, r.Body)
		}
	}
}
