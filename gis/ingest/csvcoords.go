package ingest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// Coordinate column headings, folded as opendata.FoldHeading folds them
// (case, spaces, underscores and punctuation ignored: "EASTING_M" is
// "eastingm", "LAT_WGS84" is "latwgs84").
var (
	gridXNames = []string{"easting", "eastings", "east", "bngeasting", "osgbeasting", "eastingm", "gridx", "osgridx",
		"gridreferenceeasting", "eastingx", "xeasting"}
	gridYNames = []string{"northing", "northings", "north", "bngnorthing", "osgbnorthing", "northingm", "gridy", "osgridy",
		"gridreferencenorthing", "northingy", "ynorthing"}
	degXNames = []string{"longitude", "long", "lon", "lng", "wgs84longitude", "longwgs84", "lonwgs84", "longitudewgs84",
		"longdd", "decimallongitude", "longitudex"}
	degYNames = []string{"latitude", "lat", "wgs84latitude", "latwgs84", "latitudewgs84", "latdd", "decimallatitude", "latitudey"}
	// Headings that say nothing of the CRS: the LGA schemas' GeoX/GeoY
	// (whose CoordinateReferenceSystem column says WGS84 or OSGB36), X/Y.
	anyXNames = []string{"geox", "x", "xcoord", "xcoordinate", "xcoordinates", "coordx", "pointx", "mapx", "mapreferencex", "xco"}
	anyYNames = []string{"geoy", "y", "ycoord", "ycoordinate", "ycoordinates", "coordy", "pointy", "mapy", "mapreferencey", "yco"}
	crsNames  = []string{"coordinatereferencesystem", "crs", "srs", "srid", "epsg", "epsgcode", "coordinatesystem",
		"spatialreference", "spatialreferencesystem", "projection"}
	// Geometry columns: WKT as ogr2ogr writes it (GEOMETRY=AS_WKT), MapInfo
	// and PostGIS exports' the_geom, or GeoJSON geometries in a cell.
	geometryNames = []string{"wkt", "thegeom", "wktgeom", "wktgeometry", "geometrywkt", "geometry", "geom", "shape",
		"geojson", "geojsongeometry", "geometryjson", "geometrygeojson"}
)

// How a CSV's CRS was decided.
const (
	CRSFromOption  = "option"       // the upload named it
	CRSFromColumn  = "crs-column"   // a CoordinateReferenceSystem column says it, per row
	CRSFromNames   = "column-names" // easting/northing are metres, latitude/longitude degrees
	CRSFromValues  = "values"       // only one reading puts the values in the UK
	CRSFromSRID    = "srid"         // an EWKT SRID=27700; prefix
	CRSFromGeoJSON = "geojson"      // RFC 7946: GeoJSON is longitude/latitude
)

// CSVCoordinates says where a CSV's rows keep their locations and in which
// CRS: a pair of coordinate columns, a WKT column, or GeoJSON geometries in
// a cell.
type CSVCoordinates struct {
	Kind      string `json:"kind"` // "xy", "wkt" or "geojson"
	X         string `json:"x,omitempty"`
	Y         string `json:"y,omitempty"`
	Geometry  string `json:"geometry,omitempty"`
	CRSColumn string `json:"crsColumn,omitempty"` // a per-row CRS column
	CRS       string `json:"crs"`                 // EPSG:27700, the CRS84 URI, EPSG:4258
	CRSFrom   string `json:"crsFrom"`
	Note      string `json:"note,omitempty"` // how the CRS was decided, in words

	xi, yi, gi, ci int
}

// Describe says what was found, e.g. "coordinate columns EASTING/NORTHING
// in EPSG:27700 (from the column names)".
func (c *CSVCoordinates) Describe() string {
	var s string
	switch c.Kind {
	case "xy":
		s = fmt.Sprintf("coordinate columns %s/%s", c.X, c.Y)
	case "wkt":
		s = fmt.Sprintf("a WKT geometry column %s", c.Geometry)
	default:
		s = fmt.Sprintf("GeoJSON geometries in column %s", c.Geometry)
	}
	s += " in " + crsLabel(c.CRS)
	if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	return s
}

// Advice is the warning for a CSV published as a plain table although it
// could be mapped.
func (c *CSVCoordinates) Advice() string {
	return "this CSV has " + c.Describe() + `; it was published as a table only. To publish it as spatial data ` +
		`(map, GeoJSON, OGC API – Features), give the dataset an "inspire" block with PATCH and upload the file again`
}

func crsLabel(id string) string {
	if id == crs84 {
		return "CRS84 (longitude/latitude)"
	}
	return id
}

// DetectCSVCoordinates looks for coordinate columns in a CSV's header and
// the first rows, as the spatial CSV reader does: for the pipeline to tell a
// publisher that a table it is publishing could be a map. It returns nil
// when the file has none; an error when it has some but their CRS cannot be
// decided (the error says which option decides it).
func DetectCSVCoordinates(header []string, sample [][]string) (*CSVCoordinates, error) {
	return detectCoordinates(header, sample, Options{})
}

func noCoordinates(header []string) error {
	return &domain.Error{Code: domain.CodeInvalid, Message: "CSV has no recognisable coordinate columns",
		Fields: []domain.FieldProblem{{Field: "xColumn",
			Problem: "name the columns (easting/northing, longitude/latitude, GeoX/GeoY, x/y, or a WKT or GeoJSON geometry column) or set xColumn and yColumn"}},
		Allowed: header}
}

