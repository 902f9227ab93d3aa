package repair

import (
	"slices"

	"github.com/paulmach/orb"
)

// This file decides which faces of the noded rings form the repaired area,
// the way GEOS MakeValid's linework method does:
//
//  1. Build the area of all the distinct noded edges: polygonize them
//     (dangling and bridging edges drop out) and keep each face unless it
//     exactly fills a hole of a kept face, nesting alternately (a face in a
//     hole of a hole is kept again).
//  2. The edges not on that area's boundary ("cut edges") may still enclose
//     faces: build their area the same way and toggle it (symmetric
//     difference); repeat with the cut edges left over until none enclose
//     anything.
//
// Rings crossing each other therefore alternate inside/outside like the
// even-odd rule, while a stretch walked twice (two parts laid edge to edge,
// a part nested in a corner of another) still bounds faces, which are kept.
// Every area built is a union of faces of the full arrangement, so each is
// represented by one point inside each face and a flag per face.

// faceSet is the faces of a graph: each counter-clockwise walk bounds one
// face; the outer walk of every piece is a hole in the face around it.
type faceSet struct {
	ws     *walkSet
	faceOf []int   // face on the left of each walk; -1 is the unbounded face
	shells []int   // each face's counter-clockwise walk
	holes  [][]int // each face's holes: outer walks of pieces inside it
}

func (g *graph) faceSet(ws *walkSet) *faceSet {
	fs := &faceSet{ws: ws, faceOf: make([]int, len(ws.walks))}
	isOuter := map[int]bool{}
	for _, o := range ws.outer {
		isOuter[o] = true
	}
	var boxes []orb.Bound
	var rings [][]orb.Point
	for i := range ws.walks {
		fs.faceOf[i] = -1
		if ws.area[i] > 0 && !isOuter[i] {
			fs.faceOf[i] = len(fs.shells)
			fs.shells = append(fs.shells, i)
			fs.holes = append(fs.holes, nil)
			r := g.ring(ws.walks[i])
			rings = append(rings, r)
			boxes = append(boxes, orb.Ring(r).Bound())
		}
	}
	for _, c := range ws.pieces {
		o := ws.outer[c]
		p := g.pts[g.from[ws.walks[o][0]]]
		best := -1
		for f, sw := range fs.shells {
			if ws.comp[g.from[ws.walks[sw][0]]] == c || !boxes[f].Contains(p) || locate(rings[f], p) != 1 {
				continue
			}
			if best < 0 || ws.area[sw] < ws.area[fs.shells[best]] {
				best = f
			}
		}
		fs.faceOf[o] = best
		if best >= 0 {
			fs.holes[best] = append(fs.holes[best], o)
		}
	}
	return fs
}

// sideFaces gives the faces on either side of edge e (half-edges 2e, 2e+1).
func (fs *faceSet) sideFaces(e int) (int, int) {
	return fs.faceOf[fs.ws.walkOf[2*e]], fs.faceOf[fs.ws.walkOf[2*e+1]]
}

