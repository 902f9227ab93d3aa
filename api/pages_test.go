package api

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// pagesFixture publishes a tabular, a spatial and a hostile-titled dataset
// through the real API, and leaves one draft unpublished.
type pagesFixture struct {
	ts                         *testServer
	spend, toilets, xss, draft datasetView
}

const xssTitle = `<script>alert("pwned")</script> Car parks & "charges"`

func newPagesFixture(t *testing.T) pagesFixture {
	t.Helper()
	ts := newTestServer(t)
	bdc, ned, ddd := ts.key(domain.RolePublisher, "bdc"), ts.key(domain.RolePublisher, "neddc"), ts.key(domain.RolePublisher, "dddc")
	publish := func(key string, d datasetView) {
		if r := ts.do("PATCH", "/api/v1/datasets/"+d.ID, key, `{"status":"published"}`); r.Status != 200 {
			t.Fatalf("publish %s: %d %s", d.Title, r.Status, r.Body)
		}
	}
	f := pagesFixture{ts: ts}
	f.spend = ts.createDataset(bdc, map[string]any{"title": "Spend over £500", "description": "Payments to suppliers over £500.\n\nPublished monthly under the Transparency Code.",
		"keywords": []string{"spend", "transparency"}, "themes": []string{"government-spending"}, "updateFrequency": "monthly"})
	if j := ts.publishUpload(bdc, f.spend.ID, "spend.csv", spendCSV, ""); j.State != opendata.JobSucceeded {
		t.Fatalf("spend upload: %+v", j)
	}
	publish(bdc, f.spend)
	f.toilets = ts.createDataset(ned, map[string]any{"title": "Public toilets", "description": "Council-run public toilets",
		"themes": []string{"towns-and-cities"}, "inspire": map[string]any{"topicCategories": []string{"structure"}, "inspireThemes": []string{"us"}}})
	if j := ts.publishUpload(ned, f.toilets.ID, "toilets.csv", []byte("name,easting,northing\nDronfield,435000,380000\nClay Cross,439000,363000\n"), ""); j.State != opendata.JobSucceeded {
		t.Fatalf("toilets upload: %+v", j)
	}
	publish(ned, f.toilets)
	f.xss = ts.createDataset(ddd, map[string]any{"title": xssTitle, "description": `<img src=x onerror=alert(1)> tariffs`,
		"licence": "CC-BY-4.0"})
	ts.publishUpload(ddd, f.xss.ID, "parks.csv", []byte("car park,spaces\nBakewell,120\n"), "")
	publish(ddd, f.xss)
	f.draft = ts.createDataset(bdc, map[string]any{"title": "Unannounced depot closures", "description": "Draft only"})
	ts.publishUpload(bdc, f.draft.ID, "depots.csv", []byte("depot,closes\nA,2027\n"), "")
	return f
}

