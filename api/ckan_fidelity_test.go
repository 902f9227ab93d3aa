package api

import (
	"encoding/json"
	"net/url"
	"strconv"
	"testing"
)

type ckanPackage struct {
	ID, Name, State string
	Extras          []struct{ Key, Value string }
	Resources       []map[string]any
	Groups          []struct{ Name string }
}

type ckanSearch struct {
	Count        int
	Results      []ckanPackage
	Facets       map[string]map[string]int
	SearchFacets map[string]struct {
		Items []struct {
			Name        string
			DisplayName string `json:"display_name"`
			Count       int
		}
	} `json:"search_facets"`
}

func search(t *testing.T, server string, q url.Values) ckanSearch {
	t.Helper()
	code, env := ckanCall(t, server, "package_search", q)
	var r ckanSearch
	if err := json.Unmarshal(env.Result, &r); code != 200 || !env.Success || err != nil {
		t.Fatalf("package_search %v: %d %v", q, code, env.Error)
	}
	return r
}

// ckanFacetsCountWhatTheFiltersFind: each facet value's count is the
// number of datasets the same search finds with that value as a filter.
func ckanFacetsCountWhatTheFiltersFind(t *testing.T, server string) {
	r := search(t, server, url.Values{"rows": {"0"}, "q": {"parking"},
		"facet.field": {`["organization","tags","res_format","license_id","groups"]`}, "facet.limit": {"-1"}})
	for _, field := range []string{"organization", "tags", "res_format", "license_id", "groups"} {
		items := r.SearchFacets[field].Items
		if len(items) == 0 {
			t.Fatalf("no %s facet", field)
		}
		for i, it := range items {
			if i > 0 && it.Count > items[i-1].Count {
				t.Errorf("%s facet not in count order: %v", field, items)
			}
			if r.Facets[field][it.Name] != it.Count {
				t.Errorf("%s: facets says %d for %s, search_facets %d", field, r.Facets[field][it.Name], it.Name, it.Count)
			}
			n := search(t, server, url.Values{"rows": {"0"}, "q": {"parking"}, "fq": {field + `:"` + it.Name + `"`}}).Count
			if n != it.Count {
				t.Errorf("%s:%q counted %d, but filtering on it finds %d", field, it.Name, it.Count, n)
			}
		}
	}
	orgs := r.SearchFacets["organization"].Items
	if orgs[0].DisplayName == orgs[0].Name {
		t.Errorf("organization facet shows the id, not the name: %+v", orgs[0])
	}
	if got := r.SearchFacets["res_format"].Items; got[0].Name != "CSV" {
		t.Errorf("res_format keeps its case: %+v", got)
	}
	limited := search(t, server, url.Values{"rows": {"0"}, "facet.field": {`["tags"]`}, "facet.limit": {"3"}})
	if len(limited.SearchFacets["tags"].Items) != 3 {
		t.Errorf("facet.limit 3 gave %d tags", len(limited.SearchFacets["tags"].Items))
	}
	if none := search(t, server, url.Values{"rows": {"1"}}); len(none.SearchFacets) != 0 {
		t.Errorf("facets without facet.field: %v", none.SearchFacets)
	}
	if code, env := ckanCall(t, server, "package_search", url.Values{"facet.field": {"organization"}}); code != 409 {
		t.Errorf("facet.field not a list: %d %v", code, env.Error)
	}
}

