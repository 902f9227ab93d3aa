package ingest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// wkbReader decodes WKB with Z, M or ZM positions (ISO codes 1001..3007 and
// the EWKB flag bits GDAL also writes), keeping x and y: orb's decoder
// refuses anything but 2D, and a 3D GeoPackage must still publish.
type wkbReader struct {
	b         []byte
	off       int
	lim       Limits
	seen      int
	extraDims bool
}

var errWKBShort = errors.New("WKB ends early")

func decodeWKB(b []byte, lim Limits) (orb.Geometry, bool, error) {
	r := &wkbReader{b: b, lim: lim}
	g, err := r.geometry(0)
	return g, r.extraDims, err
}

func (r *wkbReader) need(n int) error {
	if n < 0 || len(r.b)-r.off < n {
		return errWKBShort
	}
	return nil
}

func (r *wkbReader) uint32(order binary.ByteOrder) (uint32, error) {
	if err := r.need(4); err != nil {
		return 0, err
	}
	v := order.Uint32(r.b[r.off:])
	r.off += 4
	return v, nil
}

// count reads an element count and checks that many elements of at least
// minBytes each can still follow, so a corrupt count cannot allocate.
func (r *wkbReader) count(order binary.ByteOrder, minBytes int) (int, error) {
	n, err := r.uint32(order)
	if err != nil {
		return 0, err
	}
	if int64(n)*int64(minBytes) > int64(len(r.b)-r.off) {
		return 0, fmt.Errorf("WKB count %d exceeds the remaining bytes", n)
	}
	return int(n), nil
}

func (r *wkbReader) geometry(depth int) (orb.Geometry, error) {
	if depth > 8 {
		return nil, errors.New("WKB collections nested too deeply")
	}
	if err := r.need(5); err != nil {
		return nil, err
	}
	var order binary.ByteOrder = binary.LittleEndian
	switch r.b[r.off] {
	case 0:
		order = binary.BigEndian
	case 1:
	default:
		return nil, fmt.Errorf("bad WKB byte order %d", r.b[r.off])
	}
	r.off++
	code, _ := r.uint32(order)
	dims := 2
	if code&0x80000000 != 0 { // EWKB Z
		dims++
	}
	if code&0x40000000 != 0 { // EWKB M
		dims++
	}
	if code&0x20000000 != 0 { // EWKB SRID
		if _, err := r.uint32(order); err != nil {
			return nil, err
		}
	}
	code &= 0x0fffffff
	switch code / 1000 {
	case 1, 2:
		dims++
	case 3:
		dims += 2
	}
	if dims > 2 {
		r.extraDims = true
	}
	width := 8 * dims
	switch code % 1000 {
	case 1:
		p, err := r.point(order, width)
		if err == nil && math.IsNaN(p[0]) && math.IsNaN(p[1]) {
			return nil, nil // the empty point
		}
		return p, err
	case 2:
		pts, err := r.points(order, width)
		return orb.LineString(pts), err
	case 3:
		return r.polygon(order, width)
	case 4, 5, 6, 7:
		n, err := r.count(order, 9)
		if err != nil {
			return nil, err
		}
		if n > r.lim.MaxParts {
			return nil, fmt.Errorf("more than %d parts", r.lim.MaxParts)
		}
		parts := make([]orb.Geometry, 0, n)
		for i := 0; i < n; i++ {
			g, err := r.geometry(depth + 1)
			if err != nil {
				return nil, err
			}
			parts = append(parts, g)
		}
		return collect(code%1000, parts)
	}
	return nil, fmt.Errorf("unsupported WKB geometry type %d", code)
}

func collect(kind uint32, parts []orb.Geometry) (orb.Geometry, error) {
	switch kind {
	case 4:
		mp := make(orb.MultiPoint, 0, len(parts))
		for _, g := range parts {
			p, ok := g.(orb.Point)
			if !ok {
				continue // an empty point
			}
			mp = append(mp, p)
		}
		return mp, nil
	case 5:
		ml := make(orb.MultiLineString, 0, len(parts))
		for _, g := range parts {
			l, ok := g.(orb.LineString)
			if !ok {
				return nil, errors.New("MultiLineString member is not a LineString")
			}
			ml = append(ml, l)
		}
		return ml, nil
	case 6:
		mp := make(orb.MultiPolygon, 0, len(parts))
		for _, g := range parts {
			p, ok := g.(orb.Polygon)
			if !ok {
				return nil, errors.New("MultiPolygon member is not a Polygon")
			}
			mp = append(mp, p)
		}
		return mp, nil
	}
	col := make(orb.Collection, 0, len(parts))
	for _, g := range parts {
		if g != nil {
			col = append(col, g)
		}
	}
	return col, nil
}

func (r *wkbReader) point(order binary.ByteOrder, width int) (orb.Point, error) {
	if err := r.need(width); err != nil {
		return orb.Point{}, err
	}
	r.seen++
	if r.seen > r.lim.MaxPoints {
		return orb.Point{}, fmt.Errorf("more than %d points", r.lim.MaxPoints)
	}
	x := math.Float64frombits(order.Uint64(r.b[r.off:]))
	y := math.Float64frombits(order.Uint64(r.b[r.off+8:]))
	r.off += width
	return orb.Point{x, y}, nil
}

func (r *wkbReader) points(order binary.ByteOrder, width int) ([]orb.Point, error) {
	n, err := r.count(order, width)
	if err != nil {
		return nil, err
	}
	pts := make([]orb.Point, n)
	for i := range pts {
		if err := r.need(width); err != nil {
			return nil, err
		}
		r.seen++
		if r.seen > r.lim.MaxPoints {
			return nil, fmt.Errorf("more than %d points", r.lim.MaxPoints)
		}
		pts[i] = orb.Point{math.Float64frombits(order.Uint64(r.b[r.off:])), math.Float64frombits(order.Uint64(r.b[r.off+8:]))}
		r.off += width
	}
	return pts, nil
}

func (r *wkbReader) polygon(order binary.ByteOrder, width int) (orb.Polygon, error) {
	n, err := r.count(order, 4)
	if err != nil {
		return nil, err
	}
	if n > r.lim.MaxParts {
		return nil, fmt.Errorf("more than %d rings", r.lim.MaxParts)
	}
	p := make(orb.Polygon, 0, n)
	for i := 0; i < n; i++ {
		pts, err := r.points(order, width)
		if err != nil {
			return nil, err
		}
		p = append(p, orb.Ring(pts))
	}
	return p, nil
}
