package ingest

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/jointict/councilapi/gis/repair"
)

// fuzzLimits are small so hostile inputs hit the caps quickly.
var fuzzLimits = Limits{MaxFeatures: 1000, MaxPoints: 10000, MaxParts: 100, MaxProperties: 100,
	MaxStringBytes: 1 << 12, MaxFeatureBytes: 1 << 16, MaxDecodedBytes: 1 << 20}

// drain reads everything through a Validator; it must end in EOF or an
// error, never a panic or an endless loop.
func drain(t *testing.T, f Format, data []byte, opts Options) {
	opts.Limits = fuzzLimits
	r, err := Open(f, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return
	}
	defer r.Close()
	v := NewValidator(r, fuzzLimits)
	for i := 0; i < 2*fuzzLimits.MaxFeatures+10; i++ {
		if _, err := v.Next(); err != nil {
			return
		}
	}
	t.Fatalf("%s reader did not stop", f)
}

func FuzzGeoJSON(f *testing.F) {
	f.Add([]byte(wrongWinding))
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]},"properties":null}`))
	f.Add([]byte(`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`))
	f.Add([]byte(`{"features":[{"type":"Feature","geometry":null}],"type":"FeatureCollection"}`))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, FormatGeoJSON, data, Options{}) })
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("easting,northing,name\n380000,390000,a\n1,2\n"))
	f.Add([]byte("lat;lon\n53;-2\n\"x;y\n"))
	f.Add([]byte("wkt,id\n\"POLYGON((0 0,1 0,1 1,0 0))\",1\n"))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, FormatCSV, data, Options{}) })
}

func FuzzGML(f *testing.F) {
	f.Add([]byte(gml32LatLon))
	f.Add([]byte(`<a><gml:featureMember xmlns:gml="http://www.opengis.net/gml"><b><g><gml:Point srsName="EPSG:27700"><gml:coordinates>1,2</gml:coordinates></gml:Point></g></b></gml:featureMember></a>`))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, FormatGML, data, Options{}) })
}

// FuzzShapefile fuzzes the .shp and .dbf members of a zip.
func FuzzShapefile(f *testing.F) {
	shp, dbf := buildShapefile(f, []orb.Geometry{orb.Point{1, 2}, testPolygonParts()}, []string{"a", "caf\xe9"})
	f.Add(shp, dbf)
	f.Add(shp[:120], dbf[:40])
	f.Fuzz(func(t *testing.T, shp, dbf []byte) {
		drain(t, FormatShapefile, zipBytes(t, map[string][]byte{"x.shp": shp, "x.dbf": dbf, "x.cpg": []byte("1252")}), Options{})
	})
}

func FuzzGPKGGeometry(f *testing.F) {
	f.Add(gpkgBlob(f, orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}, 1))
	f.Add(gpkgBlob(f, orb.Point{1, 2}, 0))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := DecodeGPKGGeometry(b)
		if err == nil && g != nil {
			if coordCheckFor("EPSG:27700").coords(g) == "" {
				repair.Geometry(g, repair.Options{})
			}
		}
	})
}

func gpkgBlob(t testing.TB, g orb.Geometry, env byte) []byte {
	w, err := wkb.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	hdr := []byte{'G', 'P', 0, 1 | env<<1, 0x34, 0x6c, 0, 0}
	b := g.Bound()
	if env == 1 {
		for _, v := range []float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			hdr = binary.LittleEndian.AppendUint64(hdr, math.Float64bits(v))
		}
	}
	return append(hdr, w...)
}

func zipBytes(t testing.TB, files map[string][]byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"x.shp", "x.dbf", "x.cpg", "x.prj"} {
		data, ok := files[name]
		if !ok {
			continue
		}
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testPolygonParts is a multipolygon written the way some tools do: the
// hole of the first exterior comes after the second exterior.
func testPolygonParts() orb.Geometry {
	outerA := orb.Ring{{0, 0}, {0, 10}, {10, 10}, {10, 0}, {0, 0}}    // clockwise
	outerB := orb.Ring{{20, 0}, {20, 10}, {30, 10}, {30, 0}, {20, 0}} // clockwise
	holeA := orb.Ring{{2, 2}, {4, 2}, {4, 4}, {2, 4}, {2, 2}}         // counter-clockwise
	return orb.MultiLineString{orb.LineString(outerA), orb.LineString(outerB), orb.LineString(holeA)}
}

// buildShapefile writes .shp and .dbf bytes: points as type 1, and a
// MultiLineString standing for polygon rings as type 5; one text field.
func buildShapefile(t testing.TB, geoms []orb.Geometry, names []string) (shp, dbf []byte) {
	le := binary.LittleEndian
	var recs bytes.Buffer
	for i, g := range geoms {
		var c bytes.Buffer
		switch g := g.(type) {
		case orb.Point:
			binary.Write(&c, le, uint32(1))
			binary.Write(&c, le, g[0])
			binary.Write(&c, le, g[1])
		case orb.MultiLineString:
			binary.Write(&c, le, uint32(5))
			binary.Write(&c, le, [4]float64{})
			n := 0
			for _, l := range g {
				n += len(l)
			}
			binary.Write(&c, le, uint32(len(g)))
			binary.Write(&c, le, uint32(n))
			start := 0
			for _, l := range g {
				binary.Write(&c, le, uint32(start))
				start += len(l)
			}
			for _, l := range g {
				for _, p := range l {
					binary.Write(&c, le, p[0])
					binary.Write(&c, le, p[1])
				}
			}
		}
		binary.Write(&recs, binary.BigEndian, uint32(i+1))
		binary.Write(&recs, binary.BigEndian, uint32(c.Len()/2))
		recs.Write(c.Bytes())
	}
	hdr := make([]byte, 100)
	binary.BigEndian.PutUint32(hdr, 9994)
	binary.BigEndian.PutUint32(hdr[24:], uint32((100+recs.Len())/2))
	le.PutUint32(hdr[28:], 1000)
	shp = append(hdr, recs.Bytes()...)

	var d bytes.Buffer
	h := make([]byte, 32)
	h[0] = 3
	le.PutUint32(h[4:], uint32(len(names)))
	le.PutUint16(h[8:], 32+32+1)
	le.PutUint16(h[10:], 1+20)
	d.Write(h)
	fd := make([]byte, 32)
	copy(fd, "NAME")
	fd[11] = 'C'
	fd[16] = 20
	d.Write(fd)
	d.WriteByte(0x0d)
	for _, n := range names {
		d.WriteByte(' ')
		d.WriteString(n + strings.Repeat(" ", 20-len(n)))
	}
	return shp, d.Bytes()
}

func TestShapefileRingsAndEncoding(t *testing.T) {
	shp, dbf := buildShapefile(t, []orb.Geometry{orb.Point{1, 2}, testPolygonParts()}, []string{"a", "caf\xe9"})
	data := zipBytes(t, map[string][]byte{"x.shp": shp, "x.dbf": dbf, "x.cpg": []byte("1252\r\n"), "x.prj": []byte(`PROJCS["British_National_Grid"]`)})
	r, err := Open(FormatShapefile, bytes.NewReader(data), int64(len(data)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if crsKind(r.CRS()) != kindBNG {
		t.Errorf("CRS = %q", r.CRS())
	}
	fs, rep := readAll(t, r)
	if !rep.OK() || len(fs) != 2 {
		t.Fatalf("report %+v", rep)
	}
	if fs[1].Properties["NAME"] != "café" {
		t.Errorf("Windows-1252 name decoded as %q", fs[1].Properties["NAME"])
	}
	mp, ok := fs[1].Geometry.(orb.MultiPolygon)
	if !ok || len(mp) != 2 || len(mp[0]) != 2 || len(mp[1]) != 1 {
		t.Fatalf("want 2 polygons, the first with the hole; got %v", fs[1].Geometry)
	}
	if repair.SignedArea(mp[0][0]) <= 0 || repair.SignedArea(mp[0][1]) >= 0 {
		t.Error("rings not rewound to RFC 7946")
	}
	if rep.RepairedCount != 0 {
		t.Errorf("a Shapefile's clockwise exteriors are its format, not a repair: %+v", rep.Repaired)
	}
}

func TestShapefileHugeDeclaredRecordDoesNotAllocate(t *testing.T) {
	shp, dbf := buildShapefile(t, []orb.Geometry{orb.Point{1, 2}}, []string{"a"})
	binary.BigEndian.PutUint32(shp[104:], 0x7fffffff) // ~4 GiB record in a tiny file
	data := zipBytes(t, map[string][]byte{"x.shp": shp, "x.dbf": dbf})
	opts := Options{Limits: Limits{MaxFeatureBytes: math.MaxInt64}}
	r, err := Open(FormatShapefile, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = r.Next()
	runtime.ReadMemStats(&after)
	if err == nil || err == io.EOF {
		t.Fatalf("err = %v, want a truncated-record error", err)
	}
	if grown := after.TotalAlloc - before.TotalAlloc; grown > 1<<20 {
		t.Errorf("reading a record declared as 4 GiB allocated %d bytes", grown)
	}
}

func TestGPKGBlobHeader(t *testing.T) {
	poly := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 0}}}
	for env := byte(0); env <= 1; env++ {
		g, err := DecodeGPKGGeometry(gpkgBlob(t, poly, env))
		if err != nil || !orb.Equal(g, poly) {
			t.Errorf("envelope %d: %v, %v", env, g, err)
		}
	}
	empty := []byte{'G', 'P', 0, 0x11, 0, 0, 0, 0}
	if g, err := DecodeGPKGGeometry(empty); g != nil || err != nil {
		t.Errorf("empty flag: %v %v", g, err)
	}
	if _, err := DecodeGPKGGeometry([]byte("XX\x00\x00\x00\x00\x00\x00")); err == nil {
		t.Error("bad magic accepted")
	}
}
