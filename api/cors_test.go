package api

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

const otherOrigin = "https://map.example.org"

func hasVaryOrigin(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for _, name := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(name), "Origin") {
				return true
			}
		}
	}
	return false
}

// TestCORSOnPublicReadsOnly checks the CORS headers of each kind of request:
// anonymous reads of public resources from another origin get them, with
// the paging and caching headers exposed; reads with a key or a cookie,
// writes, and other resources do not.
func TestCORSOnPublicReadsOnly(t *testing.T) {
	f := newPostureFixture(t, Config{})
	ts := f.ts
	public := []string{
		"/api/v1/datasets", "/api/v1/datasets/" + f.spatial.ID, "/api/v1/organisations",
		"/ogc", "/ogc/collections", "/ogc/collections/" + f.spatial.Slug + "/items?limit=1",
		"/data.json", "/catalog.ttl", "/dataset/" + f.spatial.Slug + ".jsonld", "/api/3/action/package_list",
		"/csw?service=CSW&request=GetCapabilities", "/inspire/waf/", "/datasets/" + f.spatial.Slug + "/latest.csv",
		"/openapi.json", "/api/v1/datasets/none", // an error is readable too
	}
	for _, p := range public {
		for _, method := range []string{"GET", "HEAD"} {
			r := ts.do(method, p, "", nil, "Origin", otherOrigin)
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("%s %s: Access-Control-Allow-Origin %q, want *", method, p, got)
			}
			exposed := strings.Split(strings.ReplaceAll(r.Header.Get("Access-Control-Expose-Headers"), " ", ""), ",")
			for _, want := range []string{"ETag", "Link", "Content-Crs", "X-Request-Id", "Content-Length", "Content-Range", "Location"} {
				if !slices.Contains(exposed, want) {
					t.Errorf("%s %s: %s not exposed (%q)", method, p, want, exposed)
				}
			}
			if r.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("%s %s allows credentials", method, p)
			}
			if !hasVaryOrigin(r.Header) {
				t.Errorf("%s %s: no Vary: Origin (%q)", method, p, r.Header.Values("Vary"))
			}
		}
	}
	// An OGC API page of features is readable whole: its CRS header too.
	if r := ts.do("GET", "/ogc/collections/"+f.spatial.Slug+"/items", "", nil, "Origin", otherOrigin); r.Header.Get("Content-Crs") == "" {
		t.Error("items answer without Content-Crs")
	}

	publisher := ts.key("publisher", "neddc")
	for _, tc := range []struct {
		name, method, path, key string
		body                    any
		headers                 []string
	}{
		{"with a key", "GET", "/api/v1/datasets", publisher, nil, nil},
		{"with a cookie", "GET", "/ogc/collections", "", nil, []string{"Cookie", "session=abc"}},
		{"a write", "POST", "/api/v1/datasets", publisher, map[string]any{"title": "x"}, nil},
		{"an anonymous write", "POST", "/api/v1/datasets", "", map[string]any{"title": "x"}, nil},
		{"a CKAN POST", "POST", "/api/3/action/package_search", "", map[string]any{}, nil},
		{"not a public resource", "GET", "/healthz", "", nil, nil},
		{"a page's style sheet", "GET", "/static/pages/site.css", "", nil, nil},
		{"Swagger UI", "GET", "/docs/", "", nil, nil},
	} {
		r := ts.do(tc.method, tc.path, tc.key, tc.body, append([]string{"Origin", otherOrigin}, tc.headers...)...)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s (%s %s): Access-Control-Allow-Origin %q", tc.name, tc.method, tc.path, got)
		}
	}
	// Without Origin the request is not a browser's cross-origin read: no
	// CORS headers, but the Vary that keeps caches honest.
	if r := ts.do("GET", "/ogc/collections", "", nil); r.Header.Get("Access-Control-Allow-Origin") != "" || !hasVaryOrigin(r.Header) {
		t.Errorf("same-origin read: ACAO %q, Vary %q", r.Header.Get("Access-Control-Allow-Origin"), r.Header.Values("Vary"))
	}
}

