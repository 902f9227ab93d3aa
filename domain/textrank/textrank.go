// Package textrank is the one text search every listing uses: an in-memory
// inverted index over documents with weighted fields, matching every word
// of a query as a word prefix and ranking the matches with BM25F. It is
// pure (no I/O, no clock), so the catalogue, CKAN and the HTML pages rank
// alike, and other capabilities can index their own documents with it.
//
// Documents live in slots the caller assigns in increasing order; removing
// a document frees nothing but its live bit, so a caller that replaces many
// documents rebuilds the index (from scratch, in slot order) once dead slots
// outnumber live ones, which keeps every change amortised O(its own size).
package textrank

import (
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// BM25 constants: the usual saturation and length normalisation.
const (
	k1 = 1.2
	b  = 0.75
	// prefixWeight discounts a word that only starts with the query's word
	// ("parking" for "park"), so whole-word matches rank first.
	prefixWeight = 0.5
	// pendingMax is how many new words wait unsorted before they are merged
	// into the sorted vocabulary prefix searches bisect.
	pendingMax = 512
)

// Tokens splits text into index words: lower case, letters and digits,
// with plural endings removed (Harman's S-stemmer), so "trees" finds
// "tree" and "libraries" finds "library".
func Tokens(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range words {
		words[i] = Stem(w)
	}
	return words
}

// Stem folds a lower-case word's plural to its singular ("libraries" ->
// "library", "boxes" -> "boxe", "maps" -> "map"), the only inflection both
// the catalogue's and the G-Cloud search's users type differently from
// what they look for.
func Stem(w string) string {
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

// term is one word's postings: the slots containing it, ascending, and
// per slot its frequency in each field.
type term struct {
	slots []uint32
	tf    []uint16 // len(slots) * fields
}

// Index is a BM25F index. It is not safe for concurrent writes; reads may
// run together between writes (the caller's lock decides).
type Index struct {
	boosts  []float64
	terms   map[string]*term
	sorted  []string // vocabulary, sorted, for prefix search
	pending []string // words added since the last merge into sorted
	lens    []uint32 // per slot, per field: words in the field
	live    Bitset
	nLive   int
	lenSum  []int64
	next    uint32 // lowest slot Add accepts
	scratch sync.Pool
}

// New makes an index whose documents have len(boosts) fields, each word in
// field f counting boosts[f].
func New(boosts ...float64) *Index {
	return &Index{boosts: boosts, terms: map[string]*term{}, lenSum: make([]int64, len(boosts))}
}

// Add indexes a document in slot, which must be higher than every slot
// added before; fields are in the order of the boosts.
func (ix *Index) Add(slot uint32, fields ...string) {
	if slot < ix.next {
		panic("textrank: slots must be added in increasing order")
	}
	ix.next = slot + 1
	nf := len(ix.boosts)
	for len(ix.lens) < int(slot+1)*nf {
		ix.lens = append(ix.lens, 0)
	}
	seen := map[string]*term{}
	for f := range min(nf, len(fields)) {
		for _, w := range Tokens(fields[f]) {
			ix.lens[int(slot)*nf+f]++
			t := seen[w]
			if t == nil {
				t = ix.terms[w]
				if t == nil {
					t = &term{}
					ix.terms[w] = t
					ix.pending = append(ix.pending, w)
				}
				t.slots = append(t.slots, slot)
				t.tf = append(t.tf, make([]uint16, nf)...)
				seen[w] = t
			}
			if i := (len(t.slots)-1)*nf + f; t.tf[i] < math.MaxUint16 {
				t.tf[i]++
			}
		}
	}
	for f := range nf {
		ix.lenSum[f] += int64(ix.lens[int(slot)*nf+f])
	}
	ix.live.Set(slot)
	ix.nLive++
	if len(ix.pending) > pendingMax {
		ix.merge()
	}
}

// Remove forgets the document in slot.
func (ix *Index) Remove(slot uint32) {
	if !ix.live.Has(slot) {
		return
	}
	ix.live.Clear(slot)
	ix.nLive--
	nf := len(ix.boosts)
	for f := range nf {
		ix.lenSum[f] -= int64(ix.lens[int(slot)*nf+f])
	}
}

// Len is the number of live documents.
func (ix *Index) Len() int { return ix.nLive }

func (ix *Index) merge() {
	slices.Sort(ix.pending)
	ix.sorted = append(ix.sorted, ix.pending...)
	slices.Sort(ix.sorted)
	ix.pending = ix.pending[:0]
}

// expansions lists the vocabulary words that start with w, w itself first.
func (ix *Index) expansions(w string) []string {
	var out []string
	if _, ok := ix.terms[w]; ok {
		out = append(out, w)
	}
	i, _ := slices.BinarySearch(ix.sorted, w)
	for ; i < len(ix.sorted) && strings.HasPrefix(ix.sorted[i], w); i++ {
		if ix.sorted[i] != w {
			out = append(out, ix.sorted[i])
		}
	}
	for _, p := range ix.pending {
		if p != w && strings.HasPrefix(p, w) {
			out = append(out, p)
		}
	}
	return out
}

// Hit is a matching document and its score.
type Hit struct {
	Slot  uint32
	Score float64
}

// Query is a parsed text query: the words every match must contain.
type Query struct{ words []string }

// Parse reads a query as Tokens does; repeated words count once.
func Parse(q string) Query {
	words := Tokens(q)
	slices.Sort(words)
	return Query{words: slices.Compact(words)}
}

// Empty reports whether the query has no words (it then matches nothing:
// callers treat an empty query as no text filter).
func (q Query) Empty() bool { return len(q.words) == 0 }

// scratch is the per-query working memory, one entry per slot.
type scratch struct {
	score []float64
	acc   []float64
	count []uint16
	mark  []uint32
}

// Match returns the live documents in within (nil: all) that contain, in
// one of the fields of mask (bit f for field f; 0: all fields), every word
// of q as a word or a word's prefix, in slot order with their BM25F scores.
func (ix *Index) Match(q Query, mask uint, within Bitset) []Hit {
	if q.Empty() || ix.nLive == 0 {
		return nil
	}
	nf := len(ix.boosts)
	if mask == 0 {
		mask = 1<<nf - 1
	}
	n := int(ix.next)
	sc, _ := ix.scratch.Get().(*scratch)
	if sc == nil || len(sc.score) < n {
		sc = &scratch{score: make([]float64, n), acc: make([]float64, n), count: make([]uint16, n), mark: make([]uint32, n)}
	}
	defer ix.scratch.Put(sc)
	avg := make([]float64, nf)
	for f := range nf {
		avg[f] = max(1, float64(ix.lenSum[f])/float64(ix.nLive))
	}
	var touched []uint32 // slots matching every word so far
	for qi, w := range q.words {
		exp := ix.expansions(w)
		var cand []uint32
		// df: live documents containing any expansion in the masked fields.
		for _, word := range exp {
			t := ix.terms[word]
			for i, s := range t.slots {
				if !ix.live.Has(s) || within != nil && !within.Has(s) || int(sc.count[s]) != qi || !inMask(t.tf[i*nf:(i+1)*nf], mask) {
					continue
				}
				if sc.mark[s] != uint32(qi)+1 {
					sc.mark[s] = uint32(qi) + 1
					sc.acc[s] = 0
					cand = append(cand, s)
				}
				weight := 1.0
				if word != w {
					weight = prefixWeight
				}
				base := int(s) * nf
				for f := range nf {
					if mask&(1<<f) == 0 || t.tf[i*nf+f] == 0 {
						continue
					}
					norm := 1 - b + b*float64(ix.lens[base+f])/avg[f]
					sc.acc[s] += weight * ix.boosts[f] * float64(t.tf[i*nf+f]) / norm
				}
			}
		}
		df := float64(len(cand))
		idf := math.Log(1 + (float64(ix.nLive)-df+0.5)/(df+0.5))
		for _, s := range cand {
			tf := sc.acc[s]
			sc.score[s] += idf * tf * (k1 + 1) / (tf + k1)
			sc.count[s]++
		}
		touched = cand
		if len(touched) == 0 {
			break
		}
	}
	var hits []Hit
	if len(touched) > 0 && int(sc.count[touched[0]]) == len(q.words) {
		hits = make([]Hit, 0, len(touched))
		for _, s := range touched {
			hits = append(hits, Hit{Slot: s, Score: sc.score[s]})
		}
		slices.SortFunc(hits, func(x, y Hit) int { return int(x.Slot) - int(y.Slot) })
	}
	// Reset only what this query wrote, so the cost stays with the matches.
	for _, word := range allExpansions(ix, q) {
		for _, s := range ix.terms[word].slots {
			sc.score[s], sc.count[s], sc.mark[s], sc.acc[s] = 0, 0, 0, 0
		}
	}
	return hits
}

func allExpansions(ix *Index, q Query) []string {
	var out []string
	for _, w := range q.words {
		out = append(out, ix.expansions(w)...)
	}
	return out
}

func inMask(tf []uint16, mask uint) bool {
	for f, n := range tf {
		if n > 0 && mask&(1<<f) != 0 {
			return true
		}
	}
	return false
}