// get fetches a page as a browser would and parses it.
func (f pagesFixture) page(t *testing.T, path string, wantStatus int) (*html.Node, response) {
	t.Helper()
	r := f.ts.do("GET", path, "", nil, "Accept", browserAccept)
	if r.Status != wantStatus {
		t.Fatalf("GET %s: %d, want %d\n%.1500s", path, r.Status, wantStatus, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	doc, err := html.Parse(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	checkAccessible(t, path, doc)
	return doc, r
}

func TestPagesHomeFacetsAndSearch(t *testing.T) {
	f := newPagesFixture(t)
	doc, r := f.page(t, "/", 200)
	body := string(r.Body)
	for _, want := range []string{"Spend over £500", "Public toilets"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if strings.Contains(body, "Unannounced depot") {
		t.Error("a draft dataset appears on the home page")
	}
	// The page's own links (style sheet, footer, results) all resolve.
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.Data == "a" || n.Data == "link" }) {
		if h := attr(n, "href"); strings.HasPrefix(h, "/") {
			if r := f.ts.do("GET", h, "", nil); r.Status != 200 {
				t.Errorf("link %s on the home page: %d", h, r.Status)
			}
		}
	}
	counts := facetCounts(doc)
	want := map[string]string{"publisher=bdc": "(1)", "publisher=neddc": "(1)", "publisher=dddc": "(1)",
		"format=csv": "(3)", "format=json": "(2)", "format=geojson": "(1)",
		"licence=OGL-UK-3.0": "(2)", "licence=CC-BY-4.0": "(1)", "theme=government-spending": "(1)", "theme=towns-and-cities": "(1)"}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("facet %s shows %q, want %q (all: %v)", k, counts[k], v, counts)
		}
	}
	// Ticking a publisher narrows the results and the other facets, but the
	// publisher facet still counts the alternatives.
	doc, _ = f.page(t, "/datasets?publisher=bdc", 200)
	counts = facetCounts(doc)
	if counts["publisher=neddc"] != "(1)" || counts["format=csv"] != "(1)" || counts["format=geojson"] != "" {
		t.Errorf("facets with publisher=bdc: %v", counts)
	}
	if titles := resultTitles(doc); len(titles) != 1 || titles[0] != "Spend over £500" {
		t.Errorf("publisher=bdc results: %q", titles)
	}
	doc, _ = f.page(t, "/datasets?q=toilets", 200)
	if titles := resultTitles(doc); len(titles) != 1 || titles[0] != "Public toilets" {
		t.Errorf("q=toilets results: %q", titles)
	}
	doc, _ = f.page(t, "/datasets?format=csv&limit=2&page=2", 200)
	if titles := resultTitles(doc); len(titles) != 1 {
		t.Errorf("second page of 3 at 2 a page: %q", titles)
	}
	if findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "rel") == "prev" }) == nil {
		t.Error("page 2 has no link to page 1")
	}
	// A bad parameter: an error summary for people, problem JSON for programs.
	f.page(t, "/datasets?colour=red", 400)
	if r := f.ts.do("GET", "/datasets?colour=red", "", nil); r.Status != 400 || r.problem(t).Errors[0].Field != "colour" {
		t.Errorf("bad parameter for an API client: %d %s", r.Status, r.Body)
	}
	if r := f.ts.do("GET", "/datasets?status=draft&publisher=bdc", "", nil, "Accept", browserAccept); r.Status != 400 {
		t.Errorf("status=draft on the catalogue page: %d", r.Status)
	}
}

func TestPagesDatasetPage(t *testing.T) {
	f := newPagesFixture(t)
	doc, r := f.page(t, "/datasets/"+f.spend.Slug, 200)
	if h1 := text(findAll(doc, tag("h1"))[0]); h1 != "Spend over £500" {
		t.Errorf("h1 %q", h1)
	}
	body := string(r.Body)
	for _, want := range []string{"Open Government Licence v3.0", "Monthly", "Bolsover District Council", "Government spending",
		"Open data team", "opendata@ne-derbyshire.gov.uk", "2 rows", "Published monthly under the Transparency Code."} {
		if !strings.Contains(body, want) {
			t.Errorf("dataset page lacks %q", want)
		}
	}
	// The preview shows the first rows under the column names.
	heads := findAll(doc, func(n *html.Node) bool { return n.Data == "th" && attr(n.Parent.Parent.Parent, "class") == "data" })
	if len(heads) != 7 || !strings.HasPrefix(text(heads[0]), "Body name") {
		t.Fatalf("preview columns: %d", len(heads))
	}
	rows := findAll(doc, func(n *html.Node) bool {
		return n.Data == "tr" && n.Parent.Data == "tbody" && attr(n.Parent.Parent, "class") == "data"
	})
	if len(rows) != 2 {
		t.Fatalf("preview rows: %d", len(rows))
	}
	cells := findAll(rows[0], tag("td"))
	if text(cells[0]) != "Bolsover District Council" || text(cells[4]) != "BDC-0001" || !strings.Contains(text(cells[5]), "1,250.00") {
		t.Errorf("first preview row: %q %q %q", text(cells[0]), text(cells[4]), text(cells[5]))
	}
	// Every download link resolves.
	var downloads []string
	for _, a := range findAll(doc, tag("a")) {
		if h := attr(a, "href"); strings.Contains(h, "/latest.") || strings.Contains(h, "/versions/") {
			downloads = append(downloads, h)
		}
	}
	if len(downloads) < 4 {
		t.Fatalf("download links: %q", downloads)
	}
	for _, h := range downloads {
		if r := f.ts.do("GET", h, "", nil); r.Status != 200 || len(r.Body) == 0 {
			t.Errorf("download %s: %d", h, r.Status)
		}
	}
	// Machine-readable descriptions are announced in the head.
	alts := map[string]string{}
	for _, l := range findAll(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "rel") == "alternate" }) {
		alts[attr(l, "type")] = attr(l, "href")
	}
	if alts["application/ld+json"] != "/dataset/"+f.spend.Slug+".jsonld" || alts["text/turtle"] == "" || alts["application/json"] != "/api/v1/datasets/"+f.spend.ID {
		t.Errorf("alternates: %v", alts)
	}
	for _, href := range alts {
		if r := f.ts.do("GET", href, "", nil); r.Status != 200 {
			t.Errorf("alternate %s: %d", href, r.Status)
		}
	}
	if r := f.ts.do("HEAD", "/datasets/"+f.spend.Slug, "", nil); r.Status != 200 {
		t.Errorf("HEAD of the landing page: %d", r.Status)
	}
	// Publisher links to its organisation page.
	if findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "/organisations/bdc" }) == nil {
		t.Error("no link to the publisher's page")
	}
	// Unchanged page: 304.
	if tag := r.Header.Get("ETag"); tag == "" {
		t.Error("no ETag")
	} else if r := f.ts.do("GET", "/datasets/"+f.spend.Slug, "", nil, "If-None-Match", tag); r.Status != 304 {
		t.Errorf("If-None-Match: %d", r.Status)
	}
}

