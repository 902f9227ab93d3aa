package ingest

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/crs"
)

// csvSampleRows is how many rows are read ahead to decide the coordinate
// columns' CRS from their values; they are then read as usual.
const csvSampleRows = 200

// CSVSummary is what the CSV reader found out about a file's locations: the
// columns and CRS it used, and the rows it could not place. Rows without a
// usable position are kept, with no geometry, and counted here; they never
// fail the file.
type CSVSummary struct {
	Coordinates CSVCoordinates `json:"coordinates"`
	Rows        int            `json:"rows"`
	Mapped      int            `json:"mapped"`
	NotMapped   int            `json:"notMapped"`
	// NotMappedRows lists the first rows not mapped and why.
	NotMappedRows []NotMappedRow `json:"notMappedRows,omitempty"`
	// Transformed counts rows whose CRS column named another CRS than the
	// file's, converted to it.
	Transformed int `json:"transformed,omitempty"`
}

// NotMappedRow is one row kept without a geometry.
type NotMappedRow struct {
	Row    int    `json:"row"` // 1-based data row
	Reason string `json:"reason"`
}

const maxNotMappedListed = 20

// Notes says the summary in sentences for a job's report.
func (s CSVSummary) Notes() []string {
	notes := []string{"locations read from " + s.Coordinates.Describe()}
	if s.Transformed > 0 {
		notes = append(notes, fmt.Sprintf("%d rows in another CRS (per the %s column) were transformed to %s",
			s.Transformed, s.Coordinates.CRSColumn, crsLabel(s.Coordinates.CRS)))
	}
	if s.NotMapped > 0 {
		n := fmt.Sprintf("%d of %d rows have no usable position; they are kept in the tables without a geometry and not mapped", s.NotMapped, s.Rows)
		if len(s.NotMappedRows) > 0 {
			r := s.NotMappedRows[0]
			n += fmt.Sprintf(" (first: row %d, %s)", r.Row, r.Reason)
		}
		notes = append(notes, n)
	}
	return notes
}

// CSVSummarizer is implemented by the Reader Open returns for CSV.
type CSVSummarizer interface {
	CSVSummary() CSVSummary
}

// CSVSummaryOf returns the CSV summary of a reader from Open or OpenFile,
// once it has been read to the end; false for other formats.
func CSVSummaryOf(r Reader) (CSVSummary, bool) {
	if s, ok := r.(*source); ok {
		r = s.inner
	}
	s, ok := r.(CSVSummarizer)
	if !ok {
		return CSVSummary{}, false
	}
	return s.CSVSummary(), true
}

type csvReader struct {
	r       *csv.Reader
	opts    Options
	header  []string
	coords  *CSVCoordinates
	pending [][]string // rows read ahead for CRS detection
	// pendingErr is the error that ended the read-ahead, returned after
	// the pending rows.
	pendingErr error
	row        int
	summary    CSVSummary
	fileCRS    crs.CRS
	rowCRS     map[opendata.CoordSystem]crs.CRS
}

func openCSV(src io.Reader, opts Options) (Reader, error) {
	text, _, _, err := opendata.DecodeReader(src, opendata.Encoding(opts.Encoding))
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(text, 64<<10)
	sample, _ := br.Peek(32 << 10)
	w := &windowReader{r: br, max: opts.Limits.MaxFeatureBytes}
	r := csv.NewReader(w)
	w.consumed = r.InputOffset
	r.Comma = opendata.DetectDelimiter(string(sample))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	if len(header) > opts.Limits.MaxProperties {
		return nil, limitErr("more than %d CSV columns", opts.Limits.MaxProperties)
	}
	c := &csvReader{r: r, opts: opts, header: cleanCSVHeader(header), rowCRS: map[opendata.CoordSystem]crs.CRS{}}
	for len(c.pending) < csvSampleRows {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.pendingErr = err // Next returns it in its place
			break
		}
		c.pending = append(c.pending, rec)
	}
	r.ReuseRecord = true // the sample rows keep their own slices
	c.coords, err = detectCoordinates(c.header, c.pending, opts)
	if err == nil && c.coords == nil {
		err = noCoordinates(c.header)
	}
	if err != nil {
		return nil, err
	}
	c.summary.Coordinates = *c.coords
	if parsed, err := crs.Parse(c.coords.CRS); err == nil {
		c.fileCRS = parsed.XYOrder()
	}
	return c, nil
}

