package api

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

func TestSeededOrganisationsArePublic(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do("GET", "/api/v1/organisations", "", nil)
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	var list listResponse[domain.Organisation]
	r.json(t, &list)
	if list.Total != 3 || len(list.Items) != 3 {
		t.Fatalf("seeded %d organisations, want BDC, DDDC, NEDDC", list.Total)
	}
	hosts := 0
	for _, o := range list.Items {
		if o.Host {
			hosts++
			if o.ShortName != "NEDDC" || o.GSSCode != "E07000038" {
				t.Fatalf("host is %+v, want NEDDC E07000038", o)
			}
		}
	}
	if hosts != 1 {
		t.Fatalf("%d hosts, want 1", hosts)
	}
}

func TestWritesNeedTheRightKey(t *testing.T) {
	ts := newTestServer(t)
	nwl := map[string]any{"name": "North West Leicestershire District Council", "shortName": "NWLDC", "gssCode": "E07000134"}

	r := ts.do("POST", "/api/v1/organisations", "", nwl)
	if r.Status != 401 || r.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no key: %d, want 401 with WWW-Authenticate", r.Status)
	}
	ts.do("POST", "/api/v1/organisations", "cak_not-a-real-key", nwl).problem(t)
	if r := ts.do("POST", "/api/v1/organisations", "cak_not-a-real-key", nwl); r.Status != 401 {
		t.Fatalf("unknown key: %d, want 401", r.Status)
	}
	publisher := ts.key(domain.RolePublisher, "bdc")
	r = ts.do("POST", "/api/v1/organisations", publisher, nwl)
	if r.Status != 403 {
		t.Fatalf("publisher key on admin data: %d, want 403", r.Status)
	}
	if p := r.problem(t); !strings.Contains(p.Detail, "admin") {
		t.Fatalf("403 should say which role is needed: %q", p.Detail)
	}
	r = ts.do("POST", "/api/v1/organisations", ts.Admin, nwl)
	if r.Status != 201 {
		t.Fatalf("admin create: %d %s", r.Status, r.Body)
	}
	if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "/api/v1/organisations/nwldc") {
		t.Fatalf("Location %q", loc)
	}
	// The write is in the audit log with who did it and the new value.
	r = ts.do("GET", "/api/v1/audit?collection=organisations&record=nwldc", ts.Admin, nil)
	var audit listResponse[store.AuditEntry]
	r.json(t, &audit)
	if audit.Total != 1 || audit.Items[0].Action != "organisation.create" || audit.Items[0].ActorRole != "admin" ||
		!strings.Contains(string(audit.Items[0].After), "E07000134") {
		t.Fatalf("audit after create: %s", r.Body)
	}
	// The audit log itself is for admins only.
	if r := ts.do("GET", "/api/v1/audit", publisher, nil); r.Status != 403 {
		t.Fatalf("publisher reading audit: %d", r.Status)
	}
	// A revoked key stops working at once.
	var created createdKey
	ts.do("POST", "/api/v1/keys", ts.Admin, map[string]any{"role": "officer", "organisation": "dddc", "label": "Dales officer"}).json(t, &created)
	if !strings.HasPrefix(created.Secret, "cak_") || len(created.Secret) < 40 || created.Hash != "" {
		t.Fatalf("created key %+v", created)
	}
	if r := ts.do("GET", "/api/v1/me", created.Secret, nil); r.Status != 200 {
		t.Fatalf("new key: %d", r.Status)
	}
	ts.do("DELETE", "/api/v1/keys/"+created.ID, ts.Admin, nil)
	if r := ts.do("GET", "/api/v1/me", created.Secret, nil); r.Status != 401 {
		t.Fatalf("revoked key: %d, want 401", r.Status)
	}
}

func TestBadInputGetsProblemsNamingFields(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct {
		name, body string
		status     int
		field      string
	}{
		{"malformed", `{"name": "x",`, 400, ""},
		{"unknown member", `{"name":"A Council","shortName":"AC","colour":"red"}`, 400, "colour"},
		{"wrong type", `{"name":"A Council","shortName":12}`, 400, "shortName"},
		{"two values", `{"name":"A Council","shortName":"AC"} {}`, 400, ""},
		{"invalid fields", `{"name":"","shortName":"x","gssCode":"E123","website":"ftp://x","contact":{"email":"nope"}}`, 400, "contact.email"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do("POST", "/api/v1/organisations", ts.Admin, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			p := r.problem(t)
			if tc.field == "" {
				return
			}
			found := false
			for _, f := range p.Errors {
				found = found || f.Field == tc.field
			}
			if !found {
				t.Fatalf("problem does not name %s: %+v", tc.field, p.Errors)
			}
		})
	}
	r := ts.do("POST", "/api/v1/organisations", ts.Admin, `{"name":"","shortName":"x","gssCode":"E123"}`)
	if p := r.problem(t); len(p.Errors) != 3 {
		t.Fatalf("want all three bad fields at once, got %+v", p.Errors)
	}
	r = ts.do("POST", "/api/v1/organisations", ts.Admin, `{"name":"A","shortName":"AB"}`, "Content-Type", "text/plain")
	if r.Status != 415 {
		t.Fatalf("text/plain body: %d, want 415", r.Status)
	}
	big := `{"name":"` + strings.Repeat("x", 70<<10) + `","shortName":"BIG"}`
	if r := ts.do("POST", "/api/v1/organisations", ts.Admin, big); r.Status != 413 {
		t.Fatalf("oversized body: %d, want 413", r.Status)
	} else {
		r.problem(t)
	}
	if r := ts.do("GET", "/api/v1/nothing-here", "", nil); r.Status != 404 {
		t.Fatalf("unknown route %d", r.Status)
	} else {
		r.problem(t)
	}
	// Nothing of the rejected writes reached the store.
	var list listResponse[domain.Organisation]
	ts.do("GET", "/api/v1/organisations", "", nil).json(t, &list)
	if list.Total != 3 {
		t.Fatalf("rejected writes changed the store: %d organisations", list.Total)
	}
	r = ts.do("POST", "/api/v1/organisations", ts.Admin, `{"name":"Bolsover again","shortName":"BOLS","gssCode":"E07000033"}`)
	if r.Status != 409 || r.problem(t).Errors[0].Field != "gssCode" {
		t.Fatalf("duplicate GSS code: %d %s", r.Status, r.Body)
	}
}

