package ingest

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// geometry validates g and returns it with polygons rewound to RFC 7946
// order. reason is empty for a valid geometry.
func (c coordCheck) geometry(g orb.Geometry) (out orb.Geometry, rewound bool, reason string) {
	switch g := g.(type) {
	case nil:
		return nil, false, ""
	case orb.Point:
		return g, false, c.point(g)
	case orb.MultiPoint:
		if len(g) == 0 {
			return nil, false, "empty MultiPoint"
		}
		for i, p := range g {
			if r := c.point(p); r != "" {
				return nil, false, fmt.Sprintf("point %d: %s", i, r)
			}
		}
		return g, false, ""
	case orb.LineString:
		return g, false, c.line(g)
	case orb.MultiLineString:
		if len(g) == 0 {
			return nil, false, "empty MultiLineString"
		}
		for i, l := range g {
			if r := c.line(l); r != "" {
				return nil, false, fmt.Sprintf("line %d: %s", i, r)
			}
		}
		return g, false, ""
	case orb.Polygon:
		rw, r := c.polygon(g)
		return g, rw, r
	case orb.MultiPolygon:
		if len(g) == 0 {
			return nil, false, "empty MultiPolygon"
		}
		for i, p := range g {
			rw, r := c.polygon(p)
			if r != "" {
				return nil, false, fmt.Sprintf("polygon %d: %s", i, r)
			}
			rewound = rewound || rw
		}
		return g, rewound, ""
	case orb.Collection:
		if len(g) == 0 {
			return nil, false, "empty GeometryCollection"
		}
		for i, m := range g {
			var rw bool
			var r string
			g[i], rw, r = c.geometry(m)
			if r != "" {
				return nil, false, fmt.Sprintf("member %d: %s", i, r)
			}
			rewound = rewound || rw
		}
		return g, rewound, ""
	case orb.Ring:
		return c.geometry(orb.Polygon{g})
	case orb.Bound:
		return c.geometry(g.ToPolygon())
	}
	return nil, false, fmt.Sprintf("unsupported geometry type %T", g)
}

func (c coordCheck) point(p orb.Point) string {
	for _, v := range p {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Sprintf("coordinate %v is not a finite number", v)
		}
	}
	if !c.bound.Contains(p) {
		return fmt.Sprintf("coordinate (%v, %v) is outside the valid %s range", p[0], p[1], c.what)
	}
	return ""
}

func (c coordCheck) line(l orb.LineString) string {
	if len(l) < 2 {
		return fmt.Sprintf("a line needs at least 2 points, has %d", len(l))
	}
	for i, p := range l {
		if r := c.point(p); r != "" {
			return fmt.Sprintf("point %d: %s", i, r)
		}
	}
	return ""
}

// polygon checks every ring and rewinds in place: the exterior
// counter-clockwise and the holes clockwise, as RFC 7946 section 3.1.6 asks.
func (c coordCheck) polygon(p orb.Polygon) (rewound bool, reason string) {
	if len(p) == 0 {
		return false, "empty Polygon"
	}
	for i, ring := range p {
		which := "exterior ring"
		if i > 0 {
			which = fmt.Sprintf("hole %d", i)
		}
		if len(ring) < 4 {
			return false, fmt.Sprintf("%s needs at least 4 points (closed), has %d", which, len(ring))
		}
		for j, pt := range ring {
			if r := c.point(pt); r != "" {
				return false, fmt.Sprintf("%s point %d: %s", which, j, r)
			}
		}
		if ring[0] != ring[len(ring)-1] {
			return false, fmt.Sprintf("%s is not closed: first point (%v, %v) differs from last (%v, %v)",
				which, ring[0][0], ring[0][1], ring[len(ring)-1][0], ring[len(ring)-1][1])
		}
		if at, ok := selfIntersection(ring); ok {
			return false, fmt.Sprintf("%s crosses itself near (%v, %v)", which, at[0], at[1])
		}
		area := signedArea(ring)
		if area == 0 {
			return false, which + " has zero area"
		}
		if (i == 0) != (area > 0) {
			ring.Reverse()
			rewound = true
		}
	}
	return rewound, ""
}

// signedArea is twice the shoelace area: positive for counter-clockwise.
func signedArea(r orb.Ring) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		a += (r[i][0] - r[i+1][0]) * (r[i][1] + r[i+1][1])
	}
	return a
}

type segment struct {
	a, b       orb.Point
	i          int
	minX, maxX float64
}

// selfIntersection finds two non-adjacent edges of a closed ring that cross
// or overlap. Edges touching at a single point are allowed (ESRI and many
// council datasets use such "inverted" rings). Edges are swept in x order, so
// typical rings cost O(n log n) rather than O(n^2).
func selfIntersection(r orb.Ring) (orb.Point, bool) {
	n := len(r) - 1 // edges
	segs := make([]segment, 0, n)
	for i := 0; i < n; i++ {
		a, b := r[i], r[i+1]
		if a == b {
			continue
		}
		segs = append(segs, segment{a: a, b: b, i: i, minX: math.Min(a[0], b[0]), maxX: math.Max(a[0], b[0])})
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].minX < segs[j].minX })
	m := len(segs)
	for i := 0; i < m; i++ {
		s := segs[i]
		for j := i + 1; j < m && segs[j].minX <= s.maxX; j++ {
			t := segs[j]
			if adjacent(s.i, t.i, n, r) {
				continue
			}
			if p, ok := crossOrOverlap(s.a, s.b, t.a, t.b); ok {
				return p, true
			}
		}
	}
	return orb.Point{}, false
}

// adjacent reports whether edges i and j share a ring vertex, skipping over
// repeated points.
func adjacent(i, j, n int, r orb.Ring) bool {
	if i > j {
		i, j = j, i
	}
	if r[i+1] == r[j] || r[j+1] == r[i] {
		return true
	}
	return j == n-1 && i == 0
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// crossOrOverlap reports a proper crossing of ab and cd, or a collinear
// overlap longer than a point.
func crossOrOverlap(a, b, c, d orb.Point) (orb.Point, bool) {
	d1, d2 := sign(orient(a, b, c)), sign(orient(a, b, d))
	d3, d4 := sign(orient(c, d, a)), sign(orient(c, d, b))
	if d1*d2 < 0 && d3*d4 < 0 {
		t := orient(c, d, a) / (orient(c, d, a) - orient(c, d, b))
		return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}, true
	}
	if d1 == 0 && d2 == 0 {
		// Collinear: project on the longer axis and compare intervals.
		k := 0
		if math.Abs(b[0]-a[0]) < math.Abs(b[1]-a[1]) {
			k = 1
		}
		lo1, hi1 := math.Min(a[k], b[k]), math.Max(a[k], b[k])
		lo2, hi2 := math.Min(c[k], d[k]), math.Max(c[k], d[k])
		if lo, hi := math.Max(lo1, lo2), math.Min(hi1, hi2); hi > lo {
			if a[k] >= lo && a[k] <= hi {
				return a, true
			}
			if c[k] >= lo && c[k] <= hi {
				return c, true
			}
			return b, true
		}
	}
	return orb.Point{}, false
}
