package ogc

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"iter"
	"slices"
	"unsafe"
)

// keySorter sorts (key, ordinal) pairs by key, then ordinal, in bounded
// memory: pairs are buffered up to a budget, then sorted and written to a
// spill as a run; the runs are merged at the end. It orders the feature
// ids (to find them by binary search and to find duplicates) and the
// property values (the postings of equality filters), both of which may
// hold a distinct string for every one of millions of features.
type keySorter struct {
	budget int
	spill  spill
	arena  []byte
	recs   []keyRec
	runs   []span
	// readErr is a spill read failure met while merging, which sorted
	// cannot return; err reports it.
	readErr error
}

type keyRec struct{ off, len, ord uint32 }

func newKeySorter(sp spill, budget int) *keySorter { return &keySorter{spill: sp, budget: budget} }

// add records one pair; ordinals must be added in ascending order.
func (s *keySorter) add(key []byte, ord uint32) error {
	if len(s.arena)+len(key)+int(unsafe.Sizeof(keyRec{}))*len(s.recs) > s.budget && len(s.recs) > 0 {
		if err := s.writeRun(); err != nil {
			return err
		}
	}
	s.recs = append(s.recs, keyRec{off: uint32(len(s.arena)), len: uint32(len(key)), ord: ord})
	s.arena = append(s.arena, key...)
	return nil
}

func (s *keySorter) key(r keyRec) []byte { return s.arena[r.off : r.off+r.len] }

func (s *keySorter) sortBuffer() {
	// Stable on the key alone keeps ordinals ascending, as they were added.
	slices.SortStableFunc(s.recs, func(a, b keyRec) int { return bytes.Compare(s.key(a), s.key(b)) })
}

// writeRun spills the buffer as one sorted run: uvarint key length, key,
// ordinal (4 bytes) per pair.
func (s *keySorter) writeRun() error {
	s.sortBuffer()
	start := s.spill.size()
	var hdr [binary.MaxVarintLen64 + 4]byte
	for _, r := range s.recs {
		n := binary.PutUvarint(hdr[:], uint64(r.len))
		if _, err := s.spill.Write(hdr[:n]); err != nil {
			return err
		}
		if _, err := s.spill.Write(s.key(r)); err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(hdr[:4], r.ord)
		if _, err := s.spill.Write(hdr[:4]); err != nil {
			return err
		}
	}
	s.runs = append(s.runs, span{Off: start, Len: s.spill.size() - start})
	s.arena, s.recs = s.arena[:0], s.recs[:0]
	return nil
}

// sorted yields every pair in order. The key is only valid until the next
// pair. It is called once, after the last add.
func (s *keySorter) sorted() iter.Seq2[[]byte, uint32] {
	return func(yield func([]byte, uint32) bool) {
		if len(s.runs) == 0 {
			s.sortBuffer()
			for _, r := range s.recs {
				if !yield(s.key(r), r.ord) {
					return
				}
			}
			return
		}
		if len(s.recs) > 0 {
			if err := s.writeRun(); err != nil {
				s.fail(err)
				return
			}
		}
		s.arena, s.recs = nil, nil
		ra, err := s.spill.reader()
		if err != nil {
			s.fail(err)
			return
		}
		var h runHeap
		for _, r := range s.runs {
			c := &runCursor{r: bufio.NewReaderSize(io.NewSectionReader(ra, r.Off, r.Len), 64<<10)}
			if ok, err := c.next(); err != nil {
				s.fail(err)
				return
			} else if ok {
				h = append(h, c)
			}
		}
		heap.Init(&h)
		for len(h) > 0 {
			c := h[0]
			if !yield(c.key, c.ord) {
				return
			}
			ok, err := c.next()
			if err != nil {
				s.fail(err)
				return
			}
			if ok {
				heap.Fix(&h, 0)
			} else {
				heap.Pop(&h)
			}
		}
	}
}

func (s *keySorter) fail(err error) { s.readErr = err }

// err is the error that ended sorted early, if one did.
func (s *keySorter) err() error { return s.readErr }

type runCursor struct {
	r   *bufio.Reader
	key []byte
	ord uint32
}

func (c *runCursor) next() (bool, error) {
	n, err := binary.ReadUvarint(c.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading a sort run: %w", err)
	}
	c.key = slices.Grow(c.key[:0], int(n))[:n]
	if _, err := io.ReadFull(c.r, c.key); err != nil {
		return false, fmt.Errorf("reading a sort run: %w", err)
	}
	var ord [4]byte
	if _, err := io.ReadFull(c.r, ord[:]); err != nil {
		return false, fmt.Errorf("reading a sort run: %w", err)
	}
	c.ord = binary.LittleEndian.Uint32(ord[:])
	return true, nil
}

type runHeap []*runCursor

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if c := bytes.Compare(h[i].key, h[j].key); c != 0 {
		return c < 0
	}
	return cmp.Less(h[i].ord, h[j].ord)
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runCursor)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
