package datajson_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/datajson"
	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
)

const base = "https://data.ne-derbyshire.gov.uk"

// The fixtures include what POD 1.1 cannot say as councilapi stores it: a
// media type with parameters, temporal coverage with no end, a dataset
// without keywords.
func TestDataJSONValidatesAgainstPOD11(t *testing.T) {
	entries := dcattest.Entries(base, 3)
	bare := &entries[2].Dataset
	bare.Keywords, bare.Themes = nil, nil
	entries[0].Distributions[0].MediaType = "text/csv; charset=utf-8"
	doc := datajson.Build(base, entries)
	for _, d := range doc.Dataset {
		if len(d.Keyword) == 0 {
			t.Errorf("%s has no keyword", d.Identifier)
		}
		for _, x := range d.Distribution {
			if x.MediaType == "text/csv; charset=utf-8" {
				t.Errorf("%s: media type with parameters", d.Identifier)
			}
		}
	}
	if trees := doc.Dataset[1]; trees.Temporal != "" {
		t.Errorf("open-ended coverage written as %q; POD has no open interval", trees.Temporal)
	}
	if spend := doc.Dataset[0]; spend.Temporal != "2025-04-01/2026-03-31" {
		t.Errorf("temporal %q", spend.Temporal)
	}
	b, _ := json.MarshalIndent(doc, "", " ")
	p := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	dcattest.POD11(t, p)
}

// TestPagesFromKeptDatasetsAreMarshalIndents checks the page the server
// writes from the datasets it keeps is the document itself, for an empty
// page, one dataset and several.
func TestPagesFromKeptDatasetsAreMarshalIndents(t *testing.T) {
	all := dcattest.Entries(base, 3)
	for _, n := range []int{0, 1, len(all)} {
		page := all[:n]
		want, err := json.MarshalIndent(datajson.Build(base, page), "", " ")
		if err != nil {
			t.Fatal(err)
		}
		var kept []catalogue.Packed
		for _, e := range page {
			b, err := datajson.MarshalDataset(e)
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, catalogue.Pack(b, nil))
		}
		got, err := datajson.MarshalPage(base, kept)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("page of %d from kept datasets differs:\n%s\nwant\n%s", n, got, want)
		}
	}
}
