package api

import (
	"bytes"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	swaggerfiles "github.com/swaggo/files/v2"
	"golang.org/x/net/html"
)

// checkSecurityHeaders checks one response: nosniff on everything, and on a
// document (HTML or SVG) the policy and the headers around it. It reports
// whether the response was a document.
func checkSecurityHeaders(t *testing.T, where string, r response, csp string) bool {
	t.Helper()
	if got := r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s (%d %s): X-Content-Type-Options %q", where, r.Status, r.Header.Get("Content-Type"), got)
	}
	if !isDocument(r.Header.Get("Content-Type")) {
		return false
	}
	if got := r.Header.Values("Content-Security-Policy"); len(got) != 1 || got[0] != csp {
		t.Errorf("%s: Content-Security-Policy %q, want %q", where, got, csp)
	}
	if got := r.Header.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options %q", where, got)
	}
	if got := r.Header.Get("Referrer-Policy"); got != "strict-origin-when-cross-origin" {
		t.Errorf("%s: Referrer-Policy %q", where, got)
	}
	return true
}

// foreignLoads lists what an HTML page would make the browser load from
// another host: scripts, styles, images, frames, media and map tiles. Links
// a person may follow do not count.
func foreignLoads(t *testing.T, pageURL string, r response) []string {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		return nil
	}
	doc, err := html.Parse(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("%s: %v", pageURL, err)
	}
	base, _ := url.Parse(pageURL)
	var foreign []string
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
		var refs []string
		switch n.Data {
		case "script", "img", "iframe", "embed", "source", "video", "audio", "track", "input":
			refs = append(refs, attr(n, "src"))
		case "link":
			if rel := attr(n, "rel"); rel != "alternate" && rel != "license" && rel != "canonical" {
				refs = append(refs, attr(n, "href"))
			}
		case "object":
			refs = append(refs, attr(n, "data"))
		}
		refs = append(refs, attr(n, "data-tiles"))
		for _, ref := range refs {
			if u, err := base.Parse(ref); ref != "" && (err != nil || u.Host != base.Host) {
				foreign = append(foreign, n.Data+" "+ref)
			}
		}
	}
	return foreign
}

// openAPIDocumentRoutes lists the GET paths of an OpenAPI document whose
// responses include HTML or SVG, or all GET paths with all=true.
func openAPIDocumentRoutes(t *testing.T, r response, all bool) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]any `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	r.json(t, &doc)
	var paths []string
	for p, ops := range doc.Paths {
		op, ok := ops["get"]
		if !ok {
			continue
		}
		for _, res := range op.Responses {
			for ct := range res.Content {
				if all || isDocument(ct) {
					paths = append(paths, p)
				}
			}
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

// TestSwaggerUIStyleIsTheOneAllowed: the policy allows Swagger UI's inline
// logo style by the hash of swaggerLogoStyle, so a Swagger UI upgrade that
// changes that style must change the constant too.
func TestSwaggerUIStyleIsTheOneAllowed(t *testing.T) {
	preset, err := fs.ReadFile(swaggerfiles.FS, "swagger-ui-standalone-preset.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(preset, []byte(`createElement("style",null,"`+swaggerLogoStyle+`")`)) {
		t.Fatal("Swagger UI's logo style is no longer swaggerLogoStyle: update the constant from swagger-ui-standalone-preset.js")
	}
}

// TestSecurityHeadersOnEveryDocument walks every route that can answer HTML
// or SVG, four ways: the HTML and SVG operations of /openapi.json, every
// OGC API path of /ogc/api as ?f=html, the pages' site map (every link
// reachable from the home page and the OGC API's landing page), and every
// GET route registered in Echo, as a browser asks for them (their
// not-found pages included). Each document must carry the one policy.
func TestSecurityHeadersOnEveryDocument(t *testing.T) {
	f := newPostureFixture(t, Config{})
	csp := f.ts.srv.csp
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "frame-ancestors 'none'", "base-uri 'none'", "img-src 'self' data:;"} {
		if !strings.Contains(csp, want) {
			t.Errorf("policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-") {
		t.Errorf("policy %q allows unsafe sources", csp)
	}

	documents := map[string]bool{}
	visit := func(path string) response {
		t.Helper()
		r := f.ts.do("GET", path, "", nil, "Accept", browserAccept)
		if r.Status == http.StatusUnauthorized { // a page for key holders
			r = f.ts.do("GET", path, f.ts.Admin, nil, "Accept", browserAccept)
		}
		if checkSecurityHeaders(t, path, r, csp) {
			documents[path] = true
			if loads := foreignLoads(t, f.ts.URL+path, r); len(loads) > 0 {
				t.Errorf("%s loads from other hosts: %q", path, loads)
			}
		}
		return r
	}

	// The OpenAPI document's HTML and SVG operations answer documents.
	fromOpenAPI := openAPIDocumentRoutes(t, f.ts.do("GET", "/openapi.json", "", nil), false)
	if len(fromOpenAPI) < 2 {
		t.Fatalf("/openapi.json lists %d HTML or SVG operations: %q", len(fromOpenAPI), fromOpenAPI)
	}
	for _, p := range fromOpenAPI {
		path := f.concrete(p)
		if r := visit(path); r.Status != 200 || !documents[path] {
			t.Errorf("%s (from %s): %d %s", path, p, r.Status, r.Header.Get("Content-Type"))
		}
	}

	// Every OGC API path has an HTML view.
	fromOGC := openAPIDocumentRoutes(t, f.ts.do("GET", "/ogc/api?f=json", "", nil), true)
	for _, p := range fromOGC {
		path := "/ogc" + f.concrete(p) + "?f=html"
		if r := visit(path); r.Status != 200 || !documents[path] {
			t.Errorf("%s (from /ogc/api %s): %d %s", path, p, r.Status, r.Header.Get("Content-Type"))
		}
	}

	// Every page reachable by links from the home pages and the site map.
	queue, queued := []string{"/", "/sitemap", "/ogc?f=html", "/docs/", "/datasets/none", "/no/such/page"}, map[string]bool{}
	for len(queue) > 0 && len(queued) < 400 {
		path := queue[0]
		queue = queue[1:]
		if queued[path] {
			continue
		}
		queued[path] = true
		r := visit(path)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		doc, err := html.Parse(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		base, _ := url.Parse(f.ts.URL + path)
		for _, a := range findAll(doc, tag("a")) {
			u, err := base.Parse(attr(a, "href"))
			if err != nil || u.Host != base.Host {
				continue
			}
			u.Fragment = ""
			queue = append(queue, u.RequestURI())
		}
	}

	// Every GET route Echo knows, as a browser asks for it.
	for _, rt := range f.ts.srv.Echo.Routes() {
		if rt.Method == http.MethodGet {
			visit(f.concrete(rt.Path))
		}
	}

	for _, want := range []string{
		"/", "/datasets/" + f.spatial.Slug, "/datasets/" + f.tabular.Slug, "/organisations/neddc", "/datasets/none",
		"/api/v1/comparisons/" + f.comparison + "/report", "/api/v1/comparisons/" + f.comparison + "/chart.svg",
		"/docs/", "/inspire/waf/", "/api/v1/procurement-register.html",
		"/ogc/collections/" + f.spatial.Slug + "/items?f=html",
	} {
		if !documents[want] {
			t.Errorf("the walk did not check %s", want)
		}
	}
	t.Logf("%d documents checked; OGC API paths %q", len(documents), fromOGC)
}
