package ogc

import (
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/jointict/councilapi/gis/cql"
)

// Query selects features. All criteria must hold; a zero Query selects all.
type Query struct {
	// BBox is in CRS84; features whose geometry intersects it match.
	BBox *orb.Bound
	// Time matches features whose temporal property overlaps it.
	Time *Interval
	// Equals are property = value tests.
	Equals []Equal
	// Filter is a compiled CQL2 filter (Part 3); nil selects all.
	Filter *cql.Filter
	// SortBy orders the matches before paging; empty keeps index order.
	SortBy []SortKey
	Offset int
	Limit  int
}

// Interval is a closed time interval in unix nanoseconds; open ends are
// math.MinInt64 and math.MaxInt64.
type Interval struct{ Start, End int64 }

// Equal tests one property against one value in canonical form (see
// ParseFilterValue).
type Equal struct{ Name, Key string }

// Result is one page of a query.
type Result struct {
	// Matched counts every feature that matched, not just this page.
	Matched int
	// Ordinals of the page's features: in index order, except for a query
	// by bbox alone, whose pages follow the spatial index's fixed order.
	Ordinals []uint32
	// positions, when set, gives the same features as positions, whose
	// bytes lie in order.
	positions []uint32
}

var candidatePool = sync.Pool{New: func() any { s := make([]uint32, 0, 1024); return &s }}

// Search runs a query: it finds the matches exactly (so Matched is exact)
// and returns the page [Offset, Offset+Limit) of them in index order.
func (ix *Index) Search(q Query) Result {
	defer runtime.KeepAlive(ix) // the sections may be in a mapping the index's cleanup unmaps
	if q.Filter != nil || len(q.SortBy) > 0 {
		return ix.searchFiltered(q)
	}
	n := ix.Len()
	bbox := q.BBox
	if bbox != nil && len(q.Equals) == 0 && q.Time == nil && ix.allInside(*bbox) {
		bbox = nil
	}
	if bbox == nil && len(q.Equals) == 0 && q.Time == nil {
		return Result{Matched: n, Ordinals: rangeOrdinals(q.Offset, q.Limit, n)}
	}
	if bbox != nil && len(q.Equals) == 0 && q.Time == nil {
		// The common case, a map panning over the data: answered from the
		// tree alone, in tree order, without collecting every match.
		b := *bbox
		matched, pos := ix.tree.searchPage(b, func(p uint32) bool { return ix.geometryIntersects(p, b) },
			q.Offset, q.Limit, make([]uint32, 0, min(max(q.Limit, 0), 1024)))
		ords := make([]uint32, len(pos))
		for i, p := range pos {
			ords[i] = ix.posOrd[p]
		}
		return Result{Matched: matched, Ordinals: ords, positions: pos}
	}
	bp := candidatePool.Get().(*[]uint32)
	defer candidatePool.Put(bp)
	cand := (*bp)[:0]

	var lists [][]uint32
	for _, e := range q.Equals {
		p := ix.props[e.Name]
		var l []uint32
		if p != nil {
			l = p.lookup(e.Key)
		}
		if len(l) == 0 {
			return Result{}
		}
		lists = append(lists, l)
	}
	slices.SortFunc(lists, func(a, b []uint32) int { return len(a) - len(b) })

	keep := func(o uint32) bool {
		if q.Time != nil && (ix.tmin[o] > q.Time.End || ix.tmax[o] < q.Time.Start) {
			return false
		}
		if bbox != nil && !ix.geometryIntersects(ix.ordPos[o], *bbox) {
			return false
		}
		for _, l := range lists[min(1, len(lists)):] {
			if _, ok := slices.BinarySearch(l, o); !ok {
				return false
			}
		}
		return true
	}
	switch {
	case len(lists) > 0:
		for _, o := range lists[0] {
			if keep(o) {
				cand = append(cand, o)
			}
		}
	case bbox != nil:
		ix.tree.search(*bbox, func(p uint32) {
			if o := ix.posOrd[p]; keep(o) {
				cand = append(cand, o)
			}
		})
		slices.Sort(cand)
	default:
		for o := range uint32(n) {
			if keep(o) {
				cand = append(cand, o)
			}
		}
	}
	*bp = cand
	res := Result{Matched: len(cand)}
	if q.Offset < len(cand) {
		res.Ordinals = slices.Clone(cand[q.Offset:min(len(cand), q.Offset+max(q.Limit, 0))])
	}
	return res
}

