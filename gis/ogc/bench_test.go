package ogc

import (
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/crs"
)

// GeneratePoints yields n random points over Greater Manchester and
// Cheshire (about 1 x 0.5 degrees), with two properties, the way the HTTP
// benchmark program generates its dataset.
func generatePoints(n int) iter.Seq2[Feature, error] {
	return func(yield func(Feature, error) bool) {
		rng := rand.New(rand.NewPCG(7, 11))
		kinds := []string{"bench", "bin", "lamp", "sign", "tree"}
		for i := range n {
			f := Feature{ID: "p" + strconv.Itoa(i), Geometry: orb.Point{-2.8 + rng.Float64(), 53.2 + rng.Float64()/2},
				Properties: map[string]any{"kind": kinds[i%len(kinds)], "ref": float64(i)}}
			if !yield(f, nil) {
				return
			}
		}
	}
}

var million = sync.OnceValues(func() (*Index, error) { return NewIndex(generatePoints(1_000_000), IndexOptions{}) })

// pageBoxes finds boxes of side w (degrees) centred on features that hold
// at least limit features, so every benchmarked page is full.
func pageBoxes(tb testing.TB, ix *Index, w float64, limit int) []orb.Bound {
	rng := rand.New(rand.NewPCG(3, 5))
	var out []orb.Bound
	for try := 0; len(out) < 64 && try < 10000; try++ {
		lb := ix.tree.leafBoxes[rng.IntN(int(ix.leaves))]
		c := orb.Point{float64(lb.minX), float64(lb.minY)}
		b := orb.Bound{Min: orb.Point{c[0] - w/2, c[1] - w/4}, Max: orb.Point{c[0] + w/2, c[1] + w/4}}
		if ix.Search(Query{BBox: &b, Limit: 0}).Matched >= limit {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		tb.Fatalf("no %g-degree box holds %d features", w, limit)
	}
	return out
}

// benchPages reports features/s of bbox pages and their ratio to copying
// the same page bytes from memory with no query work, both timed here.
func benchPages(b *testing.B, ix *Index, w float64, limit int, to crs.CRS) {
	boxes := pageBoxes(b, ix, w, limit)
	links := []Link{{Href: "http://localhost/ogc/collections/x/items?f=json", Rel: "self", Type: MediaGeoJSON}}
	now := time.Now()
	pages := make([][]byte, len(boxes))
	for i, bx := range boxes {
		r := ix.Search(Query{BBox: &bx, Limit: limit})
		pages[i], _ = ix.AppendItems(nil, r, to, links, now)
	}
	buf := make([]byte, 0, 1<<20)
	start := time.Now()
	for i := 0; i < b.N; i++ {
		buf = append(buf[:0], pages[i%len(pages)]...)
	}
	ceiling := time.Since(start)
	b.ResetTimer()
	start = time.Now()
	for i := 0; i < b.N; i++ {
		bx := boxes[i%len(boxes)]
		r := ix.Search(Query{BBox: &bx, Limit: limit})
		var err error
		if buf, err = ix.AppendItems(buf[:0], r, to, links, now); err != nil {
			b.Fatal(err)
		}
	}
	took := time.Since(start)
	b.ReportMetric(float64(b.N*limit)/took.Seconds(), "features/s")
	b.ReportMetric(ceiling.Seconds()/took.Seconds(), "ratio-vs-memcopy")
}

func BenchmarkTraffordTrees(b *testing.B) {
	ix := loadTrafford(b, "trafford_highways_trees.geojson", "treeID", IndexOptions{})
	b.Run("bbox-page-100", func(b *testing.B) { benchPages(b, ix, 0.02, 100, crs.CRS84) })
	b.Run("bbox-page-1000", func(b *testing.B) { benchPages(b, ix, 0.06, 1000, crs.CRS84) })
	b.Run("bbox-page-100-EPSG27700", func(b *testing.B) { benchPages(b, ix, 0.02, 100, crs.EPSG27700) })
}

func BenchmarkMillionPoints(b *testing.B) {
	ix, err := million()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("bbox-page-100", func(b *testing.B) { benchPages(b, ix, 0.01, 100, crs.CRS84) })
	b.Run("bbox-page-1000", func(b *testing.B) { benchPages(b, ix, 0.03, 1000, crs.CRS84) })
}

// BenchmarkBuildMillion reports build time and the memory an index of
// 1 M points holds, per feature.
func BenchmarkBuildMillion(b *testing.B) {
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ix, err := NewIndex(generatePoints(1_000_000), IndexOptions{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(ix.Len()), "heap-bytes/feature")
		b.ReportMetric(float64(ix.SizeBytes())/float64(ix.Len()), "index-bytes/feature")
		runtime.KeepAlive(ix)
	}
}

// BenchmarkBuildArtefactMillion reports the time to write the artefact of
// 1 M points and the live heap its build holds at the end of reading the
// features (the most it holds), per feature.
func BenchmarkBuildArtefactMillion(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		info, err := WriteArtefactFile(filepath.Join(dir, "million.ogcidx"), generatePoints(1_000_000), IndexOptions{TempDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(info.Bytes)/float64(info.Features), "artefact-bytes/feature")
	}
}

func BenchmarkOpenArtefactMillion(b *testing.B) {
	path := filepath.Join(b.TempDir(), "million.ogcidx")
	if _, err := WriteArtefactFile(path, generatePoints(1_000_000), IndexOptions{TempDir: b.TempDir()}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := OpenArtefactFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

var millionMapped = sync.OnceValues(func() (*Index, error) {
	dir, err := os.MkdirTemp("", "ogc-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir) // the mapping outlives the file
	path := filepath.Join(dir, "million.ogcidx")
	if _, err := WriteArtefactFile(path, generatePoints(1_000_000), IndexOptions{TempDir: dir}); err != nil {
		return nil, err
	}
	return OpenArtefactFile(path)
})

// BenchmarkMillionRandomPages answers pages for 4096 random boxes over the
// whole extent, as the HTTP benchmark does, so the feature bytes and leaf
// boxes come from memory rather than the cache, in the heap index and the
// mapped artefact.
func BenchmarkMillionRandomPages(b *testing.B) {
	for _, src := range []struct {
		name string
		ix   func() (*Index, error)
	}{{"heap", million}, {"mapped", millionMapped}} {
		ix, err := src.ix()
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 5))
		ext := ix.Bound()
		boxes := make([]orb.Bound, benchBoxes)
		for i := range boxes {
			x := ext.Min[0] + rng.Float64()*(ext.Max[0]-ext.Min[0]-0.01)
			y := ext.Min[1] + rng.Float64()*(ext.Max[1]-ext.Min[1]-0.01)
			boxes[i] = orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + 0.01, y + 0.01}}
		}
		links := []Link{{Href: "http://localhost/ogc/collections/x/items?f=json", Rel: "self", Type: MediaGeoJSON}}
		b.Run(src.name+"/search", func(b *testing.B) {
			reportCPU(b, func(i int) {
				bx := boxes[i%len(boxes)]
				ix.Search(Query{BBox: &bx, Limit: 100})
			})
		})
		b.Run(src.name+"/search+encode", func(b *testing.B) {
			buf := make([]byte, 0, 1<<16)
			now := time.Now()
			reportCPU(b, func(i int) {
				bx := boxes[i%len(boxes)]
				buf, _ = ix.AppendItems(buf[:0], ix.Search(Query{BBox: &bx, Limit: 100}), crs.CRS84, links, now)
			})
		})
	}
}

var benchBoxes = 4096
