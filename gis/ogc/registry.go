package ogc

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Registry is an in-memory Catalog. Readers load one immutable snapshot
// without locking; writers copy the snapshot, change the copy and swap it in,
// so a request sees either the old or the new version of a collection,
// never a mix.
//
// Besides the collections it serves, it knows the ones that are published
// but not servable yet (their artefact is loading) or at all (it failed to
// load), so the HTTP layer can answer 503 with Retry-After rather than 404
// and /readyz can name them.
type Registry struct {
	mu   sync.Mutex // serialises writers
	snap atomic.Pointer[snapshot]
	now  func() time.Time
}

type snapshot struct {
	byID    map[string]*Collection
	order   []*Collection // sorted by id
	pending map[string]CollectionState
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
	r := &Registry{now: time.Now}
	r.snap.Store(&snapshot{byID: map[string]*Collection{}, pending: map[string]CollectionState{}})
	return r
}

// Put adds or replaces a collection after validating it, ending any
// loading or failed state of its id. The collection and its index must not
// be modified afterwards.
func (r *Registry) Put(c *Collection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	r.swap(func(s *snapshot) {
		s.byID[c.ID] = c
		delete(s.pending, c.ID)
	})
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
	marked := false
	r.swap(func(s *snapshot) {
		if _, ready := s.byID[st.ID]; !ready {
			s.pending[st.ID] = st
			marked = true
		}
	})
	return marked, nil
}

// Remove withdraws a collection, served or pending; it reports whether
// there was one.
func (r *Registry) Remove(id string) bool {
	had := r.State(context.Background(), id).Availability != Absent
	r.swap(func(s *snapshot) {
		delete(s.byID, id)
		delete(s.pending, id)
	})
	return had
}

func (r *Registry) swap(change func(*snapshot)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.snap.Load()
	s := &snapshot{byID: maps.Clone(old.byID), pending: maps.Clone(old.pending)}
	change(s)
	s.order = slices.Collect(maps.Values(s.byID))
	slices.SortFunc(s.order, func(a, b *Collection) int { return strings.Compare(a.ID, b.ID) })
	r.snap.Store(s)
}

// Collections lists every served collection, sorted by id.
func (r *Registry) Collections(context.Context) []*Collection { return r.snap.Load().order }

// Collection finds one served collection.
func (r *Registry) Collection(_ context.Context, id string) (*Collection, bool) {
	c, ok := r.snap.Load().byID[id]
	return c, ok
}

// State tells whether id is served, loading, failed or unknown.
func (r *Registry) State(_ context.Context, id string) CollectionState {
	s := r.snap.Load()
	if c, ok := s.byID[id]; ok {
		return CollectionState{ID: id, Availability: Ready, Collection: c}
	}
	if st, ok := s.pending[id]; ok {
		return st
	}
	return CollectionState{ID: id}
}

// Pending lists the collections loading or failed, sorted by id: what
// /readyz reports.
func (r *Registry) Pending(context.Context) []CollectionState {
	s := r.snap.Load()
	out := slices.Collect(maps.Values(s.pending))
	slices.SortFunc(out, func(a, b CollectionState) int { return strings.Compare(a.ID, b.ID) })
	return out
}
