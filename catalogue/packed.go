package catalogue

import (
	"bytes"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"
)

// Packed is a document kept S2-compressed (about a third of the bytes of
// catalogue JSON or RDF; decoding runs at gigabytes a second), with the
// error making it gave, so a memo keeps the failure too.
type Packed struct {
	b   []byte
	err error
}

// Pack compresses a document as it comes from an encoder.
func Pack(doc []byte, err error) Packed {
	if err != nil {
		return Packed{err: err}
	}
	// Encode needs room for the worst case, more than the document: it
	// works in a pooled buffer and only the bytes are kept.
	scratch := packScratch.Get().(*[]byte)
	defer packScratch.Put(scratch)
	if n := s2.MaxEncodedLen(len(doc)); cap(*scratch) < n {
		*scratch = make([]byte, n)
	}
	return Packed{b: bytes.Clone(s2.Encode((*scratch)[:cap(*scratch)], doc))}
}

var packScratch = sync.Pool{New: func() any { return new([]byte) }}

// Len is the document's length.
func (p Packed) Len() int {
	n, _ := s2.DecodedLen(p.b)
	return n
}

// Unpack returns the document, in dst when it has room for it.
func (p Packed) Unpack(dst []byte) ([]byte, error) {
	if p.err != nil {
		return nil, p.err
	}
	return s2.Decode(dst, p.b)
}

// AppendTo appends the document to dst, decoding it in place: a page made
// of kept documents is then one buffer, not a copy of each.
func (p Packed) AppendTo(dst []byte) ([]byte, error) {
	if p.err != nil {
		return dst, p.err
	}
	n := p.Len()
	dst = slices.Grow(dst, n)
	doc, err := s2.Decode(dst[len(dst):len(dst)+n], p.b)
	if err != nil {
		return dst, err
	}
	return dst[:len(dst)+len(doc)], nil
}
