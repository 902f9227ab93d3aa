package main

import (
	"encoding/json"
	"errors"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jointict/councilapi/app/demo"
	"github.com/jointict/councilapi/internal/testref"
)

// TestDemoServesEveryPageOfTheSiteMap runs "councilapi demo" as a newcomer
// would and walks the site map: anonymously, then signed in with the demo
// admin key through the sign-in form. Every page answers 200 with content,
// every page a page links to is one the site map knows, and the sample's
// spatial dataset is on the map, in the OGC API, the downloads and the
// catalogues.
func TestDemoServesEveryPageOfTheSiteMap(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo-data")
	began := time.Now()
	p := startCommand(t, 2*time.Minute, []string{"demo", "--addr", "127.0.0.1:0", "--data-dir", dir})
	// The port opens before the derived state has loaded (503 until then),
	// so the walk starts when /readyz says 200, as a load balancer's would.
	p.waitReady(t)
	loaded := time.Since(began)
	out := p.out.String()
	admin := demoKey(t, out, "Demo admin")
	for _, want := range []string{"not real council data", p.url + "/signin", p.url + "/sitemap", "Demo officer, BDC", "Demo publisher, NEDDC"} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output does not say %q:\n%s", want, out)
		}
	}
	if marker, err := os.ReadFile(filepath.Join(dir, demo.Marker)); err != nil || !strings.Contains(string(marker), "not real council data") {
		t.Errorf("the demo's directory is not marked as sample data: %v %q", err, marker)
	}

	anonymous := newBrowser(t, p.url)
	publicPages := anonymous.walkSitemap(t)
	staff := newBrowser(t, p.url)
	staff.signIn(t, admin)
	allPages := staff.walkSitemap(t)
	if len(allPages) <= len(publicPages) {
		t.Errorf("signed in as the demo admin the site map lists %d pages, anonymously %d: the staff pages are missing", len(allPages), len(publicPages))
	}
	for _, want := range []string{"/datasets/" + demo.WifiSlug, "/ogc/collections/" + demo.WifiSlug + "/items",
		"/api/v1/organisations/neddc/capital-programme.html", "/api/v1/organisations/bdc/joint-procurements.html"} {
		if _, ok := allPages[want]; !ok {
			t.Errorf("the site map does not list %s", want)
		}
	}
	if !slices.ContainsFunc(slices.Collect(maps.Values(publicPages)), func(r string) bool { return r == "/api/v1/comparisons/:id/report" }) {
		t.Error("the public site map does not list the published comparison's decision report")
	}
	// The sourcing pages, populated by the sample comparison and searches.
	for _, route := range []string{"/sourcing", "/sourcing/services", "/sourcing/comparisons/new", "/sourcing/comparisons/:id",
		"/sourcing/comparisons/:id/report", "/sourcing/searches/:id", "/sourcing/services/:id"} {
		if !slices.Contains(slices.Collect(maps.Values(allPages)), route) {
			t.Errorf("the demo admin's site map lists no page of %s", route)
		}
	}
	staff.followLinks(t, allPages)
	walked := time.Since(began) - loaded
	// Reported, not asserted: the machine may be busy.
	t.Logf("demo started with its sample loaded in %s; %d pages of the site map (%d public) and the pages they link to walked in %s",
		loaded.Round(time.Millisecond), len(allPages), len(publicPages), walked.Round(time.Millisecond))

	// The spatial sample: drawn on the dataset page's map, served by the
	// OGC API, downloadable and described by DCAT and GEMINI.
	wifi := 3 * 10 // each office and nine generated hotspots around it
	page := anonymous.get(t, "/datasets/"+demo.WifiSlug, "text/html")
	if !strings.Contains(page.body, `<figure class="map"`) || strings.Count(page.body, `class="map-point"`) != wifi {
		t.Errorf("the Wi-Fi dataset's page should draw its %d hotspots on the map; it draws %d", wifi, strings.Count(page.body, `class="map-point"`))
	}
	items := anonymous.get(t, "/ogc/collections/"+demo.WifiSlug+"/items?limit=100", "application/geo+json")
	var fc struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			Geometry struct {
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(items.body), &fc); err != nil || fc.NumberMatched != wifi || len(fc.Features) != wifi {
		t.Fatalf("OGC API items: %v, %d matched, %d features\n%.500s", err, fc.NumberMatched, len(fc.Features), items.body)
	}
	for _, f := range fc.Features {
		lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
		if note, _ := f.Properties["note"].(string); !strings.HasPrefix(note, "Sample") || lon < -1.7 || lon > -1.1 || lat < 53.0 || lat > 53.35 {
			t.Errorf("feature %v at %g,%g: want a labelled sample in North East Derbyshire, Bolsover or the Dales", f.Properties["siteId"], lon, lat)
		}
	}
	if d := anonymous.get(t, "/datasets/"+demo.WifiSlug+"/latest.geojson", "application/geo+json"); !strings.Contains(d.body, "Mill Lane") {
		t.Errorf("the GeoJSON download: %.300s", d.body)
	}
	if d := anonymous.get(t, "/datasets/"+demo.SpendSlug+"/latest.csv", "text/csv"); !strings.Contains(d.body, "(sample)") {
		t.Errorf("the spend download: %.300s", d.body)
	}
	if c := anonymous.get(t, "/catalog.jsonld", "application/ld+json"); !strings.Contains(c.body, demo.WifiSlug) || !strings.Contains(c.body, demo.SpendSlug) {
		t.Errorf("DCAT does not describe the sample: %.500s", c.body)
	}
	if w := anonymous.get(t, "/inspire/waf/", "text/html"); strings.Count(w.body, ".xml\"") < 3 {
		t.Errorf("the GEMINI folder should hold a record of each spatial sample:\n%.1500s", w.body)
	}

	qgisReadsTheDemo(t, anonymous, p.url)

	// Run again, the demo serves the same sample with new keys; --reload
	// replaces it.
	datasets := anonymous.get(t, "/api/v1/datasets", "application/json").body
	p.stop(t, syscall.SIGTERM)
	again := startCommand(t, 2*time.Minute, []string{"demo", "--addr", "127.0.0.1:0", "--data-dir", dir})
	again.waitReady(t)
	if !strings.Contains(again.out.String(), "Serving the demo loaded earlier") || demoKey(t, again.out.String(), "Demo admin") == admin {
		t.Errorf("a second run should serve the loaded sample with new keys:\n%s", again.out)
	}
	// The links name the port, which is new.
	hosts := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
	if got := newBrowser(t, again.url).get(t, "/api/v1/datasets", "application/json").body; hosts.ReplaceAllString(got, "") != hosts.ReplaceAllString(datasets, "") {
		t.Errorf("a second run changed the datasets:\n%s\nwant\n%s", got, datasets)
	}
	again.stop(t, syscall.SIGTERM)
	reloaded := startCommand(t, 2*time.Minute, []string{"demo", "--addr", "127.0.0.1:0", "--data-dir", dir, "--reload"})
	if !strings.Contains(reloaded.out.String(), "Sample loaded in") {
		t.Errorf("--reload should load a fresh sample:\n%s", reloaded.out)
	}
}

