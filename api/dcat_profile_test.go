package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
)

// dcatProfilesPassTheirShapes: a page of the golden catalogue
// (real uploads, spatial and tabular) has 0 violations of DCAT-AP 2.1.1's
// shapes by default and of 3.0.0's when asked for by parameter or by
// Accept-Profile, in every serialisation; the page links keep the profile.
func dcatProfilesPassTheirShapes(t *testing.T, server string) {
	dir := t.TempDir()
	for _, f := range dcat.Formats {
		for _, prof := range dcat.Profiles {
			path := "/catalog." + f.Extension() + "?page=3" // 44 datasets: SHACL takes seconds per 10
			if prof == dcat.AP300 {
				path += "&profile=" + prof.Token()
			}
			res, body := get(t, server+path)
			if res.StatusCode != 200 || res.Header.Get("Content-Profile") != "<"+prof.URI()+">" {
				t.Fatalf("GET %s: %d, Content-Profile %q", path, res.StatusCode, res.Header.Get("Content-Profile"))
			}
			if prof == dcat.AP300 && !strings.Contains(body, "profile="+prof.Token()) {
				t.Errorf("%s: the page links drop the profile", path)
			}
			p := filepath.Join(dir, prof.Token()+"."+f.Extension())
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			if prof == dcat.AP300 {
				dcattest.SHACL300(t, p)
			} else {
				dcattest.SHACL211(t, p)
			}
		}
	}
	res, _ := get(t, server+"/catalog", "Accept", "text/turtle", "Accept-Profile", "<"+dcat.AP300.URI()+">")
	if res.Header.Get("Content-Profile") != "<"+dcat.AP300.URI()+">" || !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Accept-Profile") {
		t.Errorf("Accept-Profile: Content-Profile %q, Vary %q", res.Header.Get("Content-Profile"), res.Header.Values("Vary"))
	}
	if res, _ := get(t, server+"/catalog.ttl?profile=dcat-ap-9"); res.StatusCode != 400 {
		t.Errorf("unknown profile: %d", res.StatusCode)
	}
	// Each profile's ETag is its own.
	a, _ := get(t, server+"/catalog.ttl")
	b, _ := get(t, server+"/catalog.ttl", "Accept-Profile", "<"+dcat.AP300.URI()+">")
	if a.Header.Get("ETag") == b.Header.Get("ETag") {
		t.Error("both profiles have one ETag")
	}
}

// withdrawnDatasetsAreFindable: the DCAT list of withdrawn
// datasets names each exactly once as a catalogue record with status
// Withdrawn, and their URIs answer 410 Gone.
func withdrawnDatasetsAreFindable(t *testing.T, server string) {
	var withdrawn struct{ Items []struct{ Slug string } }
	r := httpGetJSON(t, server+"/api/v1/datasets?status=withdrawn&limit=100", &withdrawn)
	if r != 200 || len(withdrawn.Items) == 0 {
		t.Fatalf("withdrawn datasets: %d %d", r, len(withdrawn.Items))
	}
	res, body := get(t, server+"/catalog.ttl?status=withdrawn")
	if res.StatusCode != 200 {
		t.Fatalf("withdrawn list: %d", res.StatusCode)
	}
	if n := strings.Count(body, "a dcat:CatalogRecord"); n != len(withdrawn.Items) {
		t.Errorf("%d records for %d withdrawn datasets", n, len(withdrawn.Items))
	}
	for _, d := range withdrawn.Items {
		if !strings.Contains(body, "foaf:primaryTopic <"+goldenBase+"/dataset/"+d.Slug+">") {
			t.Errorf("the list lacks %s", d.Slug)
		}
		if res, _ := get(t, server+"/dataset/"+d.Slug+".ttl"); res.StatusCode != http.StatusGone {
			t.Errorf("/dataset/%s.ttl: %d, want 410", d.Slug, res.StatusCode)
		}
	}
	if strings.Contains(body, "dcat:distribution") {
		t.Error("the withdrawn list describes distributions whose files are gone")
	}
	p := filepath.Join(t.TempDir(), "withdrawn.ttl")
	os.WriteFile(p, []byte(body), 0o644)
	dcattest.SHACL211(t, p)
	if res, _ := get(t, server+"/catalog.ttl?status=draft"); res.StatusCode != 400 {
		t.Errorf("status=draft: %d", res.StatusCode)
	}
}

func httpGetJSON(t *testing.T, u string, v any) int {
	t.Helper()
	res, body := get(t, u)
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	return res.StatusCode
}

// TestCataloguePagesRevalidate: every catalogue page answers 304 to its
// own ETag, and a change to one dataset changes the tags.
func TestCataloguePagesRevalidate(t *testing.T) {
	st := loadGoldenStore(t)
	srv := startServer(t, Config{BaseURL: goldenBase, BodyLimit: 64 << 10}, st)
	if err := srv.app.Bus.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Echo)
	defer hs.Close()
	pages := []string{"/data.json?page=2", "/catalog.ttl?page=1", "/catalog.jsonld?page=2&profile=dcat-ap-3.0.0",
		"/dataset/highway-trees-bolsover-2026.rdf", "/api/3/action/package_search?rows=100", "/datasets?q=parking", "/"}
	tags := map[string]string{}
	for _, p := range pages {
		res, _ := get(t, hs.URL+p, "Accept", "text/html")
		tag := res.Header.Get("ETag")
		if res.StatusCode != 200 || tag == "" {
			t.Fatalf("%s: %d, ETag %q", p, res.StatusCode, tag)
		}
		if res, _ := get(t, hs.URL+p, "If-None-Match", tag, "Accept", "text/html"); res.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its own ETag: %d, want 304", p, res.StatusCode)
		}
		tags[p] = tag
	}
	// Retitle one dataset behind the server's back, as another instance would.
	ix, _ := srv.app.OpenData.Catalogue()
	it, _ := ix.Get("highway-trees-bolsover-2026")
	rec, err := st.Get(context.Background(), "datasets", it.Entry.Dataset.ID)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	rec.Decode(&d)
	d["title"] = "Highway trees — Bolsover 2026 (resurveyed)"
	if _, err := st.Update(context.Background(), "datasets", rec.ID, rec.Version, d); err != nil {
		t.Fatal(err)
	}
	if err := srv.app.Bus.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if res, _ := get(t, hs.URL+p, "If-None-Match", tags[p], "Accept", "text/html"); res.StatusCode != 200 {
			t.Errorf("%s after a change: %d with the old ETag, want 200", p, res.StatusCode)
		}
	}
}
