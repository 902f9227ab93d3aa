package ogc

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func builtArtefact(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := BuildArtefact(&buf, FromSlice(mixedFeatures(n)), IndexOptions{TemporalProperty: "when", TempDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.ogcidx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rewriteMeta changes the table of sections and fixes the checksum, as a
// buggy writer would: the checksum alone must not make it acceptable.
func rewriteMeta(t *testing.T, b []byte, change func(*artefactMeta)) []byte {
	t.Helper()
	tr := b[len(b)-trailerSize:]
	off, n := binary.LittleEndian.Uint64(tr), binary.LittleEndian.Uint64(tr[8:])
	var m artefactMeta
	if err := json.Unmarshal(b[off:off+n], &m); err != nil {
		t.Fatal(err)
	}
	change(&m)
	raw, _ := json.Marshal(m)
	out := append(bytes.Clone(b[:off]), raw...)
	sum := crc32.Checksum(out, castagnoli)
	out = binary.LittleEndian.AppendUint64(out, off)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(raw)))
	out = binary.LittleEndian.AppendUint32(out, sum)
	out = binary.LittleEndian.AppendUint32(out, artefactVersion)
	return append(out, artefactMagic...)
}

func TestArtefactRefusesCorruptFiles(t *testing.T) {
	good := builtArtefact(t, 500)
	if _, err := OpenArtefactFile(writeFile(t, good)); err != nil {
		t.Fatalf("the good artefact: %v", err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	version := bytes.Clone(good)
	binary.LittleEndian.PutUint32(version[8:], 99)
	for _, tc := range []struct {
		name, want string
		b          []byte
	}{
		{"one bit flipped", "checksum", flipped},
		{"truncated", "truncated", good[:len(good)-100]},
		{"cut to its first half", "truncated", good[:len(good)/2]},
		{"empty", "too short", nil},
		{"a GeoJSON file", "not an OGC index artefact", []byte(`{"type":"FeatureCollection","features":[]}` + strings.Repeat(" ", 64))},
		{"another format version", "format version 99", version},
		{"more features than its sections hold", "out of place", rewriteMeta(t, good, func(m *artefactMeta) { m.Features++ })},
		{"a section past the end", "out of place", rewriteMeta(t, good, func(m *artefactMeta) { m.Data.Len += 1 << 30 })},
		{"tree levels that do not add up", "R-tree levels", rewriteMeta(t, good, func(m *artefactMeta) { m.Levels[0], m.Levels[1] = m.Levels[0]-1, m.Levels[1]+1 })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenArtefactFile(writeFile(t, tc.b))
			var ae *ArtefactError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want an ArtefactError saying %q", err, tc.want)
			}
			if _, err := openBytes(tc.b); !errors.As(err, &ae) {
				t.Fatalf("from memory: error %v", err)
			}
		})
	}
}

// A build that failed part way must not leave a file an opener accepts.
func TestWriteArtefactFileLeavesNothingOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.ogcidx")
	fs := mixedFeatures(30)
	fs[20].ID, fs[25].ID = "same", "same"
	if _, err := WriteArtefactFile(path, FromSlice(fs), IndexOptions{TempDir: t.TempDir()}); err == nil {
		t.Fatal("duplicate ids were accepted")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("a failed build left %v", left[0].Name())
	}
}

// noFd hides that a reader is a file, as a MongoDB blob is not one.
type noFd struct{ r io.ReaderAt }

func (n noFd) ReadAt(p []byte, off int64) (int, error) { return n.r.ReadAt(p, off) }

func TestArtefactServedMappedAfterReopen(t *testing.T) {
	fs := mixedFeatures(4000)
	opt := IndexOptions{TemporalProperty: "when"}
	mem, err := NewIndex(FromSlice(fs), opt)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.ogcidx")
	if _, err := WriteArtefactFile(path, FromSlice(fs), opt); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := OpenArtefact(f, fi(t, path), OpenOptions{})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	spoolDir := t.TempDir()
	raw, _ := os.ReadFile(path)
	spooled, err := OpenArtefact(noFd{bytes.NewReader(raw)}, int64(len(raw)), OpenOptions{SpoolDir: spoolDir})
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := OpenArtefactStream(bytes.NewReader(raw), int64(len(raw)), OpenOptions{SpoolDir: spoolDir})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(spoolDir); len(left) != 0 {
		t.Fatalf("the spool copy %s was left behind", left[0].Name())
	}
	if _, err := OpenArtefactStream(bytes.NewReader(raw[:len(raw)/2]), int64(len(raw)), OpenOptions{SpoolDir: spoolDir}); err == nil {
		t.Fatal("a stream that ended early was opened")
	}
	// The published file may go (a new version replaces it): the mappings
	// keep serving.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	for name, ix := range map[string]*Index{"the closed file": fromFile, "a spooled reader": spooled, "a spooled stream": streamed} {
		if !ix.mapped {
			t.Fatalf("%s: not mapped", name)
		}
		checkAgainstReference(t, fs, opt, mem, ix)
	}
}

// TestArtefactMappingIsReleased: an index nobody holds gives its mapping
// back, so replacing versions does not pile up mappings of deleted files.
func TestArtefactMappingIsReleased(t *testing.T) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skip("needs /proc/self/maps (Linux)")
	}
	path := filepath.Join(t.TempDir(), "released.ogcidx")
	if _, err := WriteArtefactFile(path, FromSlice(mixedFeatures(100)), IndexOptions{}); err != nil {
		t.Fatal(err)
	}
	mapped := func() bool {
		maps, _ = os.ReadFile("/proc/self/maps")
		return bytes.Contains(maps, []byte(path))
	}
	func() {
		ix, err := OpenArtefactFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b := orb.Bound{Min: orb.Point{-3, 53}, Max: orb.Point{-2, 54}}
		if ix.Search(Query{BBox: &b, Limit: 5}).Matched == 0 || !mapped() {
			t.Fatal("the open artefact is not mapped or finds nothing")
		}
	}()
	for range 100 {
		runtime.GC()
		if !mapped() {
			return
		}
		runtime.Gosched()
	}
	t.Fatal("the mapping of an unreachable index was never released")
}
