package api

import (
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/internal/apptest"
	"github.com/jointict/councilapi/internal/testref"
)

// newOGCServer is a real server with RegisterOGC mounted at /ogc over a
// registry holding the Trafford trees and listed buildings.
func newOGCServer(t *testing.T) (*testServer, *ogc.Registry) {
	t.Helper()
	st := apptest.Open(t)
	srv := New(Config{BodyLimit: 64 << 10}, app.New(app.Config{}, st, apptest.Quiet()), apptest.Quiet())
	reg := ogc.NewRegistry()
	RegisterOGC(srv.Echo.Group("/ogc"), reg, srv.baseURL, ogc.Basemap{})
	hs := httptest.NewServer(srv.Echo)
	t.Cleanup(hs.Close)
	for _, c := range []*ogc.Collection{
		traffordCollection(t, "trees", "trafford_highways_trees.geojson", "treeID", ""),
		traffordCollection(t, "listed-buildings", "trafford_listed_buildings.geojson", "", "ListDate"),
	} {
		if err := reg.Put(c); err != nil {
			t.Fatal(err)
		}
	}
	return &testServer{t: t, URL: hs.URL, Store: st, srv: srv}, reg
}

func traffordCollection(t *testing.T, id, file, idProp, temporal string) *ogc.Collection {
	t.Helper()
	raw, err := os.ReadFile(testref.Shared(t, "data/trafford/"+file))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := ogc.NewIndex(ogc.FromGeoJSON(fc, idProp), ogc.IndexOptions{TemporalProperty: temporal})
	if err != nil {
		t.Fatal(err)
	}
	return &ogc.Collection{ID: id, Title: "Trafford " + id, Description: "Test data from Trafford Data Lab (OGL v3).",
		Keywords: []string{"Trafford"}, StorageCRS: crs.EPSG27700, TemporalProperty: temporal,
		License:     ogc.Link{Href: "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/", Title: "OGL v3", Type: "text/html"},
		DescribedBy: "https://example.org/metadata/" + id + ".xml",
		Enclosures:  []ogc.Link{{Href: "https://example.org/downloads/" + file, Type: "application/geo+json", Title: "Whole dataset", Length: int64(len(raw))}},
		Updated:     time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), Features: ix}
}
