package dcat

import (
	"bytes"
	"io"
	"strings"

	"github.com/jointict/councilapi/internal/negotiate"
)

// Profile is the application profile a description follows: DCAT-AP 2.1.1
// (the default, what data.gov.uk and ckanext-dcat expect) or 3.0.0.
type Profile int

const (
	AP211 Profile = iota
	AP300
)

// Profiles in order of preference.
var Profiles = []Profile{AP211, AP300}

// URI identifies the profile, as Accept-Profile and Content-Profile name it
// (W3C Content Negotiation by Profile).
func (p Profile) URI() string {
	if p == AP300 {
		return "https://semiceu.github.io/DCAT-AP/releases/3.0.0/"
	}
	return "https://semiceu.github.io/DCAT-AP/releases/2.1.1/"
}

// Token is the profile's short name for ?profile=.
func (p Profile) Token() string {
	if p == AP300 {
		return "dcat-ap-3.0.0"
	}
	return "dcat-ap-2.1.1"
}

// ParseProfile reads a profile token or URI (with or without the trailing
// slash, or the "<...>" of a header value).
func ParseProfile(s string) (Profile, bool) {
	s = strings.TrimSuffix(strings.Trim(strings.TrimSpace(s), "<>"), "/")
	for _, p := range Profiles {
		if s == p.Token() || s == strings.TrimSuffix(p.URI(), "/") {
			return p, true
		}
	}
	switch strings.ToLower(s) {
	case "dcat-ap-3", "dcatap3", "3.0.0", "3":
		return AP300, true
	case "dcat-ap-2", "dcatap2", "2.1.1", "2":
		return AP211, true
	}
	return AP211, false
}

// NegotiateProfile picks a profile from an Accept-Profile header: the
// known one the client wants most (the first listed of equal q), else the
// default.
func NegotiateProfile(header string) Profile {
	for _, e := range negotiate.Preferred(header) {
		if p, ok := ParseProfile(e.Value); ok {
			return p
		}
	}
	return AP211
}

// Format is an RDF serialisation.
type Format int

const (
	Turtle Format = iota
	JSONLD
	RDFXML
)

// Formats lists the serialisations in order of preference when a client
// accepts any.
var Formats = []Format{Turtle, JSONLD, RDFXML}

// MediaType is the format's registered media type, which ckanext-dcat maps
// to its rdflib parser.
func (f Format) MediaType() string {
	switch f {
	case JSONLD:
		return "application/ld+json"
	case RDFXML:
		return "application/rdf+xml"
	}
	return "text/turtle"
}

// Extension is the file extension of the format's URLs, without the dot.
func (f Format) Extension() string {
	switch f {
	case JSONLD:
		return "jsonld"
	case RDFXML:
		return "rdf"
	}
	return "ttl"
}

// FormatFromExtension maps "ttl", "jsonld" or "rdf" to a Format.
func FormatFromExtension(ext string) (Format, bool) {
	for _, f := range Formats {
		if f.Extension() == ext {
			return f, true
		}
	}
	return 0, false
}

// Write serialises g in format f.
func Write(w io.Writer, g *Graph, f Format) error { return writeNodes(w, g, nodeWriterFor(f)) }

// nodeWriterFor returns a fresh writer of format f.
func nodeWriterFor(f Format) nodeWriter {
	switch f {
	case JSONLD:
		return &jsonldWriter{}
	case RDFXML:
		return &rdfxmlWriter{}
	}
	return turtleWriter{}
}

// Encode serialises g in format f into a byte slice.
func Encode(g *Graph, f Format) ([]byte, error) {
	var b bytes.Buffer
	err := Write(&b, g, f)
	return b.Bytes(), err
}

// Negotiate picks the representation for an Accept header: one of the RDF
// formats, or html=true when the client prefers a web page. Of equal
// preference the earlier offer wins (Turtle, then JSON-LD, RDF/XML, HTML);
// a missing header or one accepting none of them gets Turtle rather than
// 406, since harvesters send */* or nothing.
func Negotiate(accept string) (f Format, html bool) {
	m, ok := negotiate.ParseAccept(accept).Best(rdfOfferTypes...)
	if !ok {
		return Turtle, false
	}
	o := rdfOffers[m.Offer]
	return o.f, o.html
}

// rdfOffers are the media types Negotiate offers, in order of preference,
// and what each stands for.
var rdfOffers = []struct {
	mediaType string
	f         Format
	html      bool
}{
	{"text/turtle", Turtle, false}, {"application/x-turtle", Turtle, false},
	{"application/ld+json", JSONLD, false}, {"application/json", JSONLD, false},
	{"application/rdf+xml", RDFXML, false}, {"application/xml", RDFXML, false}, {"text/xml", RDFXML, false},
	{"text/html", 0, true}, {"application/xhtml+xml", 0, true},
}

var rdfOfferTypes = func() []string {
	types := make([]string, len(rdfOffers))
	for i, o := range rdfOffers {
		types[i] = o.mediaType
	}
	return types
}()
