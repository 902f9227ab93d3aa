// Package crs identifies the coordinate reference systems councilapi
// supports (British National Grid, ETRS89, WGS84 and OGC CRS84) from the many
// spellings clients and files use, and transforms coordinates and orb
// geometries between them with their axis order handled.
//
// ETRS89 and WGS84 are treated as the same datum, as Ordnance Survey does for
// GeoJSON and GPS work (they differ by well under a metre in Britain);
// National Grid conversions use OSTN15 (package ostn15), so they agree with
// OS to a millimetre and fail outside OSTN15's extent rather than silently
// degrading.
package crs

import (
	"strings"

	"github.com/jointict/councilapi/domain"
)

// CRS is one of the supported coordinate reference systems. The zero value is
// not a CRS; Parse never returns it without an error.
type CRS uint8

const (
	// CRS84 is WGS84 longitude, latitude in degrees: the GeoJSON (RFC 7946)
	// and OGC API – Features default.
	CRS84 CRS = iota + 1
	// EPSG4326 is WGS84 latitude, longitude in degrees (EPSG axis order).
	EPSG4326
	// EPSG4258 is ETRS89 latitude, longitude in degrees (EPSG axis order).
	EPSG4258
	// EPSG27700 is OSGB36 / British National Grid easting, northing in metres.
	EPSG27700
)

// AxisOrder says which quantity comes first in a coordinate pair.
type AxisOrder uint8

const (
	// LonLat: x is longitude east, y is latitude north (CRS84).
	LonLat AxisOrder = iota + 1
	// LatLon: the first value is latitude, the second longitude (EPSG:4326,
	// EPSG:4258 as defined by EPSG, and in GML and OGC API responses).
	LatLon
	// EastNorth: easting then northing in metres (EPSG:27700).
	EastNorth
)

func (a AxisOrder) String() string {
	switch a {
	case LonLat:
		return "longitude,latitude"
	case LatLon:
		return "latitude,longitude"
	case EastNorth:
		return "easting,northing"
	}
	return "unknown axis order"
}

type info struct {
	uri, urn, code, name string
	epsg                 int
	axes                 AxisOrder
}

var infos = [...]info{
	CRS84: {"http://www.opengis.net/def/crs/OGC/1.3/CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84",
		"OGC:CRS84", "WGS 84 (CRS84, longitude/latitude)", 0, LonLat},
	EPSG4326: {"http://www.opengis.net/def/crs/EPSG/0/4326", "urn:ogc:def:crs:EPSG::4326",
		"EPSG:4326", "WGS 84", 4326, LatLon},
	EPSG4258: {"http://www.opengis.net/def/crs/EPSG/0/4258", "urn:ogc:def:crs:EPSG::4258",
		"EPSG:4258", "ETRS89", 4258, LatLon},
	EPSG27700: {"http://www.opengis.net/def/crs/EPSG/0/27700", "urn:ogc:def:crs:EPSG::27700",
		"EPSG:27700", "OSGB36 / British National Grid", 27700, EastNorth},
}

// Supported lists every supported CRS, CRS84 first as OGC API – Features
// requires of a collection's crs list.
func Supported() []CRS { return []CRS{CRS84, EPSG4326, EPSG4258, EPSG27700} }

func (c CRS) valid() bool { return c >= CRS84 && c <= EPSG27700 }

func (c CRS) info() info {
	if !c.valid() {
		return info{code: "unknown CRS"}
	}
	return infos[c]
}

// URI is the canonical OGC http URI, as used by OGC API – Features (crs,
// bbox-crs, Content-Crs) and as the JSON/text form.
func (c CRS) URI() string { return c.info().uri }

// URN is the OGC URN, the form WFS 2.0 and GML 3.2 srsName attributes use.
func (c CRS) URN() string { return c.info().urn }

// String is the short form, e.g. "EPSG:27700" or "OGC:CRS84".
func (c CRS) String() string { return c.info().code }

// Name is a human-readable name for HTML pages and metadata.
func (c CRS) Name() string { return c.info().name }

// EPSG is the EPSG code, or 0 for CRS84 (which has none).
func (c CRS) EPSG() int { return c.info().epsg }

// AxisOrder is the order of the coordinate values as the CRS defines them,
// which is how OGC API – Features and GML 3.2 exchange them.
func (c CRS) AxisOrder() AxisOrder { return c.info().axes }

// Geographic reports whether coordinates are latitude and longitude degrees.
func (c CRS) Geographic() bool { return c == CRS84 || c == EPSG4326 || c == EPSG4258 }

// XYOrder is the CRS to use for coordinates a file stores as x, y with
// longitude (or easting) first whatever the CRS definition says: Shapefile,
// GeoPackage, WKB and GeoJSON (even legacy files whose crs member names
// EPSG:4326) all do. Geographic CRSs map to CRS84, under the ETRS89 = WGS84
// convention; British National Grid is already easting, northing.
func (c CRS) XYOrder() CRS {
	if c.Geographic() {
		return CRS84
	}
	return c
}

