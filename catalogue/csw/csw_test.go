package csw

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/catalogue/gemini"
)

type memCatalogue struct {
	recs []Record
	err  error
}

func (m memCatalogue) Records(context.Context) ([]Record, error) { return m.recs, m.err }

const base = "https://data.example.gov.uk/csw"

// testRecords builds n datasets with real GEMINI XML, identifiers in reverse
// insertion order so that sorting is visible, plus two with distinctive text.
func testRecords(t testing.TB, n int) []Record {
	t.Helper()
	var recs []Record
	for i := n; i >= 1; i-- {
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		title := fmt.Sprintf("Dataset %02d", i)
		west := -3 + float64(i)*0.05
		recs = append(recs, record(t, id, title, "Street assets recorded by the council's highways team: one of a numbered set of test datasets that differ only in extent.",
			[]string{"highways"}, time.Date(2024, 1, i, 0, 0, 0, 0, time.UTC), BBox{West: west, South: 53, East: west + 0.1, North: 53.5}))
	}
	recs = append(recs,
		record(t, "6f1c3e0a-8d2b-4c57-9a41-3b2e7d9c5f10", "Trafford highway trees",
			"Location and species of the 15,638 trees on the adopted highway in Trafford (100% surveyed), kept by the arboricultural team.",
			[]string{"Species distribution", "trees"}, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC),
			BBox{West: -2.4396, South: 53.3595, East: -2.2576, North: 53.4710}),
		record(t, "0b7a6f0e-2c4d-4d1e-8f3a-5e9b1c2d3a4f", "North East Derbyshire ward boundaries (2013)",
			"Boundaries of the 25 electoral wards of North East Derbyshire District as set by the 2013 review, with ONS codes.",
			[]string{"Administrative units", "wards"}, time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC),
			BBox{West: -1.5993, South: 53.1033, East: -1.2820, North: 53.3420}))
	return recs
}

func record(t testing.TB, id, title, abstract string, subjects []string, modified time.Time, b BBox) Record {
	t.Helper()
	party := gemini.Party{Organisation: "Example District Council", Email: "gis@example.gov.uk"}
	x, err := gemini.Marshal(gemini.DatasetRecord{
		FileIdentifier: id, Title: title, Abstract: abstract,
		TopicCategories:         []string{"environment"},
		Keywords:                []gemini.KeywordSet{gemini.InspireThemes(subjects[0]), {Keywords: subjects[1:]}},
		TemporalExtent:          gemini.TemporalExtent{Begin: "2020"},
		ReferenceDates:          []gemini.ReferenceDate{{Type: "publication", Date: modified}},
		Lineage:                 "Compiled by the council.",
		BBox:                    gemini.BBox{West: b.West, East: b.East, South: b.South, North: b.North},
		SpatialReferenceSystems: []string{gemini.CRSBritishNationalGrid},
		ResourceLocators:        []gemini.ResourceLocator{{URL: "https://data.example.gov.uk/ogc/collections/" + id}},
		DataFormats:             []gemini.DataFormat{{Name: "GeoJSON"}},
		ResponsibleOrganisation: party, MetadataContact: party, MetadataDate: modified,
		ResourceIdentifier:        gemini.Identifier{Code: id, CodeSpace: "https://data.example.gov.uk/id/"},
		SpatialRepresentationType: "vector",
	})
	if err != nil {
		t.Fatal(err)
	}
	return Record{Identifier: id, Title: title, Abstract: abstract, Subjects: subjects, Type: "dataset",
		Formats: []string{"GeoJSON"}, Modified: modified, BBox: b, XML: x,
		Links: []Link{{URL: "https://data.example.gov.uk/ogc/collections/" + id, Scheme: "OGC API - Features"}}}
}

func get(t *testing.T, cat Catalogue, q string) (int, *xnode) {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	status, ctype, body := Handle(context.Background(), cat, base, "GET", v, nil)
	return status, decode(t, ctype, body)
}

