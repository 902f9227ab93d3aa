package dcat

import (
	"bufio"
	"bytes"
	"hash/maphash"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/jointict/councilapi/catalogue"
)

// Building a page's graph and writing it was almost all of the cost of a
// catalogue page (13 ms of CPU for a page of 100 in Turtle, 0.5 MB), and it
// was the same work for a dataset on every page and every request. A Part
// keeps what a dataset adds to any page, made once per version of the
// dataset (the caller keeps it in the index item's catalogue.Memo):
//
//   - the blocks of the nodes only this dataset describes (the dataset, its
//     distributions, its blank nodes), written in each format on first use
//     and kept compressed with S2;
//   - the triples about nodes other descriptions may share (vocabulary
//     concepts, the publisher, the licence, documents, services), kept once
//     for all the parts that have the same description (see sharedNode).
//
// A page merges the shared triples into a small graph, as the whole graph
// would, and writes the blocks in the order the whole graph's writer would:
// the page is byte for byte the page of CatalogGraph
// (TestCatalogPagesFromPartsAreThoseOfTheGraph).
type Part struct {
	entry catalogue.Entry // as given: its site-relative URLs are made absolute on base when used
	uri   string          // the dataset's IRI on base
	base  string
	prof  Profile
	// whole says the description cannot be split (a shared node pointing
	// to one of the dataset's blank nodes, a placeholder character in the
	// data, a predicate RDF/XML needs a generated prefix for): pages listing
	// it are built from the whole graph.
	whole  bool
	blanks int        // blank nodes numbered 1..blanks in the part
	nodes  []partNode // every node of the description, in order of first appearance
	texts  [3]ownText // by Format
	// made is the graph NewPart built, for the first format written: a
	// part is made for a page, which writes it straight away.
	made atomic.Pointer[Graph]
}

// partNode is a node of a part: one of its own blocks (own >= 0, the
// index of the block in its ownText), or a shared one.
type partNode struct {
	own    int32
	shared *sharedNode
}

// ownText is a part's own blocks in one format, made on first use.
type ownText struct {
	once   sync.Once
	made   atomic.Bool
	packed catalogue.Packed // the blocks, one after the other
	cuts   []int32          // block i is text[cuts[i]:cuts[i+1]]
}

// sharedNode is the description of a node a part shares with other
// descriptions: its triples in the order the dataset added them, and their
// hashes. Parts with the same description hold the same sharedNode (a
// concept described by thousands of datasets is kept once), and it is
// forgotten when no part holds it any more.
type sharedNode struct {
	subject Term
	triples []Triple
	hashes  []uint64
}

// NewPart makes the part of entry e for pages on base of profile prof. The
// entry may have site-relative URLs (as the catalogue index keeps it): the
// part keeps the entry it is given, not a copy on base.
func NewPart(base string, e catalogue.Entry, prof Profile) *Part {
	p := &Part{entry: e, base: base, prof: prof}
	p.uri = e.URI
	if strings.HasPrefix(p.uri, "/") {
		p.uri = base + p.uri
	}
	g := p.graph()
	order, blocks := g.subjects()
	own := int32(0)
	for k, s := range order {
		if p.owns(s) {
			p.nodes = append(p.nodes, partNode{own: own})
			own++
			for _, ti := range blocks[k] {
				if _, _, ok := compact(g.triples[ti].P.Value); !ok {
					p.whole = true
				}
			}
			continue
		}
		n := &sharedNode{subject: s}
		for _, ti := range blocks[k] {
			t := g.triples[ti]
			if t.O.Kind == KindBlank {
				p.whole = true
			}
			n.triples = append(n.triples, t)
			n.hashes = append(n.hashes, g.hashes[ti])
		}
		p.nodes = append(p.nodes, partNode{own: -1, shared: internShared(n)})
	}
	p.blanks = g.blanks
	p.made.Store(g)
	for _, t := range g.triples {
		for _, x := range [3]Term{t.S, t.P, t.O} {
			if x.Kind != KindBlank && (strings.Contains(x.Value, placeholderOpen) || strings.Contains(x.Value, placeholderClose)) {
				p.whole = true
			}
		}
	}
	return p
}

