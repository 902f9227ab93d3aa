// Package ostn15 transforms between ETRS89 and OSGB36 National Grid
// (EPSG:27700) with Ordnance Survey's OSTN15, the definitive transformation
// that defines the National Grid in terms of ETRS89.
//
// Both directions follow OS's "Transformations and OSGM15 user guide" and "A
// guide to coordinate systems in Great Britain": ETRS89 latitude/longitude is
// projected to ETRS89 National Grid coordinates on GRS80, the OSTN15 shifts
// are interpolated bilinearly from the 1 km grid and added; the reverse
// iterates the shift lookup until successive ETRS89 positions agree to
// 0.1 mm, then unprojects. Positions outside the 700 km x 1250 km OSTN15
// extent return an error wrapping ErrOutside: there is no fallback to an
// approximate Helmert transformation, whose metre-level error would pass
// silently into published data.
//
// The grid is embedded (about 400 kB) and decoded once, lazily, on first use
// or by Ready.
package ostn15

import (
	"errors"
	"fmt"
	"math"
)

// ErrOutside is wrapped by the error returned for positions outside the
// OSTN15 extent (or in a cell without data).
var ErrOutside = errors.New("position outside the OSTN15 transformation extent")

// Geographic window that contains the whole OSTN15 grid extent once
// unprojected (checked by a test). Rejecting inputs outside it first keeps
// far-away longitudes, for which the Transverse Mercator series are
// meaningless and could fold back onto the grid, from ever being shifted.
const (
	minLat, maxLat = 49.0, 62.0
	minLon, maxLon = -10.5, 4.5
)

const (
	degToRad = math.Pi / 180
	radToDeg = 180 / math.Pi
	// convergence is OS's stopping rule for the reverse iteration, metres.
	convergence = 0.0001
	// maxIterations bounds the reverse iteration; OS's test points converge
	// in three, and the shift gradient (< 1e-4) guarantees fast contraction.
	maxIterations = 20
)

func outside(e, n float64) error {
	return fmt.Errorf("%w: ETRS89 grid position %.3f,%.3f is not within 0..%d m east, 0..%d m north",
		ErrOutside, e, n, int(MaxEasting), int(MaxNorthing))
}

// ToNationalGrid transforms an ETRS89 (or, to OS's stated accuracy, WGS84)
// latitude and longitude in degrees to OSGB36 National Grid easting and
// northing in metres.
func ToNationalGrid(lat, lon float64) (easting, northing float64, err error) {
	g, err := load()
	if err != nil {
		return 0, 0, err
	}
	return g.toNationalGrid(lat, lon)
}

// FromNationalGrid transforms OSGB36 National Grid easting and northing in
// metres to ETRS89 latitude and longitude in degrees.
func FromNationalGrid(easting, northing float64) (lat, lon float64, err error) {
	g, err := load()
	if err != nil {
		return 0, 0, err
	}
	return g.fromNationalGrid(easting, northing)
}

func (g *grid) toNationalGrid(lat, lon float64) (float64, float64, error) {
	if !(lat >= minLat && lat <= maxLat && lon >= minLon && lon <= maxLon) {
		return 0, 0, fmt.Errorf("%w: latitude %g, longitude %g is not within %g..%g N, %g..%g E",
			ErrOutside, lat, lon, minLat, maxLat, minLon, maxLon)
	}
	e, n := project(lat*degToRad, lon*degToRad)
	se, sn, err := g.shift(e, n)
	if err != nil {
		return 0, 0, err
	}
	return e + se, n + sn, nil
}

func (g *grid) fromNationalGrid(easting, northing float64) (float64, float64, error) {
	e, n, err := g.etrs89Grid(easting, northing)
	if err != nil {
		return 0, 0, err
	}
	phi, lam := unproject(e, n)
	return phi * radToDeg, lam * radToDeg, nil
}

// etrs89Grid inverts the shift: starting from the OSGB36 position, look the
// shifts up at the current ETRS89 estimate and subtract them from the OSGB36
// position, until the estimate moves by no more than 0.1 mm.
func (g *grid) etrs89Grid(easting, northing float64) (float64, float64, error) {
	if !(easting >= 0 && easting <= MaxEasting+200 && northing >= -200 && northing <= MaxNorthing) {
		// The shifts are about +90..+111 m east and -84..-50 m north, so
		// a National Grid position more than 200 m beyond the grid cannot
		// come from a point inside it; say so in National Grid terms.
		return 0, 0, fmt.Errorf("%w: National Grid position %.3f,%.3f is beyond its OSTN15 coverage",
			ErrOutside, easting, northing)
	}
	e, n := easting, northing
	for range maxIterations {
		// Estimates near an edge may stray just off the grid (the first
		// one is the OSGB36 position itself, ~100 m from the answer), so
		// they are looked up at the nearest grid position; only the
		// converged position has to lie on the grid.
		se, sn, err := g.shift(min(max(e, 0), MaxEasting), min(max(n, 0), MaxNorthing))
		if err != nil {
			return 0, 0, err
		}
		ne, nn := easting-se, northing-sn
		done := math.Abs(ne-e) <= convergence && math.Abs(nn-n) <= convergence
		e, n = ne, nn
		if done {
			if !(e >= 0 && e <= MaxEasting && n >= 0 && n <= MaxNorthing) {
				return 0, 0, outside(e, n)
			}
			return e, n, nil
		}
	}
	return 0, 0, fmt.Errorf("OSTN15 reverse iteration did not converge at National Grid %.3f,%.3f", easting, northing)
}
