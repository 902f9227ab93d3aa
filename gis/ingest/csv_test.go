package ingest

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/internal/testref"
)

func summaryOf(t *testing.T, r Reader) CSVSummary {
	t.Helper()
	s, ok := CSVSummaryOf(r)
	if !ok {
		t.Fatal("the CSV reader has no summary")
	}
	return s
}

// An LGA land and building assets file: GeoX/GeoY with a
// CoordinateReferenceSystem per row, mostly WGS84, one row OSGB36 (to be
// transformed), one without coordinates (kept, not mapped), a quoted line
// break, non-breaking spaces, CRLF and the empty rows Excel leaves.
func TestCSVLGAAssetsWithCRSColumn(t *testing.T) {
	doc := "UPRN,AssetCode,PropertyName,PostCode,CoordinateReferenceSystem,GeoX,GeoY,TenureType\r\n" +
		"100030000001,A1,Council Offices,S44 6NF,WGS84,-1.2901,53.2301,Freehold\r\n" +
		"100030000002,A2,\"Depot\r\nand yard\",S44 6NG,OSGB36,447100,370300,Leasehold\r\n" +
		"100030000003,A3,Allotment\u00a0land,,WGS84,,,Freehold\r\n" +
		"100030000004,A4,Library,S44 6NH,WGS84,-1.2955,53.2288,Freehold\r\n" +
		",,,,,,,\r\n,,,,,,,\r\n\r\n"
	r := openBytes(t, FormatCSV, doc, Options{})
	if r.CRS() != crs84 {
		t.Fatalf("CRS %q, want CRS84 from the CoordinateReferenceSystem column", r.CRS())
	}
	fs, rep := readAll(t, r)
	if !rep.OK() || len(fs) != 4 {
		t.Fatalf("features %d (want 4: the empty rows are no rows), report %+v", len(fs), rep)
	}
	lon, lat, err := crs.Transform(crs.EPSG27700, crs.CRS84, 447100, 370300)
	if err != nil {
		t.Fatal(err)
	}
	if g := fs[1].Geometry.(orb.Point); math.Abs(g[0]-lon) > 1e-9 || math.Abs(g[1]-lat) > 1e-9 {
		t.Errorf("the OSGB36 row is at %v, want %v, %v", g, lon, lat)
	}
	if fs[2].Geometry != nil || fs[2].Properties["PropertyName"] != "Allotment land" || fs[1].Properties["PropertyName"] != "Depot\nand yard" {
		t.Errorf("rows %v / %v", fs[2], fs[1].Properties)
	}
	if fs[0].Properties["CoordinateReferenceSystem"] != "WGS84" {
		t.Errorf("the CRS column is kept as a property: %v", fs[0].Properties)
	}
	s := summaryOf(t, r)
	if s.Rows != 4 || s.Mapped != 3 || s.NotMapped != 1 || s.Transformed != 1 || s.NotMappedRows[0].Row != 3 ||
		s.Coordinates.CRSFrom != CRSFromColumn || s.Coordinates.X != "GeoX" {
		t.Errorf("summary %+v", s)
	}
	if notes := strings.Join(s.Notes(), "; "); !strings.Contains(notes, "1 of 4 rows have no usable position") ||
		!strings.Contains(notes, "CoordinateReferenceSystem column") {
		t.Errorf("notes: %s", notes)
	}
}

// A highways grit bin export from MapInfo: MI_PRINX and MI_STYLE columns, a
// WKT the_geom in lon/lat (no CRS said anywhere), EASTING/NORTHING in
// metres as attributes, and a DBF-cut "designatio".
func gritBinCSV(rows int) string {
	var b strings.Builder
	b.WriteString("MI_PRINX,SITE_ID,designatio,EASTING,NORTHING,MI_STYLE,the_geom\n")
	for i := 1; i <= rows; i++ {
		lon, lat := -1.30+float64(i)*0.001, 53.20+float64(i)*0.0005
		geom := fmt.Sprintf("POINT (%.6f %.6f)", lon, lat)
		if i == 3 {
			geom = "" // a bin not yet surveyed
		}
		fmt.Fprintf(&b, "%d,GB%03d,Grit bin,%d,%d,\"Symbol (35,16711680,12)\",%s\n", i, i, 447000+i*70, 367000+i*55, geom)
	}
	return b.String()
}

