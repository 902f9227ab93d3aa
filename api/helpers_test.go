package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/apptest"
	"github.com/jointict/councilapi/store"
)

// testServer is a real HTTP server over a real SQLite file.
type testServer struct {
	t     *testing.T
	URL   string
	Store store.Store
	srv   *Server
	Admin string // secret of an admin key
}

func newTestServer(t *testing.T, cfg ...Config) *testServer {
	t.Helper()
	c := Config{BodyLimit: 64 << 10}
	if len(cfg) > 0 {
		c = cfg[0]
	}
	return newTestServerWith(t, c, app.Config{})
}

// newTestServerWith is newTestServer with settings of the application
// layer, such as a pinned clock.
func newTestServerWith(t *testing.T, c Config, ac app.Config) *testServer {
	t.Helper()
	return newTestServerOn(t, c, ac, newTestStore(t))
}

// newTestStore is a prepared SQLite store in the test's directory.
func newTestStore(t *testing.T) store.Store {
	t.Helper()
	st := apptest.Open(t)
	if err := Prepare(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	return st
}

// newTestServerOn serves over a store the test made (a fault-injecting
// wrapper of a real one, say).
func newTestServerOn(t *testing.T, c Config, ac app.Config, st store.Store) *testServer {
	t.Helper()
	if err := Prepare(context.Background(), st); err != nil {
		t.Fatal(err)
	}
	srv := startServerWith(t, c, ac, st)
	hs := httptest.NewServer(srv.Echo)
	t.Cleanup(hs.Close)
	ts := &testServer{t: t, URL: hs.URL, Store: st, srv: srv}
	ts.Admin = ts.key(domain.RoleAdmin, "")
	return ts
}

// startServer builds the application layer and the HTTP server over st, as
// main does, and starts them for the test.
func startServer(t testing.TB, c Config, st store.Store) *Server {
	return startServerWith(t, c, app.Config{}, st)
}

func startServerWith(t testing.TB, c Config, ac app.Config, st store.Store) *Server {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ac.BaseURL, ac.UploadLimit = c.BaseURL, c.UploadLimit
	a := app.New(ac, st, log)
	srv := New(c, a, log)
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	// Derived state (the catalogue index, the record set) loads in the
	// background; tests start from a server that has loaded it. The bound
	// is generous: under the race detector the golden catalogue's load took
	// over a minute on a 2-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := a.Bus.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return srv
}

// key makes a key directly in the store and returns its secret.
func (ts *testServer) key(role domain.Role, org string) string {
	ts.t.Helper()
	_, secret, err := ts.srv.app.Identity.CreateKey(context.Background(), audit.CLI, role, org, "test "+string(role))
	if err != nil {
		ts.t.Fatal(err)
	}
	return secret
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, r.Body)
	}
}

func (r response) problem(t *testing.T) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != ProblemContentType {
		t.Fatalf("Content-Type = %q, want %s; body %s", ct, ProblemContentType, r.Body)
	}
	var p Problem
	r.json(t, &p)
	if p.Status != r.Status || p.Type == "" || p.Title == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, r.Status)
	}
	return p
}

// do sends a request; body may be a string (sent as is) or a value (sent as JSON).
func (ts *testServer) do(method, path, key string, body any, headers ...string) response {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}
