package dcat_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
)

// TestCatalogPagesFromPartsAreThoseOfTheGraph is the promise the harvest
// pages rely on: a page written from the datasets' parts is byte for byte
// the page of the whole graph, in every format and profile, whatever page
// the parts were made on and however often they are reused. The entries
// share landing pages, publishers (one is the catalogue's own) and
// vocabulary, and include a spatial dataset with blank nodes, a dataset
// whose description cannot be split, and pages of different sizes.
func TestCatalogPagesFromPartsAreThoseOfTheGraph(t *testing.T) {
	fixtures := func(base string) []catalogue.Entry {
		entries := dcattest.Entries(base, 12)
		entries[5].LandingPage = entries[4].LandingPage // two datasets with one landing page
		entries[7].Dataset.Title += " \uE000 7 \uE001"  // the part's placeholders, in the data
		return entries
	}
	entries := fixtures(base)
	// The index keeps entries on site-relative URLs; parts are made from
	// those for AP 3.0.0 and from absolute ones for 2.1.1.
	relative := fixtures("")
	for _, prof := range []dcat.Profile{dcat.AP211, dcat.AP300} {
		parts := map[string]*dcat.Part{}
		partOf := func(e catalogue.Entry) *dcat.Part {
			if parts[e.URI] == nil {
				made := e
				if prof == dcat.AP300 {
					made = relative[slices.IndexFunc(entries, func(x catalogue.Entry) bool { return x.URI == e.URI })]
				}
				parts[e.URI] = dcat.NewPart(base, made, prof)
			}
			return parts[e.URI]
		}
		for _, per := range []int{5, 3, 14, 5} {
			for page := 1; page <= (len(entries)+per-1)/per; page++ {
				want := profileGraph(entries, page, per, prof)
				lo, hi, _ := dcat.PageBounds(len(entries), page, per)
				var pp []*dcat.Part
				for _, e := range entries[lo:hi] {
					pp = append(pp, partOf(e))
				}
				cat, pg := pageCatalog(entries, page, per, prof)
				for _, f := range dcat.Formats {
					wantBytes, err := dcat.Encode(want, f)
					if err != nil {
						t.Fatal(err)
					}
					var written bytes.Buffer
					if err := dcat.WriteCatalogPage(&written, cat, pp, pg, f); err != nil {
						t.Fatal(err)
					}
					if got := written.Bytes(); !bytes.Equal(got, wantBytes) {
						t.Fatalf("%s, page %d of %d, %s: the page from parts differs from the graph's\n%s",
							prof.Token(), page, per, f.Extension(), firstDifference(got, wantBytes))
					}
				}
			}
		}
	}
}

func firstDifference(got, want []byte) string {
	n := 0
	for n < len(got) && n < len(want) && got[n] == want[n] {
		n++
	}
	lo := max(0, n-200)
	return fmt.Sprintf("at byte %d\ngot:  %q\nwant: %q", n, got[lo:min(len(got), n+200)], want[lo:min(len(want), n+200)])
}
