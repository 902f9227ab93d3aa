package index

import (
	"cmp"
	"slices"
	"time"

	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/domain/textrank"
)

// Query selects, orders and pages datasets. Every clause of All must hold
// and none of Not; a clause holds when any of its terms does.
type Query struct {
	// Statuses are the datasets considered; empty means published only.
	Statuses []opendata.Status
	All, Not []Clause
	// BBox keeps the datasets whose extent intersects it; those without an
	// extent never match.
	BBox *opendata.BBox
	// Sort keys in order of precedence, ties always broken by id ascending.
	// Empty is id order. OrderScore sorts by text relevance.
	Sort          []Sort // OrderScore with Desc: most relevant first
	Offset, Limit int    // Limit 0: no page, only the total and facets
	Facets        []FacetRequest
}

// Clause is a disjunction of terms.
type Clause struct{ Any []Term }

// Term is one condition: a facet key, text, a time range or an identity.
type Term struct {
	// Key is a facet key (Key(DimTag, "trees")); a key no dataset has
	// matches nothing, and the value "*" matches any value of the dimension.
	Key string
	// Text matches datasets containing every word (as a word prefix) in
	// the Fields (FieldTitle|…; 0 for all), and ranks them.
	Text   string
	Fields uint
	// Range keeps the datasets whose time in a time order (OrderModified,
	// OrderCatalogueModified, OrderCatalogueIssued, OrderIssued) lies in it.
	Range *Range
	// ID or Slug, compared exactly.
	ID, Slug string
	// Every matches every dataset considered.
	Every bool
}

// Range is a time interval; a nil end is open.
type Range struct {
	Order              string
	From, To           *time.Time
	FromOpen, ToOpen   bool // exclude the end itself
	TruncateToMicrosec bool // compare at CKAN's (Solr's) precision
}

// Sort is one sort key.
type Sort struct {
	Order string
	Desc  bool
}

// FacetRequest asks for the counts of one dimension's values among the
// matches. Exclusive counts as if the query's own clauses on that
// dimension were removed (what ticking one more value would find), as
// faceted search pages show; otherwise the counts are within the matches,
// as Solr's facets are. Limit caps the values listed (0: all).
type FacetRequest struct {
	Dim       string
	Exclusive bool
	Limit     int
}

// FacetCount is one value of a facet and its count. Label is the value as
// a dataset first wrote it (tags and formats are matched in lower case).
type FacetCount struct {
	Value string
	Count int
	Label string
}

// Result is a query's answer.
type Result struct {
	Total  int
	Items  []Item // the page, publishers filled in
	Scores []float64
	Facets map[string][]FacetCount
}

// evaluation is a query's matches before paging.
type evaluation struct {
	universe textrank.Bitset
	match    textrank.Bitset
	// scores is the text relevance by slot: a pooled array rather than a
	// map, since ordering a page looks every match's score up about
	// log(page) times, and map lookups were half the cost of ordering a
	// search of 2,000 matches.
	scores []float64
	scored []uint32 // the slots given a score, to clear when done
	text   bool     // a text term was evaluated
}

// newEvaluation is an evaluation from the pool, its scores all 0; done
// returns it.
func (ix *Index) newEvaluation() *evaluation {
	ev, _ := ix.evaluations.Get().(*evaluation)
	if ev == nil {
		ev = &evaluation{}
	}
	if n := len(ix.slots); len(ev.scores) < n {
		ev.scores = make([]float64, n+n/8)
	}
	return ev
}

func (ix *Index) done(ev *evaluation) {
	for _, s := range ev.scored {
		ev.scores[s] = 0
	}
	*ev = evaluation{scores: ev.scores, scored: ev.scored[:0]}
	ix.evaluations.Put(ev)
}

func (ix *Index) universe(statuses []opendata.Status) textrank.Bitset {
	if len(statuses) == 0 {
		statuses = []opendata.Status{opendata.StatusPublished}
	}
	var u textrank.Bitset
	for _, st := range statuses {
		u.Or(ix.facets[Key(DimStatus, string(st))])
	}
	return u
}

