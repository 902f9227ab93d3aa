package opendata

import (
	"bufio"
	"context"
	"encoding/csv"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

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
func (s *Service) saveFeatureCSV(ctx context.Context, w *featureCSV, key string) (VersionFile, error) {
	out := s.newBlobWriter(ctx, key)
	if err := w.finish(out); err != nil {
		out.abort(err)
		return VersionFile{}, err
	}
	info, err := out.finish()
	return VersionFile{Ext: "csv", MediaType: "text/csv; charset=utf-8", Size: info.Size, SHA256: info.SHA256, SHA1: out.sum1()}, err
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
