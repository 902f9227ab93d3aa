// Package geomtest compares geometries the way tests need to compare this
// project's output with GDAL's: equal as point sets drawn the same way,
// whatever ring start, winding, part order or Polygon/MultiPolygon wrapping
// each writer chose.
package geomtest

import (
	"fmt"
	"math"
	"os"
	"sort"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Normalize returns g in a canonical form: polygonal geometries as a
// MultiPolygon whose rings are open (no closing position), hold no repeated
// consecutive positions, start at their
// lowest position (x, then y), run counter-clockwise for exteriors and
// clockwise for holes, with holes and polygons sorted by their first
// position. Lines and points keep their order; single-part multi-geometries
// become their part.
func Normalize(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Polygon:
		return Normalize(orb.MultiPolygon{g})
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, 0, len(g))
		for _, p := range g {
			np := make(orb.Polygon, 0, len(p))
			for i, r := range p {
				np = append(np, canonicalRing(r, i == 0))
			}
			holes := np[1:]
			sort.Slice(holes, func(i, j int) bool { return lessSeq(holes[i], holes[j]) })
			out = append(out, np)
		}
		sort.Slice(out, func(i, j int) bool { return lessSeq(out[i][0], out[j][0]) })
		return out
	case orb.MultiLineString:
		if len(g) == 1 {
			return g[0]
		}
	case orb.MultiPoint:
		if len(g) == 1 {
			return g[0]
		}
	}
	return g
}

// less orders positions by x then y, taking values within 1e-9 as equal so
// that two writers' roundings of one position sort alike.
func less(p, q orb.Point) bool {
	px, qx := math.Round(p[0]*1e9), math.Round(q[0]*1e9)
	return px < qx || px == qx && math.Round(p[1]*1e9) < math.Round(q[1]*1e9)
}

func lessSeq(a, b []orb.Point) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if less(a[i], b[i]) {
			return true
		}
		if less(b[i], a[i]) {
			return false
		}
	}
	return len(a) < len(b)
}

func canonicalRing(r orb.Ring, exterior bool) orb.Ring {
	var pts []orb.Point
	for i, p := range r {
		if i == 0 || p != r[i-1] {
			pts = append(pts, p)
		}
	}
	if len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	var area float64
	for i := range pts {
		a, b := pts[i], pts[(i+1)%len(pts)]
		area += (a[0] - b[0]) * (a[1] + b[1])
	}
	if (area > 0) != exterior {
		for i, j := 0, len(pts)-1; i < j; i, j = i+1, j-1 {
			pts[i], pts[j] = pts[j], pts[i]
		}
	}
	low := 0
	for i, p := range pts {
		if less(p, pts[low]) {
			low = i
		}
	}
	return append(pts[low:], pts[:low]...)
}

// Diff returns "" when a and b normalise to the same shape with every
// position within tol, else what differs first.
func Diff(a, b orb.Geometry, tol float64) string {
	na, nb := Normalize(a), Normalize(b)
	if na == nil || nb == nil {
		if na == nil && nb == nil {
			return ""
		}
		return fmt.Sprintf("one geometry is null: %v vs %v", na, nb)
	}
	if na.GeoJSONType() != nb.GeoJSONType() {
		return fmt.Sprintf("%s vs %s", na.GeoJSONType(), nb.GeoJSONType())
	}
	pa, pb := flatten(na), flatten(nb)
	if len(pa) != len(pb) {
		return fmt.Sprintf("structure differs: %v vs %v", shape(na), shape(nb))
	}
	for i := range pa {
		if len(pa[i]) != len(pb[i]) {
			return fmt.Sprintf("part %d has %d vs %d positions: %v vs %v", i, len(pa[i]), len(pb[i]), pa[i], pb[i])
		}
		for j := range pa[i] {
			if math.Abs(pa[i][j][0]-pb[i][j][0]) > tol || math.Abs(pa[i][j][1]-pb[i][j][1]) > tol {
				return fmt.Sprintf("part %d position %d: %v vs %v", i, j, pa[i][j], pb[i][j])
			}
		}
	}
	return ""
}

// flatten lists the position sequences of g: rings (with a marker
// sequence between polygons), lines or single points.
func flatten(g orb.Geometry) [][]orb.Point {
	switch g := g.(type) {
	case orb.Point:
		return [][]orb.Point{{g}}
	case orb.MultiPoint:
		return [][]orb.Point{g}
	case orb.LineString:
		return [][]orb.Point{g}
	case orb.MultiLineString:
		var out [][]orb.Point
		for _, l := range g {
			out = append(out, l)
		}
		return out
	case orb.MultiPolygon:
		var out [][]orb.Point
		for _, p := range g {
			out = append(out, nil)
			for _, r := range p {
				out = append(out, r)
			}
		}
		return out
	case orb.Collection:
		var out [][]orb.Point
		for _, m := range g {
			out = append(out, nil)
			out = append(out, flatten(Normalize(m))...)
		}
		return out
	}
	return nil
}

func shape(g orb.Geometry) []int {
	var out []int
	for _, s := range flatten(g) {
		out = append(out, len(s))
	}
	return out
}

// Polygons lists the polygons of a Polygon or MultiPolygon, nil otherwise.
func Polygons(g orb.Geometry) []orb.Polygon {
	switch g := g.(type) {
	case orb.Polygon:
		return []orb.Polygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// Rings lists every ring of a Polygon or MultiPolygon.
func Rings(g orb.Geometry) []orb.Ring {
	var out []orb.Ring
	for _, p := range Polygons(g) {
		out = append(out, p...)
	}
	return out
}

// Named is a feature with its name, as the test corpora need.
type Named struct {
	Name string
	Geom orb.Geometry // CRS84
}

// TraffordConservationAreas reads the shared Trafford conservation areas
// with orb's decoder, independent of the readers under test, skipping the
// test when ../shared is absent.
func TraffordConservationAreas(t testing.TB) []Named {
	t.Helper()
	b, err := os.ReadFile(testref.Shared(t, "data/trafford/trafford_conservation_areas.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []Named
	for _, f := range fc.Features {
		out = append(out, Named{Name: fmt.Sprint(f.Properties["site_name"]), Geom: f.Geometry})
	}
	return out
}
