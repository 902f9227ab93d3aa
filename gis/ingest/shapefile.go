package ingest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/jointict/councilapi/gis/repair"
)

// shpReader streams a zipped Shapefile: .shp and .dbf are read in step, one
// record at a time; .shx is not needed for sequential reading.
type shpReader struct {
	shp       *bufio.Reader
	dbf       *dbfReader
	close     []io.Closer
	opts      Options
	crs       string
	index     int
	buf       bytes.Buffer
	shapeType uint32
	read      int
}

const shpHeaderSize = 100

func openShapefileZip(src io.ReaderAt, size int64, opts Options) (Reader, error) {
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable zip file: %w", err)
	}
	members := map[string]*zip.File{}
	var shpNames []string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(path.Base(f.Name), "._") {
			continue
		}
		ext := strings.ToLower(path.Ext(f.Name))
		base := strings.TrimSuffix(f.Name, path.Ext(f.Name))
		members[strings.ToLower(base)+ext] = f
		if ext == ".shp" {
			shpNames = append(shpNames, base)
		}
	}
	switch len(shpNames) {
	case 0:
		return nil, errors.New("the zip holds no .shp file")
	case 1:
	default:
		return nil, fmt.Errorf("the zip holds %d .shp files (%s); upload one layer per zip", len(shpNames), strings.Join(shpNames, ", "))
	}
	base := strings.ToLower(shpNames[0])
	r := &shpReader{opts: opts, crs: opts.CRS}
	open := func(ext string) (io.Reader, *zip.File, error) {
		f := members[base+ext]
		if f == nil {
			return nil, nil, nil
		}
		rc, err := f.Open()
		if err != nil {
			return nil, nil, err
		}
		r.close = append(r.close, rc)
		// A zip member may claim any size; never read past the limit.
		return io.LimitReader(rc, opts.Limits.MaxDecodedBytes), f, nil
	}
	if r.crs == "" {
		if prj, _, err := open(".prj"); err != nil {
			return nil, err
		} else if prj != nil {
			b, err := io.ReadAll(io.LimitReader(prj, 64<<10))
			if err != nil {
				return nil, fmt.Errorf(".prj: %w", err)
			}
			r.crs = strings.TrimSpace(string(b))
		}
	}
	enc := opts.Encoding
	if enc == "" {
		if cpg, _, err := open(".cpg"); err != nil {
			return nil, err
		} else if cpg != nil {
			b, _ := io.ReadAll(io.LimitReader(cpg, 256))
			enc = strings.TrimSpace(string(b))
		}
	}
	shp, _, err := open(".shp")
	if err != nil {
		return nil, err
	}
	r.shp = bufio.NewReaderSize(shp, 64<<10)
	var hdr [shpHeaderSize]byte
	if _, err := io.ReadFull(r.shp, hdr[:]); err != nil {
		r.Close()
		return nil, errors.New(".shp is shorter than its 100-byte header")
	}
	if binary.BigEndian.Uint32(hdr[0:4]) != 9994 || binary.LittleEndian.Uint32(hdr[28:32]) != 1000 {
		r.Close()
		return nil, errors.New(".shp header is not a Shapefile header")
	}
	r.shapeType = binary.LittleEndian.Uint32(hdr[32:36])
	// Point records have a fixed size, so the .shp's length is a record
	// count too. The zip's size of the member is taken rather than the
	// header's file length, which some writers get wrong.
	if size, ok := map[uint32]uint64{1: 28, 21: 36, 11: 44}[r.shapeType]; ok && members[base+".shp"].UncompressedSize64 > shpHeaderSize {
		if n := (members[base+".shp"].UncompressedSize64 - shpHeaderSize) / size; n > uint64(opts.Limits.MaxFeatures) {
			r.Close()
			return nil, opts.Limits.tooMany(int64(n), "its .shp size")
		}
	}
	// The index holds 8 bytes per record after its 100-byte header: the
	// record count without reading a record.
	if shx := members[base+".shx"]; shx != nil && shx.UncompressedSize64 > shpHeaderSize {
		if n := int64((shx.UncompressedSize64 - shpHeaderSize) / 8); n > int64(opts.Limits.MaxFeatures) {
			r.Close()
			return nil, opts.Limits.tooMany(n, "its .shx index")
		}
	}
	dbf, _, err := open(".dbf")
	if err != nil {
		r.Close()
		return nil, err
	}
	if dbf != nil {
		if r.dbf, err = newDBFReader(dbf, enc, opts.Limits); err != nil {
			r.Close()
			return nil, err
		}
		if n := int64(r.dbf.records); n > int64(opts.Limits.MaxFeatures) {
			r.Close()
			return nil, opts.Limits.tooMany(n, "its .dbf header")
		}
	}
	return r, nil
}

