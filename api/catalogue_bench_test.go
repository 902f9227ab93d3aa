package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jointict/councilapi/store/sqlite"
)

// BenchmarkCatalogueEndpoints serves a page of 100 of each listing over
// 2,000 seeded datasets through the whole handler stack, for profiling
// (scripts/bench-catalogue measures the real binary at three sizes).
func BenchmarkCatalogueEndpoints(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := Prepare(ctx, st); err != nil {
		b.Fatal(err)
	}
	srv := startServer(b, Config{BodyLimit: 64 << 10}, st)
	seedCatalogue(b, srv, st, 2000)
	hs := httptest.NewServer(srv.Echo)
	defer hs.Close()
	for _, path := range []string{
		"/data.json?page=7",
		"/catalog.ttl?page=7",
		"/api/3/action/package_search?rows=100&start=600",
		"/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&resultType=results&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=brief&maxRecords=100&startPosition=101",
		"/api/v1/datasets?limit=100&offset=600",
		"/api/v1/datasets?limit=100&q=trees",
		"/datasets?q=parking",
	} {
		b.Run(path, func(b *testing.B) {
			for range b.N {
				res, err := http.Get(hs.URL + path)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatalf("%s: %d", path, res.StatusCode)
				}
			}
		})
	}
}
