package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// geojsonReader streams the members of a FeatureCollection's "features"
// array with a json.Decoder, holding one feature at a time.
type geojsonReader struct {
	opts      Options
	crs       string
	legacyCRS bool // the CRS came from a crs member
	extraDims int  // features with 3D (or longer) positions
	dec       *json.Decoder
	index     int
	// single holds the feature of a file that is one Feature or one bare
	// geometry rather than a collection.
	single *rawFeature
	done   bool
}

type rawFeature struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

// crsMember is the pre-RFC 7946 "crs" member QGIS and GDAL still write,
// e.g. {"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}}.
type crsMember struct {
	Type       string `json:"type"`
	Properties struct {
		Name string `json:"name"`
		Href string `json:"href"`
	} `json:"properties"`
}

func newJSONDecoder(r io.Reader, max int64) *json.Decoder {
	w := &windowReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
	dec := json.NewDecoder(w)
	dec.UseNumber()
	w.consumed = dec.InputOffset
	return dec
}

func openGeoJSON(src io.ReaderAt, size int64, opts Options) (Reader, error) {
	g := &geojsonReader{opts: opts, crs: crs84}
	max := opts.Limits.MaxFeatureBytes
	dec := newJSONDecoder(io.NewSectionReader(src, 0, size), max)
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("GeoJSON must be a JSON object (a FeatureCollection or a Feature)")
	}
	base := int64(0) // file offset of the current decoder's input
	featStart := int64(-1)
	var typ string
	for {
		if !dec.More() {
			break
		}
		kt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("GeoJSON: %w", err)
		}
		key, _ := kt.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return nil, fmt.Errorf("GeoJSON type: %w", err)
			}
		case "crs":
			var c crsMember
			if err := dec.Decode(&c); err != nil {
				return nil, fmt.Errorf("GeoJSON crs member: %w", err)
			}
			if c.Properties.Name != "" {
				g.crs, g.legacyCRS = c.Properties.Name, true
			}
		case "features":
			if featStart >= 0 {
				return nil, errors.New(`GeoJSON has two "features" members`)
			}
			// Skip the array without decoding it, so a "crs" member after it
			// is still seen; streaming restarts at featStart afterwards.
			start, end, err := skipMemberValue(src, base+dec.InputOffset(), size)
			if err != nil {
				return nil, err
			}
			featStart = start
			rest, err := afterComma(src, end, size)
			if err != nil {
				return nil, err
			}
			base = rest - 1
			dec = newJSONDecoder(io.MultiReader(strings.NewReader("{"), io.NewSectionReader(src, rest, size-rest)), max)
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("GeoJSON member %q: %w", key, err)
			}
		}
	}
	if opts.CRS != "" {
		g.crs = opts.CRS
	}
	switch {
	case featStart >= 0:
		g.dec = newJSONDecoder(io.NewSectionReader(src, featStart, size-featStart), max)
		if t, err := g.dec.Token(); err != nil || t != json.Delim('[') {
			return nil, errors.New(`GeoJSON "features" must be an array`)
		}
	case typ == "Feature":
		var f rawFeature
		if err := newJSONDecoder(io.NewSectionReader(src, 0, size), max).Decode(&f); err != nil {
			return nil, fmt.Errorf("GeoJSON Feature: %w", err)
		}
		g.single = &f
	case geometryTypes[typ]:
		var raw json.RawMessage
		if err := newJSONDecoder(io.NewSectionReader(src, 0, size), max).Decode(&raw); err != nil {
			return nil, fmt.Errorf("GeoJSON geometry: %w", err)
		}
		g.single = &rawFeature{Type: "Feature", Geometry: raw}
	default:
		return nil, fmt.Errorf("GeoJSON type %q is not a FeatureCollection, Feature or geometry", typ)
	}
	return g, nil
}

var geometryTypes = map[string]bool{"Point": true, "MultiPoint": true, "LineString": true, "MultiLineString": true,
	"Polygon": true, "MultiPolygon": true, "GeometryCollection": true}

// skipMemberValue scans from just after an object key (at ": value") to the
// end of the value, without building it. It returns the offsets of the
// value's first byte and of the byte after it.
func skipMemberValue(src io.ReaderAt, off, size int64) (start, end int64, err error) {
	br := bufio.NewReaderSize(io.NewSectionReader(src, off, size-off), 64<<10)
	pos := off
	next := func() (byte, error) {
		b, err := br.ReadByte()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		pos++
		return b, err
	}
	var b byte
	for colon := false; ; {
		if b, err = next(); err != nil {
			return 0, 0, err
		}
		if b == ':' && !colon {
			colon = true
			continue
		}
		if !isJSONSpace(b) {
			break
		}
	}
	start = pos - 1
	if b != '[' && b != '{' {
		return 0, 0, errors.New(`GeoJSON "features" must be an array`)
	}
	depth, inStr, esc := 1, false, false
	for depth > 0 {
		if b, err = next(); err != nil {
			return 0, 0, fmt.Errorf("GeoJSON features array: %w", err)
		}
		switch {
		case inStr && esc:
			esc = false
		case inStr && b == '\\':
			esc = true
		case inStr && b == '"':
			inStr = false
		case inStr:
		case b == '"':
			inStr = true
		case b == '[' || b == '{':
			depth++
		case b == ']' || b == '}':
			depth--
		}
	}
	return start, pos, nil
}

