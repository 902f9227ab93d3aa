package ogc

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/crs"
)

func treesCollection(t *testing.T) *Collection {
	return &Collection{ID: "trees", Features: loadTrafford(t, "trafford_highways_trees.geojson", "treeID", IndexOptions{})}
}

// pages walks every page of a query as a client following next links
// does, checking numberMatched is the same on each.
func pages(t *testing.T, c *Collection, q url.Values, limit int) (matched int, all []uint32) {
	t.Helper()
	q.Set("limit", strconv.Itoa(limit))
	for offset := 0; ; offset += limit {
		q.Set("offset", strconv.Itoa(offset))
		r, err := ParseItems(q, c)
		if err != nil {
			t.Fatalf("%v: %v", q, err)
		}
		res := c.Features.Search(r.Query)
		if offset == 0 {
			matched = res.Matched
		} else if res.Matched != matched {
			t.Fatalf("numberMatched changed from %d to %d at offset %d", matched, res.Matched, offset)
		}
		all = append(all, res.Ordinals...)
		if len(res.Ordinals) < limit {
			return matched, all
		}
	}
}

// reference answers a filter by testing every feature directly.
func reference(t *testing.T, ix *Index, keep func(props map[string]any, g orb.Geometry) bool) []uint32 {
	t.Helper()
	var out []uint32
	for o := range uint32(ix.Len()) {
		p, err := ix.Properties(o)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := ix.Geometry(o)
		if keep(p, g) {
			out = append(out, o)
		}
	}
	return out
}

func TestFilterPagingIsExact(t *testing.T) {
	c := treesCollection(t)
	box := orb.Bound{Min: orb.Point{-2.36, 53.40}, Max: orb.Point{-2.30, 53.45}}
	cases := []struct {
		name   string
		params url.Values
		keep   func(map[string]any, orb.Geometry) bool
	}{
		{"text: LIKE and S_INTERSECTS", url.Values{"filter": {`species LIKE 'Tilia%' AND S_INTERSECTS(geometry, BBOX(-2.36,53.40,-2.30,53.45))`}},
			func(p map[string]any, g orb.Geometry) bool {
				return strings.HasPrefix(p["species"].(string), "Tilia") && geomIntersectsBound(g, box)
			}},
		{"json: the same", url.Values{"filter-lang": {"cql2-json"}, "filter": {`{"op":"and","args":[{"op":"like","args":[{"property":"species"},"Tilia%"]},{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-2.36,53.40,-2.30,53.45]}]}]}`}},
			func(p map[string]any, g orb.Geometry) bool {
				return strings.HasPrefix(p["species"].(string), "Tilia") && geomIntersectsBound(g, box)
			}},
		{"equality narrowed by the value index, OR inside", url.Values{"filter": {`street = 'Bradgate Road' AND (species LIKE 'Tilia%' OR species LIKE 'Acer%')`}},
			func(p map[string]any, _ orb.Geometry) bool {
				s := p["species"].(string)
				return p["street"] == "Bradgate Road" && (strings.HasPrefix(s, "Tilia") || strings.HasPrefix(s, "Acer"))
			}},
		{"filter with a bbox parameter", url.Values{"bbox": {"-2.36,53.40,-2.30,53.45"}, "filter": {`NOT species LIKE 'Tilia%'`}},
			func(p map[string]any, g orb.Geometry) bool {
				return !strings.HasPrefix(p["species"].(string), "Tilia") && geomIntersectsBound(g, box)
			}},
		{"S_WITHIN a polygon in British National Grid (filter-crs)", url.Values{"filter-crs": {"http://www.opengis.net/def/crs/EPSG/0/27700"},
			"filter": {`S_WITHIN(geometry, POLYGON((376000 391000, 378000 391000, 378000 393000, 376000 393000, 376000 391000)))`}},
			func(p map[string]any, g orb.Geometry) bool {
				pt := g.(orb.Point)
				e, n, err := crs.Transform(crs.CRS84, crs.EPSG27700, pt[0], pt[1])
				return err == nil && e >= 376000 && e <= 378000 && n >= 391000 && n <= 393000
			}},
	}
	for _, tc := range cases {
		want := reference(t, c.Features, tc.keep)
		if len(want) < 5 {
			t.Fatalf("%s: the fixture selects only %d features; pick a wider filter", tc.name, len(want))
		}
		// Small pages where the answer is small, so paging itself is
		// exercised; each page re-evaluates the filter.
		limit := 7
		if len(want) > 100 {
			limit = len(want)/3 + 1
		}
		matched, got := pages(t, c, tc.params, limit)
		if matched != len(want) || !slices.Equal(got, want) {
			t.Errorf("%s: numberMatched %d, %d features over the pages; the reference has %d", tc.name, matched, len(got), len(want))
		}
	}
}