func TestCSVGritBinFromMapInfo(t *testing.T) {
	r := openBytes(t, FormatCSV, gritBinCSV(20), Options{})
	if r.CRS() != crs84 {
		t.Fatalf("CRS %q, want CRS84 inferred from the_geom's values", r.CRS())
	}
	fs, rep := readAll(t, r)
	if !rep.OK() || len(fs) != 20 || fs[2].Geometry != nil {
		t.Fatalf("features %d report %+v", len(fs), rep)
	}
	if g := fs[0].Geometry.(orb.Point); math.Abs(g[0]+1.299) > 1e-9 || math.Abs(g[1]-53.2005) > 1e-9 {
		t.Errorf("first bin at %v", g)
	}
	p := fs[0].Properties
	if p["EASTING"] != int64(447070) || p["MI_STYLE"] != "Symbol (35,16711680,12)" || p["designatio"] != "Grit bin" || p["MI_PRINX"] != int64(1) {
		t.Errorf("properties %v", p)
	}
	if _, has := p["the_geom"]; has {
		t.Error("the geometry column is repeated as a property")
	}
	s := summaryOf(t, r)
	if s.Coordinates.Kind != "wkt" || s.Coordinates.CRSFrom != CRSFromValues || !strings.Contains(s.Coordinates.Note, "longitude/latitude") || s.NotMapped != 1 {
		t.Errorf("summary %+v", s)
	}
}

// GDAL reads the grit bin file's the_geom the same way.
func TestCSVGritBinAgreesWithGDAL(t *testing.T) {
	ogr := testref.Tool(t, "ogr2ogr", "gdal-bin")
	dir := t.TempDir()
	src := filepath.Join(dir, "grit_bins.csv")
	if err := os.WriteFile(src, []byte(gritBinCSV(20)), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "grit_bins.geojson")
	if b, err := exec.Command(ogr, "-f", "GeoJSON", "-oo", "GEOM_POSSIBLE_NAMES=the_geom", "-a_srs", "OGC:CRS84", out, src).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, b)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any
			Geometry   *struct{ Coordinates []float64 }
		}
	}
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	fs, _ := readAll(t, openBytes(t, FormatCSV, gritBinCSV(20), Options{}))
	if len(fc.Features) != len(fs) {
		t.Fatalf("GDAL read %d features, we %d", len(fc.Features), len(fs))
	}
	for i, f := range fc.Features {
		switch {
		case f.Geometry == nil:
			if fs[i].Geometry != nil {
				t.Errorf("feature %d: GDAL has no geometry, we have %v", i, fs[i].Geometry)
			}
		case fs[i].Geometry == nil:
			t.Errorf("feature %d: no geometry, GDAL has %v", i, f.Geometry.Coordinates)
		default:
			g := fs[i].Geometry.(orb.Point)
			if math.Abs(g[0]-f.Geometry.Coordinates[0]) > 1e-9 || math.Abs(g[1]-f.Geometry.Coordinates[1]) > 1e-9 {
				t.Errorf("feature %d: %v, GDAL %v", i, g, f.Geometry.Coordinates)
			}
		}
	}
}

