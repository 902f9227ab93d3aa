package ingest

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/paulmach/orb"
	_ "modernc.org/sqlite" // registers driver "sqlite"
)

type gpkgReader struct {
	db      *sql.DB
	rows    *sql.Rows
	opts    Options
	crs     string
	cols    []gpkgColumn
	vals    []any
	ptrs    []any
	index   int
	tmpPath string // removed on Close when the upload was copied to disk
	// extraDims counts geometries whose Z or M values were dropped.
	extraDims int
}

type gpkgColumn struct {
	name, decl string
	pk, geom   bool
}

// openGeoPackageReaderAt copies the upload to a temporary file, since
// SQLite reads from a path.
func openGeoPackageReaderAt(src io.ReaderAt, size int64, opts Options) (Reader, error) {
	tmp, err := os.CreateTemp("", "ingest-*.gpkg")
	if err != nil {
		return nil, err
	}
	_, err = io.Copy(tmp, io.NewSectionReader(src, 0, size))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return nil, err
	}
	r, err := openGeoPackagePath(tmp.Name(), tmp.Name(), opts)
	if err != nil {
		os.Remove(tmp.Name())
	}
	return r, err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func openGeoPackagePath(path, tmpPath string, opts Options) (Reader, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	g := &gpkgReader{db: db, opts: opts, tmpPath: tmpPath}
	if err := g.init(); err != nil {
		g.Close()
		return nil, err
	}
	return g, nil
}

