// Package repair turns the invalid geometries real exporters write into
// valid OGC simple features, the way GDAL's MakeValid (GEOS, "linework"
// method) and PostGIS ST_MakeValid do, and says what it did.
//
// The rules, in the order they apply:
//   - repeated consecutive positions are removed from lines and rings;
//   - a ring whose last position differs from its first is closed: the last
//     position is moved onto the first when they are within
//     Options.CloseTolerance, otherwise the first is repeated at the end;
//   - a part that collapses (a ring with fewer than three distinct positions
//     or all on one line, a line with fewer than two) is dropped; a hole that
//     collapses is dropped from its polygon;
//   - a polygonal geometry whose rings cross, overlap, touch themselves or
//     nest wrongly is rebuilt from its noded linework as GEOS MakeValid
//     (linework method) does: crossing rings alternate inside and outside
//     (the even-odd rule), faces bounded by a stretch two rings share are
//     kept; so a bow-tie becomes a MultiPolygon of its two
//     lobes, a spike is cut off, overlapping parts of a MultiPolygon leave
//     their overlap out, a hole crossing its shell splits the polygon;
//   - rings are wound as RFC 7946 asks: exteriors counter-clockwise, holes
//     clockwise.
//
// Unlike MakeValid, a geometry never changes dimension: a polygon whose
// every part collapses is not turned into a line or point but reported as
// Unrepairable, since a layer of areas gains nothing from a stray line.
// A valid geometry comes back unchanged except for its winding.
package repair

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Action names one kind of repair.
type Action string

// The repairs Geometry makes.
const (
	ActionRemovedRepeated Action = "removed-repeated-positions"
	ActionClosedRing      Action = "closed-ring"
	ActionDroppedPart     Action = "dropped-collapsed-part"
	ActionRebuilt         Action = "rebuilt-invalid-polygon"
	ActionRewound         Action = "rewound"
)

// Fix is one repair made to a geometry.
type Fix struct {
	Action Action `json:"action"`
	// Part is the 0-based polygon, line or member of a multi-geometry or
	// collection; 0 for a single geometry.
	Part   int    `json:"part"`
	Detail string `json:"detail"`
}

// Unrepairable is returned when nothing valid remains of a geometry.
type Unrepairable struct{ Reason string }

func (e *Unrepairable) Error() string { return e.Reason }

// Options tune the repairs.
type Options struct {
	// CloseTolerance is the distance, in the coordinates' own units, within
	// which an unclosed ring's last position is taken to be a rounded copy
	// of its first and moved onto it. Farther apart, the first position is
	// repeated at the end instead. Zero always repeats the first position.
	CloseTolerance float64
}

// Geometry returns a valid geometry equivalent to g and the fixes made, in
// order. It returns an *Unrepairable error when nothing valid remains. g is
// not modified.
func Geometry(g orb.Geometry, opts Options) (orb.Geometry, []Fix, error) {
	r := repairer{opts: opts}
	out, err := r.geometry(g, 0)
	if err != nil {
		return nil, nil, err
	}
	return out, r.fixes, nil
}

type repairer struct {
	opts  Options
	fixes []Fix
}

func (r *repairer) fix(a Action, part int, format string, args ...any) {
	r.fixes = append(r.fixes, Fix{Action: a, Part: part, Detail: fmt.Sprintf(format, args...)})
}

func unrepairable(format string, args ...any) error {
	return &Unrepairable{Reason: fmt.Sprintf(format, args...)}
}

func (r *repairer) geometry(g orb.Geometry, part int) (orb.Geometry, error) {
	switch g := g.(type) {
	case nil:
		return nil, nil
	case orb.Point:
		if !finite(g) {
			return nil, unrepairable("position (%v, %v) is not a pair of finite numbers", g[0], g[1])
		}
		return g, nil
	case orb.MultiPoint:
		if len(g) == 0 {
			return nil, unrepairable("the MultiPoint has no points")
		}
		for i, p := range g {
			if !finite(p) {
				return nil, unrepairable("point %d (%v, %v) is not a pair of finite numbers", i, p[0], p[1])
			}
		}
		return g, nil
	case orb.LineString:
		l, why, err := r.line(g, part)
		if err != nil {
			return nil, err
		}
		if l == nil {
			return nil, unrepairable("the line %s", why)
		}
		return l, nil
	case orb.MultiLineString:
		return r.multiLine(g)
	case orb.Ring:
		return r.polygonal([]orb.Polygon{{g}}, false)
	case orb.Polygon:
		return r.polygonal([]orb.Polygon{g}, false)
	case orb.MultiPolygon:
		return r.polygonal(g, true)
	case orb.Bound:
		return r.polygonal([]orb.Polygon{g.ToPolygon()}, false)
	case orb.Collection:
		return r.collection(g)
	}
	return nil, unrepairable("unsupported geometry type %T", g)
}

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}

// line removes repeated positions; a nil result with why set means the line
// collapsed.
func (r *repairer) line(l orb.LineString, part int) (orb.LineString, string, error) {
	for i, p := range l {
		if !finite(p) {
			return nil, "", unrepairable("line %d position %d (%v, %v) is not a pair of finite numbers", part, i, p[0], p[1])
		}
	}
	out, removed := dedupe(l)
	if len(out) < 2 {
		return nil, fmt.Sprintf("has fewer than 2 distinct positions (%d given)", len(l)), nil
	}
	if removed > 0 {
		r.fix(ActionRemovedRepeated, part, "removed %d repeated consecutive positions", removed)
	}
	return orb.LineString(out), "", nil
}

