//go:build unix

package ogc

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapFile maps size bytes of the file fd read-only and shared: the pages
// are the page cache's, so several processes serving one artefact share
// them and the kernel may drop untouched ones under memory pressure. The
// mapping outlives the descriptor.
func mapFile(fd uintptr, size int) ([]byte, func(), error) {
	b, err := unix.Mmap(int(fd), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, err
	}
	return b, func() { _ = unix.Munmap(b) }, nil
}

// adviseRandom turns off read-ahead for part of a mapping (the feature
// bytes): a bbox page touches a few scattered pages, and reading ahead
// around each would make resident what no query asked for.
func adviseRandom(mapping, part []byte) {
	if len(part) == 0 {
		return
	}
	page := uintptr(os.Getpagesize())
	base := uintptr(unsafe.Pointer(unsafe.SliceData(mapping)))
	from := (uintptr(unsafe.Pointer(unsafe.SliceData(part))) - base) &^ (page - 1)
	to := uintptr(unsafe.Pointer(unsafe.SliceData(part))) - base + uintptr(len(part))
	_ = unix.Madvise(mapping[from:to], unix.MADV_RANDOM)
}
