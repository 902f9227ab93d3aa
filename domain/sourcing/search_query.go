package sourcing

import (
	"cmp"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Sort orders of a search.
const (
	SortRelevance = "relevance" // best match first; name order when there are no keywords
	SortPrice     = "price"     // lowest normalised annual price first
	SortPriceDesc = "-price"
	SortName      = "name"
	SortNameDesc  = "-name"
)

// Paging limits: MaxOffset matches the Digital Marketplace's 10,000-result
// window, which also bounds the work of deep paging.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	MaxOffset    = 10_000
)

// Filter is a conjunction of disjunctions, the Digital Marketplace rule:
// each inner slice is one occurrence of the parameter and matches any of its
// comma-separated values; every occurrence must match.
type Filter [][]string

// SearchQuery is a parsed search request.
type SearchQuery struct {
	Keywords     string `json:"q,omitempty"`
	Lot          Filter `json:"lot,omitempty"`
	Category     Filter `json:"category,omitempty"`
	Assurance    Filter `json:"assurance,omitempty"`
	DataLocation Filter `json:"dataLocation,omitempty"`
	Framework    Filter `json:"framework,omitempty"`
	PriceMin     *Dec   `json:"priceMin,omitempty"` // bounds on the normalised annual price
	PriceMax     *Dec   `json:"priceMax,omitempty"`
	Sort         string `json:"sort,omitempty"`
	Offset       int    `json:"offset"`
	Limit        int    `json:"limit"`
	// IncludeExpired shows services whose framework has expired or been
	// withdrawn on AsOf, flagged; by default they are left out, since a
	// call-off can no longer be made under them.
	IncludeExpired bool `json:"includeExpired,omitempty"`
	// AsOf is the day the search is run for; the caller sets it (the
	// domain has no clock). Zero applies no framework filter.
	AsOf time.Time `json:"asOf,omitzero"`
}

// SearchParams names the query parameters ParseSearchQuery reads.
var SearchParams = []string{"q", "lot", "category", "assurance", "dataLocation", "framework",
	"priceMin", "priceMax", "sort", "offset", "limit", "includeExpired"}

// ParseSearchQuery reads URL query values into a query, reporting every bad
// parameter. Unknown parameters are refused so a misspelt filter cannot
// silently widen the results.
func ParseSearchQuery(v url.Values) (SearchQuery, error) {
	var p domain.Problems
	q := SearchQuery{Keywords: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"), Limit: DefaultLimit}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if !slices.Contains(SearchParams, k) {
			p.Add(k, "is not a search parameter; use one of %s", strings.Join(SearchParams, ", "))
		}
	}
	filter := func(name string, allowed []string) Filter {
		var f Filter
		for _, occ := range v[name] {
			var any []string
			for _, val := range strings.Split(occ, ",") {
				val = strings.TrimSpace(val)
				if val == "" {
					continue
				}
				if allowed != nil && !slices.Contains(allowed, val) {
					p.Add(name, "%q is not one of %s", val, strings.Join(allowed, ", "))
				}
				any = append(any, val)
			}
			if len(any) > 0 {
				f = append(f, any)
			}
		}
		return f
	}
	q.Lot = filter("lot", Lots)
	q.Category = filter("category", nil)
	q.Assurance = filter("assurance", AssuranceFilters)
	q.DataLocation = filter("dataLocation", []string{"uk", "eea", "other"})
	q.Framework = filter("framework", nil)
	for _, occ := range q.Framework {
		for _, f := range occ {
			if !frameworkRe.MatchString(f) {
				p.Add("framework", "%q is not a framework slug such as g-cloud-13", f)
			}
		}
	}
	price := func(name string) *Dec {
		s := v.Get(name)
		if s == "" {
			return nil
		}
		d, err := ParseDec(s)
		if err != nil || d < 0 {
			p.Add(name, "must be a non-negative amount in pounds per unit per year")
			return nil
		}
		return &d
	}
	q.PriceMin, q.PriceMax = price("priceMin"), price("priceMax")
	if q.PriceMin != nil && q.PriceMax != nil && *q.PriceMax < *q.PriceMin {
		p.Add("priceMax", "must be at least priceMin")
	}
	integer := func(name string, def, lo, hi int) int {
		s := v.Get(name)
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			p.Add(name, "must be a whole number from %d to %d", lo, hi)
			return def
		}
		return n
	}
	switch v.Get("includeExpired") {
	case "", "false":
	case "true":
		q.IncludeExpired = true
	default:
		p.Add("includeExpired", "must be true or false")
	}
	q.Offset = integer("offset", 0, 0, MaxOffset)
	q.Limit = integer("limit", DefaultLimit, 1, MaxLimit)
	if q.Sort == "" {
		q.Sort = SortRelevance
	}
	if !slices.Contains([]string{SortRelevance, SortPrice, SortPriceDesc, SortName, SortNameDesc}, q.Sort) {
		p.Add("sort", "must be one of relevance, price, -price, name, -name")
	}
	return q, p.Err()
}

