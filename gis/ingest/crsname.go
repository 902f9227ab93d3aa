package ingest

import (
	"regexp"
	"strconv"
	"strings"
)

// This file only recognises CRS identifiers well enough to pick an axis
// order and a plausible coordinate range; gis/crs does real CRS parsing.

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

type crsKindT int

const (
	kindUnknown crsKindT = iota
	kindGeographic
	kindBNG
)

var (
	// urn:ogc:def:crs:EPSG::4258, urn:ogc:def:crs:EPSG:6.6:4258,
	// urn:x-ogc:def:crs:EPSG:4258
	epsgURN = regexp.MustCompile(`(?i)^urn:(x-)?ogc:def:crs:epsg:(?:[0-9.]*:)?(\d+)$`)
	// http(s)://www.opengis.net/def/crs/EPSG/0/4258
	epsgURI = regexp.MustCompile(`(?i)^https?://www\.opengis\.net/def/crs/epsg/[0-9.]+/(\d+)$`)
	// EPSG:4258 and the GML 2 form http://www.opengis.net/gml/srs/epsg.xml#4258
	epsgShort = regexp.MustCompile(`(?i)^(epsg:|https?://www\.opengis\.net/gml/srs/epsg\.xml#)(\d+)$`)
	crs84RE   = regexp.MustCompile(`(?i)(^|[:/])CRS:?84$`)
)

// latFirstEPSG are geographic (and one projected) EPSG CRSs whose
// authoritative axis order puts latitude or northing first.
var latFirstEPSG = map[int]bool{
	4326: true, 4258: true, 4277: true, 4230: true, 4269: true, 4283: true,
	4937: true, 4979: true,
	3035: true, // ETRS89-LAEA, common in INSPIRE: northing, easting
}

var geographicEPSG = map[int]bool{4326: true, 4258: true, 4277: true, 4230: true, 4269: true, 4283: true, 4937: true, 4979: true}

// epsgCode extracts the EPSG code from the identifier forms above. authoritative
// is true for URNs and OGC URIs, whose axis order is the EPSG one; the short
// "EPSG:n" and GML 2 forms follow the lon,lat convention of WFS 1.0 and most
// software.
func epsgCode(crs string) (code int, authoritative, ok bool) {
	crs = strings.TrimSpace(crs)
	if m := epsgURN.FindStringSubmatch(crs); m != nil {
		n, err := strconv.Atoi(m[2])
		return n, true, err == nil
	}
	if m := epsgURI.FindStringSubmatch(crs); m != nil {
		n, err := strconv.Atoi(m[1])
		return n, true, err == nil
	}
	if m := epsgShort.FindStringSubmatch(crs); m != nil {
		n, err := strconv.Atoi(m[2])
		return n, false, err == nil
	}
	return 0, false, false
}

// axisLatFirst reports whether coordinates in srsName are stored
// latitude/northing first.
func axisLatFirst(srsName string) bool {
	code, auth, ok := epsgCode(srsName)
	return ok && auth && latFirstEPSG[code]
}

func crsKind(crs string) crsKindT {
	if crs84RE.MatchString(strings.TrimSpace(crs)) {
		return kindGeographic
	}
	if code, _, ok := epsgCode(crs); ok {
		switch {
		case geographicEPSG[code]:
			return kindGeographic
		case code == 27700:
			return kindBNG
		}
		return kindUnknown
	}
	wkt := strings.ToUpper(strings.TrimSpace(crs))
	switch {
	case strings.HasPrefix(wkt, "GEOGCS[") || strings.HasPrefix(wkt, "GEOGCRS[") || strings.HasPrefix(wkt, "GEODCRS["):
		return kindGeographic
	case (strings.HasPrefix(wkt, "PROJCS[") || strings.HasPrefix(wkt, "PROJCRS[")) &&
		(strings.Contains(wkt, "BRITISH_NATIONAL_GRID") || strings.Contains(wkt, "BRITISH NATIONAL GRID") ||
			strings.Contains(wkt, `"27700"`) || strings.Contains(wkt, "EPSG\",27700")):
		return kindBNG
	}
	return kindUnknown
}
