package geomtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/internal/testref"
)

// OGR converts src to GeoJSON with ogr2ogr (args such as -makevalid go
// before the file names) and returns GDAL's features in file order, with
// full precision and coordinates as GDAL exposes them (longitude or easting
// first). It skips the test when GDAL is missing, unless tools are required.
func OGR(t testing.TB, src string, args ...string) []*geojson.Feature {
	t.Helper()
	ogr := testref.Tool(t, "ogr2ogr", "gdal-bin")
	dst := filepath.Join(t.TempDir(), "ogr.geojson")
	all := append([]string{"-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=15", "-lco", "WRITE_BBOX=NO"}, args...)
	all = append(all, dst, src)
	if out, err := exec.Command(ogr, all...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", all, err, out)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatalf("GDAL's GeoJSON: %v", err)
	}
	return fc.Features
}