func TestPagesSpatialDatasetMap(t *testing.T) {
	f := newPagesFixture(t)
	doc, _ := f.page(t, "/datasets/"+f.toilets.Slug, 200)
	svg := findAll(doc, tag("svg"))
	if len(svg) != 1 || attr(svg[0], "role") != "img" {
		t.Fatalf("map svg: %d", len(svg))
	}
	points := findAll(svg[0], tag("circle"))
	if len(points) != 2 {
		t.Fatalf("map points: %d, want 2", len(points))
	}
	// Dronfield lies north of Clay Cross, so it is drawn higher up.
	cy := func(n *html.Node) float64 { f, _ := strconv.ParseFloat(attr(n, "cy"), 64); return f }
	if cy(points[0]) >= cy(points[1]) {
		t.Errorf("Dronfield (cy %s) not above Clay Cross (cy %s)", attr(points[0], "cy"), attr(points[1], "cy"))
	}
	hrefs := map[string]bool{}
	for _, a := range findAll(doc, tag("a")) {
		hrefs[attr(a, "href")] = true
	}
	for _, want := range []string{"/ogc/collections/" + f.toilets.Slug, "/ogc/collections/" + f.toilets.Slug + "/items?f=html",
		"/datasets/" + f.toilets.Slug + "/latest.geojson"} {
		if !hrefs[want] {
			t.Errorf("spatial page lacks a link to %s", want)
		}
	}
	if len(findAll(doc, func(n *html.Node) bool { return attr(n, "class") == "data" })) != 0 {
		t.Error("a spatial dataset shows a tabular preview")
	}
}

