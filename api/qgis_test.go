package api

import (
	"encoding/json"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/internal/testref"
)

// qgisResult is what testdata/qgis_client.py reports.
type qgisResult struct {
	Collections []struct{ Title, URI string }
	Layers      map[string]qgisLayer
	Filtered    map[string]qgisLayer
	CSW         map[string]json.RawMessage
}

type qgisLayer struct {
	Valid        bool
	Count        int
	FeatureCount int
	CRS          string
	Extent       [4]float64
	IDs          []any
}

type cswFound struct {
	Matched int
	Records map[string][]string // title: its OGC API – Features links
}

// TestQGISReadsThePublishedCollections is QGIS 3 as a council's GIS officer
// uses it, headless: its browser lists the OGC API collections of datasets
// published through the API, its OAPIF provider loads every feature of each
// (count and extent equal to the published files) and a CQL2-filtered
// request (the features the filter selects in the file, no more), and
// OWSLib's CSW client, the engine of QGIS's MetaSearch, finds the records by
// keyword and map extent. A failure QGIS users would see fails here.
func TestQGISReadsThePublishedCollections(t *testing.T) {
	ts := newTestServer(t)
	ned := ts.key(domain.RolePublisher, "neddc")
	type fixture struct {
		title, file string
		data        []orbFeature
		slug        string
	}
	fixtures := []*fixture{
		{title: "Listed buildings in Trafford", file: "trafford_listed_buildings.geojson"},
		{title: "Conservation areas in Trafford", file: "trafford_conservation_areas.geojson"},
	}
	for _, f := range fixtures {
		raw, err := os.ReadFile(testref.Shared(t, "data/trafford/"+f.file))
		if err != nil {
			t.Fatal(err)
		}
		f.data = orbFeatures(t, f.file)
		d := ts.createDataset(ned, spatialMetadata(f.title, "ps", "environment"))
		if j := ts.publishUpload(ned, d.ID, f.file, raw, ""); j.State != opendata.JobSucceeded {
			t.Fatalf("%s: %+v", f.file, j)
		}
		if r := ts.do("PATCH", "/api/v1/datasets/"+d.ID, ned, `{"status":"published"}`); r.Status != 200 {
			t.Fatalf("publish %s: %d %s", f.title, r.Status, r.Body)
		}
		f.slug = d.Slug
	}
	listed := fixtures[0]

	// Two filters on the listed buildings, and the entries each selects in
	// the file itself.
	filters := map[string]struct {
		cql  string
		want func(orbFeature) bool
	}{
		"listed since 1986, grade II": {`ListDate > TIMESTAMP('1985-12-31T23:59:59Z') AND Grade = 'II'`, func(f orbFeature) bool {
			return f.props["ListDate"] != nil && f.props["ListDate"].(string) > "1985-12-31T23:59:59Z" && f.props["Grade"] == "II"
		}},
		"around Sale": {`S_INTERSECTS(geometry, BBOX(-2.35,53.41,-2.30,53.44))`, func(f orbFeature) bool {
			return f.bound.Intersects(orb.Bound{Min: orb.Point{-2.35, 53.41}, Max: orb.Point{-2.30, 53.44}})
		}},
	}
	type filterArg struct {
		URL        string `json:"url"`
		Collection string `json:"collection"`
		IDField    string `json:"idField"`
	}
	args := map[string]filterArg{}
	for name, f := range filters {
		args[name] = filterArg{URL: ts.URL + "/ogc?" + url.Values{"filter": {f.cql}}.Encode(), Collection: listed.slug, IDField: "ListEntry"}
	}
	argsJSON, _ := json.Marshal(args)

	out := testref.QGIS(t, filepath.Join("testdata", "qgis_client.py"), ts.URL, string(argsJSON), "listed")
	var res qgisResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("qgis_client.py printed %v:\n%s", err, out)
	}

	var titles []string
	for _, c := range res.Collections {
		titles = append(titles, c.Title)
	}
	slices.Sort(titles)
	if !slices.Equal(titles, []string{fixtures[1].title, fixtures[0].title}) {
		t.Fatalf("QGIS's browser lists the collections %q", titles)
	}
	for _, f := range fixtures {
		l := res.Layers[f.title]
		want := boundOf(f.data)
		if !l.Valid || l.Count != len(f.data) || l.FeatureCount != len(f.data) || l.CRS != "EPSG:4326" {
			t.Errorf("%s in QGIS: %+v; want %d features in EPSG:4326", f.title, l, len(f.data))
		}
		if !sameExtent(l.Extent, want) {
			t.Errorf("%s in QGIS: extent %v, the file's %v", f.title, l.Extent, want)
		}
	}
	for name, f := range filters {
		var want []float64
		var sel []orbFeature
		for _, feat := range listed.data {
			if f.want(feat) {
				want = append(want, feat.props["ListEntry"].(float64))
				sel = append(sel, feat)
			}
		}
		l := res.Filtered[name]
		var got []float64
		for _, id := range l.IDs {
			n, _ := id.(float64)
			got = append(got, n)
		}
		slices.Sort(want)
		slices.Sort(got)
		if len(want) < 5 || len(want) == len(listed.data) {
			t.Fatalf("filter %q selects %d of %d: not a test of filtering", name, len(want), len(listed.data))
		}
		if !l.Valid || l.FeatureCount != len(want) || !slices.Equal(got, want) || !sameExtent(l.Extent, boundOf(sel)) {
			t.Errorf("filter %q in QGIS: %d features (reported %d), want the file's %d", name, len(got), l.FeatureCount, len(want))
		}
	}

	found := func(name string) cswFound {
		var f cswFound
		if err := json.Unmarshal(res.CSW[name], &f); err != nil {
			t.Fatalf("csw %s: %v", name, err)
		}
		return f
	}
	for _, name := range []string{"keyword", "keyword and extent"} {
		f := found(name)
		links := f.Records[listed.title]
		if f.Matched != 1 || len(links) != 1 || !strings.HasSuffix(links[0], "/ogc/collections/"+listed.slug) {
			t.Errorf("MetaSearch's %s search: %+v; want the listed buildings with their OGC API link", name, f)
		}
	}
	if f := found("elsewhere"); f.Matched != 0 {
		t.Errorf("a search over the Atlantic finds %+v", f)
	}
	if f := found("all"); f.Records[fixtures[1].title] == nil || f.Records[listed.title] == nil {
		t.Errorf("MetaSearch lists %+v", f)
	}
}

type orbFeature struct {
	props map[string]any
	bound orb.Bound
}

func orbFeatures(t *testing.T, file string) []orbFeature {
	fc := readGeoJSON(t, file)
	out := make([]orbFeature, 0, len(fc.Features))
	for _, f := range fc.Features {
		out = append(out, orbFeature{props: f.Properties, bound: f.Geometry.Bound()})
	}
	return out
}

func boundOf(fs []orbFeature) [4]float64 {
	b := fs[0].bound
	for _, f := range fs[1:] {
		b = b.Union(f.bound)
	}
	return [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
}

// sameExtent compares extents to 1e-7 degrees, about a centimetre.
func sameExtent(a, b [4]float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-7 {
			return false
		}
	}
	return true
}
