// Package negotiate reads the weighted lists of HTTP content negotiation
// and picks among a server's offers: Accept's media ranges (RFC 9110
// §12.5.1) and lists of other values with q weights, such as
// Accept-Profile's profile URIs (W3C Content Negotiation by Profile).
//
// It is lenient as clients are: an element it cannot read is passed over,
// not an error, so one odd entry does not cost a client the rest of its
// header.
package negotiate

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Element is one member of a weighted list.
type Element struct {
	// Value is the element without its parameters: a media range, or a
	// URI without the angle brackets that Accept-Profile puts round it.
	Value string
	// Params are the parameters other than q, names in lower case.
	Params map[string]string
	// Q is the weight, 0 to 1: 1 when not given or not a number.
	Q float64
}

// ParseList reads a weighted list: comma-separated values, each with
// ";name=value" parameters, q among them. Commas within a quoted string or
// a <URI> do not separate elements.
func ParseList(header string) []Element {
	var out []Element
	for _, part := range split(header, ',') {
		pieces := split(part, ';')
		value := strings.TrimSpace(pieces[0])
		if strings.HasPrefix(value, "<") && strings.HasSuffix(value, ">") {
			value = value[1 : len(value)-1]
		}
		if value == "" {
			continue
		}
		e := Element{Value: value, Q: 1}
		for _, p := range pieces[1:] {
			name, v, _ := strings.Cut(p, "=")
			name, v = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(v)
			if uq, err := strconv.Unquote(v); err == nil && strings.HasPrefix(v, `"`) {
				v = uq
			}
			switch {
			case name == "":
			case name == "q":
				e.Q = weight(v)
			default:
				if e.Params == nil {
					e.Params = map[string]string{}
				}
				e.Params[name] = v
			}
		}
		out = append(out, e)
	}
	return out
}

// weight reads a q value. RFC 9110 allows 0 to 1 with three decimals;
// a client writing ".5" or "0.8000" means what it says, one writing
// something that is no number is taken at its word that it wants the
// type, and anything outside the range is brought into it.
func weight(v string) float64 {
	q, err := strconv.ParseFloat(v, 64)
	if err != nil || q != q { // q != q: NaN
		return 1
	}
	return min(max(q, 0), 1)
}

// split cuts s at each sep outside a quoted string and outside <...>.
func split(s string, sep byte) []string {
	var out []string
	quoted, bracketed, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"' && !bracketed:
			quoted = !quoted
		case c == '<' && !quoted:
			bracketed = true
		case c == '>' && !quoted:
			bracketed = false
		case c == sep && !quoted && !bracketed:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// Preferred is the list's elements the client accepts (q above 0), most
// wanted first; elements of equal weight keep the client's order.
func Preferred(header string) []Element {
	list := slices.DeleteFunc(ParseList(header), func(e Element) bool { return e.Q == 0 })
	slices.SortStableFunc(list, func(a, b Element) int { return cmp.Compare(b.Q, a.Q) })
	return list
}

// Specificity is how closely the media range deciding an offer's quality
// names it: RFC 9110 has the most specific matching range decide.
type Specificity int

const (
	// NoHeader: the client sent no Accept header (or an empty one), which
	// accepts every type.
	NoHeader        Specificity = iota
	AnyType                     // */*
	AnySubtype                  // text/*
	Exact                       // text/html
	ExactWithParams             // text/html;level=1
)

// Accept is an Accept header's media ranges in the client's order.
type Accept struct {
	ranges []mediaRange
	sent   bool
}

type mediaRange struct {
	typ, sub string
	params   map[string]string
	q        float64
}

// ParseAccept reads an Accept header. A lone "*", which old Java clients
// send, is read as */*; a range that is not type/subtype is passed over.
func ParseAccept(header string) Accept {
	a := Accept{sent: strings.TrimSpace(header) != ""}
	for _, e := range ParseList(header) {
		if mr, ok := parseRange(e); ok {
			a.ranges = append(a.ranges, mr)
		}
	}
	return a
}

func parseRange(e Element) (mediaRange, bool) {
	v := strings.ToLower(e.Value)
	if v == "*" {
		v = "*/*"
	}
	typ, sub, ok := strings.Cut(v, "/")
	if !ok || !token(typ) || !token(sub) || typ == "*" && sub != "*" {
		return mediaRange{}, false
	}
	return mediaRange{typ: typ, sub: sub, params: e.Params, q: e.Q}, true
}

// token reports a non-empty RFC 9110 token.
func token(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	})
}

// specificity is how closely r names the media type t (0: not at all).
func (r mediaRange) specificity(t mediaRange) Specificity {
	switch {
	case r.typ == "*":
		return AnyType
	case r.typ != t.typ:
		return 0
	case r.sub == "*":
		return AnySubtype
	case r.sub != t.sub:
		return 0
	case len(r.params) == 0:
		return Exact
	}
	for k, v := range r.params {
		if !strings.EqualFold(t.params[k], v) {
			return 0
		}
	}
	return ExactWithParams
}

// Quality is the q the client gives mediaType (one of the server's own
// offers: they are cached parsed) and how specifically: that
// of the most specific range matching it (the first of those when several
// are as specific). With no header every type has q 1; a type no range
// matches has q 0.
func (a Accept) Quality(mediaType string) (float64, Specificity) {
	if !a.sent {
		return 1, NoHeader
	}
	t, ok := parseOffer(mediaType)
	if !ok {
		return 0, 0
	}
	q, best := 0.0, Specificity(0)
	for _, r := range a.ranges {
		if s := r.specificity(t); s > best {
			q, best = r.q, s
		}
	}
	return q, best
}

// offers caches the server's offers parsed: they are a handful of
// constants, and parsing them again for every request cost more than the
// rest of choosing.
var offers sync.Map // string -> offer

type offer struct {
	t  mediaRange
	ok bool
}

func parseOffer(mediaType string) (mediaRange, bool) {
	if o, ok := offers.Load(mediaType); ok {
		return o.(offer).t, o.(offer).ok
	}
	var o offer
	if list := ParseList(mediaType); len(list) == 1 {
		o.t, o.ok = parseRange(list[0])
	}
	offers.Store(mediaType, o)
	return o.t, o.ok
}

// Match is the offer a client prefers.
type Match struct {
	Offer       int // its index in the offers
	Q           float64
	Specificity Specificity
}

// Best picks among offers, which are media types in the server's order of
// preference: the one of highest quality; of equal quality, the one a more
// specific range named; then the earlier offer. ok is false when the
// client accepts none of them (each has q 0).
func (a Accept) Best(offers ...string) (m Match, ok bool) {
	m.Offer = -1
	for i, o := range offers {
		q, s := a.Quality(o)
		if q > 0 && (m.Offer < 0 || q > m.Q || q == m.Q && s > m.Specificity) {
			m = Match{Offer: i, Q: q, Specificity: s}
		}
	}
	return m, m.Offer >= 0
}
