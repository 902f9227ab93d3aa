package sourcing

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
)

var (
	genWords = []string{"backup", "storage", "hosting", "email", "case", "management", "housing", "planning",
		"revenues", "benefits", "payroll", "identity", "firewall", "analytics", "cloud", "secure", "platform",
		"database", "archive", "telephony", "document", "gis", "mapping", "waste", "licensing", "elections"}
	genCategories = []string{"Compute and application hosting", "Object storage", "Case management",
		"Document management", "Payroll", "Geographic information systems and mapping", "Email and secure email"}
)

// genServices makes n plausible services deterministically.
func genServices(n int, seed uint64) []Service {
	r := rand.New(rand.NewPCG(seed, 1))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	// Word frequencies follow Zipf's law as in real text: the domain words
	// are the head, a long tail of rarer terms follows.
	zipf := rand.NewZipf(r, 1.1, 1, 5000)
	word := func() string {
		if z := int(zipf.Uint64()); z < len(genWords) {
			return genWords[z]
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
	out := make([]Service, n)
	for i := range out {
		s := validService()
		s.ID = fmt.Sprintf("%015d", 100000000000000+i)
		s.FrameworkSlug = []string{"g-cloud-13", "g-cloud-14"}[r.IntN(2)]
		s.Lot = Lots[r.IntN(3)]
		s.SupplierName = "Supplier " + words(1) + fmt.Sprint(r.IntN(2000))
		s.ServiceName = words(2 + r.IntN(3))
		s.ServiceDescription = words(15 + r.IntN(20))
		s.ServiceFeatures = []string{words(3), words(4), words(3)}
		s.ServiceBenefits = []string{words(3), words(3)}
		s.ServiceCategories = []string{pick(genCategories), pick(genCategories)}
		s.PriceMin = Dec(r.Int64N(500_000_000))
		s.PriceMax = nil
		s.PriceUnit = pick(PriceUnits)
		s.PriceInterval = pick(PriceIntervals)
		s.StandardsISOIEC27001 = r.IntN(2) == 0
		s.CyberEssentials = r.IntN(3) == 0
		s.CyberEssentialsPlus = r.IntN(6) == 0
		s.DataStorageAndProcessingLocations = [][]string{{"uk"}, {"uk", "eea"}, {"eea"}, {"other"}}[r.IntN(4)]
		out[i] = s
	}
	return out
}

// naive is the reference semantics the index must agree with.
func naive(services []Service, q SearchQuery) []string {
	match := func(vals []string, f Filter) bool {
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
		for _, tkn := range tokenize(strings.Join(append(append([]string{s.ServiceName, s.SupplierName, s.ServiceDescription}, s.ServiceFeatures...), s.ServiceBenefits...), " ")) {
			text[tkn] = true
		}
		ok := true
		for _, tkn := range tokenize(q.Keywords) {
			ok = ok && text[tkn]
		}
		locs := slices.Clone(s.DataStorageAndProcessingLocations)
		ok = ok && match([]string{s.Lot}, q.Lot) && match(s.ServiceCategories, q.Category) && match(Assurances(s), q.Assurance) &&
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
	ix := NewIndex(services)
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
		q, err := ParseSearchQuery(v)
		if err != nil {
			t.Fatal(err)
		}
		want := naive(services, q)
		q.Limit, q.Offset = MaxLimit, 0
		var got []string
		res := ix.Search(q)
		for off := 0; off < res.Total; off += MaxLimit {
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

func TestSearchRankingAndSorting(t *testing.T) {
	a, b, c := validService(), validService(), validService()
	a.ID, a.ServiceName, a.ServiceDescription = "a", "Email archiving", "Keeps mail for years."
	b.ID, b.ServiceName, b.ServiceDescription = "b", "Payroll bureau", "Payroll with an archive of payslips and email support."
	c.ID, c.ServiceName, c.ServiceDescription = "c", "Planning portal", "Planning applications online."
	b.PriceMin, b.PriceInterval = MustDec("100"), "Year" // 100 a year
	a.PriceMin, a.PriceInterval = MustDec("10"), "Month" // 120 a year
	ix := NewIndex([]Service{a, b, c})
	res := ix.Search(SearchQuery{Keywords: "emails", Limit: 10})
	if res.Total != 2 || res.Hits[0].Service.ID != "a" || res.Hits[0].Score <= res.Hits[1].Score {
		t.Fatalf("a name match must outrank a description match: %+v", res.Hits)
	}
	res = ix.Search(SearchQuery{Keywords: "email", Sort: SortPrice, Limit: 10})
	if res.Hits[0].Service.ID != "b" || res.Hits[0].AnnualPrice != DecInt(100) {
		t.Fatalf("price sort uses the annual price: %+v", res.Hits)
	}
	res = ix.Search(SearchQuery{Sort: SortNameDesc, Limit: 2, Offset: 1})
	if res.Total != 3 || len(res.Hits) != 2 || res.Hits[0].Service.ID != "b" || res.Hits[1].Service.ID != "a" {
		t.Fatalf("name desc paging: %+v", res.Hits)
	}
}

func TestIndexUpsertAndRemove(t *testing.T) {
	services := genServices(3000, 3)
	ix := NewIndex(services[:1000])
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
	fresh := NewIndex(services[200:1500])
	if ix.Len() != 1300 || fresh.Len() != 1300 {
		t.Fatalf("len %d", ix.Len())
	}
	for _, q := range []SearchQuery{{Keywords: "round2 backup", Limit: 100}, {Keywords: "round1", Limit: 100}, {Lot: Filter{{LotHosting}}, Sort: SortPrice, Limit: 100}} {
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
	ix := NewIndex(services)
	r := rand.New(rand.NewPCG(9, 9))
	var queries []SearchQuery
	for range 200 {
		q := SearchQuery{Keywords: genWords[r.IntN(len(genWords))], Limit: 20, AsOf: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)} // G-Cloud 13 closed, 14 open
		if r.IntN(2) == 0 {
			q.Keywords += " " + genWords[r.IntN(len(genWords))]
		}
		if r.IntN(2) == 0 {
			q.Lot = Filter{{Lots[r.IntN(3)], Lots[r.IntN(3)]}}
		}
		if r.IntN(2) == 0 {
			q.Assurance = Filter{{"iso-iec-27001"}, {"cyber-essentials"}}
		}
		if r.IntN(3) == 0 {
			q.DataLocation = Filter{{"uk"}}
		}
		q.Sort = []string{SortRelevance, SortPrice, SortName}[r.IntN(3)]
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
