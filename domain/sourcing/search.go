package sourcing

import (
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode"
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
	postings []posting // in doc order, because slots are only ever appended
	df       int       // live documents containing the term
}

type indexedDoc struct {
	svc   *Service
	name  string // lower-cased, for name sorting
	price Dec    // normalised priceMin per unit per year
	lens  [nFields]uint32
	keys  []string // facet keys, to clear them on removal
	terms []string // distinct terms, to keep df exact on removal
}

// Index is an in-memory keyword and facet index over services. It is safe for
// concurrent use: searches share a read lock, upserts take the write lock.
type Index struct {
	mu     sync.RWMutex
	docs   []indexedDoc
	lens   [][nFields]uint32 // beside docs, so scoring touches only what it reads
	byID   map[string]uint32
	live   bitset
	nLive  int
	terms  map[string]*termInfo
	facets map[string]bitset
	lenSum [nFields]int64
}

// NewIndex builds an index over services (later duplicates of an id win).
func NewIndex(services []Service) *Index {
	ix := &Index{byID: map[string]uint32{}, terms: map[string]*termInfo{}, facets: map[string]bitset{}}
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
	return *ix.docs[slot].svc, true
}

func (ix *Index) upsert(s Service) {
	ix.remove(s.ID)
	// Dead slots stay in the posting lists until they outnumber live ones;
	// rebuilding then keeps upserts amortised O(size of the service).
	if dead := len(ix.docs) - ix.nLive; dead > 1024 && dead > ix.nLive {
		ix.compact()
	}
	ix.add(s)
}

func (ix *Index) add(s Service) {
	slot := uint32(len(ix.docs))
	svc := s
	d := indexedDoc{svc: &svc, name: strings.ToLower(s.ServiceName), price: s.NormalisedPrice(), keys: facetKeys(s)}
	tfs := map[string]*[nFields]uint16{}
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
				d.lens[f]++
			}
		}
	}
	addField(fName, s.ServiceName)
	addField(fSupplier, s.SupplierName)
	addField(fFeatures, s.ServiceFeatures...)
	addField(fBenefits, s.ServiceBenefits...)
	addField(fDescription, s.ServiceDescription)
	for term, tf := range tfs {
		ti := ix.terms[term]
		if ti == nil {
			ti = &termInfo{}
			ix.terms[term] = ti
		}
		ti.postings = append(ti.postings, posting{doc: slot, tf: *tf})
		ti.df++
		d.terms = append(d.terms, term)
	}
	for f := range nFields {
		ix.lenSum[f] += int64(d.lens[f])
	}
	ix.docs = append(ix.docs, d)
	ix.lens = append(ix.lens, d.lens)
	ix.live.set(slot)
	for _, k := range d.keys {
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
		ix.lenSum[f] -= int64(d.lens[f])
	}
	for _, k := range d.keys {
		ix.facets[k].clear(slot)
	}
	ix.live.clear(slot)
	delete(ix.byID, id)
	ix.nLive--
	d.svc, d.terms, d.keys = nil, nil, nil
	return true
}

func (ix *Index) compact() {
	old := ix.docs
	ix.docs, ix.lens, ix.byID, ix.live, ix.nLive = nil, nil, map[string]uint32{}, nil, 0
	ix.terms, ix.facets, ix.lenSum = map[string]*termInfo{}, map[string]bitset{}, [nFields]int64{}
	for _, d := range old {
		if d.svc != nil {
			ix.add(*d.svc)
		}
	}
}

// facetKeys lists the filter values a service matches, as "dimension:value".
func facetKeys(s Service) []string {
	keys := []string{"lot:" + s.Lot, "framework:" + s.FrameworkSlug}
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
		out = append(out, stem(w))
	}
	return out
}

func stem(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies") && !strings.HasSuffix(w, "eies") && !strings.HasSuffix(w, "aies"):
		return w[:len(w)-3] + "y"
	case len(w) > 3 && strings.HasSuffix(w, "es") && !strings.HasSuffix(w, "aes") && !strings.HasSuffix(w, "ees") && !strings.HasSuffix(w, "oes"):
		return w[:len(w)-1]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
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
