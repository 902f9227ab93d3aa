package api

import (
	"encoding/xml"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
)

var sitemapLink = regexp.MustCompile(`<a href="([^"]+)" data-route="([^"]+)">`)

// sitemapLinks are the href and route of every page the site map lists.
func sitemapLinks(t *testing.T, body []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range sitemapLink.FindAllSubmatch(body, -1) {
		out[strings.ReplaceAll(string(m[1]), "&amp;", "&")] = string(m[2])
	}
	if len(out) == 0 {
		t.Fatalf("the site map lists no page:\n%.3000s", body)
	}
	return out
}

func TestSitemapListsThePagesEachReaderMayOpen(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	d := ts.publishSpatial(pub, spatialMetadata("Bus shelters", "tn", "transportation"), 3)
	// A page another engineer registers under a staff job's path is listed
	// without the site map being told.
	ts.srv.Echo.GET("/procurement/example-page", func(c echo.Context) error { return c.HTML(200, "<main>x</main>") })

	anon := newVisitor(t, ts)
	r := anon.get("/sitemap")
	if r.Status != 200 {
		t.Fatalf("/sitemap: %d %s", r.Status, r.Body)
	}
	public := sitemapLinks(t, r.Body)
	for href, route := range map[string]string{"/": "/", "/datasets/" + d.Slug: "/datasets/:slug", "/organisations/bdc": "/organisations/:id",
		"/ogc/collections/" + d.Slug + "/items": "/ogc/collections/:collectionId/items",
		"/api/v1/procurement-register.html":     "/api/v1/procurement-register.html"} {
		if public[href] != route {
			t.Errorf("the public site map lists %q as %q, want route %q", href, public[href], route)
		}
	}
	for href := range public {
		if strings.Contains(href, "capital-programme") || strings.HasPrefix(href, "/procurement/") {
			t.Errorf("an anonymous reader is shown the staff page %s", href)
		}
		if page := anon.get(href); page.Status != 200 {
			t.Errorf("%s is in the public site map but answers %d", href, page.Status)
		}
	}
	if !strings.Contains(string(r.Body), "more pages for council staff") || !strings.Contains(string(r.Body), `href="/signin?next=%2Fsitemap"`) {
		t.Errorf("the anonymous site map does not invite staff to sign in:\n%.3000s", r.Body)
	}

	officer := newVisitor(t, ts)
	officer.signIn(ts.key(domain.RoleOfficer, "bdc"))
	staff := sitemapLinks(t, officer.get("/sitemap").Body)
	for _, want := range []string{"/api/v1/organisations/bdc/capital-programme.html", "/api/v1/organisations/bdc/joint-procurements.html", "/procurement/example-page"} {
		if _, ok := staff[want]; !ok {
			t.Errorf("BDC's officer is not shown %s", want)
		}
	}
	if _, ok := staff["/api/v1/organisations/neddc/capital-programme.html"]; ok {
		t.Error("BDC's officer is shown NEDDC's capital programme")
	}
	for href := range staff {
		if page := officer.get(href); page.Status != 200 {
			t.Errorf("%s is in BDC's officer's site map but answers %d", href, page.Status)
		}
	}

	x := ts.do("GET", "/sitemap.xml", "", nil)
	var set sitemapURLSet
	if err := xml.Unmarshal(x.Body, &set); err != nil || x.Header.Get("Content-Type") != "application/xml; charset=UTF-8" {
		t.Fatalf("sitemap.xml: %v %s\n%s", err, x.Header.Get("Content-Type"), x.Body)
	}
	var locs []string
	for _, u := range set.URLs {
		locs = append(locs, u.Loc)
	}
	if !slices.Contains(locs, ts.URL+"/datasets/"+d.Slug) || slices.ContainsFunc(locs, func(l string) bool { return strings.Contains(l, "capital-programme") }) ||
		len(locs) != len(public) {
		t.Errorf("sitemap.xml should list the %d public pages with absolute URLs and no staff page: %v", len(public), locs)
	}
}

// A catalogue larger than one sitemap file: /sitemap.xml becomes an index
// of files, none over the size, which together list every public page of
// the site map once, every published dataset among them.
func TestSitemapXMLIndexesFilesListingEveryDatasetOnce(t *testing.T) {
	ts := newTestServer(t)
	published, _ := seedCatalogue(t, ts.srv, ts.Store, 60)
	defer func(n int) { sitemapFileSize = n }(sitemapFileSize)
	sitemapFileSize = 7

	x := ts.do("GET", "/sitemap.xml", "", nil)
	var idx sitemapIndex
	if err := xml.Unmarshal(x.Body, &idx); err != nil || len(idx.Sitemaps) < 2 {
		t.Fatalf("sitemap.xml of a catalogue over one file is not a sitemap index: %v\n%.2000s", err, x.Body)
	}
	seen := map[string]int{}
	for _, f := range idx.Sitemaps {
		path, ok := strings.CutPrefix(f.Loc, ts.URL)
		if !ok {
			t.Fatalf("the index names %q, not an absolute URL of this site", f.Loc)
		}
		r := ts.do("GET", path, "", nil)
		var set sitemapURLSet
		if err := xml.Unmarshal(r.Body, &set); err != nil || r.Status != 200 {
			t.Fatalf("%s: %d %v\n%.2000s", path, r.Status, err, r.Body)
		}
		if len(set.URLs) == 0 || len(set.URLs) > sitemapFileSize {
			t.Errorf("%s lists %d URLs; a file lists 1 to %d", path, len(set.URLs), sitemapFileSize)
		}
		for _, u := range set.URLs {
			seen[u.Loc]++
		}
	}
	for loc, n := range seen {
		if n != 1 {
			t.Errorf("%s is listed %d times", loc, n)
		}
	}
	for _, slug := range published {
		if seen[ts.URL+"/datasets/"+slug] != 1 {
			t.Errorf("dataset %s is listed %d times", slug, seen[ts.URL+"/datasets/"+slug])
		}
	}
	public := sitemapLinks(t, newVisitor(t, ts).get("/sitemap").Body)
	for href := range public {
		if seen[ts.URL+href] != 1 {
			t.Errorf("%s is on the public site map page but in %d sitemap files", href, seen[ts.URL+href])
		}
	}
	if len(seen) != len(public) {
		t.Errorf("the sitemap files list %d URLs, the site map page %d", len(seen), len(public))
	}
	for _, bad := range []string{"0", "abc", strconv.Itoa(len(idx.Sitemaps) + 1)} {
		if r := ts.do("GET", "/sitemap.xml?page="+bad, "", nil); r.Status != 404 {
			t.Errorf("sitemap.xml?page=%s: %d, want 404", bad, r.Status)
		}
	}
}