// afterComma skips whitespace and one comma after a member value, returning
// the offset where the next key (or the closing brace) starts.
func afterComma(src io.ReaderAt, off, size int64) (int64, error) {
	var b [1]byte
	for ; off < size; off++ {
		if _, err := src.ReadAt(b[:], off); err != nil {
			return 0, err
		}
		if b[0] == ',' {
			return off + 1, nil
		}
		if !isJSONSpace(b[0]) {
			return off, nil
		}
	}
	return off, nil
}

func isJSONSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

func (g *geojsonReader) CRS() string { return g.crs }

func (g *geojsonReader) notices() []Notice {
	var out []Notice
	if g.legacyCRS && g.opts.CRS == "" {
		out = append(out, Notice{Code: NoticeLegacyCRS, Message: fmt.Sprintf(
			"the GeoJSON names its CRS in a crs member (the 2008 GeoJSON format, not RFC 7946): coordinates were read as %s", g.crs)})
	}
	if g.extraDims > 0 {
		out = append(out, Notice{Code: NoticeDimensions, Features: g.extraDims, Message: fmt.Sprintf(
			"%d features have positions with more than 2 values; the extra values (heights) were dropped and the geometries are published in 2D", g.extraDims)})
	}
	return out
}

func (g *geojsonReader) Close() error { return nil }

func (g *geojsonReader) Next() (Feature, error) {
	if g.done {
		return Feature{}, io.EOF
	}
	var raw rawFeature
	if g.single != nil {
		raw, g.done = *g.single, true
	} else {
		if !g.dec.More() {
			g.done = true
			if _, err := g.dec.Token(); err != nil {
				return Feature{}, fmt.Errorf("GeoJSON features array: %w", err)
			}
			return Feature{}, io.EOF
		}
		if err := g.dec.Decode(&raw); err != nil {
			g.done = true
			return Feature{}, fmt.Errorf("GeoJSON feature %d: %w", g.index, err)
		}
	}
	idx := g.index
	g.index++
	f, reason := g.convert(&raw)
	if reason != "" {
		return Feature{}, &FeatureError{Index: idx, ID: f.ID, Reason: reason}
	}
	return f, nil
}

func (g *geojsonReader) convert(raw *rawFeature) (Feature, string) {
	f := Feature{ID: jsonID(raw.ID)}
	if raw.Type != "Feature" {
		return f, fmt.Sprintf(`member of "features" has type %q, not "Feature"`, raw.Type)
	}
	lim := g.opts.Limits
	geom, extra, err := decodeGeoJSONGeometry(raw.Geometry, lim, 0)
	if err != nil {
		return f, "geometry: " + err.Error()
	}
	if extra {
		g.extraDims++
	}
	f.Geometry = geom
	if len(raw.Properties) > 0 && string(raw.Properties) != "null" {
		dec := json.NewDecoder(bytes.NewReader(raw.Properties))
		dec.UseNumber()
		var props map[string]any
		if err := dec.Decode(&props); err != nil {
			return f, "properties must be a JSON object"
		}
		if len(props) > lim.MaxProperties {
			return f, fmt.Sprintf("more than %d properties", lim.MaxProperties)
		}
		for k, v := range props {
			if s, ok := v.(string); ok && len(s) > lim.MaxStringBytes {
				return f, fmt.Sprintf("property %q is longer than %d bytes", k, lim.MaxStringBytes)
			}
			props[k] = jsonValue(v)
		}
		f.Properties = props
	}
	return f, ""
}

// jsonValue replaces json.Number with int64 when the literal is an integer
// that fits, else float64, so integers keep full precision.
func jsonValue(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			return n
		}
		f, _ := strconv.ParseFloat(string(v), 64)
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = jsonValue(x)
		}
	case []any:
		for i, x := range v {
			v[i] = jsonValue(x)
		}
	}
	return v
}

type rawGeometry struct {
	Type        string            `json:"type"`
	Coordinates json.RawMessage   `json:"coordinates"`
	Geometries  []json.RawMessage `json:"geometries"`
}

