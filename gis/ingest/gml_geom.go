package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

var gmlGeometryNames = map[string]bool{
	"Point": true, "LineString": true, "LinearRing": true, "Curve": true, "Polygon": true, "Surface": true,
	"MultiPoint": true, "MultiCurve": true, "MultiLineString": true, "MultiSurface": true, "MultiPolygon": true,
	"MultiGeometry": true, "CompositeCurve": true, "CompositeSurface": true,
}

func isGeometryNode(n *node) bool {
	return isGMLNamespace(n.name.Space) && gmlGeometryNames[n.name.Local]
}

// gmlConv turns a GML geometry tree into orb geometry, x = east/longitude.
type gmlConv struct {
	lim       Limits
	latFirst  bool
	points    int
	extraDims bool // some position had a Z (or M) value, dropped
}

func (c *gmlConv) geometry(n *node, dim int) (orb.Geometry, error) {
	dim = c.srsDimension(n, dim)
	switch n.name.Local {
	case "Point":
		pts, err := c.positions(n, dim)
		if err != nil {
			return nil, err
		}
		if len(pts) != 1 {
			return nil, fmt.Errorf("a Point needs one position, has %d", len(pts))
		}
		return pts[0], nil
	case "LineString", "Curve", "CompositeCurve":
		pts, err := c.curve(n, dim)
		return orb.LineString(pts), err
	case "Polygon":
		return c.polygon(n, dim)
	case "Surface", "CompositeSurface":
		var mp orb.MultiPolygon
		for _, g := range c.members(n) {
			if g.name.Local != "PolygonPatch" && g.name.Local != "Polygon" {
				return nil, fmt.Errorf("unsupported surface patch %s", g.name.Local)
			}
			p, err := c.polygon(g, c.srsDimension(g, dim))
			if err != nil {
				return nil, err
			}
			mp = append(mp, p)
		}
		if len(mp) == 1 {
			return mp[0], nil
		}
		return mp, nil
	case "MultiPoint":
		var mp orb.MultiPoint
		for _, m := range c.members(n) {
			g, err := c.geometry(m, dim)
			if err != nil {
				return nil, err
			}
			p, ok := g.(orb.Point)
			if !ok {
				return nil, fmt.Errorf("MultiPoint member is a %s", m.name.Local)
			}
			mp = append(mp, p)
		}
		return mp, nil
	case "MultiCurve", "MultiLineString":
		var ml orb.MultiLineString
		for _, m := range c.members(n) {
			g, err := c.geometry(m, dim)
			if err != nil {
				return nil, err
			}
			l, ok := g.(orb.LineString)
			if !ok {
				return nil, fmt.Errorf("%s member is a %s", n.name.Local, m.name.Local)
			}
			ml = append(ml, l)
		}
		return ml, nil
	case "MultiSurface", "MultiPolygon":
		var mp orb.MultiPolygon
		for _, m := range c.members(n) {
			g, err := c.geometry(m, dim)
			if err != nil {
				return nil, err
			}
			switch g := g.(type) {
			case orb.Polygon:
				mp = append(mp, g)
			case orb.MultiPolygon:
				mp = append(mp, g...)
			default:
				return nil, fmt.Errorf("%s member is a %s", n.name.Local, m.name.Local)
			}
		}
		return mp, nil
	case "MultiGeometry":
		var col orb.Collection
		for _, m := range c.members(n) {
			if m.name.Local == n.name.Local {
				return nil, errors.New("nested MultiGeometry is not a simple feature")
			}
			g, err := c.geometry(m, dim)
			if err != nil {
				return nil, err
			}
			col = append(col, g)
		}
		return col, nil
	}
	return nil, fmt.Errorf("unsupported geometry %s", n.name.Local)
}

// members returns the geometries inside member properties (pointMember,
// surfaceMembers, patches, ...), each of which wraps one or more geometries.
func (c *gmlConv) members(n *node) []*node {
	var out []*node
	for _, m := range n.children {
		out = append(out, m.children...)
	}
	return out
}

func (c *gmlConv) polygon(n *node, dim int) (orb.Polygon, error) {
	var p orb.Polygon
	for _, b := range n.children {
		switch b.name.Local {
		case "exterior", "outerBoundaryIs", "interior", "innerBoundaryIs":
		default:
			continue
		}
		if len(b.children) != 1 {
			return nil, fmt.Errorf("%s needs one ring", b.name.Local)
		}
		outer := b.name.Local == "exterior" || b.name.Local == "outerBoundaryIs"
		if outer != (len(p) == 0) {
			return nil, errors.New("a polygon needs exactly one exterior, before its interiors")
		}
		ring := b.children[0]
		pts, err := c.curve(ring, c.srsDimension(ring, dim))
		if err != nil {
			return nil, err
		}
		if len(p) >= c.lim.MaxParts {
			return nil, fmt.Errorf("more than %d rings", c.lim.MaxParts)
		}
		p = append(p, orb.Ring(pts))
	}
	if len(p) == 0 {
		return nil, errors.New("polygon has no exterior")
	}
	return p, nil
}

