package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

// writeArea is the area a write route belongs to, by its path, so the test
// knows which key's role cannot write there.
func writeArea(path string) (domain.Area, bool) {
	if strings.Contains(path, "/capital-programme") || strings.Contains(path, "/estate") {
		return domain.AreaProcurement, true // an organisation's, kept by its procurement officers
	}
	if path == sourcingPath || strings.HasPrefix(path, sourcingPath+"/") {
		return domain.AreaSourcing, true // the sourcing pages
	}
	for prefix, area := range map[string]domain.Area{
		"/api/v1/organisations": domain.AreaAdmin, "/api/v1/keys": domain.AreaAdmin, "/api/v1/sessions": domain.AreaAdmin,
		"/api/v1/datasets": domain.AreaOpenData, "/api/v1/jobs": domain.AreaOpenData,
		"/api/v1/services": domain.AreaSourcing, "/api/v1/saved-searches": domain.AreaSourcing,
		"/api/v1/comparisons": domain.AreaSourcing, "/api/v1/procurements": domain.AreaProcurement,
		"/api/v1/procurement-governance": domain.AreaProcurement,
		"/api/v1/sourcing-settings":      domain.AreaSourcing,
		// The officers' and publishers' pages.
		"/procurement": domain.AreaProcurement, "/publishing": domain.AreaOpenData,
	} {
		if path == prefix || strings.HasPrefix(path, prefix+"/") {
			return area, true
		}
	}
	return "", false
}

// TestWritesAuthoriseBeforeReadingTheBody sends every write route a body
// that is not JSON with a key whose role cannot write there: the answer must
// be 403, before the record is looked for and before the body is read, never
// a 400 or 415 about the body (which would tell a caller who may not write
// what the endpoint expects) nor a 404 (which would tell whether a record
// exists).
func TestWritesAuthoriseBeforeReadingTheBody(t *testing.T) {
	ts := newTestServer(t)
	keyLacking := map[domain.Area]string{
		domain.AreaAdmin:       ts.key(domain.RoleOfficer, "neddc"),
		domain.AreaOpenData:    ts.key(domain.RoleOfficer, "neddc"),
		domain.AreaSourcing:    ts.key(domain.RolePublisher, "neddc"),
		domain.AreaProcurement: ts.key(domain.RolePublisher, "neddc"),
	}
	checked := 0
	browsers := map[domain.Area]*visitor{}
	for _, rt := range ts.srv.Echo.Routes() {
		switch rt.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			continue
		}
		if rt.Path == "/csw" || strings.HasPrefix(rt.Path, "/api/3/action/") {
			continue // catalogue queries sent by POST: reads anyone may make
		}
		if rt.Path == "/signin" || rt.Path == "/signout" {
			continue // anyone may sign in and out (signin_test.go)
		}
		area, ok := writeArea(rt.Path)
		if !ok {
			t.Errorf("%s %s: which area does this write belong to? Add it to writeArea", rt.Method, rt.Path)
			continue
		}
		// The organisation exists, so its records are looked for; any other
		// record does not.
		path := routeParam.ReplaceAllString(strings.Replace(rt.Path, "/organisations/:id/", "/organisations/neddc/", 1), "none")
		if !strings.HasPrefix(rt.Path, "/api/") {
			// A page's form: the person behind the key signs in, and the
			// form posts with its page's token.
			path = routeParam.ReplaceAllString(strings.Replace(rt.Path, "/:org/", "/neddc/", 1), "none")
			v, ok := browsers[area]
			if !ok {
				v = newVisitor(t, ts)
				v.signIn(keyLacking[area])
				browsers[area] = v
			}
			r := v.send(rt.Method, path, `{"not a form`, "Content-Type", "application/x-www-form-urlencoded", csrfHeader, v.csrf(v.get("/signin")))
			if r.Status != http.StatusForbidden || strings.Contains(string(r.Body), "form has expired") {
				t.Errorf("%s %s from a signed-in person who may not write %s: %d %.300s; want 403 before the form is read", rt.Method, rt.Path, area, r.Status, r.Body)
			}
			checked++
			continue
		}
		r := ts.do(rt.Method, path, keyLacking[area], `{"not json`)
		if r.Status != http.StatusForbidden {
			t.Errorf("%s %s with a key that may not write %s: %d %s; want 403 before the body is read", rt.Method, rt.Path, area, r.Status, r.Body)
		}
		checked++
	}
	if checked < 15 {
		t.Fatalf("only %d write routes checked", checked)
	}
}

// contendedStore loses every update of one collection to an imaginary
// other writer while lose is set.
type contendedStore struct {
	store.Store
	coll string
	lose atomic.Bool
}

func (s *contendedStore) Update(ctx context.Context, coll, id string, expected int64, data any) (store.Record, error) {
	if coll == s.coll && s.lose.Load() {
		return store.Record{}, store.ErrStale
	}
	return s.Store.Update(ctx, coll, id, expected, data)
}

// TestPreconditionFailedOnlyForTheClientsIfMatch: 412 answers a client's
// If-Match that no longer holds; a write without one that keeps losing to
// other writers is 409 ("busy": send it again), never 412.
func TestPreconditionFailedOnlyForTheClientsIfMatch(t *testing.T) {
	ctx := context.Background()
	base, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { base.Close() })
	st := &contendedStore{Store: base, coll: identity.CollOrganisations}
	if err := Prepare(ctx, st); err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, Config{BodyLimit: 64 << 10}, st)
	// A handler of the old kind, which writes with the version it read
	// itself: the error handler must not call its lost race a 412.
	srv.Echo.POST("/test/lost-race", func(echo.Context) error { return store.ErrStale })
	hs := httptest.NewServer(srv.Echo)
	t.Cleanup(hs.Close)
	ts := &testServer{t: t, URL: hs.URL, Store: st, srv: srv}
	ts.Admin = ts.key(domain.RoleAdmin, "")

	current := ts.do("GET", "/api/v1/organisations/neddc", "", nil).Header.Get("ETag")
	patch := func(headers ...string) response {
		return ts.do("PATCH", "/api/v1/organisations/neddc", ts.Admin, `{"website":"https://www.ne-derbyshire.gov.uk/"}`, headers...)
	}
	st.lose.Store(true)
	r := patch()
	if p := r.problem(t); r.Status != http.StatusConflict || p.Type != "/problems/busy" {
		t.Errorf("lost retries without If-Match: %d %+v; want 409 busy", r.Status, p)
	}
	r = patch("If-Match", current)
	if p := r.problem(t); r.Status != http.StatusPreconditionFailed || p.Type != "/problems/stale" {
		t.Errorf("If-Match overtaken by another writer: %d %+v; want 412", r.Status, p)
	}
	st.lose.Store(false)
	r = patch("If-Match", `"neddc-999"`)
	if p := r.problem(t); r.Status != http.StatusPreconditionFailed || p.Type != "/problems/stale" {
		t.Errorf("stale If-Match: %d %+v; want 412", r.Status, p)
	}
	if r := patch("If-Match", current); r.Status != http.StatusOK {
		t.Fatalf("current If-Match: %d %s", r.Status, r.Body)
	}

	r = ts.do("POST", "/test/lost-race", "", nil)
	if p := r.problem(t); r.Status != http.StatusConflict || p.Type != "/problems/busy" {
		t.Errorf("a lost race without If-Match: %d %+v; want 409 busy", r.Status, p)
	}
	if r := ts.do("POST", "/test/lost-race", "", nil, "If-Match", current); r.Status != http.StatusPreconditionFailed {
		t.Errorf("a lost race with If-Match: %d; want 412", r.Status)
	}
}
