package ogc

import (
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// nodeSize is the fan-out of the R-tree. 16 keeps a leaf's entries in two
// cache lines of ordinals while the tree of 1 M points stays 5 levels deep.
const nodeSize = 16

// rtree is a static R-tree packed with Sort-Tile-Recursive (Leutenegger et
// al. 1997): entries are sorted into vertical slices by x, each slice by y,
// and packed nodeSize at a time, level by level. Packing gives nearly full,
// barely overlapping nodes, which an insert-built tree or orb's quadtree
// (one pointer-heavy node per point) does not; and it is a few flat arrays,
// which an artefact holds as they are and the garbage collector never
// traces.
//
// The features with a geometry are numbered by their place in the packed
// order (their position), and level 0's nodes address positions.
//
// Boxes are float32, rounded outward from the exact float64 boxes, so each
// holds what it stands for: a query decides from a box when the answer
// holds for all of it (inside, or disjoint) and otherwise, for the few
// features whose box straddles the query's edge, from the geometry. Half
// the bytes of float64 boxes is half the memory a search reads, and
// reading memory is most of what a search over a large collection costs.
type rtree struct {
	// leafBoxes[p] is the box of the feature at position p: scanning a
	// leaf node reads consecutive memory instead of one cache miss per
	// feature.
	leafBoxes []box32
	levels    [][]node // levels[0] holds the leaf nodes; the last level is the root
}

// node is stored in artefacts as it is laid out here (32 bytes).
type node struct {
	b          box32
	start, end uint32 // children: positions [start, end) on level 0, else levels[l-1][start:end]
	count      uint32 // entries under the node, so a node wholly inside a query is counted without visiting them
	_          uint32 // padding, named so the layout is explicit
}

// box32 is a box in float32 that contains the float64 box it was made
// from (see outward).
type box32 struct{ minX, minY, maxX, maxY float32 }

// outward rounds a box to the float32 box around it.
func outward(b orb.Bound) box32 {
	down := func(v float64) float32 {
		f := float32(v)
		if float64(f) > v {
			f = math.Nextafter32(f, float32(math.Inf(-1)))
		}
		return f
	}
	up := func(v float64) float32 {
		f := float32(v)
		if float64(f) < v {
			f = math.Nextafter32(f, float32(math.Inf(1)))
		}
		return f
	}
	return box32{down(b.Min[0]), down(b.Min[1]), up(b.Max[0]), up(b.Max[1])}
}

func (a box32) union(b box32) box32 {
	return box32{min(a.minX, b.minX), min(a.minY, b.minY), max(a.maxX, b.maxX), max(a.maxY, b.maxY)}
}

func (a box32) centre() (float64, float64) {
	return (float64(a.minX) + float64(a.maxX)) / 2, (float64(a.minY) + float64(a.maxY)) / 2
}

// meets: the box and q share a point (so the exact box may).
func (a box32) meets(q orb.Bound) bool {
	return float64(a.minX) <= q.Max[0] && float64(a.maxX) >= q.Min[0] && float64(a.minY) <= q.Max[1] && float64(a.maxY) >= q.Min[1]
}

// within: the box, and so the exact box, lies in q.
func (a box32) within(q orb.Bound) bool {
	return float64(a.minX) >= q.Min[0] && float64(a.maxX) <= q.Max[0] && float64(a.minY) >= q.Min[1] && float64(a.maxY) <= q.Max[1]
}

// leafEntry is a feature with a geometry while the tree is packed: the
// centre of its box, in float32 since the packing order needs no more
// (node boxes are computed from the exact boxes), and its ordinal. Twelve
// bytes a feature is most of what a build holds in memory.
type leafEntry struct {
	x, y float32
	ord  uint32
}

func newLeafEntry(b orb.Bound, ord uint32) leafEntry {
	x, y := centre(b)
	return leafEntry{x: float32(x), y: float32(y), ord: ord}
}

func centre(b orb.Bound) (float64, float64) {
	return (b.Min[0] + b.Max[0]) / 2, (b.Min[1] + b.Max[1]) / 2
}

// sortLeaves puts the entries in leaf order, which makes their indices the
// positions.
func sortLeaves(entries []leafEntry) {
	strSort(entries, func(e leafEntry) (float64, float64) { return float64(e.x), float64(e.y) })
}

// leafNodes builds level 0 from the exact boxes of the positions in
// order, nodeSize positions a node, and keeps their exact union.
type leafNodes struct {
	nodes []node
	open  node
	all   orb.Bound
}

func (l *leafNodes) add(b orb.Bound) {
	bb := outward(b)
	if l.open.count == 0 {
		l.open = node{b: bb, start: l.open.end, end: l.open.end}
	} else {
		l.open.b = l.open.b.union(bb)
	}
	if len(l.nodes) == 0 && l.open.end == 0 {
		l.all = b
	} else {
		l.all = l.all.Union(b)
	}
	l.open.end++
	if l.open.count++; l.open.count == nodeSize {
		l.close()
	}
}

func (l *leafNodes) close() {
	if l.open.count > 0 {
		l.nodes = append(l.nodes, l.open)
		l.open = node{start: l.open.end, end: l.open.end}
	}
}

// levels closes level 0 and STR-packs the levels above it.
func (l *leafNodes) levels() [][]node {
	l.close()
	level := l.nodes
	if len(level) == 0 {
		return nil
	}
	levels := [][]node{level}
	for len(level) > 1 {
		// Reordering a level is safe: each node keeps its own child range.
		strSort(level, func(n node) (float64, float64) { return n.b.centre() })
		up := make([]node, 0, (len(level)+nodeSize-1)/nodeSize)
		for s := 0; s < len(level); s += nodeSize {
			e := min(s+nodeSize, len(level))
			b, count := level[s].b, level[s].count
			for _, n := range level[s+1 : e] {
				b, count = b.union(n.b), count+n.count
			}
			up = append(up, node{b: b, start: uint32(s), end: uint32(e), count: count})
		}
		level = up
		levels = append(levels, level)
	}
	return levels
}

// strSort orders items into ceil(sqrt(n/nodeSize)) vertical slices by x and
// each slice by y, so consecutive runs of nodeSize items are compact tiles.
func strSort[T any](items []T, xy func(T) (float64, float64)) {
	slices.SortFunc(items, func(a, b T) int {
		ax, _ := xy(a)
		bx, _ := xy(b)
		return cmpFloat(ax, bx)
	})
	pages := (len(items) + nodeSize - 1) / nodeSize
	slabs := int(math.Ceil(math.Sqrt(float64(pages))))
	per := slabs * nodeSize
	for s := 0; s < len(items); s += per {
		slab := items[s:min(s+per, len(items))]
		slices.SortFunc(slab, func(a, b T) int {
			_, ay := xy(a)
			_, by := xy(b)
			return cmpFloat(ay, by)
		})
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wellFormed checks every node's children lie in the level below (or the
// leaf positions), so a search cannot index past them. It reads only the
// nodes, a sixteenth of the entries, which queries keep resident anyway.
func (t *rtree) wellFormed(leaves uint32) bool {
	below := leaves
	for _, level := range t.levels {
		for i := range level {
			if n := &level[i]; n.start > n.end || n.end > below {
				return false
			}
		}
		below = uint32(len(level))
	}
	return len(t.levels) > 0 || leaves == 0
}

func intersects(a, b orb.Bound) bool {
	return a.Min[0] <= b.Max[0] && a.Max[0] >= b.Min[0] && a.Min[1] <= b.Max[1] && a.Max[1] >= b.Min[1]
}

// search calls fn with the position of every entry whose box may meet q.
// It walks with an explicit stack, so a query allocates nothing.
func (t *rtree) search(q orb.Bound, fn func(uint32)) {
	if len(t.levels) == 0 {
		return
	}
	type frame struct{ level, i int }
	var stackArr [128]frame
	stack := stackArr[:0]
	top := len(t.levels) - 1
	stack = append(stack, frame{top, 0})
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &t.levels[f.level][f.i]
		if !n.b.meets(q) {
			continue
		}
		if f.level == 0 {
			for p := n.start; p < n.end; p++ {
				if t.leafBoxes[p].meets(q) {
					fn(p)
				}
			}
			continue
		}
		for c := int(n.start); c < int(n.end); c++ {
			stack = append(stack, frame{f.level - 1, c})
		}
	}
}

// searchPage answers a bbox-only query in tree order: it counts every match
// exactly but collects only the page [offset, offset+limit). A node wholly
// inside q is counted from its entry count without visiting its entries
// unless some of them belong to the page, and the page needs no sorting,
// since the walk is in a fixed order for a given box. match decides
// entries whose box only overlaps q (a polygon's box may touch q while the
// polygon does not).
//
// The page is returned as positions, which address the spatially laid-out
// feature bytes directly.
func (t *rtree) searchPage(q orb.Bound, match func(uint32) bool, offset, limit int, page []uint32) (int, []uint32) {
	if len(t.levels) == 0 {
		return 0, page
	}
	type frame struct {
		level, i int
		all      bool // every entry below matches
	}
	var stackArr [128]frame
	stack := append(stackArr[:0], frame{level: len(t.levels) - 1})
	matched := 0
	want := offset + max(limit, 0)
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := &t.levels[f.level][f.i]
		all := f.all
		if !all {
			if !n.b.meets(q) {
				continue
			}
			all = n.b.within(q)
		}
		if all && (matched+int(n.count) <= offset || matched >= want) {
			matched += int(n.count)
			continue
		}
		if f.level == 0 {
			for i := n.start; i < n.end; i++ {
				lb := &t.leafBoxes[i]
				if all || lb.within(q) || lb.meets(q) && match(i) {
					if matched >= offset && matched < want {
						page = append(page, i)
					}
					matched++
				}
			}
			continue
		}
		// Children are pushed last first, so they are visited in order.
		for c := int(n.end) - 1; c >= int(n.start); c-- {
			stack = append(stack, frame{level: f.level - 1, i: c, all: all})
		}
	}
	return matched, page
}
