//go:build !unix

package ogc

import (
	"io"
	"os"
)

// mapFile reads the file into memory where files cannot be mapped: the
// index works, only its memory grows with its size.
func mapFile(fd uintptr, size int) ([]byte, func(), error) {
	f := os.NewFile(fd, "artefact")
	b := make([]byte, size)
	_, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), b)
	return b, func() {}, err
}

func adviseRandom(_, _ []byte) {}