// TestCORSPreflights: a preflight for a read with conditional or range
// headers is allowed; one for a write, or one that wants to send a key, is
// not, nor is one for a resource that is not public.
func TestCORSPreflights(t *testing.T) {
	ts := newTestServer(t)
	preflight := func(path, method, headers string) response {
		h := []string{"Origin", otherOrigin, "Access-Control-Request-Method", method}
		if headers != "" {
			h = append(h, "Access-Control-Request-Headers", headers)
		}
		return ts.do("OPTIONS", path, "", nil, h...)
	}
	for _, tc := range []struct{ path, method, headers string }{
		{"/ogc/collections", "GET", "if-none-match"},
		{"/api/v1/datasets", "GET", "accept,if-none-match"},
		{"/datasets/some-dataset/latest.csv", "GET", "range"},
		{"/data.json", "HEAD", ""},
	} {
		r := preflight(tc.path, tc.method, tc.headers)
		if r.Status != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(r.Header.Get("Access-Control-Allow-Methods"), tc.method) {
			t.Errorf("preflight %s %s [%s]: %d, headers %v", tc.method, tc.path, tc.headers, r.Status, r.Header)
		}
		for _, h := range strings.Split(tc.headers, ",") {
			if !strings.Contains(r.Header.Get("Access-Control-Allow-Headers"), h) {
				t.Errorf("preflight %s: %s not allowed (%q)", tc.path, h, r.Header.Get("Access-Control-Allow-Headers"))
			}
		}
	}
	for _, tc := range []struct{ name, path, method, headers string }{
		{"a write", "/api/v1/datasets", "POST", "content-type"},
		{"a patch", "/api/v1/datasets/x", "PATCH", ""},
		{"a key", "/api/v1/datasets", "GET", "authorization"},
		{"a key among others", "/ogc/collections", "GET", "accept, Authorization"},
		{"not public", "/healthz", "GET", ""},
		{"not public", "/docs/", "GET", ""},
	} {
		if r := preflight(tc.path, tc.method, tc.headers); r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight for %s (%s %s): allowed, %v", tc.name, tc.method, tc.path, r.Header)
		}
	}
}

// TestCORSInChromium runs the cross-origin requests in a real browser: a
// page on another origin reads the OGC API (a preflighted conditional
// request, and the ETag header), and the browser refuses to let it send a
// key or write.
func TestCORSInChromium(t *testing.T) {
	testref.Tool(t, "chromium", "chromium")
	ts := newTestServer(t)
	page := `<!doctype html><html><body><pre id="out"></pre><script>
var api = ` + "`" + ts.URL + "`" + `, out = document.getElementById("out");
function log(s) { out.textContent += s + "\n"; }
function attempt(name, url, init) {
  return fetch(api + url, init).then(function (r) { log(name + " read " + r.status + " etag=" + (r.headers.get("ETag") ? "yes" : "no")); },
    function () { log(name + " blocked"); });
}
attempt("anonymous", "/ogc/collections", {headers: {"If-None-Match": "\"x\""}})
  .then(function () { return attempt("key", "/api/v1/datasets", {headers: {"Authorization": "Bearer cak_nope"}}); })
  .then(function () { return attempt("write", "/api/v1/datasets", {method: "POST", body: "{}", headers: {"Content-Type": "application/json"}}); })
  .then(function () { log("done"); });
</script></body></html>`
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	t.Cleanup(other.Close)
	// 127.0.0.1 and localhost are different origins for the browser.
	origin := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	dom, _ := loadInChromium(t, origin)
	for _, want := range []string{"anonymous read 200 etag=yes", "key blocked", "write blocked", "done"} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page on another origin did not log %q:\n%s", want, dom)
		}
	}
}