func post(t *testing.T, cat Catalogue, body string) (int, *xnode) {
	t.Helper()
	status, ctype, out := Handle(context.Background(), cat, base, "POST", nil, []byte(body))
	return status, decode(t, ctype, out)
}

func decode(t *testing.T, ctype string, body []byte) *xnode {
	t.Helper()
	if ctype != ContentType {
		t.Errorf("content type %q", ctype)
	}
	var doc xnode
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&doc); err != nil {
		t.Fatalf("response is not XML: %v\n%s", err, body)
	}
	return &doc
}

type page struct {
	matched, returned, next int
	ids                     []string
}

func results(t *testing.T, doc *xnode) page {
	t.Helper()
	sr := doc.child("SearchResults")
	if sr == nil {
		if ex := doc.child("Exception"); ex != nil {
			t.Fatalf("exception %s: %s", ex.Attr("exceptionCode"), text(ex.child("ExceptionText")))
		}
		t.Fatalf("no SearchResults in %s", doc.XMLName.Local)
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	p := page{atoi(sr.Attr("numberOfRecordsMatched")), atoi(sr.Attr("numberOfRecordsReturned")), atoi(sr.Attr("nextRecord")), ids(sr)}
	if len(p.ids) != p.returned {
		t.Errorf("numberOfRecordsReturned=%d but %d records", p.returned, len(p.ids))
	}
	return p
}

func ids(container *xnode) []string {
	var out []string
	for _, k := range container.Kids {
		if f := k.child("fileIdentifier"); f != nil {
			out = append(out, text(f.child("CharacterString")))
		} else if id := k.child("identifier"); id != nil {
			out = append(out, text(id))
		}
	}
	return out
}

func exceptionOf(t *testing.T, doc *xnode) (code, locator string) {
	t.Helper()
	ex := doc.child("Exception")
	if doc.XMLName.Local != "ExceptionReport" || ex == nil {
		t.Fatalf("want an ows:ExceptionReport, got %s", doc.XMLName.Local)
	}
	return ex.Attr("exceptionCode"), ex.Attr("locator")
}

func TestGetCapabilities(t *testing.T) {
	status, doc := get(t, memCatalogue{}, "service=CSW&request=GetCapabilities")
	if status != 200 || doc.XMLName.Local != "Capabilities" || doc.Attr("version") != Version {
		t.Fatalf("status %d root %s", status, doc.XMLName.Local)
	}
	if st := text(doc.child("ServiceIdentification").child("ServiceType")); st != "CSW" {
		t.Errorf("ServiceType %q", st)
	}
	var opNames []string
	for _, op := range doc.child("OperationsMetadata").children("Operation") {
		opNames = append(opNames, op.Attr("name"))
		if href := op.child("DCP").child("HTTP").child("Post").Attr("href"); href != base {
			t.Errorf("%s POST href %q", op.Attr("name"), href)
		}
	}
	if !slices.Equal(opNames, []string{"GetCapabilities", "DescribeRecord", "GetRecords", "GetRecordById"}) {
		t.Errorf("operations %q", opNames)
	}
	// The XML POST form answers the same.
	if status, doc := post(t, memCatalogue{}, `<csw:GetCapabilities xmlns:csw="`+NamespaceCSW+`" service="CSW"/>`); status != 200 || doc.XMLName.Local != "Capabilities" {
		t.Errorf("POST GetCapabilities: %d %s", status, doc.XMLName.Local)
	}
}

func TestExceptions(t *testing.T) {
	cat := memCatalogue{recs: testRecords(t, 3)}
	cases := []struct {
		query, code, locator string
		status               int
	}{
		{"request=GetCapabilities", "MissingParameterValue", "service", 400},
		{"service=WMS&request=GetCapabilities", "InvalidParameterValue", "service", 400},
		{"service=CSW&version=2.0.2", "MissingParameterValue", "request", 400},
		{"service=CSW&version=2.0.2&request=Harvest", "OperationNotSupported", "request", 501},
		{"service=CSW&version=3.0.0&request=GetRecords&typeNames=csw:Record", "InvalidParameterValue", "version", 400},
		{"service=CSW&request=GetRecords&typeNames=csw:Record", "MissingParameterValue", "version", 400},
		{"service=CSW&version=2.0.2&request=GetRecords", "MissingParameterValue", "typeNames", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=wfs:Feature", "InvalidParameterValue", "typeNames", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&outputSchema=urn:x", "InvalidParameterValue", "outputSchema", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&maxRecords=ten", "InvalidParameterValue", "maxRecords", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&startPosition=0", "InvalidParameterValue", "startPosition", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&ElementSetName=huge", "InvalidParameterValue", "ElementSetName", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&constraintLanguage=CQL_TEXT&constraint=colour='red'", "InvalidParameterValue", "constraint", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&constraint=title='x'", "MissingParameterValue", "constraintLanguage", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&sortBy=dc:colour:A", "InvalidParameterValue", "sortBy", 400},
		{"service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&outputFormat=application/json", "InvalidParameterValue", "outputFormat", 400},
		{"service=CSW&version=2.0.2&request=GetRecordById", "MissingParameterValue", "id", 400},
	}
	for _, c := range cases {
		status, doc := get(t, cat, c.query)
		code, loc := exceptionOf(t, doc)
		if status != c.status || code != c.code || !strings.EqualFold(loc, c.locator) {
			t.Errorf("%s: %d %s/%s, want %d %s/%s", c.query, status, code, loc, c.status, c.code, c.locator)
		}
	}
	status, doc := post(t, cat, `<csw:GetRecords xmlns:csw="`+NamespaceCSW+`"><csw:Query>`)
	if code, _ := exceptionOf(t, doc); status != 400 || code != "NoApplicableCode" {
		t.Errorf("malformed XML: %d %s", status, code)
	}
	status, doc = get(t, memCatalogue{err: errors.New("disk on fire")}, "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results")
	if code, _ := exceptionOf(t, doc); status != 500 || code != "NoApplicableCode" {
		t.Errorf("catalogue failure: %d %s", status, code)
	}
	status, _, _ = Handle(context.Background(), cat, base, "DELETE", nil, nil)
	if status != 405 {
		t.Errorf("DELETE: %d", status)
	}
}

func TestPagingAndSorting(t *testing.T) {
	cat := memCatalogue{recs: testRecords(t, 23)} // 25 records in all
	q := "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&maxRecords=10&sortBy=dc:identifier:A&startPosition="
	var seen []string
	for _, want := range []struct{ start, returned, next int }{{1, 10, 11}, {11, 10, 21}, {21, 5, 0}, {26, 0, 0}} {
		_, doc := get(t, cat, q+strconv.Itoa(want.start))
		p := results(t, doc)
		if p.matched != 25 || p.returned != want.returned || p.next != want.next {
			t.Errorf("start %d: matched %d returned %d next %d, want 25 %d %d", want.start, p.matched, p.returned, p.next, want.returned, want.next)
		}
		seen = append(seen, p.ids...)
	}
	if !slices.IsSorted(seen) || len(seen) != 25 {
		t.Errorf("paging by dc:identifier gave %d ids, sorted=%v", len(seen), slices.IsSorted(seen))
	}
	_, doc := get(t, cat, "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&sortBy=dc:identifier:D&maxRecords=3")
	if p := results(t, doc); !slices.Equal(p.ids, []string{"6f1c3e0a-8d2b-4c57-9a41-3b2e7d9c5f10", "0b7a6f0e-2c4d-4d1e-8f3a-5e9b1c2d3a4f", "00000000-0000-4000-8000-000000000023"}) {
		t.Errorf("descending ids %q", p.ids)
	}
	_, doc = get(t, cat, "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record")
	if p := results(t, doc); p.matched != 25 || p.returned != 0 || p.next != 1 {
		t.Errorf("hits (the default resultType): %+v", p)
	}
	_, doc = get(t, cat, "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&maxRecords=500")
	if p := results(t, doc); p.returned != 25 {
		t.Errorf("maxRecords=500 returned %d", p.returned)
	}
}
