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

var sinPhi0, cosPhi0 = math.Sincos(phi0)

// meridionalArc is M, the developed meridian distance from the true origin's
// latitude to phi, scaled by F0, returned with sin(phi) and cos(phi). Every
// trigonometric term of OS's formula, and phi's own sine and cosine, follow
// from the one sine/cosine pair of phi - phi0 by angle-sum and multiple-angle
// identities, so a call costs one Sincos instead of seven trigonometric
// evaluations; the values are the same to rounding.
func meridionalArc(phi float64) (m, sin, cos float64) {
	sd, cd := math.Sincos(phi - phi0)
	sin = sd*cosPhi0 + cd*sinPhi0
	cos = cd*cosPhi0 - sd*sinPhi0
	cs := cos*cosPhi0 - sin*sinPhi0 // cos(phi + phi0)
	sin2d := 2 * sd * cd
	cos2s := 2*cs*cs - 1
	sin3d := sd * (3 - 4*sd*sd)
	cos3s := cs * (4*cs*cs - 3)
	m = bF0 * (mA*(phi-phi0) - mB*sd*cs + mC*sin2d*cos2s - mD*sin3d*cos3s)
	return m, sin, cos
}

// project converts ETRS89 latitude and longitude in radians to ETRS89
// National Grid easting and northing in metres (OS guide C4).
func project(phi, lam float64) (e, n float64) {
	m, sin, cos := meridionalArc(phi)
	tan := sin / cos
	tan2 := tan * tan
	tan4 := tan2 * tan2
	w := 1 - e2*sin*sin
	nu := aF0 / math.Sqrt(w)
	rho := aF0 * (1 - e2) / (w * math.Sqrt(w))
	eta2 := nu/rho - 1

	cos3 := cos * cos * cos
	cos5 := cos3 * cos * cos
	i := m + n0
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

var sin2Phi0, cos2Phi0 = math.Sincos(2 * phi0)

// footpointGuess approximates the footpoint latitude to within about ten
// metres by inverting the first two terms of M (linear and sin(d)cos(s)),
// with polynomial sine and cosine: mu = d is below 0.25 rad on the grid, where
// the series are exact to 1e-8. Starting Newton there instead of at the
// guide's (N - N0)/(a F0) saves a whole evaluation of M.
func footpointGuess(n float64) float64 {
	mu := (n - n0) / (bF0 * mA)
	mu2 := mu * mu
	sinMu := mu * (1 - mu2/6*(1-mu2/20))
	cosMu := 1 - mu2/2*(1-mu2/12)
	cosS := cos2Phi0*cosMu - sin2Phi0*sinMu // cos(2 phi0 + mu)
	return phi0 + mu + mB/mA*sinMu*cosS
}

// unproject converts ETRS89 National Grid easting and northing to ETRS89
// latitude and longitude in radians (OS guide C6). The footpoint latitude
// phi' solves M(phi') = N - N0 to within 0.01 mm, the guide's criterion. The
// guide steps by (N - N0 - M)/(a F0), which gains about two digits per step;
// stepping by the same residual over dM/dphi (the meridian radius of
// curvature rho) is Newton's method on the same equation, reaching the same
// root in three steps instead of five or six.
func unproject(e, n float64) (phi, lam float64) {
	phiP := footpointGuess(n)
	var sin, cos, w float64
	// From footpointGuess one Newton step lands within 1e-7 m, so the loop
	// evaluates M twice; the bound only guards against NaN looping forever.
	for range 20 {
		var m float64
		m, sin, cos = meridionalArc(phiP)
		w = 1 - e2*sin*sin
		r := n - n0 - m
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
