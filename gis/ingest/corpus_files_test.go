package ingest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/internal/testref"
)

// ogr runs ogr2ogr with args and fails the test on error.
func ogr(t *testing.T, args ...string) {
	t.Helper()
	bin := testref.Tool(t, "ogr2ogr", "gdal-bin")
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
	}
}

func noticeOf(rep *Report, code NoticeCode) *Notice {
	for i := range rep.Notices {
		if rep.Notices[i].Code == code {
			return &rep.Notices[i]
		}
	}
	return nil
}

// TestShapefileWindows1252WithoutCPG: a DBF in Windows-1252 whose .cpg was
// lost, with the language driver byte GDAL writes and with none (older
// writers), and a .prj in ESRI WKT.
func TestShapefileWindows1252WithoutCPG(t *testing.T) {
	names := []string{"Café Royal", "£5 Lane", "St Mary’s – Church"}
	var feats []string
	for i, n := range names {
		feats = append(feats, `{"type":"Feature","properties":{"name":"`+n+`"},"geometry":{"type":"Point","coordinates":[`+
			[]string{"-2.30,53.40", "-2.31,53.41", "-2.32,53.42"}[i]+`]}}`)
	}
	dir := t.TempDir()
	src := writeFile(t, "names.geojson", `{"type":"FeatureCollection","features":[`+strings.Join(feats, ",")+`]}`)
	shpDir := filepath.Join(dir, "shp")
	os.Mkdir(shpDir, 0o755)
	ogr(t, "-f", "ESRI Shapefile", "-t_srs", "EPSG:27700", "-lco", "ENCODING=CP1252", filepath.Join(shpDir, "names.shp"), src)
	prj, _ := os.ReadFile(filepath.Join(shpDir, "names.prj"))
	if !strings.HasPrefix(string(prj), `PROJCS["British_National_Grid"`) {
		t.Fatalf("GDAL's .prj is not ESRI WKT: %s", prj)
	}
	want := ogrGeometries(t, filepath.Join(shpDir, "names.shp"), "-makevalid")
	os.Remove(filepath.Join(shpDir, "names.cpg"))
	for _, ldid := range []byte{0x57, 0} {
		dbf := filepath.Join(shpDir, "names.dbf")
		b, _ := os.ReadFile(dbf)
		b[29] = ldid
		os.WriteFile(dbf, b, 0o644)
		zipPath := filepath.Join(dir, "names.zip")
		zipDir(t, shpDir, zipPath)
		got, rep, r := readCorpus(t, zipPath, Options{})
		if c, err := crs.Parse(r.CRS()); err != nil || c != crs.EPSG27700 {
			t.Errorf("ESRI .prj read as %v (%v)", c, err)
		}
		for i, n := range names {
			if got[i].Properties["name"] != n {
				t.Errorf("LDID 0x%02x: name %q, want %q", ldid, got[i].Properties["name"], n)
			}
		}
		n := noticeOf(rep, NoticeEncodingAssumed)
		if n == nil || !strings.Contains(n.Message, "Windows-1252") {
			t.Errorf("LDID 0x%02x: notices %+v", ldid, rep.Notices)
		}
		sameGeometries(t, "points", got, want, 1e-6)
	}
}

// TestShapefileZM reads PolygonZ, PolygonM and PolygonZM files as 2D,
// reported once for the file, matching GDAL's 2D conversion.
func TestShapefileZM(t *testing.T) {
	src := testref.Shared(t, "data/trafford/trafford_conservation_areas.geojson")
	for _, dim := range []string{"XYZ", "XYM", "XYZM"} {
		t.Run(dim, func(t *testing.T) {
			dir := t.TempDir()
			shpDir := filepath.Join(dir, "shp")
			os.Mkdir(shpDir, 0o755)
			shp := filepath.Join(shpDir, "areas.shp")
			ogr(t, "-f", "ESRI Shapefile", "-dim", dim, shp, src)
			zipPath := filepath.Join(dir, "areas.zip")
			zipDir(t, shpDir, zipPath)
			got, rep, _ := readCorpus(t, zipPath, Options{})
			n := noticeOf(rep, NoticeDimensions)
			if !rep.OK() || n == nil || n.Features != len(got) || rep.RepairedCount != 0 {
				t.Fatalf("report %+v", rep)
			}
			sameGeometries(t, dim, got, ogrGeometries(t, shp, "-makevalid", "-dim", "XY"), 1e-6)
		})
	}
}