// TestCKANExtBBoxFindsSpatialDatasetsByExtent, as ckanext-spatial does:
// datasets whose extent intersects the box, never ones without an extent.
func ckanExtBBoxFindsSpatialDatasetsByExtent(t *testing.T, server string) {
	all := search(t, server, url.Values{"rows": {"1000"}})
	box := [4]float64{-1.45, 53.15, -1.30, 53.30} // Bolsover and part of North East Derbyshire
	want := map[string]bool{}
	for _, p := range all.Results {
		var b [4]float64
		n := 0
		for _, e := range p.Extras {
			for i, k := range []string{"bbox-west-long", "bbox-south-lat", "bbox-east-long", "bbox-north-lat"} {
				if e.Key == k {
					b[i], _ = strconv.ParseFloat(e.Value, 64)
					n++
				}
			}
		}
		if n == 4 && b[0] <= box[2] && box[0] <= b[2] && b[1] <= box[3] && box[1] <= b[3] {
			want[p.ID] = true
		}
	}
	r := search(t, server, url.Values{"rows": {"1000"}, "ext_bbox": {"-1.45,53.15,-1.30,53.30"}})
	if r.Count != len(want) || len(want) == 0 || len(want) == all.Count {
		t.Fatalf("ext_bbox found %d, want %d of %d", r.Count, len(want), all.Count)
	}
	for _, p := range r.Results {
		if !want[p.ID] {
			t.Errorf("%s does not intersect the box", p.Name)
		}
	}
	for _, bad := range []string{"1,2,3", "-1.3,53.1,-1.5,53.3", "x,1,2,3", "-200,50,-1,51"} {
		if code, env := ckanCall(t, server, "package_search", url.Values{"ext_bbox": {bad}}); code != 409 || env.Error["__type"] != "Search Query Error" {
			t.Errorf("ext_bbox %s: %d %v", bad, code, env.Error)
		}
	}
}

// ckanDeletedDatasetsAreFoundByHarvesters: withdrawn datasets are
// CKAN's deleted ones, listed with include_deleted or state:deleted and
// shown by package_show, so an incremental harvest learns of them.
func ckanDeletedDatasetsAreFoundByHarvesters(t *testing.T, server string) {
	active := search(t, server, url.Values{"rows": {"0"}}).Count
	both := search(t, server, url.Values{"rows": {"0"}, "include_deleted": {"true"}}).Count
	deleted := search(t, server, url.Values{"rows": {"1000"}, "fq": {"state:deleted"}})
	if deleted.Count == 0 || both != active+deleted.Count {
		t.Fatalf("active %d, deleted %d, with include_deleted %d", active, deleted.Count, both)
	}
	for _, p := range deleted.Results {
		if p.State != "deleted" || len(p.Resources) != 0 {
			t.Errorf("%s: state %s with %d resources", p.Name, p.State, len(p.Resources))
		}
	}
	// The incremental harvester's query finds the deletions since its last run.
	since := search(t, server, url.Values{"rows": {"1000"}, "include_deleted": {"true"},
		"fq": {"metadata_modified:[2020-01-01T00:00:00Z TO *]"}})
	found := 0
	for _, p := range since.Results {
		if p.State == "deleted" {
			found++
		}
	}
	if found != deleted.Count {
		t.Errorf("the incremental query finds %d of %d deletions", found, deleted.Count)
	}
	code, env := ckanCall(t, server, "package_show", url.Values{"id": {deleted.Results[0].Name}})
	var p ckanPackage
	if json.Unmarshal(env.Result, &p); code != 200 || p.State != "deleted" {
		t.Errorf("package_show of a withdrawn dataset: %d %+v", code, p)
	}
	var names []string
	ckanCallJSON(t, server, "package_list", url.Values{}, &names)
	for _, n := range names {
		if n == p.Name {
			t.Errorf("package_list lists the deleted %s", n)
		}
	}
}

func ckanStatusShowSaysWhatAnswers(t *testing.T, server string) {
	var st map[string]any
	ckanCallJSON(t, server, "status_show", url.Values{}, &st)
	if _, ok := st["ckan_version"]; ok {
		t.Errorf("status_show claims a CKAN version: %v", st["ckan_version"])
	}
	if ext, _ := st["extensions"].([]any); len(ext) != 0 || st["software"] != "councilapi" || st["api_version"].(float64) != 3 {
		t.Errorf("status_show: %v", st)
	}
	if acts, _ := st["actions"].([]any); len(acts) != 7 {
		t.Errorf("actions: %v", st["actions"])
	}
}

func ckanCallJSON(t *testing.T, server, action string, q url.Values, v any) {
	t.Helper()
	code, env := ckanCall(t, server, action, q)
	if err := json.Unmarshal(env.Result, v); code != 200 || !env.Success || err != nil {
		t.Fatalf("%s: %d %v %v", action, code, env.Error, err)
	}
}