// term evaluates one term within u; text terms add their scores.
func (ix *Index) term(t Term, u textrank.Bitset, ev *evaluation) textrank.Bitset {
	switch {
	case t.Every:
		return u.Clone()
	case t.Key != "":
		var b textrank.Bitset
		if dim, value, _ := cut(t.Key); value == "*" {
			for v := range ix.dims[dim] {
				b.Or(ix.facets[Key(dim, v)])
			}
		} else {
			b = ix.facets[t.Key].Clone()
		}
		b.And(u)
		return b
	case t.Text != "":
		var b textrank.Bitset
		q := textrank.Parse(t.Text)
		if q.Empty() {
			return u.Clone() // no words: no condition
		}
		ev.text = true
		for _, h := range ix.text.Match(q, t.Fields, u) {
			b.Set(h.Slot)
			ev.scores[h.Slot] += h.Score
			ev.scored = append(ev.scored, h.Slot)
		}
		return b
	case t.Range != nil:
		return ix.rangeSet(*t.Range, u)
	case t.ID != "":
		return ix.one(ix.byID[t.ID], u)
	case t.Slug != "":
		return ix.one(ix.bySlug[t.Slug], u)
	}
	return nil
}

func (ix *Index) one(e *entry, u textrank.Bitset) textrank.Bitset {
	var b textrank.Bitset
	if e != nil && u.Has(e.slot) {
		b.Set(e.slot)
	}
	return b
}

func timeOf(order string, e *entry) time.Time {
	switch order {
	case OrderModified:
		return e.modified
	case OrderIssued:
		return e.issued
	case OrderCatalogueIssued:
		return e.catIss
	}
	return e.catMod
}

// rangeSet collects a time range by bisecting its order, so the cost is
// the size of the range.
func (ix *Index) rangeSet(r Range, u textrank.Bitset) textrank.Bitset {
	o := ix.orders[r.Order]
	if o == nil {
		o = ix.orders[OrderCatalogueModified]
	}
	at := func(e *entry) time.Time {
		t := timeOf(r.Order, e)
		if r.TruncateToMicrosec {
			t = t.Truncate(time.Microsecond)
		}
		return t
	}
	var lo, hi func(*entry) int
	if r.From != nil {
		from := *r.From
		lo = func(e *entry) int {
			if c := at(e).Compare(from); c < 0 || c == 0 && r.FromOpen {
				return -1
			}
			return 0
		}
	}
	if r.To != nil {
		to := *r.To
		hi = func(e *entry) int {
			if c := at(e).Compare(to); c < 0 || c == 0 && !r.ToOpen {
				return 0
			}
			return 1
		}
	}
	from, to := o.bounds(ix, lo, hi)
	var b textrank.Bitset
	for _, s := range o.slots[from:to] {
		if u.Has(s) {
			b.Set(s)
		}
	}
	return b
}

// clauseSets are a query's clauses evaluated within the universe, each
// once: the matches and every exclusive facet's base are made of them, so
// a text search with four exclusive facets (the HTML search page) searches
// the text once rather than five times.
type clauseSets struct {
	all  []textrank.Bitset // per clause of All
	dims []string          // each one's dimension (see clauseDim)
	not  textrank.Bitset   // matches of any clause of Not
}

func (ix *Index) evaluate(q Query, u textrank.Bitset, ev *evaluation) clauseSets {
	var cs clauseSets
	for _, c := range q.All {
		var any textrank.Bitset
		for _, t := range c.Any {
			any.Or(ix.term(t, u, ev))
		}
		cs.all = append(cs.all, any)
		cs.dims = append(cs.dims, clauseDim(c))
	}
	for _, c := range q.Not {
		for _, t := range c.Any {
			cs.not.Or(ix.term(t, u, ev))
		}
	}
	return cs
}

// within intersects the clause sets (skipping those on dimension skip)
// within u, keeping what intersects the query's box.
func (ix *Index) within(q Query, cs clauseSets, u textrank.Bitset, skip string) textrank.Bitset {
	m := u.Clone()
	for i, set := range cs.all {
		if skip == "" || cs.dims[i] != skip {
			m.And(set)
		}
	}
	m.AndNot(cs.not)
	if q.BBox != nil {
		box := *q.BBox
		m.Each(func(s uint32) bool {
			if ext := ix.slots[s].extent; ext == nil || !box.Intersects(*ext) {
				m.Clear(s)
			}
			return true
		})
	}
	return m
}