// Hit is one search result.
type Hit struct {
	Service     Service `json:"service"`
	Score       float64 `json:"score"`       // BM25F relevance; 0 without keywords
	AnnualPrice Dec     `json:"annualPrice"` // priceMin per unit per year
	// FrameworkClosed flags a service shown by includeExpired whose
	// framework has expired or been withdrawn.
	FrameworkClosed *FrameworkStatus `json:"frameworkClosed,omitempty"`
}

// SearchResult carries the exact number of matches and one page of them.
type SearchResult struct {
	Total  int   `json:"total"`
	Offset int   `json:"offset"`
	Limit  int   `json:"limit"`
	Hits   []Hit `json:"hits"`
}

type cand struct {
	doc   uint32
	score float64
}

// Search runs a query. Several keywords must all occur (in any field), as on
// the Digital Marketplace; relevance is BM25F over the boosted fields.
func (ix *Index) Search(q SearchQuery) SearchResult {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	mask := slices.Clone(ix.live)
	for _, dim := range []struct {
		prefix string
		f      Filter
		lower  bool
	}{{"lot:", q.Lot, false}, {"category:", q.Category, true}, {"assurance:", q.Assurance, false},
		{"location:", q.DataLocation, false}, {"framework:", q.Framework, false}} {
		for _, occ := range dim.f {
			any := make(bitset, len(mask))
			for _, val := range occ {
				if dim.lower {
					val = strings.ToLower(val)
				}
				any.or(ix.facets[dim.prefix+val])
			}
			mask.and(any)
		}
	}
	day := dayOf(q.AsOf)
	if !q.IncludeExpired && day != "" {
		mask.andNot(ix.closedOn(day))
	}
	inPrice := func(doc uint32) bool {
		pr := ix.docs[doc].price
		return (q.PriceMin == nil || pr >= *q.PriceMin) && (q.PriceMax == nil || pr <= *q.PriceMax)
	}
	var cands []cand
	terms := tokenize(q.Keywords)
	if len(terms) == 0 {
		cands = make([]cand, 0, ix.nLive)
		mask.each(func(d uint32) {
			if inPrice(d) {
				cands = append(cands, cand{doc: d})
			}
		})
	} else {
		cands = ix.match(terms, mask, inPrice)
	}
	res := SearchResult{Total: len(cands), Offset: q.Offset, Limit: q.Limit, Hits: []Hit{}}
	less := ix.order(q.Sort, len(terms) > 0)
	top := topK(cands, q.Offset+q.Limit, less)
	if q.Offset < len(top) {
		for _, c := range top[q.Offset:] {
			d := &ix.docs[c.doc]
			h := Hit{Service: d.service(), Score: math.Round(c.score*1e4) / 1e4, AnnualPrice: d.price}
			if st := frameworkStatus(d.frameworkSlug, d.frameworkExpiry, day); st.Closed() {
				h.FrameworkClosed = &st
			}
			res.Hits = append(res.Hits, h)
		}
	}
	return res
}