// curve reads the points of a LineString or LinearRing (posList, pos list or
// coordinates), a Curve's LineStringSegments, or a Ring's curveMembers.
func (c *gmlConv) curve(n *node, dim int) ([]orb.Point, error) {
	switch n.name.Local {
	case "LineString", "LinearRing", "LineStringSegment":
		return c.positions(n, dim)
	case "Curve", "CompositeCurve", "Ring":
		var pts []orb.Point
		for _, seg := range c.members(n) {
			part, err := c.curve(seg, c.srsDimension(seg, dim))
			if err != nil {
				return nil, err
			}
			if len(pts) > 0 && len(part) > 0 && pts[len(pts)-1] == part[0] {
				part = part[1:] // consecutive segments share their end point
			}
			pts = append(pts, part...)
		}
		return pts, nil
	}
	return nil, fmt.Errorf("unsupported curve %s", n.name.Local)
}

// positions reads pos, posList, pointProperty and coordinates children.
func (c *gmlConv) positions(n *node, dim int) ([]orb.Point, error) {
	var pts []orb.Point
	for _, ch := range n.children {
		var err error
		switch ch.name.Local {
		case "pos":
			var nums []float64
			if nums, err = c.numbers(ch.text.String()); err == nil {
				if len(nums) < 2 {
					return nil, errors.New("gml:pos needs at least 2 numbers")
				}
				c.extraDims = c.extraDims || len(nums) > 2
				pts, err = c.add(pts, nums[:2])
			}
		case "posList":
			d := c.srsDimension(ch, dim)
			var nums []float64
			if nums, err = c.numbers(ch.text.String()); err == nil {
				if len(nums)%d != 0 {
					return nil, fmt.Errorf("posList has %d numbers, not a multiple of srsDimension %d", len(nums), d)
				}
				for i := 0; i+1 < len(nums) && err == nil; i += d {
					pts, err = c.add(pts, nums[i:i+2])
				}
			}
		case "coordinates":
			pts, err = c.coordinates(pts, ch)
		case "pointProperty", "pointRep":
			for _, p := range ch.children {
				var sub []orb.Point
				if sub, err = c.positions(p, dim); err == nil {
					pts = append(pts, sub...)
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return pts, nil
}

// coordinates reads the GML 2 / 3.1 "x,y x,y" form with its cs, ts and
// decimal attributes.
func (c *gmlConv) coordinates(pts []orb.Point, n *node) ([]orb.Point, error) {
	cs, ts, dec := n.attr("cs"), n.attr("ts"), n.attr("decimal")
	if cs == "" {
		cs = ","
	}
	if dec == "" {
		dec = "."
	}
	var tuples []string
	if ts == "" || strings.TrimSpace(ts) == "" {
		tuples = strings.Fields(n.text.String())
	} else {
		tuples = strings.Split(strings.TrimSpace(n.text.String()), ts)
	}
	for _, t := range tuples {
		parts := strings.Split(strings.TrimSpace(t), cs)
		if len(parts) < 2 {
			return nil, fmt.Errorf("coordinate tuple %q needs 2 values", t)
		}
		var xy [2]float64
		for i := 0; i < 2; i++ {
			v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(parts[i]), dec, "."), 64)
			if err != nil {
				return nil, fmt.Errorf("coordinate %q is not a number", parts[i])
			}
			xy[i] = v
		}
		var err error
		if pts, err = c.add(pts, xy[:]); err != nil {
			return nil, err
		}
	}
	return pts, nil
}

func (c *gmlConv) numbers(s string) ([]float64, error) {
	fields := strings.Fields(s)
	out := make([]float64, 0, min(len(fields), 2*c.lim.MaxPoints))
	for _, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("coordinate %q is not a number", f)
		}
		out = append(out, v)
	}
	return out, nil
}

func (c *gmlConv) add(pts []orb.Point, xy []float64) ([]orb.Point, error) {
	c.points++
	if c.points > c.lim.MaxPoints {
		return nil, fmt.Errorf("more than %d points", c.lim.MaxPoints)
	}
	if c.latFirst {
		return append(pts, orb.Point{xy[1], xy[0]}), nil
	}
	return append(pts, orb.Point{xy[0], xy[1]}), nil
}

func (c *gmlConv) srsDimension(n *node, inherited int) int {
	d := srsDimension(n, inherited)
	if d > 2 {
		c.extraDims = true
	}
	return d
}

func srsDimension(n *node, inherited int) int {
	if s := n.attr("srsDimension"); s != "" {
		if d, err := strconv.Atoi(s); err == nil && d >= 2 && d <= 4 {
			return d
		}
	}
	return inherited
}
