package ckan_test

import (
	"encoding/json"
	"testing"

	"github.com/jointict/councilapi/catalogue/ckan"
	"github.com/jointict/councilapi/catalogue/dcat/dcattest"
	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain"
)

// TestKeptPackagesFollowTheirPublisher checks what package_search keeps
// of each package between requests: a package is written again when what
// it says of its publisher changes (another dataset published, the
// organisation renamed), though the dataset itself did not change, and
// the response is the bytes json.Marshal gives.
func TestKeptPackagesFollowTheirPublisher(t *testing.T) {
	entries := dcattest.Entries("", 4)
	ix := dcattest.Index(entries)
	cat := ckan.Catalogue{BaseURL: "https://data.example.gov.uk", Index: ix}
	search := func() (org struct {
		Title        string `json:"title"`
		PackageCount int    `json:"package_count"`
	}) {
		t.Helper()
		res, cerr := ckan.Search(cat, ckan.Params{"rows": "100", "sort": "name asc"})
		if cerr != nil {
			t.Fatal(cerr)
		}
		resp := ckan.Response{Help: "h", Success: true, Result: res}
		got, err := ckan.MarshalResponse(resp)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(resp)
		if string(got) != string(want) {
			t.Fatalf("MarshalResponse differs from json.Marshal:\n%s\n%s", got, want)
		}
		var body struct {
			Result struct {
				Results []struct {
					Name         string          `json:"name"`
					Organization json.RawMessage `json:"organization"`
				} `json:"results"`
			} `json:"result"`
		}
		if err := json.Unmarshal(got, &body); err != nil {
			t.Fatal(err)
		}
		for _, p := range body.Result.Results {
			if p.Name == entries[0].Dataset.Slug {
				_ = json.Unmarshal(p.Organization, &org)
				return org
			}
		}
		t.Fatalf("no package %s", entries[0].Dataset.Slug)
		return org
	}
	before := search()

	more := dcattest.Filler("", 99) // the first entry's publisher, once more
	ix.Put(index.Item{Entry: more, Stamp: "1"})
	if after := search(); after.PackageCount != before.PackageCount+1 {
		t.Errorf("package_count %d after one more dataset, was %d", after.PackageCount, before.PackageCount)
	}

	var renamed domain.Organisation
	for _, o := range dcattest.Organisations() {
		if o.ID == entries[0].Dataset.Publisher {
			renamed = o
		}
	}
	renamed.Name = "Renamed District Council"
	ix.PutOrganisation(renamed, "2")
	if after := search(); after.Title != renamed.Name {
		t.Errorf("organisation title %q after the rename", after.Title)
	}
}
