package ostn15

import "math"

// National Grid Transverse Mercator on the GRS80 ellipsoid, which is how
// OSTN15 is defined: ETRS89 latitude/longitude is projected with the National
// Grid parameters but the ETRS89 ellipsoid, then shifted. The series below
// are those of OS's "A guide to coordinate systems in Great Britain",
// annex C, term for term, because OS computed its test vectors with them and
// the sub-millimetre agreement depends on using the same truncation.
const (
	grs80A = 6378137.0
	grs80B = 6356752.3141
	f0     = 0.9996012717 // central meridian scale factor
	e0     = 400000.0     // false easting of the true origin
	n0     = -100000.0    // false northing of the true origin
	phi0   = 49 * math.Pi / 180
	lam0   = -2 * math.Pi / 180

	aF0 = grs80A * f0
	bF0 = grs80B * f0
	e2  = (grs80A*grs80A - grs80B*grs80B) / (grs80A * grs80A)
	nn  = (grs80A - grs80B) / (grs80A + grs80B)

	// Coefficients of the meridional arc M (OS guide C3).
	mA = 1 + nn + 5.0/4*nn*nn + 5.0/4*nn*nn*nn
	mB = 3*nn + 3*nn*nn + 21.0/8*nn*nn*nn
	mC = 15.0/8*nn*nn + 15.0/8*nn*nn*nn
	mD = 35.0 / 24 * nn * nn * nn
)

// meridionalArc is M, the developed meridian distance from the true origin's
// latitude to phi, scaled by F0. The multiple-angle terms of OS's formula are
// expanded from sin(d) and cos(s) so one call costs two trigonometric
// evaluations instead of six; the value is the same to rounding.
func meridionalArc(phi float64) float64 {
	sd, cd := math.Sincos(phi - phi0)
	cs := math.Cos(phi + phi0)
	sin2d := 2 * sd * cd
	cos2s := 2*cs*cs - 1
	sin3d := sd * (3 - 4*sd*sd)
	cos3s := cs * (4*cs*cs - 3)
	return bF0 * (mA*(phi-phi0) - mB*sd*cs + mC*sin2d*cos2s - mD*sin3d*cos3s)
}

// project converts ETRS89 latitude and longitude in radians to ETRS89
// National Grid easting and northing in metres (OS guide C4).
func project(phi, lam float64) (e, n float64) {
	sin, cos := math.Sincos(phi)
	tan := sin / cos
	tan2 := tan * tan
	tan4 := tan2 * tan2
	w := 1 - e2*sin*sin
	nu := aF0 / math.Sqrt(w)
	rho := aF0 * (1 - e2) / (w * math.Sqrt(w))
	eta2 := nu/rho - 1

	cos3 := cos * cos * cos
	cos5 := cos3 * cos * cos
	i := meridionalArc(phi) + n0
	ii := nu / 2 * sin * cos
	iii := nu / 24 * sin * cos3 * (5 - tan2 + 9*eta2)
	iiiA := nu / 720 * sin * cos5 * (61 - 58*tan2 + tan4)
	iv := nu * cos
	v := nu / 6 * cos3 * (nu/rho - tan2)
	vi := nu / 120 * cos5 * (5 - 18*tan2 + tan4 + 14*eta2 - 58*tan2*eta2)

	l := lam - lam0
	l2 := l * l
	n = i + l2*(ii+l2*(iii+l2*iiiA))
	e = e0 + l*(iv+l2*(v+l2*vi))
	return e, n
}

// unproject converts ETRS89 National Grid easting and northing to ETRS89
// latitude and longitude in radians (OS guide C6). The footpoint latitude
// phi' solves M(phi') = N - N0 to within 0.01 mm, the guide's criterion. The
// guide steps by (N - N0 - M)/(a F0), which gains about two digits per step;
// stepping by the same residual over dM/dphi (the meridian radius of
// curvature rho) is Newton's method on the same equation, reaching the same
// root in three steps instead of five or six.
func unproject(e, n float64) (phi, lam float64) {
	phiP := (n-n0)/aF0 + phi0
	var sin, cos, w float64
	// The bound only guards against NaN looping forever: Newton converges
	// in at most four steps anywhere on the grid.
	for range 20 {
		sin, cos = math.Sincos(phiP)
		w = 1 - e2*sin*sin
		r := n - n0 - meridionalArc(phiP)
		if math.Abs(r) < 0.00001 {
			break
		}
		phiP += r * w * math.Sqrt(w) / (aF0 * (1 - e2))
	}
	tan := sin / cos
	tan2 := tan * tan
	tan4 := tan2 * tan2
	sec := 1 / cos
	nu := aF0 / math.Sqrt(w)
	rho := aF0 * (1 - e2) / (w * math.Sqrt(w))
	eta2 := nu/rho - 1
	nu3 := nu * nu * nu
	nu5 := nu3 * nu * nu
	nu7 := nu5 * nu * nu

	vii := tan / (2 * rho * nu)
	viii := tan / (24 * rho * nu3) * (5 + 3*tan2 + eta2 - 9*tan2*eta2)
	ix := tan / (720 * rho * nu5) * (61 + 90*tan2 + 45*tan4)
	x := sec / nu
	xi := sec / (6 * nu3) * (nu/rho + 2*tan2)
	xii := sec / (120 * nu5) * (5 + 28*tan2 + 24*tan4)
	xiiA := sec / (5040 * nu7) * (61 + 662*tan2 + 1320*tan4 + 720*tan4*tan2)

	d := e - e0
	d2 := d * d
	phi = phiP - d2*(vii-d2*(viii-d2*ix))
	lam = lam0 + d*(x-d2*(xi-d2*(xii-d2*xiiA)))
	return phi, lam
}
