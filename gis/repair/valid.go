package repair

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// This file decides whether cleaned polygons are valid in the OGC sense, so
// only invalid ones pay for rebuilding: no ring crosses, overlaps or touches
// itself; rings of one polygon touch at most once; holes lie inside their
// exterior and outside each other; the polygons of a MultiPolygon do not
// overlap (their boundaries may touch at points).

type ringRef struct {
	poly, ring int
	pts        []orb.Point
	box        orb.Bound
}

type edge struct {
	a, b orb.Point
	ring int // index into the ringRef slice
	i    int // edge index within the ring
	box  orb.Bound
}

func segBound(a, b orb.Point) orb.Bound {
	return orb.Bound{Min: orb.Point{math.Min(a[0], b[0]), math.Min(a[1], b[1])},
		Max: orb.Point{math.Max(a[0], b[0]), math.Max(a[1], b[1])}}
}

// sweepPairs calls f for every pair of boxes that intersect, sweeping in x
// order so that typical inputs cost O(n log n). f returns false to stop.
func sweepPairs(boxes []orb.Bound, f func(i, j int) bool) {
	order := make([]int, len(boxes))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(x, y int) bool { return boxes[order[x]].Min[0] < boxes[order[y]].Min[0] })
	for x, i := range order {
		bi := boxes[i]
		for _, j := range order[x+1:] {
			bj := boxes[j]
			if bj.Min[0] > bi.Max[0] {
				break
			}
			if bj.Min[1] > bi.Max[1] || bj.Max[1] < bi.Min[1] {
				continue
			}
			if !f(i, j) {
				return
			}
		}
	}
}

func rings(polys []orb.Polygon) []ringRef {
	var out []ringRef
	for i, p := range polys {
		for j, r := range p {
			out = append(out, ringRef{poly: i, ring: j, pts: r, box: orb.Ring(r).Bound()})
		}
	}
	return out
}

func edges(rs []ringRef) []edge {
	var out []edge
	for k, r := range rs {
		for i := 0; i+1 < len(r.pts); i++ {
			out = append(out, edge{a: r.pts[i], b: r.pts[i+1], ring: k, i: i, box: segBound(r.pts[i], r.pts[i+1])})
		}
	}
	return out
}

type meeting int

const (
	apart   meeting = iota
	touch           // one segment's end lies on the other
	cross           // the interiors cross at one point
	overlap         // collinear and sharing more than a point
)

// meet classifies how segments ab and cd meet, and where.
func meet(a, b, c, d orb.Point) (meeting, orb.Point) {
	o1, o2 := orient(a, b, c), orient(a, b, d)
	o3, o4 := orient(c, d, a), orient(c, d, b)
	if o1 == 0 && o2 == 0 {
		k := 0
		if math.Abs(b[0]-a[0]) < math.Abs(b[1]-a[1]) {
			k = 1
		}
		lo1, hi1 := math.Min(a[k], b[k]), math.Max(a[k], b[k])
		lo2, hi2 := math.Min(c[k], d[k]), math.Max(c[k], d[k])
		lo, hi := math.Max(lo1, lo2), math.Min(hi1, hi2)
		switch {
		case hi > lo:
			for _, p := range []orb.Point{a, b, c, d} {
				if p[k] > lo && p[k] < hi || p[k] == lo {
					return overlap, p
				}
			}
			return overlap, a
		case hi == lo:
			for _, p := range []orb.Point{a, b} {
				if p[k] == lo {
					return touch, p
				}
			}
		}
		return apart, orb.Point{}
	}
	if (o1 > 0 && o2 < 0 || o1 < 0 && o2 > 0) && (o3 > 0 && o4 < 0 || o3 < 0 && o4 > 0) {
		return cross, crossing(a, b, c, d)
	}
	switch {
	case o1 == 0 && segBound(a, b).Contains(c):
		return touch, c
	case o2 == 0 && segBound(a, b).Contains(d):
		return touch, d
	case o3 == 0 && segBound(c, d).Contains(a):
		return touch, a
	case o4 == 0 && segBound(c, d).Contains(b):
		return touch, b
	}
	return apart, orb.Point{}
}

