package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
)

// harvestServer serves the harvest routes over a fake source of the two
// real datasets plus fillers, at pages of perPage.
func harvestServer(t *testing.T, fillers, perPage int) string {
	t.Helper()
	s := &Server{Echo: echo.New(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.Echo.HTTPErrorHandler = s.errorHandler
	(&harvestAPI{s: s, src: dcattest.Source{Fillers: fillers}, perPage: perPage}).register(s.Echo)
	hs := httptest.NewServer(s.Echo)
	t.Cleanup(hs.Close)
	return hs.URL
}

func get(t *testing.T, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

var (
	datasetRe = regexp.MustCompile(`dcat:dataset <([^>]+)>`)
	nextRe    = regexp.MustCompile(`hydra:next <([^>]+)>`)
)

func TestHarvestDCATWalkedLikeCkanextDCAT(t *testing.T) {
	base := harvestServer(t, 5, 3) // 7 datasets, 3 pages
	seen := map[string]int{}
	next, pages := base+"/catalog.ttl", 0
	for next != "" {
		if pages++; pages > 5 {
			t.Fatal("hydra paging does not end")
		}
		res, body := get(t, next)
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/turtle") {
			t.Fatalf("GET %s: %d %s", next, res.StatusCode, res.Header.Get("Content-Type"))
		}
		for _, m := range datasetRe.FindAllStringSubmatch(body, -1) {
			seen[m[1]]++
		}
		next = ""
		if m := nextRe.FindStringSubmatch(body); m != nil {
			next = m[1]
		}
	}
	if pages != 3 || len(seen) != 7 {
		t.Errorf("walked %d pages and %d datasets; want 3 and 7", pages, len(seen))
	}
	for uri, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", uri, n)
		}
		// Every dataset URI dereferences to its own description.
		if res, body := get(t, uri, "Accept", "text/turtle"); res.StatusCode != 200 || !strings.Contains(body, "<"+uri+"> a dcat:Dataset") {
			t.Errorf("GET %s: %d", uri, res.StatusCode)
		}
	}
}

