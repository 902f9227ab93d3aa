package repair

import (
	"math"
	"sort"

	"github.com/paulmach/orb"
)

// rebuild resolves invalid polygons as GEOS MakeValid's linework method
// does. Every ring is cut where it meets another (noding); repairedArea
// (area.go) picks the faces of those edges that form the area: for rings
// that share no stretch, the points enclosed by an odd number of rings
// (even-odd rule). Its boundary is traced into polygons.
func rebuild(polys []orb.Polygon) []orb.Polygon {
	var segs []seg
	var box orb.Bound
	first := true
	for _, p := range polys {
		for _, r := range p {
			for i := 0; i+1 < len(r); i++ {
				if r[i] != r[i+1] {
					segs = append(segs, seg{r[i], r[i+1]})
				}
				if first {
					box, first = orb.Bound{Min: r[i], Max: r[i]}, false
				}
				box = box.Extend(r[i])
			}
		}
	}
	size := math.Max(box.Max[0]-box.Min[0], box.Max[1]-box.Min[1])
	if len(segs) == 0 || size == 0 {
		return nil
	}
	segs = node(segs, newSnapper(size*1e-10))
	boundary := repairedArea(distinctEdges(segs))
	if len(boundary) == 0 {
		return nil
	}
	return newGraph(boundary).polygons()
}

type seg struct{ a, b orb.Point }

// snapper merges crossing points closer than eps, so that the points
// computed for several pairs of edges crossing at one place become one
// vertex. It holds crossing points only: a crossing next to an end of one
// of its two edges becomes that end (see crossAt).
type snapper struct {
	eps   float64
	cells map[[2]int64][]orb.Point
}

func newSnapper(eps float64) *snapper { return &snapper{eps: eps, cells: map[[2]int64][]orb.Point{}} }

func (s *snapper) cell(p orb.Point) [2]int64 {
	return [2]int64{int64(math.Floor(p[0] / s.eps)), int64(math.Floor(p[1] / s.eps))}
}

func (s *snapper) snap(p orb.Point) orb.Point {
	c := s.cell(p)
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			for _, q := range s.cells[[2]int64{c[0] + dx, c[1] + dy}] {
				if math.Abs(q[0]-p[0]) <= s.eps && math.Abs(q[1]-p[1]) <= s.eps {
					return q
				}
			}
		}
	}
	s.cells[c] = append(s.cells[c], p)
	return p
}

// onSeg reports whether p lies on segment ab strictly between its ends.
func onSeg(a, b, p orb.Point) bool {
	return p != a && p != b && orient(a, b, p) == 0 && segBound(a, b).Contains(p)
}

// node splits segments wherever they meet, repeating until no segment
// crosses another away from their ends (cutting can move a piece a hair).
func node(segs []seg, sn *snapper) []seg {
	for round := 0; round < 8; round++ {
		boxes := make([]orb.Bound, len(segs))
		for i, s := range segs {
			boxes[i] = segBound(s.a, s.b)
		}
		cuts := make([][]orb.Point, len(segs))
		cut := false
		add := func(i int, p orb.Point) {
			if p != segs[i].a && p != segs[i].b {
				cuts[i] = append(cuts[i], p)
				cut = true
			}
		}
		sweepPairs(boxes, func(i, j int) bool {
			s, t := segs[i], segs[j]
			kind, _ := meet(s.a, s.b, t.a, t.b)
			switch kind {
			case apart:
			case cross:
				p := crossAt(s, t, sn)
				add(i, p)
				add(j, p)
			default:
				for _, p := range []orb.Point{t.a, t.b} {
					if onSeg(s.a, s.b, p) {
						add(i, p)
					}
				}
				for _, p := range []orb.Point{s.a, s.b} {
					if onSeg(t.a, t.b, p) {
						add(j, p)
					}
				}
			}
			return true
		})
		if !cut {
			break
		}
		out := make([]seg, 0, len(segs)+len(segs)/4)
		for i, s := range segs {
			if len(cuts[i]) == 0 {
				out = append(out, s)
				continue
			}
			out = appendCut(out, s, cuts[i])
		}
		segs = out
	}
	return segs
}

// crossAt is where s and t cross: one of their ends when the computed
// point is within the snapper's eps of it, else a snapped crossing point.
func crossAt(s, t seg, sn *snapper) orb.Point {
	p := crossing(s.a, s.b, t.a, t.b)
	for _, q := range [...]orb.Point{s.a, s.b, t.a, t.b} {
		if math.Abs(q[0]-p[0]) <= sn.eps && math.Abs(q[1]-p[1]) <= sn.eps {
			return q
		}
	}
	return sn.snap(p)
}