func TestPagesEscapingDraftsAndErrors(t *testing.T) {
	f := newPagesFixture(t)
	doc, r := f.page(t, "/datasets/"+f.xss.Slug, 200)
	if strings.Contains(string(r.Body), "<script>alert") || strings.Contains(string(r.Body), "<img src=x") {
		t.Fatal("the title or description reached the page unescaped")
	}
	if h1 := text(findAll(doc, tag("h1"))[0]); h1 != xssTitle {
		t.Errorf("h1 %q, want the title as text", h1)
	}
	if findAll(doc, tag("script")) != nil {
		t.Error("the page has a script element")
	}
	// Drafts: no page, no listing, not on the publisher's page.
	f.page(t, "/datasets/"+f.draft.Slug, 404)
	if r := f.ts.do("GET", "/datasets/"+f.draft.Slug, "", nil); r.Status != 404 || r.problem(t).Status != 404 {
		t.Errorf("draft for an API client: %d", r.Status)
	}
	_, r = f.page(t, "/organisations/bdc", 200)
	if !strings.Contains(string(r.Body), "Spend over £500") || strings.Contains(string(r.Body), "Unannounced") {
		t.Error("organisation page: wrong datasets")
	}
	if !strings.Contains(string(r.Body), "E07000033") || !strings.Contains(string(r.Body), "https://www.bolsover.gov.uk") {
		t.Error("organisation page lacks the GSS code or website")
	}
	if r := f.ts.do("GET", "/datasets?q=depot", "", nil, "Accept", browserAccept); strings.Contains(string(r.Body), "Unannounced") {
		t.Error("a draft is found by search")
	}
	f.page(t, "/organisations/nowhere", 404)
	f.page(t, "/no/such/page", 404)
	// Withdrawn: the page says so with 410.
	if r := f.ts.do("DELETE", "/api/v1/datasets/"+f.spend.ID, f.ts.key(domain.RolePublisher, "bdc"), nil); r.Status != 200 {
		t.Fatalf("withdraw: %d", r.Status)
	}
	f.page(t, "/datasets/"+f.spend.Slug, 410)
	if r := f.ts.do("GET", "/datasets", "", nil, "Accept", browserAccept); strings.Contains(string(r.Body), "Spend over") {
		t.Error("a withdrawn dataset is still listed")
	}
	if r := f.ts.do("GET", "/api/v1/datasets/nope", "", nil, "Accept", browserAccept); r.Status != 404 || r.problem(t).Status != 404 {
		t.Errorf("the JSON API answered a browser with %s", r.Header.Get("Content-Type"))
	}
}

// checkAccessible asserts what every page must have: lang, one h1, no
// skipped heading levels, a skip link to main, and a label for every control.
func checkAccessible(t *testing.T, path string, doc *html.Node) {
	t.Helper()
	if h := findAll(doc, tag("html")); len(h) != 1 || attr(h[0], "lang") != "en-GB" {
		t.Errorf("%s: html lang is not en-GB", path)
	}
	if n := len(findAll(doc, tag("h1"))); n != 1 {
		t.Errorf("%s: %d h1 elements", path, n)
	}
	level := 0
	for _, h := range findAll(doc, func(n *html.Node) bool {
		return n.Type == html.ElementNode && len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6'
	}) {
		l := int(h.Data[1] - '0')
		if l > level+1 {
			t.Errorf("%s: <%s> %q follows h%d", path, h.Data, text(h), level)
		}
		level = l
	}
	if skip := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "#main" }); skip == nil {
		t.Errorf("%s: no skip link", path)
	}
	if findAll(doc, func(n *html.Node) bool { return n.Data == "main" && attr(n, "id") == "main" }) == nil {
		t.Errorf("%s: no main#main", path)
	}
	labels := map[string]bool{}
	for _, l := range findAll(doc, tag("label")) {
		labels[attr(l, "for")] = true
	}
	for _, c := range findAll(doc, func(n *html.Node) bool {
		return n.Type == html.ElementNode && (n.Data == "input" || n.Data == "select" || n.Data == "textarea")
	}) {
		if typ := attr(c, "type"); typ == "hidden" || typ == "submit" {
			continue
		}
		if id := attr(c, "id"); id == "" || !labels[id] {
			t.Errorf("%s: <%s name=%q> has no label", path, c.Data, attr(c, "name"))
		}
	}
}

// facetCounts maps "name=value" of every facet checkbox to its count text.
func facetCounts(doc *html.Node) map[string]string {
	out := map[string]string{}
	for _, in := range findAll(doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "type") == "checkbox" }) {
		for _, l := range findAll(doc, func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == attr(in, "id") }) {
			for _, s := range findAll(l, func(n *html.Node) bool { return attr(n, "class") == "count" }) {
				out[attr(in, "name")+"="+attr(in, "value")] = text(s)
			}
		}
	}
	return out
}

func resultTitles(doc *html.Node) []string {
	var out []string
	for _, h := range findAll(doc, tag("h3")) {
		if a := findAll(h, tag("a")); a != nil {
			out = append(out, text(a[0]))
		}
	}
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == name }
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
