package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
)

// TestDatasetListShowsEachDatasetsView checks that the search, which keeps
// each dataset's view from one version to the next, lists every dataset as
// GET /api/v1/datasets/{id} shows it now, GEMINI status included; and that its ETag is answered with 304 until something
// it lists changes.
func TestDatasetListShowsEachDatasetsView(t *testing.T) {
	ts, _, noLineage := inspireCatalogueFixture(t)
	list := func(when string) (tag string, views map[string]datasetView) {
		t.Helper()
		r := ts.do("GET", "/api/v1/datasets?limit=100", "", nil)
		var got listResponse[json.RawMessage]
		r.json(t, &got)
		if r.Status != 200 || got.Total != 4 || len(got.Items) != 4 || r.Header.Get("ETag") == "" {
			t.Fatalf("%s: %d, %d of %d items, ETag %q", when, r.Status, len(got.Items), got.Total, r.Header.Get("ETag"))
		}
		views = map[string]datasetView{}
		for _, raw := range got.Items {
			var v datasetView
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			views[v.ID] = v
			one := ts.do("GET", "/api/v1/datasets/"+v.ID, "", nil)
			if !bytes.Equal(bytes.TrimSpace(one.Body), raw) {
				t.Errorf("%s: the list shows %s as\n%s\nits own page as\n%s", when, v.Slug, raw, one.Body)
			}
		}
		return r.Header.Get("ETag"), views
	}
	tag, views := list("before")
	if fmt.Sprint(views[noLineage.ID].GeminiMissing) != fmt.Sprint([]string{gemini.ItemLineage}) {
		t.Errorf("the list says the dataset without lineage lacks %q", views[noLineage.ID].GeminiMissing)
	}
	if r := ts.do("GET", "/api/v1/datasets?limit=100", "", nil, "If-None-Match", tag); r.Status != 304 {
		t.Errorf("revalidating the unchanged list: %d, want 304", r.Status)
	}

	ned := ts.key(domain.RolePublisher, "neddc")
	inspire := spatialMetadata("Dog waste bins", "us", "structure")["inspire"]
	if r := ts.do("PATCH", "/api/v1/datasets/"+noLineage.ID, ned, map[string]any{"title": "Dog bins", "inspire": inspire}); r.Status != 200 {
		t.Fatalf("adding lineage: %d %s", r.Status, r.Body)
	}
	newTag, views := list("after adding lineage")
	if v := views[noLineage.ID]; v.Title != "Dog bins" || len(v.GeminiMissing) != 0 {
		t.Errorf("after adding lineage the list shows %q lacking %q", v.Title, v.GeminiMissing)
	}
	if newTag == tag {
		t.Error("the list's ETag did not change with a dataset it lists")
	}
	if r := ts.do("GET", "/api/v1/datasets?limit=100", "", nil, "If-None-Match", tag); r.Status != 200 {
		t.Errorf("revalidating with the old ETag: %d, want 200", r.Status)
	}
}

// TestMarshalListWritesWhatTheEncoderWrites compares the list writer with
// encoding/json's Encoder (what c.JSON sends) on the same items.
func TestMarshalListWritesWhatTheEncoderWrites(t *testing.T) {
	items := []json.RawMessage{[]byte(`{"id":"a","title":"Trees \u0026 hedges"}`), []byte(`{"id":"b"}`)}
	for _, resp := range []listResponse[json.RawMessage]{
		{Items: items, Total: 12, Limit: 2, Offset: 4, Links: map[string]string{"self": "http://x/api?a=1&b=<2>", "next": "n", "prev": "p"}},
		{Items: []json.RawMessage{}, Total: 0, Limit: 20},
	} {
		var want bytes.Buffer
		if err := json.NewEncoder(&want).Encode(resp); err != nil {
			t.Fatal(err)
		}
		kept := listResponse[catalogue.Packed]{Total: resp.Total, Limit: resp.Limit, Offset: resp.Offset, Links: resp.Links}
		for _, it := range resp.Items {
			kept.Items = append(kept.Items, catalogue.Pack(it, nil))
		}
		got, err := marshalList(kept)
		if err != nil || string(got) != want.String() {
			t.Errorf("marshalList:\n%s\nEncoder:\n%s (err %v)", got, want.String(), err)
		}
	}
}