// MarshalText writes the canonical URI, so a CRS in JSON is an OGC URI.
func (c CRS) MarshalText() ([]byte, error) {
	if !c.valid() {
		return nil, domain.Errorf(domain.CodeInvalid, "cannot encode an unknown CRS")
	}
	return []byte(c.URI()), nil
}

// UnmarshalText accepts every spelling Parse does.
func (c *CRS) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Allowed returns the canonical URIs of the supported CRSs, for error
// messages and the OGC API crs lists.
func Allowed() []string {
	out := make([]string, 0, 4)
	for _, c := range Supported() {
		out = append(out, c.URI())
	}
	return out
}

// Parse identifies a CRS from an OGC URI or URN (any version segment, http
// or https), an EPSG:n / OGC:CRS84 / CRS84 code, a safe CURIE such as
// [EPSG:27700], a bare EPSG number, the old GML form
// http://www.opengis.net/gml/srs/epsg.xml#27700, or WKT / .prj text (WKT1 as
// written by ESRI, GDAL and QGIS, and WKT2). Unsupported CRSs are a
// domain.CodeInvalid error listing the supported URIs.
func Parse(s string) (CRS, error) {
	// .prj files written on Windows may start with a byte order mark.
	t := strings.TrimSpace(strings.TrimPrefix(s, "\ufeff"))
	if len(t) > 2 && t[0] == '[' && t[len(t)-1] == ']' {
		t = strings.TrimSpace(t[1 : len(t)-1])
	}
	if c, ok := parseIdentifier(t); ok {
		return c, nil
	}
	if looksLikeWKT(t) {
		if c, ok := parseWKT(t); ok {
			return c, nil
		}
		return 0, unsupported("the WKT does not describe British National Grid, WGS 84 or ETRS89 geographic coordinates")
	}
	shown := t
	if len(shown) > 80 {
		shown = shown[:80] + "..."
	}
	return 0, unsupported("%q is not a supported CRS", shown)
}

func unsupported(format string, args ...any) error {
	e := domain.Errorf(domain.CodeInvalid, format, args...)
	e.Message += "; use one of the listed URIs (EPSG:27700, EPSG:4326, EPSG:4258 and CRS84 are also accepted)"
	e.Allowed = Allowed()
	return e
}

func byEPSG(code string) (CRS, bool) {
	switch strings.TrimLeft(code, "0") {
	case "4326":
		return EPSG4326, true
	case "4258":
		return EPSG4258, true
	case "27700":
		return EPSG27700, true
	}
	return 0, false
}

// parseIdentifier handles the code, URI and URN spellings, case-insensitively.
func parseIdentifier(s string) (CRS, bool) {
	l := strings.ToLower(s)
	for _, p := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(l, p); ok {
			return parseHTTP(rest)
		}
	}
	if rest, ok := strings.CutPrefix(l, "urn:"); ok {
		return parseURN(rest)
	}
	switch l {
	case "crs84", "ogc:crs84", "crs:84", "ogc:1.3:crs84":
		return CRS84, true
	}
	if rest, ok := strings.CutPrefix(l, "epsg:"); ok {
		return byEPSG(strings.TrimPrefix(rest, ":"))
	}
	if isDigits(l) {
		return byEPSG(l)
	}
	return 0, false
}

// parseHTTP accepts www.opengis.net/def/crs/{EPSG|OGC}/{version}/{code} and
// www.opengis.net/gml/srs/epsg.xml#{code}.
func parseHTTP(rest string) (CRS, bool) {
	rest = strings.TrimSuffix(strings.TrimPrefix(rest, "www."), "/")
	if code, ok := strings.CutPrefix(rest, "opengis.net/gml/srs/epsg.xml#"); ok {
		return byEPSG(code)
	}
	path, ok := strings.CutPrefix(rest, "opengis.net/def/crs/")
	if !ok {
		return 0, false
	}
	parts := strings.Split(path, "/")
	if len(parts) != 3 {
		return 0, false
	}
	switch parts[0] {
	case "epsg":
		return byEPSG(parts[2])
	case "ogc":
		if parts[2] == "crs84" {
			return CRS84, true
		}
	}
	return 0, false
}

// parseURN accepts ogc:def:crs:{EPSG|OGC}:{version}:{code}, where the version
// may be empty, and the pre-standard x-ogc and "EPSG:code" variants.
func parseURN(rest string) (CRS, bool) {
	rest = strings.TrimPrefix(rest, "x-")
	body, ok := strings.CutPrefix(rest, "ogc:def:crs:")
	if !ok {
		return 0, false
	}
	parts := strings.Split(body, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	code := parts[len(parts)-1]
	switch parts[0] {
	case "epsg":
		return byEPSG(code)
	case "ogc":
		if code == "crs84" {
			return CRS84, true
		}
	}
	return 0, false
}

func isDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