// graph is the part's description on its own, blank nodes labelled with
// placeholders.
func (p *Part) graph() *Graph {
	g := pageGraph(p.prof)
	g.placeholders = true
	addDataset(g, p.base, p.entry.OnBase(p.base))
	return g
}

// owns reports whether s is a node only this dataset describes: a blank
// node, or the dataset's IRI and those under it (its distributions). Any
// other IRI might be described by another dataset on the page too.
func (p *Part) owns(s Term) bool {
	if s.Kind == KindBlank {
		return true
	}
	rest, ok := strings.CutPrefix(s.Value, p.uri)
	return ok && (rest == "" || rest[0] == '/' || rest[0] == '#')
}

// Ready reports whether the part's blocks in f are made, so a page can be
// written from it without making anything.
func (p *Part) Ready(f Format) bool { return p.texts[f].made.Load() }

// Prepare makes the part's blocks in f, if they are not made yet.
func (p *Part) Prepare(f Format) { p.text(f) }

// text returns the part's own blocks in f, making them on first use.
func (p *Part) text(f Format) *ownText {
	t := &p.texts[f]
	t.once.Do(func() {
		g := p.made.Swap(nil)
		if g == nil {
			g = p.graph()
		}
		defer putPageGraph(g)
		order, blocks := g.subjects()
		buf := partBuffers.Get().(*bytes.Buffer)
		defer func() { buf.Reset(); partBuffers.Put(buf) }()
		bw := pageWriters.Get().(*bufio.Writer)
		bw.Reset(buf)
		defer func() { bw.Reset(nil); pageWriters.Put(bw) }()
		nw := nodeWriterFor(f)
		if xw, ok := nw.(*rdfxmlWriter); ok {
			_ = xw.name(g.triples) // the own blocks' predicates all have prefixed names (else the part is whole)
		}
		t.cuts = append(t.cuts, 0)
		for k, s := range order {
			if p.owns(s) {
				nw.node(bw, g, false, s, blocks[k]) // a page's first node is the catalogue
				bw.Flush()
				t.cuts = append(t.cuts, int32(buf.Len()))
			}
		}
		t.packed = catalogue.Pack(buf.Bytes(), nil)
		t.made.Store(true)
	})
	return t
}

// WriteCatalogPage writes a page of the catalogue in f from its datasets'
// parts (made with the page's base and cat.Profile): the same bytes as
// Write(w, CatalogGraph(cat, entries, pg), f). An error comes before
// anything is written.
func WriteCatalogPage(w io.Writer, cat Catalog, parts []*Part, pg Paging, f Format) error {
	for _, p := range parts {
		if p.whole || p.base != cat.BaseURL || p.prof != cat.Profile {
			entries := make([]catalogue.Entry, len(parts))
			for i, p := range parts {
				entries[i] = p.entry.OnBase(p.base)
			}
			return Write(w, CatalogGraph(cat, entries, pg), f)
		}
	}
	// The page's graph: the catalogue, as CatalogGraph makes it, with the
	// shared nodes' triples; the datasets' own nodes are written from the
	// parts.
	g := pageGraph(cat.Profile)
	defer putPageGraph(g)
	c := catalogHead(g, cat, pg)
	catalogPart := int32(len(g.triples))
	merged := map[*sharedNode]bool{}
	for _, p := range parts {
		g.Add(c, NSDCAT+"dataset", IRI(p.uri))
		for _, n := range p.nodes {
			if n.shared == nil || merged[n.shared] {
				continue
			}
			merged[n.shared] = true
			for i, t := range n.shared.triples {
				g.add(t, n.shared.hashes[i])
			}
		}
	}
	addPaging(g, pg)

	bw := pageWriters.Get().(*bufio.Writer)
	bw.Reset(w)
	defer func() { bw.Reset(nil); pageWriters.Put(bw) }()
	nw := nodeWriterFor(f)
	if err := nw.begin(bw, g); err != nil {
		return err
	}
	order, blocks, at := g.subjectsAt()
	written := make([]bool, len(order))
	write := func(k int32) {
		if !written[k] {
			written[k] = true
			nw.node(bw, g, k == 0, order[k], blocks[k])
		}
	}
	// The catalogue's own nodes come first, then each dataset's nodes in
	// the order its description adds them (a shared node where it first
	// appears on the page), then the paging node.
	for k := range order {
		if blocks[k][0] < catalogPart {
			write(int32(k))
		}
	}
	blanks := 0
	buf := decodeBuffers.Get().(*[]byte)
	defer decodeBuffers.Put(buf)
	for _, p := range parts {
		t := p.text(f)
		text, err := t.packed.Unpack((*buf)[:cap(*buf)])
		if err != nil {
			return err // not before writing, but S2 only fails on bytes it did not write
		}
		*buf = text
		for _, n := range p.nodes {
			if n.shared != nil {
				write(at[n.shared.subject])
				continue
			}
			writeRenumbered(bw, text[t.cuts[n.own]:t.cuts[n.own+1]], blanks)
		}
		blanks += p.blanks
	}
	for k := range order {
		write(int32(k))
	}
	nw.end(bw)
	return bw.Flush()
}

