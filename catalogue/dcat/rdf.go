// Package dcat describes the published catalogue in DCAT-AP 2.1.1 (with the
// GeoDCAT-AP extent for spatial datasets) as an RDF graph, and writes that one
// graph as Turtle, JSON-LD or RDF/XML, so the three serialisations always
// describe exactly the same triples.
package dcat

import (
	"bufio"
	"hash/maphash"
	"io"
	"strings"
	"sync"
)

// Kind says what sort of RDF term a Term is.
type Kind uint8

const (
	KindIRI Kind = iota
	KindBlank
	KindLiteral
)

// Term is an RDF term: an IRI, a blank node (Value is its label) or a
// literal with either a datatype IRI or a language tag (never both; a plain
// literal has neither and means xsd:string).
type Term struct {
	Kind     Kind
	Value    string
	Datatype string
	Lang     string
}

// IRI is a named node. Characters RFC 3987 does not allow in an IRI
// (spaces, controls, <>"{}|\^`) are percent-encoded, so a URL typed with a
// stray space still serialises to the same valid IRI in every format.
func IRI(s string) Term {
	for i := 0; i < len(s); i++ {
		if badIRIByte[s[i]] {
			return Term{Kind: KindIRI, Value: escapeIRI(s)}
		}
	}
	return Term{Kind: KindIRI, Value: s}
}

