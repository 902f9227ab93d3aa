package dcat_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
)

const base = "https://data.ne-derbyshire.gov.uk"

func catalog() dcat.Catalog {
	return dcat.Catalog{BaseURL: base, Title: "Joint ICT Service open data",
		Description: "Datasets published by Bolsover, Derbyshire Dales and North East Derbyshire councils.",
		Publisher:   dcattest.Organisations()[0], Homepage: base + "/datasets"}
}

// catalogGraph is page of entries as the harvest endpoints serve it: the
// page's datasets, the whole catalogue's totals and dates.
func catalogGraph(entries []catalogue.Entry, page, per int) *dcat.Graph {
	return profileGraph(entries, page, per, dcat.AP211)
}

func profileGraph(entries []catalogue.Entry, page, per int, prof dcat.Profile) *dcat.Graph {
	cat, p := pageCatalog(entries, page, per, prof)
	lo, hi, _ := dcat.PageBounds(len(entries), page, per)
	return dcat.CatalogGraph(cat, entries[lo:hi], p)
}

// pageCatalog is the catalogue and paging of page of entries: the whole
// catalogue's totals and dates.
func pageCatalog(entries []catalogue.Entry, page, per int, prof dcat.Profile) (dcat.Catalog, dcat.Paging) {
	cat := catalog()
	cat.Profile = prof
	for i, e := range entries {
		if i == 0 || e.Issued().Before(cat.Issued) {
			cat.Issued = e.Issued()
		}
		if i == 0 || e.Modified().After(cat.Modified) {
			cat.Modified = e.Modified()
		}
	}
	p := paging(page, per)
	p.Total = len(entries)
	return cat, p
}

func paging(page, per int) dcat.Paging {
	return dcat.Paging{Page: page, PerPage: per, PageURL: func(n int) string {
		return base + "/catalog.ttl?page=" + strconv.Itoa(n)
	}}
}

func TestFixturesAreValidDatasets(t *testing.T) {
	for _, e := range dcattest.Entries(base, 2) {
		if err := e.Dataset.Validate(); err != nil {
			t.Errorf("%s: %v", e.Dataset.Slug, err)
		}
		if err := e.Current.Validate(); err != nil {
			t.Errorf("%s version: %v", e.Dataset.Slug, err)
		}
	}
}

func encodeAll(t *testing.T, g *dcat.Graph) map[dcat.Format][]byte {
	t.Helper()
	out := map[dcat.Format][]byte{}
	for _, f := range dcat.Formats {
		b, err := dcat.Encode(g, f)
		if err != nil {
			t.Fatalf("%s: %v", f.Extension(), err)
		}
		out[f] = b
	}
	return out
}

func TestTurtleDescribesTheDatasetsAsDCATAP(t *testing.T) {
	g := catalogGraph(dcattest.Entries(base, 0), 1, 100)
	ttl := string(encodeAll(t, g)[dcat.Turtle])
	for _, want := range []string{
		"<" + base + "/dataset/neddc-spend-over-500> a dcat:Dataset",
		`dct:identifier "ds-0001-neddc-spend"`,
		`dct:title "Spending over £500 — North East Derbyshire"@en`,
		`redacted suppliers are <individuals>."@en`,
		`\nAmounts exclude \"recoverable\" VAT`,
		"dcat:theme <http://publications.europa.eu/resource/authority/data-theme/GOVE>",
		"dcat:theme <" + base + "/def/theme/government-spending>",
		"dct:accrualPeriodicity <http://publications.europa.eu/resource/authority/frequency/MONTHLY>",
		`dct:modified "2026-02-12T08:05:00Z"^^xsd:dateTime`,
		`dcat:startDate "2025-04-01"^^xsd:date`,
		"vcard:hasEmail <mailto:transparency@ne-derbyshire.gov.uk>",
		"dct:format <http://publications.europa.eu/resource/authority/file-type/CSV>",
		"dcat:mediaType <http://www.iana.org/assignments/media-types/text/csv>",
		`dcat:byteSize "482113"^^xsd:decimal`,
		"spdx:algorithm spdx:checksumAlgorithm_sha1",
		`spdx:checksumValue "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"^^xsd:hexBinary`,
		"dct:license <http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/>",
		"<http://statistics.data.gov.uk/id/statistical-geography/E07000038> a dct:Location",
		`dcat:bbox "POLYGON((-2.4701 53.3602, -2.2601 53.3602, -2.2601 53.4788, -2.4701 53.4788, -2.4701 53.3602))"^^gsp:wktLiteral`,
		`locn:geometry "{\"type\":\"Polygon\",\"coordinates\":[[[-2.4701,53.3602],`,
		"dcat:accessService <" + base + "/ogc/collections/trafford-highway-trees#service>",
		"dct:conformsTo <http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core>",
		"dct:conformsTo <http://www.opengis.net/def/crs/EPSG/0/27700>",
		"hydra:totalItems \"2\"^^xsd:integer",
	} {
		if !strings.Contains(ttl, want) {
			t.Errorf("Turtle lacks %s", want)
		}
	}
	if strings.Contains(ttl, "hydra:next") {
		t.Error("a single page must not link a next page: the harvester would follow it")
	}
}

