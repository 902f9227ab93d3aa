package ingest

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// coordCheck holds the coordinate range the source CRS allows. Structure
// (rings, parts, winding) is gis/repair's business; positions outside the
// CRS's range cannot be repaired, only refused.
type coordCheck struct {
	bound orb.Bound
	what  string
}

func coordCheckFor(crs string) coordCheck {
	switch crsKind(crs) {
	case kindGeographic:
		return coordCheck{orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, "longitude/latitude"}
	case kindBNG:
		// The National Grid's false origin and the OSTN15 extent.
		return coordCheck{orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{700000, 1250000}}, "British National Grid easting/northing"}
	}
	return coordCheck{bound: orb.Bound{Min: orb.Point{math.Inf(-1), math.Inf(-1)}, Max: orb.Point{math.Inf(1), math.Inf(1)}}}
}

// coords returns why some position of g is unusable, or "".
func (c coordCheck) coords(g orb.Geometry) string {
	switch g := g.(type) {
	case nil:
		return ""
	case orb.Point:
		return c.point(g)
	case orb.MultiPoint:
		return c.points(g, "point")
	case orb.LineString:
		return c.points(g, "position")
	case orb.Ring:
		return c.points(g, "position")
	case orb.MultiLineString:
		for i, l := range g {
			if r := c.points(l, "position"); r != "" {
				return fmt.Sprintf("line %d %s", i, r)
			}
		}
	case orb.Polygon:
		return c.rings(g)
	case orb.MultiPolygon:
		for i, p := range g {
			if r := c.rings(p); r != "" {
				return fmt.Sprintf("polygon %d %s", i, r)
			}
		}
	case orb.Collection:
		for i, m := range g {
			if r := c.coords(m); r != "" {
				return fmt.Sprintf("member %d: %s", i, r)
			}
		}
	case orb.Bound:
		return c.coords(g.ToPolygon())
	}
	return ""
}

func (c coordCheck) rings(p orb.Polygon) string {
	for i, ring := range p {
		if r := c.points(ring, "position"); r != "" {
			if i == 0 {
				return "exterior ring " + r
			}
			return fmt.Sprintf("hole %d %s", i, r)
		}
	}
	return ""
}

func (c coordCheck) points(ps []orb.Point, what string) string {
	for i, p := range ps {
		if r := c.point(p); r != "" {
			return fmt.Sprintf("%s %d: %s", what, i, r)
		}
	}
	return ""
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

// closeTolerance is how near an unclosed ring's last position must be to
// its first to be taken as a rounded copy of it: about a centimetre.
func (c coordCheck) closeTolerance() float64 {
	switch c.what {
	case "longitude/latitude":
		return 1e-7
	case "":
		return 0
	}
	return 0.01
}
