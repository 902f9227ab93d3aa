package ingest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/metrics"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/testref"
)

// repeated is a zip member made of a header and one chunk repeated n
// times, compressed without ever holding the whole: each part is deflated
// once from an empty window and ended with a sync flush, so copies of it
// can follow each other (their back-references stay inside themselves).
type repeated struct {
	name   string
	header []byte
	chunk  []byte
	n      int
}

func deflated(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (m repeated) add(t *testing.T, zw *zip.Writer) {
	head, body := deflated(t, m.header), deflated(t, m.chunk)
	crc := crc32.Update(0, crc32.IEEETable, m.header)
	for i := 0; i < m.n; i++ {
		crc = crc32.Update(crc, crc32.IEEETable, m.chunk)
	}
	final := []byte{0x01, 0x00, 0x00, 0xff, 0xff} // an empty last block
	size := uint64(len(m.header)) + uint64(len(m.chunk))*uint64(m.n)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: m.name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(head) + len(body)*m.n + len(final)), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(head)
	for i := 0; i < m.n; i++ {
		w.Write(body)
	}
	w.Write(final)
}

// fortyMillionPoints builds the zipped Shapefile of issue 11: 40 M
// identical points, a few megabytes zipped, over a gigabyte unzipped.
// headerType is the shape type the .shp header declares: the records are
// points either way, but for other types only the .shx and .dbf tell the
// count (records vary in size).
func fortyMillionPoints(t *testing.T, headerType uint32, withIndex bool) []byte {
	const points, perChunk = 40_000_000, 5_000
	be, le := binary.BigEndian, binary.LittleEndian
	shpHeader := func(words int64) []byte {
		h := make([]byte, 100)
		be.PutUint32(h, 9994)
		be.PutUint32(h[24:], uint32(words))
		le.PutUint32(h[28:], 1000)
		le.PutUint32(h[32:], headerType)
		return h
	}
	rec := make([]byte, 28)
	be.PutUint32(rec, 1)
	be.PutUint32(rec[4:], 10)
	le.PutUint32(rec[8:], 1)
	le.PutUint64(rec[12:], math.Float64bits(380000))
	le.PutUint64(rec[20:], math.Float64bits(390000))
	idx := make([]byte, 8)
	be.PutUint32(idx, 50)
	be.PutUint32(idx[4:], 10)
	dbfHead := make([]byte, 32+32+1)
	dbfHead[0] = 3
	le.PutUint32(dbfHead[4:], points)
	le.PutUint16(dbfHead[8:], 65)
	le.PutUint16(dbfHead[10:], 2)
	copy(dbfHead[32:], "N")
	dbfHead[43], dbfHead[48] = 'C', 1
	dbfHead[64] = 0x0d
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range []repeated{
		{"points.shp", shpHeader((100 + 28*points) / 2), bytes.Repeat(rec, perChunk), points / perChunk},
		{"points.shx", shpHeader((100 + 8*points) / 2), bytes.Repeat(idx, perChunk), points / perChunk},
		{"points.dbf", dbfHead, bytes.Repeat([]byte(" a"), perChunk), points / perChunk},
	} {
		if withIndex || !strings.HasSuffix(m.name, ".shx") {
			m.add(t, zw)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func heapAllocs() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func assertLimitError(t *testing.T, err error, found int64) *LimitError {
	t.Helper()
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrLimit) || domain.ErrorCode(err) != domain.CodeTooLarge {
		t.Fatalf("err = %v, want a LimitError", err)
	}
	if le.Found != found || !strings.Contains(err.Error(), le.Setting) || !strings.Contains(err.Error(), fmt.Sprint(le.Limit)) {
		t.Errorf("LimitError %+v (%v), want found %d and the limit and setting named", le, err, found)
	}
	return le
}

// TestFortyMillionPointsFailFast: the upload fails from its headers,
// before any record is read, with next to no memory.
func TestFortyMillionPointsFailFast(t *testing.T) {
	data := fortyMillionPoints(t, 1, true)
	t.Logf("zipped Shapefile of 40 M points: %.1f MB", float64(len(data))/1e6)
	before := heapAllocs()
	_, err := Open(FormatShapefile, bytes.NewReader(data), int64(len(data)), Options{})
	allocated := heapAllocs() - before
	le := assertLimitError(t, err, 40_000_000)
	if le.Setting != "COUNCILAPI_MAX_FEATURES" || le.Limit != DefaultLimits.MaxFeatures {
		t.Errorf("limit %+v", le)
	}
	if allocated > 8<<20 {
		t.Errorf("opening allocated %d bytes; the headers alone decide", allocated)
	}
	if le.Where != "its .shp size" {
		t.Errorf("found in %q", le.Where)
	}
	// Records of other shapes vary in size: the index, else the table,
	// tells the count.
	for _, c := range []struct {
		index bool
		where string
	}{{true, "its .shx index"}, {false, "its .dbf header"}} {
		data = fortyMillionPoints(t, 5, c.index)
		_, err = Open(FormatShapefile, bytes.NewReader(data), int64(len(data)), Options{})
		if le := assertLimitError(t, err, 40_000_000); le.Where != c.where {
			t.Errorf("found in %q", le.Where)
		}
	}
}

func TestLimitFromHeadersAndCounts(t *testing.T) {
	ogr := testref.Tool(t, "ogr2ogr", "gdal-bin")
	src := testref.Shared(t, "data/trafford/trafford_conservation_areas.geojson")
	dir := t.TempDir()
	small := Options{Limits: Limits{MaxFeatures: 5, MaxFeaturesSetting: "--max-features"}}
	gpkg := filepath.Join(dir, "a.gpkg")
	bare := filepath.Join(dir, "bare.gpkg")
	for _, args := range [][]string{{"-f", "GPKG", gpkg, src}, {"-f", "GPKG", "-dsco", "ADD_GPKG_OGR_CONTENTS=NO", bare, src}} {
		if out, err := exec.Command(ogr, args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr: %v\n%s", err, out)
		}
	}
	_, err := OpenFile(gpkg, small)
	if le := assertLimitError(t, err, 21); le.Where != "its gpkg_ogr_contents table" || le.Setting != "--max-features" {
		t.Errorf("gpkg: %+v", le)
	}
	_, err = OpenFile(bare, small)
	if le := assertLimitError(t, err, 21); le.Where != "a count of its rows" {
		t.Errorf("gpkg without gpkg_ogr_contents: %+v", le)
	}
	if r, err := OpenFile(gpkg, Options{}); err != nil {
		t.Errorf("under the limit: %v", err)
	} else {
		r.Close()
	}

	areas := traffordAreas(t)
	gml := writeFile(t, "wfs.gml", gmlDoc{wfsFlavour: councilWFS}.render(areas))
	_, err = OpenFile(gml, small)
	if le := assertLimitError(t, err, 21); le.Where != "its numberReturned attribute" {
		t.Errorf("gml: %+v", le)
	}
	// A GeoJSON has no count: the id scan in Open reaches the limit.
	b, _ := os.ReadFile(src)
	_, err = Open(FormatGeoJSON, bytes.NewReader(b), int64(len(b)), small)
	assertLimitError(t, err, 0)
	// A CSV is counted as it is read.
	csv := "easting,northing\n" + strings.Repeat("380000,390000\n", 6)
	r := openBytes(t, FormatCSV, csv, small)
	v := NewValidator(r, small.Limits)
	for err = nil; err == nil; {
		_, err = v.Next()
	}
	assertLimitError(t, err, 0)
	if v.Report().Fatal == "" {
		t.Error("the limit is not the report's fatal error")
	}
}
