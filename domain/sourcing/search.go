package sourcing

import (
	"encoding/json"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/jointict/councilapi/domain/textrank"
)

// Searchable text fields and their BM25F boosts: a word in the service name or
// the supplier's name says more about what the service is than one in the
// description.
const (
	fName = iota
	fSupplier
	fFeatures
	fBenefits
	fDescription
	nFields
)

var fieldBoost = [nFields]float64{3, 2, 1.5, 1, 1}

const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

type posting struct {
	doc uint32
	tf  [nFields]uint16
}

type termInfo struct {
	name     string
	postings []posting // in doc order, because slots are only ever appended
	df       int       // live documents containing the term
}

// indexedDoc is what the index keeps of a service: what sorting and the
// framework filter read, and the service itself as JSON, which is several
// times smaller than the decoded value and is decoded only for the hits
// shown (a snapshot stores it as it is).
type indexedDoc struct {
	id              string
	frameworkSlug   string
	frameworkExpiry string
	name            string   // lower-cased, for name sorting
	price           Dec      // normalised priceMin per unit per year
	terms           []uint32 // distinct term ids, to keep df exact on removal
	body            []byte   // the service as JSON
}

// service decodes the document's service.
func (d *indexedDoc) service() Service {
	var s Service
	if err := json.Unmarshal(d.body, &s); err != nil {
		// The body is our own encoding of a Service: only memory
		// corruption gets here, and a hit still shows what sorting read.
		s = Service{ID: d.id, FrameworkSlug: d.frameworkSlug, FrameworkExpiry: d.frameworkExpiry, ServiceName: d.name}
	}
	return s
}

// Index is an in-memory keyword and facet index over services. It is safe for
// concurrent use: searches share a read lock, upserts take the write lock.
type Index struct {
	mu      sync.RWMutex
	docs    []indexedDoc
	lens    [][nFields]uint32 // beside docs, so scoring touches only what it reads
	byID    map[string]uint32
	live    bitset
	nLive   int
	termIDs map[string]uint32
	terms   []termInfo
	facets  map[string]bitset
	lenSum  [nFields]int64
}

// NewIndex builds an index over services (later duplicates of an id win).
func NewIndex(services []Service) *Index {
	ix := &Index{byID: map[string]uint32{}, termIDs: map[string]uint32{}, facets: map[string]bitset{}}
	for i := range services {
		ix.upsert(services[i])
	}
	return ix
}

// Len is the number of services in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.nLive
}

// Upsert adds a service or replaces the one with the same id.
func (ix *Index) Upsert(s Service) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.upsert(s)
}

// Remove deletes a service; it reports whether it was present.
func (ix *Index) Remove(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.remove(id)
}

// Get returns the indexed copy of a service.
func (ix *Index) Get(id string) (Service, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	slot, ok := ix.byID[id]
	if !ok {
		return Service{}, false
	}
	return ix.docs[slot].service(), true
}

func (ix *Index) upsert(s Service) {
	ix.remove(s.ID)
	// Dead slots stay in the posting lists until they outnumber live ones;
	// compacting then keeps upserts amortised O(size of the service).
	if dead := len(ix.docs) - ix.nLive; dead > 1024 && dead > ix.nLive {
		ix.compact()
	}
	ix.add(s)
}

func (ix *Index) add(s Service) {
	slot := uint32(len(ix.docs))
	body, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Service always encodes
	}
	d := indexedDoc{id: s.ID, frameworkSlug: s.FrameworkSlug, frameworkExpiry: s.FrameworkExpiry,
		name: strings.ToLower(s.ServiceName), price: s.NormalisedPrice(), body: body}
	tfs := map[string]*[nFields]uint16{}
	var lens [nFields]uint32
	addField := func(f int, texts ...string) {
		for _, text := range texts {
			for _, tok := range tokenize(text) {
				tf := tfs[tok]
				if tf == nil {
					tf = new([nFields]uint16)
					tfs[tok] = tf
				}
				if tf[f] < math.MaxUint16 {
					tf[f]++
				}
				lens[f]++
			}
		}
	}
	addField(fName, s.ServiceName)
	addField(fSupplier, s.SupplierName)
	addField(fFeatures, s.ServiceFeatures...)
	addField(fBenefits, s.ServiceBenefits...)
	addField(fDescription, s.ServiceDescription)
	d.terms = make([]uint32, 0, len(tfs))
	for term, tf := range tfs {
		id, ok := ix.termIDs[term]
		if !ok {
			id = uint32(len(ix.terms))
			ix.termIDs[term] = id
			ix.terms = append(ix.terms, termInfo{name: term})
		}
		ti := &ix.terms[id]
		ti.postings = append(ti.postings, posting{doc: slot, tf: *tf})
		ti.df++
		d.terms = append(d.terms, id)
	}
	for f := range nFields {
		ix.lenSum[f] += int64(lens[f])
	}
	ix.docs = append(ix.docs, d)
	ix.lens = append(ix.lens, lens)
	ix.live.set(slot)
	for _, k := range facetKeys(s) {
		b := ix.facets[k]
		b.set(slot)
		ix.facets[k] = b
	}
	ix.byID[s.ID] = slot
	ix.nLive++
}

