package sourcing_test

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/internal/gcloudbench"
)

// The search tests over generated catalogues are in the external test
// package so that they use the benchmarks' generator (internal/gcloudbench
// imports this package).

// genServices makes n services deterministically, on G-Cloud 13 and 14
// (one closed and one open on the day the benchmark searches).
func genServices(n int, seed uint64) []sourcing.Service {
	return gcloudbench.Services(n, seed, "g-cloud-13", "g-cloud-14")
}

// naive is the reference semantics the index must agree with.
func naive(services []sourcing.Service, q sourcing.SearchQuery) []string {
	match := func(vals []string, f sourcing.Filter) bool {
		for _, occ := range f {
			if !slices.ContainsFunc(occ, func(v string) bool {
				return slices.ContainsFunc(vals, func(x string) bool { return strings.EqualFold(x, v) })
			}) {
				return false
			}
		}
		return true
	}
	var ids []string
	for _, s := range services {
		text := map[string]bool{}
		for _, tkn := range sourcing.Tokenize(strings.Join(append(append([]string{s.ServiceName, s.SupplierName, s.ServiceDescription}, s.ServiceFeatures...), s.ServiceBenefits...), " ")) {
			text[tkn] = true
		}
		ok := true
		for _, tkn := range sourcing.Tokenize(q.Keywords) {
			ok = ok && text[tkn]
		}
		locs := slices.Clone(s.DataStorageAndProcessingLocations)
		ok = ok && match([]string{s.Lot}, q.Lot) && match(s.ServiceCategories, q.Category) && match(sourcing.Assurances(s), q.Assurance) &&
			match(locs, q.DataLocation) && match([]string{s.FrameworkSlug}, q.Framework)
		if q.PriceMin != nil && s.NormalisedPrice() < *q.PriceMin || q.PriceMax != nil && s.NormalisedPrice() > *q.PriceMax {
			ok = false
		}
		if ok {
			ids = append(ids, s.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func TestSearchAgreesWithNaiveFiltering(t *testing.T) {
	services := genServices(2000, 7)
	ix := sourcing.NewIndex(services)
	queries := []url.Values{
		{"q": {"backup"}},
		{"q": {"backups storage"}, "lot": {"cloud-hosting,cloud-software"}},
		{"assurance": {"iso-iec-27001", "cyber-essentials"}},
		{"assurance": {"iso-iec-27001,cyber-essentials-plus"}, "dataLocation": {"uk"}},
		{"dataLocation": {"uk", "eea"}, "framework": {"g-cloud-14"}},
		{"category": {"payroll", "object storage"}},
		{"q": {"housing"}, "priceMin": {"100"}, "priceMax": {"5000"}},
		{"q": {"nonexistentword"}},
	}
	for _, v := range queries {
		q, err := sourcing.ParseSearchQuery(v)
		if err != nil {
			t.Fatal(err)
		}
		want := naive(services, q)
		q.Limit, q.Offset = sourcing.MaxLimit, 0
		var got []string
		res := ix.Search(q)
		for off := 0; off < res.Total; off += sourcing.MaxLimit {
			q.Offset = off
			for _, h := range ix.Search(q).Hits {
				got = append(got, h.Service.ID)
			}
		}
		sort.Strings(got)
		if res.Total != len(want) || !slices.Equal(got, want) {
			t.Errorf("%v: total %d, paged %d; want %d", v, res.Total, len(got), len(want))
		}
	}
}

func TestIndexUpsertAndRemove(t *testing.T) {
	services := genServices(3000, 3)
	ix := sourcing.NewIndex(services[:1000])
	// Churn enough to force compaction, then compare with a fresh index.
	for round := range 3 {
		for i := range services[:1000] {
			s := services[i]
			s.ServiceName = fmt.Sprintf("%s round%d", s.ServiceName, round)
			services[i] = s
			ix.Upsert(s)
		}
	}
	for _, s := range services[1000:1500] {
		ix.Upsert(s)
	}
	for _, s := range services[:200] {
		if !ix.Remove(s.ID) {
			t.Fatalf("remove %s", s.ID)
		}
	}
	if ix.Remove("missing") {
		t.Error("removed a missing id")
	}
	fresh := sourcing.NewIndex(services[200:1500])
	if ix.Len() != 1300 || fresh.Len() != 1300 {
		t.Fatalf("len %d", ix.Len())
	}
	for _, q := range []sourcing.SearchQuery{{Keywords: "round2 backup", Limit: 100}, {Keywords: "round1", Limit: 100}, {Lot: sourcing.Filter{{sourcing.LotHosting}}, Sort: sourcing.SortPrice, Limit: 100}} {
		got, want := ix.Search(q), fresh.Search(q)
		if got.Total != want.Total || len(got.Hits) != len(want.Hits) {
			t.Fatalf("%+v: churned %d, fresh %d", q, got.Total, want.Total)
		}
		for i := range got.Hits {
			if got.Hits[i].Service.ID != want.Hits[i].Service.ID {
				t.Fatalf("%+v: hit %d differs", q, i)
			}
		}
	}
	if s, ok := ix.Get(services[300].ID); !ok || !strings.HasSuffix(s.ServiceName, "round2") {
		t.Errorf("get after upsert: %+v %v", s.ServiceName, ok)
	}
}

// BenchmarkSearch50k reports p50/p99 of keyword + filter searches over 50,000
// generated services (target p99 < 10 ms in-process).
func BenchmarkSearch50k(b *testing.B) {
	services := genServices(50_000, 42)
	ix := sourcing.NewIndex(services)
	r := rand.New(rand.NewPCG(9, 9))
	var queries []sourcing.SearchQuery
	for range 200 {
		q := sourcing.SearchQuery{Keywords: gcloudbench.Words[r.IntN(len(gcloudbench.Words))], Limit: 20, AsOf: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)} // G-Cloud 13 closed, 14 open
		if r.IntN(2) == 0 {
			q.Keywords += " " + gcloudbench.Words[r.IntN(len(gcloudbench.Words))]
		}
		if r.IntN(2) == 0 {
			q.Lot = sourcing.Filter{{sourcing.Lots[r.IntN(3)], sourcing.Lots[r.IntN(3)]}}
		}
		if r.IntN(2) == 0 {
			q.Assurance = sourcing.Filter{{"iso-iec-27001"}, {"cyber-essentials"}}
		}
		if r.IntN(3) == 0 {
			q.DataLocation = sourcing.Filter{{"uk"}}
		}
		q.Sort = []string{sourcing.SortRelevance, sourcing.SortPrice, sourcing.SortName}[r.IntN(3)]
		if r.IntN(4) == 0 {
			q.Keywords = ""
		}
		queries = append(queries, q)
	}
	runtime.GC()
	b.ResetTimer()
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		for _, q := range queries {
			start := time.Now()
			ix.Search(q)
			lat = append(lat, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(queries)), "queries/op")
}
