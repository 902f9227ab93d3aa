package api

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/jointict/councilapi/gis/crs"
)

type ogcLink struct{ Href, Rel, Type string }

type ogcPage struct {
	Type           string
	NumberMatched  int
	NumberReturned int
	TimeStamp      string
	Links          []ogcLink
	Features       []struct {
		ID       string
		Geometry struct {
			Type        string
			Coordinates []float64
		}
		Properties map[string]any
	}
}

func linkOf(links []ogcLink, rel string) string {
	for _, l := range links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func checkLinks(t *testing.T, path string, links []ogcLink, rels ...string) {
	t.Helper()
	for _, l := range links {
		if l.Href == "" || l.Rel == "" || l.Type == "" {
			t.Errorf("%s: link without href, rel or type: %+v", path, l)
		}
	}
	for _, r := range rels {
		if linkOf(links, r) == "" {
			t.Errorf("%s: no %s link in %+v", path, r, links)
		}
	}
}

func TestOGCEveryEndpoint(t *testing.T) {
	ts, _ := newOGCServer(t)
	for path, want := range map[string]struct {
		ctype string
		rels  []string
	}{
		"/ogc":                                {"application/json", []string{"self", "alternate", "service-desc", "service-doc", "conformance", "data"}},
		"/ogc/conformance":                    {"application/json", []string{"self", "alternate"}},
		"/ogc/collections":                    {"application/json", []string{"self", "alternate"}},
		"/ogc/collections/trees":              {"application/json", []string{"self", "alternate", "items", "license", "describedby", "enclosure"}},
		"/ogc/collections/trees/items":        {"application/geo+json", []string{"self", "alternate", "next", "collection"}},
		"/ogc/collections/trees/items/T06522": {"application/geo+json", []string{"self", "alternate", "collection"}},
		"/ogc/collections/trees/queryables":   {"application/schema+json", nil},
		"/ogc/api":                            {"application/vnd.oai.openapi+json;version=3.0", nil},
		"/ogc/collections/listed-buildings":   {"application/json", []string{"items"}},
	} {
		r := ts.do("GET", path, "", nil)
		if r.Status != 200 || r.Header.Get("Content-Type") != want.ctype {
			t.Fatalf("%s: %d %q %s", path, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		var doc struct{ Links []ogcLink }
		r.json(t, &doc)
		checkLinks(t, path, doc.Links, want.rels...)
		tag := r.Header.Get("ETag")
		if tag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		if again := ts.do("GET", path, "", nil, "If-None-Match", tag); again.Status != 304 {
			t.Fatalf("%s: If-None-Match with the current ETag gave %d", path, again.Status)
		}
		html := ts.do("GET", path, "", nil, "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		if html.Status != 200 || !strings.HasPrefix(html.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(html.Body), "<h1>") {
			t.Fatalf("%s as HTML: %d %q", path, html.Status, html.Header.Get("Content-Type"))
		}
		if html.Header.Get("ETag") == tag {
			t.Fatalf("%s: HTML and JSON share the ETag %s", path, tag)
		}
	}
	page := ts.do("GET", "/ogc/collections/trees/items?f=html&limit=5", "", nil)
	body := string(page.Body)
	for _, want := range []string{"/ogc/assets/leaflet.js", "/ogc/assets/map.js", `id="features"`, "T06522"} {
		if !strings.Contains(body, want) {
			t.Fatalf("items HTML lacks %q", want)
		}
	}
	if strings.Contains(body, "tile.openstreetmap") || strings.Contains(body, "data-tiles") {
		t.Fatal("the map must not depend on internet tiles")
	}
	if js := ts.do("GET", "/ogc/assets/leaflet.js", "", nil); js.Status != 200 || len(js.Body) < 100000 {
		t.Fatalf("leaflet.js: %d, %d bytes", js.Status, len(js.Body))
	}
	if r := ts.do("GET", "/ogc/collections/nope", "", nil); r.Status != 404 {
		t.Fatalf("unknown collection: %d", r.Status)
	} else {
		r.problem(t)
	}
	if r := ts.do("GET", "/ogc/collections/trees/items/nope", "", nil); r.Status != 404 {
		t.Fatalf("unknown feature: %d", r.Status)
	}
	var api struct{ Paths map[string]any }
	ts.do("GET", "/ogc/api", "", nil).json(t, &api)
	for _, p := range []string{"/", "/conformance", "/collections", "/collections/trees/items", "/collections/trees/items/{featureId}",
		"/collections/listed-buildings/queryables", "/collections/trees"} {
		if api.Paths[p] == nil {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
}

func TestOGCPagingWalksToTheEnd(t *testing.T) {
	ts, _ := newOGCServer(t)
	for _, start := range []string{
		"/ogc/collections/trees/items?limit=1000",
		"/ogc/collections/trees/items?limit=700&bbox=-2.40,53.40,-2.30,53.45",
		"/ogc/collections/listed-buildings/items?limit=20&Grade=II&datetime=1960-01-01/..",
	} {
		next, seen, matched, pages := ts.URL+start, map[string]bool{}, -1, 0
		for next != "" {
			r := ts.do("GET", strings.TrimPrefix(next, ts.URL), "", nil)
			var p ogcPage
			r.json(t, &p)
			if r.Status != 200 || p.NumberReturned != len(p.Features) || matched >= 0 && p.NumberMatched != matched || p.TimeStamp == "" {
				t.Fatalf("%s: %d returned %d of %d, timeStamp %q", next, r.Status, p.NumberReturned, p.NumberMatched, p.TimeStamp)
			}
			matched = p.NumberMatched
			for _, f := range p.Features {
				if seen[f.ID] {
					t.Fatalf("%s: feature %s on two pages", start, f.ID)
				}
				seen[f.ID] = true
			}
			if prev := linkOf(p.Links, "prev"); pages > 0 && prev == "" {
				t.Fatalf("page %d of %s has no prev link", pages+1, start)
			}
			next = linkOf(p.Links, "next")
			pages++
		}
		if len(seen) != matched || matched == 0 {
			t.Fatalf("%s: walked %d features, numberMatched %d", start, len(seen), matched)
		}
		if strings.Contains(start, "limit=1000") && matched != 15638 {
			t.Fatalf("all trees: numberMatched %d, want 15638", matched)
		}
	}
	var big ogcPage
	ts.do("GET", "/ogc/collections/trees/items?limit=20000", "", nil).json(t, &big)
	if big.NumberReturned != 10000 {
		t.Fatalf("limit=20000 returned %d, want the maximum 10000", big.NumberReturned)
	}
}

func TestOGCCRSRoundTrip(t *testing.T) {
	ts, _ := newOGCServer(t)
	var orig, bng struct {
		Geometry struct{ Coordinates []float64 }
	}
	ts.do("GET", "/ogc/collections/trees/items/T06522", "", nil).json(t, &orig)
	r := ts.do("GET", "/ogc/collections/trees/items/T06522?crs="+url.QueryEscape(crs.EPSG27700.URI()), "", nil)
	if r.Header.Get("Content-Crs") != "<"+crs.EPSG27700.URI()+">" {
		t.Fatalf("Content-Crs %q", r.Header.Get("Content-Crs"))
	}
	r.json(t, &bng)
	e, n := bng.Geometry.Coordinates[0], bng.Geometry.Coordinates[1]
	lon, lat, err := crs.Transform(crs.EPSG27700, crs.CRS84, e, n)
	if err != nil {
		t.Fatal(err)
	}
	// 1 cm is about 1.5e-7 degrees of longitude and 0.9e-7 of latitude here.
	if math.Abs(lon-orig.Geometry.Coordinates[0]) > 1.5e-7 || math.Abs(lat-orig.Geometry.Coordinates[1]) > 0.9e-7 {
		t.Fatalf("27700 (%f, %f) back to CRS84 is %v, want %v", e, n, []float64{lon, lat}, orig.Geometry.Coordinates)
	}
	// A 2 m box around the point in National Grid finds it, answered in National Grid.
	q := url.Values{"bbox": {fmtBox(e-1, n-1, e+1, n+1)}, "bbox-crs": {"EPSG:27700"}, "crs": {crs.EPSG27700.URI()}}
	var p ogcPage
	res := ts.do("GET", "/ogc/collections/trees/items?"+q.Encode(), "", nil)
	res.json(t, &p)
	if p.NumberMatched < 1 || res.Header.Get("Content-Crs") != "<"+crs.EPSG27700.URI()+">" {
		t.Fatalf("27700 bbox found %d: %s", p.NumberMatched, res.Body)
	}
	found := false
	for _, f := range p.Features {
		if f.ID == "T06522" {
			found = math.Hypot(f.Geometry.Coordinates[0]-e, f.Geometry.Coordinates[1]-n) < 0.001
		}
	}
	if !found {
		t.Fatalf("T06522 not in its own 27700 bbox with the same coordinates")
	}
	// EPSG:4326 is latitude first, both in the bbox and the answer.
	var ll ogcPage
	lq := url.Values{"bbox": {fmtBox(lat-1e-5, lon-1e-5, lat+1e-5, lon+1e-5)}, "bbox-crs": {crs.EPSG4326.URI()}, "crs": {crs.EPSG4326.URI()}}
	ts.do("GET", "/ogc/collections/trees/items?"+lq.Encode(), "", nil).json(t, &ll)
	if ll.NumberMatched < 1 || math.Abs(ll.Features[0].Geometry.Coordinates[0]-lat) > 1e-4 {
		t.Fatalf("EPSG:4326 answer is not latitude first: %+v", ll.Features)
	}
}

func fmtBox(a, b, c, d float64) string {
	return strings.Join([]string{ftoa(a), ftoa(b), ftoa(c), ftoa(d)}, ",")
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func TestOGCInvalidParametersAreProblems(t *testing.T) {
	ts, _ := newOGCServer(t)
	for q, field := range map[string]string{
		"limit=0": "limit", "offset=x": "offset", "bbox=1,2": "bbox", "crs=EPSG:3857": "crs",
		"bbox-crs=EPSG:1": "bbox-crs", "datetime=2020-01-01": "datetime", "colour=red": "colour", "f=pdf": "f",
		"bbox=0,0,1,1&bbox-crs=EPSG:27700": "bbox",
	} {
		r := ts.do("GET", "/ogc/collections/trees/items?"+q, "", nil)
		if r.Status != 400 {
			t.Fatalf("%s: %d", q, r.Status)
		}
		p := r.problem(t)
		if !strings.Contains(p.Detail, field) || len(p.Errors) == 0 || p.Errors[0].Field != field {
			t.Fatalf("%s: problem does not name %s: %+v", q, field, p)
		}
	}
	if r := ts.do("GET", "/ogc/collections?limit=5", "", nil); r.Status != 400 {
		t.Fatalf("unknown parameter on /collections: %d", r.Status)
	}
}
