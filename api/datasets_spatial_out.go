package api

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/gis/ingest"
)

// outFeature is a validated feature in CRS84 on its way to the downloads
// and the OGC API index. Its properties map is shared by the writers, which
// only read it.
type outFeature struct {
	id    string
	geom  orb.Geometry
	props map[string]any
}

// appendGeoJSONFeature encodes f exactly as orb's Feature.MarshalJSON does
// (member order, sorted property names, encoding/json's number and string
// spelling, "properties":null when there are none) without reflection,
// which profiling showed as the largest cost of writing the download. keys
// is scratch space, returned for reuse.
func appendGeoJSONFeature(dst []byte, f outFeature, keys []string) ([]byte, []string, error) {
	dst = append(dst, '{')
	if f.id != "" {
		dst = append(dst, `"id":`...)
		dst = appendJSONString(dst, f.id)
		dst = append(dst, ',')
	}
	dst = append(dst, `"type":"Feature","geometry":`...)
	switch g := f.geom.(type) {
	case nil:
		dst = append(dst, "null"...)
	case orb.Point:
		var err error
		dst = append(dst, `{"type":"Point","coordinates":[`...)
		if dst, err = appendJSONFloat(dst, g[0]); err != nil {
			return dst, keys, err
		}
		dst = append(dst, ',')
		if dst, err = appendJSONFloat(dst, g[1]); err != nil {
			return dst, keys, err
		}
		dst = append(dst, "]}"...)
	default:
		raw, err := geojson.NewGeometry(g).MarshalJSON()
		if err != nil {
			return dst, keys, err
		}
		dst = append(dst, raw...)
	}
	dst = append(dst, `,"properties":`...)
	if len(f.props) == 0 {
		return append(dst, "null}"...), keys, nil
	}
	keys = keys[:0]
	for k := range f.props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		var err error
		if dst, err = appendJSONValue(dst, f.props[k]); err != nil {
			return dst, keys, fmt.Errorf("property %q: %w", k, err)
		}
	}
	return append(dst, "}}"...), keys, nil
}

func appendJSONValue(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendJSONString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case float64:
		return appendJSONFloat(dst, x)
	}
	// Nested objects and arrays (GeoJSON uploads only) are rare.
	raw, err := json.Marshal(v)
	return append(dst, raw...), err
}

var errNotFinite = errors.New("a number is not finite, which JSON cannot hold")

// appendJSONFloat spells f as encoding/json does: shortest round-trip
// digits, exponent form only below 1e-6 or from 1e21, "e-7" not "e-07".
func appendJSONFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, errNotFinite
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if n := len(dst); format == 'e' && n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1]
		dst = dst[:n-1]
	}
	return dst, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping on:
// invalid UTF-8 becomes U+FFFD; <, >, &, U+2028 and U+2029 are escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// featureCSV writes the spatial CSV download (id, a WKT geometry column,
// then one column per property) in the same pass as the GeoJSON, instead
// of reading the GeoJSON back. Property columns are numbered as they are
// first met (names new in one feature in sorted order), so a row only ever
// lacks trailing columns; rows go to a temporary file, and the blob is the
// header plus those rows, padded in one extra pass only when a property
// first appeared after the first feature.
type featureCSV struct {
	tmp    *os.File
	buf    *bufio.Writer
	cw     *csv.Writer
	cols   []string
	colIdx map[string]int
	width0 int // property columns known after the first row
	rows   int64
	row    []string
	fresh  []string
}

func newFeatureCSV() (*featureCSV, error) {
	tmp, err := os.CreateTemp("", "councilapi-csv-*")
	if err != nil {
		return nil, err
	}
	w := &featureCSV{tmp: tmp, buf: bufio.NewWriterSize(tmp, 256<<10), colIdx: map[string]int{}}
	w.cw = csv.NewWriter(w.buf)
	return w, nil
}

func (w *featureCSV) add(f outFeature) error {
	w.fresh = w.fresh[:0]
	for k := range f.props {
		if _, ok := w.colIdx[k]; !ok {
			w.fresh = append(w.fresh, k)
		}
	}
	if len(w.fresh) > 0 {
		slices.Sort(w.fresh)
		for _, k := range w.fresh {
			w.colIdx[k] = len(w.cols)
			w.cols = append(w.cols, k)
		}
	}
	if w.rows == 0 {
		w.width0 = len(w.cols)
	}
	w.row = append(w.row[:0], f.id, wktText(f.geom))
	for _, name := range w.cols {
		w.row = append(w.row, cellText(f.props[name]))
	}
	w.rows++
	return w.cw.Write(w.row)
}

func wktText(g orb.Geometry) string {
	switch g := g.(type) {
	case nil:
		return ""
	case orb.Point:
		b := make([]byte, 0, 48)
		b = append(b, "POINT("...)
		b = strconv.AppendFloat(b, g[0], 'g', -1, 64)
		b = append(b, ' ')
		b = strconv.AppendFloat(b, g[1], 'g', -1, 64)
		return string(append(b, ')'))
	}
	return wkt.MarshalString(g)
}

// finish writes the header and the rows to the blob writer.
func (w *featureCSV) finish(out *blobWriter) error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return err
	}
	if err := w.buf.Flush(); err != nil {
		return err
	}
	if _, err := w.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	hw := csv.NewWriter(out)
	header := append([]string{"id", "wkt"}, w.cols...)
	if err := hw.Write(header); err != nil {
		return err
	}
	hw.Flush()
	if err := hw.Error(); err != nil {
		return err
	}
	if w.width0 == len(w.cols) {
		_, err := io.Copy(out, bufio.NewReaderSize(w.tmp, 256<<10))
		return err
	}
	rd := csv.NewReader(bufio.NewReaderSize(w.tmp, 256<<10))
	rd.FieldsPerRecord, rd.ReuseRecord = -1, true
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for len(rec) < len(header) {
			rec = append(rec, "")
		}
		if err := hw.Write(rec); err != nil {
			return err
		}
	}
	hw.Flush()
	return hw.Error()
}

func (w *featureCSV) close() {
	w.tmp.Close()
	os.Remove(w.tmp.Name())
}

// consume adds the features of every batch until in closes. It always
// drains in, so the producer never blocks on a failed writer.
func (w *featureCSV) consume(in <-chan []outFeature) error {
	var err error
	for batch := range in {
		for _, f := range batch {
			if err == nil {
				err = w.add(f)
			}
		}
	}
	return err
}

// save stores the CSV download once every feature proved valid.
func (a *datasetsAPI) saveFeatureCSV(ctx context.Context, w *featureCSV, key string) (versionFile, error) {
	out := a.newBlobWriter(ctx, key)
	if err := w.finish(out); err != nil {
		out.abort(err)
		return versionFile{}, err
	}
	info, err := out.finish()
	return versionFile{Ext: "csv", MediaType: "text/csv; charset=utf-8", Size: info.Size, SHA256: info.SHA256, SHA1: out.sum1()}, err
}

// inColumnOrder lists the inferred properties in the CSV download's column
// order, so the two always agree.
func inColumnOrder(props []ingest.Property, cols []string) []ingest.Property {
	byName := make(map[string]ingest.Property, len(props))
	for _, p := range props {
		byName[p.Name] = p
	}
	out := make([]ingest.Property, 0, len(props))
	for _, c := range cols {
		if p, ok := byName[c]; ok {
			out = append(out, p)
			delete(byName, c)
		}
	}
	for _, p := range props {
		if _, ok := byName[p.Name]; ok {
			out = append(out, p)
		}
	}
	return out
}
