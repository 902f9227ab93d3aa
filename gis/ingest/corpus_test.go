package ingest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/repair"
	"github.com/jointict/councilapi/internal/geomtest"
)

// This file builds the WFS GML a council's download service really writes,
// quirks included, from the shared Trafford conservation areas, and checks
// that what the readers publish matches GDAL's own reading of the same
// file (with ogr2ogr -makevalid, i.e. after the same repairs) within 1e-6.

type corpusFeature struct {
	name string
	geom orb.Geometry // CRS84
}

// traffordAreas reads the shared layer with orb's decoder, independent of
// the code under test.
func traffordAreas(t *testing.T) []corpusFeature {
	t.Helper()
	var out []corpusFeature
	for _, f := range geomtest.TraffordConservationAreas(t) {
		out = append(out, corpusFeature{name: f.Name, geom: f.Geom})
	}
	return out
}

// wfsFlavour is how one server writes a GetFeature response.
type wfsFlavour struct {
	name      string
	gmlNS     string
	open      string // root start tag; %d is the feature count
	close     string
	member    string // "featureMember", "featureMembers", "wfs:member" or "nested"
	idAttr    string // "gml:id", "fid" or "" (no ids)
	srsName   string
	latFirst  bool
	gml2      bool // outerBoundaryIs and gml:coordinates
	multi     bool // MultiSurface / MultiPolygon
	boundedBy bool // a gml:boundedBy inside every feature (MapServer, QGIS Server)
	bng       bool // coordinates in EPSG:27700
}

const nsDecl = `xmlns:gml="%s" xmlns:ns="http://council.example.gov.uk/inspire" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`

var wfsFlavours = []wfsFlavour{
	{name: "GeoServer WFS 1.0", gmlNS: "http://www.opengis.net/gml",
		open:  `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" ` + nsDecl + `><gml:boundedBy><gml:null>unknown</gml:null></gml:boundedBy>`,
		close: `</wfs:FeatureCollection>`, member: "featureMember", idAttr: "fid",
		srsName: "http://www.opengis.net/gml/srs/epsg.xml#4326", gml2: true, multi: true},
	{name: "GeoServer WFS 1.1", gmlNS: "http://www.opengis.net/gml",
		open:  `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" numberOfFeatures="%d" ` + nsDecl + `>`,
		close: `</wfs:FeatureCollection>`, member: "featureMembers", idAttr: "gml:id",
		srsName: "urn:x-ogc:def:crs:EPSG:4326", latFirst: true, multi: true},
	{name: "GeoServer WFS 2.0", gmlNS: "http://www.opengis.net/gml/3.2",
		open:  `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" numberMatched="%[1]d" numberReturned="%[1]d" ` + nsDecl + `>`,
		close: `</wfs:FeatureCollection>`, member: "wfs:member", idAttr: "gml:id",
		srsName: "urn:ogc:def:crs:EPSG::4326", latFirst: true, multi: true},
	{name: "MapServer WFS 1.1", gmlNS: "http://www.opengis.net/gml",
		open:  `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" ` + nsDecl + `>`,
		close: `</wfs:FeatureCollection>`, member: "featureMember", idAttr: "gml:id",
		srsName: "EPSG:4326", boundedBy: true},
	{name: "ArcGIS Server WFS 2.0", gmlNS: "http://www.opengis.net/gml/3.2",
		open:  `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" numberMatched="unknown" numberReturned="%d" ` + nsDecl + `>`,
		close: `</wfs:FeatureCollection>`, member: "wfs:member", idAttr: "gml:id",
		srsName: "urn:ogc:def:crs:EPSG::27700", multi: true, bng: true},
	{name: "QGIS Server WFS 1.1", gmlNS: "http://www.opengis.net/gml",
		open:  `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" ` + nsDecl + `>`,
		close: `</wfs:FeatureCollection>`, member: "featureMember", idAttr: "gml:id",
		srsName: "EPSG:27700", boundedBy: true, bng: true},
	{name: "deegree WFS 2.0", gmlNS: "http://www.opengis.net/gml/3.2",
		open:  `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" numberMatched="%[1]d" numberReturned="%[1]d" ` + nsDecl + `>`,
		close: `</wfs:FeatureCollection>`, member: "nested", idAttr: "gml:id",
		srsName: "http://www.opengis.net/def/crs/EPSG/0/4258", latFirst: true, multi: true},
}

