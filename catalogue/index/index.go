// Package index is the catalogue's read model: every published (and
// withdrawn) dataset as a catalogue Entry, with the filters, sort orders,
// text index and facet counts that data.json, DCAT, CKAN, the datasets API
// and the HTML pages page through. Each is kept up to date one dataset at a
// time (an update costs O(log n) per sort order plus the dataset's own
// words), so answering a page costs work proportional to the page: the
// harvest listings slice a sort order, filters and facets are bitset
// operations, and text search touches only the postings of its words.
//
// The index is pure (no I/O, no clock): the application feeds it from the
// store's change feed, and tests feed it fixtures.
package index

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/domain/textrank"
)

// Item is one dataset as the index keeps it.
type Item struct {
	// Entry describes the dataset with site-relative URLs. Its Publisher is
	// filled in from the index's organisations when it is read, so an
	// organisation's change reaches every entry at once.
	Entry catalogue.Entry
	// Formats are the codes of the current version's downloads (csv,
	// json, geojson), which the datasets API filters on.
	Formats []string
	// Stamp changes whenever what the entry says changes (the store
	// record's version): pages' ETags are made of their items' stamps.
	Stamp string
	// Record is the caller's own record of the dataset, handed back with
	// search results.
	Record any
	// Memo keeps what pages derive from this version of the item; Put
	// gives every item put a new one.
	Memo *catalogue.Memo
	// PublisherStamp is the version of the publisher filled into Entry
	// when the item is read: what a page derives from the entry and its
	// publisher is current while Memo and PublisherStamp are unchanged.
	PublisherStamp string
}

// Text fields of the text index, in the order of their boosts: a word in
// the title says more about a dataset than one in its description.
const (
	FieldTitle = 1 << iota
	FieldKeywords
	FieldDescription
)

var fieldBoosts = []float64{3, 2, 1}

// Facet dimensions. A facet key is dimension + ":" + value.
const (
	DimStatus    = "status"
	DimPublisher = "publisher"
	DimTheme     = "theme"
	DimLicence   = "licence"
	DimFormat    = "format"     // download format code, as the datasets API names it
	DimResFormat = "res_format" // distribution format label, lower case, as CKAN names it
	DimTag       = "tag"        // keyword, lower case
)

// Key is the facet key of a dimension's value.
func Key(dim, value string) string { return dim + ":" + value }

type entry struct {
	Item
	slot     uint32
	keys     []string
	modified time.Time // the dataset's own modified date
	issued   time.Time // the dataset's issued date (zero when unset)
	catMod   time.Time // Entry.Modified
	catIss   time.Time // Entry.Issued
	lower    string    // title in lower case
	extent   *opendata.BBox
}

// Index is safe for concurrent use: reads share a lock, a change takes it
// alone for the few microseconds it needs.
type Index struct {
	mu     sync.RWMutex
	slots  []*entry // by slot; nil once removed
	byID   map[string]*entry
	bySlug map[string]*entry
	text   *textrank.Index
	facets map[string]textrank.Bitset
	dims   map[string]map[string]int // dimension -> value -> items having it (for listing a facet's values)
	labels map[string]string         // key -> the value as first written, for dimensions kept in lower case
	live   textrank.Bitset
	nLive  int
	orders map[string]*order
	orgs   map[string]orgEntry
	gen    uint64
	loaded bool
	// evaluations pools queries' score arrays (see evaluation).
	evaluations sync.Pool
	// content is the XOR of a hash of every item's id and stamp: the same
	// on every instance holding the same catalogue, whatever the order the
	// changes came in.
	content [16]byte
}

type orgEntry struct {
	org   domain.Organisation
	stamp string
}

// New returns an empty index.
func New() *Index {
	ix := &Index{byID: map[string]*entry{}, bySlug: map[string]*entry{}, text: textrank.New(fieldBoosts...),
		facets: map[string]textrank.Bitset{}, dims: map[string]map[string]int{}, labels: map[string]string{},
		orgs: map[string]orgEntry{}}
	ix.orders = newOrders()
	return ix
}