// appendCut appends s cut at ps, in order along s.
func appendCut(out []seg, s seg, ps []orb.Point) []seg {
	dx, dy := s.b[0]-s.a[0], s.b[1]-s.a[1]
	t := func(p orb.Point) float64 { return (p[0]-s.a[0])*dx + (p[1]-s.a[1])*dy }
	sort.Slice(ps, func(i, j int) bool { return t(ps[i]) < t(ps[j]) })
	prev := s.a
	for _, p := range ps {
		if p != prev {
			out = append(out, seg{prev, p})
			prev = p
		}
	}
	if prev != s.b {
		out = append(out, seg{prev, s.b})
	}
	return out
}

func less(p, q orb.Point) bool { return p[0] < q[0] || p[0] == q[0] && p[1] < q[1] }

// graph is a planar graph of half-edges: edge e gives half edges 2e (a to
// b) and 2e+1 (b to a), twins of each other.
type graph struct {
	pts      []orb.Point
	from, to []int
	out      [][]int // half-edges leaving each vertex, counter-clockwise
	pos      []int   // index of each half-edge in out[from]
}

func newGraph(edges []seg) *graph {
	g := &graph{}
	ids := map[orb.Point]int{}
	id := func(p orb.Point) int {
		if i, ok := ids[p]; ok {
			return i
		}
		ids[p] = len(g.pts)
		g.pts = append(g.pts, p)
		g.out = append(g.out, nil)
		return len(g.pts) - 1
	}
	for _, e := range edges {
		a, b := id(e.a), id(e.b)
		g.from = append(g.from, a, b)
		g.to = append(g.to, b, a)
		h := len(g.from) - 2
		g.out[a] = append(g.out[a], h)
		g.out[b] = append(g.out[b], h+1)
	}
	g.pos = make([]int, len(g.from))
	for v, hs := range g.out {
		p := g.pts[v]
		angle := func(h int) float64 { q := g.pts[g.to[h]]; return math.Atan2(q[1]-p[1], q[0]-p[0]) }
		sort.SliceStable(hs, func(i, j int) bool { return angle(hs[i]) < angle(hs[j]) })
		for i, h := range hs {
			g.pos[h] = i
		}
	}
	return g
}

// next follows the face on the left of h: at h's end, the half-edge just
// clockwise of the way back.
func (g *graph) next(h int) int {
	hs := g.out[g.to[h]]
	return hs[(g.pos[h^1]-1+len(hs))%len(hs)]
}

// walkSet is the graph's half-edges grouped into walks, each going round
// the face on its left; per connected piece, outer is the walk round the
// outside of the piece (clockwise, the most negative area).
type walkSet struct {
	walks  [][]int
	walkOf []int
	area   []float64 // twice the signed area
	comp   []int     // connected piece of each vertex
	outer  map[int]int
	pieces []int // piece ids in first-seen order
}

func (g *graph) walkSet() *walkSet {
	n := len(g.from)
	ws := &walkSet{walkOf: make([]int, n), outer: map[int]int{}}
	for i := range ws.walkOf {
		ws.walkOf[i] = -1
	}
	for h := 0; h < n; h++ {
		if ws.walkOf[h] >= 0 {
			continue
		}
		var w []int
		for x := h; ws.walkOf[x] < 0; x = g.next(x) {
			ws.walkOf[x] = len(ws.walks)
			w = append(w, x)
		}
		ws.walks = append(ws.walks, w)
	}
	ws.comp = g.components()
	ws.area = make([]float64, len(ws.walks))
	for i, w := range ws.walks {
		for _, h := range w {
			a, b := g.pts[g.from[h]], g.pts[g.to[h]]
			ws.area[i] += (a[0] - b[0]) * (a[1] + b[1])
		}
		c := ws.comp[g.from[w[0]]]
		o, seen := ws.outer[c]
		if !seen {
			ws.pieces = append(ws.pieces, c)
		}
		if !seen || ws.area[i] < ws.area[o] {
			ws.outer[c] = i
		}
	}
	return ws
}

// ring is the closed ring of positions a walk passes.
func (g *graph) ring(w []int) []orb.Point {
	out := make([]orb.Point, 0, len(w)+1)
	for _, h := range w {
		out = append(out, g.pts[g.from[h]])
	}
	return append(out, out[0])
}