// gmlDoc renders features the flavour's way. ids gives each feature's id
// ("" for none); srs overrides the srsName of one feature's geometry.
type gmlDoc struct {
	wfsFlavour
	ids func(i int) string
	srs func(i int) string
}

func (d gmlDoc) pos(p orb.Point) string {
	x, y := p[0], p[1]
	if d.latFirst {
		x, y = y, x
	}
	if d.gml2 {
		return fmt.Sprintf("%.15g,%.15g", x, y)
	}
	return fmt.Sprintf("%.15g %.15g", x, y)
}

func (d gmlDoc) ring(r orb.Ring, outer bool) string {
	parts := make([]string, len(r))
	for i, p := range r {
		parts[i] = d.pos(p)
	}
	if d.gml2 {
		tag := "innerBoundaryIs"
		if outer {
			tag = "outerBoundaryIs"
		}
		return fmt.Sprintf(`<gml:%s><gml:LinearRing><gml:coordinates decimal="." cs="," ts=" ">%s</gml:coordinates></gml:LinearRing></gml:%[1]s>`, tag, strings.Join(parts, " "))
	}
	tag := "interior"
	if outer {
		tag = "exterior"
	}
	return fmt.Sprintf(`<gml:%s><gml:LinearRing><gml:posList srsDimension="2">%s</gml:posList></gml:LinearRing></gml:%[1]s>`, tag, strings.Join(parts, " "))
}

func (d gmlDoc) polygon(p orb.Polygon, srs string) string {
	var b strings.Builder
	if srs != "" {
		srs = fmt.Sprintf(` srsName="%s"`, srs)
	}
	fmt.Fprintf(&b, `<gml:Polygon%s>`, srs)
	for i, r := range p {
		b.WriteString(d.ring(r, i == 0))
	}
	b.WriteString(`</gml:Polygon>`)
	return b.String()
}