// MarkLoaded records that the index holds the whole catalogue; until then
// a listing would be a partial answer (see Loaded).
func (ix *Index) MarkLoaded() {
	ix.mu.Lock()
	ix.loaded = true
	ix.mu.Unlock()
}

// Loaded reports whether the index holds the whole catalogue. Harvesters
// delete what a listing leaves out, so a caller answers "try again" until
// it does.
func (ix *Index) Loaded() bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.loaded
}

// Generation counts the changes the index has taken.
func (ix *Index) Generation() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen
}

// Len is the number of datasets of any status in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.nLive
}

// PutOrganisation adds or replaces a publisher; stamp changes whenever it does.
func (ix *Index) PutOrganisation(o domain.Organisation, stamp string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.orgs[o.ID] = orgEntry{o, stamp}
	ix.gen++
}

// DeleteOrganisation forgets a publisher.
func (ix *Index) DeleteOrganisation(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	delete(ix.orgs, id)
	ix.gen++
}

// Organisations lists the publishers by name, then id.
func (ix *Index) Organisations() []domain.Organisation {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]domain.Organisation, 0, len(ix.orgs))
	for _, o := range ix.orgs {
		out = append(out, o.org)
	}
	slices.SortFunc(out, func(a, b domain.Organisation) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return out
}

// Organisation returns one publisher.
func (ix *Index) Organisation(id string) (domain.Organisation, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	o, ok := ix.orgs[id]
	return o.org, ok
}

// orgStamp changes whenever any organisation does: pages show the
// publishers' names, and the catalogue's own publisher.
func (ix *Index) orgStamp() string {
	ids := make([]string, 0, len(ix.orgs))
	for id := range ix.orgs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(id + "=" + ix.orgs[id].stamp + ";")
	}
	return b.String()
}

// Put adds a dataset or replaces the one with the same id.
func (ix *Index) Put(it Item) {
	it.Memo = new(catalogue.Memo)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(it.Entry.Dataset.ID)
	if dead := len(ix.slots) - ix.nLive; dead > 1024 && dead > ix.nLive {
		ix.compact()
	}
	ix.add(it)
	ix.gen++
}

// Delete removes a dataset (a draft again, or gone from the store).
func (ix *Index) Delete(id string) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.remove(id) {
		ix.gen++
	}
}

