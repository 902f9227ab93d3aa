package api

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
	"github.com/jointict/councilapi/domain"
)

// TestPublishedDatasetsHarvest publishes a tabular and a spatial dataset
// through the API, then reads the catalogue as the data.gov.uk harvesters
// do: the DCAT serialisations are one graph (rdflib) and conform to the
// DCAT-AP 2.1.1 shapes, and data.json and CKAN list exactly the published ones.
func TestPublishedDatasetsHarvest(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	spend := ts.createDataset(pub, map[string]any{"title": "Spend over £500", "description": "Payments over £500 by NEDDC.",
		"keywords": []string{"spend"}, "themes": []string{"government-spending"}, "updateFrequency": "monthly"})
	ts.publishUpload(pub, spend.ID, "spend.csv", []byte("Supplier,Amount,Date\nCivica,1250.00,2026-04-01\n"), "")
	ts.do("PATCH", "/api/v1/datasets/"+spend.ID, pub, `{"status":"published"}`)
	bins := ts.createDataset(pub, map[string]any{"title": "Grit bins", "description": "Grit bin locations.",
		"themes": []string{"transport"}, "inspire": map[string]any{"topicCategories": []string{"transportation"}, "inspireThemes": []string{"tn"}}})
	ts.publishUpload(pub, bins.ID, "bins.csv", []byte("ref,easting,northing\nGB1,435000,380000\n"), "")
	ts.do("PATCH", "/api/v1/datasets/"+bins.ID, pub, `{"status":"published"}`)
	draft := ts.createDataset(pub, map[string]any{"title": "Unpublished draft", "description": "Not yet."})
	ts.publishUpload(pub, draft.ID, "d.csv", []byte("a\n1\n"), "")

	dir := t.TempDir()
	var files []string
	for ext, accept := range map[string]string{"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml"} {
		r := ts.do("GET", "/catalog", "", nil, "Accept", accept)
		if r.Status != 200 {
			t.Fatalf("/catalog as %s: %d", accept, r.Status)
		}
		if strings.Contains(string(r.Body), "Unpublished draft") {
			t.Fatal("a draft dataset is in the DCAT catalogue")
		}
		p := filepath.Join(dir, "catalog."+ext)
		os.WriteFile(p, r.Body, 0o644)
		files = append(files, p)
	}
	slices.Sort(files)
	dcattest.Isomorphic(t, files, []string{"json-ld", "xml", "turtle"})
	for _, f := range files {
		dcattest.SHACL211(t, f)
	}
	var dj struct {
		Dataset []struct{ Title string } `json:"dataset"`
	}
	ts.do("GET", "/data.json", "", nil).json(t, &dj)
	var ck struct {
		Result struct {
			Count   int `json:"count"`
			Results []struct {
				Name      string `json:"name"`
				Resources []struct{ URL string }
			} `json:"results"`
		} `json:"result"`
	}
	ts.do("GET", "/api/3/action/package_search?rows=10", "", nil).json(t, &ck)
	if len(dj.Dataset) != 2 || ck.Result.Count != 2 {
		t.Fatalf("data.json lists %d, CKAN %d; want the 2 published", len(dj.Dataset), ck.Result.Count)
	}
	for _, p := range ck.Result.Results {
		for _, res := range p.Resources {
			if !strings.HasPrefix(res.URL, ts.URL) {
				continue
			}
			if r := ts.do("GET", strings.TrimPrefix(res.URL, ts.URL), "", nil); r.Status != 200 {
				t.Fatalf("resource %s of %s: %d", res.URL, p.Name, r.Status)
			}
		}
	}
}