func rangeOrdinals(offset, limit, n int) []uint32 {
	if offset >= n || limit <= 0 {
		return nil
	}
	out := make([]uint32, 0, min(limit, n-offset))
	for o := offset; o < n && len(out) < limit; o++ {
		out = append(out, uint32(o))
	}
	return out
}

// allInside reports whether every feature lies in b, so a bbox filter is a no-op.
func (ix *Index) allInside(b orb.Bound) bool {
	if ix.Len() == 0 || int(ix.leaves) != ix.Len() {
		return false
	}
	return b.Contains(ix.bound.Min) && b.Contains(ix.bound.Max)
}

// geometryIntersects tests the real geometry of the feature at position p,
// not just its box: a polygon's box may touch the query box while the
// polygon does not, and the stored box is a float32 one around the exact
// box.
func (ix *Index) geometryIntersects(p uint32, b orb.Bound) bool {
	if p >= ix.leaves {
		return false
	}
	fb := ix.tree.leafBoxes[p]
	if !fb.meets(b) {
		return false
	}
	if fb.within(b) {
		return true
	}
	g, err := ix.geometryAt(p)
	if err != nil || g == nil {
		return false
	}
	return geomIntersectsBound(g, b)
}

func geomIntersectsBound(g orb.Geometry, b orb.Bound) bool {
	switch g := g.(type) {
	case orb.Point:
		return b.Contains(g)
	case orb.MultiPoint:
		return slices.ContainsFunc(g, b.Contains)
	case orb.LineString:
		return pathIntersects(g, b)
	case orb.MultiLineString:
		return slices.ContainsFunc(g, func(l orb.LineString) bool { return pathIntersects(l, b) })
	case orb.Ring:
		return geomIntersectsBound(orb.Polygon{g}, b)
	case orb.Polygon:
		for _, r := range g {
			if pathIntersects(orb.LineString(r), b) {
				return true
			}
		}
		// No edge crosses the box: the box is wholly inside or wholly outside.
		return planar.PolygonContains(g, b.Min)
	case orb.MultiPolygon:
		return slices.ContainsFunc(g, func(p orb.Polygon) bool { return geomIntersectsBound(p, b) })
	case orb.Collection:
		return slices.ContainsFunc(g, func(x orb.Geometry) bool { return geomIntersectsBound(x, b) })
	case orb.Bound:
		return intersects(g, b)
	}
	return false
}

func pathIntersects(l orb.LineString, b orb.Bound) bool {
	for i := range l {
		if b.Contains(l[i]) {
			return true
		}
		if i > 0 && segmentCrosses(l[i-1], l[i], b) {
			return true
		}
	}
	return false
}

// segmentCrosses clips the segment against the box (Liang–Barsky).
func segmentCrosses(p, q orb.Point, b orb.Bound) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := q[0]-p[0], q[1]-p[1]
	for _, c := range [4][2]float64{{-dx, p[0] - b.Min[0]}, {dx, b.Max[0] - p[0]}, {-dy, p[1] - b.Min[1]}, {dy, b.Max[1] - p[1]}} {
		pp, qq := c[0], c[1]
		if pp == 0 {
			if qq < 0 {
				return false
			}
			continue
		}
		r := qq / pp
		if pp < 0 {
			t0 = math.Max(t0, r)
		} else {
			t1 = math.Min(t1, r)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}