// clauseDim is the dimension every term of c is a key of, or "".
func clauseDim(c Clause) string {
	dim := ""
	for i, t := range c.Any {
		d, _, ok := cut(t.Key)
		if !ok || i > 0 && d != dim {
			return ""
		}
		dim = d
	}
	return dim
}

func cut(key string) (dim, value string, ok bool) {
	for i := range len(key) {
		if key[i] == ':' {
			return key[:i], key[i+1:], true
		}
	}
	return "", "", false
}

// Find answers a query.
func (ix *Index) Find(q Query) Result {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ev := ix.newEvaluation()
	defer ix.done(ev)
	ev.universe = ix.universe(q.Statuses)
	sets := ix.evaluate(q, ev.universe, ev)
	ev.match = ix.within(q, sets, ev.universe, "")
	res := Result{Total: ev.match.Len()}
	page := ix.page(q, ev)
	// Items are large values (a whole entry each): sized once, a page of
	// 100 allocates its 0.2 MB once instead of twice that while growing.
	res.Items, res.Scores = make([]Item, 0, len(page)), make([]float64, 0, len(page))
	for _, s := range page {
		res.Items = append(res.Items, ix.read(ix.slots[s]))
		res.Scores = append(res.Scores, ev.scores[s])
	}
	if len(q.Facets) > 0 {
		res.Facets = map[string][]FacetCount{}
		for _, f := range q.Facets {
			base := ev.match
			if f.Exclusive {
				base = ix.within(q, sets, ev.universe, f.Dim)
			}
			res.Facets[f.Dim] = ix.facetCounts(f, base)
		}
	}
	return res
}

