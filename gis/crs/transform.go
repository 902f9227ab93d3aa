package crs

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/crs/ostn15"
)

// ErrOutside is wrapped by transformation errors for positions outside the
// OSTN15 extent, the only region where National Grid conversion is defined.
var ErrOutside = ostn15.ErrOutside

// ErrNotFinite is wrapped by transformation errors for NaN or infinite input.
var ErrNotFinite = errors.New("coordinate is not a finite number")

// transformError carries both the sentinel (for errors.Is) and a
// domain.CodeInvalid error (for the API's problem mapping): a coordinate the
// client sent that cannot be transformed is bad input, not a server fault.
type transformError struct {
	cause error
	coded *domain.Error
}

func (e *transformError) Error() string   { return e.cause.Error() }
func (e *transformError) Unwrap() []error { return []error{e.cause, e.coded} }

func invalid(cause error) error {
	return &transformError{cause: cause, coded: &domain.Error{Code: domain.CodeInvalid, Message: cause.Error()}}
}

// Ready loads the OSTN15 grid now rather than on the first National Grid
// transformation, so start-up pays it (tens of milliseconds) once.
func Ready() error { return ostn15.Ready() }

// Transform converts one coordinate pair from one supported CRS to another.
// x and y are in each CRS's own axis order (see AxisOrder): latitude first
// for EPSG:4326 and EPSG:4258, longitude first for CRS84, easting first for
// EPSG:27700. Between the geographic CRSs only the order changes (ETRS89 =
// WGS84); to or from EPSG:27700 OSTN15 is applied.
func Transform(from, to CRS, x, y float64) (float64, float64, error) {
	if !from.valid() || !to.valid() {
		return 0, 0, domain.Errorf(domain.CodeInvalid, "transform from %v to %v: unknown CRS", from, to)
	}
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return 0, 0, invalid(fmt.Errorf("%w: %g, %g in %v", ErrNotFinite, x, y, from))
	}
	if from == to {
		return x, y, nil
	}
	if from == EPSG27700 {
		lat, lon, err := ostn15.FromNationalGrid(x, y)
		if err != nil {
			return 0, 0, invalid(err)
		}
		a, b := fromLatLon(to, lat, lon)
		return a, b, nil
	}
	lat, lon := x, y
	if from == CRS84 {
		lat, lon = y, x
	}
	if to == EPSG27700 {
		e, n, err := ostn15.ToNationalGrid(lat, lon)
		if err != nil {
			return 0, 0, invalid(err)
		}
		return e, n, nil
	}
	a, b := fromLatLon(to, lat, lon)
	return a, b, nil
}

// fromLatLon orders a geographic position for a geographic CRS.
func fromLatLon(to CRS, lat, lon float64) (float64, float64) {
	if to == CRS84 {
		return lon, lat
	}
	return lat, lon
}

// TransformPoint is Transform for an orb.Point, whose X and Y hold the
// first and second coordinate in from's axis order.
func TransformPoint(p orb.Point, from, to CRS) (orb.Point, error) {
	x, y, err := Transform(from, to, p[0], p[1])
	return orb.Point{x, y}, err
}

// TransformGeometry returns a copy of g with every coordinate transformed.
// Coordinates are taken in from's axis order and written in to's; when the
// data hold x = longitude whatever the CRS (Shapefile, GeoPackage, GeoJSON),
// pass from.XYOrder(). When from == to, g itself is returned. The first
// coordinate that cannot be transformed fails the whole geometry, with its
// position in the error, so nothing is half converted.
func TransformGeometry(g orb.Geometry, from, to CRS) (orb.Geometry, error) {
	if !from.valid() || !to.valid() {
		return nil, domain.Errorf(domain.CodeInvalid, "transform from %v to %v: unknown CRS", from, to)
	}
	if from == to || g == nil {
		return g, nil
	}
	t := geomTransformer{from: from, to: to}
	out := t.geometry(g)
	if t.err != nil {
		return nil, t.err
	}
	return out, nil
}