func (r *shpReader) notices() []Notice {
	var out []Notice
	if r.shapeType >= 10 && r.read > 0 {
		what := "Z and M values were"
		if r.shapeType >= 20 {
			what = "M values were"
		}
		out = append(out, Notice{Code: NoticeDimensions, Features: r.read, Message: fmt.Sprintf(
			"the Shapefile's shape type is %s: %s dropped and geometries are published in 2D", shapeTypeName(r.shapeType), what)})
	}
	if r.dbf != nil {
		out = append(out, r.dbf.notices()...)
	}
	return out
}

func shapeTypeName(t uint32) string {
	names := map[uint32]string{1: "Point", 3: "PolyLine", 5: "Polygon", 8: "MultiPoint"}
	base, suffix := t, ""
	switch {
	case t >= 20:
		base, suffix = t-20, "M"
	case t >= 10:
		base, suffix = t-10, "Z"
	}
	if n, ok := names[base]; ok {
		return n + suffix
	}
	return fmt.Sprintf("type %d", t)
}

func (r *shpReader) CRS() string { return r.crs }

func (r *shpReader) Close() error {
	var errs []error
	for _, c := range r.close {
		errs = append(errs, c.Close())
	}
	r.close = nil
	return errors.Join(errs...)
}

func (r *shpReader) Next() (Feature, error) {
	for {
		var rh [8]byte
		if _, err := io.ReadFull(r.shp, rh[:]); err != nil {
			if err == io.EOF {
				return Feature{}, io.EOF
			}
			return Feature{}, fmt.Errorf(".shp record %d header: %w", r.index, err)
		}
		idx := r.index
		r.index++
		length := int64(binary.BigEndian.Uint32(rh[4:8])) * 2
		if length > r.opts.Limits.MaxFeatureBytes {
			return Feature{}, limitErr(".shp record %d declares %d bytes", idx, length)
		}
		// CopyN grows the buffer only as bytes really arrive, so a header
		// declaring a huge record in a tiny file allocates little.
		r.buf.Reset()
		if n, err := io.CopyN(&r.buf, r.shp, length); err != nil {
			return Feature{}, fmt.Errorf(".shp record %d: %d of %d bytes: %w", idx, n, length, io.ErrUnexpectedEOF)
		}
		var props map[string]any
		deleted := false
		var propErr error
		if r.dbf != nil {
			props, deleted, propErr = r.dbf.next()
			if propErr == io.EOF {
				return Feature{}, fmt.Errorf(".dbf has fewer records than .shp (%d)", idx)
			}
			var fe *FeatureError
			if propErr != nil && !errors.As(propErr, &fe) {
				return Feature{}, propErr
			}
		}
		if deleted {
			continue
		}
		id := fmt.Sprint(idx)
		if propErr != nil {
			return Feature{}, &FeatureError{Index: idx, ID: id, Reason: propErr.Error()}
		}
		g, err := parseShape(r.buf.Bytes(), r.opts.Limits)
		if err != nil {
			return Feature{}, &FeatureError{Index: idx, ID: id, Reason: err.Error()}
		}
		r.read++
		return Feature{ID: id, Geometry: g, Properties: props}, nil
	}
}

// Shape types; Z and M variants are read as 2D.
const (
	shpNull       = 0
	shpPoint      = 1
	shpPolyLine   = 3
	shpPolygon    = 5
	shpMultiPoint = 8
)