func escapeIRI(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if badIRIByte[c] {
			b.WriteString("%" + strings.ToUpper(hex(c)))
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// badIRIByte marks the ASCII bytes an IRI may not hold (bytes of UTF-8
// sequences are all allowed); a table, because every term is checked.
var badIRIByte = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	t[0x7f] = true
	for _, c := range []byte("<>\"{}|\\^`") {
		t[c] = true
	}
	return t
}()

func hex(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// Literal is a plain string literal.
func Literal(s string) Term { return Term{Kind: KindLiteral, Value: s} }

// Typed is a literal with a datatype IRI.
func Typed(s, datatype string) Term { return Term{Kind: KindLiteral, Value: s, Datatype: datatype} }

// LangString is a literal with a BCP 47 language tag.
func LangString(s, lang string) Term {
	return Term{Kind: KindLiteral, Value: s, Lang: strings.ToLower(lang)}
}

// Triple is one statement; P is always an IRI.
type Triple struct{ S, P, O Term }

// Graph is an ordered set of triples. Order of insertion is kept so that
// serialisations are deterministic (and so their ETags are stable).
type Graph struct {
	profile   Profile
	triples   []Triple
	hashes    []uint64           // of each triple, as add was given it
	seen      map[uint64]int32   // hash of a triple -> position of the first triple with it
	collided  map[uint64][]int32 // positions of further triples with the same hash (rare)
	blanks    int
	described map[description]bool
	// placeholders says Blank labels nodes for a Part (see blankPlaceholder).
	placeholders bool
	scratch      subjectScratch
}

// description keys a shared node's description by what it is and every
// value it is described with (a struct, so checking costs no string).
type description struct{ kind, a, b, c, d string }

// NewGraph returns an empty graph.
func NewGraph() *Graph { return newGraph(0) }

// newGraph sizes a graph for about n triples, so building a page's graph
// does not keep regrowing it.
func newGraph(n int) *Graph {
	return &Graph{triples: make([]Triple, 0, n), seen: make(map[uint64]int32, n), described: map[description]bool{}}
}

// once reports whether a node description keyed by key is being added for
// the first time: describing a shared node (a concept, an agent) again would
// add only triples the graph already has.
func (g *Graph) once(key description) bool {
	if g.described[key] {
		return false
	}
	g.described[key] = true
	return true
}

// Blank returns a fresh blank node, unique within this graph. A part's
// graph (see Part) labels its blank nodes with a placeholder each page
// renumbers.
func (g *Graph) Blank() Term {
	g.blanks++
	if g.placeholders {
		return Term{Kind: KindBlank, Value: blankPlaceholder(g.blanks)}
	}
	return Term{Kind: KindBlank, Value: "b" + itoa(g.blanks)}
}

// Add inserts a triple unless it is already present. Vocabulary concepts are
// described wherever they are used, so repeats are normal and are dropped.
func (g *Graph) Add(s Term, p string, o Term) {
	if o.Kind == KindLiteral {
		o.Value = xmlSafe(o.Value)
	}
	t := Triple{s, IRI(p), o}
	g.add(t, t.hash())
}

// add inserts t, whose hash is h, unless the graph has it.
func (g *Graph) add(t Triple, h uint64) {
	if i, ok := g.seen[h]; !ok {
		g.seen[h] = int32(len(g.triples))
	} else {
		if g.triples[i] == t {
			return
		}
		for _, j := range g.collided[h] {
			if g.triples[j] == t {
				return
			}
		}
		if g.collided == nil {
			g.collided = map[uint64][]int32{}
		}
		g.collided[h] = append(g.collided[h], int32(len(g.triples)))
	}
	g.triples = append(g.triples, t)
	g.hashes = append(g.hashes, h)
}

// tripleSeed keys the hashes a graph dedups by (small keys make a page's
// graph cheaper to build than a map keyed by whole triples).
var tripleSeed = maphash.MakeSeed()

func (t Triple) hash() uint64 {
	var h maphash.Hash
	h.SetSeed(tripleSeed)
	for _, x := range [3]Term{t.S, t.P, t.O} {
		h.WriteByte(byte(x.Kind))
		h.WriteString(x.Value)
		h.WriteByte(0)
		h.WriteString(x.Datatype)
		h.WriteByte(0)
		h.WriteString(x.Lang)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// AddText adds a plain or language-tagged literal, skipping empty text.
func (g *Graph) AddText(s Term, p, text, lang string) {
	if strings.TrimSpace(text) == "" {
		return
	}
	if lang == "" {
		g.Add(s, p, Literal(text))
		return
	}
	g.Add(s, p, LangString(text, lang))
}

// Triples returns the statements in insertion order.
func (g *Graph) Triples() []Triple { return g.triples }

// Len is the number of triples.
func (g *Graph) Len() int { return len(g.triples) }

// subjects groups the triples by subject, subjects in order of first
// appearance, so each serialiser writes one block per node: blocks[i] are
// the positions in Triples of the statements about subject i. The blocks
// share one array (a counting sort), as a page has thousands of nodes.
func (g *Graph) subjects() (order []Term, blocks [][]int32) {
	order, blocks, _ = g.subjectsAt()
	return order, blocks
}

// subjectsAt is subjects with the number of each subject in order.
func (g *Graph) subjectsAt() (order []Term, blocks [][]int32, at map[Term]int32) {
	sc := &g.scratch
	if sc.at == nil {
		sc.at = make(map[Term]int32, len(g.triples)/4)
	}
	clear(sc.at)
	at = sc.at
	of := grown(sc.of, len(g.triples)) // the subject number of each triple
	counts, order := sc.counts[:0], sc.order[:0]
	defer func() { sc.of, sc.counts, sc.order = of, counts, order }()
	for i, t := range g.triples {
		k, ok := at[t.S]
		if !ok {
			k = int32(len(order))
			at[t.S] = k
			order = append(order, t.S)
			counts = append(counts, 0)
		}
		of[i] = k
		counts[k]++
	}
	flat := grown(sc.flat, len(g.triples))
	blocks = sc.blocks[:0]
	start := int32(0)
	for _, n := range counts {
		blocks = append(blocks, flat[start:start:start+n])
		start += n
	}
	for i, k := range of {
		blocks[k] = append(blocks[k], int32(i))
	}
	sc.flat, sc.blocks = flat, blocks
	return order, blocks, at
}

// grown is s with length n, reusing its array when it is large enough.
func grown(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// subjectScratch holds what subjectsAt works in, so a graph used again
// (a catalogue page's, from a pool) allocates none of it.
type subjectScratch struct {
	at               map[Term]int32
	of, flat, counts []int32
	order            []Term
	blocks           [][]int32
}

// pageGraphs are graphs for catalogue pages, used again from page to page:
// a page's graph and the work of grouping it by subject were a third of
// what a page allocated, and allocation is what makes a large catalogue's
// collector run.
var pageGraphs = sync.Pool{New: func() any { return newGraph(2048) }}

// pageGraph is an empty graph from the pool; putPageGraph gives it back
// once nothing written from it is held.
func pageGraph(prof Profile) *Graph {
	g := pageGraphs.Get().(*Graph)
	g.profile = prof
	return g
}

func putPageGraph(g *Graph) {
	clear(g.triples) // drop the references to the page's strings
	g.triples, g.hashes = g.triples[:0], g.hashes[:0]
	clear(g.seen)
	g.collided = nil
	g.blanks, g.placeholders, g.profile = 0, false, 0
	clear(g.described)
	clear(g.scratch.order)
	pageGraphs.Put(g)
}

// nodeWriter writes a graph in one serialisation a node block at a time:
// begin (the prefixes) sees the whole graph, node writes one subject's
// triples (first says it is the document's first node), end closes the
// document. A catalogue page (see Part) mixes the blocks of its graph with
// blocks a part wrote earlier with the same writer.
type nodeWriter interface {
	begin(bw *bufio.Writer, g *Graph) error
	node(bw *bufio.Writer, g *Graph, first bool, s Term, block []int32)
	end(bw *bufio.Writer)
}

// writeNodes writes all of g, a block per subject in order of appearance.
func writeNodes(w io.Writer, g *Graph, nw nodeWriter) error {
	bw := bufio.NewWriter(w)
	if err := nw.begin(bw, g); err != nil {
		return err
	}
	order, blocks := g.subjects()
	for k, s := range order {
		nw.node(bw, g, k == 0, s, blocks[k])
	}
	nw.end(bw)
	return bw.Flush()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// Namespaces used by the descriptions, with the prefixes DCAT-AP and
// GeoDCAT-AP documents conventionally give them.
const (
	NSRDF   = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	NSRDFS  = "http://www.w3.org/2000/01/rdf-schema#"
	NSXSD   = "http://www.w3.org/2001/XMLSchema#"
	NSDCAT  = "http://www.w3.org/ns/dcat#"
	NSDCT   = "http://purl.org/dc/terms/"
	NSFOAF  = "http://xmlns.com/foaf/0.1/"
	NSVCARD = "http://www.w3.org/2006/vcard/ns#"
	NSSKOS  = "http://www.w3.org/2004/02/skos/core#"
	NSSPDX  = "http://spdx.org/rdf/terms#"
	NSLOCN  = "http://www.w3.org/ns/locn#"
	NSGSP   = "http://www.opengis.net/ont/geosparql#"
	NSHYDRA = "http://www.w3.org/ns/hydra/core#"
	NSADMS  = "http://www.w3.org/ns/adms#"
	NSOWL   = "http://www.w3.org/2002/07/owl#"
)

// prefixes is the prefix table every serialiser declares, in this order.
var prefixes = []struct{ Prefix, NS string }{
	{"rdf", NSRDF}, {"rdfs", NSRDFS}, {"xsd", NSXSD}, {"dcat", NSDCAT}, {"dct", NSDCT},
	{"foaf", NSFOAF}, {"vcard", NSVCARD}, {"skos", NSSKOS}, {"spdx", NSSPDX}, {"locn", NSLOCN},
	{"gsp", NSGSP}, {"hydra", NSHYDRA}, {"adms", NSADMS}, {"owl", NSOWL},
}

// compact splits an IRI into a declared prefix and a local name safe in
// Turtle, JSON-LD keys and XML element names alike; ok is false otherwise.
func compact(iri string) (prefix, local string, ok bool) {
	for _, p := range prefixes {
		if strings.HasPrefix(iri, p.NS) {
			local = iri[len(p.NS):]
			if safeLocal(local) {
				return p.Prefix, local, true
			}
		}
	}
	return "", "", false
}

// safeLocal accepts the intersection of Turtle PN_LOCAL and XML NCName that
// the vocabularies use: a letter, then letters, digits, '_' or '-'.
func safeLocal(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		switch {
		case letter:
		case i > 0 && (r >= '0' && r <= '9' || r == '_' || r == '-'):
		default:
			return false
		}
	}
	return true
}