// page picks the slots of the requested page in order.
func (ix *Index) page(q Query, ev *evaluation) []uint32 {
	if q.Limit <= 0 || q.Offset >= ev.match.Len() {
		return nil
	}
	keys := q.Sort
	if !ev.text {
		// Without text every score is 0, so relevance orders nothing (CKAN's
		// default "score desc, metadata_modified desc" is then the stored
		// metadata_modified order, walked rather than sorted).
		keys = slices.DeleteFunc(slices.Clone(keys), func(k Sort) bool { return k.Order == OrderScore })
	}
	if len(keys) == 0 {
		keys = []Sort{{Order: OrderID}}
	}
	if o := ix.orders[keys[0].Order]; o != nil && (len(keys) == 1 || keys[0].Order == OrderID) {
		// One stored order: walk it, skipping non-matches.
		var out []uint32
		skip := q.Offset
		o.each(keys[0].Desc, func(s uint32) bool {
			if !ev.match.Has(s) {
				return true
			}
			if skip > 0 {
				skip--
				return true
			}
			out = append(out, s)
			return len(out) < q.Limit
		})
		return out
	}
	k := q.Offset + q.Limit
	if keys[0].Order == OrderScore && (len(keys) == 1 || len(keys) == 2 && ix.orders[keys[1].Order] != nil) {
		top := ix.firstByScore(ev, keys, k)
		return top[min(q.Offset, len(top)):]
	}
	// Several keys: the first offset+limit matches in order.
	compare := func(a, b uint32) int {
		ea, eb := ix.slots[a], ix.slots[b]
		for _, k := range keys {
			var c int
			if k.Order == OrderScore {
				c = cmp.Compare(ev.scores[a], ev.scores[b])
			} else if o := ix.orders[k.Order]; o != nil {
				c = o.field(ea, eb)
			}
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(ea.Entry.Dataset.ID, eb.Entry.Dataset.ID)
	}
	matches := make([]uint32, 0, ev.match.Len())
	ev.match.Each(func(s uint32) bool {
		matches = append(matches, s)
		return true
	})
	top := firstInOrder(matches, k, compare)
	return top[min(q.Offset, len(top)):]
}

// ranked is a match with its score and its place in the order that breaks
// ties of score.
type ranked struct {
	score float64
	rank  uint32
	slot  uint32
}

// firstByScore is the first k matches by relevance, ties in the stored
// order of keys[1] (id without one). Walking that order once ranks the
// matches, so ordering them compares two numbers: with the entries'
// fields compared instead, ties of score (titles made alike score alike)
// took two thirds of a search's time.
func (ix *Index) firstByScore(ev *evaluation, keys []Sort, k int) []uint32 {
	then := Sort{Order: OrderID}
	if len(keys) == 2 {
		then = keys[1]
	}
	matches := make([]ranked, 0, ev.match.Len())
	ix.orders[then.Order].each(then.Desc, func(s uint32) bool {
		if ev.match.Has(s) {
			matches = append(matches, ranked{score: ev.scores[s], rank: uint32(len(matches)), slot: s})
		}
		return true
	})
	sign := 1
	if keys[0].Desc {
		sign = -1
	}
	top := firstInOrder(matches, k, func(a, b ranked) int {
		return cmp.Or(sign*cmp.Compare(a.score, b.score), cmp.Compare(a.rank, b.rank))
	})
	out := make([]uint32, len(top))
	for i, m := range top {
		out[i] = m.slot
	}
	return out
}

// firstInOrder is the first k of all in order, sorted: a bounded heap
// whose root is the last of those kept, so a page of a search costs
// O(matches x log k) rather than sorting every match.
func firstInOrder[T any](all []T, k int, compare func(a, b T) int) []T {
	heap := make([]T, 0, min(k, len(all)))
	down := func(i int) {
		for {
			worst, l, r := i, 2*i+1, 2*i+2
			if l < len(heap) && compare(heap[l], heap[worst]) > 0 {
				worst = l
			}
			if r < len(heap) && compare(heap[r], heap[worst]) > 0 {
				worst = r
			}
			if worst == i {
				return
			}
			heap[i], heap[worst] = heap[worst], heap[i]
			i = worst
		}
	}
	for _, s := range all {
		switch {
		case len(heap) < k:
			heap = append(heap, s)
			for i := len(heap) - 1; i > 0; {
				parent := (i - 1) / 2
				if compare(heap[i], heap[parent]) <= 0 {
					break
				}
				heap[i], heap[parent] = heap[parent], heap[i]
				i = parent
			}
		case compare(s, heap[0]) < 0:
			heap[0] = s
			down(0)
		}
	}
	slices.SortFunc(heap, compare)
	return heap
}

// facetCounts counts each value of a dimension within base, most first
// then by value.
func (ix *Index) facetCounts(f FacetRequest, base textrank.Bitset) []FacetCount {
	var out []FacetCount
	values := ix.dims[f.Dim]
	if n := base.Len(); n < len(values)*8 {
		// Few matches: count their keys rather than intersect every value.
		counts := map[string]int{}
		base.Each(func(s uint32) bool {
			for _, k := range ix.slots[s].keys {
				if d, v, _ := cut(k); d == f.Dim {
					counts[v]++
				}
			}
			return true
		})
		for v, c := range counts {
			out = append(out, FacetCount{Value: v, Count: c})
		}
	} else {
		for v := range values {
			if c := base.AndLen(ix.facets[Key(f.Dim, v)]); c > 0 {
				out = append(out, FacetCount{Value: v, Count: c})
			}
		}
	}
	slices.SortFunc(out, func(a, b FacetCount) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Value, b.Value)) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	for i := range out {
		out[i].Label = cmp.Or(ix.labels[Key(f.Dim, out[i].Value)], out[i].Value)
	}
	return out
}

// Summary describes the datasets of the given statuses (empty: published)
// as a whole: how many, the earliest first publication and the latest
// change (zero when there are none).
func (ix *Index) Summary(statuses []opendata.Status) (n int, issued, modified time.Time) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	u := ix.universe(statuses)
	n = u.Len()
	ix.orders[OrderCatalogueIssued].each(false, func(s uint32) bool {
		if u.Has(s) {
			issued = ix.slots[s].catIss
			return false
		}
		return true
	})
	ix.orders[OrderCatalogueModified].each(true, func(s uint32) bool {
		if u.Has(s) {
			modified = ix.slots[s].catMod
			return false
		}
		return true
	})
	return n, issued, modified
}
