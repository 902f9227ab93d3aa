// Command genostn15 derives the compact OSTN15 shift grid embedded by package
// ostn15 from the Ordnance Survey data file that ships inside the Go module
// github.com/fofanov/go-osgb (internal/data/OSTN15_OSGM15_GB.txt, the OS
// "OSTN15_OSGM15_DataFile.txt" under its BSD licence).
//
// It is run by `go generate ./gis/crs/ostn15` and writes two files there:
//
//   - ostn15.bin: the horizontal shifts, losslessly, in millimetres (see the
//     format in ostn15/grid.go);
//   - LICENCE-OSTN15.txt: the OS copyright notice and BSD licence, which the
//     licence requires to travel with any redistribution of the data.
//
// The 70 MB module is only read here, at generation time; nothing in the
// service binary imports it.
package main

import (
	"github.com/jointict/councilapi/gis/crs/internal/gridcode"

	"bufio"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

const (
	module   = "github.com/fofanov/go-osgb"
	dataFile = "internal/data/OSTN15_OSGM15_GB.txt"
	cols     = gridcode.Cols
	rows     = gridcode.Rows
	spacing  = gridcode.Spacing
	magic    = gridcode.Magic
	noData   = gridcode.NoData
)

func main() {
	src := flag.String("src", "", "directory of "+module+" (default: asked of `go list -m`)")
	out := flag.String("out", ".", "directory to write ostn15.bin and LICENCE-OSTN15.txt into")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("genostn15: ")

	dir, version := *src, "(version not recorded: -src given)"
	if dir == "" {
		var err error
		if dir, version, err = moduleDir(); err != nil {
			log.Fatal(err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, dataFile))
	if err != nil {
		log.Fatal(err)
	}
	east, north, err := parse(raw)
	if err != nil {
		log.Fatalf("%s: %v", dataFile, err)
	}
	bin, err := encode(east, north)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*out, "ostn15.bin"), bin, 0o644); err != nil {
		log.Fatal(err)
	}
	licence, err := os.ReadFile(filepath.Join(dir, "LICENSE"))
	if err != nil {
		log.Fatal(err)
	}
	notice := fmt.Sprintf(`The file ostn15.bin in this directory is derived from the Ordnance Survey
OSTN15 transformation data file (OSTN15_OSGM15_DataFile.txt), as shipped in
%s/%s
at module version %s
(SHA-256 of that file: %x).
Only the horizontal shifts are kept, losslessly, in millimetres. The data
remain under the Ordnance Survey licence below.

%s`, module, dataFile, version, sha256.Sum256(raw), licence)
	if err := os.WriteFile(filepath.Join(*out, "LICENCE-OSTN15.txt"), []byte(notice), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d bytes of grid from %d nodes", len(bin), cols*rows)
}

func moduleDir() (dir, version string, err error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", module)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("locating %s (is it in go.mod?): %w", module, err)
	}
	version, dir, _ = strings.Cut(strings.TrimSpace(string(b)), " ")
	if dir == "" {
		return "", "", fmt.Errorf("%s is not downloaded: run `go mod download %s`", module, module)
	}
	return dir, version, nil
}

// parse reads the OS CSV. Each row names its own node position, which is
// checked against the row number so a reordered or truncated file fails here
// instead of producing a silently shifted grid.
func parse(raw []byte) (east, north []int32, err error) {
	east = make([]int32, cols*rows)
	north = make([]int32, cols*rows)
	seen := make([]bool, cols*rows)
	sc := bufio.NewScanner(bytes.NewReader(raw))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			if !strings.HasPrefix(text, "Point_ID,ETRS89_Easting,ETRS89_Northing,ETRS89_OSGB36_EShift,ETRS89_OSGB36_NShift") {
				return nil, nil, fmt.Errorf("unexpected header %q", text)
			}
			continue
		}
		if text == "" {
			continue
		}
		f := strings.Split(text, ",")
		if len(f) != 7 {
			return nil, nil, fmt.Errorf("line %d: %d fields, want 7", line, len(f))
		}
		id, err1 := strconv.Atoi(f[0])
		e, err2 := strconv.Atoi(f[1])
		n, err3 := strconv.Atoi(f[2])
		se, err4 := millimetres(f[3])
		sn, err5 := millimetres(f[4])
		flagv, err6 := strconv.Atoi(f[6])
		if err := errors.Join(err1, err2, err3, err4, err5, err6); err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", line, err)
		}
		if e%spacing != 0 || n%spacing != 0 || e < 0 || n < 0 || e/spacing >= cols || n/spacing >= rows {
			return nil, nil, fmt.Errorf("line %d: node %d,%d is not on the %d m grid", line, e, n, spacing)
		}
		i := n/spacing*cols + e/spacing
		if id != i+1 {
			return nil, nil, fmt.Errorf("line %d: point %d at %d,%d, want point %d", line, id, e, n, i+1)
		}
		if seen[i] {
			return nil, nil, fmt.Errorf("line %d: node %d,%d repeated", line, e, n)
		}
		seen[i] = true
		if flagv == 0 {
			east[i], north[i] = noData, noData
			continue
		}
		east[i], north[i] = se, sn
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	for i, ok := range seen {
		if !ok {
			return nil, nil, fmt.Errorf("node %d,%d missing", i%cols*spacing, i/cols*spacing)
		}
	}
	return east, north, nil
}

// millimetres parses a shift printed with three decimals into exact integer
// millimetres, avoiding any float rounding of the published values.
func millimetres(s string) (int32, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 3 {
		return 0, fmt.Errorf("shift %q does not have three decimals", s)
	}
	v, err := strconv.ParseInt(whole+frac, 10, 32)
	if err != nil {
		return 0, err
	}
	if neg {
		v = -v
	}
	return int32(v), nil
}

// encode writes the header and a deflated body of two planes (east, then
// north). Each node is stored as the zigzag varint of its difference from a
// planar prediction (left + below - below-left): the shifts vary smoothly
// over 1 km, so almost every residual fits one byte and deflate squeezes the
// rest. A third plane, one byte per node, says which nodes hold data.
func encode(east, north []int32) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(magic)
	for _, v := range []uint32{cols, rows, spacing} {
		if err := binary.Write(&buf, binary.LittleEndian, v); err != nil {
			return nil, err
		}
	}
	zw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return nil, err
	}
	var tmp [binary.MaxVarintLen64]byte
	for _, plane := range [][]int32{east, north} {
		filled := fillHoles(plane)
		for i, v := range filled {
			r := int64(v) - gridcode.Predict(filled, i)
			if _, err := zw.Write(tmp[:binary.PutVarint(tmp[:], r)]); err != nil {
				return nil, err
			}
		}
	}
	valid := make([]byte, len(east))
	for i, v := range east {
		if v != noData {
			valid[i] = 1
		}
	}
	if _, err := zw.Write(valid); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fillHoles replaces noData nodes by zero so residuals stay small; the
// validity plane restores the holes on decoding.
func fillHoles(p []int32) []int32 {
	out := make([]int32, len(p))
	for i, v := range p {
		if v != noData {
			out[i] = v
		}
	}
	return out
}
