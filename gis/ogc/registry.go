package ogc

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry is an in-memory Catalog. Readers load one immutable snapshot
// without locking; writers copy the snapshot, change the copy and swap it in,
// so a request sees either the old or the new version of a collection,
// never a mix.
type Registry struct {
	mu   sync.Mutex // serialises writers
	snap atomic.Pointer[snapshot]
}

type snapshot struct {
	byID  map[string]*Collection
	order []*Collection // sorted by id
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	r := &Registry{}
	r.snap.Store(&snapshot{byID: map[string]*Collection{}})
	return r
}

// Put adds or replaces a collection after validating it. The collection
// and its index must not be modified afterwards.
func (r *Registry) Put(c *Collection) error {
	if err := c.Validate(); err != nil {
		return err
	}
	r.swap(func(m map[string]*Collection) { m[c.ID] = c })
	return nil
}

// Remove withdraws a collection; it reports whether there was one.
func (r *Registry) Remove(id string) bool {
	_, had := r.snap.Load().byID[id]
	r.swap(func(m map[string]*Collection) { delete(m, id) })
	return had
}

func (r *Registry) swap(change func(map[string]*Collection)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := maps.Clone(r.snap.Load().byID)
	change(m)
	order := slices.Collect(maps.Values(m))
	slices.SortFunc(order, func(a, b *Collection) int { return strings.Compare(a.ID, b.ID) })
	r.snap.Store(&snapshot{byID: m, order: order})
}

// Collections lists every collection, sorted by id.
func (r *Registry) Collections(context.Context) []*Collection { return r.snap.Load().order }

// Collection finds one collection.
func (r *Registry) Collection(_ context.Context, id string) (*Collection, bool) {
	c, ok := r.snap.Load().byID[id]
	return c, ok
}
