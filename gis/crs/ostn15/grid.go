package ostn15

import (
	"github.com/jointict/councilapi/gis/crs/internal/gridcode"

	"bytes"
	"compress/flate"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

//go:generate go run ../internal/genostn15 -out .

// The grid is derived from OS's data file by ../internal/genostn15. Layout
// (little-endian): magic "OSTN15c1", uint32 columns, uint32 rows, uint32
// spacing in metres, then a raw-deflate stream holding, for the east plane
// and then the north plane, one zigzag varint per node (row-major from the
// south-west corner) that is the node's shift in millimetres minus the planar
// prediction left + below - below-left, and finally one validity byte per
// node (1 = the node has shifts).
//
//go:embed ostn15.bin
var gridBin []byte

// Licence is the Ordnance Survey copyright notice and BSD licence of the
// OSTN15 data. Its terms require it to accompany redistributions of the data
// in binary form, so the service should publish it (e.g. on an about page).
//
//go:embed LICENCE-OSTN15.txt
var Licence string

const (
	gridMagic = gridcode.Magic
	// Published OSTN15 geometry; the decoder insists on it because the
	// projection extent and error messages assume it.
	cols    = gridcode.Cols
	rows    = gridcode.Rows
	spacing = gridcode.Spacing * 1.0 // an untyped float, as the projection code uses it
	// MaxEasting and MaxNorthing bound the OSTN15 grid, whose south-west
	// node is 0,0 in ETRS89 National Grid coordinates.
	MaxEasting  = (cols - 1) * spacing
	MaxNorthing = (rows - 1) * spacing
	// noData in the east shift marks a node without data.
	noData = gridcode.NoData
)

// grid holds the shifts of node i (row-major) at shifts[2i] (east) and
// shifts[2i+1] (north), in millimetres, so one bilinear lookup touches two
// adjacent pairs per row.
type grid struct {
	shifts []int32
}

var (
	loadOnce   sync.Once
	loadedGrid *grid
	loadErr    error
)

// load decodes the embedded grid once per process; later calls are free.
func load() (*grid, error) {
	loadOnce.Do(func() {
		loadedGrid, loadErr = decode(gridBin)
	})
	return loadedGrid, loadErr
}

// Ready decodes the grid now instead of on the first transformation, so a
// server can pay the few milliseconds at start-up and fail fast if the
// embedded data were damaged.
func Ready() error {
	_, err := load()
	return err
}

func decode(b []byte) (*grid, error) {
	const header = len(gridMagic) + 12
	if len(b) < header || string(b[:len(gridMagic)]) != gridMagic {
		return nil, errors.New("ostn15: embedded grid has no OSTN15c1 header")
	}
	c := binary.LittleEndian.Uint32(b[8:])
	r := binary.LittleEndian.Uint32(b[12:])
	s := binary.LittleEndian.Uint32(b[16:])
	if c != cols || r != rows || s != spacing {
		return nil, fmt.Errorf("ostn15: embedded grid is %dx%d at %d m, want %dx%d at %d m", c, r, s, cols, rows, int(spacing))
	}
	const n = cols * rows
	zr := flate.NewReader(bytes.NewReader(b[header:]))
	defer zr.Close()
	// Reading the whole body at once lets the varint loop run over a slice,
	// which is several times faster than a byte-at-a-time reader.
	body, err := io.ReadAll(io.LimitReader(zr, 2*n*binary.MaxVarintLen32+n+1))
	if err != nil {
		return nil, fmt.Errorf("ostn15: inflating embedded grid: %w", err)
	}
	g := &grid{shifts: make([]int32, 2*n)}
	plane := make([]int32, n)
	pos := 0
	for p := range 2 {
		for i := range plane {
			v, k := binary.Varint(body[pos:])
			if k <= 0 {
				return nil, fmt.Errorf("ostn15: embedded grid truncated in plane %d at node %d", p, i)
			}
			pos += k
			v += gridcode.Predict(plane, i)
			if v < -1<<30 || v > 1<<30 {
				return nil, fmt.Errorf("ostn15: embedded grid shift %d mm out of range at node %d", v, i)
			}
			plane[i] = int32(v)
			g.shifts[2*i+p] = int32(v)
		}
	}
	valid := body[pos:]
	if len(valid) != n {
		return nil, fmt.Errorf("ostn15: embedded grid validity plane has %d bytes, want %d", len(valid), n)
	}
	for i, ok := range valid {
		if ok == 0 {
			g.shifts[2*i] = noData
		}
	}
	return g, nil
}

// Node returns the published shifts in metres at grid node (col, row), i.e.
// at ETRS89 easting col*1000 m and northing row*1000 m, and whether the node
// holds data. It exists so tests can compare the embedded grid with the
// node values OS prints in its test output.
func Node(col, row int) (east, north float64, ok bool, err error) {
	g, err := load()
	if err != nil {
		return 0, 0, false, err
	}
	if col < 0 || col >= cols || row < 0 || row >= rows {
		return 0, 0, false, nil
	}
	i := 2 * (row*cols + col)
	if g.shifts[i] == noData {
		return 0, 0, false, nil
	}
	return float64(g.shifts[i]) / 1000, float64(g.shifts[i+1]) / 1000, true, nil
}

// shift interpolates the OSTN15 shifts bilinearly at an ETRS89 National Grid
// position, as OS's transformation guide prescribes. Points on the east or
// north edge of the grid use the last cell, so the whole closed extent is
// covered.
func (g *grid) shift(e, n float64) (se, sn float64, err error) {
	if !(e >= 0 && e <= MaxEasting && n >= 0 && n <= MaxNorthing) {
		return 0, 0, outside(e, n)
	}
	x, y := int(e/spacing), int(n/spacing)
	if x > cols-2 {
		x = cols - 2
	}
	if y > rows-2 {
		y = rows - 2
	}
	t := (e - float64(x)*spacing) / spacing
	u := (n - float64(y)*spacing) / spacing
	i0 := 2 * (y*cols + x) // south-west node; +2 is east, +2*cols is north
	i3 := i0 + 2*cols
	s := g.shifts[i0 : i0+4 : i0+4]
	s3 := g.shifts[i3 : i3+4 : i3+4]
	if s[0] == noData || s[2] == noData || s3[0] == noData || s3[2] == noData {
		return 0, 0, fmt.Errorf("%w: ETRS89 grid position %.3f,%.3f lies in an OSTN15 cell without data", ErrOutside, e, n)
	}
	w0 := (1 - t) * (1 - u)
	w1 := t * (1 - u)
	w2 := t * u
	w3 := (1 - t) * u
	se = (w0*float64(s[0]) + w1*float64(s[2]) + w2*float64(s3[2]) + w3*float64(s3[0])) / 1000
	sn = (w0*float64(s[1]) + w1*float64(s[3]) + w2*float64(s3[3]) + w3*float64(s3[1])) / 1000
	return se, sn, nil
}
