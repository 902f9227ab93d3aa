package api

import (
	"context"
	"testing"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// procKeys are the keys the procurement tests act with: the host's officer
// (neddc), a partner's officer (bdc), an officer of a council that is not a
// party (dddc), and a publisher of the host.
type procKeys struct {
	host, partner, outsider, publisher string
}

func newProcKeys(ts *testServer) procKeys {
	return procKeys{host: ts.key(domain.RoleOfficer, "neddc"), partner: ts.key(domain.RoleOfficer, "bdc"),
		outsider: ts.key(domain.RoleOfficer, "dddc"), publisher: ts.key(domain.RolePublisher, "neddc")}
}

// procInput is a valid procurement of neddc (host) and bdc: £300,000 over
// 36 months split equally, so each council's £150,000 is a Key Decision.
func procInput(ref, route string) map[string]any {
	return map[string]any{
		"reference": ref, "title": "Service desk platform " + ref, "description": "Shared ITSM tool",
		"category": "services", "cpv": []string{"72000000-5", "48000000-8"}, "partners": []string{"bdc"},
		"route": route, "framework": "G-Cloud 14 (RM1557.14)",
		"estimatedValue": "300000.00", "estimatedValueIncVat": "360000.00", "termMonths": 36,
		"baseline": map[string]string{"neddc": "60000.00", "bdc": "45000.00"},
		"shares":   map[string]string{"method": "equal"},
	}
}

type procOut struct {
	ID         string `json:"id"`
	Reference  string `json:"reference"`
	Title      string `json:"title"`
	State      string `json:"state"`
	Version    int    `json:"version"`
	OCID       string `json:"ocid"`
	Published  bool   `json:"published"`
	Baseline   map[string]string
	Approvals  []map[string]any `json:"approvals"`
	History    []map[string]any `json:"history"`
	Standstill string           `json:"standstillEnds"`
	Details    string           `json:"contractDetailsNoticeDue"`
}

func createProc(t *testing.T, ts *testServer, key string, body any) procOut {
	t.Helper()
	r := ts.do("POST", "/api/v1/procurements", key, body)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var p procOut
	r.json(t, &p)
	return p
}

// move posts a transition; at may be "" for now.
func move(ts *testServer, key, id, to, at string) response {
	body := map[string]string{"to": to, "reason": "moving to " + to}
	if at != "" {
		body["at"] = at
	}
	return ts.do("POST", "/api/v1/procurements/"+id+"/transitions", key, body)
}

func mustMove(t *testing.T, ts *testServer, key, id, to, at string) procOut {
	t.Helper()
	r := move(ts, key, id, to, at)
	if r.Status != 200 {
		t.Fatalf("move to %s: %d %s", to, r.Status, r.Body)
	}
	var p procOut
	r.json(t, &p)
	return p
}

// daysAgo is the time n days before now, for moves recorded after the
// fact; dayAgo is its date.
func daysAgo(n int) string { return time.Now().AddDate(0, 0, -n).UTC().Format(time.RFC3339) }
func dayAgo(n int) string  { return time.Now().AddDate(0, 0, -n).UTC().Format(time.DateOnly) }

// approve records an approval dated 25 days ago, after an evaluation that
// began 30 days ago (moveToEvaluation) and early enough that any call-in
// period has passed.
func approve(ts *testServer, key, id, body, org string) response {
	return approveOn(ts, key, id, body, org, dayAgo(25))
}

func approveOn(ts *testServer, key, id, body, org, date string) response {
	a := map[string]string{"body": body, "date": date, "reference": "minute 12", "outcome": "approved"}
	if org != "" {
		a["organisation"] = org
	}
	return ts.do("POST", "/api/v1/procurements/"+id+"/approvals", key, a)
}

// approveAll records JMT, committee and both Cabinet decisions 25 days ago.
func approveAll(t *testing.T, ts *testServer, k procKeys, id string) {
	t.Helper()
	approveAllOn(t, ts, k, id, dayAgo(25))
}

func approveAllOn(t *testing.T, ts *testServer, k procKeys, id, date string) {
	t.Helper()
	for _, r := range []response{approveOn(ts, k.host, id, "jointManagementTeam", "", date), approveOn(ts, k.host, id, "ictSharedServiceCommittee", "", date),
		approveOn(ts, k.host, id, "cabinet", "neddc", date), approveOn(ts, k.partner, id, "cabinet", "bdc", date)} {
		if r.Status != 200 {
			t.Fatalf("approval: %d %s", r.Status, r.Body)
		}
	}
}

// award is a PATCH giving the procurement its contract, starting three
// days ago for three years (so that a signature five days ago and go-live
// two days ago are in order).
func award(value string) map[string]any {
	start := time.Now().AddDate(0, 0, -3)
	return awardFrom(value, start.Format(time.DateOnly), start.AddDate(3, 0, -1).Format(time.DateOnly))
}

func awardFrom(value, start, end string) map[string]any {
	net, _ := procurement.ParsePence(value)
	return map[string]any{"awards": []map[string]any{{"id": "a1", "value": value, "valueIncVat": procurement.IncVAT(net, procurement.StandardVAT).String(),
		"nonRecoverableVat": "0.00", "supplier": map[string]any{"name": "Helpdesk Ltd", "companiesHouse": "01234567", "sme": true, "vcse": false},
		"start": start, "end": end}}}
}

// moveToEvaluation moves through planning and tender to an evaluation
// that began 30 days ago.
func moveToEvaluation(t *testing.T, ts *testServer, key, id string) {
	t.Helper()
	mustMove(t, ts, key, id, "planning", daysAgo(40))
	mustMove(t, ts, key, id, "tender", daysAgo(39))
	mustMove(t, ts, key, id, "evaluation", daysAgo(30))
}

// moveToAugustEvaluation moves through planning (3 August 2026) and tender
// (4 August) to an evaluation that began on Monday 10 August 2026, before
// the summer bank holiday of 31 August.
func moveToAugustEvaluation(t *testing.T, ts *testServer, key, id string) {
	t.Helper()
	mustMove(t, ts, key, id, "planning", "2026-08-03T09:00:00Z")
	mustMove(t, ts, key, id, "tender", "2026-08-04T09:00:00Z")
	mustMove(t, ts, key, id, "evaluation", "2026-08-10T09:00:00Z")
}

// signAndGoLive decides the award 10 days ago, signs 5 days ago and goes
// live 2 days ago: a framework call-off, or a contract under the
// below-threshold regime, with no standstill.
func signAndGoLive(t *testing.T, ts *testServer, key, id string, live bool) {
	t.Helper()
	mustMove(t, ts, key, id, "awardDecision", daysAgo(10))
	mustMove(t, ts, key, id, "contractSigned", daysAgo(5))
	if live {
		mustMove(t, ts, key, id, "live", daysAgo(2))
	}
}

func auditActions(t *testing.T, ts *testServer, id string) map[string]int {
	t.Helper()
	entries, _, err := ts.Store.ListAudit(context.Background(), store.AuditQuery{RecordID: id})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range entries {
		out[e.Action]++
	}
	return out
}
