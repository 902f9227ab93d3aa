package ogc

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"unsafe"

	"github.com/paulmach/orb"
)

// An artefact is one published collection version's index as an immutable
// file: everything Index serves, laid out so that opening it parses no
// GeoJSON and copies nothing. Sections of fixed-width little-endian values
// are used in place (memory-mapped when the artefact is a local file), so a
// collection's resident memory is the pages queries touch, not its size.
//
//	preamble  magic "CAOGCIDX", format version (uint32), 4 bytes zero
//	sections  each starting at a multiple of 8 (see artefactMeta)
//	meta      JSON: counts, the section table, queryables, ETag
//	trailer   meta offset, meta length (uint64 each), CRC-32C of every byte
//	          before the trailer, format version (uint32), magic
//
// The trailer comes last so the builder streams to any io.Writer; the
// magic at both ends tells a foreign file from a truncated one.
const (
	artefactMagic   = "CAOGCIDX"
	artefactVersion = 1
	preambleSize    = 16
	trailerSize     = 32
	sectionAlign    = 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// span locates one section: bytes [Off, Off+Len) of the artefact.
type span struct {
	Off int64 `json:"off"`
	Len int64 `json:"len"`
}

// artefactMeta describes the sections. Per-feature arrays are indexed by
// position (R-tree leaf order: features with a geometry first, then those
// without, in input order) or by ordinal (input order), as named.
type artefactMeta struct {
	Features         int         `json:"features"`
	Leaves           int         `json:"leaves"` // features with a geometry
	Levels           []int       `json:"levels"` // nodes per R-tree level, leaves' level first
	Bound            [4]float64  `json:"bound"`
	ETag             string      `json:"etag"`
	TemporalProperty string      `json:"temporalProperty,omitempty"`
	Queryables       []Queryable `json:"queryables"`

	Data      span `json:"data"`      // encoded features by position, each followed by a comma (a run of positions is a piece of a JSON array)
	PosOff    span `json:"posOff"`    // uint64 x features+1: feature at position p and its comma are Data[PosOff[p]:PosOff[p+1]]
	PosOrd    span `json:"posOrd"`    // uint32 x features: ordinal at position p
	GeomEnd   span `json:"geomEnd"`   // uint32 x features: the geometry of position p ends at that byte of its feature
	OrdPos    span `json:"ordPos"`    // uint32 x features: position of ordinal o
	LeafBoxes span `json:"leafBoxes"` // 4 float32 x leaves: box of position p, rounded outward
	Nodes     span `json:"nodes"`     // node x sum(levels)
	IDs       span `json:"ids"`       // the ids, sorted, back to back
	IDOff     span `json:"idOff"`     // uint64 x features+1: id of rank r is IDs[IDOff[r]:IDOff[r+1]]
	IDOrd     span `json:"idOrd"`     // uint32 x features: ordinal of the id of rank r
	TimeMin   span `json:"timeMin"`   // int64 x features by ordinal (temporal only): unix ns
	TimeMax   span `json:"timeMax"`   // int64 x features by ordinal (temporal only)

	Properties []metaProperty `json:"properties"` // the queryables' value indexes, by name
}

// metaProperty is the value index of one queryable: its distinct values in
// canonical form, sorted, each with the ordinals holding it, ascending.
type metaProperty struct {
	Name     string `json:"name"`
	Values   span   `json:"values"`   // the values back to back
	ValueOff span   `json:"valueOff"` // uint64 x values+1
	Start    span   `json:"start"`    // uint32 x values+1: value v's ordinals are Postings[Start[v]:Start[v+1]]
	Postings span   `json:"postings"` // uint32 ordinals
}

// ArtefactError is why an artefact was refused: not one, another format
// version, truncated or corrupt. Rebuilding it from the published download
// is the remedy in every case.
type ArtefactError struct{ Reason string }

func (e *ArtefactError) Error() string { return "OGC index artefact refused: " + e.Reason }

func refuse(format string, args ...any) error {
	return &ArtefactError{Reason: fmt.Sprintf(format, args...)}
}

// littleEndian: sections are used in place, so the host must share the
// format's byte order. Every platform the server ships for does.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

var errBigEndian = errors.New("OGC index artefacts are little-endian and are used in place; this machine is big-endian")

// checkTrailer reads the trailer (the artefact's last trailerSize bytes)
// and returns where the meta lies and the checksum.
func checkTrailer(pre, tr []byte, size int64) (metaSpan span, sum uint32, err error) {
	if size < preambleSize+trailerSize || string(pre[:8]) != artefactMagic {
		return span{}, 0, refuse("this is not an OGC index artefact (no %q at its start)", artefactMagic)
	}
	if v := binary.LittleEndian.Uint32(pre[8:]); v != artefactVersion {
		return span{}, 0, refuse("it is in format version %d, this server reads version %d; rebuild it from the published download", v, artefactVersion)
	}
	if string(tr[24:32]) != artefactMagic || binary.LittleEndian.Uint32(tr[20:]) != artefactVersion {
		return span{}, 0, refuse("it is truncated or was not written to the end (%d bytes, no trailer)", size)
	}
	metaSpan = span{Off: int64(binary.LittleEndian.Uint64(tr[0:])), Len: int64(binary.LittleEndian.Uint64(tr[8:]))}
	if metaSpan.Off < preambleSize || metaSpan.Len <= 0 || metaSpan.Off+metaSpan.Len != size-trailerSize {
		return span{}, 0, refuse("its trailer points outside the file; it is corrupt")
	}
	return metaSpan, binary.LittleEndian.Uint32(tr[16:]), nil
}

// parseMeta decodes the meta and checks every section lies inside the body
// with the size its counts imply, so using a section in place cannot read
// past it.
func parseMeta(raw []byte, bodyLen int64) (*artefactMeta, error) {
	var m artefactMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, refuse("its table of sections is unreadable: %v", err)
	}
	n, leaves := int64(m.Features), int64(m.Leaves)
	nodes := int64(0)
	for _, c := range m.Levels {
		nodes += int64(c)
	}
	temporal := int64(0)
	if m.TemporalProperty != "" {
		temporal = n
	}
	bad := func(name string, s span, want int64) error {
		if s.Off < preambleSize || s.Len < 0 || s.Off+s.Len > bodyLen || s.Off%sectionAlign != 0 || want >= 0 && s.Len != want {
			return refuse("its %s section is out of place; it is corrupt", name)
		}
		return nil
	}
	if n < 0 || leaves < 0 || leaves > n || n > maxFeatures {
		return nil, refuse("it counts %d features of which %d have a geometry; it is corrupt", n, leaves)
	}
	for _, c := range []struct {
		name string
		s    span
		want int64
	}{
		{"data", m.Data, -1}, {"posOff", m.PosOff, 8 * (n + 1)}, {"posOrd", m.PosOrd, 4 * n}, {"geomEnd", m.GeomEnd, 4 * n},
		{"ordPos", m.OrdPos, 4 * n}, {"leafBoxes", m.LeafBoxes, int64(unsafe.Sizeof(box32{})) * leaves}, {"nodes", m.Nodes, int64(unsafe.Sizeof(node{})) * nodes},
		{"ids", m.IDs, -1}, {"idOff", m.IDOff, 8 * (n + 1)}, {"idOrd", m.IDOrd, 4 * n},
		{"timeMin", m.TimeMin, 8 * temporal}, {"timeMax", m.TimeMax, 8 * temporal},
	} {
		if err := bad(c.name, c.s, c.want); err != nil {
			return nil, err
		}
	}
	for _, p := range m.Properties {
		if err := bad("values of "+p.Name, p.Values, -1); err != nil {
			return nil, err
		}
		if p.ValueOff.Len%8 != 0 || p.ValueOff.Len < 8 {
			return nil, refuse("the value offsets of %q are out of place; it is corrupt", p.Name)
		}
		values := p.ValueOff.Len/8 - 1
		for _, c := range []struct {
			name string
			s    span
			want int64
		}{{"value offsets", p.ValueOff, 8 * (values + 1)}, {"starts", p.Start, 4 * (values + 1)}, {"postings", p.Postings, -1}} {
			if err := bad(c.name+" of "+p.Name, c.s, c.want); err != nil {
				return nil, err
			}
		}
	}
	return &m, nil
}

// bound is the meta's box as orb writes it.
func (m *artefactMeta) bound() orb.Bound {
	return orb.Bound{Min: orb.Point{m.Bound[0], m.Bound[1]}, Max: orb.Point{m.Bound[2], m.Bound[3]}}
}

// view reinterprets a section as the fixed-width values it holds. The
// section must be aligned to T, which the format guarantees for a base
// that is (mmap gives page alignment; openBytes copies a misaligned buffer).
func view[T any](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}

// rawBytes is the inverse of view, for writing a section.
func rawBytes[T any](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}