// cleanCSVHeader trims and repairs the headings (see opendata.CleanCell),
// drops the empty ones Excel leaves after the last, names unnamed columns
// and makes repeated names unique, since properties are keyed by name
// (exactly: "Easting" and "easting" are two properties).
func cleanCSVHeader(rec []string) []string {
	for len(rec) > 1 && strings.TrimSpace(rec[len(rec)-1]) == "" {
		rec = rec[:len(rec)-1]
	}
	h := make([]string, len(rec))
	seen := map[string]int{}
	for i, name := range rec {
		name, _ = opendata.CleanCell(strings.TrimPrefix(name, "\ufeff"))
		if name == "" {
			name = "column_" + strconv.Itoa(i+1)
		}
		if n := seen[name]; n > 0 {
			name = fmt.Sprintf("%s_%d", name, n+1)
		}
		seen[name]++
		h[i] = name
	}
	return h
}

func (c *csvReader) CRS() string             { return c.coords.CRS }
func (c *csvReader) Close() error            { return nil }
func (c *csvReader) CSVSummary() CSVSummary  { return c.summary }
func (c *csvReader) notMapped(reason string) { c.noteNotMapped(c.row, reason) }

func (c *csvReader) noteNotMapped(row int, reason string) {
	c.summary.NotMapped++
	if len(c.summary.NotMappedRows) < maxNotMappedListed {
		c.summary.NotMappedRows = append(c.summary.NotMappedRows, NotMappedRow{Row: row, Reason: reason})
	}
}

func (c *csvReader) read() ([]string, error) {
	if len(c.pending) > 0 {
		rec := c.pending[0]
		c.pending = c.pending[1:]
		return rec, nil
	}
	if err := c.pendingErr; err != nil {
		c.pendingErr = nil
		return nil, err
	}
	return c.r.Read()
}

func (c *csvReader) Next() (Feature, error) {
	var rec []string
	var err error
	for {
		rec, err = c.read()
		if err == io.EOF {
			return Feature{}, io.EOF
		}
		c.row++
		if err != nil || !blankCSVRecord(rec) {
			break
		}
		// An empty line of delimiters (",,,,") is no row: spreadsheets leave
		// them at the end of a sheet.
	}
	idx := c.row - 1
	if err != nil && !errors.Is(err, csv.ErrFieldCount) {
		return Feature{}, fmt.Errorf("CSV row %d: %w", idx+2, err)
	}
	if c.row > c.opts.Limits.MaxFeatures {
		return Feature{}, limitErr("more than %d CSV rows", c.opts.Limits.MaxFeatures)
	}
	c.summary.Rows++
	f := Feature{ID: strconv.Itoa(c.row)}
	fail := func(format string, args ...any) (Feature, error) {
		return Feature{}, &FeatureError{Index: idx, ID: f.ID, Reason: fmt.Sprintf("row %d: ", idx+2) + fmt.Sprintf(format, args...)}
	}
	if len(rec) > len(c.header) && blankCSVRecord(rec[len(c.header):]) {
		rec = rec[:len(c.header)] // Excel's trailing empty cells
	}
	if len(rec) != len(c.header) {
		return fail("has %d cells, the header has %d", len(rec), len(c.header))
	}
	for i := range rec {
		rec[i], _ = opendata.CleanCell(rec[i])
	}
	k := c.coords
	if k.gi >= 0 {
		g, err := c.geometryCell(rec)
		if err != nil {
			return fail("column %q is not %s: %v", c.header[k.gi], map[bool]string{true: "GeoJSON", false: "WKT"}[k.Kind == "geojson"], err)
		}
		f.Geometry = g
	} else {
		f.Geometry = c.pointCells(rec)
	}
	if f.Geometry != nil {
		c.summary.Mapped++
	}
	f.Properties = make(map[string]any, len(rec))
	for i, cell := range rec {
		if i == k.xi || i == k.yi || i == k.gi {
			continue
		}
		if len(cell) > c.opts.Limits.MaxStringBytes {
			return fail("column %q is longer than %d bytes", c.header[i], c.opts.Limits.MaxStringBytes)
		}
		f.Properties[c.header[i]] = textValue(cell)
	}
	return f, nil
}

