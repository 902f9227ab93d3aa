package ogc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"unsafe"
)

// OpenOptions tune OpenArtefact.
type OpenOptions struct {
	// SpoolDir is where an artefact that is not a local file (a blob in
	// MongoDB, say) is copied so it can be mapped; "" for the system's
	// temporary directory. The copy is unlinked as soon as it is mapped,
	// so nothing is left behind, even after a crash.
	SpoolDir string
}

// OpenArtefactFile serves the artefact at path from a read-only memory
// mapping: opening checks the checksum (reading the file, not mapping it
// in), parses the small table of sections and touches nothing else, so it
// costs a sequential read of the file and resident memory grows only with
// the pages queries touch. The mapping is released when the index is
// garbage collected; the file may be removed or replaced by a rename
// meanwhile, but never truncated or rewritten in place (reading a page
// that is gone kills the process with SIGBUS): artefacts are immutable,
// and WriteArtefactFile only ever renames a finished one into place.
//
// The checksum pass reads the whole file: from the page cache that is
// ~0.1 s for a million points; from a cold disk it is the disk's
// sequential read of the file (240 bytes a point).
func OpenArtefactFile(path string) (*Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return openFile(f, f.Fd(), fi.Size())
}

// OpenArtefact serves an artefact read through r, size bytes long. When r
// is a local file (anything with the Fd method of *os.File, as the SQLite
// store's blobs are) it is mapped in place; otherwise it is copied once to
// a spool file, which is mapped. r may be closed once it returns.
func OpenArtefact(r io.ReaderAt, size int64, opt OpenOptions) (*Index, error) {
	if f, ok := r.(interface{ Fd() uintptr }); ok {
		return openFile(r, f.Fd(), size)
	}
	return OpenArtefactStream(io.NewSectionReader(r, 0, size), size, opt)
}

// OpenArtefactStream serves an artefact that can only be read in order
// (a MongoDB GridFS blob): it is copied to a spool file, which is mapped.
func OpenArtefactStream(r io.Reader, size int64, opt OpenOptions) (*Index, error) {
	spool, err := os.CreateTemp(opt.SpoolDir, "councilapi-ogc-artefact-*")
	if err != nil {
		return nil, err
	}
	defer spool.Close()
	defer os.Remove(spool.Name())
	if n, err := io.Copy(spool, io.LimitReader(r, size)); err != nil || n != size {
		return nil, fmt.Errorf("copying the artefact to %s: %d of %d bytes: %v", spool.Name(), n, size, err)
	}
	return openFile(spool, spool.Fd(), size)
}

// openFile checks the artefact through r, then maps the file fd names.
func openFile(r io.ReaderAt, fd uintptr, size int64) (*Index, error) {
	if !littleEndian {
		return nil, errBigEndian
	}
	if err := verifyArtefact(r, size); err != nil {
		return nil, err
	}
	if int64(int(size)) != size {
		return nil, refuse("at %d bytes it is too large to map on this machine", size)
	}
	b, unmap, err := mapFile(fd, int(size))
	if err != nil {
		return nil, fmt.Errorf("mapping the OGC index artefact: %w", err)
	}
	ix, err := indexOf(b)
	if err != nil {
		unmap()
		return nil, err
	}
	ix.mapped = true
	adviseRandom(b, ix.data)
	// Every method that reads the sections keeps ix alive until it is
	// done, so the mapping outlives each use.
	runtime.AddCleanup(ix, func(unmap func()) { unmap() }, unmap)
	return ix, nil
}

// verifyArtefact checks the preamble, the trailer and the checksum of
// every byte before the trailer, reading through r with a small buffer:
// checking through a mapping would make the whole file resident.
func verifyArtefact(r io.ReaderAt, size int64) error {
	if size < preambleSize+trailerSize {
		return refuse("at %d bytes it is too short to be one", size)
	}
	var pre [preambleSize]byte
	var tr [trailerSize]byte
	if _, err := r.ReadAt(pre[:], 0); err != nil {
		return fmt.Errorf("reading the OGC index artefact: %w", err)
	}
	if _, err := r.ReadAt(tr[:], size-trailerSize); err != nil {
		return fmt.Errorf("reading the OGC index artefact: %w", err)
	}
	if _, _, err := checkTrailer(pre[:], tr[:], size); err != nil {
		return err
	}
	h := crc32.New(castagnoli)
	if _, err := io.CopyBuffer(h, io.NewSectionReader(r, 0, size-trailerSize), make([]byte, 1<<20)); err != nil {
		return fmt.Errorf("reading the OGC index artefact: %w", err)
	}
	if got, want := h.Sum32(), binary.LittleEndian.Uint32(tr[16:]); got != want {
		return refuse("its checksum is %08x, its trailer says %08x: it is corrupt", got, want)
	}
	return nil
}

