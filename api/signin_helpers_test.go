package api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/store"
)

// visitor is a browser as the server sees it: a cookie jar, and the
// Sec-Fetch-* and Origin headers a browser adds. It does not follow
// redirects unless asked, so tests see each step.
type visitor struct {
	t    *testing.T
	ts   *testServer
	http *http.Client
	// site is what Sec-Fetch-Site says for the next requests.
	site string
}

func newVisitor(t *testing.T, ts *testServer) *visitor {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &visitor{t: t, ts: ts, site: "same-origin", http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// send makes one request; body may be url.Values (a form) or a string
// (sent with the Content-Type in headers).
func (v *visitor) send(method, target string, body any, headers ...string) response {
	v.t.Helper()
	if strings.HasPrefix(target, "/") {
		target = v.ts.URL + target
	}
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Accept", browserAccept)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if v.site != "" {
		req.Header.Set("Sec-Fetch-Site", v.site)
		mode := "navigate"
		if method != http.MethodGet && ct == "" {
			mode = "cors"
		}
		req.Header.Set("Sec-Fetch-Mode", mode)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := v.http.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

func (v *visitor) get(path string, headers ...string) response {
	v.t.Helper()
	return v.send(http.MethodGet, path, nil, headers...)
}

// follow fetches each Location until a page answers, as a browser does.
func (v *visitor) follow(r response) response {
	v.t.Helper()
	for range 10 {
		if r.Status < 300 || r.Status > 399 {
			return r
		}
		loc, err := url.Parse(r.Header.Get("Location"))
		if err != nil {
			v.t.Fatal(err)
		}
		base, _ := url.Parse(v.ts.URL + "/")
		r = v.get(base.ResolveReference(loc).String())
	}
	v.t.Fatal("more than 10 redirects")
	return r
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

// csrf is the token of the first form on a page.
func (v *visitor) csrf(page response) string {
	v.t.Helper()
	m := csrfInput.FindSubmatch(page.Body)
	if m == nil || len(m[1]) == 0 {
		v.t.Fatalf("no CSRF token on the page:\n%.2000s", page.Body)
	}
	return string(m[1])
}

// signIn signs in on the sign-in page with an API key.
func (v *visitor) signIn(key string) {
	v.t.Helper()
	page := v.get("/signin")
	r := v.send(http.MethodPost, "/signin", url.Values{"key": {key}, "csrf": {v.csrf(page)}, "next": {"/"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/" {
		v.t.Fatalf("sign-in: %d %s\n%.2000s", r.Status, r.Header.Get("Location"), r.Body)
	}
}

// cookie is the named cookie the jar holds for the test server.
func (v *visitor) cookie(name string) string {
	u, _ := url.Parse(v.ts.URL)
	for _, c := range v.http.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie is what the response's Set-Cookie says about name.
func setCookie(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func sessionCount(t *testing.T, st store.Store) int64 {
	t.Helper()
	p, err := st.List(context.Background(), identity.CollSessions, store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func auditOf(t *testing.T, st store.Store, coll string) []store.AuditEntry {
	t.Helper()
	entries, _, err := st.ListAudit(context.Background(), store.AuditQuery{Collection: coll})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
