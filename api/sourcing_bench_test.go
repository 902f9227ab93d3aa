package api

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/internal/gcloudbench"
	"github.com/jointict/councilapi/store/sqlite"
)

// BenchmarkSourcingSearchHTTP measures GET /api/v1/services through the
// whole handler stack (routing, middleware, query parsing, search, JSON)
// over 50,000 services loaded from SQLite at start (built from the services:
// the store holds no index snapshot yet), and reports the time until the
// instance is ready and the p50/p99 latency of a mix of keyword and filter
// searches.
func BenchmarkSourcingSearchHTTP(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := Prepare(ctx, st); err != nil {
		b.Fatal(err)
	}
	ids, docs := gcloudbench.Records(gcloudbench.Catalogue(50_000))
	if err := st.InsertMany(ctx, appsrc.CollServices, ids, docs); err != nil {
		b.Fatal(err)
	}
	loadStart := time.Now()
	srv := startServer(b, Config{}, st)
	for !srv.app.Ready(ctx).Ready {
		time.Sleep(10 * time.Millisecond)
	}
	load := time.Since(loadStart)
	// Once built, the index is written as a snapshot in the background;
	// the searches are timed after that, not competing with it.
	for {
		if _, err := st.Get(ctx, appsrc.CollIndexSnapshots, "gcloud-services"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	r := rand.New(rand.NewPCG(9, 9))
	var queries []string
	for range 200 {
		q := url.Values{"q": {gcloudbench.Words[r.IntN(len(gcloudbench.Words))]}}
		if r.IntN(2) == 0 {
			q.Set("q", q.Get("q")+" "+gcloudbench.Words[r.IntN(len(gcloudbench.Words))])
		}
		if r.IntN(2) == 0 {
			q.Set("lot", sourcing.Lots[r.IntN(3)]+","+sourcing.Lots[r.IntN(3)])
		}
		if r.IntN(2) == 0 {
			q["assurance"] = []string{"iso-iec-27001", "cyber-essentials"}
		}
		q.Set("sort", []string{"relevance", "price", "name"}[r.IntN(3)])
		if r.IntN(4) == 0 {
			q.Del("q")
		}
		queries = append(queries, "/api/v1/services?"+q.Encode())
	}
	b.ResetTimer()
	var lat []time.Duration
	for b.Loop() {
		for _, path := range queries {
			start := time.Now()
			rec := httptest.NewRecorder()
			srv.Echo.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			lat = append(lat, time.Since(start))
			if rec.Code != 200 {
				b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(load.Milliseconds()), "load-ms")
	b.ReportMetric(float64(len(queries)), "queries/op")
}