func TestHydraPagingLinksEveryPage(t *testing.T) {
	entries := dcattest.Entries(base, 5) // 7 datasets, pages of 3
	seen := map[string]int{}
	next := base + "/catalog.ttl?page=1"
	for page := 1; next != ""; page++ {
		if page > 5 {
			t.Fatal("paging does not end")
		}
		g := catalogGraph(entries, page, 3)
		next = ""
		for _, tr := range g.Triples() {
			if tr.P.Value == dcat.NSDCAT+"dataset" {
				seen[tr.O.Value]++
			}
			if tr.P.Value == dcat.NSHYDRA+"next" {
				next = tr.O.Value
			}
			if tr.P.Value == dcat.NSHYDRA+"nextPage" && tr.O.Value != next && next != "" {
				t.Errorf("hydra:nextPage %s differs from hydra:next %s", tr.O.Value, next)
			}
		}
		if next != "" && next != base+"/catalog.ttl?page="+strconv.Itoa(page+1) {
			t.Errorf("page %d links next %s", page, next)
		}
	}
	if len(seen) != len(entries) {
		t.Errorf("walked %d datasets, want %d", len(seen), len(entries))
	}
	for uri, n := range seen {
		if n != 1 {
			t.Errorf("%s listed %d times", uri, n)
		}
	}
}

func TestSerialisationsAreDeterministic(t *testing.T) {
	a := encodeAll(t, catalogGraph(dcattest.Entries(base, 1), 1, 10))
	b := encodeAll(t, catalogGraph(dcattest.Entries(base, 1), 1, 10))
	for f := range a {
		if !bytes.Equal(a[f], b[f]) {
			t.Errorf("%s differs between two runs: ETags would never match", f.Extension())
		}
	}
}

func TestEscapingOfAwkwardLiterals(t *testing.T) {
	g := dcat.NewGraph()
	s := dcat.IRI("https://example.org/x?a=1&b=<2>")
	g.Add(s, dcat.NSDCT+"title", dcat.LangString("quote \" backslash \\ cr\r lf\n tab\t amp & lt < bell\a", "en"))
	g.Add(s, dcat.NSDCT+"description", dcat.Literal(`]]> "" '''`))
	g.Add(s, "http://example.org/vocab#odd-name", dcat.Typed("1", dcat.NSXSD+"integer"))
	out := writeAll(t, g)
	isomorphic(t, out)
}

// writeAll writes the three serialisations to files for the external tools.
func writeAll(t *testing.T, g *dcat.Graph) map[dcat.Format]string {
	t.Helper()
	dir := t.TempDir()
	out := map[dcat.Format]string{}
	for f, b := range encodeAll(t, g) {
		p := filepath.Join(dir, "graph."+f.Extension())
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		out[f] = p
	}
	return out
}

func isomorphic(t *testing.T, files map[dcat.Format]string) {
	t.Helper()
	dcattest.Isomorphic(t, []string{files[dcat.Turtle], files[dcat.JSONLD], files[dcat.RDFXML]},
		[]string{"turtle", "json-ld", "xml"})
}

func TestThreeSerialisationsAreOneGraph(t *testing.T) {
	g := catalogGraph(dcattest.Entries(base, 3), 2, 2)
	isomorphic(t, writeAll(t, g))
	isomorphic(t, writeAll(t, dcat.DatasetGraph(base, dcattest.Trees(base), dcat.AP211)))
}

func TestCatalogPassesDCATAP211SHACL(t *testing.T) {
	g := catalogGraph(dcattest.Entries(base, 1), 1, 100)
	files := writeAll(t, g)
	for _, f := range dcat.Formats {
		dcattest.SHACL211(t, files[f])
	}
}

// DCAT-AP 3.0.0, on request, passes its shapes in every serialisation, as
// does the list of withdrawn datasets in both profiles.
func TestCatalogPassesDCATAP300SHACL(t *testing.T) {
	files := writeAll(t, profileGraph(dcattest.Entries(base, 1), 1, 100, dcat.AP300))
	for _, f := range dcat.Formats {
		dcattest.SHACL300(t, files[f])
	}
	dcattest.SHACL300(t, writeAll(t, dcat.DatasetGraph(base, dcattest.Trees(base), dcat.AP300))[dcat.Turtle])
	isomorphic(t, files)
}

func TestWithdrawnRecordsPassBothProfiles(t *testing.T) {
	gone := dcattest.Entries(base, 2)[1:3]
	for _, prof := range dcat.Profiles {
		cat := catalog()
		cat.Profile, cat.Modified = prof, gone[1].Dataset.Modified
		g := dcat.WithdrawnGraph(cat, gone, dcat.Paging{Page: 1, PerPage: 100, Total: 2, PageURL: func(n int) string {
			return base + "/catalog.ttl?status=withdrawn&page=" + strconv.Itoa(n)
		}})
		ttl := string(encodeAll(t, g)[dcat.Turtle])
		for _, want := range []string{"a dcat:CatalogRecord", "adms:status <" + dcat.Withdrawn + ">",
			"foaf:primaryTopic <" + gone[0].URI + ">"} {
			if !strings.Contains(ttl, want) {
				t.Errorf("%s lacks %s", prof.Token(), want)
			}
		}
		files := writeAll(t, g)
		if prof == dcat.AP300 {
			dcattest.SHACL300(t, files[dcat.Turtle])
		} else {
			dcattest.SHACL211(t, files[dcat.Turtle])
		}
	}
}