func (d gmlDoc) geometry(g orb.Geometry, srs string) string {
	polys := geomtest.Polygons(g)
	if !d.multi && len(polys) == 1 {
		return d.polygon(polys[0], srs)
	}
	multi, member := "MultiSurface", "surfaceMember"
	if d.gml2 {
		multi, member = "MultiPolygon", "polygonMember"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<gml:%s srsName="%s">`, multi, srs)
	for _, p := range polys {
		fmt.Fprintf(&b, `<gml:%s>%s</gml:%[1]s>`, member, d.polygon(p, ""))
	}
	fmt.Fprintf(&b, `</gml:%s>`, multi)
	return b.String()
}

func (d gmlDoc) render(fs []corpusFeature) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	open := strings.Replace(d.open, "%s", d.gmlNS, 1)
	if strings.Contains(open, "%") {
		open = fmt.Sprintf(open, len(fs))
	}
	b.WriteString(open + "\n")
	if d.member == "featureMembers" {
		b.WriteString("<gml:featureMembers>\n")
	}
	for i, f := range fs {
		id := fmt.Sprintf("conservation_areas.%d", i+1)
		if d.ids != nil {
			id = d.ids(i)
		}
		attr := ""
		if d.idAttr != "" && id != "" {
			attr = fmt.Sprintf(` %s="%s"`, d.idAttr, id)
		}
		srs := d.srsName
		if d.srs != nil {
			srs = d.srs(i)
		}
		var feat strings.Builder
		fmt.Fprintf(&feat, `<ns:conservation_areas%s>`, attr)
		if d.boundedBy {
			bb := f.geom.Bound()
			fmt.Fprintf(&feat, `<gml:boundedBy><gml:Envelope srsName="%s"><gml:lowerCorner>%s</gml:lowerCorner><gml:upperCorner>%s</gml:upperCorner></gml:Envelope></gml:boundedBy>`,
				srs, d.pos(bb.Min), d.pos(bb.Max))
		}
		fmt.Fprintf(&feat, `<ns:site_name>%s</ns:site_name><ns:geometry>%s</ns:geometry></ns:conservation_areas>`, f.name, d.geometry(f.geom, srs))
		switch d.member {
		case "featureMembers":
			b.WriteString(feat.String())
		case "featureMember":
			fmt.Fprintf(&b, "<gml:featureMember>%s</gml:featureMember>\n", feat.String())
		case "wfs:member":
			fmt.Fprintf(&b, "<wfs:member>%s</wfs:member>\n", feat.String())
		case "nested":
			// deegree answers a GetFeature of several queries with one
			// collection per query inside wfs:member.
			fmt.Fprintf(&b, "<wfs:member><wfs:FeatureCollection><wfs:member>%s</wfs:member></wfs:FeatureCollection></wfs:member>\n", feat.String())
		}
	}
	if d.member == "featureMembers" {
		b.WriteString("</gml:featureMembers>\n")
	}
	b.WriteString(d.close + "\n")
	return b.String()
}

// toBNG converts the corpus to National Grid with the project's OSTN15.
func toBNG(t *testing.T, fs []corpusFeature) []corpusFeature {
	out := make([]corpusFeature, len(fs))
	for i, f := range fs {
		g, err := crs.TransformGeometry(orb.Clone(f.geom), crs.CRS84, crs.EPSG27700)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = corpusFeature{name: f.name, geom: g}
	}
	return out
}

// ogrGeometries is GDAL's reading of src, geometries in file order.
func ogrGeometries(t *testing.T, src string, args ...string) []orb.Geometry {
	t.Helper()
	fs := geomtest.OGR(t, src, args...)
	out := make([]orb.Geometry, len(fs))
	for i, f := range fs {
		out[i] = f.Geometry
	}
	return out
}

// readCorpus publishes a file as the pipeline would: Open, then every
// feature through the Validator.
func readCorpus(t *testing.T, path string, opts Options) ([]Feature, *Report, Reader) {
	t.Helper()
	r, err := OpenFile(path, opts)
	if err != nil {
		t.Fatalf("OpenFile %s: %v", path, err)
	}
	t.Cleanup(func() { r.Close() })
	fs, rep := readAll(t, r)
	return fs, rep, r
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sameGeometries(t *testing.T, what string, got []Feature, want []orb.Geometry, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d features, GDAL has %d", what, len(got), len(want))
	}
	for i := range want {
		if d := geomtest.Diff(got[i].Geometry, want[i], tol); d != "" {
			t.Errorf("%s feature %d differs from GDAL's: %s", what, i, d)
		}
	}
}

func TestWFSFlavoursMatchGDAL(t *testing.T) {
	areas := traffordAreas(t)
	for _, fl := range wfsFlavours {
		t.Run(fl.name, func(t *testing.T) {
			fs := areas
			if fl.bng {
				fs = toBNG(t, areas)
			}
			path := writeFile(t, "wfs.gml", gmlDoc{wfsFlavour: fl}.render(fs))
			got, rep, _ := readCorpus(t, path, Options{})
			if !rep.OK() || rep.Kept != len(areas) || rep.IDs.Rule != IDsFromSource {
				t.Fatalf("report %+v", rep)
			}
			if got[3].ID != "conservation_areas.4" || got[3].Properties["site_name"] != areas[3].name {
				t.Errorf("feature 3 = %s %v", got[3].ID, got[3].Properties)
			}
			sameGeometries(t, fl.name, got, ogrGeometries(t, path, "-makevalid"), 1e-6)
			if !fl.bng {
				if pc := CheckPlace(boundOf(rep.BBox), crs.CRS84, rep.AxisOrder, false, GreatBritainAndNorthernIreland); pc.Placement != PlaceInside {
					t.Errorf("placement %+v", pc)
				}
			}
		})
	}
}

func boundOf(b []float64) orb.Bound {
	return orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}
}

// councilWFS is the shape of the two real council files: GML 3.2,
// wfs:member, MultiSurface, EPSG:4258 latitude first.
var councilWFS = wfsFlavours[2]

func init() {
	councilWFS.name = "council INSPIRE WFS"
	councilWFS.srsName = "urn:ogc:def:crs:EPSG::4258"
}

// assertReportConsistent checks what the job report relies on: counts
// equal lists, and each repaired feature appears once.
func assertReportConsistent(t *testing.T, rep *Report) {
	t.Helper()
	if rep.InvalidCount != len(rep.Invalid)+rep.InvalidNotListed || rep.RepairedCount != len(rep.Repaired)+rep.RepairedNotListed {
		t.Errorf("counts do not match lists: %+v", rep)
	}
	if rep.Kept+rep.InvalidCount != rep.Features {
		t.Errorf("kept %d + left out %d != features %d", rep.Kept, rep.InvalidCount, rep.Features)
	}
	seen := map[int]bool{}
	fixes := 0
	for _, r := range rep.Repaired {
		if seen[r.Index] {
			t.Errorf("feature %d listed twice among repairs", r.Index)
		}
		seen[r.Index] = true
		fixes += len(r.Fixes)
		if len(r.Fixes) == 0 || r.ID == "" {
			t.Errorf("repair entry %+v has no fixes or id", r)
		}
	}
	total := 0
	for _, n := range rep.Fixes {
		total += n
	}
	if rep.RepairedNotListed == 0 && total != fixes {
		t.Errorf("fix counts %v total %d, listed %d", rep.Fixes, total, fixes)
	}
}

func TestCouncilWFSIds(t *testing.T) {
	areas := traffordAreas(t)
	cases := []struct {
		name     string
		ids      func(i int) string
		rule     IDRule
		repeated int
		missing  int
		kept     bool // source ids kept in source_id
	}{
		{"every feature has the layer name as id", func(int) string { return "ConservationAreas" }, IDsByPosition, len(areas) - 1, 0, true},
		{"no ids", func(int) string { return "" }, IDsByPosition, 0, len(areas), false},
		{"two features share an id", func(i int) string { return fmt.Sprintf("CA.%d", min(i, 20-1)) }, IDsByPosition, 1, 0, true},
		{"one id missing", func(i int) string {
			if i == 4 {
				return ""
			}
			return fmt.Sprintf("CA.%d", i)
		}, IDsByPosition, 0, 1, true},
		{"unique ids", func(i int) string { return fmt.Sprintf("CA.%d", i) }, IDsFromSource, 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := gmlDoc{wfsFlavour: councilWFS, ids: c.ids}
			path := writeFile(t, "wfs.gml", doc.render(areas))
			got, rep, _ := readCorpus(t, path, Options{})
			assertReportConsistent(t, rep)
			ids := rep.IDs
			if ids.Rule != c.rule || ids.Repeated != c.repeated || ids.Missing != c.missing || ids.Message == "" {
				t.Fatalf("ids %+v", ids)
			}
			seen := map[string]bool{}
			for i, f := range got {
				if seen[f.ID] {
					t.Errorf("id %q published twice", f.ID)
				}
				seen[f.ID] = true
				src := c.ids(i)
				want := src
				if c.rule == IDsByPosition {
					want = fmt.Sprint(i + 1)
				}
				if f.ID != want || f.SourceID != src {
					t.Errorf("feature %d: id %q source %q, want %q and %q", i, f.ID, f.SourceID, want, src)
				}
				if v, has := f.Properties["source_id"]; c.kept && src != "" && v != src || !c.kept && has {
					t.Errorf("feature %d source_id = %v (has %v)", i, v, has)
				}
			}
			// Re-reading the same file gives the same ids.
			again, _, _ := readCorpus(t, path, Options{})
			for i := range got {
				if again[i].ID != got[i].ID {
					t.Fatalf("ids not stable: %q then %q", got[i].ID, again[i].ID)
				}
			}
			sameGeometries(t, c.name, got, ogrGeometries(t, path, "-makevalid"), 1e-6)
		})
	}
}

// TestCouncilWFSRepairs breaks the council file the ways real exports do
// and compares the published geometries with ogr2ogr -makevalid.
func TestCouncilWFSRepairs(t *testing.T) {
	areas := traffordAreas(t)
	// The shared file winds exteriors clockwise; start from RFC 7946 so
	// that the one ring wound backwards below is the only one rewound.
	for i := range areas {
		areas[i].geom, _, _ = repair.Geometry(areas[i].geom, repair.Options{})
	}
	broken := make([]corpusFeature, len(areas))
	copy(broken, areas)
	poly := func(i int) orb.Polygon {
		switch g := orb.Clone(areas[i].geom).(type) {
		case orb.Polygon:
			return g
		case orb.MultiPolygon:
			return g[0]
		}
		t.Fatalf("feature %d is not polygonal", i)
		return nil
	}
	// The sliver of the real file: a MultiSurface member of four positions
	// on one point.
	p6 := poly(6)
	at := p6[0][0]
	broken[6].geom = orb.MultiPolygon{p6, {{at, at, at, at}}}
	// A bow-tie where a digitiser crossed two edges.
	c := poly(8).Bound().Center()
	d := 0.001
	broken[8].geom = orb.Polygon{{{c[0] - d, c[1] - d}, {c[0] + d, c[1] + d}, {c[0] + d, c[1] - d}, {c[0] - d, c[1] + d}, {c[0] - d, c[1] - d}}}
	// A clockwise exterior.
	p4 := poly(4)
	p4[0].Reverse()
	broken[4].geom = p4
	// A repeated position.
	p5 := poly(5)
	p5[0] = append(p5[0][:3:3], append(orb.Ring{p5[0][2]}, p5[0][3:]...)...)
	broken[5].geom = p5
	// An unclosed ring, which GDAL cannot repair: GDAL gets it closed.
	p2 := poly(2)
	open := append([]corpusFeature(nil), broken...)
	open[2].geom = orb.Polygon{p2[0][:len(p2[0])-1]}
	openPath := writeFile(t, "open.gml", gmlDoc{wfsFlavour: councilWFS}.render(open))

	got, rep, _ := readCorpus(t, openPath, Options{})
	assertReportConsistent(t, rep)
	if !rep.OK() || rep.Kept != len(areas) || rep.InvalidCount != 0 {
		t.Fatalf("report %+v", rep)
	}
	wantFix := map[int]string{2: "closed-ring", 4: "rewound", 5: "removed-repeated-positions", 6: "dropped-collapsed-part", 8: "rebuilt-invalid-polygon"}
	for _, r := range rep.Repaired {
		want, ok := wantFix[r.Index]
		if !ok {
			t.Errorf("feature %d repaired though not broken: %+v", r.Index, r)
			continue
		}
		if string(r.Fixes[0].Action) != want || r.SourceID != fmt.Sprintf("conservation_areas.%d", r.Index+1) {
			t.Errorf("feature %d repaired with %+v, want %s first", r.Index, r, want)
		}
		delete(wantFix, r.Index)
	}
	if len(wantFix) > 0 {
		t.Errorf("repairs not reported: %v (report %+v)", wantFix, rep.Repaired)
	}
	if mp, ok := got[8].Geometry.(orb.MultiPolygon); !ok || len(mp) != 2 {
		t.Errorf("bow-tie published as %v, want its two lobes", got[8].Geometry)
	}
	closed := writeFile(t, "closed.gml", gmlDoc{wfsFlavour: councilWFS}.render(broken))
	sameGeometries(t, "repaired council file", got, ogrGeometries(t, closed, "-makevalid"), 1e-6)
}

// srsSpellings are the srsName forms WFS servers write for ETRS89, with
// the axis order each implies (as GDAL reads them).
var srsSpellings = []struct {
	srs      string
	latFirst bool
}{
	{"urn:ogc:def:crs:EPSG::4258", true},
	{"http://www.opengis.net/def/crs/EPSG/0/4258", true},
	{"urn:x-ogc:def:crs:EPSG:4258", true},
	{"EPSG:4258", false},
	{"http://www.opengis.net/gml/srs/epsg.xml#4258", false},
}

// TestAxisOrderUnderEachSRSName writes every spelling both ways: as its
// convention says (published where it belongs) and the other way round
// (the job must stop, naming the parameter; with it, the file publishes as
// GDAL reads it with the matching SWAP_COORDINATES).
func TestAxisOrderUnderEachSRSName(t *testing.T) {
	areas := traffordAreas(t)
	for _, sp := range srsSpellings {
		for _, wrong := range []bool{false, true} {
			name := sp.srs + " as it says"
			if wrong {
				name = sp.srs + " axes swapped"
			}
			t.Run(name, func(t *testing.T) {
				fl := councilWFS
				fl.srsName, fl.latFirst = sp.srs, sp.latFirst != wrong
				path := writeFile(t, "wfs.gml", gmlDoc{wfsFlavour: fl}.render(areas))
				got, rep, _ := readCorpus(t, path, Options{})
				pc := CheckPlace(boundOf(rep.BBox), crs.CRS84, rep.AxisOrder, false, GreatBritainAndNorthernIreland)
				if !wrong {
					if pc.Placement != PlaceInside {
						t.Fatalf("placement %+v", pc)
					}
					sameGeometries(t, name, got, ogrGeometries(t, path, "-makevalid"), 1e-6)
					return
				}
				want := "axisOrder=latlon"
				if sp.latFirst {
					want = "axisOrder=lonlat"
				}
				if pc.Placement != PlaceSwapped || !pc.Stop || pc.Swap != want || pc.Err() == nil || !strings.Contains(pc.Message, want) {
					t.Fatalf("placement %+v, want a stop naming %s", pc, want)
				}
				order, err := ParseAxisOrder(strings.TrimPrefix(pc.Swap, "axisOrder="))
				if err != nil {
					t.Fatal(err)
				}
				got, rep, _ = readCorpus(t, path, Options{AxisOrder: order})
				pc = CheckPlace(boundOf(rep.BBox), crs.CRS84, rep.AxisOrder, true, GreatBritainAndNorthernIreland)
				if pc.Placement != PlaceInside {
					t.Fatalf("with %s: placement %+v", want, pc)
				}
				// GDAL's SWAP_COORDINATES is relative to the file: YES reads
				// the second value as x, NO the first.
				swap := map[AxisOrder]string{AxisLatLon: "YES", AxisLonLat: "NO"}[order]
				sameGeometries(t, name, got, ogrGeometries(t, path, "-makevalid", "-oo", "SWAP_COORDINATES="+swap), 1e-6)
			})
		}
	}
}

// TestMixedSRSNames gives one feature's geometry in British National Grid
// inside an ETRS89 file: it is transformed (OSTN15) instead of refused.
func TestMixedSRSNames(t *testing.T) {
	areas := traffordAreas(t)
	bng := toBNG(t, areas)
	mixed := append([]corpusFeature(nil), areas...)
	mixed[5] = bng[5]
	fl := councilWFS
	doc := gmlDoc{wfsFlavour: fl, srs: func(i int) string {
		if i == 5 {
			return "urn:ogc:def:crs:EPSG::27700"
		}
		return fl.srsName
	}}
	// The renderer writes every position latitude first; National Grid
	// positions must stay easting first.
	text := doc.render(mixed)
	plain := gmlDoc{wfsFlavour: fl}
	plain.latFirst = false
	swappedBNG := plain.geometry(bng[5].geom, "urn:ogc:def:crs:EPSG::27700")
	latFirstBNG := doc.geometry(bng[5].geom, "urn:ogc:def:crs:EPSG::27700")
	text = strings.Replace(text, latFirstBNG, swappedBNG, 1)
	path := writeFile(t, "mixed.gml", text)
	got, rep, _ := readCorpus(t, path, Options{})
	if !rep.OK() || rep.Kept != len(areas) {
		t.Fatalf("report %+v", rep)
	}
	var notice *Notice
	for i, n := range rep.Notices {
		if n.Code == NoticeTransformed {
			notice = &rep.Notices[i]
		}
	}
	if notice == nil || notice.Features != 1 || !strings.Contains(notice.Message, "27700") {
		t.Fatalf("notices %+v", rep.Notices)
	}
	// OSTN15 there and back agrees with the source to well under 1e-6°.
	if d := geomtest.Diff(got[5].Geometry, areas[5].geom, 1e-6); d != "" {
		t.Errorf("transformed feature: %s", d)
	}
	// The others are as GDAL reads them.
	want := ogrGeometries(t, path, "-makevalid")
	for i := range got {
		if i == 5 {
			continue
		}
		if d := geomtest.Diff(got[i].Geometry, want[i], 1e-6); d != "" {
			t.Errorf("feature %d: %s", i, d)
		}
	}
}
