package cql

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// The spatial functions work in the plane on the geometries' coordinates
// (CRS84 degrees for OGC API collections). Boundaries count as part of a
// geometry, so a point on a polygon's edge intersects it and is within it.
// S_WITHIN and S_CONTAINS test vertices, edge midpoints and edge crossings
// and the holes of the containing polygon, which is exact for the polygons
// and lines councils publish (no self-intersections) and errs only where a
// line runs along a boundary and leaves it between vertices.

// parts is a geometry flattened into its points, lines and polygons.
type parts struct {
	points []orb.Point
	lines  []orb.LineString
	polys  []orb.Polygon
}

func flatten(g orb.Geometry, out *parts) {
	switch g := g.(type) {
	case orb.Point:
		out.points = append(out.points, g)
	case orb.MultiPoint:
		out.points = append(out.points, g...)
	case orb.LineString:
		out.lines = append(out.lines, g)
	case orb.MultiLineString:
		out.lines = append(out.lines, g...)
	case orb.Ring:
		out.polys = append(out.polys, orb.Polygon{g})
	case orb.Polygon:
		if len(g) > 0 {
			out.polys = append(out.polys, g)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			flatten(p, out)
		}
	case orb.Bound:
		out.polys = append(out.polys, g.ToPolygon())
	case orb.Collection:
		for _, c := range g {
			flatten(c, out)
		}
	}
}

func (p *parts) empty() bool { return len(p.points) == 0 && len(p.lines) == 0 && len(p.polys) == 0 }

func partsOf(g orb.Geometry) parts {
	var p parts
	if g != nil {
		flatten(g, &p)
	}
	return p
}

func spatial(name string, a, b orb.Geometry) bool {
	switch name {
	case "s_intersects":
		return intersects(a, b)
	case "s_disjoint":
		return !intersects(a, b)
	case "s_within":
		return contains(b, a)
	case "s_contains":
		return contains(a, b)
	case "s_equals":
		return contains(a, b) && contains(b, a)
	}
	return false
}

func intersects(a, b orb.Geometry) bool {
	if a == nil || b == nil || !a.Bound().Intersects(b.Bound()) {
		return false
	}
	pa, pb := partsOf(a), partsOf(b)
	for _, pt := range pa.points {
		if pointIn(pt, &pb) {
			return true
		}
	}
	for _, pt := range pb.points {
		if pointIn(pt, &pa) {
			return true
		}
	}
	for _, l := range pa.lines {
		if lineMeets(l, &pb) {
			return true
		}
	}
	for _, l := range pb.lines {
		for _, poly := range pa.polys {
			if lineMeetsPolygon(l, poly) {
				return true
			}
		}
	}
	for _, x := range pa.polys {
		for _, y := range pb.polys {
			if polygonsMeet(x, y) {
				return true
			}
		}
	}
	return false
}

// pointIn reports whether pt lies on any part of g.
func pointIn(pt orb.Point, g *parts) bool {
	for _, q := range g.points {
		if q == pt {
			return true
		}
	}
	for _, l := range g.lines {
		if onLine(pt, l) {
			return true
		}
	}
	for _, poly := range g.polys {
		if planar.PolygonContains(poly, pt) {
			return true
		}
	}
	return false
}

func onLine(pt orb.Point, l orb.LineString) bool {
	for i := 1; i < len(l); i++ {
		if orient(l[i-1], l[i], pt) == 0 && onSegment(l[i-1], l[i], pt) {
			return true
		}
	}
	return len(l) == 1 && l[0] == pt
}

func lineMeets(l orb.LineString, g *parts) bool {
	for _, m := range g.lines {
		if linesMeet(l, m) {
			return true
		}
	}
	for _, poly := range g.polys {
		if lineMeetsPolygon(l, poly) {
			return true
		}
	}
	return false
}

func linesMeet(l, m orb.LineString) bool {
	if !l.Bound().Intersects(m.Bound()) {
		return false
	}
	for i := 1; i < len(l); i++ {
		for j := 1; j < len(m); j++ {
			if segmentsMeet(l[i-1], l[i], m[j-1], m[j]) {
				return true
			}
		}
	}
	return false
}

func lineMeetsPolygon(l orb.LineString, poly orb.Polygon) bool {
	if len(l) == 0 || !l.Bound().Intersects(poly.Bound()) {
		return false
	}
	if planar.PolygonContains(poly, l[0]) {
		return true
	}
	for _, r := range poly {
		if linesMeet(l, orb.LineString(r)) {
			return true
		}
	}
	return false
}

func polygonsMeet(x, y orb.Polygon) bool {
	if !x.Bound().Intersects(y.Bound()) {
		return false
	}
	if planar.PolygonContains(y, x[0][0]) || planar.PolygonContains(x, y[0][0]) {
		return true
	}
	for _, r := range x {
		if lineMeetsPolygon(orb.LineString(r), y) {
			return true
		}
	}
	return false
}