func TestSortBy(t *testing.T) {
	c := &Collection{ID: "listed", TemporalProperty: "ListDate",
		Features: loadTrafford(t, "trafford_listed_buildings.geojson", "", IndexOptions{TemporalProperty: "ListDate"})}
	r, err := ParseItems(url.Values{"sortby": {"-ListDate,+Name"}, "filter": {`T_AFTER(ListDate, DATE('1985-01-01')) AND Grade = 'II'`}, "limit": {"1000"}}, c)
	if err != nil {
		t.Fatal(err)
	}
	res := c.Features.Search(r.Query)
	want := reference(t, c.Features, func(p map[string]any, _ orb.Geometry) bool {
		d, _ := p["ListDate"].(string)
		return d >= "1985-01-02" && p["Grade"] == "II"
	})
	if res.Matched != len(want) || len(res.Ordinals) != len(want) || len(want) < 10 {
		t.Fatalf("matched %d, returned %d, want %d", res.Matched, len(res.Ordinals), len(want))
	}
	var prev map[string]any
	for i, o := range res.Ordinals {
		p, _ := c.Features.Properties(o)
		if prev != nil {
			a, b := prev["ListDate"].(string), p["ListDate"].(string)
			if a < b || a == b && prev["Name"].(string) > p["Name"].(string) {
				t.Fatalf("item %d is out of order: %v %v after %v %v", i, b, p["Name"], a, prev["Name"])
			}
		}
		prev = p
	}
}

func TestFilterParameterErrors(t *testing.T) {
	c := treesCollection(t)
	cases := map[string]url.Values{
		"at character 10: expected a value after '=', found the end of the filter":        {"filter": {"species ="}},
		`unknown property "height": the queryables are geometry, species, street, treeID`: {"filter": {"height > 5"}},
		"must be cql2-text or cql2-json":                                                  {"filter-lang": {"ecql"}, "filter": {"species = 'x'"}},
		"at /args: = takes 2 arguments, not 1":                                            {"filter-lang": {"cql2-json"}, "filter": {`{"op":"=","args":[{"property":"species"}]}`}},
		`cannot sort by "height"`:                                                         {"sortby": {"-height"}},
		"must be one of":                                                                  {"filter-crs": {"EPSG:3857"}, "filter": {"species = 'x'"}},
	}
	for want, q := range cases {
		_, err := ParseItems(q, c)
		var de *domain.Error
		if !errors.As(err, &de) || len(de.Fields) != 1 || !strings.Contains(de.Fields[0].Problem, want) {
			t.Errorf("%v: got %v, want a problem containing %q", q, err, want)
			continue
		}
		if f := de.Fields[0].Field; f != "filter" && f != "filter-lang" && f != "sortby" && f != "filter-crs" {
			t.Errorf("%v: the problem names %q", q, f)
		}
	}
}

func TestQueryablesAndConformance(t *testing.T) {
	c := &Collection{ID: "listed", TemporalProperty: "ListDate",
		Features: loadTrafford(t, "trafford_listed_buildings.geojson", "", IndexOptions{TemporalProperty: "ListDate"})}
	doc := QueryablesDoc(c, "https://example.gov.uk/ogc")
	props := doc["properties"].(map[string]any)
	if g := props["geometry"].(map[string]any); g["x-ogc-role"] != "primary-geometry" {
		t.Errorf("geometry: %v", g)
	}
	if d := props["ListDate"].(map[string]any); d["format"] != "date-time" || d["x-ogc-role"] != "primary-instant" {
		t.Errorf("ListDate: %v", d)
	}
	if n := props["ListEntry"].(map[string]any); n["type"] != "integer" {
		t.Errorf("ListEntry: %v", n)
	}
	for _, want := range []string{"ogcapi-features-3/1.0/conf/filter", "ogcapi-features-3/1.0/conf/features-filter",
		"cql2/1.0/conf/basic-cql2", "cql2/1.0/conf/cql2-text", "cql2/1.0/conf/cql2-json", "cql2/1.0/conf/basic-spatial-functions"} {
		if !slices.Contains(Conformance, "http://www.opengis.net/spec/"+want) {
			t.Errorf("conformance lacks %s", want)
		}
	}
}
