// Package ingest reads uploaded spatial files (GeoJSON, zipped Shapefile,
// GeoPackage, CSV with coordinate columns, WFS GML) one feature at a time.
//
// Readers do not transform coordinates: every Feature is in the source CRS
// that Reader.CRS reports, so the caller (which owns the OSTN15 transformer)
// converts afterwards and can keep the source CRS for OGC API Part 2.
//
// Axis order of returned geometries is always x = easting or longitude,
// y = northing or latitude, whatever order the file stored them in: the GML
// reader swaps latitude-first srsNames, so callers never need to know the
// file's axis convention.
//
// Readers return a *FeatureError for a feature that cannot be decoded but
// after which reading can go on (a bad CSV cell, a broken geometry blob);
// any other error ends the file. The Validator turns both into a Report.
package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/jointict/councilapi/domain"
	"github.com/paulmach/orb"
)

// Feature is one record of the source file. Properties hold nil, bool,
// int64, float64 or string values (dates as ISO 8601 strings); GeoJSON may
// also yield nested map[string]any and []any values.
//
// ID is the id the feature is published under: the file's own id when every
// feature has a distinct one, else its 1-based position (see IDReport).
// SourceID is the id as found in the file, "" when it had none.
type Feature struct {
	ID         string
	SourceID   string
	Geometry   orb.Geometry
	Properties map[string]any
}

// Reader yields features one at a time; Next returns io.EOF after the last.
type Reader interface {
	// CRS identifies the source CRS as found in the file ("EPSG:27700", an
	// OGC URN or URI, or raw WKT from a .prj), or Options.CRS when set.
	CRS() string
	Next() (Feature, error)
	Close() error
}

// Format names an input format.
type Format string

const (
	FormatGeoJSON    Format = "geojson"
	FormatShapefile  Format = "shapefile" // a .zip holding .shp, .dbf and friends
	FormatGeoPackage Format = "gpkg"
	FormatCSV        Format = "csv"
	FormatGML        Format = "gml"
)

// Formats lists every supported format, for error messages and docs.
var Formats = []Format{FormatGeoJSON, FormatShapefile, FormatGeoPackage, FormatCSV, FormatGML}

// Options tune a reader. The zero value works for files that name their CRS.
type Options struct {
	// CRS overrides the CRS found in the file; required for CSV files whose
	// coordinate columns are called x/y and for Shapefiles without a .prj.
	CRS string
	// AxisOrder says how the file stores each position, whatever its CRS
	// identifier implies: AxisLonLat (longitude or easting first) or
	// AxisLatLon (latitude or northing first; positions are swapped on
	// reading). Empty follows the file: a GML srsName in URN or OGC URI form
	// of a latitude-first CRS is read latitude first, everything else
	// longitude first, as GDAL does.
	AxisOrder AxisOrder
	// Layer picks the GeoPackage table when the file holds several.
	Layer string
	// XColumn and YColumn name the CSV coordinate columns explicitly
	// (easting/longitude and northing/latitude); GeometryColumn names a CSV
	// column holding WKT instead.
	XColumn, YColumn, GeometryColumn string
	// Encoding overrides the Shapefile .cpg / DBF code page (e.g. "UTF-8",
	// "windows-1252").
	Encoding string
	Limits   Limits
}

// AxisOrder is the order of the two values of each stored position.
type AxisOrder string

// The axis orders an upload can declare (the upload parameter axisOrder).
const (
	AxisAuto   AxisOrder = ""
	AxisLonLat AxisOrder = "lonlat"
	AxisLatLon AxisOrder = "latlon"
)

// ParseAxisOrder accepts "lonlat", "latlon" (also "xy"/"yx",
// "eastnorth"/"northeast") and "" (follow the file).
func ParseAxisOrder(s string) (AxisOrder, error) {
	switch strings.ToLower(strings.NewReplacer(",", "", "-", "", "_", "", " ", "").Replace(s)) {
	case "":
		return AxisAuto, nil
	case "lonlat", "longlat", "xy", "eastnorth", "eastingnorthing":
		return AxisLonLat, nil
	case "latlon", "latlong", "yx", "northeast", "northingeasting":
		return AxisLatLon, nil
	}
	return "", &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("axisOrder %q is not an axis order", s),
		Fields:  []domain.FieldProblem{{Field: "axisOrder", Problem: "use lonlat (longitude or easting first) or latlon (latitude or northing first)"}},
		Allowed: []string{string(AxisLonLat), string(AxisLatLon)}}
}

// FeatureError reports one feature that could not be decoded; reading may
// continue with Next.
type FeatureError struct {
	Index  int // 0-based position of the feature in the file
	ID     string
	Reason string
}