// crossing is where lines ab and cd cross (they must not be parallel).
func crossing(a, b, c, d orb.Point) orb.Point {
	t := orient(c, d, a) / (orient(c, d, a) - orient(c, d, b))
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// consecutive reports whether edges i and j of an n-edge ring follow each
// other (sharing a vertex by construction).
func consecutive(i, j, n int) bool {
	if i > j {
		i, j = j, i
	}
	return j == i+1 || (i == 0 && j == n-1)
}

// invalidity returns "" for valid polygons, else the first problem found
// and the polygon it concerns.
func invalidity(polys []orb.Polygon, multi bool) (int, string) {
	rs := rings(polys)
	es := edges(rs)
	boxes := make([]orb.Bound, len(es))
	for i, e := range es {
		boxes[i] = e.box
	}
	at := func(p orb.Point) string { return fmt.Sprintf("(%v, %v)", p[0], p[1]) }
	name := func(k int) string { return ringName(rs[k].poly, rs[k].ring, multi) }
	touches := map[pair]orb.Point{}
	twice := map[pair]bool{} // ring pairs that touch at two points or more
	part, problem := 0, ""
	sweepPairs(boxes, func(x, y int) bool {
		s, t := es[x], es[y]
		same := s.ring == t.ring
		if same && consecutive(s.i, t.i, len(rs[s.ring].pts)-1) {
			// The shared vertex is expected; going back along the
			// previous edge (a spike) is not.
			shared, p, q := s.b, s.a, t.b
			if s.a == t.b {
				shared, p, q = s.a, s.b, t.a
			}
			if orient(p, shared, q) == 0 && (p[0]-shared[0])*(q[0]-shared[0])+(p[1]-shared[1])*(q[1]-shared[1]) > 0 {
				part, problem = rs[s.ring].poly, fmt.Sprintf("%s doubles back on itself at %s", name(s.ring), at(shared))
				return false
			}
			return true
		}
		kind, p := meet(s.a, s.b, t.a, t.b)
		switch {
		case kind == apart:
			return true
		case kind == cross && same:
			problem = fmt.Sprintf("%s crosses itself at %s", name(s.ring), at(p))
		case kind == cross:
			problem = fmt.Sprintf("%s crosses %s at %s", name(s.ring), name(t.ring), at(p))
		case kind == overlap:
			problem = fmt.Sprintf("%s and %s share an edge at %s", name(s.ring), name(t.ring), at(p))
			if same {
				problem = fmt.Sprintf("%s runs over itself at %s", name(s.ring), at(p))
			}
		case same:
			problem = fmt.Sprintf("%s touches itself at %s", name(s.ring), at(p))
		default:
			k := pair{min(s.ring, t.ring), max(s.ring, t.ring)}
			q, seen := touches[k]
			switch {
			case !seen:
				touches[k] = p
			case q != p && rs[s.ring].poly == rs[t.ring].poly:
				problem = fmt.Sprintf("%s and %s touch at %s and %s, cutting the polygon in two", name(k.a), name(k.b), at(q), at(p))
			case q != p:
				twice[k] = true
			}
		}
		if problem != "" {
			part = rs[s.ring].poly
			return false
		}
		return true
	})
	if problem != "" {
		return part, problem
	}
	return nesting(rs, polys, multi, twice)
}

type pair struct{ a, b int }

// locate says where p lies relative to a closed ring: 1 inside, 0 on its
// boundary, -1 outside.
func locate(ring []orb.Point, p orb.Point) int {
	inside := false
	for i := 0; i+1 < len(ring); i++ {
		a, b := ring[i], ring[i+1]
		if orient(a, b, p) == 0 && segBound(a, b).Contains(p) {
			return 0
		}
		if (a[1] > p[1]) != (b[1] > p[1]) {
			if x := a[0] + (p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]); p[0] < x {
				inside = !inside
			}
		}
	}
	if inside {
		return 1
	}
	return -1
}

