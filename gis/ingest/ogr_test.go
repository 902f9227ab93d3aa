package ingest

import (
	"archive/zip"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
	"github.com/paulmach/orb"
)

// TestOGRFormatsAgree converts the shared Trafford layers to EPSG:27700 in
// every supported format with ogr2ogr, reads each back and checks that all
// formats give the same features, properties and coordinates (within 1 cm)
// as the GeoJSON export with a legacy crs member.
func TestOGRFormatsAgree(t *testing.T) {
	ogr := testref.Tool(t, "ogr2ogr", "gdal-bin")
	for _, layer := range []string{"trafford_conservation_areas", "trafford_listed_buildings"} {
		t.Run(layer, func(t *testing.T) {
			src := testref.Shared(t, "data/trafford/"+layer+".geojson")
			dir := t.TempDir()
			run := func(args ...string) {
				t.Helper()
				args = append([]string{"-t_srs", "EPSG:27700"}, args...)
				if out, err := exec.Command(ogr, args...).CombinedOutput(); err != nil {
					t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
				}
			}
			ref := filepath.Join(dir, layer+".geojson")
			run("-f", "GeoJSON", "-lco", "RFC7946=NO", ref, src)
			shpDir := filepath.Join(dir, "shp")
			if err := os.Mkdir(shpDir, 0o755); err != nil {
				t.Fatal(err)
			}
			run("-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", filepath.Join(shpDir, layer+".shp"), src)
			zipPath := filepath.Join(dir, layer+".zip")
			zipDir(t, shpDir, zipPath)
			gpkg := filepath.Join(dir, layer+".gpkg")
			run("-f", "GPKG", gpkg, src)
			csvPath := filepath.Join(dir, layer+".csv")
			geomOpt, csvX, csvY := "GEOMETRY=AS_XY", "X", "Y"
			if strings.Contains(layer, "areas") {
				// Polygons cannot be X/Y columns; the WKT column is found
				// by name, ahead of the layer's lon/lat properties.
				geomOpt, csvX, csvY = "GEOMETRY=AS_WKT", "", ""
			}
			run("-f", "CSV", "-lco", geomOpt, csvPath, src)
			gml := filepath.Join(dir, layer+".gml")
			run("-f", "GML", "-dsco", "FORMAT=GML3.2", gml, src)

			want := readFile(t, ref, Options{})
			if len(want.features) == 0 {
				t.Fatal("reference GeoJSON read no features")
			}
			for _, c := range []struct {
				path string
				opts Options
			}{
				{zipPath, Options{}},
				{gpkg, Options{}},
				// ogr2ogr's X/Y columns must win over the layer's own
				// Easting/Northing properties, which hold some junk rows.
				{csvPath, Options{CRS: "EPSG:27700", XColumn: csvX, YColumn: csvY}},
				{gml, Options{}},
			} {
				got := readFile(t, c.path, c.opts)
				compareLayers(t, filepath.Ext(c.path), want, got)
			}
		})
	}
}

type layerRead struct {
	crs      string
	features []Feature
}

func readFile(t *testing.T, path string, opts Options) layerRead {
	t.Helper()
	r, err := OpenFile(path, opts)
	if err != nil {
		t.Fatalf("OpenFile %s: %v", path, err)
	}
	defer r.Close()
	fs, rep, err := Collect(r, Limits{})
	if err != nil {
		t.Fatalf("%s: %v (report %+v)", path, err, rep)
	}
	if crsKind(rep.CRS) != kindBNG {
		t.Errorf("%s: CRS %q not recognised as British National Grid", path, rep.CRS)
	}
	return layerRead{crs: rep.CRS, features: fs}
}

func compareLayers(t *testing.T, what string, want, got layerRead) {
	t.Helper()
	if len(got.features) != len(want.features) {
		t.Errorf("%s: %d features, want %d", what, len(got.features), len(want.features))
		return
	}
	for i := range want.features {
		w, g := want.features[i], got.features[i]
		wp, gp := points(w.Geometry), points(g.Geometry)
		if len(wp) != len(gp) || w.Geometry.GeoJSONType() != g.Geometry.GeoJSONType() {
			t.Errorf("%s feature %d: %s of %d points, want %s of %d", what, i,
				g.Geometry.GeoJSONType(), len(gp), w.Geometry.GeoJSONType(), len(wp))
			continue
		}
		for j := range wp {
			if d := math.Hypot(wp[j][0]-gp[j][0], wp[j][1]-gp[j][1]); d > 0.01 {
				t.Errorf("%s feature %d point %d: %v is %.3f m from %v", what, i, j, gp[j], d, wp[j])
				break
			}
		}
		if wv, gv := values(w.Properties), values(g.Properties); wv != gv {
			t.Errorf("%s feature %d properties:\n got %s\nwant %s", what, i, gv, wv)
		}
	}
}

func points(g orb.Geometry) []orb.Point {
	var out []orb.Point
	var walk func(orb.Geometry)
	walk = func(g orb.Geometry) {
		switch g := g.(type) {
		case orb.Point:
			out = append(out, g)
		case orb.MultiPoint:
			out = append(out, g...)
		case orb.LineString:
			out = append(out, g...)
		case orb.Ring:
			out = append(out, g...)
		case orb.Polygon:
			for _, r := range g {
				walk(r)
			}
		case orb.MultiPolygon:
			for _, p := range g {
				walk(p)
			}
		case orb.MultiLineString:
			for _, l := range g {
				walk(l)
			}
		}
	}
	walk(g)
	return out
}

var datePrefix = regexp.MustCompile(`^(\d{4})[-/](\d{2})[-/](\d{2})`)

// values lists the non-null property values as comparable strings, sorted,
// without names: Shapefile truncates field names to 10 characters, and
// formats differ in date/time precision (a DBF date has no time).
func values(props map[string]any) string {
	var out []string
	for _, v := range props {
		var s string
		switch v := v.(type) {
		case nil:
		case bool:
			s = strconv.FormatBool(v)
		case int64:
			s = strconv.FormatFloat(float64(v), 'g', 12, 64)
		case float64:
			// A DBF numeric field keeps 15 decimals, not float64's 17 digits.
			s = strconv.FormatFloat(v, 'g', 12, 64)
		case string:
			// encoding/csv turns CRLF inside quoted cells into LF.
			s = strings.ReplaceAll(strings.TrimSpace(v), "\r\n", "\n")
			if m := datePrefix.FindStringSubmatch(s); m != nil {
				s = m[1] + "-" + m[2] + "-" + m[3]
			} else if f, err := strconv.ParseFloat(s, 64); err == nil {
				s = strconv.FormatFloat(f, 'g', 12, 64)
			}
		default:
			s = fmt.Sprint(v)
		}
		if s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " | ")
}

func zipDir(t *testing.T, dir, out string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		in, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(w, in)
		in.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}