// partBuffers hold a part's blocks while they are written and packed.
var partBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// pageWriters buffer a page on its way to the response.
var pageWriters = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 32<<10) }}

// decodeBuffers hold a part's blocks while a page writes them.
var decodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// A part's blank nodes are labelled with a placeholder: a number between
// two private-use characters, which no serialisation escapes and no
// description holds (a part whose data holds them is not split). A page
// writes them as the labels the whole graph would give: "b" and the
// number after those of the datasets before on the page.
const (
	placeholderOpen  = "\uE000"
	placeholderClose = "\uE001"
)

func blankPlaceholder(n int) string { return placeholderOpen + itoa(n) + placeholderClose }

// writeRenumbered writes text with each blank placeholder n written as the
// label b(offset+n).
func writeRenumbered(bw *bufio.Writer, text []byte, offset int) {
	for {
		i := bytes.Index(text, []byte(placeholderOpen))
		if i < 0 {
			bw.Write(text)
			return
		}
		bw.Write(text[:i])
		text = text[i+len(placeholderOpen):]
		j := bytes.Index(text, []byte(placeholderClose))
		n := 0
		for _, c := range text[:j] {
			n = 10*n + int(c-'0')
		}
		bw.WriteByte('b')
		bw.WriteString(itoa(offset + n))
		text = text[j+len(placeholderClose):]
	}
}

// sharedNodes interns shared descriptions by a hash of their triples, with
// weak pointers, so a description no part holds any more is dropped.
var sharedNodes = struct {
	sync.Mutex
	m map[uint64][]weak.Pointer[sharedNode]
}{m: map[uint64][]weak.Pointer[sharedNode]{}}

var sharedSeed = maphash.MakeSeed()

func internShared(n *sharedNode) *sharedNode {
	var h maphash.Hash
	h.SetSeed(sharedSeed)
	for _, x := range n.hashes {
		var b [8]byte
		for i := range b {
			b[i] = byte(x >> (8 * i))
		}
		h.Write(b[:])
	}
	key := h.Sum64()
	sharedNodes.Lock()
	defer sharedNodes.Unlock()
	for _, w := range sharedNodes.m[key] {
		if v := w.Value(); v != nil && v.subject == n.subject && slices.Equal(v.triples, n.triples) {
			return v
		}
	}
	sharedNodes.m[key] = append(sharedNodes.m[key], weak.Make(n))
	runtime.AddCleanup(n, forgetShared, key)
	return n
}

// forgetShared drops the interned descriptions under key no part holds.
func forgetShared(key uint64) {
	sharedNodes.Lock()
	defer sharedNodes.Unlock()
	var live []weak.Pointer[sharedNode]
	for _, w := range sharedNodes.m[key] {
		if w.Value() != nil {
			live = append(live, w)
		}
	}
	if len(live) == 0 {
		delete(sharedNodes.m, key)
	} else {
		sharedNodes.m[key] = live
	}
}