func findColumn(keys []string, names []string) int {
	for _, n := range names {
		if i := slices.Index(keys, n); i >= 0 {
			return i
		}
	}
	return -1
}

// detectCoordinates picks the location columns and decides their CRS; nil
// and no error when the file has none.
func detectCoordinates(header []string, sample [][]string, o Options) (*CSVCoordinates, error) {
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = opendata.FoldHeading(h)
	}
	c := &CSVCoordinates{xi: -1, yi: -1, gi: -1, ci: findColumn(keys, crsNames)}
	if c.ci >= 0 {
		c.CRSColumn = header[c.ci]
	}
	missing := func(field, name string) error {
		return &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("CSV has no column %q", name),
			Fields: []domain.FieldProblem{{Field: field, Problem: "name one of the CSV columns"}}, Allowed: header}
	}
	find := func(name string) int {
		return slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(h, strings.TrimSpace(name)) })
	}
	implied := ""
	switch {
	case o.GeometryColumn != "":
		if c.gi = find(o.GeometryColumn); c.gi < 0 {
			return nil, missing("geometryColumn", o.GeometryColumn)
		}
	case o.XColumn != "" || o.YColumn != "":
		if c.xi = find(o.XColumn); c.xi < 0 {
			return nil, missing("xColumn", o.XColumn)
		}
		if c.yi = find(o.YColumn); c.yi < 0 {
			return nil, missing("yColumn", o.YColumn)
		}
		implied = impliedCRS(keys[c.xi])
	default:
		// A geometry column carries the whole geometry, so it beats
		// coordinate pairs, which may be mere attributes (a polygon's
		// centroid, MapInfo's EASTING/NORTHING beside the_geom).
		c.gi = geometryColumn(keys, sample)
		if c.gi < 0 {
			for _, set := range []struct{ x, y []string }{{gridXNames, gridYNames}, {degXNames, degYNames}, {anyXNames, anyYNames}} {
				if xi, yi := findColumn(keys, set.x), findColumn(keys, set.y); xi >= 0 && yi >= 0 {
					c.xi, c.yi = xi, yi
					implied = impliedCRS(keys[xi])
					break
				}
			}
		}
		if c.gi < 0 && c.xi < 0 {
			return nil, nil
		}
	}
	if c.gi >= 0 {
		c.Geometry, c.Kind = header[c.gi], "wkt"
		if looksGeoJSON(firstValue(sample, c.gi)) {
			c.Kind = "geojson"
		}
	} else {
		c.X, c.Y, c.Kind = header[c.xi], header[c.yi], "xy"
	}
	return c, c.decideCRS(o.CRS, implied, sample)
}

func impliedCRS(xKey string) string {
	switch {
	case slices.Contains(gridXNames, xKey):
		return "EPSG:27700"
	case slices.Contains(degXNames, xKey):
		return crs84
	}
	return ""
}

// geometryColumn finds a WKT or GeoJSON column: by name, or failing that by
// its first value.
func geometryColumn(keys []string, sample [][]string) int {
	for _, name := range geometryNames {
		if i := slices.Index(keys, name); i >= 0 {
			if v := firstValue(sample, i); v == "" || looksWKT(v) || looksGeoJSON(v) {
				return i
			}
		}
	}
	for i := range keys {
		if v := firstValue(sample, i); looksWKT(v) || looksGeoJSON(v) {
			return i
		}
	}
	return -1
}

func firstValue(sample [][]string, i int) string {
	for _, row := range sample {
		if i < len(row) && strings.TrimSpace(row[i]) != "" {
			return strings.TrimSpace(row[i])
		}
	}
	return ""
}

var wktKeywords = []string{"POINT", "MULTIPOINT", "LINESTRING", "MULTILINESTRING", "POLYGON", "MULTIPOLYGON", "GEOMETRYCOLLECTION"}

func looksWKT(v string) bool {
	u := strings.ToUpper(strings.TrimSpace(v))
	if strings.HasPrefix(u, "SRID=") {
		return true
	}
	for _, k := range wktKeywords {
		if rest, ok := strings.CutPrefix(u, k); ok && strings.HasPrefix(strings.TrimLeft(rest, " ZM"), "(") {
			return true
		}
	}
	return false
}

func looksGeoJSON(v string) bool {
	v = strings.TrimSpace(v)
	return strings.HasPrefix(v, "{") && strings.Contains(v, `"type"`) && strings.Contains(v, `"coordinates"`)
}

// cellGeometry decodes a WKT (or EWKT) or GeoJSON cell; srid is the EWKT
// SRID, 0 when none.
func cellGeometry(cell string) (g orb.Geometry, srid int, err error) {
	cell = strings.TrimSpace(cell)
	if looksGeoJSON(cell) {
		gj, err := geojson.UnmarshalGeometry([]byte(cell))
		if err != nil {
			return nil, 0, err
		}
		return gj.Geometry(), 0, nil
	}
	if head, rest, ok := strings.Cut(cell, ";"); ok && strings.HasPrefix(strings.ToUpper(head), "SRID=") {
		if srid, err = strconv.Atoi(strings.TrimSpace(head[5:])); err != nil {
			return nil, 0, fmt.Errorf("%q is not an EWKT SRID", head)
		}
		cell = rest
	}
	g, err = wkt.Unmarshal(cell)
	return g, srid, err
}

// samplePoint is a representative coordinate of a geometry, for reading
// its value range.
func samplePoint(g orb.Geometry) (orb.Point, bool) {
	if g == nil {
		return orb.Point{}, false
	}
	return g.Bound().Center(), true
}
