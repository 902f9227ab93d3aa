// Command benchogc serves a generated collection of 1,000,000 points through
// the real OGC API handlers (api.New middleware plus RegisterOGC) and, beside
// it, a trivial net/http server returning one bbox page's bytes: the ceiling
// scripts/bench-ogc measures the OGC API against. It prints "ready" when
// both listen.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"iter"
	"log"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/api"
	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store/sqlite"
)

// The points lie over about 1 x 0.5 degrees; scripts/bench-ogc draws its
// random boxes from the same extent.
func points(n int) iter.Seq2[ogc.Feature, error] {
	return func(yield func(ogc.Feature, error) bool) {
		rng := rand.New(rand.NewPCG(7, 11))
		kinds := []string{"bench", "bin", "lamp", "sign", "tree"}
		for i := range n {
			f := ogc.Feature{ID: "p" + strconv.Itoa(i), Geometry: orb.Point{-2.8 + rng.Float64(), 53.2 + rng.Float64()/2},
				Properties: map[string]any{"kind": kinds[i%len(kinds)], "ref": float64(i)}}
			if !yield(f, nil) {
				return
			}
		}
	}
}

func main() {
	ogcAddr := flag.String("ogc", "127.0.0.1:18081", "address of the OGC API server")
	ceilAddr := flag.String("ceiling", "127.0.0.1:18082", "address of the one-page server")
	n := flag.Int("n", 1_000_000, "number of points")
	flag.Parse()

	ix, err := ogc.NewIndex(points(*n), ogc.IndexOptions{})
	if err != nil {
		log.Fatal(err)
	}
	reg := ogc.NewRegistry()
	if err := reg.Put(&ogc.Collection{ID: "points", Title: "Generated points", StorageCRS: crs.CRS84, Features: ix}); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "benchogc")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := api.New(api.Config{}, app.New(app.Config{}, st, quiet), quiet)
	api.RegisterOGC(srv.Echo.Group("/ogc"), reg, func(c echo.Context) string { return "http://" + c.Request().Host }, ogc.Basemap{})

	// The ceiling's page is a real answer of the OGC server to a typical query.
	rec := httptest.NewRecorder()
	srv.Echo.ServeHTTP(rec, httptest.NewRequest("GET", "http://"+*ogcAddr+"/ogc/collections/points/items?limit=100&bbox=-2.305,53.445,-2.295,53.455", nil))
	page := rec.Body.Bytes()
	if rec.Code != 200 {
		log.Fatalf("sample page: %d %s", rec.Code, page)
	}
	ceiling := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ogc.MediaGeoJSON)
		_, _ = w.Write(page)
	})
	errs := make(chan error, 2)
	go func() { errs <- http.ListenAndServe(*ogcAddr, srv.Echo) }()
	go func() { errs <- http.ListenAndServe(*ceilAddr, ceiling) }()
	fmt.Printf("ready: %d features, index %d bytes (%.0f bytes/feature), page %d bytes\n",
		ix.Len(), ix.SizeBytes(), float64(ix.SizeBytes())/float64(ix.Len()), len(page))
	log.Fatal(<-errs)
}
