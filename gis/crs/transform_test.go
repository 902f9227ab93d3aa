package crs

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/testref"
)

// osPoint is one OS test point: ETRS89 latitude/longitude and the OSGB36
// National Grid position OS computes for it.
type osPoint struct {
	id       string
	lat, lon float64
	e, n     float64
}

func osPoints(t *testing.T) []osPoint {
	t.Helper()
	read := func(name string) [][]string {
		f, err := os.Open(testref.Shared(t, "reference/ostn15/"+name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs[1:]
	}
	in := read("OSTN15_OSGM15_TestInput_ETRStoOSGB.txt")
	out := read("OSTN15_OSGM15_TestOutput_ETRStoOSGB.txt")
	f := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var pts []osPoint
	for i := range in {
		if out[i][0] != in[i][0] {
			t.Fatalf("OS files out of step at %s / %s", in[i][0], out[i][0])
		}
		pts = append(pts, osPoint{in[i][0], f(in[i][1]), f(in[i][2]), f(out[i][1]), f(out[i][2])})
	}
	return pts
}

// TestAxisOrderWithOSPoints runs OS's vectors through every CRS spelling of
// the same position, so a swapped axis anywhere shows up as kilometres.
func TestAxisOrderWithOSPoints(t *testing.T) {
	for _, p := range osPoints(t) {
		inputs := map[CRS][2]float64{
			CRS84:    {p.lon, p.lat},
			EPSG4326: {p.lat, p.lon},
			EPSG4258: {p.lat, p.lon},
		}
		for from, xy := range inputs {
			e, n, err := Transform(from, EPSG27700, xy[0], xy[1])
			if err != nil || math.Abs(e-p.e) > 0.001 || math.Abs(n-p.n) > 0.001 {
				t.Errorf("%s from %v: %.4f,%.4f %v; want %.3f,%.3f", p.id, from, e, n, err, p.e, p.n)
			}
			for to, want := range inputs {
				x, y, err := Transform(from, to, xy[0], xy[1])
				if err != nil || x != want[0] || y != want[1] {
					t.Errorf("%s %v -> %v: %v,%v %v; want %v", p.id, from, to, x, y, err, want)
				}
			}
		}
		// The reverse direction is checked to 1e-8 degrees against OS's
		// own reverse vectors in package ostn15; here only the order of
		// the output matters (OS's forward output is rounded to the
		// millimetre, and in the far west its projection series disagree
		// with their inverse by a few millimetres).
		x, y, err := Transform(EPSG27700, CRS84, p.e, p.n)
		if err != nil || math.Abs(x-p.lon) > 1e-6 || math.Abs(y-p.lat) > 1e-6 {
			t.Errorf("%s to CRS84: %.9f,%.9f %v", p.id, x, y, err)
		}
		lat, lon, err := Transform(EPSG27700, EPSG4326, p.e, p.n)
		if err != nil || lat != y || lon != x {
			t.Errorf("%s to EPSG:4326: %.9f,%.9f %v, want the CRS84 result swapped", p.id, lat, lon, err)
		}
	}
}

func TestTransformErrors(t *testing.T) {
	cases := []struct {
		from     CRS
		x, y     float64
		sentinel error
	}{
		{CRS84, 2.35, 48.86, ErrOutside},    // Paris
		{EPSG4326, 48.86, 2.35, ErrOutside}, // the same, latitude first
		{EPSG27700, -5000, 100000, ErrOutside},
		{EPSG27700, math.NaN(), 100000, ErrNotFinite},
		{CRS84, math.Inf(1), 52, ErrNotFinite},
	}
	for _, c := range cases {
		to := EPSG27700
		if c.from == EPSG27700 {
			to = CRS84
		}
		_, _, err := Transform(c.from, to, c.x, c.y)
		if !errors.Is(err, c.sentinel) || domain.ErrorCode(err) != domain.CodeInvalid {
			t.Errorf("%v %g,%g: error %v, want %v coded invalid", c.from, c.x, c.y, err, c.sentinel)
		}
	}
	if _, _, err := Transform(0, CRS84, 1, 2); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("unknown source CRS: %v", err)
	}
}

func TestTransformGeometry(t *testing.T) {
	// A small square around OS test point TP09 (Lambeth), in National Grid.
	ring := orb.Ring{{530000, 178000}, {531000, 178000}, {531000, 179000}, {530000, 179000}, {530000, 178000}}
	g := orb.Collection{
		orb.Point{530624.974, 178388.464},
		orb.MultiPolygon{{ring}},
		orb.LineString{{530000, 178000}, {531000, 179000}},
	}
	out, err := TransformGeometry(g, EPSG27700, CRS84)
	if err != nil {
		t.Fatal(err)
	}
	c := out.(orb.Collection)
	pt := c[0].(orb.Point)
	if math.Abs(pt[0]-(-0.11992557180)) > 1e-8 || math.Abs(pt[1]-51.48936564950) > 1e-8 {
		t.Errorf("TP09 transformed to %v", pt)
	}
	poly := c[1].(orb.MultiPolygon)[0][0]
	if len(poly) != 5 || poly[0] != poly[4] {
		t.Errorf("ring not preserved closed: %v", poly)
	}
	if ring[0] != (orb.Point{530000, 178000}) {
		t.Error("input geometry was modified")
	}
	back, err := TransformGeometry(out, CRS84, EPSG27700)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range back.(orb.Collection)[1].(orb.MultiPolygon)[0][0] {
		if math.Abs(p[0]-ring[i][0]) > 0.001 || math.Abs(p[1]-ring[i][1]) > 0.001 {
			t.Errorf("round trip vertex %d: %v, want %v", i, p, ring[i])
		}
	}

	// One vertex off the grid fails the whole geometry and names it.
	bad := orb.LineString{{530000, 178000}, {531000, 179000}, {-10000, 179000}}
	if _, err := TransformGeometry(bad, EPSG27700, CRS84); !errors.Is(err, ErrOutside) ||
		domain.ErrorCode(err) != domain.CodeInvalid || !containsStr(err.Error(), "coordinate 2") {
		t.Errorf("bad line string: %v", err)
	}
	if same, err := TransformGeometry(bad, EPSG27700, EPSG27700); err != nil || len(same.(orb.LineString)) != 3 {
		t.Errorf("identity transform: %v %v", same, err)
	}
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestTransformBoundEnclosesEdges(t *testing.T) {
	// A 100 km National Grid square: in longitude/latitude its edges curve,
	// so the result must enclose every edge point, not only the corners.
	b := orb.Bound{Min: orb.Point{300000, 300000}, Max: orb.Point{400000, 400000}}
	geo, err := TransformBound(b, EPSG27700, CRS84)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= 1000; i++ {
		x := 300000 + float64(i)*100
		for _, y := range []float64{300000, 400000} {
			lon, lat, err := Transform(EPSG27700, CRS84, x, y)
			if err != nil {
				t.Fatal(err)
			}
			// 1e-6 degrees is about 10 cm.
			if lon < geo.Min[0]-1e-6 || lon > geo.Max[0]+1e-6 || lat < geo.Min[1]-1e-6 || lat > geo.Max[1]+1e-6 {
				t.Fatalf("edge point %v,%v -> %v,%v outside %v", x, y, lon, lat, geo)
			}
		}
	}
	ll, err := TransformBound(geo, CRS84, EPSG4326)
	if err != nil || ll.Min != (orb.Point{geo.Min[1], geo.Min[0]}) || ll.Max != (orb.Point{geo.Max[1], geo.Max[0]}) {
		t.Errorf("CRS84 -> EPSG:4326 box %v %v, want axes swapped from %v", ll, err, geo)
	}
	if _, err := TransformBound(orb.Bound{Min: orb.Point{-20, 40}, Max: orb.Point{0, 55}}, CRS84, EPSG27700); !errors.Is(err, ErrOutside) {
		t.Errorf("box reaching beyond OSTN15: %v", err)
	}
}

func FuzzTransform(f *testing.F) {
	f.Add(uint8(1), uint8(4), -1.5, 52.0)
	f.Add(uint8(4), uint8(2), 400000.0, 300000.0)
	f.Add(uint8(3), uint8(4), 90.0, 180.0)
	f.Fuzz(func(t *testing.T, from, to uint8, x, y float64) {
		fc, tc := CRS(from%5), CRS(to%5)
		a, b, err := Transform(fc, tc, x, y)
		if err != nil {
			if domain.ErrorCode(err) != domain.CodeInvalid {
				t.Fatalf("%v->%v %g,%g: error %v is not coded invalid", fc, tc, x, y, err)
			}
			return
		}
		if math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
			t.Fatalf("%v->%v %g,%g gave %g,%g", fc, tc, x, y, a, b)
		}
		if tc == EPSG27700 && fc != tc && !(a >= 0 && a <= 700200 && b >= -200 && b <= 1250000) {
			t.Fatalf("%v->%v %g,%g gave %g,%g, off the OSTN15 grid", fc, tc, x, y, a, b)
		}
	})
}
