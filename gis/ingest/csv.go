package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/jointict/councilapi/domain"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
)

// Header names recognised for coordinate columns, compared after lowering
// case and dropping spaces, underscores and hyphens. Each list goes with the
// CRS assumed when Options.CRS is empty: "" means the file must say.
var csvAxisNames = []struct {
	x, y []string
	crs  string
}{
	{[]string{"easting", "eastings", "east", "bngeasting", "osgbeasting", "xcoord"}, []string{"northing", "northings", "north", "bngnorthing", "osgbnorthing", "ycoord"}, "EPSG:27700"},
	{[]string{"longitude", "long", "lon", "lng", "wgs84longitude"}, []string{"latitude", "lat", "wgs84latitude"}, crs84},
	{[]string{"x"}, []string{"y"}, ""},
}

var csvWKTNames = []string{"wkt", "geometry", "geom", "thegeom", "wktgeom", "shape"}

type csvReader struct {
	r          *csv.Reader
	opts       Options
	crs        string
	header     []string
	xi, yi, gi int // coordinate column indexes; gi >= 0 for a WKT column
	row        int
}

func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.NewReplacer(" ", "", "_", "", "-", "").Replace(s)
}

func openCSV(src io.Reader, opts Options) (Reader, error) {
	br := bufio.NewReaderSize(src, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	head, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	w := &windowReader{r: br, max: opts.Limits.MaxFeatureBytes}
	r := csv.NewReader(w)
	w.consumed = r.InputOffset
	r.Comma = sniffDelimiter(head)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	if len(header) > opts.Limits.MaxProperties {
		return nil, limitErr("more than %d CSV columns", opts.Limits.MaxProperties)
	}
	c := &csvReader{r: r, opts: opts, header: append([]string(nil), header...), xi: -1, yi: -1, gi: -1}
	for i := range c.header {
		c.header[i] = strings.TrimSpace(c.header[i])
	}
	assumed, err := c.pickColumns()
	if err != nil {
		return nil, err
	}
	c.crs = opts.CRS
	if c.crs == "" {
		c.crs = assumed
	}
	if c.crs == "" {
		return nil, &domain.Error{Code: domain.CodeInvalid,
			Message: "the CSV coordinate columns do not say which CRS they use",
			Fields: []domain.FieldProblem{{Field: "crs",
				Problem: "name the CRS (for example EPSG:27700 for eastings/northings or EPSG:4326 for longitude/latitude)"}}}
	}
	return c, nil
}

func (c *csvReader) find(name string) int {
	for i, h := range c.header {
		if strings.EqualFold(h, strings.TrimSpace(name)) {
			return i
		}
	}
	return -1
}

func (c *csvReader) findAny(names []string) int {
	for i, h := range c.header {
		n := normHeader(h)
		for _, want := range names {
			if n == want {
				return i
			}
		}
	}
	return -1
}

// pickColumns chooses the coordinate columns and returns the CRS their
// names imply.
func (c *csvReader) pickColumns() (string, error) {
	o := c.opts
	missing := func(field, name string) error {
		return &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("CSV has no column %q", name),
			Fields: []domain.FieldProblem{{Field: field, Problem: "name one of the CSV columns"}}, Allowed: c.header}
	}
	switch {
	case o.GeometryColumn != "":
		if c.gi = c.find(o.GeometryColumn); c.gi < 0 {
			return "", missing("geometryColumn", o.GeometryColumn)
		}
		return "", nil
	case o.XColumn != "" || o.YColumn != "":
		if c.xi = c.find(o.XColumn); c.xi < 0 {
			return "", missing("xColumn", o.XColumn)
		}
		if c.yi = c.find(o.YColumn); c.yi < 0 {
			return "", missing("yColumn", o.YColumn)
		}
		for _, a := range csvAxisNames {
			if c.findAny(a.x) == c.xi {
				return a.crs, nil
			}
		}
		return "", nil
	}
	// A WKT column carries the whole geometry, so it beats coordinate
	// pairs, which may be mere attributes (a polygon's centroid).
	if c.gi = c.findAny(csvWKTNames); c.gi >= 0 {
		return "", nil
	}
	for _, a := range csvAxisNames {
		xi, yi := c.findAny(a.x), c.findAny(a.y)
		if xi >= 0 && yi >= 0 {
			c.xi, c.yi = xi, yi
			return a.crs, nil
		}
	}
	return "", &domain.Error{Code: domain.CodeInvalid,
		Message: "CSV has no recognisable coordinate columns",
		Fields: []domain.FieldProblem{{Field: "xColumn",
			Problem: "name the columns (easting/northing, longitude/latitude, x/y or a WKT column) or set xColumn and yColumn"}},
		Allowed: c.header}
}

// sniffDelimiter picks comma, semicolon or tab, whichever the header line
// uses most (semicolons are common in spreadsheets saved in Europe).
func sniffDelimiter(line []byte) rune {
	best, n := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if m := bytes.Count(line, []byte(string(d))); m > n {
			best, n = d, m
		}
	}
	return best
}

func (c *csvReader) CRS() string  { return c.crs }
func (c *csvReader) Close() error { return nil }

func (c *csvReader) Next() (Feature, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return Feature{}, io.EOF
	}
	idx := c.row
	c.row++
	if err != nil && !errors.Is(err, csv.ErrFieldCount) {
		return Feature{}, fmt.Errorf("CSV row %d: %w", idx+2, err)
	}
	if c.row > c.opts.Limits.MaxFeatures {
		return Feature{}, limitErr("more than %d CSV rows", c.opts.Limits.MaxFeatures)
	}
	f := Feature{ID: strconv.Itoa(idx + 1)}
	fail := func(format string, args ...any) (Feature, error) {
		return Feature{}, &FeatureError{Index: idx, ID: f.ID, Reason: fmt.Sprintf("row %d: ", idx+2) + fmt.Sprintf(format, args...)}
	}
	if len(rec) != len(c.header) {
		return fail("has %d cells, the header has %d", len(rec), len(c.header))
	}
	if c.gi >= 0 {
		cell := strings.TrimSpace(rec[c.gi])
		if cell != "" {
			g, err := wkt.Unmarshal(cell)
			if err != nil {
				return fail("column %q is not WKT: %v", c.header[c.gi], err)
			}
			f.Geometry = g
		}
	} else {
		x, errX := parseCoord(rec[c.xi])
		y, errY := parseCoord(rec[c.yi])
		if errX != nil || errY != nil {
			return fail("coordinates %q, %q are not both numbers", rec[c.xi], rec[c.yi])
		}
		f.Geometry = orb.Point{x, y}
	}
	f.Properties = make(map[string]any, len(rec))
	for i, cell := range rec {
		if i == c.xi || i == c.yi || i == c.gi {
			continue
		}
		if len(cell) > c.opts.Limits.MaxStringBytes {
			return fail("column %q is longer than %d bytes", c.header[i], c.opts.Limits.MaxStringBytes)
		}
		f.Properties[c.header[i]] = textValue(cell)
	}
	return f, nil
}

func parseCoord(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		// Let the validator report it with the feature index.
		return v, nil
	}
	return v, err
}
