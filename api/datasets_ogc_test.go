package api

import (
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// TestPublishedSpatialDatasetIsAnOGCCollection follows a dataset from upload
// to the OGC API: it appears when published, serves its current version,
// switches to a new version at once, and goes when withdrawn.
func TestPublishedSpatialDatasetIsAnOGCCollection(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	d := ts.createDataset(pub, map[string]any{"title": "Grit bins", "description": "Grit bins maintained by the council",
		"inspire": map[string]any{"topicCategories": []string{"transportation"}, "inspireThemes": []string{"tn"}}})
	v1 := []byte("ref,easting,northing,filled\nGB1,435000,380000,2026-11-01\nGB2,436000,381000,2026-11-02\n")
	if job := ts.publishUpload(pub, d.ID, "bins.csv", v1, ""); job.State != opendata.JobSucceeded {
		t.Fatalf("upload: %+v", job)
	}
	if r := ts.do("GET", "/ogc/collections/grit-bins", "", nil); r.Status != 404 {
		t.Fatalf("a draft dataset is an OGC collection: %d", r.Status)
	}
	ts.do("PATCH", "/api/v1/datasets/"+d.ID, pub, `{"status":"published"}`)
	var items struct {
		NumberMatched int `json:"numberMatched"`
		Features      []struct {
			ID         any            `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	ts.do("GET", "/ogc/collections/grit-bins/items?f=json", "", nil).json(t, &items)
	if items.NumberMatched != 2 || items.Features[0].Properties["ref"] != "GB1" {
		t.Fatalf("items after publishing: %+v", items)
	}
	var coll struct {
		StorageCRS string `json:"storageCrs"`
		Links      []struct{ Href, Rel string }
	}
	ts.do("GET", "/ogc/collections/grit-bins?f=json", "", nil).json(t, &coll)
	rels := map[string]string{}
	for _, l := range coll.Links {
		rels[l.Rel] = l.Href
	}
	if coll.StorageCRS != "http://www.opengis.net/def/crs/EPSG/0/27700" || rels["license"] == "" || rels["enclosure"] == "" || rels["describedby"] == "" {
		t.Fatalf("collection metadata: %+v", coll)
	}
	if r := ts.do("GET", rels["enclosure"][len(ts.URL):], "", nil); r.Status != 200 {
		t.Fatalf("enclosure link %s: %d", rels["enclosure"], r.Status)
	}
	v2 := append(v1, []byte("GB3,437000,382000,2026-11-03\n")...)
	ts.publishUpload(pub, d.ID, "bins.csv", v2, "")
	ts.do("GET", "/ogc/collections/grit-bins/items?f=json&ref=GB3", "", nil).json(t, &items)
	if items.NumberMatched != 1 {
		t.Fatalf("version 2 not served: %+v", items)
	}
	ts.do("PATCH", "/api/v1/datasets/"+d.ID, pub, `{"title":"Grit bins and salt stores"}`)
	var renamed struct{ Title string }
	ts.do("GET", "/ogc/collections/grit-bins?f=json", "", nil).json(t, &renamed)
	if renamed.Title != "Grit bins and salt stores" {
		t.Fatalf("metadata edit not reflected: %q", renamed.Title)
	}
	ts.do("DELETE", "/api/v1/datasets/"+d.ID, pub, nil)
	if r := ts.do("GET", "/ogc/collections/grit-bins", "", nil); r.Status != 404 {
		t.Fatalf("withdrawn dataset still a collection: %d", r.Status)
	}
}