func TestDemoNeverWritesOverADirectoryItDidNotMake(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "councilapi.db"), []byte("a council's real data"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "demo", "--addr", "127.0.0.1:0", "--data-dir", dir, "--reload")
	cmd.Env = append(os.Environ(), "MONGODB_URI=")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "holds no councilapi demo") {
		t.Fatalf("exit %v:\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "councilapi.db")); string(b) != "a council's real data" {
		t.Fatal("the demo changed a directory it did not make")
	}
}

// TestTheContentCheckSeesAnEmptySite runs the walk's check on the pages
// of a server with nothing in it, which must fail it.
func TestTheContentCheckSeesAnEmptySite(t *testing.T) {
	p := start(t, t.TempDir())
	p.waitReady(t)
	b := newBrowser(t, p.url)
	for _, href := range []string{"/organisations/neddc", "/datasets?q=wi-fi"} {
		if page := b.get(t, href, "text/html"); page.status != 200 || emptyPage(href, page.body) == "" {
			t.Errorf("%s of an empty site: %d, and the check finds content:\n%.2000s", href, page.status, page.body)
		}
	}
}

// demoKey is the secret the demo printed for the key labelled label.
func demoKey(t *testing.T, out, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(label) + `\s.*\s(cak_\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the demo printed no %q key:\n%s", label, out)
	}
	return m[1]
}

// browser is a cookie-keeping client that sends what a browser sends.
type browser struct {
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: base, client: &http.Client{Jar: jar}}
}

type fetched struct {
	status      int
	contentType string
	body        string
}

func (b *browser) get(t *testing.T, path, accept string) fetched {
	t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return fetched{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), body: string(body)}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in through the sign-in form with an API key.
func (b *browser) signIn(t *testing.T, key string) {
	t.Helper()
	form := b.get(t, "/signin", "text/html")
	m := csrfField.FindStringSubmatch(form.body)
	if m == nil {
		t.Fatalf("the sign-in page has no CSRF token:\n%.1500s", form.body)
	}
	req, _ := http.NewRequest("POST", b.base+"/signin", strings.NewReader(url.Values{"key": {key}, "csrf": {m[1]}, "next": {"/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "Signed in as") {
		t.Fatalf("signing in with the demo key: %d\n%.1500s", res.StatusCode, body)
	}
}

var sitemapEntry = regexp.MustCompile(`<a href="([^"]+)" data-route="([^"]+)">`)

// walkSitemap reads the site map and opens every page it lists: each must
// answer 200 with content. It returns the pages by href, with their routes.
func (b *browser) walkSitemap(t *testing.T) map[string]string {
	t.Helper()
	sm := b.get(t, "/sitemap", "text/html")
	if sm.status != 200 {
		t.Fatalf("/sitemap: %d", sm.status)
	}
	pages := map[string]string{}
	for _, m := range sitemapEntry.FindAllStringSubmatch(sm.body, -1) {
		pages[html.UnescapeString(m[1])] = m[2]
	}
	for href := range pages {
		p := b.get(t, href, "text/html")
		if p.status != 200 || !strings.HasPrefix(p.contentType, "text/html") {
			t.Errorf("%s (in the site map): %d %s", href, p.status, p.contentType)
			continue
		}
		if why := emptyPage(href, p.body); why != "" {
			t.Errorf("%s (in the site map) shows no content: %s", href, why)
		}
	}
	return pages
}

// scriptDrawn are pages whose content a script draws in the browser, so
// their HTML alone has none: Swagger UI (TestSwaggerUIRendersInChromium
// checks it renders).
var scriptDrawn = []string{"/docs/"}

// emptyStates are what the pages say when they have nothing to show.
var emptyStates = regexp.MustCompile(`No datasets match|has not published any datasets yet|No joint procurement matches|` +
	`The programme has not been reviewed yet`)

var (
	mainElement = regexp.MustCompile(`(?s)<main[^>]*>(.*)</main>`)
	h1Element   = regexp.MustCompile(`(?s)<h1[^>]*>.*?</h1>`)
	hidden      = regexp.MustCompile(`(?s)<(script|style|svg)[^>]*>.*?</(script|style|svg)>`)
	anyTag      = regexp.MustCompile(`<[^>]+>`)
	spaces      = regexp.MustCompile(`\s+`)
)

// emptyPage says why a page shows nothing, or "" when it shows content:
// text beyond its heading, and none of the pages' empty states.
func emptyPage(href, page string) string {
	if slices.Contains(scriptDrawn, href) {
		return ""
	}
	m := mainElement.FindStringSubmatch(page)
	if m == nil {
		return "no <main> element"
	}
	if e := emptyStates.FindString(m[1]); e != "" {
		return "it says " + e
	}
	text := h1Element.ReplaceAllString(hidden.ReplaceAllString(m[1], " "), " ")
	text = strings.TrimSpace(spaces.ReplaceAllString(html.UnescapeString(anyTag.ReplaceAllString(text, " ")), " "))
	if len(text) < 80 {
		return "only " + `"` + text + `" beyond its heading`
	}
	return ""
}

var link = regexp.MustCompile(`<a [^>]*href="([^"#]+)`)

// followLinks opens every same-site link of the given pages once (by
// path): every HTML page reached must be an instance of a route the site
// map lists, so a new kind of page cannot be left out of it.
func (b *browser) followLinks(t *testing.T, pages map[string]string) {
	t.Helper()
	var routes []*regexp.Regexp
	for _, r := range pages {
		routes = append(routes, routePattern(r))
	}
	seen := map[string]bool{}
	for href := range pages {
		seen[pathOf(href)] = true
	}
	var broken []string
	for href := range pages {
		from, err := url.Parse(b.base + href)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(b.get(t, href, "text/html").body, -1) {
			ref, err := url.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Errorf("%s links to %q, which is no URL", href, m[1])
				continue
			}
			u := from.ResolveReference(ref)
			if b.base != u.Scheme+"://"+u.Host || seen[u.Path] {
				continue // another site's, or opened already
			}
			seen[u.Path] = true
			p := b.get(t, u.RequestURI(), "text/html")
			if p.status != 200 {
				broken = append(broken, u.RequestURI()+" (from "+href+")")
				continue
			}
			if !strings.HasPrefix(p.contentType, "text/html") {
				continue // a download or a JSON document
			}
			if !slices.ContainsFunc(routes, func(r *regexp.Regexp) bool { return r.MatchString(u.Path) }) {
				t.Errorf("%s (linked from %s) is a page the site map lists no route of", u.Path, href)
			}
		}
	}
	// Links to pages other engineers have yet to build are reported, not
	// failed: the site map test is about the pages that exist.
	if len(broken) > 0 {
		t.Logf("links that do not answer 200: %v", broken)
	}
}

// routePattern matches the paths of an Echo route: /datasets/:slug,
// /docs/*; a trailing slash is optional, as the router treats it.
func routePattern(route string) *regexp.Regexp {
	parts := strings.Split(strings.TrimSuffix(route, "/"), "/")
	for i, p := range parts {
		switch {
		case p == "*":
			parts[i] = ".*"
		case strings.HasPrefix(p, ":"):
			parts[i] = "[^/]+"
		default:
			parts[i] = regexp.QuoteMeta(p)
		}
	}
	return regexp.MustCompile("^" + strings.Join(parts, "/") + "/?$")
}

func pathOf(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return href
	}
	return u.Path
}