func (ix *Index) remove(id string) bool {
	slot, ok := ix.byID[id]
	if !ok {
		return false
	}
	d := &ix.docs[slot]
	for _, t := range d.terms {
		ix.terms[t].df--
	}
	for f := range nFields {
		ix.lenSum[f] -= int64(ix.lens[slot][f])
	}
	// A catalogue has a few hundred facet values at most, so clearing the
	// slot in each costs less than remembering every document's keys.
	for _, b := range ix.facets {
		b.clear(slot)
	}
	ix.live.clear(slot)
	delete(ix.byID, id)
	ix.nLive--
	*d = indexedDoc{}
	return true
}

// compact drops dead slots and unused terms, renumbering both; a snapshot
// is written from the same compacted form. ix.mu is held.
func (ix *Index) compact() {
	c := ix.compacted().index()
	ix.docs, ix.lens, ix.byID, ix.live, ix.nLive = c.docs, c.lens, c.byID, c.live, c.nLive
	ix.termIDs, ix.terms, ix.facets, ix.lenSum = c.termIDs, c.terms, c.facets, c.lenSum
}

// frozen is an index without dead slots or unused terms: documents in slot
// order, every term's postings live, each facet a bitset over the new slots.
// Documents' term lists are left out: index() derives them from the
// postings, so a snapshot need not store them.
type frozen struct {
	docs   []indexedDoc
	lens   [][nFields]uint32
	terms  []termInfo
	facets map[string]bitset
}

// compacted renumbers the live documents densely, keeping their order, so
// that remapped posting lists stay sorted. ix.mu is held (read or write).
func (ix *Index) compacted() frozen {
	remap := make([]uint32, len(ix.docs))
	fz := frozen{docs: make([]indexedDoc, 0, ix.nLive), lens: make([][nFields]uint32, 0, ix.nLive), facets: map[string]bitset{}}
	for old := range ix.docs {
		if !ix.live.has(uint32(old)) {
			continue
		}
		remap[old] = uint32(len(fz.docs))
		d := ix.docs[old]
		d.terms = nil
		fz.docs = append(fz.docs, d)
		fz.lens = append(fz.lens, ix.lens[old])
	}
	for _, t := range ix.terms {
		if t.df == 0 {
			continue
		}
		ps := make([]posting, 0, t.df)
		for _, p := range t.postings {
			if ix.live.has(p.doc) {
				ps = append(ps, posting{doc: remap[p.doc], tf: p.tf})
			}
		}
		fz.terms = append(fz.terms, termInfo{name: t.name, postings: ps, df: len(ps)})
	}
	for k, b := range ix.facets {
		var nb bitset
		b.each(func(old uint32) { nb.set(remap[old]) })
		if len(nb) > 0 {
			fz.facets[k] = nb
		}
	}
	return fz
}

// index rebuilds the lookup structures of a frozen index. Each document's
// term list is a window of one shared array, capped so it cannot grow into
// its neighbour's.
func (fz frozen) index() *Index {
	n := len(fz.docs)
	ix := &Index{docs: fz.docs, lens: fz.lens, byID: make(map[string]uint32, n), nLive: n,
		termIDs: make(map[string]uint32, len(fz.terms)), terms: fz.terms, facets: fz.facets}
	counts := make([]int, n)
	total := 0
	for _, t := range fz.terms {
		for _, p := range t.postings {
			counts[p.doc]++
		}
		total += len(t.postings)
	}
	flat := make([]uint32, total)
	off := 0
	for i := range ix.docs {
		ix.docs[i].terms = flat[off : off : off+counts[i]]
		off += counts[i]
	}
	for id, t := range fz.terms {
		ix.termIDs[t.name] = uint32(id)
		for _, p := range t.postings {
			d := &ix.docs[p.doc]
			d.terms = append(d.terms, uint32(id))
		}
	}
	for i, d := range ix.docs {
		ix.byID[d.id] = uint32(i)
		ix.live.set(uint32(i))
		for f := range nFields {
			ix.lenSum[f] += int64(ix.lens[i][f])
		}
	}
	return ix
}

