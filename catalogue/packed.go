package catalogue

import (
	"bytes"

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
	// Encode's answer has room for the worst case: keep only the bytes.
	return Packed{b: bytes.Clone(s2.Encode(nil, doc))}
}

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