// qgisReadsTheDemo is QGIS 3, headless, on the demo as a GIS officer would
// first try it: its browser lists every OGC API collection, each loads
// through the OAPIF provider with every feature the API says it has, and
// MetaSearch's CSW client lists every spatial sample.
func qgisReadsTheDemo(t *testing.T, b *browser, base string) {
	t.Helper()
	var cols struct {
		Collections []struct{ ID, Title string } `json:"collections"`
	}
	if err := json.Unmarshal([]byte(b.get(t, "/ogc/collections", "application/json").body), &cols); err != nil || len(cols.Collections) < 3 {
		t.Fatalf("the demo's OGC API collections: %v %+v", err, cols)
	}
	want := map[string]int{}
	for _, c := range cols.Collections {
		var page struct {
			NumberMatched int `json:"numberMatched"`
		}
		if err := json.Unmarshal([]byte(b.get(t, "/ogc/collections/"+c.ID+"/items?limit=1", "application/geo+json").body), &page); err != nil {
			t.Fatal(err)
		}
		want[c.Title] = page.NumberMatched
	}
	out := testref.QGIS(t, filepath.Join("api", "testdata", "qgis_client.py"), base, "{}", "sample")
	var res struct {
		Collections []struct{ Title string }
		Layers      map[string]struct {
			Valid        bool
			Count        int
			FeatureCount int
			CRS          string
		}
		CSW map[string]json.RawMessage
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("qgis_client.py printed %v:\n%s", err, out)
	}
	if len(res.Collections) != len(want) {
		t.Errorf("QGIS's browser lists %d collections, the API %d: %+v", len(res.Collections), len(want), res.Collections)
	}
	for title, n := range want {
		l, ok := res.Layers[title]
		if !ok || !l.Valid || l.Count != n || l.FeatureCount != n || l.CRS != "EPSG:4326" {
			t.Errorf("%s in QGIS: %+v; want %d features in EPSG:4326", title, l, n)
		}
	}
	var all struct {
		Records map[string][]string
	}
	if err := json.Unmarshal(res.CSW["all"], &all); err != nil {
		t.Fatal(err)
	}
	for title := range want {
		if links, ok := all.Records[title]; !ok || len(links) != 1 {
			t.Errorf("MetaSearch does not list %q with its OGC API link: %+v", title, all.Records)
		}
	}
}
