package negotiate

import (
	"reflect"
	"testing"
)

// Accept headers real clients send, as captured from them or read from
// their source (versions as named).
const (
	firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/png,image/svg+xml,*/*;q=0.8" // Firefox 128
	chrome  = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
	safari  = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	// curl, wget, Python requests (so OWSLib's OGC API client and
	// ckanext-dcat's harvester, which send none of their own) and fetch().
	anything = "*/*"
	// QGIS 3.22's OGC API – Features provider: items, then the API document.
	qgisItems   = "application/geo+json, application/json"
	qgisOpenAPI = "application/vnd.oai.openapi+json;version=3.0, application/openapi+json;version=3.0, application/json"
	// rdflib's Graph.parse(url) as ckanext-dcat and rdflib users call it:
	// with no format, for turtle, for json-ld.
	rdflibDefault = "application/rdf+xml,text/rdf+n3;q=0.9,application/xhtml+xml;q=0.5, */*;q=0.1"
	rdflibTurtle  = "text/turtle,application/x-turtle, */*;q=0.1"
	rdflibJSONLD  = "application/ld+json, application/json;q=0.9, */*;q=0.1"
	// Java's HttpURLConnection when the caller sets none: a lone "*", and
	// q values without their leading zero.
	java = "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
)

func TestBestPicksWhatRealClientsPrefer(t *testing.T) {
	rdf := []string{"text/turtle", "application/x-turtle", "application/ld+json", "application/json",
		"application/rdf+xml", "application/xml", "text/xml", "text/html", "application/xhtml+xml"}
	ogcDocs := []string{"application/json", "application/geo+json", "application/vnd.oai.openapi+json;version=3.0",
		"application/schema+json", "text/html"}
	for _, c := range []struct {
		client, accept string
		offers         []string
		want           string // "" when no offer is acceptable
		spec           Specificity
	}{
		{"Firefox", firefox, rdf, "text/html", Exact},
		{"Chrome", chrome, rdf, "text/html", Exact},
		{"Safari", safari, ogcDocs, "text/html", Exact},
		{"curl", anything, rdf, "text/turtle", AnyType},
		{"curl", anything, ogcDocs, "application/json", AnyType},
		{"Go's http.Get", "", ogcDocs, "application/json", NoHeader},
		{"QGIS items", qgisItems, ogcDocs, "application/json", Exact},
		{"QGIS OpenAPI: the range naming the version is the most specific", qgisOpenAPI, ogcDocs,
			"application/vnd.oai.openapi+json;version=3.0", ExactWithParams},
		{"QGIS OpenAPI, another version", qgisOpenAPI, []string{"application/vnd.oai.openapi+json;version=3.1"}, "", 0},
		{"rdflib", rdflibDefault, rdf, "application/rdf+xml", Exact},
		{"rdflib turtle", rdflibTurtle, rdf, "text/turtle", Exact},
		{"rdflib json-ld", rdflibJSONLD, rdf, "application/ld+json", Exact},
		{"Java", java, rdf, "text/html", Exact},
		{"Java", java, []string{"application/json"}, "application/json", AnyType},
		{"an image viewer", "image/png", rdf, "", 0},
		{"q=0 excludes, even beside */*", "text/turtle;q=0, */*", rdf, "application/x-turtle", AnyType},
		{"q=0 on a type overrides its wildcard", "text/*, text/turtle;q=0", []string{"text/turtle", "text/xml"}, "text/xml", AnySubtype},
		{"higher q wins over the server's order", "text/turtle;q=0.5, application/ld+json;q=0.9", rdf, "application/ld+json", Exact},
		{"equal q: the type named beats the wildcard", "*/*, application/ld+json", rdf, "application/ld+json", Exact},
		{"equal q, equally specific: the server's order", "application/ld+json, text/turtle", rdf, "text/turtle", Exact},
		{"the most specific range decides, not the highest q", "text/*;q=0.9, text/html;q=0.1", []string{"text/html", "text/plain"}, "text/plain", AnySubtype},
		{"case does not matter", "Text/HTML", []string{"text/html"}, "text/html", Exact},
		{"an unreadable range is passed over", "text/html;q=0.5, foo, /json, */html", []string{"application/json", "text/html"}, "text/html", Exact},
	} {
		m, ok := ParseAccept(c.accept).Best(c.offers...)
		got := ""
		if ok {
			got = c.offers[m.Offer]
		}
		if got != c.want || ok && m.Specificity != c.spec {
			t.Errorf("%s (%q): got %q (%+v), want %q at specificity %d", c.client, c.accept, got, m, c.want, c.spec)
		}
	}
}

func TestQValues(t *testing.T) {
	for accept, want := range map[string]float64{
		"text/html":             1,
		"text/html;q=0.8":       0.8,
		"text/html; Q=.5":       0.5,
		"text/html;q=0.800":     0.8,
		"text/html;q=1.5":       1,
		"text/html;q=-1":        0,
		"text/html;q=high":      1, // taken at its word
		"text/html;level=1;q=0": 0,
		"text/plain":            0,
	} {
		if q, _ := ParseAccept(accept).Quality("text/html;level=1"); q != want {
			t.Errorf("%q: q %v, want %v", accept, q, want)
		}
	}
}

func TestParseListKeepsURIsAndQuotedCommasWhole(t *testing.T) {
	got := ParseList(`<https://example.org/p,1/>;q=0.9, text/plain;charset="a,b";format=flowed, , <urn:x>`)
	want := []Element{
		{Value: "https://example.org/p,1/", Q: 0.9},
		{Value: "text/plain", Params: map[string]string{"charset": "a,b", "format": "flowed"}, Q: 1},
		{Value: "urn:x", Q: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestPreferredOrdersByWeightThenTheClientsOrder(t *testing.T) {
	// Accept-Profile as a DCAT-AP 3 harvester that takes 2.1.1 too sends it.
	h := "<https://semiceu.github.io/DCAT-AP/releases/2.1.1/>;q=0.5, <https://semiceu.github.io/DCAT-AP/releases/3.0.0/>;q=0.9, <urn:a>;q=0.5, <urn:b>;q=0"
	var got []string
	for _, e := range Preferred(h) {
		got = append(got, e.Value)
	}
	want := []string{"https://semiceu.github.io/DCAT-AP/releases/3.0.0/", "https://semiceu.github.io/DCAT-AP/releases/2.1.1/", "urn:a"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
