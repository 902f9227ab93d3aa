package cql

import (
	"math"
	"strings"

	"github.com/paulmach/orb"
)

var wktTypes = map[string]bool{"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "GEOMETRYCOLLECTION": true}

// wkt reads a WKT geometry literal from the tokens, so an error points at
// the coordinate at fault. Z and M values are read and dropped: filters are
// evaluated in two dimensions. EMPTY gives an empty collection, which
// intersects nothing.
func (p *textParser) wkt() (Expr, error) {
	g, err := p.wktGeometry()
	if err != nil {
		return nil, err
	}
	return Geometry{G: g}, nil
}

func (p *textParser) wktGeometry() (orb.Geometry, error) {
	if err := p.enter(p.peek()); err != nil {
		return nil, err
	}
	defer p.leave()
	t := p.next()
	typ := strings.ToUpper(t.text)
	if t.kind != tokIdent || !wktTypes[typ] {
		return nil, p.errAt(t, "expected a WKT geometry (POINT, LINESTRING, POLYGON, MULTI..., GEOMETRYCOLLECTION), found %s", t.describe())
	}
	dims := 2
	if d := p.peek(); isKeyword(d, "Z", "M", "ZM") {
		p.next()
		dims += len(d.text)
	}
	if isKeyword(p.peek(), "EMPTY") {
		p.next()
		return orb.Collection{}, nil
	}
	w := wktReader{p: p, dims: dims, typ: typ}
	switch typ {
	case "POINT":
		return w.wrapped(func() (orb.Geometry, error) { return w.point() })
	case "LINESTRING":
		return w.wrapped(func() (orb.Geometry, error) { return w.line() })
	case "POLYGON":
		return w.wrapped(func() (orb.Geometry, error) { return w.polygon() })
	case "MULTIPOINT":
		var mp orb.MultiPoint
		err := w.each(func() error {
			// Both MULTIPOINT(1 2, 3 4) and MULTIPOINT((1 2), (3 4)) are WKT.
			if isOp(p.peek(), "(") {
				g, err := w.wrapped(func() (orb.Geometry, error) { return w.point() })
				if err == nil {
					mp = append(mp, g.(orb.Point))
				}
				return err
			}
			pt, err := w.point()
			mp = append(mp, pt)
			return err
		})
		return mp, err
	case "MULTILINESTRING":
		var ml orb.MultiLineString
		err := w.each(func() error {
			g, err := w.wrapped(func() (orb.Geometry, error) { return w.line() })
			if err == nil {
				ml = append(ml, g.(orb.LineString))
			}
			return err
		})
		return ml, err
	case "MULTIPOLYGON":
		var mp orb.MultiPolygon
		err := w.each(func() error {
			g, err := w.wrapped(func() (orb.Geometry, error) { return w.polygon() })
			if err == nil {
				mp = append(mp, g.(orb.Polygon))
			}
			return err
		})
		return mp, err
	}
	var gc orb.Collection
	err := w.each(func() error {
		g, err := p.wktGeometry()
		gc = append(gc, g)
		return err
	})
	return gc, err
}

type wktReader struct {
	p    *textParser
	dims int
	typ  string
}

// wrapped reads "(" body ")".
func (w wktReader) wrapped(body func() (orb.Geometry, error)) (orb.Geometry, error) {
	if err := w.p.expectOp("(", "in the "+w.typ); err != nil {
		return nil, err
	}
	g, err := body()
	if err != nil {
		return nil, err
	}
	return g, w.p.expectOp(")", "to close the coordinates of the "+w.typ)
}

// each reads "(" item {"," item} ")".
func (w wktReader) each(item func() error) error {
	if err := w.p.expectOp("(", "in the "+w.typ); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if t := w.p.next(); isOp(t, ")") {
			return nil
		} else if !isOp(t, ",") {
			return w.p.errAt(t, "expected ',' or ')' in the %s, found %s", w.typ, t.describe())
		}
	}
}

func (w wktReader) point() (orb.Point, error) {
	var pt orb.Point
	for i := range w.dims {
		v, err := w.p.signedNumber("as a coordinate of the " + w.typ)
		if err != nil {
			return pt, err
		}
		if i < 2 {
			pt[i] = v
		}
	}
	// A third (or fourth) number without Z/M in the type is still a height.
	for w.dims == 2 && (w.p.peek().kind == tokNumber || isOp(w.p.peek(), "-")) {
		if _, err := w.p.signedNumber("as a coordinate of the " + w.typ); err != nil {
			return pt, err
		}
	}
	return pt, nil
}

func (w wktReader) points() ([]orb.Point, error) {
	var ps []orb.Point
	for {
		pt, err := w.point()
		if err != nil {
			return nil, err
		}
		ps = append(ps, pt)
		if !isOp(w.p.peek(), ",") {
			return ps, nil
		}
		w.p.next()
	}
}

func (w wktReader) line() (orb.LineString, error) {
	start := w.p.peek()
	ps, err := w.points()
	if err == nil && len(ps) < 2 {
		err = w.p.errAt(start, "a LINESTRING needs at least 2 points")
	}
	return orb.LineString(ps), err
}

func (w wktReader) polygon() (orb.Polygon, error) {
	var poly orb.Polygon
	for {
		if err := w.p.expectOp("(", "to open a ring of the "+w.typ); err != nil {
			return nil, err
		}
		start := w.p.peek()
		ps, err := w.points()
		if err != nil {
			return nil, err
		}
		if err := closedRing(ps); err != nil {
			return nil, &Error{Pos: start.pos, Msg: err.(*Error).Msg}
		}
		poly = append(poly, orb.Ring(ps))
		if err := w.p.expectOp(")", "to close the ring"); err != nil {
			return nil, err
		}
		if !isOp(w.p.peek(), ",") {
			return poly, nil
		}
		w.p.next()
	}
}

func closedRing(ps []orb.Point) error {
	if len(ps) < 4 {
		return errorf("a polygon ring needs at least 4 points (the first repeated last), not %d", len(ps))
	}
	if ps[0] != ps[len(ps)-1] {
		return errorf("the polygon ring is not closed: repeat its first point (%g %g) at the end", ps[0][0], ps[0][1])
	}
	return nil
}

// bboxGeometry makes the geometry of a BBOX literal: 4 numbers (x1, y1, x2,
// y2) or 6 with heights (x1, y1, z1, x2, y2, z2). A box whose west edge is
// east of its east edge crosses the antimeridian and becomes two boxes.
func bboxGeometry(nums []float64) (orb.Geometry, error) {
	switch len(nums) {
	case 4:
	case 6:
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	default:
		return nil, errorf("a BBOX needs 4 numbers (x1, y1, x2, y2) or 6 with heights, not %d", len(nums))
	}
	for _, v := range nums {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errorf("BBOX values must be finite numbers")
		}
	}
	if nums[1] > nums[3] {
		return nil, errorf("the BBOX's lower y (%g) is above its upper y (%g)", nums[1], nums[3])
	}
	if nums[0] > nums[2] {
		return orb.MultiPolygon{
			orb.Bound{Min: orb.Point{nums[0], nums[1]}, Max: orb.Point{180, nums[3]}}.ToPolygon(),
			orb.Bound{Min: orb.Point{-180, nums[1]}, Max: orb.Point{nums[2], nums[3]}}.ToPolygon(),
		}, nil
	}
	return orb.Bound{Min: orb.Point{nums[0], nums[1]}, Max: orb.Point{nums[2], nums[3]}}, nil
}