// geomTransformer walks a geometry, counting coordinates so an error can
// say which one failed, and stops transforming after the first error.
type geomTransformer struct {
	from, to CRS
	n        int
	err      error
}

func (t *geomTransformer) points(ps []orb.Point) []orb.Point {
	if t.err != nil {
		return nil
	}
	out := make([]orb.Point, len(ps))
	for i, p := range ps {
		x, y, err := Transform(t.from, t.to, p[0], p[1])
		if err != nil {
			t.err = fmt.Errorf("coordinate %d (%g, %g): %w", t.n, p[0], p[1], err)
			return nil
		}
		out[i] = orb.Point{x, y}
		t.n++
	}
	return out
}

func (t *geomTransformer) rings(rs []orb.Ring) []orb.Ring {
	out := make([]orb.Ring, len(rs))
	for i, r := range rs {
		out[i] = orb.Ring(t.points(r))
	}
	return out
}

func (t *geomTransformer) geometry(g orb.Geometry) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		if ps := t.points([]orb.Point{g}); len(ps) == 1 {
			return ps[0]
		}
		return g
	case orb.MultiPoint:
		return orb.MultiPoint(t.points(g))
	case orb.LineString:
		return orb.LineString(t.points(g))
	case orb.MultiLineString:
		out := make(orb.MultiLineString, len(g))
		for i, l := range g {
			out[i] = orb.LineString(t.points(l))
		}
		return out
	case orb.Ring:
		return orb.Ring(t.points(g))
	case orb.Polygon:
		return orb.Polygon(t.rings(g))
	case orb.MultiPolygon:
		out := make(orb.MultiPolygon, len(g))
		for i, p := range g {
			out[i] = orb.Polygon(t.rings(p))
		}
		return out
	case orb.Collection:
		out := make(orb.Collection, len(g))
		for i, c := range g {
			out[i] = t.geometry(c)
		}
		return out
	case orb.Bound:
		b, err := TransformBound(g, t.from, t.to)
		if err != nil && t.err == nil {
			t.err = err
		}
		return b
	}
	if t.err == nil {
		t.err = domain.Errorf(domain.CodeInvalid, "cannot transform geometry of type %T", g)
	}
	return g
}

// boundSamples is the number of points sampled along each edge of a bounding
// box: projected edges curve (a National Grid box is not a latitude/longitude
// box), and at this density the enclosing box misses no more than a few
// centimetres even on a 100 km box.
const boundSamples = 32

// TransformBound returns the smallest box in to that encloses b, a box in
// from (corners in from's axis order), by transforming points along all four
// edges. OGC API bbox-crs queries use it to turn a client's box into the
// storage CRS.
func TransformBound(b orb.Bound, from, to CRS) (orb.Bound, error) {
	if !from.valid() || !to.valid() {
		return orb.Bound{}, domain.Errorf(domain.CodeInvalid, "transform from %v to %v: unknown CRS", from, to)
	}
	if from == to {
		return b, nil
	}
	var out orb.Bound
	first := true
	add := func(x, y float64) error {
		a, c, err := Transform(from, to, x, y)
		if err != nil {
			return err
		}
		if first {
			out, first = orb.Bound{Min: orb.Point{a, c}, Max: orb.Point{a, c}}, false
		} else {
			out = out.Extend(orb.Point{a, c})
		}
		return nil
	}
	for i := 0; i <= boundSamples; i++ {
		f := float64(i) / boundSamples
		x := b.Min[0] + f*(b.Max[0]-b.Min[0])
		y := b.Min[1] + f*(b.Max[1]-b.Min[1])
		for _, p := range [][2]float64{{x, b.Min[1]}, {x, b.Max[1]}, {b.Min[0], y}, {b.Max[0], y}} {
			if err := add(p[0], p[1]); err != nil {
				return orb.Bound{}, fmt.Errorf("bounding box edge: %w", err)
			}
		}
	}
	return out, nil
}
