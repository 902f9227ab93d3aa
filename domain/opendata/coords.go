package opendata

import (
	"strconv"
	"strings"
)

// CoordSystem is a coordinate reference system a UK council's table uses
// for its map references, named by the identifier gis/crs parses. X is
// always the easting or longitude.
type CoordSystem string

const (
	CoordBNG    CoordSystem = "EPSG:27700" // British National Grid eastings and northings, metres (OSGB36)
	CoordWGS84  CoordSystem = "EPSG:4326"  // longitude and latitude, degrees (GPS, web maps)
	CoordETRS89 CoordSystem = "EPSG:4258"  // longitude and latitude, degrees (INSPIRE)
)

// Describe names the system as a publisher would know it.
func (c CoordSystem) Describe() string {
	switch c {
	case CoordBNG:
		return "British National Grid eastings/northings (EPSG:27700)"
	case CoordWGS84:
		return "WGS 84 longitude/latitude (EPSG:4326)"
	case CoordETRS89:
		return "ETRS89 longitude/latitude (EPSG:4258)"
	}
	return string(c)
}

// Geographic reports whether the system is in degrees.
func (c CoordSystem) Geographic() bool { return c == CoordWGS84 || c == CoordETRS89 }

var coordSystemLabels = map[string]CoordSystem{
	"wgs84": CoordWGS84, "wgs1984": CoordWGS84, "crs84": CoordWGS84, "latlong": CoordWGS84, "latlon": CoordWGS84,
	"lonlat": CoordWGS84, "longlat": CoordWGS84, "iso6709": CoordWGS84, "gps": CoordWGS84, "latitudelongitude": CoordWGS84,
	"osgb36": CoordBNG, "osgb1936": CoordBNG, "osgb": CoordBNG, "bng": CoordBNG, "britishnationalgrid": CoordBNG,
	"nationalgrid": CoordBNG, "osgb1936britishnationalgrid": CoordBNG, "osgb36britishnationalgrid": CoordBNG,
	"ordnancesurvey": CoordBNG, "osnationalgrid": CoordBNG, "osgrid": CoordBNG, "eastingnorthing": CoordBNG,
	"etrs89": CoordETRS89, "etrs1989": CoordETRS89,
}

var coordSystemEPSG = map[int]CoordSystem{27700: CoordBNG, 4326: CoordWGS84, 4258: CoordETRS89, 4277: CoordBNG}

// ParseCoordSystem reads a CRS as tables name it: the LGA schemas' "WGS84"
// and "OSGB36", "British National Grid", "EPSG:27700", a bare "27700", an
// OGC URN or URI, "CRS84".
func ParseCoordSystem(label string) (CoordSystem, bool) {
	k := headingKey(label)
	if c, ok := coordSystemLabels[k]; ok {
		return c, true
	}
	if strings.HasSuffix(k, "crs84") {
		return CoordWGS84, true
	}
	digitsAt := len(k)
	for digitsAt > 0 && k[digitsAt-1] >= '0' && k[digitsAt-1] <= '9' {
		digitsAt--
	}
	if digitsAt == len(k) || (digitsAt > 0 && !strings.HasSuffix(k[:digitsAt], "epsg")) {
		return "", false
	}
	code, err := strconv.Atoi(k[digitsAt:])
	if err != nil {
		return "", false
	}
	c, ok := coordSystemEPSG[code]
	return c, ok
}

// UK bounds of the two readings a council's coordinate pair can have. The
// grid bounds leave out the first kilometre, which is open sea and where a
// pair of degrees would fall if read as metres, so the readings never
// overlap.
const (
	minGrid, maxEasting, maxNorthing = 1000, 700000, 1300000
	minLon, maxLon, minLat, maxLat   = -9.0, 2.1, 49.0, 61.0
)

// InUKGrid reports whether an easting/northing lies on the British
// National Grid over Great Britain.
func InUKGrid(e, n float64) bool {
	return e >= minGrid && e <= maxEasting && n >= minGrid && n <= maxNorthing
}

// InUKDegrees reports whether a longitude/latitude lies over Great Britain
// or Northern Ireland.
func InUKDegrees(lon, lat float64) bool {
	return lon >= minLon && lon <= maxLon && lat >= minLat && lat <= maxLat
}

// UKReading is how a coordinate pair can be read for a UK council.
type UKReading struct {
	Grid       bool // x, y are easting, northing
	LonLat     bool // x, y are longitude, latitude
	LatLonSwap bool // x, y are latitude, longitude: the columns are the wrong way round
}

// ReadUK says which readings of the pair x, y put it in the UK.
func ReadUK(x, y float64) UKReading {
	return UKReading{Grid: InUKGrid(x, y), LonLat: InUKDegrees(x, y), LatLonSwap: InUKDegrees(y, x)}
}

// Only returns the one plausible reading, or "" when none or several are.
func (r UKReading) Only() CoordSystem {
	switch {
	case r.Grid && !r.LonLat && !r.LatLonSwap:
		return CoordBNG
	case r.LonLat && !r.Grid && !r.LatLonSwap:
		return CoordWGS84
	}
	return ""
}