// TestGeoPackage3D: Z (and M) values are dropped, never a reason to refuse.
func TestGeoPackage3D(t *testing.T) {
	src := testref.Shared(t, "data/trafford/trafford_listed_buildings.geojson")
	for _, dim := range []string{"XYZ", "XYZM"} {
		t.Run(dim, func(t *testing.T) {
			gpkg := filepath.Join(t.TempDir(), "lb.gpkg")
			ogr(t, "-f", "GPKG", "-dim", dim, "-t_srs", "EPSG:27700", gpkg, src)
			got, rep, _ := readCorpus(t, gpkg, Options{})
			n := noticeOf(rep, NoticeDimensions)
			if !rep.OK() || rep.InvalidCount != 0 || n == nil || n.Features != len(got) {
				t.Fatalf("report %+v", rep)
			}
			sameGeometries(t, dim, got, ogrGeometries(t, gpkg, "-makevalid", "-dim", "XY"), 1e-6)
		})
	}
}

// TestGeoJSONLegacyCRSAnd3D: a GDAL GeoJSON in National Grid with a crs
// member and heights.
func TestGeoJSONLegacyCRSAnd3D(t *testing.T) {
	src := testref.Shared(t, "data/trafford/trafford_conservation_areas.geojson")
	path := filepath.Join(t.TempDir(), "bng3d.geojson")
	ogr(t, "-f", "GeoJSON", "-lco", "RFC7946=NO", "-lco", "COORDINATE_PRECISION=6", "-t_srs", "EPSG:27700", "-dim", "XYZ", path, src)
	got, rep, r := readCorpus(t, path, Options{})
	if crsKind(r.CRS()) != kindBNG || noticeOf(rep, NoticeLegacyCRS) == nil {
		t.Errorf("CRS %q, notices %+v", r.CRS(), rep.Notices)
	}
	if n := noticeOf(rep, NoticeDimensions); n == nil || n.Features != len(got) {
		t.Errorf("notices %+v", rep.Notices)
	}
	sameGeometries(t, "GeoJSON", got, ogrGeometries(t, path, "-makevalid", "-dim", "XY"), 1e-6)
}

// TestGeoJSONIds: GeoJSON ids that repeat, as a number and a string, give
// positions; the property source_id is taken, so the next name is used.
func TestGeoJSONIds(t *testing.T) {
	doc := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":1,"properties":{"source_id":"x"},"geometry":{"type":"Point","coordinates":[-2.3,53.4]}},
	 {"type":"Feature","id":"1","properties":{},"geometry":{"type":"Point","coordinates":[-2.3,53.5]}},
	 {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-2.3,53.6]}}]}`
	fs, rep := readAll(t, openBytes(t, FormatGeoJSON, doc, Options{}))
	ids := rep.IDs
	if ids.Rule != IDsByPosition || ids.Missing != 1 || ids.Property != "source_id_1" || ids.From != "GeoJSON id" {
		t.Fatalf("ids %+v", ids)
	}
	if fs[0].ID != "1" || fs[1].ID != "2" || fs[2].ID != "3" || fs[0].Properties["source_id_1"] != "1" ||
		fs[0].Properties["source_id"] != "x" || fs[2].Properties["source_id_1"] != nil {
		t.Errorf("features %+v", fs)
	}
	fs, rep = readAll(t, openBytes(t, FormatGeoJSON, strings.Replace(doc, `"id":"1"`, `"id":"b"`, 1), Options{}))
	if rep.IDs.Rule != IDsByPosition || rep.IDs.Missing != 1 {
		t.Errorf("one missing id: %+v", rep.IDs)
	}
	single := `{"type":"Feature","id":"only","properties":{},"geometry":{"type":"Point","coordinates":[-2.3,53.4]}}`
	fs, rep = readAll(t, openBytes(t, FormatGeoJSON, single, Options{}))
	if rep.IDs.Rule != IDsFromSource || fs[0].ID != "only" {
		t.Errorf("single feature: %+v %+v", rep.IDs, fs)
	}
	// A declared latitude-first order swaps positions in any format.
	fs, rep = readAll(t, openBytes(t, FormatGeoJSON, `{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[53.4,-2.3]}}`,
		Options{AxisOrder: AxisLatLon}))
	if fs[0].Geometry != (orb.Point{-2.3, 53.4}) || noticeOf(rep, NoticeAxisSwapped) == nil {
		t.Errorf("axisOrder=latlon: %v %+v", fs[0].Geometry, rep.Notices)
	}
}