func (r *repairer) multiLine(ml orb.MultiLineString) (orb.Geometry, error) {
	out := make(orb.MultiLineString, 0, len(ml))
	for i, l := range ml {
		c, why, err := r.line(l, i)
		if err != nil {
			return nil, err
		}
		if c == nil {
			r.fix(ActionDroppedPart, i, "dropped line %d: it %s", i, why)
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, unrepairable("every line of the MultiLineString collapsed to a point")
	}
	return out, nil
}

func (r *repairer) collection(c orb.Collection) (orb.Geometry, error) {
	out := make(orb.Collection, 0, len(c))
	for i, m := range c {
		if _, nested := m.(orb.Collection); nested {
			return nil, unrepairable("member %d is a nested GeometryCollection", i)
		}
		sub := repairer{opts: r.opts}
		g, err := sub.geometry(m, i)
		if err != nil {
			if u, ok := err.(*Unrepairable); ok {
				r.fix(ActionDroppedPart, i, "dropped member %d: %s", i, u.Reason)
				continue
			}
			return nil, err
		}
		for _, f := range sub.fixes {
			f.Part = i
			r.fixes = append(r.fixes, f)
		}
		out = append(out, g)
	}
	if len(out) == 0 {
		return nil, unrepairable("no member of the GeometryCollection is valid")
	}
	return out, nil
}

// dedupe returns pts without repeated consecutive positions, sharing pts'
// array when nothing is removed.
func dedupe(pts []orb.Point) ([]orb.Point, int) {
	n := 0
	for i := 1; i < len(pts); i++ {
		if pts[i] == pts[i-1] {
			n++
		}
	}
	if n == 0 {
		return pts, 0
	}
	out := make([]orb.Point, 0, len(pts)-n)
	for i, p := range pts {
		if i == 0 || p != pts[i-1] {
			out = append(out, p)
		}
	}
	return out, n
}

// ringName names ring i of a polygon for messages.
func ringName(part, i int, multi bool) string {
	which := "exterior ring"
	if i > 0 {
		which = fmt.Sprintf("hole %d", i)
	}
	if multi {
		return fmt.Sprintf("polygon %d %s", part, which)
	}
	return which
}

// cleanRing removes repeated positions and closes the ring. It returns nil
// with a reason ("has zero area: ...") when the ring collapses; fixes are returned, not recorded,
// so that a dropped ring reports only its drop.
func (r *repairer) cleanRing(ring orb.Ring, name string, part int) (orb.Ring, []Fix, string, error) {
	for i, p := range ring {
		if !finite(p) {
			return nil, nil, "", unrepairable("%s position %d (%v, %v) is not a pair of finite numbers", name, i, p[0], p[1])
		}
	}
	pts, removed := dedupe(ring)
	var notes []Fix
	note := func(a Action, format string, args ...any) {
		notes = append(notes, Fix{Action: a, Part: part, Detail: fmt.Sprintf(format, args...)})
	}
	if len(pts) > 1 && pts[0] != pts[len(pts)-1] {
		first, last := pts[0], pts[len(pts)-1]
		if d := math.Hypot(first[0]-last[0], first[1]-last[1]); d <= r.opts.CloseTolerance && len(pts) > 3 {
			pts = append(append([]orb.Point(nil), pts[:len(pts)-1]...), first)
			note(ActionClosedRing, "closed %s: its last position (%v, %v) was %.3g from its first and was moved onto it", name, last[0], last[1], d)
			pts, _ = dedupe(pts)
		} else {
			pts = append(append(make([]orb.Point, 0, len(pts)+1), pts...), first)
			note(ActionClosedRing, "closed %s: its first position was repeated at the end", name)
		}
	}
	if removed > 0 {
		note(ActionRemovedRepeated, "removed %d repeated consecutive positions from %s", removed, name)
	}
	if why := collapsed(pts, len(ring)); why != "" {
		return nil, nil, why, nil
	}
	return orb.Ring(pts), notes, "", nil
}

// collapsed says why a closed, deduplicated ring encloses no area, or "".
func collapsed(pts []orb.Point, given int) string {
	distinct := len(pts) - 1
	if len(pts) == 1 {
		distinct = 1
	}
	if distinct < 3 {
		if distinct <= 1 {
			return fmt.Sprintf("has zero area: its %d positions lie on one point", given)
		}
		return fmt.Sprintf("has zero area: it has only %d distinct positions", distinct)
	}
	a := pts[0]
	for _, b := range pts[1:] {
		if b == a {
			continue
		}
		for _, c := range pts[1:] {
			if orient(a, b, c) != 0 {
				return ""
			}
		}
		break
	}
	return "has zero area: all its positions lie on one line"
}

// SignedArea is twice the area enclosed by a closed ring, positive when the
// ring runs counter-clockwise (x east, y north).
func SignedArea(r orb.Ring) float64 {
	var a float64
	for i := 0; i+1 < len(r); i++ {
		a += (r[i][0] - r[i+1][0]) * (r[i][1] + r[i+1][1])
	}
	return a
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}
