package ogc

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"testing"
)

// TestAppendLinksMatchesEncoder pins the hand-written links encoder to
// encoding/json (HTML escaping off), which wrote them before.
func TestAppendLinksMatchesEncoder(t *testing.T) {
	for _, links := range [][]Link{
		nil,
		{},
		{{Href: "https://h/ogc/collections/x/items?bbox=1,2,3,4&f=json&offset=10", Rel: "next", Type: MediaGeoJSON, Title: "Next page"}},
		{{Href: "/a", Rel: "license", Title: `Open "Government" <Licence> & é 🌳 ` + "\u2028\x01", Hreflang: "en"},
			{Href: "https://h/d.csv", Rel: "enclosure", Type: "text/csv", Length: 123456789}, {Href: "", Rel: ""}},
	} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		want := links
		if want == nil {
			want = []Link{}
		}
		if err := enc.Encode(want); err != nil {
			t.Fatal(err)
		}
		if got := appendLinks(nil, links); string(got) != string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))) {
			t.Errorf("got  %s\nwant %s", got, buf.Bytes())
		}
	}
}

// TestItemsLinksKeepEveryParameter compares the links with ones written
// the plain way, url.Values.Encode and concatenation, for queries with
// parameters needing escapes, repeated values and every paging case.
func TestItemsLinksKeepEveryParameter(t *testing.T) {
	c := &Collection{ID: "trees v2", Title: "Trees"}
	base := "https://data.example.gov.uk/ogc"
	for _, raw := range []string{"", "f=html", "limit=10&offset=20", "bbox=-2.3,53.4,-2.2,53.5&limit=5&offset=3&f=json",
		"name=Fish+%26+Chips&name=caf%C3%A9&datetime=2020-01-01T00:00:00Z/..&crs=http://www.opengis.net/def/crs/EPSG/0/27700&x~y=a b"} {
		q, err := url.ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []ItemsRequest{{Query: Query{Limit: 10}}, {Query: Query{Offset: 20, Limit: 10}}, {Query: Query{Offset: 5, Limit: 10}}} {
			for _, matched := range []int{0, 25, 1000} {
				got := ItemsLinks(c, base, q, r, matched)
				want := plainItemsLinks(c, base, q, r, matched)
				if !slices.Equal(got, want) {
					t.Fatalf("%q %+v %d:\n got %+v\nwant %+v", raw, r.Query, matched, got, want)
				}
			}
		}
	}
}

func plainItemsLinks(c *Collection, base string, q url.Values, r ItemsRequest, matched int) []Link {
	href := base + "/collections/" + url.PathEscape(c.ID)
	rest := url.Values{}
	for k, vals := range q {
		if k != "f" && k != "offset" {
			rest[k] = vals
		}
	}
	common := href + "/items?" + rest.Encode()
	if len(rest) > 0 {
		common += "&"
	}
	at := func(offset int, f string) string {
		s := common + "f=" + f
		if offset > 0 {
			s += "&offset=" + strconv.Itoa(offset)
		}
		return s
	}
	links := []Link{
		{Href: at(r.Offset, "json"), Rel: "self", Type: MediaGeoJSON, Title: "This page"},
		{Href: at(r.Offset, "html"), Rel: "alternate", Type: MediaHTML, Title: "This page as HTML"},
	}
	if r.Offset+r.Limit < matched {
		links = append(links, Link{Href: at(r.Offset+r.Limit, "json"), Rel: "next", Type: MediaGeoJSON, Title: "Next page"})
	}
	if r.Offset > 0 {
		links = append(links, Link{Href: at(max(r.Offset-r.Limit, 0), "json"), Rel: "prev", Type: MediaGeoJSON, Title: "Previous page"})
	}
	return append(links, Link{Href: href + "?f=json", Rel: relCollection, Type: MediaJSON, Title: c.Title})
}
