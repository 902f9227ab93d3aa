package api

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/internal/testref"
)

// TestOGCGDALReadsFilteredCollections opens collections through GDAL's
// OAPIF driver with a Part 3 filter in the connection URL (GDAL carries it
// onto every request and follows the next links), and checks the features
// GDAL reads against the source file filtered here directly.
func TestOGCGDALReadsFilteredCollections(t *testing.T) {
	ogrinfo := testref.Tool(t, "ogrinfo", "gdal-bin")
	ogr2ogr := testref.Tool(t, "ogr2ogr", "gdal-bin")
	ts, _ := newOGCServer(t)
	trees := readGeoJSON(t, "trafford_highways_trees.geojson")
	wantTrees := 0
	for _, f := range trees.Features {
		p := f.Geometry.Bound().Min
		if strings.HasPrefix(f.Properties.MustString("species", ""), "Tilia") && p[0] >= -2.36 && p[0] <= -2.30 && p[1] >= 53.40 && p[1] <= 53.45 {
			wantTrees++
		}
	}
	q := url.Values{"filter": {`species LIKE 'Tilia%' AND S_INTERSECTS(geometry, BBOX(-2.36,53.40,-2.30,53.45))`}}
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-so", "OAPIF:"+ts.URL+"/ogc/collections/trees?"+q.Encode()).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`Feature Count: (\d+)`).FindStringSubmatch(string(out)); m == nil || m[1] != strconv.Itoa(wantTrees) || wantTrees < 10 {
		t.Fatalf("ogrinfo counts %v filtered trees, the file has %d:\n%s", m, wantTrees, out)
	}

	// cql2-json with filter-crs: buildings listed after 1985 inside a
	// National Grid box around Altrincham, read whole by ogr2ogr.
	listed := readGeoJSON(t, "trafford_listed_buildings.geojson")
	want, wantCount := map[string]bool{}, 0 // by list entry: one entry may have several points
	for _, f := range listed.Features {
		// Easting and Northing are text, some of them lists: read the geometry.
		pt := f.Geometry.Bound().Min
		e, n, err := crs.Transform(crs.CRS84, crs.EPSG27700, pt[0], pt[1])
		if err == nil && f.Properties.MustString("ListDate", "") > "1985-01-01T23:59:59Z" && e >= 374000 && e <= 380000 && n >= 385000 && n <= 390000 {
			want[strconv.Itoa(f.Properties.MustInt("ListEntry", 0))] = true
			wantCount++
		}
	}
	q = url.Values{"filter-lang": {"cql2-json"}, "filter-crs": {"http://www.opengis.net/def/crs/EPSG/0/27700"},
		"filter": {`{"op":"and","args":[{"op":"t_after","args":[{"property":"ListDate"},{"date":"1985-01-01"}]},` +
			`{"op":"s_within","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[374000,385000],[380000,385000],[380000,390000],[374000,390000],[374000,385000]]]}]}]}`}}
	dst := filepath.Join(t.TempDir(), "listed.json")
	if out, err := exec.Command(ogr2ogr, "-f", "GeoJSON", dst, "OAPIF:"+ts.URL+"/ogc/collections/listed-buildings?"+q.Encode()).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Features []struct{ Properties map[string]any }
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range got.Features {
		names[strconv.Itoa(int(f.Properties["ListEntry"].(float64)))] = true
	}
	if len(got.Features) != wantCount || len(want) < 3 {
		t.Fatalf("ogr2ogr wrote %d buildings, the file has %d matching", len(got.Features), wantCount)
	}
	for n := range want {
		if !names[n] {
			t.Errorf("ogr2ogr lacks list entry %s", n)
		}
	}
}

func readGeoJSON(t *testing.T, name string) *geojson.FeatureCollection {
	t.Helper()
	raw, err := os.ReadFile(testref.Shared(t, "data/trafford/"+name))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}