func TestPatchWithIfMatch(t *testing.T) {
	ts := newTestServer(t)
	r := ts.do("GET", "/api/v1/organisations/bdc", "", nil)
	tag := r.Header.Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	if r := ts.do("GET", "/api/v1/organisations/bdc", "", nil, "If-None-Match", tag); r.Status != 304 {
		t.Fatalf("If-None-Match: %d", r.Status)
	}
	r = ts.do("PATCH", "/api/v1/organisations/bdc", ts.Admin, `{"contact":{"email":"ict@bolsover.gov.uk"}}`, "If-Match", tag)
	if r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	r = ts.do("PATCH", "/api/v1/organisations/bdc", ts.Admin, `{"website":"https://example.org"}`, "If-Match", tag)
	if r.Status != 412 {
		t.Fatalf("stale If-Match: %d, want 412", r.Status)
	}
	var o domain.Organisation
	ts.do("GET", "/api/v1/organisations/bdc", "", nil).json(t, &o)
	if o.Website != "https://www.bolsover.gov.uk" || o.Contact.Email != "ict@bolsover.gov.uk" {
		t.Fatalf("after stale patch: %+v", o)
	}
	if r := ts.do("PATCH", "/api/v1/organisations/bdc", ts.Admin, `{"host":true}`); r.Status != 400 {
		t.Fatalf("making a partner the host: %d", r.Status)
	}
}

func TestConcurrentPatchesSameETagOneWins(t *testing.T) {
	ts := newTestServer(t)
	tag := ts.do("GET", "/api/v1/organisations/dddc", "", nil).Header.Get("ETag")
	const n = 6
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = ts.do("PATCH", "/api/v1/organisations/dddc", ts.Admin,
				fmt.Sprintf(`{"contact":{"name":"writer %d"}}`, i), "If-Match", tag).Status
		}()
	}
	wg.Wait()
	wins := 0
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			wins++
		case http.StatusPreconditionFailed:
		default:
			t.Fatalf("unexpected status %d", s)
		}
	}
	if wins != 1 {
		t.Fatalf("%d PATCHes won with one ETag, want exactly 1 (%v)", wins, statuses)
	}
}

func TestHealthAndDocs(t *testing.T) {
	ts := newTestServer(t)
	if r := ts.do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatal(r.Status)
	}
	if r := ts.do("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatal(r.Status)
	}
	r := ts.do("GET", "/openapi.json", "", nil)
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	r.json(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/api/v1/organisations"] == nil {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	r = ts.do("GET", "/docs/", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "swagger-ui") {
		t.Fatalf("/docs/: %d", r.Status)
	}
	if r := ts.do("GET", "/docs/swagger-initializer.js", "", nil); !strings.Contains(string(r.Body), "openapi.json") {
		t.Fatal("swagger UI not pointed at /openapi.json")
	}
}

func TestBaseURLHonoursProxyOnlyWhenTrusted(t *testing.T) {
	for _, trust := range []bool{false, true} {
		ts := newTestServer(t, Config{TrustProxy: trust})
		r := ts.do("GET", "/api/v1/organisations?limit=1", "", nil, "X-Forwarded-Proto", "https", "X-Forwarded-Host", "data.example.gov.uk")
		var list listResponse[domain.Organisation]
		r.json(t, &list)
		proxied := strings.HasPrefix(list.Links["next"], "https://data.example.gov.uk/")
		if proxied != trust {
			t.Fatalf("trust-proxy=%v: next link %q", trust, list.Links["next"])
		}
	}
}

func TestPanicsBecomeProblemsAndStoreOutageIsNotReady(t *testing.T) {
	ts := newTestServer(t)
	ts.srv.Echo.GET("/test-panic", func(echo.Context) error { panic("boom") })
	r := ts.do("GET", "/test-panic", "", nil)
	if r.Status != 500 {
		t.Fatalf("panic: %d", r.Status)
	}
	p := r.problem(t)
	if p.RequestID == "" || p.RequestID != r.Header.Get("X-Request-Id") || strings.Contains(string(r.Body), "boom") {
		t.Fatalf("panic problem %+v must carry the request id and hide the panic", p)
	}
	ts.Store.Close()
	if r := ts.do("GET", "/readyz", "", nil); r.Status != 503 {
		t.Fatalf("/readyz with the store closed: %d", r.Status)
	} else {
		r.problem(t)
	}
	if r := ts.do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatalf("/healthz must not depend on the store: %d", r.Status)
	}
}
