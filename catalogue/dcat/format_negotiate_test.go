package dcat

import "testing"

// What each client harvesting or browsing the catalogue is given.
func TestNegotiateAnswersHarvestersAndBrowsers(t *testing.T) {
	for _, c := range []struct {
		client, accept string
		f              Format
		html           bool
	}{
		{"curl, requests, ckanext-dcat", "*/*", Turtle, false},
		{"no header", "", Turtle, false},
		{"Firefox", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/png,image/svg+xml,*/*;q=0.8", 0, true},
		{"rdflib, no format", "application/rdf+xml,text/rdf+n3;q=0.9,application/xhtml+xml;q=0.5, */*;q=0.1", RDFXML, false},
		{"rdflib json-ld", "application/ld+json, application/json;q=0.9, */*;q=0.1", JSONLD, false},
		{"plain JSON", "application/json", JSONLD, false},
		{"nothing we have", "image/png", Turtle, false},
		{"Turtle refused", "text/turtle;q=0, application/x-turtle;q=0, */*", JSONLD, false},
	} {
		if f, html := Negotiate(c.accept); f != c.f || html != c.html {
			t.Errorf("%s (%q): %s html=%v, want %s html=%v", c.client, c.accept, f.MediaType(), html, c.f.MediaType(), c.html)
		}
	}
	for h, want := range map[string]Profile{
		"": AP211, "<" + AP300.URI() + ">": AP300, "dcat-ap-3.0.0": AP300,
		"<" + AP300.URI() + ">;q=0.4, <" + AP211.URI() + ">;q=0.8": AP211,
		"<" + AP300.URI() + ">;q=0, <urn:unknown>":                 AP211,
		"<urn:unknown>, <" + AP300.URI() + ">;q=0.1":               AP300,
	} {
		if got := NegotiateProfile(h); got != want {
			t.Errorf("Accept-Profile %q: %s, want %s", h, got.Token(), want.Token())
		}
	}
}