// match intersects the posting lists, rarest term first, and scores the
// survivors with BM25F.
func (ix *Index) match(terms []string, mask bitset, keep func(uint32) bool) []cand {
	slices.Sort(terms)
	terms = slices.Compact(terms)
	infos := make([]*termInfo, len(terms))
	for i, t := range terms {
		id, ok := ix.termIDs[t]
		if !ok || ix.terms[id].df == 0 {
			return nil
		}
		infos[i] = &ix.terms[id]
	}
	slices.SortFunc(infos, func(a, b *termInfo) int { return cmp.Compare(len(a.postings), len(b.postings)) })
	n := float64(ix.nLive)
	var avg [nFields]float64
	for f := range nFields {
		avg[f] = math.Max(float64(ix.lenSum[f])/n, 1)
	}
	var invAvg [nFields]float64
	for f := range nFields {
		invAvg[f] = bm25B / avg[f]
	}
	score := func(idf float64, p posting) float64 {
		lens := &ix.lens[p.doc]
		var tf float64
		for f := range nFields {
			if p.tf[f] > 0 {
				tf += fieldBoost[f] * float64(p.tf[f]) / (1 - bm25B + float64(lens[f])*invAvg[f])
			}
		}
		return idf * tf * (bm25K1 + 1) / (tf + bm25K1)
	}
	idf := func(ti *termInfo) float64 {
		df := float64(ti.df)
		return math.Log(1 + (n-df+0.5)/(df+0.5))
	}
	cands := make([]cand, 0, len(infos[0].postings))
	first := idf(infos[0])
	for _, p := range infos[0].postings {
		if mask.has(p.doc) && keep(p.doc) {
			cands = append(cands, cand{doc: p.doc, score: score(first, p)})
		}
	}
	for _, ti := range infos[1:] {
		out := cands[:0]
		ps := ti.postings
		w := idf(ti)
		j := 0
		for _, c := range cands {
			// Both lists are in slot order; skip ahead by binary search
			// because the rarer list is usually far shorter.
			j += sortSearch(ps[j:], c.doc)
			if j < len(ps) && ps[j].doc == c.doc {
				c.score += score(w, ps[j])
				out = append(out, c)
			}
		}
		cands = out
		if len(cands) == 0 {
			break
		}
	}
	return cands
}

func sortSearch(ps []posting, doc uint32) int {
	lo, hi := 0, len(ps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ps[m].doc < doc {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// order returns the strict ordering of a sort, ties broken by name then id so
// that paging is stable.
func (ix *Index) order(sort string, keywords bool) func(a, b cand) bool {
	byName := func(a, b cand) int {
		da, db := &ix.docs[a.doc], &ix.docs[b.doc]
		if c := strings.Compare(da.name, db.name); c != 0 {
			return c
		}
		return strings.Compare(da.id, db.id)
	}
	price := func(a, b cand) int { return cmp.Compare(ix.docs[a.doc].price, ix.docs[b.doc].price) }
	switch {
	case sort == SortPrice:
		return func(a, b cand) bool { c := price(a, b); return c < 0 || c == 0 && byName(a, b) < 0 }
	case sort == SortPriceDesc:
		return func(a, b cand) bool { c := price(a, b); return c > 0 || c == 0 && byName(a, b) < 0 }
	case sort == SortNameDesc:
		return func(a, b cand) bool { return byName(a, b) > 0 }
	case sort == SortName || !keywords:
		return func(a, b cand) bool { return byName(a, b) < 0 }
	}
	return func(a, b cand) bool {
		if a.score != b.score {
			return a.score > b.score
		}
		return byName(a, b) < 0
	}
}

// topK returns the first k candidates in order, using a bounded max-heap so
// that a page from 50,000 matches costs O(n log k), not a full sort.
func topK(cands []cand, k int, less func(a, b cand) bool) []cand {
	if k >= len(cands) {
		slices.SortFunc(cands, func(a, b cand) int { return lessToCmp(less, a, b) })
		return cands
	}
	h := make([]cand, 0, k)
	down := func(i int) {
		for {
			l, worst := 2*i+1, i
			if l < len(h) && less(h[worst], h[l]) {
				worst = l
			}
			if r := l + 1; r < len(h) && less(h[worst], h[r]) {
				worst = r
			}
			if worst == i {
				return
			}
			h[i], h[worst] = h[worst], h[i]
			i = worst
		}
	}
	for _, c := range cands {
		if len(h) < k {
			h = append(h, c)
			for i := len(h) - 1; i > 0; {
				parent := (i - 1) / 2
				if !less(h[parent], h[i]) {
					break
				}
				h[i], h[parent] = h[parent], h[i]
				i = parent
			}
		} else if k > 0 && less(c, h[0]) {
			h[0] = c
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b cand) int { return lessToCmp(less, a, b) })
	return h
}

func lessToCmp(less func(a, b cand) bool, a, b cand) int {
	switch {
	case less(a, b):
		return -1
	case less(b, a):
		return 1
	}
	return 0
}
