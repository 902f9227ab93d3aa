package dcat_test

import (
	"io"
	"testing"

	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
)

// BenchmarkCatalogPage is one harvest page of 100 datasets: building its
// graph and writing it in each serialisation, against writing the same page
// from the datasets' parts once they are made (what a page costs from the
// second time each of its datasets is listed).
func BenchmarkCatalogPage(b *testing.B) {
	entries := dcattest.Entries(base, 98)
	b.Run("graph", func(b *testing.B) {
		for range b.N {
			catalogGraph(entries, 1, 100)
		}
	})
	g := catalogGraph(entries, 1, 100)
	for _, f := range dcat.Formats {
		b.Run(f.Extension(), func(b *testing.B) {
			for range b.N {
				if err := dcat.Write(io.Discard, g, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	cat, pg := pageCatalog(entries, 1, 100, dcat.AP211)
	var parts []*dcat.Part
	for _, e := range entries {
		parts = append(parts, dcat.NewPart(base, e, dcat.AP211))
	}
	for _, f := range dcat.Formats {
		b.Run("parts-"+f.Extension(), func(b *testing.B) {
			for range b.N {
				if err := dcat.WriteCatalogPage(io.Discard, cat, parts, pg, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNewPart is making one dataset's part and its Turtle blocks:
// what the first page listing the dataset pays for it.
func BenchmarkNewPart(b *testing.B) {
	entries := dcattest.Entries(base, 98)
	for i := 0; b.Loop(); i++ {
		dcat.NewPart(base, entries[i%len(entries)], dcat.AP211).Prepare(dcat.Turtle)
	}
}
