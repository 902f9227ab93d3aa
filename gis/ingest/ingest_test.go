package ingest

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/repair"
	"github.com/paulmach/orb"
)

func openBytes(t *testing.T, f Format, data string, opts Options) Reader {
	t.Helper()
	r, err := Open(f, strings.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("Open %s: %v", f, err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func readAll(t *testing.T, r Reader) ([]Feature, *Report) {
	t.Helper()
	v := NewValidator(r, Limits{})
	var out []Feature
	for {
		f, err := v.Next()
		if err == io.EOF {
			return out, v.Report()
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, f)
	}
}

// A QGIS-style legacy file: crs member after the features, a polygon whose
// exterior is clockwise and whose hole is counter-clockwise.
const wrongWinding = `{"type":"FeatureCollection","features":[
 {"type":"Feature","id":"a","properties":{"n":1,"name":"Park","opened":"2001-04-05"},
  "geometry":{"type":"Polygon","coordinates":[
   [[380000,390000],[380000,390100],[380100,390100],[380100,390000],[380000,390000]],
   [[380010,390010],[380050,390010],[380050,390050],[380010,390050],[380010,390010]]]}},
 {"type":"Feature","id":7,"properties":{"n":2.5,"name":"Lido","opened":null,"extra":true},
  "geometry":{"type":"Point","coordinates":[381000,391000,12]}}
],"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}}}`

func TestGeoJSONLegacyCRSAndWinding(t *testing.T) {
	r := openBytes(t, FormatGeoJSON, wrongWinding, Options{})
	if r.CRS() != "urn:ogc:def:crs:EPSG::27700" {
		t.Fatalf("CRS = %q, want the crs member found after the features", r.CRS())
	}
	fs, rep := readAll(t, r)
	if !rep.OK() || rep.Features != 2 || rep.Reoriented != 1 {
		t.Fatalf("report = %+v", rep)
	}
	poly := fs[0].Geometry.(orb.Polygon)
	if repair.SignedArea(poly[0]) <= 0 || repair.SignedArea(poly[1]) >= 0 {
		t.Errorf("winding not RFC 7946: outer %v, hole %v", repair.SignedArea(poly[0]), repair.SignedArea(poly[1]))
	}
	if fs[1].ID != "7" || fs[1].Geometry != (orb.Point{381000, 391000}) {
		t.Errorf("second feature = %+v, want id 7 and Z dropped", fs[1])
	}
	if fs[0].Properties["n"] != int64(1) {
		t.Errorf("integer property decoded as %T", fs[0].Properties["n"])
	}
	want := map[string]Property{
		"n":      {Name: "n", Type: TypeNumber},
		"name":   {Name: "name", Type: TypeString},
		"opened": {Name: "opened", Type: TypeDate, Nulls: 1},
		"extra":  {Name: "extra", Type: TypeBoolean, Nulls: 1},
	}
	for _, p := range rep.Properties {
		if want[p.Name] != p {
			t.Errorf("property %+v, want %+v", p, want[p.Name])
		}
	}
	if got := rep.BBox; len(got) != 4 || got[0] != 380000 || got[3] != 391000 {
		t.Errorf("bbox = %v", got)
	}
}

// Broken geometries are repaired and reported once each; only a feature of
// which nothing valid remains is left out, and the file is refused only
// when more than MaxRejectedPercent of its features are.
func TestGeoJSONGeometriesRepairedOrLeftOut(t *testing.T) {
	doc := `{"type":"FeatureCollection","features":[
	 {"type":"Feature","id":"ok","properties":{},"geometry":{"type":"Point","coordinates":[-2.3,53.4]}},
	 {"type":"Feature","id":"open","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}},
	 {"type":"Feature","id":"bowtie","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}},
	 {"type":"Feature","id":"far","properties":{},"geometry":{"type":"Point","coordinates":[380000,390000]}},
	 {"type":"Feature","id":"short","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0]]}},
	 {"type":"Feature","id":"nums","properties":{},"geometry":{"type":"Point","coordinates":[1]}}
	]}`
	_, rep, err := Collect(openBytes(t, FormatGeoJSON, doc, Options{}), Limits{})
	if err == nil || domain.ErrorCode(err) != domain.CodeInvalid {
		t.Fatalf("3 of 6 features left out passes the 10%% threshold: err = %v", err)
	}
	if rep.Features != 6 || rep.InvalidCount != 3 || rep.Kept != 3 || rep.RepairedCount != 2 {
		t.Fatalf("report = %+v", rep)
	}
	wantReason := map[int]string{3: "outside the valid longitude/latitude", 4: "fewer than 2 distinct positions", 5: "at least 2 numbers"}
	for _, p := range rep.Invalid {
		if !strings.Contains(p.Reason, wantReason[p.Index]) {
			t.Errorf("feature %d: reason %q, want it to mention %q", p.Index, p.Reason, wantReason[p.Index])
		}
	}
	wantFix := map[int]repair.Action{1: repair.ActionClosedRing, 2: repair.ActionRebuilt}
	for _, r := range rep.Repaired {
		if r.Fixes[0].Action != wantFix[r.Index] || r.SourceID != r.ID {
			t.Errorf("repaired %+v, want %s", r, wantFix[r.Index])
		}
	}
	var de *domain.Error
	if !errors.As(err, &de) || de.Fields[0].Field != "features[3]" {
		t.Errorf("error fields = %+v", de)
	}
	fs, rep, err := Collect(openBytes(t, FormatGeoJSON, doc, Options{}), Limits{MaxRejectedPercent: 50})
	if err != nil || len(fs) != 3 || !rep.OK() {
		t.Fatalf("with 50%% allowed: %d features, %v", len(fs), err)
	}
	if _, ok := fs[2].Geometry.(orb.MultiPolygon); !ok {
		t.Errorf("the bow-tie became %v, want its two lobes", fs[2].Geometry)
	}
}

func TestCSVEastingsNorthings(t *testing.T) {
	doc := "\xef\xbb\xbfRef;Site Name;Easting;Northing;Count;Code\n" +
		"1;Town Hall;379000.5;396000.25;3;007\n" +
		"2;\"Depot; north\";380000;397000;;A1\n" +
		"3;Broken;not-a-number;397000;1;B\n"
	r := openBytes(t, FormatCSV, doc, Options{})
	if r.CRS() != "EPSG:27700" {
		t.Fatalf("CRS = %q", r.CRS())
	}
	fs, rep := readAll(t, r)
	// A row whose coordinates are not numbers is kept, unmapped.
	if len(fs) != 3 || rep.InvalidCount != 0 || fs[2].Geometry != nil || summaryOf(t, r).NotMapped != 1 {
		t.Fatalf("features %d, report %+v", len(fs), rep)
	}
	if fs[0].Geometry != (orb.Point{379000.5, 396000.25}) {
		t.Errorf("geometry = %v", fs[0].Geometry)
	}
	p := fs[1].Properties
	if p["Site Name"] != "Depot; north" || p["Count"] != nil || p["Ref"] != int64(2) {
		t.Errorf("properties = %v", p)
	}
	if fs[0].Properties["Code"] != "007" {
		t.Errorf("leading-zero code became %#v, want the string kept", fs[0].Properties["Code"])
	}
	if _, has := p["Easting"]; has {
		t.Error("coordinate columns must not be repeated as properties")
	}
}

func TestCSVLatLonAndExplicitColumns(t *testing.T) {
	r := openBytes(t, FormatCSV, "name,LAT,Lng\nx,53.4,-2.3\n", Options{})
	fs, _ := readAll(t, r)
	if r.CRS() != crs84 || fs[0].Geometry != (orb.Point{-2.3, 53.4}) {
		t.Fatalf("CRS %q geometry %v, want CRS84 lon,lat", r.CRS(), fs[0].Geometry)
	}
	if _, err := Open(FormatCSV, strings.NewReader("X,Y\n1,2\n"), 8, Options{}); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("x/y without a CRS: err = %v, want invalid asking for the CRS", err)
	}
	r = openBytes(t, FormatCSV, "a,b,E1,N1\n1,2,300000,400000\n", Options{XColumn: "e1", YColumn: "N1", CRS: "EPSG:27700"})
	fs, _ = readAll(t, r)
	if fs[0].Geometry != (orb.Point{300000, 400000}) {
		t.Errorf("explicit columns: %v", fs[0].Geometry)
	}
}

const gml32LatLon = `<?xml version="1.0"?>
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"
  xmlns:ps="http://inspire.ec.europa.eu/schemas/ps/4.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  numberMatched="2" numberReturned="2">
 <wfs:member>
  <ps:ProtectedSite gml:id="PS.1">
   <gml:name>ignored</gml:name>
   <ps:siteName>Stamford Park</ps:siteName>
   <ps:area>12.5</ps:area>
   <ps:legalFoundationDate xsi:nil="true"/>
   <ps:geometry>
    <gml:Polygon gml:id="g1" srsName="urn:ogc:def:crs:EPSG::4258">
     <gml:exterior><gml:LinearRing><gml:posList>53.40 -2.30 53.40 -2.29 53.41 -2.29 53.41 -2.30 53.40 -2.30</gml:posList></gml:LinearRing></gml:exterior>
    </gml:Polygon>
   </ps:geometry>
  </ps:ProtectedSite>
 </wfs:member>
 <wfs:member>
  <ps:ProtectedSite gml:id="PS.2">
   <ps:siteName>Well</ps:siteName>
   <ps:geometry><gml:Point gml:id="g2" srsName="urn:ogc:def:crs:EPSG::4258"><gml:pos>53.42 -2.31</gml:pos></gml:Point></ps:geometry>
  </ps:ProtectedSite>
 </wfs:member>
</wfs:FeatureCollection>`

func TestGML32LatitudeFirst(t *testing.T) {
	r := openBytes(t, FormatGML, gml32LatLon, Options{})
	if r.CRS() != "urn:ogc:def:crs:EPSG::4258" {
		t.Fatalf("CRS = %q", r.CRS())
	}
	fs, rep := readAll(t, r)
	if !rep.OK() || len(fs) != 2 {
		t.Fatalf("report %+v", rep)
	}
	if fs[1].Geometry != (orb.Point{-2.31, 53.42}) || fs[1].ID != "PS.2" {
		t.Errorf("point = %v id %q, want lon,lat swapped from the URN's lat,lon", fs[1].Geometry, fs[1].ID)
	}
	ring := fs[0].Geometry.(orb.Polygon)[0]
	if ring[1] != (orb.Point{-2.29, 53.40}) {
		t.Errorf("ring[1] = %v", ring[1])
	}
	p := fs[0].Properties
	if p["siteName"] != "Stamford Park" || p["area"] != 12.5 || p["legalFoundationDate"] != nil {
		t.Errorf("properties = %v", p)
	}
	if _, has := p["name"]; has {
		t.Error("gml:name must not become a property")
	}
}

func TestGMLShortEPSGIsLonLatAndGML31Members(t *testing.T) {
	doc := `<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml" xmlns:c="urn:c">
	 <gml:featureMember><c:tree fid="t1"><c:h>4</c:h><c:loc><gml:Point srsName="EPSG:4326"><gml:coordinates>-2.3,53.4</gml:coordinates></gml:Point></c:loc></c:tree></gml:featureMember>
	 <gml:featureMembers><c:tree fid="t2"><c:loc><gml:MultiPoint srsName="EPSG:4326"><gml:pointMember><gml:Point><gml:pos>-2.2 53.5</gml:pos></gml:Point></gml:pointMember></gml:MultiPoint></c:loc></c:tree>
	 <c:tree fid="t3"><c:loc><gml:LineString srsName="EPSG:4326"><gml:pos>-2 53</gml:pos><gml:pos>-2.1 53.1</gml:pos></gml:LineString></c:loc></c:tree></gml:featureMembers>
	</gml:FeatureCollection>`
	fs, rep := readAll(t, openBytes(t, FormatGML, doc, Options{}))
	if !rep.OK() || len(fs) != 3 {
		t.Fatalf("report %+v", rep)
	}
	if fs[0].Geometry != (orb.Point{-2.3, 53.4}) || fs[0].ID != "t1" || fs[0].Properties["h"] != int64(4) {
		t.Errorf("feature 0 = %+v", fs[0])
	}
	if mp := fs[1].Geometry.(orb.MultiPoint); mp[0] != (orb.Point{-2.2, 53.5}) {
		t.Errorf("multipoint = %v", mp)
	}
	if ls := fs[2].Geometry.(orb.LineString); len(ls) != 2 {
		t.Errorf("linestring = %v", ls)
	}
}

func TestWiden(t *testing.T) {
	cases := []struct{ a, b, want Type }{
		{TypeInteger, TypeNumber, TypeNumber},
		{TypeNull, TypeInteger, TypeInteger},
		{TypeDate, TypeDateTime, TypeDateTime},
		{TypeBoolean, TypeInteger, TypeString},
		{TypeNumber, TypeString, TypeString},
		{TypeDate, TypeString, TypeString},
	}
	for _, c := range cases {
		if got := Widen(c.a, c.b); got != c.want {
			t.Errorf("Widen(%s,%s) = %s, want %s", c.a, c.b, got, c.want)
		}
		if got := Widen(c.b, c.a); got != c.want {
			t.Errorf("Widen(%s,%s) = %s, want %s (order must not matter)", c.b, c.a, got, c.want)
		}
	}
	if TypeOf("2024-03-31T10:00:00Z") != TypeDateTime || TypeOf(3.0) != TypeInteger || TypeOf("1e5") != TypeString {
		t.Error("TypeOf misclassifies")
	}
}

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name, head string
		want       Format
	}{
		{"x.json", `  {"type":"FeatureCollection"`, FormatGeoJSON},
		{"layer.zip", "PK\x03\x04....", FormatShapefile},
		{"wrong.csv", "SQLite format 3\x00...", FormatGeoPackage},
		{"wfs", `<?xml version="1.0"?><wfs:FeatureCollection`, FormatGML},
		{"points.csv", "easting,northing\n1,2", FormatCSV},
	} {
		got, err := Sniff(c.name, []byte(c.head))
		if err != nil || got != c.want {
			t.Errorf("Sniff(%q) = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	if _, err := Sniff("x.bin", []byte{0, 1, 2}); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("binary junk: %v", err)
	}
}

func TestNaNFromCSVIsInvalid(t *testing.T) {
	_, rep := readAll(t, openBytes(t, FormatCSV, "easting,northing\nNaN,1\n+Inf,2\n", Options{}))
	if rep.InvalidCount != 2 || !strings.Contains(rep.Invalid[0].Reason, "finite") {
		t.Errorf("report %+v", rep)
	}
}