// facetKeys lists the filter values a service matches, as "dimension:value".
func facetKeys(s Service) []string {
	keys := []string{"lot:" + s.Lot, "framework:" + s.FrameworkSlug}
	if s.FrameworkExpiry != "" {
		keys = append(keys, expiryFacet+s.FrameworkExpiry) // for closedOn, not a filter
	}
	for _, c := range s.ServiceCategories {
		keys = append(keys, "category:"+strings.ToLower(c))
	}
	for _, l := range s.DataStorageAndProcessingLocations {
		if l == "privacy_shield" {
			l = "other"
		}
		keys = append(keys, "location:"+l)
	}
	for _, a := range Assurances(s) {
		keys = append(keys, "assurance:"+a)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// AssuranceFilters are the values of the assurance filter.
var AssuranceFilters = []string{"iso-iec-27001", "csa-star", "pci", "iso-28000", "cyber-essentials",
	"cyber-essentials-plus", "psn", "hscn", "bs7858", "clearance-bpss", "clearance-sc", "clearance-dv"}

// Assurances lists the assurance filter values a service satisfies. Security
// clearances nest (DV holders are SC- and BPSS-cleared), so a service offering
// DV-cleared staff matches a filter for SC; Cyber Essentials Plus includes the
// basic certificate.
func Assurances(s Service) []string {
	var out []string
	add := func(cond bool, v string) {
		if cond {
			out = append(out, v)
		}
	}
	add(s.StandardsISOIEC27001 || slices.Contains(s.SecurityGovernanceStandards, "iso_iec_27001"), "iso-iec-27001")
	add(s.StandardsCSASTAR || slices.Contains(s.SecurityGovernanceStandards, "csa_ccm"), "csa-star")
	add(s.StandardsPCI, "pci")
	add(s.StandardsISO28000, "iso-28000")
	add(s.CyberEssentials || s.CyberEssentialsPlus, "cyber-essentials")
	add(s.CyberEssentialsPlus, "cyber-essentials-plus")
	add(slices.Contains(s.PublicSectorNetworksTypes, "psn"), "psn")
	add(slices.Contains(s.PublicSectorNetworksTypes, "hscn"), "hscn")
	add(s.StaffSecurityClearanceChecks == "staff_screening_to_bs7858_2012", "bs7858")
	c := s.GovernmentSecurityClearances
	add(c == "dv" || c == "sc" || c == "bpss", "clearance-bpss")
	add(c == "dv" || c == "sc", "clearance-sc")
	add(c == "dv", "clearance-dv")
	return out
}

var stopwords = map[string]bool{"a": true, "an": true, "and": true, "are": true, "as": true, "at": true,
	"be": true, "by": true, "for": true, "from": true, "in": true, "is": true, "it": true, "of": true,
	"on": true, "or": true, "that": true, "the": true, "this": true, "to": true, "with": true, "your": true, "you": true}

// tokenize lower-cases, splits on anything but letters and digits, drops
// stopwords and strips plural endings (Harman's S-stemmer), so "servers"
// finds "server" and "policies" finds "policy".
func tokenize(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) {
		if stopwords[w] {
			continue
		}
		out = append(out, textrank.Stem(w))
	}
	return out
}

// expiryFacet prefixes the facets of services that record their own
// framework expiry.
const expiryFacet = "expiry:"

// closedOn is the set of services whose framework a call-off can no longer
// be made under on day (YYYY-MM-DD): withdrawn frameworks, and expiries
// before day, a service's recorded expiry winning over the framework
// table's. It is computed from the facets, a few bitset operations, so a
// search need not judge every service. ix.mu is held.
func (ix *Index) closedOn(day string) bitset {
	closed := make(bitset, len(ix.live))
	recorded := make(bitset, len(ix.live))
	for key, b := range ix.facets {
		if date, ok := strings.CutPrefix(key, expiryFacet); ok {
			recorded.or(b)
			if date < day {
				closed.or(b)
			}
		}
	}
	for key, b := range ix.facets {
		slug, ok := strings.CutPrefix(key, "framework:")
		if !ok {
			continue
		}
		f, known := LookupFramework(slug)
		switch {
		case !known:
		case f.Withdrawn:
			closed.or(b)
		case f.Expiry != "" && f.Expiry < day:
			byTable := slices.Clone(b)
			byTable.andNot(recorded)
			closed.or(byTable)
		}
	}
	return closed
}

// bitset is a growable set of document slots.
type bitset []uint64

func (b *bitset) set(i uint32) {
	for int(i/64) >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

func (b bitset) clear(i uint32) {
	if int(i/64) < len(b) {
		b[i/64] &^= 1 << (i % 64)
	}
}

func (b bitset) has(i uint32) bool { return int(i/64) < len(b) && b[i/64]&(1<<(i%64)) != 0 }

// and intersects in place with o (missing words of o are zero).
func (b bitset) and(o bitset) {
	for i := range b {
		if i < len(o) {
			b[i] &= o[i]
		} else {
			b[i] = 0
		}
	}
}

// andNot removes o's members in place.
func (b bitset) andNot(o bitset) {
	for i := range b {
		if i < len(o) {
			b[i] &^= o[i]
		}
	}
}

func (b bitset) or(o bitset) {
	for i := range o {
		if i < len(b) {
			b[i] |= o[i]
		}
	}
}

func (b bitset) each(fn func(uint32)) {
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			fn(uint32(wi*64 + t))
			w &= w - 1
		}
	}
}