// polygons traces a boundary graph, whose every edge has the result on one
// side only, into polygons. The area just outside each piece's outer walk
// is inside the result when an odd number of the other pieces' edges lie
// between it and infinity; from there, inside and outside alternate across
// every edge.
func (g *graph) polygons() []orb.Polygon {
	ws := g.walkSet()
	walks, walkOf, comp, outer, compOrder := ws.walks, ws.walkOf, ws.comp, ws.outer, ws.pieces
	inside := make([]int8, len(walks)) // 0 unknown, 1 inside, -1 outside
	for _, c := range compOrder {
		o := outer[c]
		inside[o] = -1
		if g.oddCrossings(g.pts[g.from[walks[o][0]]], comp, c) {
			inside[o] = 1
		}
		queue := []int{o}
		for len(queue) > 0 {
			w := queue[0]
			queue = queue[1:]
			for _, h := range walks[w] {
				if v := walkOf[h^1]; inside[v] == 0 {
					inside[v] = -inside[w]
					queue = append(queue, v)
				}
			}
		}
	}
	var shells, holes [][]orb.Point
	for i, w := range walks {
		if inside[i] != 1 {
			continue
		}
		seq := make([]int, len(w))
		for j, h := range w {
			seq[j] = g.from[h]
		}
		for _, cyc := range simpleCycles(seq) {
			if len(cyc) < 3 {
				continue
			}
			ring := make([]orb.Point, 0, len(cyc)+1)
			for _, v := range cyc {
				ring = append(ring, g.pts[v])
			}
			ring = append(ring, ring[0])
			switch a := SignedArea(ring); {
			case a > 0:
				shells = append(shells, ring)
			case a < 0:
				holes = append(holes, ring)
			}
		}
	}
	return assemble(shells, holes)
}

// components labels each vertex with its connected piece of the graph.
func (g *graph) components() []int {
	parent := make([]int, len(g.pts))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for h := 0; h < len(g.from); h += 2 {
		parent[find(g.from[h])] = find(g.to[h])
	}
	out := make([]int, len(g.pts))
	for i := range out {
		out[i] = find(i)
	}
	return out
}

// oddCrossings casts a ray from p towards +x and reports whether it crosses
// an odd number of edges outside piece c.
func (g *graph) oddCrossings(p orb.Point, comp []int, c int) bool {
	odd := false
	for h := 0; h < len(g.from); h += 2 {
		if comp[g.from[h]] == c {
			continue
		}
		a, b := g.pts[g.from[h]], g.pts[g.to[h]]
		if (a[1] > p[1]) != (b[1] > p[1]) {
			if x := a[0] + (p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]); p[0] < x {
				odd = !odd
			}
		}
	}
	return odd
}

// simpleCycles cuts a closed walk that passes a vertex more than once into
// cycles that do not: a face whose boundary touches itself (a hole meeting
// the exterior at a point) yields its exterior and hole separately.
func simpleCycles(seq []int) [][]int {
	var out [][]int
	var stack []int
	at := map[int]int{}
	for _, v := range seq {
		if i, ok := at[v]; ok {
			out = append(out, append([]int(nil), stack[i:]...))
			for _, u := range stack[i+1:] {
				delete(at, u)
			}
			stack = stack[:i+1]
			continue
		}
		at[v] = len(stack)
		stack = append(stack, v)
	}
	return append(out, stack)
}

// assemble puts each hole in the smallest shell that holds it.
func assemble(shells, holes [][]orb.Point) []orb.Polygon {
	polys := make([]orb.Polygon, len(shells))
	areas := make([]float64, len(shells))
	boxes := make([]orb.Bound, len(shells))
	for i, s := range shells {
		polys[i] = orb.Polygon{orb.Ring(s)}
		areas[i] = SignedArea(s)
		boxes[i] = orb.Ring(s).Bound()
	}
	for _, h := range holes {
		hb := orb.Ring(h).Bound()
		best := -1
		for i, s := range shells {
			if !boxes[i].Contains(hb.Min) || !boxes[i].Contains(hb.Max) || side(h, s) != 1 {
				continue
			}
			if best < 0 || areas[i] < areas[best] {
				best = i
			}
		}
		if best >= 0 {
			polys[best] = append(polys[best], orb.Ring(h))
		}
	}
	return polys
}