// orient is the sign of the turn a→b→c: >0 left, <0 right, 0 collinear.
func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

// onSegment reports whether c, collinear with a and b, lies between them.
func onSegment(a, b, c orb.Point) bool {
	return min(a[0], b[0]) <= c[0] && c[0] <= max(a[0], b[0]) && min(a[1], b[1]) <= c[1] && c[1] <= max(a[1], b[1])
}

// segmentsMeet reports whether closed segments pq and rs share a point.
func segmentsMeet(p, q, r, s orb.Point) bool {
	d1, d2 := orient(r, s, p), orient(r, s, q)
	d3, d4 := orient(p, q, r), orient(p, q, s)
	if (d1 > 0 && d2 < 0 || d1 < 0 && d2 > 0) && (d3 > 0 && d4 < 0 || d3 < 0 && d4 > 0) {
		return true
	}
	return d1 == 0 && onSegment(r, s, p) || d2 == 0 && onSegment(r, s, q) ||
		d3 == 0 && onSegment(p, q, r) || d4 == 0 && onSegment(p, q, s)
}

// segmentsCross reports whether pq and rs cross at a point inside both.
func segmentsCross(p, q, r, s orb.Point) bool {
	d1, d2 := orient(r, s, p), orient(r, s, q)
	d3, d4 := orient(p, q, r), orient(p, q, s)
	return (d1 > 0 && d2 < 0 || d1 < 0 && d2 > 0) && (d3 > 0 && d4 < 0 || d3 < 0 && d4 > 0)
}

// contains reports whether every point of b lies in a.
func contains(a, b orb.Geometry) bool {
	if a == nil || b == nil {
		return false
	}
	pa, pb := partsOf(a), partsOf(b)
	if pa.empty() || pb.empty() || !boundCovers(a.Bound(), b.Bound()) {
		return false
	}
	for _, pt := range pb.points {
		if !pointIn(pt, &pa) {
			return false
		}
	}
	for _, l := range pb.lines {
		if !lineCovered(l, &pa) {
			return false
		}
	}
	for _, poly := range pb.polys {
		if !polygonCovered(poly, &pa) {
			return false
		}
	}
	return true
}

func boundCovers(a, b orb.Bound) bool {
	return a.Min[0] <= b.Min[0] && a.Min[1] <= b.Min[1] && a.Max[0] >= b.Max[0] && a.Max[1] >= b.Max[1]
}

// lineCovered needs one part of g to hold the whole line: its vertices and
// edge midpoints lie on it, and no edge crosses a polygon's boundary.
func lineCovered(l orb.LineString, g *parts) bool {
	for _, m := range g.lines {
		if allOn(l, func(pt orb.Point) bool { return onLine(pt, m) }) {
			return true
		}
	}
	for _, poly := range g.polys {
		if !boundCovers(poly.Bound(), l.Bound()) ||
			!allOn(l, func(pt orb.Point) bool { return planar.PolygonContains(poly, pt) }) {
			continue
		}
		crossed := false
		for _, r := range poly {
			for i := 1; i < len(l) && !crossed; i++ {
				for j := 1; j < len(r) && !crossed; j++ {
					crossed = segmentsCross(l[i-1], l[i], r[j-1], r[j])
				}
			}
		}
		if !crossed {
			return true
		}
	}
	return len(l) > 0 && len(g.points) > 0 && allOn(l, func(pt orb.Point) bool {
		for _, q := range g.points {
			if q == pt {
				return true
			}
		}
		return false
	})
}

// allOn tests every vertex of l and the midpoint of every edge.
func allOn(l orb.LineString, in func(orb.Point) bool) bool {
	for i, pt := range l {
		if !in(pt) {
			return false
		}
		if i > 0 && !in(orb.Point{(l[i-1][0] + pt[0]) / 2, (l[i-1][1] + pt[1]) / 2}) {
			return false
		}
	}
	return true
}

// polygonCovered needs the outer ring of poly inside one polygon of g and no
// hole of that polygon inside poly's area.
func polygonCovered(poly orb.Polygon, g *parts) bool {
	outer := orb.LineString(poly[0])
	for _, host := range g.polys {
		one := parts{polys: []orb.Polygon{host}}
		if !lineCovered(outer, &one) {
			continue
		}
		holeInside := false
		for _, hole := range host[1:] {
			if len(hole) > 0 && planar.PolygonContains(poly, hole[0]) && !onLine(hole[0], outer) {
				holeInside = true
				break
			}
		}
		if !holeInside {
			return true
		}
	}
	return false
}
