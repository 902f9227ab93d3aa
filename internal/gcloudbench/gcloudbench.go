// Package gcloudbench generates G-Cloud catalogues for the sourcing
// benchmarks: the in-process search benchmark and the start-up benchmark of
// the real binary load the same 50,000 services.
package gcloudbench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain/sourcing"
)

// Words are the catalogue's commonest words; searches pick from them.
var Words = []string{"backup", "storage", "hosting", "email", "case", "management", "housing", "planning",
	"revenues", "benefits", "payroll", "identity", "firewall", "analytics", "cloud", "secure", "platform",
	"database", "archive", "telephony", "document", "gis", "mapping", "waste", "licensing", "elections"}

// Categories are the service categories the services are filed under.
var Categories = []string{"Compute and application hosting", "Object storage", "Case management",
	"Document management", "Payroll", "Geographic information systems and mapping", "Email and secure email"}

// Catalogue makes the benchmarks' n services: seed 42, all on G-Cloud 15,
// which the framework table has no end date for, so searches on any day
// find them.
func Catalogue(n int) []sourcing.Service { return Services(n, 42, "g-cloud-15") }

// Services makes n varied, valid services deterministically from seed,
// each on one of frameworks. Word frequencies follow Zipf's law as in real
// text (the domain words are the head, a long tail of rarer terms
// follows), so some keywords match thousands; lots, categories, prices,
// assurances and data locations vary so that every search filter selects.
func Services(n int, seed uint64, frameworks ...string) []sourcing.Service {
	r := rand.New(rand.NewPCG(seed, 1))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	// two distinct categories: the import refuses a service listing one twice
	twoCategories := func() []string {
		i := r.IntN(len(Categories))
		return []string{Categories[i], Categories[(i+1+r.IntN(len(Categories)-1))%len(Categories)]}
	}
	zipf := rand.NewZipf(r, 1.1, 1, 5000)
	word := func() string {
		if z := int(zipf.Uint64()); z < len(Words) {
			return Words[z]
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
		out[i] = sourcing.Service{ID: fmt.Sprintf("%015d", 100000000000000+i), FrameworkSlug: pick(frameworks), Lot: sourcing.Lots[r.IntN(3)],
			Supplier: sourcing.Supplier{SupplierID: "700001", SupplierName: "Supplier " + words(1) + fmt.Sprint(r.IntN(2000)),
				ContactName: "Bid team", ContactEmail: "bids@example.co.uk"},
			ServiceName: words(2 + r.IntN(3)), ServiceDescription: words(15 + r.IntN(20)),
			ServiceFeatures: []string{words(3), words(4), words(3)}, ServiceBenefits: []string{words(3), words(3)},
			ServiceCategories: twoCategories(),
			PriceMin:          sourcing.Dec(r.Int64N(500_000_000)), PriceUnit: pick(sourcing.PriceUnits), PriceInterval: pick(sourcing.PriceIntervals),
			StandardsISOIEC27001: r.IntN(2) == 0, CyberEssentials: r.IntN(3) == 0, CyberEssentialsPlus: r.IntN(6) == 0,
			DataStorageAndProcessingLocations: [][]string{{"uk"}, {"uk", "eea"}, {"eea"}, {"other"}}[r.IntN(4)],
			ServiceDefinitionDocumentURL:      "https://example.co.uk/sd.pdf"}
	}
	return out
}

// Records are the services as the store holds them (each with its first
// price history entry), with their ids, for store.InsertMany.
func Records(services []sourcing.Service) (ids []string, docs []json.RawMessage) {
	ids, docs = make([]string, len(services)), make([]json.RawMessage, len(services))
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i, s := range services {
		b, err := json.Marshal(sourcing.Merge(nil, s, at, "import:bench.json"))
		if err != nil {
			panic(err) // our own type
		}
		ids[i], docs[i] = s.ID, b
	}
	return ids, docs
}
