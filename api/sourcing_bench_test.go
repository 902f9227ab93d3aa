package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store/sqlite"
)

var benchWords = []string{"backup", "storage", "hosting", "email", "case", "management", "housing", "planning",
	"revenues", "benefits", "payroll", "identity", "firewall", "analytics", "cloud", "secure", "platform",
	"database", "archive", "telephony", "document", "gis", "mapping", "waste", "licensing", "elections"}

// benchCatalogue makes n varied, valid services; word frequencies are
// Zipf-distributed like real text, so some keywords match thousands.
func benchCatalogue(n int) []sourcing.Service {
	r := rand.New(rand.NewPCG(42, 1))
	zipf := rand.NewZipf(r, 1.1, 1, 5000)
	word := func() string {
		if z := int(zipf.Uint64()); z < len(benchWords) {
			return benchWords[z]
		} else {
			return fmt.Sprintf("term%d", z)
		}
	}
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = word()
		}
		return strings.Join(w, " ")
	}
	out := make([]sourcing.Service, n)
	for i := range out {
		s := gcService(fmt.Sprintf("%015d", 100000000000000+i), words(2+r.IntN(3)))
		s.Lot = sourcing.Lots[r.IntN(3)]
		s.SupplierName = "Supplier " + words(1)
		s.ServiceDescription = words(15 + r.IntN(20))
		s.ServiceFeatures = []string{words(3), words(4)}
		s.StandardsISOIEC27001, s.CyberEssentials = r.IntN(2) == 0, r.IntN(2) == 0
		s.PriceMin, s.PriceMax = sourcing.Dec(r.Int64N(500_000_000)), nil
		out[i] = s
	}
	return out
}

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
	services := benchCatalogue(50_000)
	ids, docs := make([]string, len(services)), make([]json.RawMessage, len(services))
	for i, s := range services {
		ids[i], docs[i] = s.ID, mustJSON(sourcing.Merge(nil, s, time.Now(), "bench"))
	}
	if err := st.InsertMany(ctx, appsrc.CollServices, ids, docs); err != nil {
		b.Fatal(err)
	}
	loadStart := time.Now()
	srv := startServer(b, Config{}, st)
	for !srv.app.Ready(ctx).Ready {
		time.Sleep(10 * time.Millisecond)
	}
	load := time.Since(loadStart)
	r := rand.New(rand.NewPCG(9, 9))
	var queries []string
	for range 200 {
		q := url.Values{"q": {benchWords[r.IntN(len(benchWords))]}}
		if r.IntN(2) == 0 {
			q.Set("q", q.Get("q")+" "+benchWords[r.IntN(len(benchWords))])
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
