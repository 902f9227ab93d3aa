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

// Catalogue makes n varied, valid services deterministically; word
// frequencies are Zipf-distributed like real text, so some keywords match
// thousands. They are on G-Cloud 15, which the framework table has no end
// date for, so searches on any day find them.
func Catalogue(n int) []sourcing.Service {
	r := rand.New(rand.NewPCG(42, 1))
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
		out[i] = sourcing.Service{ID: fmt.Sprintf("%015d", 100000000000000+i), FrameworkSlug: "g-cloud-15", Lot: sourcing.Lots[r.IntN(3)],
			Supplier: sourcing.Supplier{SupplierID: "700001", SupplierName: "Supplier " + words(1), ContactName: "Bid team",
				ContactEmail: "bids@example.co.uk"},
			ServiceName: words(2 + r.IntN(3)), ServiceDescription: words(15 + r.IntN(20)),
			ServiceFeatures: []string{words(3), words(4)}, ServiceBenefits: []string{"Pay by the hour"},
			ServiceCategories: []string{"Compute and application hosting"}, PriceMin: sourcing.Dec(r.Int64N(500_000_000)),
			PriceUnit: "Virtual machine", PriceInterval: "Hour", StandardsISOIEC27001: r.IntN(2) == 0, CyberEssentials: r.IntN(2) == 0,
			DataStorageAndProcessingLocations: []string{"uk"}, ServiceDefinitionDocumentURL: "https://example.co.uk/sd.pdf"}
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