func TestCSVCoordinateSpellings(t *testing.T) {
	cases := []struct {
		name, doc string
		crs, from string
		first     orb.Point
	}{
		{"EASTING_M", "ID,EASTING_M,NORTHING_M\n1,447100,370300\n", "EPSG:27700", CRSFromNames, orb.Point{447100, 370300}},
		{"LAT_WGS84", "ID,LAT_WGS84,LONG_WGS84\n1,53.23,-1.29\n", crs84, CRSFromNames, orb.Point{-1.29, 53.23}},
		{"Latitude/Longitude", "Name,Latitude,Longitude\nA,53.23,-1.29\n", crs84, CRSFromNames, orb.Point{-1.29, 53.23}},
		{"lat/long", "n,lat,long\nA,53.23,-1.29\n", crs84, CRSFromNames, orb.Point{-1.29, 53.23}},
		{"X/Y metres", "X,Y,Name\n\"447,100\",370300,A\n447200,370400,B\n", "EPSG:27700", CRSFromValues, orb.Point{447100, 370300}},
		{"X/Y degrees", "X,Y\n-1.29,53.23\n-1.30,53.24\n", crs84, CRSFromValues, orb.Point{-1.29, 53.23}},
		{"Easting/Northing holding degrees", "Easting,Northing\n-1.29,53.23\n", crs84, CRSFromValues, orb.Point{-1.29, 53.23}},
		{"GeoX/GeoY metres", "GeoX,GeoY\n447100,370300\n", "EPSG:27700", CRSFromValues, orb.Point{447100, 370300}},
		{"EWKT", "id,wkt\n1,SRID=27700;POINT(447100 370300)\n", "EPSG:27700", CRSFromSRID, orb.Point{447100, 370300}},
		{"GeoJSON cell", "id,geometry\n1,\"{\"\"type\"\":\"\"Point\"\",\"\"coordinates\"\":[-1.29,53.23]}\"\n", crs84, CRSFromValues, orb.Point{-1.29, 53.23}},
		{"GeoJSON cell in metres", "id,shape\n1,\"{\"\"type\"\":\"\"Point\"\",\"\"coordinates\"\":[447100,370300]}\"\n", "EPSG:27700", CRSFromValues, orb.Point{447100, 370300}},
		{"WKT found by content", "id,location\n1,POINT (-1.29 53.23)\n", crs84, CRSFromValues, orb.Point{-1.29, 53.23}},
		{"Windows-1252 semicolons", "Site;Easting;Northing;Fee\nCaf\xe9;447100;370300;\xa35\n", "EPSG:27700", CRSFromNames, orb.Point{447100, 370300}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := openBytes(t, FormatCSV, c.doc, Options{})
			fs, rep := readAll(t, r)
			s := summaryOf(t, r)
			if r.CRS() != c.crs || s.Coordinates.CRSFrom != c.from || !rep.OK() || fs[0].Geometry != c.first {
				t.Errorf("CRS %q from %s, first %v; report %+v", r.CRS(), s.Coordinates.CRSFrom, fs[0].Geometry, rep)
			}
			if c.name == "Windows-1252 semicolons" && (fs[0].Properties["Site"] != "Café" || fs[0].Properties["Fee"] != "£5") {
				t.Errorf("properties %v", fs[0].Properties)
			}
		})
	}
}

func TestCSVCoordinatesThatCannotBeDecided(t *testing.T) {
	for doc, field := range map[string]string{
		"X,Y\n53.23,-1.29\n":      "xColumn", // latitude first
		"lon,lat\n53.23,-1.29\n":  "xColumn", // named the wrong way round
		"X,Y\n1,2\n":              "crs",     // neither metres in Britain nor UK degrees
		"X,Y\n,\n":                "crs",     // nothing to go by
		"name,value\nA,1\nB,2\n":  "xColumn", // no coordinates at all
		"E,N\n447100,370300\n":    "xColumn",
		"a,b\n1,POINT (1 2\n":     "crs", // a geometry column whose first value cannot be read
		"Name,geometry\nA,oops\n": "xColumn",
	} {
		_, err := Open(FormatCSV, strings.NewReader(doc), int64(len(doc)), Options{})
		var de *domain.Error
		if !errorAs(err, &de) || len(de.Fields) == 0 || de.Fields[0].Field != field {
			t.Errorf("%q: %v, want a problem naming %s", doc, err, field)
		}
	}
	// The options decide, as the errors say.
	r := openBytes(t, FormatCSV, "X,Y\n53.23,-1.29\n", Options{XColumn: "Y", YColumn: "X"})
	if fs, _ := readAll(t, r); r.CRS() != crs84 || fs[0].Geometry != (orb.Point{-1.29, 53.23}) {
		t.Errorf("swapped by the options: %s %v", r.CRS(), fs[0].Geometry)
	}
}

func TestDetectCSVCoordinates(t *testing.T) {
	c, err := DetectCSVCoordinates([]string{"Site", "EASTING", "NORTHING"}, [][]string{{"A", "447100", "370300"}})
	if err != nil || c == nil || !strings.Contains(c.Advice(), "coordinate columns EASTING/NORTHING in EPSG:27700") ||
		!strings.Contains(c.Advice(), `"inspire" block`) {
		t.Fatalf("%v %v", c, err)
	}
	if c, err := DetectCSVCoordinates([]string{"Date", "Supplier", "Amount"}, [][]string{{"01/04/2024", "Acme", "600"}}); c != nil || err != nil {
		t.Errorf("a spend file has no coordinates: %v %v", c, err)
	}
}

func errorAs(err error, de **domain.Error) bool { return errors.As(err, de) }
