package sourcing

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
)

// An index snapshot is the index in a binary form that loads without
// tokenizing a single description: building the index of 50,000 services
// from their JSON takes seconds, reading its snapshot a small fraction of
// one. Little-endian throughout:
//
//	magic "councilapi-gcloud-index" NUL, u32 format version
//	u32 documents, u32 terms, u32 facets, u32 postings, u32 bytes of text,
//	  u64 bytes of service JSON
//	text: every string below, one after another
//	service JSON: every document's service, one after another
//	documents: 4 x u32 lengths (id, framework slug, framework expiry,
//	  lower-cased name), u32 JSON length, i64 normalised price, 5 x u32
//	  field lengths
//	terms: u32 name length, u32 postings
//	postings: u32 document, 5 x u16 term frequency (per term, in document order)
//	facets: u32 key length, u32 words, then the words as u64
//	magic "end" NUL
//
// Each document's term list is derived on load.
const (
	snapshotMagic   = "councilapi-gcloud-index\x00"
	snapshotEnd     = "end\x00"
	snapshotVersion = 1
	docStrings      = 4
	docBytes        = docStrings*4 + 4 + 8 + nFields*4
)

// ErrSnapshotFormat reports a snapshot this code cannot read: another
// format version, or damaged bytes. The caller rebuilds the index instead.
var ErrSnapshotFormat = errors.New("not an index snapshot of this format")

// WriteSnapshot writes the index, compacted, to w.
func (ix *Index) WriteSnapshot(w io.Writer) error {
	ix.mu.RLock()
	fz := ix.compacted()
	ix.mu.RUnlock()
	bw := bufio.NewWriterSize(w, 1<<16)
	var scratch [8]byte
	u32 := func(v uint32) { binary.LittleEndian.PutUint32(scratch[:4], v); bw.Write(scratch[:4]) }
	u64 := func(v uint64) { binary.LittleEndian.PutUint64(scratch[:], v); bw.Write(scratch[:]) }
	u16 := func(v uint16) { binary.LittleEndian.PutUint16(scratch[:2], v); bw.Write(scratch[:2]) }

	facetKeys := slices.Sorted(maps.Keys(fz.facets))
	postings, text, bodies := 0, 0, 0
	for _, d := range fz.docs {
		for _, s := range d.strings() {
			text += len(s)
		}
		bodies += len(d.body)
	}
	for _, t := range fz.terms {
		postings += len(t.postings)
		text += len(t.name)
	}
	for _, k := range facetKeys {
		text += len(k)
	}
	bw.WriteString(snapshotMagic)
	u32(snapshotVersion)
	for _, n := range []int{len(fz.docs), len(fz.terms), len(facetKeys), postings, text} {
		u32(uint32(n))
	}
	u64(uint64(bodies))
	for _, d := range fz.docs {
		for _, s := range d.strings() {
			bw.WriteString(s)
		}
	}
	for _, t := range fz.terms {
		bw.WriteString(t.name)
	}
	for _, k := range facetKeys {
		bw.WriteString(k)
	}
	for _, d := range fz.docs {
		bw.Write(d.body)
	}
	for i, d := range fz.docs {
		for _, s := range d.strings() {
			u32(uint32(len(s)))
		}
		u32(uint32(len(d.body)))
		u64(uint64(d.price))
		for _, l := range fz.lens[i] {
			u32(l)
		}
	}
	for _, t := range fz.terms {
		u32(uint32(len(t.name)))
		u32(uint32(len(t.postings)))
	}
	for _, t := range fz.terms {
		for _, p := range t.postings {
			u32(p.doc)
			for _, tf := range p.tf {
				u16(tf)
			}
		}
	}
	for _, k := range facetKeys {
		b := fz.facets[k]
		u32(uint32(len(k)))
		u32(uint32(len(b)))
		for _, w := range b {
			u64(w)
		}
	}
	bw.WriteString(snapshotEnd)
	return bw.Flush()
}

func (d *indexedDoc) strings() [docStrings]string {
	return [docStrings]string{d.id, d.frameworkSlug, d.frameworkExpiry, d.name}
}

// snapshotReader reads a snapshot held in memory, failing once for good
// when the bytes run out.
type snapshotReader struct {
	b   []byte
	err error
}