func (g *gpkgReader) init() error {
	var layers []string
	rows, err := g.db.Query(`SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name`)
	if err != nil {
		return fmt.Errorf("not a GeoPackage (no readable gpkg_contents): %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		layers = append(layers, n)
	}
	rows.Close()
	table := g.opts.Layer
	switch {
	case len(layers) == 0:
		return errors.New("the GeoPackage has no vector feature layer")
	case table == "" && len(layers) > 1:
		return &domain.Error{Code: domain.CodeInvalid, Message: "the GeoPackage holds several layers",
			Fields: []domain.FieldProblem{{Field: "layer", Problem: "choose one of the layers"}}, Allowed: layers}
	case table == "":
		table = layers[0]
	}
	found := false
	for _, l := range layers {
		found = found || l == table
	}
	if !found {
		return &domain.Error{Code: domain.CodeInvalid, Message: fmt.Sprintf("the GeoPackage has no layer %q", table),
			Fields: []domain.FieldProblem{{Field: "layer", Problem: "choose one of the layers"}}, Allowed: layers}
	}
	var geomCol string
	var srsID int64
	if err := g.db.QueryRow(`SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?`, table).
		Scan(&geomCol, &srsID); err != nil {
		return fmt.Errorf("gpkg_geometry_columns has no entry for %q: %w", table, err)
	}
	if err := g.checkCount(table); err != nil {
		return err
	}
	g.crs = g.opts.CRS
	if g.crs == "" {
		if g.crs, err = g.srsName(srsID); err != nil {
			return err
		}
	}
	ti, err := g.db.Query(`SELECT name, type, pk FROM pragma_table_info(?)`, table)
	if err != nil {
		return err
	}
	for ti.Next() {
		var c gpkgColumn
		var pk int
		if err := ti.Scan(&c.name, &c.decl, &pk); err != nil {
			ti.Close()
			return err
		}
		c.pk, c.geom = pk == 1, strings.EqualFold(c.name, geomCol)
		c.decl = strings.ToUpper(c.decl)
		g.cols = append(g.cols, c)
	}
	ti.Close()
	if len(g.cols) == 0 || len(g.cols) > g.opts.Limits.MaxProperties {
		return fmt.Errorf("layer %q has %d columns", table, len(g.cols))
	}
	names := make([]string, len(g.cols))
	order := "rowid"
	for i, c := range g.cols {
		names[i] = quoteIdent(c.name)
		if c.pk {
			order = names[i]
		}
	}
	g.rows, err = g.db.Query(`SELECT ` + strings.Join(names, ", ") + ` FROM ` + quoteIdent(table) + ` ORDER BY ` + order)
	if err != nil {
		return fmt.Errorf("reading layer %q: %w", table, err)
	}
	g.vals = make([]any, len(g.cols))
	g.ptrs = make([]any, len(g.cols))
	for i := range g.vals {
		g.ptrs[i] = &g.vals[i]
	}
	return nil
}

// checkCount fails a layer over the feature limit before reading it: from
// GDAL's gpkg_ogr_contents count when the file has one, else from the
// largest rowid (cheap), confirmed by counting only when that is over.
func (g *gpkgReader) checkCount(table string) error {
	lim := g.opts.Limits
	var n int64
	err := g.db.QueryRow(`SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?`, table).Scan(&n)
	if err == nil && n > int64(lim.MaxFeatures) {
		return lim.tooMany(n, "its gpkg_ogr_contents table")
	}
	if err == nil && n >= 0 {
		return nil
	}
	var maxRowid sql.NullInt64
	if err := g.db.QueryRow(`SELECT max(rowid) FROM ` + quoteIdent(table)).Scan(&maxRowid); err != nil || maxRowid.Int64 <= int64(lim.MaxFeatures) {
		return nil // a table without rowid is counted while reading
	}
	if err := g.db.QueryRow(`SELECT count(*) FROM ` + quoteIdent(table)).Scan(&n); err == nil && n > int64(lim.MaxFeatures) {
		return lim.tooMany(n, "a count of its rows")
	}
	return nil
}

func (g *gpkgReader) notices() []Notice {
	if g.extraDims == 0 {
		return nil
	}
	return []Notice{{Code: NoticeDimensions, Features: g.extraDims, Message: fmt.Sprintf(
		"%d geometries have Z or M values; they were dropped and the geometries are published in 2D", g.extraDims)}}
}

// srsName names the layer's CRS: "EPSG:n" when the GeoPackage ties it to
// EPSG, else the WKT definition. srs_id 0 is the GeoPackage's "undefined
// geographic" CRS, read as CRS84.
func (g *gpkgReader) srsName(id int64) (string, error) {
	var org, def string
	var code int64
	err := g.db.QueryRow(`SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?`, id).
		Scan(&org, &code, &def)
	if err != nil {
		return "", fmt.Errorf("gpkg_spatial_ref_sys has no srs_id %d: %w", id, err)
	}
	switch {
	case strings.EqualFold(org, "EPSG") && code > 0:
		return fmt.Sprintf("EPSG:%d", code), nil
	case id == 0:
		return crs84, nil
	case strings.TrimSpace(def) != "" && def != "undefined":
		return def, nil
	}
	return "", nil
}

func (g *gpkgReader) CRS() string { return g.crs }

func (g *gpkgReader) Close() error {
	var errs []error
	if g.rows != nil {
		errs = append(errs, g.rows.Close())
	}
	errs = append(errs, g.db.Close())
	if g.tmpPath != "" {
		errs = append(errs, os.Remove(g.tmpPath))
		g.tmpPath = ""
	}
	return errors.Join(errs...)
}

func (g *gpkgReader) Next() (Feature, error) {
	if !g.rows.Next() {
		if err := g.rows.Err(); err != nil {
			return Feature{}, fmt.Errorf("GeoPackage: %w", err)
		}
		return Feature{}, io.EOF
	}
	idx := g.index
	g.index++
	if err := g.rows.Scan(g.ptrs...); err != nil {
		return Feature{}, fmt.Errorf("GeoPackage row %d: %w", idx, err)
	}
	f := Feature{ID: fmt.Sprint(idx), Properties: make(map[string]any, len(g.cols))}
	var geomErr error
	for i, c := range g.cols {
		v := g.vals[i]
		switch {
		case c.pk:
			f.ID = fmt.Sprint(v)
		case c.geom:
			if b, ok := v.([]byte); ok {
				var extra bool
				f.Geometry, extra, geomErr = decodeGPKG(b, g.opts.Limits)
				if extra {
					g.extraDims++
				}
			}
		default:
			pv, ok := gpkgValue(c.decl, v)
			if s, isStr := pv.(string); isStr && len(s) > g.opts.Limits.MaxStringBytes {
				return Feature{}, &FeatureError{Index: idx, ID: f.ID, Reason: fmt.Sprintf("column %q is longer than %d bytes", c.name, g.opts.Limits.MaxStringBytes)}
			}
			if ok {
				f.Properties[c.name] = pv
			}
		}
	}
	if geomErr != nil {
		return Feature{}, &FeatureError{Index: idx, ID: f.ID, Reason: "geometry: " + geomErr.Error()}
	}
	return f, nil
}

// gpkgValue maps a column value by its declared GeoPackage type; BLOB
// columns other than the geometry are left out (ok false).
func gpkgValue(decl string, v any) (any, bool) {
	switch v := v.(type) {
	case []byte:
		if strings.Contains(decl, "BLOB") {
			return nil, false
		}
		return string(v), true
	case int64:
		if decl == "BOOLEAN" {
			return v != 0, true
		}
		return v, true
	case time.Time:
		if decl == "DATE" {
			return v.Format("2006-01-02"), true
		}
		return v.Format(time.RFC3339Nano), true
	}
	return v, true
}

// DecodeGPKGGeometry decodes a GeoPackage geometry blob: "GP", version,
// flags, srs_id, an optional envelope, then WKB. Z and M values are
// dropped.
func DecodeGPKGGeometry(b []byte) (orb.Geometry, error) {
	g, _, err := decodeGPKG(b, DefaultLimits)
	return g, err
}

// decodeGPKG also reports whether Z or M values were dropped.
func decodeGPKG(b []byte, lim Limits) (orb.Geometry, bool, error) {
	if len(b) < 8 || b[0] != 'G' || b[1] != 'P' {
		return nil, false, errors.New("not a GeoPackage geometry blob (no GP magic)")
	}
	if b[2] != 0 {
		return nil, false, fmt.Errorf("unsupported GeoPackage blob version %d", b[2])
	}
	flags := b[3]
	if flags&0x20 != 0 {
		return nil, false, errors.New("extended GeoPackage geometry types are not supported")
	}
	envBytes := [...]int{0, 32, 48, 48, 64}
	env := int(flags>>1) & 0x07
	if env >= len(envBytes) {
		return nil, false, fmt.Errorf("invalid envelope code %d", env)
	}
	hdr := 8 + envBytes[env]
	if len(b) < hdr {
		return nil, false, errors.New("GeoPackage blob shorter than its header")
	}
	if flags&0x10 != 0 {
		return nil, false, nil // empty geometry
	}
	g, extra, err := decodeWKB(b[hdr:], lim)
	if err != nil {
		return nil, false, fmt.Errorf("WKB: %w", err)
	}
	return g, extra, nil
}