// side says whether ring a lies inside (1) or outside (-1) ring b, for rings
// that do not cross: the first vertex or edge midpoint of a off b's
// boundary decides. 0 means a lies wholly on b's boundary.
func side(a, b []orb.Point) int {
	for _, p := range a {
		if l := locate(b, p); l != 0 {
			return l
		}
	}
	for i := 0; i+1 < len(a); i++ {
		if l := locate(b, orb.Point{(a[i][0] + a[i+1][0]) / 2, (a[i][1] + a[i+1][1]) / 2}); l != 0 {
			return l
		}
	}
	return 0
}

// nesting checks that holes lie in their exterior and outside each other,
// and that no polygon lies inside another's area. Rings that touch at two
// points or more (twice) are compared edge by edge: each stretch between
// touches may lie on a different side.
func nesting(rs []ringRef, polys []orb.Polygon, multi bool, twice map[pair]bool) (int, string) {
	first := make([]int, len(polys)) // index in rs of each polygon's exterior
	for k := len(rs) - 1; k >= 0; k-- {
		first[rs[k].poly] = k
	}
	sideOf := func(a, b int) int {
		if twice[pair{min(a, b), max(a, b)}] {
			return sideEverywhere(rs[a].pts, rs[b].pts)
		}
		return side(rs[a].pts, rs[b].pts)
	}
	// inArea: does exterior ring x lie in polygon p's area, rather than
	// outside it or in one of its holes? 0 for partly.
	inArea := func(x, p int) int {
		s := sideOf(x, first[p])
		if s != 1 {
			return s
		}
		for h := first[p] + 1; h < first[p]+len(polys[p]); h++ {
			switch sideOf(x, h) {
			case 1:
				return -1
			case 0:
				return 0
			}
		}
		return 1
	}
	for i, p := range polys {
		for j := 1; j < len(p); j++ {
			if sideOf(first[i]+j, first[i]) != 1 {
				return i, fmt.Sprintf("%s lies outside its exterior ring", ringName(i, j, multi))
			}
		}
	}
	boxes := make([]orb.Bound, len(rs))
	for i, r := range rs {
		boxes[i] = r.box
	}
	part, problem := 0, ""
	sweepPairs(boxes, func(x, y int) bool {
		a, b := rs[x], rs[y]
		switch {
		case a.poly == b.poly && a.ring > 0 && b.ring > 0:
			if sideOf(x, y) != -1 || sideOf(y, x) != -1 {
				part, problem = a.poly, fmt.Sprintf("%s and %s overlap", ringName(a.poly, a.ring, multi), ringName(b.poly, b.ring, multi))
			}
		case a.poly != b.poly && a.ring == 0 && b.ring == 0:
			if inArea(x, b.poly) != -1 || inArea(y, a.poly) != -1 {
				part, problem = b.poly, fmt.Sprintf("polygons %d and %d overlap", a.poly, b.poly)
			}
		}
		return problem == ""
	})
	return part, problem
}

// sideEverywhere is side for rings that touch more than once: 1 or -1 when
// every vertex and edge midpoint of a off b's boundary lies on that side,
// else 0.
func sideEverywhere(a, b []orb.Point) int {
	got := 0
	check := func(p orb.Point) bool {
		l := locate(b, p)
		if l == 0 {
			return true
		}
		if got == 0 {
			got = l
		}
		return l == got
	}
	for i := 0; i+1 < len(a); i++ {
		if !check(a[i]) || !check(orb.Point{(a[i][0] + a[i+1][0]) / 2, (a[i][1] + a[i+1][1]) / 2}) {
			return 0
		}
	}
	return got
}