func (r *snapshotReader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		r.err = ErrSnapshotFormat
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *snapshotReader) u32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *snapshotReader) u64() uint64 {
	if b := r.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// textReader hands out consecutive substrings of the snapshot's text, which
// share its memory instead of being copied one by one.
type textReader struct {
	text string
	off  int
	err  error
}

func (t *textReader) next(n uint32) string {
	if t.err != nil || int(n) > len(t.text)-t.off {
		t.err = ErrSnapshotFormat
		return ""
	}
	s := t.text[t.off : t.off+int(n)]
	t.off += int(n)
	return s
}

// ReadSnapshot loads an index written by WriteSnapshot.
func ReadSnapshot(data []byte) (*Index, error) {
	r := &snapshotReader{b: data}
	if string(r.take(len(snapshotMagic))) != snapshotMagic || r.u32() != snapshotVersion {
		return nil, ErrSnapshotFormat
	}
	nDocs, nTerms, nFacets, nPostings, nText := int(r.u32()), int(r.u32()), int(r.u32()), int(r.u32()), int(r.u32())
	nBodies := r.u64()
	// Each document, term, posting and facet takes bytes of its own, so a
	// count beyond what is left is damage, caught before allocating for it.
	if r.err != nil || nDocs > len(r.b)/docBytes || nTerms > len(r.b)/8 || nPostings > len(r.b)/14 || nFacets > len(r.b)/8 ||
		nText > len(r.b) || nBodies > uint64(len(r.b)-nText) {
		return nil, ErrSnapshotFormat
	}
	text := &textReader{text: string(r.take(nText))}
	// The services' JSON is copied out of data, so the index does not keep
	// the rest of the snapshot (the postings' bytes) alive.
	bodies := slices.Clone(r.take(int(nBodies)))
	fz := frozen{docs: make([]indexedDoc, nDocs), lens: make([][nFields]uint32, nDocs), terms: make([]termInfo, nTerms),
		facets: make(map[string]bitset, nFacets)}
	for i := range fz.docs {
		d := &fz.docs[i]
		var lens [docStrings]uint32
		for j := range lens {
			lens[j] = r.u32()
		}
		d.id, d.frameworkSlug, d.frameworkExpiry, d.name = text.next(lens[0]), text.next(lens[1]), text.next(lens[2]), text.next(lens[3])
		n := int(r.u32())
		if r.err != nil || n > len(bodies) {
			return nil, ErrSnapshotFormat
		}
		d.body, bodies = bodies[:n:n], bodies[n:]
		d.price = Dec(r.u64())
		for f := range nFields {
			fz.lens[i][f] = r.u32()
		}
	}
	if len(bodies) != 0 {
		return nil, ErrSnapshotFormat
	}
	counts := make([]int, nTerms)
	sum := 0
	for i := range fz.terms {
		fz.terms[i].name = text.next(r.u32())
		counts[i] = int(r.u32())
		sum += counts[i]
	}
	if sum != nPostings {
		return nil, ErrSnapshotFormat
	}
	// One array holds every posting; each term's list is a window of it,
	// capped so that appending to one never writes into the next.
	all := make([]posting, nPostings)
	raw := r.take(nPostings * 14)
	if raw == nil {
		return nil, ErrSnapshotFormat
	}
	for i := range all {
		p := raw[i*14 : i*14+14]
		all[i].doc = binary.LittleEndian.Uint32(p)
		for f := range nFields {
			all[i].tf[f] = binary.LittleEndian.Uint16(p[4+2*f:])
		}
	}
	off := 0
	for i := range fz.terms {
		ps := all[off : off+counts[i] : off+counts[i]]
		for j, p := range ps {
			if int(p.doc) >= nDocs || j > 0 && p.doc <= ps[j-1].doc {
				return nil, ErrSnapshotFormat
			}
		}
		fz.terms[i].postings, fz.terms[i].df = ps, len(ps)
		off += counts[i]
	}
	for range nFacets {
		key := text.next(r.u32())
		n := int(r.u32())
		if r.err != nil || n > len(r.b)/8 || n > (nDocs+63)/64 {
			return nil, ErrSnapshotFormat
		}
		b := make(bitset, n)
		for w := range b {
			b[w] = r.u64()
		}
		fz.facets[key] = b
	}
	if r.err != nil || text.err != nil || text.off != len(text.text) || string(r.take(len(snapshotEnd))) != snapshotEnd || len(r.b) != 0 {
		return nil, ErrSnapshotFormat
	}
	ix := fz.index()
	if len(ix.byID) != nDocs {
		return nil, fmt.Errorf("%w: duplicate service ids", ErrSnapshotFormat)
	}
	return ix, nil
}
