package api

import (
	"context"
	"testing"

	"github.com/jointict/councilapi/domain"
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

func approve(ts *testServer, key, id, body, org string) response {
	a := map[string]string{"body": body, "date": "2026-07-01", "reference": "minute 12"}
	if org != "" {
		a["organisation"] = org
	}
	return ts.do("POST", "/api/v1/procurements/"+id+"/approvals", key, a)
}

// approveAll records JMT, committee and both Cabinet decisions.
func approveAll(t *testing.T, ts *testServer, k procKeys, id string) {
	t.Helper()
	for _, r := range []response{approve(ts, k.host, id, "jointManagementTeam", ""), approve(ts, k.host, id, "ictSharedServiceCommittee", ""),
		approve(ts, k.host, id, "cabinet", "neddc"), approve(ts, k.partner, id, "cabinet", "bdc")} {
		if r.Status != 200 {
			t.Fatalf("approval: %d %s", r.Status, r.Body)
		}
	}
}

// award is a PATCH giving the procurement its contract.
func award(value string) map[string]any {
	return map[string]any{"awards": []map[string]any{{"id": "a1", "value": value, "nonRecoverableVat": "0.00",
		"supplier": map[string]any{"name": "Helpdesk Ltd", "companiesHouse": "01234567", "sme": true, "vcse": false},
		"start":    "2026-12-01", "end": "2029-11-30", "review": "2028-12-01", "signed": "2026-11-20"}}}
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