func TestHarvestDCATFormatsAreOneGraphAndConform(t *testing.T) {
	base := harvestServer(t, 1, 100)
	dir := t.TempDir()
	// /catalog negotiates, so its three answers (hydra page links included)
	// are one graph; /catalog.{ext} pages link pages of their own format.
	var files []string
	for ext, accept := range map[string]string{"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"} {
		_, body := get(t, base+"/catalog", "Accept", accept)
		p := filepath.Join(dir, "catalog."+ext)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	slices.Sort(files) // catalog.jsonld, catalog.rdf, catalog.ttl
	dcattest.Isomorphic(t, files, []string{"json-ld", "xml", "turtle"})
	for _, f := range files {
		dcattest.SHACL211(t, f)
	}
}

func TestHarvestContentNegotiationAndETag(t *testing.T) {
	base := harvestServer(t, 0, 100)
	for accept, want := range map[string]string{
		"application/ld+json":                          "application/ld+json",
		"application/rdf+xml":                          "application/rdf+xml",
		"text/turtle;q=0.5, application/ld+json;q=0.9": "application/ld+json",
		"":    "text/turtle",
		"*/*": "text/turtle",
	} {
		res, _ := get(t, base+"/catalog", "Accept", accept)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
			t.Errorf("Accept %q gave %s, want %s", accept, ct, want)
		}
	}
	browser := "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	res, _ := get(t, base+"/dataset/trafford-highway-trees", "Accept", browser)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/datasets/trafford-highway-trees" {
		t.Errorf("a browser got %d to %q; want 303 to the landing page", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := get(t, base+"/dataset/trafford-highway-trees.rdf")
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/rdf+xml") || !strings.Contains(body, "geosparql#geoJSONLiteral") {
		t.Errorf("dataset.rdf: %s", res.Header.Get("Content-Type"))
	}
	if res, _ := get(t, base+"/dataset/no-such-dataset.ttl"); res.StatusCode != 404 {
		t.Errorf("unknown dataset: %d", res.StatusCode)
	}
	res, _ = get(t, base+"/catalog.jsonld")
	tag := res.Header.Get("ETag")
	if res2, _ := get(t, base+"/catalog.jsonld", "If-None-Match", tag); tag == "" || res2.StatusCode != 304 {
		t.Errorf("If-None-Match %s: %d, want 304", tag, res2.StatusCode)
	}
	if res, _ := get(t, base+"/catalog.ttl?page=0"); res.StatusCode != 400 {
		t.Errorf("page=0: %d, want 400", res.StatusCode)
	}
}

func TestHarvestDataJSONWalkedLikeDcatJSON(t *testing.T) {
	base := harvestServer(t, 4, 2) // 6 datasets, pages of 2
	seen := map[string]int{}
	for page := 1; ; page++ {
		if page > 10 {
			t.Fatal("data.json paging does not end")
		}
		u := base + "/data.json"
		if page > 1 { // as the harvester builds it
			u += "?page=" + itoaTest(page)
		}
		res, body := get(t, u)
		var doc struct {
			Context    string           `json:"@context"`
			Type       string           `json:"@type"`
			ConformsTo string           `json:"conformsTo"`
			Dataset    []map[string]any `json:"dataset"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %d %v", u, res.StatusCode, err)
		}
		if doc.Type != "dcat:Catalog" || doc.ConformsTo != "https://project-open-data.cio.gov/v1.1/schema" {
			t.Errorf("top level: %+v", doc)
		}
		if len(doc.Dataset) == 0 {
			break
		}
		for _, d := range doc.Dataset {
			seen[d["identifier"].(string)]++
			for _, k := range []string{"title", "description", "keyword", "issued", "modified", "publisher",
				"contactPoint", "landingPage", "license", "accessLevel", "distribution"} {
				if d[k] == nil {
					t.Errorf("%s lacks %s", d["identifier"], k)
				}
			}
		}
	}
	if len(seen) != 6 {
		t.Errorf("walked %d datasets, want 6", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", id, n)
		}
	}
	_, body := get(t, base+"/data.json?page=1")
	for _, want := range []string{`"spatial": "-2.4701,53.3602,-2.2601,53.4788"`, `"temporal": "2025-04-01/2026-03-31"`,
		`"hasEmail": "mailto:transparency@ne-derbyshire.gov.uk"`, `"accessURL": "` + base + `/ogc/collections/trafford-highway-trees"`} {
		if !strings.Contains(body, want) {
			t.Errorf("data.json lacks %s", want)
		}
	}
}

type ckanEnvelope struct {
	Help    string          `json:"help"`
	Success bool            `json:"success"`
	Result  json.RawMessage `json:"result"`
	Error   map[string]any  `json:"error"`
}

func ckanCall(t *testing.T, base, action string, q url.Values) (int, ckanEnvelope) {
	t.Helper()
	res, body := get(t, base+"/api/3/action/"+action+"?"+q.Encode())
	var env ckanEnvelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("%s: %v: %s", action, err, body)
	}
	return res.StatusCode, env
}

func TestHarvestCKANPackageSearchWalkedLikeTheCkanHarvester(t *testing.T) {
	base := harvestServer(t, 8, 100) // 10 datasets
	walk := func(fq string) map[string]int {
		seen := map[string]int{}
		q := url.Values{"rows": {"3"}, "start": {"0"}, "sort": {"id asc"}}
		if fq != "" {
			q.Set("fq", fq)
		}
		for start := 0; start < 100; start += 3 {
			q.Set("start", itoaTest(start))
			code, env := ckanCall(t, base, "package_search", q)
			var r struct {
				Count   int              `json:"count"`
				Results []map[string]any `json:"results"`
			}
			if err := json.Unmarshal(env.Result, &r); code != 200 || !env.Success || err != nil {
				t.Fatalf("package_search %v: %d %v", q, code, env.Error)
			}
			if len(r.Results) == 0 {
				break
			}
			for _, p := range r.Results {
				seen[p["id"].(string)]++
			}
		}
		return seen
	}
	all := walk("")
	if len(all) != 10 {
		t.Errorf("walked %d datasets, want 10", len(all))
	}
	for id, n := range all {
		if n != 1 {
			t.Errorf("%s returned %d times", id, n)
		}
	}
	// The harvester's incremental query: Python isoformat() with microseconds.
	since := walk("metadata_modified:[2026-01-01T00:00:00.000001Z TO *]")
	if len(since) != 1 || since["ds-0001-neddc-spend"] != 1 {
		t.Errorf("modified since 2026: %v, want only the spend dataset", since)
	}
	if orgs := walk("organization:tmbc OR organization:bdc"); len(orgs) != 1 || orgs["ds-0002-trafford-trees"] != 1 {
		t.Errorf("organization filter: %v", orgs)
	}
	if excl := walk("-organization:neddc"); len(excl) != 1 {
		t.Errorf("excluding neddc: %v", excl)
	}
}

func itoaTest(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestHarvestCKANActions(t *testing.T) {
	base := harvestServer(t, 0, 100)
	code, env := ckanCall(t, base, "package_show", url.Values{"id": {"trafford-highway-trees"}})
	var p map[string]any
	if err := json.Unmarshal(env.Result, &p); code != 200 || err != nil || env.Help != base+"/api/3/action/help_show?name=package_show" {
		t.Fatalf("package_show: %d %v", code, err)
	}
	if p["name"] != "trafford-highway-trees" || p["owner_org"] != "tmbc" || p["license_id"] != "OGL-UK-3.0" ||
		p["type"] != "dataset" || p["private"] != false || p["state"] != "active" {
		t.Errorf("package_show fields: %v", p)
	}
	spatial := ""
	for _, x := range p["extras"].([]any) {
		if e := x.(map[string]any); e["key"] == "spatial" {
			spatial = e["value"].(string)
		}
	}
	var geo struct{ Type string }
	if json.Unmarshal([]byte(spatial), &geo); geo.Type != "Polygon" {
		t.Errorf("spatial extra is not GeoJSON: %q", spatial)
	}
	res := p["resources"].([]any)[0].(map[string]any)
	if res["format"] != "GeoJSON" || res["size"].(float64) != 3650412 || !strings.HasPrefix(res["hash"].(string), "sha256:") {
		t.Errorf("resource: %v", res)
	}
	if p["metadata_modified"] != "2025-09-01T10:00:00.000000" {
		t.Errorf("metadata_modified %v", p["metadata_modified"])
	}

	code, env = ckanCall(t, base, "package_show", url.Values{"id": {"nope"}})
	if code != 404 || env.Success || env.Error["__type"] != "Not Found Error" {
		t.Errorf("missing package: %d %v", code, env.Error)
	}
	code, env = ckanCall(t, base, "package_search", url.Values{"rows": {"many"}})
	if code != 409 || env.Error["__type"] != "Validation Error" {
		t.Errorf("bad rows: %d %v", code, env.Error)
	}
	code, env = ckanCall(t, base, "package_search", url.Values{"sort": {"colour asc"}})
	if code != 409 || env.Error["__type"] != "Search Query Error" {
		t.Errorf("bad sort: %d %v", code, env.Error)
	}
	r, body := get(t, base+"/api/3/action/group_purge")
	if r.StatusCode != 400 || !strings.Contains(body, "Action name not known: group_purge") {
		t.Errorf("unknown action: %d %s", r.StatusCode, body)
	}

	code, env = ckanCall(t, base, "organization_list", url.Values{"all_fields": {"true"}})
	var orgs []map[string]any
	if json.Unmarshal(env.Result, &orgs); code != 200 || len(orgs) != 2 || orgs[0]["name"] != "neddc" || orgs[0]["package_count"].(float64) != 1 {
		t.Errorf("organization_list: %d %s", code, env.Result)
	}
	for _, a := range []string{"license_list", "status_show", "package_list", "organization_show?id=neddc"} {
		action, q, _ := strings.Cut(a, "?")
		v, _ := url.ParseQuery(q)
		if code, env := ckanCall(t, base, action, v); code != 200 || !env.Success || len(env.Result) < 3 {
			t.Errorf("%s: %d %s", a, code, env.Result)
		}
	}

	// POST with a JSON body, as CKAN clients send.
	post, err := http.Post(base+"/api/3/action/package_search", "application/json",
		strings.NewReader(`{"q": "spending", "rows": 5, "sort": "name asc"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer post.Body.Close()
	var penv ckanEnvelope
	json.NewDecoder(post.Body).Decode(&penv)
	var pr struct{ Count int }
	if json.Unmarshal(penv.Result, &pr); post.StatusCode != 200 || pr.Count != 1 {
		t.Errorf("POST package_search: %d count %d", post.StatusCode, pr.Count)
	}
}