// interiorPoint finds a point strictly inside face f: on the horizontal
// line through the widest gap between the heights of its boundary's
// vertices (holes' included), the middle of the widest stretch inside it.
func (g *graph) interiorPoint(fs *faceSet, f int) (orb.Point, bool) {
	ws := fs.ws
	walks := append([]int{fs.shells[f]}, fs.holes[f]...)
	var ys []float64
	for _, w := range walks {
		for _, h := range ws.walks[w] {
			ys = append(ys, g.pts[g.from[h]][1])
		}
	}
	slices.Sort(ys)
	ys = slices.Compact(ys)
	if len(ys) < 2 {
		return orb.Point{}, false
	}
	gap := 0
	for i := 1; i+1 < len(ys); i++ {
		if ys[i+1]-ys[i] > ys[gap+1]-ys[gap] {
			gap = i
		}
	}
	y := (ys[gap] + ys[gap+1]) / 2
	var xs []float64
	for _, w := range walks {
		for _, h := range ws.walks[w] {
			if fs.faceOf[ws.walkOf[h^1]] == f {
				continue // a dangling or bridging edge inside the face
			}
			a, b := g.pts[g.from[h]], g.pts[g.to[h]]
			if (a[1] > y) != (b[1] > y) {
				xs = append(xs, a[0]+(y-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	best, width := orb.Point{}, -1.0
	for i := 0; i+1 < len(xs); i += 2 {
		if w := xs[i+1] - xs[i]; w > width {
			best, width = orb.Point{(xs[i] + xs[i+1]) / 2, y}, w
		}
	}
	return best, width > 0
}

// areaFace is a face of a built area, for point-in-area tests.
type areaFace struct {
	shell []orb.Point
	holes [][]orb.Point
	box   orb.Bound
}

func (a areaFace) contains(p orb.Point) bool {
	if !a.box.Contains(p) || locate(a.shell, p) != 1 {
		return false
	}
	for _, h := range a.holes {
		if locate(h, p) != -1 {
			return false
		}
	}
	return true
}

// buildArea polygonizes edges and keeps the faces at even nesting depth,
// a face's parent being the face whose hole it exactly fills.
func buildArea(edges []seg) []areaFace {
	g := newGraph(edges)
	for {
		ws := g.walkSet()
		var keep []seg
		for e := 0; e < len(g.from); e += 2 {
			if ws.walkOf[e] != ws.walkOf[e+1] {
				keep = append(keep, seg{g.pts[g.from[e]], g.pts[g.to[e]]})
			}
		}
		if len(keep) == len(g.from)/2 {
			break
		}
		if len(keep) == 0 {
			return nil
		}
		g = newGraph(keep)
	}
	ws := g.walkSet()
	fs := g.faceSet(ws)
	parent := make([]int, len(fs.shells))
	for f, sw := range fs.shells {
		parent[f] = -1
		o := ws.outer[ws.comp[g.from[ws.walks[sw][0]]]]
		if len(ws.walks[o]) != len(ws.walks[sw]) {
			continue
		}
		alone := true
		for _, h := range ws.walks[sw] {
			alone = alone && ws.walkOf[h^1] == o
		}
		if alone {
			parent[f] = fs.faceOf[o]
		}
	}
	depth := make([]int, len(fs.shells))
	for f := range depth {
		for p := parent[f]; p >= 0 && depth[f] <= len(depth); p = parent[p] {
			depth[f]++
		}
	}
	var out []areaFace
	for f, sw := range fs.shells {
		if depth[f]%2 != 0 {
			continue
		}
		a := areaFace{shell: g.ring(ws.walks[sw])}
		a.box = orb.Ring(a.shell).Bound()
		for _, h := range fs.holes[f] {
			a.holes = append(a.holes, g.ring(ws.walks[h]))
		}
		out = append(out, a)
	}
	return out
}

// repairedArea picks the faces of the arrangement of edges that form the
// repaired area and returns its boundary edges.
func repairedArea(edges []seg) []seg {
	g := newGraph(edges)
	ws := g.walkSet()
	fs := g.faceSet(ws)
	samples := make([]orb.Point, len(fs.shells))
	usable := make([]bool, len(fs.shells))
	for f := range fs.shells {
		samples[f], usable[f] = g.interiorPoint(fs, f)
	}
	in := func(faces []areaFace) []bool {
		out := make([]bool, len(fs.shells))
		for f := range out {
			for _, a := range faces {
				if usable[f] && a.contains(samples[f]) {
					out[f] = true
					break
				}
			}
		}
		return out
	}
	member := in(buildArea(edges))
	at := func(m []bool, f int) bool { return f >= 0 && m[f] }
	var cut []int
	for e := range edges {
		if a, b := fs.sideFaces(e); at(member, a) == at(member, b) {
			cut = append(cut, e)
		}
	}
	for round := 0; round < 16 && len(cut) > 0; round++ {
		segs := make([]seg, len(cut))
		for i, e := range cut {
			segs[i] = edges[e]
		}
		added := buildArea(segs)
		if len(added) == 0 {
			break
		}
		toggle := in(added)
		for f := range member {
			member[f] = member[f] != toggle[f]
		}
		left := cut[:0]
		for _, e := range cut {
			if a, b := fs.sideFaces(e); at(toggle, a) == at(toggle, b) {
				left = append(left, e)
			}
		}
		cut = left
	}
	var boundary []seg
	for e := range edges {
		if a, b := fs.sideFaces(e); at(member, a) != at(member, b) {
			boundary = append(boundary, edges[e])
		}
	}
	return boundary
}

// distinctEdges drops repeated noded edges (either direction), in an order
// that depends only on the edges.
func distinctEdges(segs []seg) []seg {
	norm := make([]seg, len(segs))
	for i, s := range segs {
		if less(s.b, s.a) {
			s.a, s.b = s.b, s.a
		}
		norm[i] = s
	}
	slices.SortFunc(norm, func(x, y seg) int {
		switch {
		case less(x.a, y.a):
			return -1
		case less(y.a, x.a):
			return 1
		case less(x.b, y.b):
			return -1
		case less(y.b, x.b):
			return 1
		}
		return 0
	})
	return slices.Compact(norm)
}
