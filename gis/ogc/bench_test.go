package ogc

import (
	"iter"
	"math/rand/v2"
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
		c := ix.tree.leafBounds[rng.IntN(int(ix.leaves))].Min
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
