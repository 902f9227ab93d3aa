package ogc

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Registry is an in-memory Catalog. A collection and its index are
// immutable once put, so a request sees either the old or the new version
// of a collection, never a mix.
//
// Besides the collections it serves, it knows the ones that are published
// but not servable yet (their artefact is loading) or at all (it failed to
// load), so the HTTP layer can answer 503 with Retry-After rather than 404
// and /readyz can name them.
//
// A change costs a map update: the sorted listing is made again when it is
// next asked for. (Copying and sorting a snapshot of every collection at
// each change made loading 7,000 collections at start-up take 32 s, most of
// it sorting.)
type Registry struct {
	mu      sync.RWMutex
	byID    map[string]*Collection
	pending map[string]CollectionState
	order   []*Collection // sorted by id, never changed in place; stale when sorted is false
	sorted  bool
	now     func() time.Time
}

// Availability is what a registry knows of a collection id.
type Availability uint8

// The availabilities of a collection id.
const (
	// Absent: never published, or withdrawn (404).
	Absent Availability = iota
	// Loading: published, its artefact is being opened or built (503 with
	// Retry-After).
	Loading
	// Ready: served.
	Ready
	// Failed: published, but its artefact could not be opened or built
	// (503; Err says why, for the log and /readyz).
	Failed
)

func (a Availability) String() string {
	switch a {
	case Loading:
		return "loading"
	case Ready:
		return "ready"
	case Failed:
		return "failed"
	}
	return "absent"
}

// CollectionState is a collection id's availability.
type CollectionState struct {
	ID           string
	Availability Availability
	// Collection is set when Ready.
	Collection *Collection
	// Since is when it began loading or failed.
	Since time.Time
	// Err is why it failed.
	Err error
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byID: map[string]*Collection{}, pending: map[string]CollectionState{}, sorted: true, now: time.Now}
}

// Put adds or replaces a collection after validating it, ending any
// loading or failed state of its id. The collection and its index must not
// be modified afterwards.
func (r *Registry) Put(c *Collection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID[c.ID] = c
	delete(r.pending, c.ID)
	r.sorted = false
	return nil
}

// PutLoading records that collection id is published and its artefact is
// loading. An id already served keeps being served (its previous version,
// until Put swaps in the new one), so PutLoading then changes nothing and
// reports false.
func (r *Registry) PutLoading(id string) (bool, error) {
	return r.putPending(CollectionState{ID: id, Availability: Loading})
}

// PutFailed records that collection id is published but its artefact
// could not be loaded, and why. As with PutLoading, an id already served
// keeps being served and nothing changes (false).
func (r *Registry) PutFailed(id string, err error) (bool, error) {
	if err == nil {
		return false, fmt.Errorf("PutFailed of %q needs the error that made it fail", id)
	}
	return r.putPending(CollectionState{ID: id, Availability: Failed, Err: err})
}

func (r *Registry) putPending(st CollectionState) (bool, error) {
	if err := (&Collection{ID: st.ID}).validateID(); err != nil {
		return false, err
	}
	st.Since = r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ready := r.byID[st.ID]; ready {
		return false, nil
	}
	r.pending[st.ID] = st
	return true, nil
}

// Remove withdraws a collection, served or pending; it reports whether
// there was one.
func (r *Registry) Remove(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, served := r.byID[id]
	_, pending := r.pending[id]
	delete(r.byID, id)
	delete(r.pending, id)
	r.sorted = r.sorted && !served
	return served || pending
}

// Collections lists every served collection, sorted by id. The list is
// shared: callers must not change it.
func (r *Registry) Collections(context.Context) []*Collection {
	r.mu.RLock()
	order, sorted := r.order, r.sorted
	r.mu.RUnlock()
	if sorted {
		return order
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.sorted {
		r.order = slices.SortedFunc(maps.Values(r.byID), func(a, b *Collection) int { return strings.Compare(a.ID, b.ID) })
		r.sorted = true
	}
	return r.order
}

// Collection finds one served collection.
func (r *Registry) Collection(_ context.Context, id string) (*Collection, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.byID[id]
	return c, ok
}

// State tells whether id is served, loading, failed or unknown.
func (r *Registry) State(_ context.Context, id string) CollectionState {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if c, ok := r.byID[id]; ok {
		return CollectionState{ID: id, Availability: Ready, Collection: c}
	}
	if st, ok := r.pending[id]; ok {
		return st
	}
	return CollectionState{ID: id}
}

// Pending lists the collections loading or failed, sorted by id: what
// /readyz reports.
func (r *Registry) Pending(context.Context) []CollectionState {
	r.mu.RLock()
	out := slices.Collect(maps.Values(r.pending))
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b CollectionState) int { return strings.Compare(a.ID, b.ID) })
	return out
}
