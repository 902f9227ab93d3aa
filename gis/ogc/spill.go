package ogc

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// A spill holds what the artefact builder cannot keep in memory until it
// is needed again: the encoded features until they are copied in R-tree
// leaf order, and the sort runs of ids and property values. It is written
// once, then read.
type spill interface {
	io.Writer
	size() int64
	// reader ends writing and gives random access to what was written.
	reader() (io.ReaderAt, error)
}

// spills makes the spills of one build and removes them after it.
type spills interface {
	new() (spill, error)
	removeAll()
}

// fileSpills spill to temporary files in dir ("" for the system's), so a
// build's memory does not grow with the size of its features.
type fileSpills struct {
	dir   string
	files []*os.File
}

func (s *fileSpills) new() (spill, error) {
	f, err := os.CreateTemp(s.dir, "councilapi-ogc-spill-*")
	if err != nil {
		return nil, err
	}
	s.files = append(s.files, f)
	return &fileSpill{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

func (s *fileSpills) removeAll() {
	for _, f := range s.files {
		f.Close()
		os.Remove(f.Name())
	}
	s.files = nil
}

type fileSpill struct {
	f *os.File
	w *bufio.Writer
	n int64
}

func (s *fileSpill) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	s.n += int64(n)
	return n, err
}

func (s *fileSpill) size() int64 { return s.n }

func (s *fileSpill) reader() (io.ReaderAt, error) {
	if err := s.w.Flush(); err != nil {
		return nil, err
	}
	return s.f, nil
}

// memSpills keep everything in memory, for NewIndex: an index that is to
// live on the heap anyway gains nothing from a round trip through disk.
type memSpills struct{}

func (memSpills) new() (spill, error) { return &memSpill{}, nil }
func (memSpills) removeAll()          {}

type memSpill struct{ bytes.Buffer }

func (s *memSpill) size() int64                  { return int64(s.Len()) }
func (s *memSpill) reader() (io.ReaderAt, error) { return bytes.NewReader(s.Bytes()), nil }
