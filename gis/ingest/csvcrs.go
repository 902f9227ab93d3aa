package ingest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/paulmach/orb"
)

// crsID is the identifier the readers report for a table's CRS.
func crsID(s opendata.CoordSystem) string {
	if s == opendata.CoordWGS84 {
		return crs84
	}
	return string(s)
}

// decideCRS settles the CRS: the upload's option, else a CRS column, else
// the column names, else the values when only one reading puts them in the
// UK (National Grid metres and degrees never overlap there).
func (c *CSVCoordinates) decideCRS(option, implied string, sample [][]string) error {
	if option != "" {
		c.CRS, c.CRSFrom = option, CRSFromOption
		return nil
	}
	if c.ci >= 0 {
		if sys, n, others := commonCRS(sample, c.ci); n > 0 {
			c.CRS, c.CRSFrom = crsID(sys), CRSFromColumn
			c.Note = fmt.Sprintf("from its %s column", c.CRSColumn)
			if others {
				c.Note += "; rows in another CRS are transformed to it"
			}
			return nil
		}
	}
	pts, srid := c.samplePoints(sample)
	if srid != 0 {
		if sys, ok := opendata.ParseCoordSystem("EPSG:" + strconv.Itoa(srid)); ok {
			c.CRS, c.CRSFrom, c.Note = crsID(sys), CRSFromSRID, fmt.Sprintf("from its EWKT SRID=%d", srid)
			return nil
		}
		c.CRS, c.CRSFrom = "EPSG:"+strconv.Itoa(srid), CRSFromSRID
		return nil
	}
	only, swapped := readPositions(pts)
	axes, unsaid := c.Geometry, "the CSV geometry column "+c.Geometry+" does not say which CRS it uses"
	if c.Kind == "xy" {
		axes = c.X + "/" + c.Y
		unsaid = "the CSV coordinate columns " + axes + " do not say which CRS they use"
	}
	switch {
	case swapped && c.Kind == "xy":
		return &domain.Error{Code: domain.CodeInvalid,
			Message: fmt.Sprintf("the CSV columns %s hold latitude first: %s has values such as %g, which can only be a UK latitude", axes, c.X, pts[0][0]),
			Fields: []domain.FieldProblem{{Field: "xColumn", Problem: fmt.Sprintf(
				"to read them the other way round, upload with xColumn=%s and yColumn=%s", c.Y, c.X)}}}
	case implied != "" && (only == "" || crsID(only) == implied):
		c.CRS, c.CRSFrom, c.Note = implied, CRSFromNames, "from the column names"
	case only != "":
		c.CRS, c.CRSFrom = crsID(only), CRSFromValues
		c.Note = fmt.Sprintf("inferred from the values: every one of the %d positions in the first rows is %s over the UK, and none could be read the other way", len(pts), readingWords(only))
		if implied != "" {
			c.Note = fmt.Sprintf("the columns are named for %s but every one of the %d positions in the first rows is %s over the UK",
				crsLabel(implied), len(pts), readingWords(only))
		}
	case c.Kind == "geojson":
		c.CRS, c.CRSFrom, c.Note = crs84, CRSFromGeoJSON, "GeoJSON geometries are longitude/latitude (RFC 7946)"
	default:
		why := "their names do not say and the first rows hold no coordinates"
		if len(pts) > 0 {
			why = fmt.Sprintf("their names do not say and the values (such as %g, %g) are not all one kind of UK position", pts[0][0], pts[0][1])
		}
		return &domain.Error{Code: domain.CodeInvalid,
			Message: unsaid + ": " + why,
			Fields: []domain.FieldProblem{{Field: "crs",
				Problem: "name the CRS (for example EPSG:27700 for eastings/northings or EPSG:4326 for longitude/latitude)"}}}
	}
	return nil
}

func readingWords(s opendata.CoordSystem) string {
	if s == opendata.CoordBNG {
		return "a British National Grid easting/northing in metres"
	}
	return "a longitude/latitude in degrees"
}

// commonCRS is the commonest CRS a CRS column names in the sample, and
// whether rows name others.
func commonCRS(sample [][]string, ci int) (opendata.CoordSystem, int, bool) {
	counts := map[opendata.CoordSystem]int{}
	var best opendata.CoordSystem
	for _, row := range sample {
		if ci >= len(row) {
			continue
		}
		if sys, ok := opendata.ParseCoordSystem(row[ci]); ok {
			counts[sys]++
			if counts[sys] > counts[best] {
				best = sys
			}
		}
	}
	return best, counts[best], len(counts) > 1
}

// samplePoints collects the sample's positions, and the first EWKT SRID.
func (c *CSVCoordinates) samplePoints(sample [][]string) ([]orb.Point, int) {
	var pts []orb.Point
	srid := 0
	for _, row := range sample {
		if c.Kind == "xy" {
			if c.xi < len(row) && c.yi < len(row) {
				x, okX := parseNumberCell(row[c.xi])
				y, okY := parseNumberCell(row[c.yi])
				if okX && okY {
					pts = append(pts, orb.Point{x, y})
				}
			}
			continue
		}
		if c.gi >= len(row) || strings.TrimSpace(row[c.gi]) == "" {
			continue
		}
		g, s, err := cellGeometry(row[c.gi])
		if err != nil {
			continue
		}
		if srid == 0 {
			srid = s
		}
		if p, ok := samplePoint(g); ok {
			pts = append(pts, p)
		}
	}
	return pts, srid
}

// readPositions says which one reading fits every position, if one does, and
// whether every position reads as latitude, longitude the wrong way round.
func readPositions(pts []orb.Point) (only opendata.CoordSystem, swapped bool) {
	if len(pts) == 0 {
		return "", false
	}
	first := opendata.ReadUK(pts[0][0], pts[0][1]).Only()
	swapped = true
	for _, p := range pts {
		r := opendata.ReadUK(p[0], p[1])
		if r.Only() != first {
			first = ""
		}
		swapped = swapped && r.LatLonSwap && !r.Grid && !r.LonLat
	}
	return first, swapped
}

// parseNumberCell reads a coordinate cell, allowing thousands separators
// as spreadsheets format eastings ("447,100").
func parseNumberCell(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}