// openBytes serves an artefact held in memory, checksum and all.
func openBytes(b []byte) (*Index, error) {
	if !littleEndian {
		return nil, errBigEndian
	}
	if err := verifyArtefact(bytes.NewReader(b), int64(len(b))); err != nil {
		return nil, err
	}
	if uintptr(unsafe.Pointer(unsafe.SliceData(b)))%sectionAlign != 0 {
		b = append(make([]byte, 0, len(b)), b...) // a fresh allocation is aligned
	}
	return indexOf(b)
}

// indexOf makes an Index whose sections are views of b, an artefact whose
// trailer and checksum have been checked.
func indexOf(b []byte) (*Index, error) {
	size := int64(len(b))
	metaSpan, _, err := checkTrailer(b[:preambleSize], b[size-trailerSize:], size)
	if err != nil {
		return nil, err
	}
	m, err := parseMeta(b[metaSpan.Off:metaSpan.Off+metaSpan.Len], metaSpan.Off)
	if err != nil {
		return nil, err
	}
	sec := func(s span) []byte { return b[s.Off : s.Off+s.Len : s.Off+s.Len] }
	ix := &Index{
		data: sec(m.Data), posOff: view[uint64](sec(m.PosOff)), posOrd: view[uint32](sec(m.PosOrd)),
		geomEnd: view[uint32](sec(m.GeomEnd)), ordPos: view[uint32](sec(m.OrdPos)), leaves: uint32(m.Leaves),
		tree: rtree{leafBoxes: view[box32](sec(m.LeafBoxes))},
		ids:  sec(m.IDs), idOff: view[uint64](sec(m.IDOff)), idOrd: view[uint32](sec(m.IDOrd)),
		tprop: m.TemporalProperty, tmin: view[int64](sec(m.TimeMin)), tmax: view[int64](sec(m.TimeMax)),
		bound: m.bound(), etag: m.ETag, size: size, props: map[string]*propIndex{}, queryab: m.Queryables,
	}
	nodes := view[node](sec(m.Nodes))
	for _, c := range m.Levels {
		if c <= 0 || c > len(nodes) {
			return nil, refuse("its R-tree levels do not add up; it is corrupt")
		}
		ix.tree.levels, nodes = append(ix.tree.levels, nodes[:c:c]), nodes[c:]
	}
	if len(nodes) != 0 || len(m.Levels) > 0 && m.Levels[len(m.Levels)-1] != 1 || !ix.tree.wellFormed(ix.leaves) {
		return nil, refuse("its R-tree levels do not add up; it is corrupt")
	}
	// The last offsets close their sections; the ones between are covered
	// by the checksum.
	if ix.posOff[len(ix.posOff)-1] != uint64(len(ix.data)) || ix.idOff != nil && ix.idOff[len(ix.idOff)-1] != uint64(len(ix.ids)) {
		return nil, refuse("its feature or id offsets do not end with their sections; it is corrupt")
	}
	types := map[string]string{}
	for _, q := range m.Queryables {
		types[q.Name] = q.Type
	}
	for _, p := range m.Properties {
		if types[p.Name] == "" {
			return nil, refuse("property %q has a value index but is not a queryable; it is corrupt", p.Name)
		}
		pi := &propIndex{typ: types[p.Name], values: sec(p.Values), valueOff: view[uint64](sec(p.ValueOff)),
			start: view[uint32](sec(p.Start)), postings: view[uint32](sec(p.Postings))}
		if pi.valueOff[len(pi.valueOff)-1] != uint64(len(pi.values)) || pi.start[len(pi.start)-1] != uint32(len(pi.postings)) {
			return nil, refuse("the value index of %q does not end with its sections; it is corrupt", p.Name)
		}
		ix.props[p.Name] = pi
	}
	return ix, nil
}