func keysOf(it Item) []string {
	d := it.Entry.Dataset
	keys := []string{Key(DimStatus, string(d.Status)), Key(DimPublisher, d.Publisher), Key(DimLicence, d.Licence)}
	for _, t := range d.Themes {
		keys = append(keys, Key(DimTheme, t))
	}
	for _, f := range it.Formats {
		keys = append(keys, Key(DimFormat, f))
	}
	for _, dist := range it.Entry.Distributions {
		keys = append(keys, Key(DimResFormat, strings.ToLower(dist.Format)))
	}
	for _, k := range d.Keywords {
		keys = append(keys, Key(DimTag, strings.ToLower(k)))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// label records how a lower-cased value was written, for facet listings.
func (ix *Index) label(it Item) {
	for _, dist := range it.Entry.Distributions {
		if k := Key(DimResFormat, strings.ToLower(dist.Format)); ix.labels[k] == "" {
			ix.labels[k] = dist.Format
		}
	}
	for _, kw := range it.Entry.Dataset.Keywords {
		if k := Key(DimTag, strings.ToLower(kw)); ix.labels[k] == "" {
			ix.labels[k] = kw
		}
	}
}

func (ix *Index) add(it Item) {
	d := it.Entry.Dataset
	e := &entry{Item: it, slot: uint32(len(ix.slots)), keys: keysOf(it), modified: d.Modified.UTC(),
		catMod: it.Entry.Modified(), catIss: it.Entry.Issued(), lower: strings.ToLower(d.Title), extent: it.Entry.Extent()}
	if d.Issued != nil {
		e.issued = d.Issued.UTC()
	}
	ix.slots = append(ix.slots, e)
	ix.byID[d.ID] = e
	ix.bySlug[d.Slug] = e
	ix.text.Add(e.slot, d.Title, strings.Join(d.Keywords, ", "), d.Description)
	for _, k := range e.keys {
		b := ix.facets[k]
		b.Set(e.slot)
		ix.facets[k] = b
		dim, value, _ := strings.Cut(k, ":")
		if ix.dims[dim] == nil {
			ix.dims[dim] = map[string]int{}
		}
		ix.dims[dim][value]++
	}
	ix.live.Set(e.slot)
	ix.nLive++
	for _, o := range ix.orders {
		o.insert(ix, e.slot)
	}
	ix.toggle(e)
	ix.label(it)
}

// toggle adds or (applied again) removes an item's part of the content hash.
func (ix *Index) toggle(e *entry) {
	sum := sha256.Sum256([]byte(e.Entry.Dataset.ID + "\x00" + e.Stamp))
	for i := range ix.content {
		ix.content[i] ^= sum[i]
	}
}

// ContentStamp identifies what the index holds (every item's stamp and
// every organisation's): equal stamps, equal catalogues, on any instance.
// A page's ETag is made of it and of the request, so it is known without
// rendering the page.
func (ix *Index) ContentStamp() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sum := sha256.Sum256(append(ix.content[:], ix.orgStamp()...))
	return hex.EncodeToString(sum[:16])
}

func (ix *Index) remove(id string) bool {
	e, ok := ix.byID[id]
	if !ok {
		return false
	}
	for _, o := range ix.orders {
		o.delete(ix, e.slot)
	}
	ix.toggle(e)
	ix.text.Remove(e.slot)
	for _, k := range e.keys {
		ix.facets[k].Clear(e.slot)
		dim, value, _ := strings.Cut(k, ":")
		if ix.dims[dim][value]--; ix.dims[dim][value] == 0 {
			delete(ix.dims[dim], value)
			delete(ix.facets, k)
		}
	}
	ix.live.Clear(e.slot)
	ix.nLive--
	delete(ix.byID, id)
	if ix.bySlug[e.Entry.Dataset.Slug] == e {
		delete(ix.bySlug, e.Entry.Dataset.Slug)
	}
	ix.slots[e.slot] = nil
	return true
}

// compact renumbers the live entries from slot 0, dropping the dead slots
// replaced entries leave behind.
func (ix *Index) compact() {
	var live []Item
	for _, e := range ix.slots {
		if e != nil {
			live = append(live, e.Item)
		}
	}
	ix.slots, ix.byID, ix.bySlug = nil, map[string]*entry{}, map[string]*entry{}
	ix.text, ix.facets, ix.dims = textrank.New(fieldBoosts...), map[string]textrank.Bitset{}, map[string]map[string]int{}
	ix.live, ix.nLive, ix.orders, ix.content = nil, 0, newOrders(), [16]byte{}
	for _, it := range live {
		ix.add(it)
	}
}

// read fills in the publisher of a stored entry.
func (ix *Index) read(e *entry) Item {
	it := e.Item
	if o, ok := ix.orgs[it.Entry.Dataset.Publisher]; ok {
		it.Entry.Publisher, it.PublisherStamp = o.org, o.stamp
	} else {
		it.Entry.Publisher = domain.Organisation{ID: it.Entry.Dataset.Publisher}
	}
	return it
}

// Get finds a dataset of any status by id or slug.
func (ix *Index) Get(idOrSlug string) (Item, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	e, ok := ix.byID[idOrSlug]
	if !ok {
		e, ok = ix.bySlug[idOrSlug]
	}
	if !ok {
		return Item{}, false
	}
	return ix.read(e), true
}