func parseShape(b []byte, lim Limits) (orb.Geometry, error) {
	if len(b) < 4 {
		return nil, errors.New("record too short for a shape type")
	}
	le := binary.LittleEndian
	st := le.Uint32(b)
	base := st
	switch {
	case st >= 10 && st < 20:
		base = st - 10
	case st >= 20 && st < 30:
		base = st - 20
	}
	f64 := func(off int) float64 { return math.Float64frombits(le.Uint64(b[off:])) }
	switch base {
	case shpNull:
		return nil, nil
	case shpPoint:
		if len(b) < 20 {
			return nil, errors.New("point record too short")
		}
		return orb.Point{f64(4), f64(12)}, nil
	case shpPolyLine, shpPolygon, shpMultiPoint:
	default:
		return nil, fmt.Errorf("unsupported shape type %d", st)
	}
	// Layout: shape type, bbox (32 bytes), [numParts], numPoints, [parts], points.
	off := 36
	numParts := 1
	if base != shpMultiPoint {
		if len(b) < off+4 {
			return nil, errors.New("record too short")
		}
		numParts = int(le.Uint32(b[off:]))
		off += 4
	}
	if len(b) < off+4 {
		return nil, errors.New("record too short")
	}
	numPoints := int(le.Uint32(b[off:]))
	off += 4
	if numPoints > lim.MaxPoints || numParts > lim.MaxParts {
		return nil, fmt.Errorf("%d points in %d parts exceed the limits", numPoints, numParts)
	}
	if numParts < 1 || (base != shpMultiPoint && numParts > numPoints) {
		return nil, fmt.Errorf("%d parts for %d points", numParts, numPoints)
	}
	partsAt := off
	if base != shpMultiPoint {
		off += 4 * numParts
	}
	if len(b) < off+16*numPoints {
		return nil, fmt.Errorf("record holds fewer than its %d points", numPoints)
	}
	pts := make([]orb.Point, numPoints)
	for i := range pts {
		pts[i] = orb.Point{f64(off + 16*i), f64(off + 16*i + 8)}
	}
	if base == shpMultiPoint {
		return orb.MultiPoint(pts), nil
	}
	parts := make([][]orb.Point, numParts)
	for i := 0; i < numParts; i++ {
		start := int(le.Uint32(b[partsAt+4*i:]))
		end := numPoints
		if i+1 < numParts {
			end = int(le.Uint32(b[partsAt+4*i+4:]))
		}
		if (i == 0 && start != 0) || start >= end || end > numPoints {
			return nil, fmt.Errorf("part %d has bad point range %d..%d", i, start, end)
		}
		parts[i] = pts[start:end:end]
	}
	if base == shpPolyLine {
		if len(parts) == 1 {
			return orb.LineString(parts[0]), nil
		}
		return toMultiLine(parts), nil
	}
	return assembleRings(parts), nil
}

// assembleRings groups Shapefile rings into polygons: clockwise rings are
// exteriors, counter-clockwise ones holes. Each hole goes to the smallest
// exterior that contains it, whatever the ring order, since writers do not
// all keep holes right after their exterior. A hole inside no exterior is
// kept as an exterior of its own, and a file wound entirely backwards
// (every ring counter-clockwise) is read as exteriors only. Rings come out
// wound as RFC 7946 wants: rewinding a Shapefile's clockwise exteriors is
// reading the format, not repairing the data.
func assembleRings(parts [][]orb.Point) orb.Geometry {
	var outers, holes []orb.Ring
	for _, p := range parts {
		r := orb.Ring(p)
		if repair.SignedArea(r) < 0 {
			outers = append(outers, r)
		} else {
			holes = append(holes, r)
		}
	}
	if len(outers) == 0 {
		outers, holes = holes, nil
	}
	polys := make([]orb.Polygon, len(outers))
	areas := make([]float64, len(outers))
	bounds := make([]orb.Bound, len(outers))
	for i, o := range outers {
		polys[i] = orb.Polygon{o}
		areas[i] = math.Abs(repair.SignedArea(o))
		bounds[i] = o.Bound()
	}
	for _, h := range holes {
		best := -1
		probe := h[0]
		if len(h) > 1 {
			// The midpoint of the first edge is less likely than a vertex to
			// lie on the exterior, where touching holes meet it.
			probe = orb.Point{(h[0][0] + h[1][0]) / 2, (h[0][1] + h[1][1]) / 2}
		}
		for i, o := range outers {
			if !bounds[i].Contains(probe) || !planar.RingContains(o, probe) {
				continue
			}
			if best < 0 || areas[i] < areas[best] {
				best = i
			}
		}
		if best < 0 {
			polys = append(polys, orb.Polygon{h})
			continue
		}
		polys[best] = append(polys[best], h)
	}
	for _, p := range polys {
		for j, r := range p {
			if (j == 0) != (repair.SignedArea(r) > 0) {
				r.Reverse()
			}
		}
	}
	if len(polys) == 1 {
		return polys[0]
	}
	return orb.MultiPolygon(polys)
}