func blankCSVRecord(rec []string) bool {
	for _, cell := range rec {
		if strings.TrimSpace(cell) != "" {
			return false
		}
	}
	return true
}

// pointCells reads a row's coordinate pair, transformed to the file's CRS
// when the row's CRS column names another; nil when the row has none.
func (c *csvReader) pointCells(rec []string) orb.Geometry {
	k := c.coords
	xs, ys := rec[k.xi], rec[k.yi]
	if opendata.IsNull(xs) || opendata.IsNull(ys) {
		c.notMapped("no coordinates")
		return nil
	}
	x, okX := parseNumberCell(xs)
	y, okY := parseNumberCell(ys)
	if !okX || !okY {
		c.notMapped(fmt.Sprintf("coordinates %q, %q are not numbers", xs, ys))
		return nil
	}
	p := orb.Point{x, y}
	if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
		return p // the validator reports it with the feature index
	}
	return c.toFileCRS(p, rec)
}

func (c *csvReader) geometryCell(rec []string) (orb.Geometry, error) {
	cell := rec[c.coords.gi]
	if opendata.IsNull(cell) {
		c.notMapped("no geometry")
		return nil, nil
	}
	g, srid, err := cellGeometry(cell)
	if err != nil {
		return nil, err
	}
	if srid != 0 && c.coords.CRSFrom == CRSFromSRID {
		if sys, ok := opendata.ParseCoordSystem("EPSG:" + strconv.Itoa(srid)); ok && crsID(sys) != c.coords.CRS {
			return c.transform(g, sys)
		}
	}
	return c.toFileCRS(g, rec), nil
}

// toFileCRS converts a row whose CRS column names another CRS than the
// file's; a row it cannot convert is kept unmapped.
func (c *csvReader) toFileCRS(g orb.Geometry, rec []string) orb.Geometry {
	k := c.coords
	if k.ci < 0 || k.CRSFrom != CRSFromColumn {
		return g
	}
	sys, ok := opendata.ParseCoordSystem(rec[k.ci])
	if !ok || crsID(sys) == k.CRS {
		return g
	}
	out, err := c.transform(g, sys)
	if err != nil {
		c.notMapped(fmt.Sprintf("its %s %s position cannot be transformed to %s: %v", k.CRSColumn, rec[k.ci], crsLabel(k.CRS), err))
		return nil
	}
	return out
}

func (c *csvReader) transform(g orb.Geometry, sys opendata.CoordSystem) (orb.Geometry, error) {
	from, ok := c.rowCRS[sys]
	if !ok {
		parsed, err := crs.Parse(string(sys))
		if err != nil {
			return nil, err
		}
		from = parsed.XYOrder()
		c.rowCRS[sys] = from
	}
	if c.fileCRS == 0 {
		return nil, fmt.Errorf("the file's CRS %s is not one this service transforms", c.coords.CRS)
	}
	out, err := crs.TransformGeometry(g, from, c.fileCRS)
	if err == nil {
		c.summary.Transformed++
	}
	return out, err
}
