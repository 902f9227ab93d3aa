package dcat

import (
	"bytes"
	"io"
	"mime"
	"sort"
	"strconv"
	"strings"
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
// first listed (by q) that is known, else the default.
func NegotiateProfile(header string) Profile {
	best, bestQ := AP211, -1.0
	for _, part := range strings.Split(header, ",") {
		uri, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if p, ok := ParseProfile(uri); ok && q > bestQ && q > 0 {
			best, bestQ = p, q
		}
	}
	return best
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
func Write(w io.Writer, g *Graph, f Format) error {
	switch f {
	case JSONLD:
		return WriteJSONLD(w, g)
	case RDFXML:
		return WriteRDFXML(w, g)
	}
	return WriteTurtle(w, g)
}

// Encode serialises g in format f into a byte slice.
func Encode(g *Graph, f Format) ([]byte, error) {
	var b bytes.Buffer
	err := Write(&b, g, f)
	return b.Bytes(), err
}

// Negotiate picks the representation for an Accept header: one of the RDF
// formats, or html=true when the client prefers a web page. Ties go to the
// earlier offer (Turtle, then JSON-LD, RDF/XML, HTML); a missing header or
// one accepting none of them gets Turtle rather than 406, since harvesters
// send */* or nothing.
func Negotiate(accept string) (f Format, html bool) {
	type offer struct {
		types []string
		f     Format
		html  bool
	}
	offers := []offer{
		{[]string{"text/turtle", "application/x-turtle"}, Turtle, false},
		{[]string{"application/ld+json", "application/json"}, JSONLD, false},
		{[]string{"application/rdf+xml", "application/xml", "text/xml"}, RDFXML, false},
		{[]string{"text/html", "application/xhtml+xml"}, 0, true},
	}
	type rng struct {
		typ  string
		q    float64
		spec int // 3 exact, 2 type/*, 1 */*
	}
	var ranges []rng
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		spec := 3
		switch {
		case mt == "*/*":
			spec = 1
		case strings.HasSuffix(mt, "/*"):
			spec = 2
		}
		ranges = append(ranges, rng{mt, q, spec})
	}
	// quality of a media type: the q of the most specific matching range.
	quality := func(t string) float64 {
		best, q := 0, 0.0
		for _, r := range ranges {
			match := r.typ == t || r.spec == 1 || r.spec == 2 && strings.HasPrefix(t, strings.TrimSuffix(r.typ, "*"))
			if match && r.spec > best {
				best, q = r.spec, r.q
			}
		}
		return q
	}
	type scored struct {
		i int
		q float64
	}
	var s []scored
	for i, o := range offers {
		q := 0.0
		for _, t := range o.types {
			q = max(q, quality(t))
		}
		s = append(s, scored{i, q})
	}
	sort.SliceStable(s, func(a, b int) bool { return s[a].q > s[b].q })
	if len(ranges) == 0 || s[0].q == 0 {
		return Turtle, false
	}
	o := offers[s[0].i]
	return o.f, o.html
}