func (e *FeatureError) Error() string {
	return fmt.Sprintf("feature %d: %s", e.Index, e.Reason)
}

// Open starts reading src (size bytes) in the given format. Limits that
// headers reveal (feature counts) are checked here, before any feature is
// read. For GeoJSON and GML, whose ids may repeat, Open first scans the ids
// (see IDReport), so it reads the file twice; other formats' ids are unique
// by construction.
func Open(format Format, src io.ReaderAt, size int64, opts Options) (Reader, error) {
	opts.Limits = opts.Limits.withDefaults()
	inner, err := openFormat(format, src, size, opts)
	if err != nil {
		return nil, err
	}
	return newSource(format, inner, src, size, opts)
}

func openFormat(format Format, src io.ReaderAt, size int64, inner Options) (Reader, error) {
	switch format {
	case FormatGeoJSON:
		return openGeoJSON(src, size, inner)
	case FormatShapefile:
		return openShapefileZip(src, size, inner)
	case FormatGeoPackage:
		return openGeoPackageReaderAt(src, size, inner)
	case FormatCSV:
		return openCSV(io.NewSectionReader(src, 0, size), inner)
	case FormatGML:
		return openGML(io.NewSectionReader(src, 0, size), inner)
	}
	return nil, unknownFormat(string(format))
}

// OpenFile opens path, sniffing its format from the name and first bytes.
// The returned Reader owns the file and closes it on Close.
func OpenFile(path string, opts Options) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	head := make([]byte, 512)
	n, _ := f.ReadAt(head, 0)
	format, err := Sniff(filepath.Base(path), head[:n])
	if err != nil {
		f.Close()
		return nil, err
	}
	if format == FormatGeoPackage {
		// SQLite wants a path; using the original file avoids a temp copy.
		f.Close()
		opts.Limits = opts.Limits.withDefaults()
		r, err := openGeoPackagePath(path, "", opts)
		if err != nil {
			return nil, err
		}
		return newSource(format, r, nil, 0, opts)
	}
	r, err := Open(format, f, st.Size(), opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.(*source).closeAlso = f
	return r, nil
}

func unknownFormat(got string) error {
	allowed := make([]string, len(Formats))
	for i, f := range Formats {
		allowed[i] = string(f)
	}
	return &domain.Error{Code: domain.CodeInvalid,
		Message: fmt.Sprintf("unrecognised spatial file format %q: upload GeoJSON, a zipped Shapefile, a GeoPackage, CSV with coordinate columns or WFS GML", got),
		Allowed: allowed}
}

// Sniff picks a format from the file name and its first bytes (512 are
// plenty). Content wins over the extension, since uploads are often misnamed.
func Sniff(name string, head []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return FormatGeoPackage, nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatShapefile, nil
	}
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(trimmed, []byte("{")):
		return FormatGeoJSON, nil
	case bytes.HasPrefix(trimmed, []byte("<")):
		return FormatGML, nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".geojson", ".json":
		return FormatGeoJSON, nil
	case ".zip", ".shz":
		return FormatShapefile, nil
	case ".gpkg":
		return FormatGeoPackage, nil
	case ".csv", ".tsv", ".txt":
		return FormatCSV, nil
	case ".gml", ".xml":
		return FormatGML, nil
	}
	if len(trimmed) > 0 && bytes.IndexByte(head, 0) < 0 {
		return FormatCSV, nil
	}
	return "", unknownFormat(filepath.Ext(name))
}

// ParseFormat accepts a format name or a common file extension / media type.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), ".")) {
	case "geojson", "json", "application/geo+json", "application/json":
		return FormatGeoJSON, nil
	case "shapefile", "shp", "zip", "application/zip", "application/x-zipped-shp":
		return FormatShapefile, nil
	case "gpkg", "geopackage", "application/geopackage+sqlite3":
		return FormatGeoPackage, nil
	case "csv", "text/csv":
		return FormatCSV, nil
	case "gml", "xml", "application/gml+xml", "application/xml", "text/xml":
		return FormatGML, nil
	}
	return "", unknownFormat(s)
}

// windowReader fails once the bytes read ahead of what a decoder has
// consumed exceed max, so a single giant JSON value, XML element or CSV row
// cannot make the decoder buffer the whole upload.
type windowReader struct {
	r        io.Reader
	n        int64
	max      int64
	consumed func() int64
}

func (w *windowReader) Read(p []byte) (int, error) {
	if w.consumed != nil && w.n-w.consumed() > w.max {
		return 0, limitErr("one feature is larger than %d bytes", w.max)
	}
	n, err := w.r.Read(p)
	w.n += int64(n)
	return n, err
}