// decodeGeoJSONGeometry decodes positions itself rather than through
// orb/geojson, so that a position with fewer than two numbers is an error
// instead of a silent zero, and Z values are dropped (extra reports it).
func decodeGeoJSONGeometry(data json.RawMessage, lim Limits, depth int) (g orb.Geometry, extra bool, err error) {
	c := coordDecoder{lim: lim}
	g, err = c.geometry(data, depth)
	return g, c.extraDims, err
}

func (c *coordDecoder) geometry(data json.RawMessage, depth int) (orb.Geometry, error) {
	lim := c.lim
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	if depth > 8 {
		return nil, errors.New("GeometryCollections nested too deeply")
	}
	var rg rawGeometry
	if err := json.Unmarshal(data, &rg); err != nil {
		return nil, errors.New("not a GeoJSON geometry object")
	}
	switch rg.Type {
	case "Point":
		var p []float64
		if err := json.Unmarshal(rg.Coordinates, &p); err != nil {
			return nil, errors.New("Point coordinates must be one position")
		}
		return c.point(p)
	case "MultiPoint", "LineString":
		var ps [][]float64
		if err := json.Unmarshal(rg.Coordinates, &ps); err != nil {
			return nil, fmt.Errorf("%s coordinates must be an array of positions", rg.Type)
		}
		pts, err := c.points(ps)
		if rg.Type == "MultiPoint" {
			return orb.MultiPoint(pts), err
		}
		return orb.LineString(pts), err
	case "MultiLineString", "Polygon":
		var pss [][][]float64
		if err := json.Unmarshal(rg.Coordinates, &pss); err != nil {
			return nil, fmt.Errorf("%s coordinates must be an array of arrays of positions", rg.Type)
		}
		lines, err := c.lines(pss)
		if rg.Type == "Polygon" {
			return toPolygon(lines), err
		}
		return toMultiLine(lines), err
	case "MultiPolygon":
		var psss [][][][]float64
		if err := json.Unmarshal(rg.Coordinates, &psss); err != nil {
			return nil, errors.New("MultiPolygon coordinates must be an array of polygons")
		}
		mp := make(orb.MultiPolygon, 0, len(psss))
		for _, pss := range psss {
			lines, err := c.lines(pss)
			if err != nil {
				return nil, err
			}
			mp = append(mp, toPolygon(lines))
		}
		return mp, nil
	case "GeometryCollection":
		if len(rg.Geometries) > lim.MaxParts {
			return nil, fmt.Errorf("more than %d geometries in a collection", lim.MaxParts)
		}
		col := make(orb.Collection, 0, len(rg.Geometries))
		for _, m := range rg.Geometries {
			g, err := c.geometry(m, depth+1)
			if err != nil {
				return nil, err
			}
			if g == nil {
				return nil, errors.New("null member in a GeometryCollection")
			}
			col = append(col, g)
		}
		return col, nil
	}
	return nil, fmt.Errorf("unknown geometry type %q", rg.Type)
}

// coordDecoder converts decoded positions to orb types, counting points
// against the per-geometry limit.
type coordDecoder struct {
	lim       Limits
	count     int
	extraDims bool
}

func (c *coordDecoder) point(p []float64) (orb.Point, error) {
	if len(p) < 2 {
		return orb.Point{}, fmt.Errorf("a position needs at least 2 numbers, has %d", len(p))
	}
	c.extraDims = c.extraDims || len(p) > 2
	c.count++
	if c.count > c.lim.MaxPoints {
		return orb.Point{}, fmt.Errorf("more than %d points", c.lim.MaxPoints)
	}
	return orb.Point{p[0], p[1]}, nil
}

func (c *coordDecoder) points(ps [][]float64) ([]orb.Point, error) {
	out := make([]orb.Point, 0, len(ps))
	for _, p := range ps {
		pt, err := c.point(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pt)
	}
	return out, nil
}

func (c *coordDecoder) lines(pss [][][]float64) ([][]orb.Point, error) {
	if len(pss) > c.lim.MaxParts {
		return nil, fmt.Errorf("more than %d parts", c.lim.MaxParts)
	}
	out := make([][]orb.Point, 0, len(pss))
	for _, ps := range pss {
		pts, err := c.points(ps)
		if err != nil {
			return nil, err
		}
		out = append(out, pts)
	}
	return out, nil
}

func toPolygon(rings [][]orb.Point) orb.Polygon {
	p := make(orb.Polygon, len(rings))
	for i, r := range rings {
		p[i] = orb.Ring(r)
	}
	return p
}

func toMultiLine(lines [][]orb.Point) orb.MultiLineString {
	m := make(orb.MultiLineString, len(lines))
	for i, l := range lines {
		m[i] = orb.LineString(l)
	}
	return m
}
