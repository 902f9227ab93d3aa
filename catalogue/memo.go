package catalogue

import "sync"

// Memo keeps what is derived from one version of an entry (its part of a
// DCAT page, say), so every page listing the entry reuses it until the entry
// changes: the catalogue index gives each new version of an item a new
// Memo, and drops the old one with the old version. Each kind of value is
// kept for one key, which names everything else the value depends on (the
// base URL, the profile, the publisher); asking with another key makes the
// value again and keeps that one instead.
//
// A nil Memo keeps nothing. Memo is safe for concurrent use; two callers
// missing at once both make the value, and both get the one kept first.
type Memo struct {
	mu   sync.Mutex
	vals map[string]memoValue
}

type memoValue struct {
	key string
	v   any
}

// Memoise returns m's value of kind for key, making it with make when m has
// none for that key.
func Memoise[T any](m *Memo, kind, key string, make func() T) T {
	if m == nil {
		return make()
	}
	m.mu.Lock()
	mv, ok := m.vals[kind]
	m.mu.Unlock()
	if ok && mv.key == key {
		if v, ok := mv.v.(T); ok {
			return v
		}
	}
	v := make() // outside the lock: making a value can take a while
	m.mu.Lock()
	defer m.mu.Unlock()
	if mv, ok := m.vals[kind]; ok && mv.key == key {
		// Another caller made it meanwhile: every caller gets the value kept,
		// so what one of them adds to it (a DCAT part's other formats) is
		// not lost with a copy nobody keeps.
		if kept, ok := mv.v.(T); ok {
			return kept
		}
	}
	if m.vals == nil {
		m.vals = map[string]memoValue{}
	}
	m.vals[kind] = memoValue{key, v}
	return v
}
