// Package repo gives the application layer typed repositories over the
// generic store: one collection of one Go type each, so no use case handles
// raw records, and one optimistic update helper instead of a hand-written
// "get, change, write, retry when stale" loop per use case.
package repo

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

// Meta is what the store knows about a record besides its data: enough for
// an ETag and for optimistic writes.
type Meta struct {
	ID      string
	Version int64
	Created time.Time
	Updated time.Time
}

// ETag is the entity tag of this record version.
func (m Meta) ETag() string { return `"` + m.ID + "-" + strconv.FormatInt(m.Version, 10) + `"` }

func metaOf(r store.Record) Meta {
	return Meta{ID: r.ID, Version: r.Version, Created: r.Created, Updated: r.Updated}
}

// Repo is the typed repository of one collection.
type Repo[T any] struct {
	st   store.Store
	coll string
}

// New returns the repository of coll holding values of T.
func New[T any](st store.Store, coll string) Repo[T] { return Repo[T]{st: st, coll: coll} }

// Collection is the stored collection's name (for audit entries).
func (r Repo[T]) Collection() string { return r.coll }

// Store is the underlying store, for the few operations a repository does
// not wrap (blobs, the audit log).
func (r Repo[T]) Store() store.Store { return r.st }

// Get reads one record.
func (r Repo[T]) Get(ctx context.Context, id string) (T, Meta, error) {
	var v T
	rec, err := r.st.Get(ctx, r.coll, id)
	if err != nil {
		return v, Meta{}, err
	}
	err = rec.Decode(&v)
	return v, metaOf(rec), err
}

// Insert writes a new record at version 1.
func (r Repo[T]) Insert(ctx context.Context, id string, v T) (Meta, error) {
	rec, err := r.st.Insert(ctx, r.coll, id, v)
	return metaOf(rec), err
}

// Replace writes v over the record if it is still at version expected
// (store.ErrStale otherwise): for a client's If-Match.
func (r Repo[T]) Replace(ctx context.Context, id string, expected int64, v T) (Meta, error) {
	rec, err := r.st.Update(ctx, r.coll, id, expected, v)
	return metaOf(rec), err
}

// Delete removes the record if it is still at version expected.
func (r Repo[T]) Delete(ctx context.Context, id string, expected int64) error {
	return r.st.Delete(ctx, r.coll, id, expected)
}

// maxAttempts bounds the optimistic retries of Update. Each attempt re-reads
// the record, so only a record written continuously by others runs out.
const maxAttempts = 20

// ErrBusy is returned when Update kept losing to other writers.
var ErrBusy = &domain.Error{Code: domain.CodeConflict,
	Message: "the record is being changed by many requests at once; retry the request"}

// Unchanged may be returned by an Update change function to say that there is
// nothing to write; Update then returns the record as read, without error.
var Unchanged = errors.New("unchanged")

// Update applies change to the latest stored value and writes it, retrying
// from a fresh read whenever another writer got there first. change may run
// more than once, so it must depend only on its argument. It returns the
// value before and after the change and the written record's meta.
func (r Repo[T]) Update(ctx context.Context, id string, change func(*T) error) (before, after T, m Meta, err error) {
	return r.UpdateIf(ctx, id, 0, change)
}

// UpdateIf is Update with a client's precondition: when expected is not 0
// the record must still be at that version (store.ErrStale otherwise, never
// retried, since the client's view is out of date).
func (r Repo[T]) UpdateIf(ctx context.Context, id string, expected int64, change func(*T) error) (before, after T, m Meta, err error) {
	for range maxAttempts {
		rec, gerr := r.st.Get(ctx, r.coll, id)
		if gerr != nil {
			return before, after, m, gerr
		}
		m = metaOf(rec)
		// Two decodings, so change cannot alias before's maps and slices.
		var cur, next T
		if err = rec.Decode(&cur); err == nil {
			err = rec.Decode(&next)
		}
		if err != nil {
			return before, after, m, err
		}
		before = cur
		if expected != 0 && m.Version != expected {
			return cur, cur, m, store.ErrStale
		}
		if err = change(&next); err != nil {
			if errors.Is(err, Unchanged) {
				return before, before, m, nil
			}
			return before, next, m, err
		}
		written, werr := r.st.Update(ctx, r.coll, id, m.Version, next)
		if werr == nil {
			return before, next, metaOf(written), nil
		}
		if !errors.Is(werr, store.ErrStale) || expected != 0 {
			return before, next, m, werr
		}
	}
	return before, after, m, ErrBusy
}

// List returns one page of a filtered, sorted listing and the total.
func (r Repo[T]) List(ctx context.Context, q store.Query) ([]T, int64, error) {
	page, err := r.st.List(ctx, r.coll, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]T, 0, len(page.Records))
	for _, rec := range page.Records {
		var v T
		if err := rec.Decode(&v); err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, page.Total, nil
}

// Scan calls fn for every matching record in id order without holding them
// all in memory.
func (r Repo[T]) Scan(ctx context.Context, filters []store.Filter, fn func(T, Meta) error) error {
	return r.st.Scan(ctx, r.coll, filters, func(rec store.Record) error {
		var v T
		if err := rec.Decode(&v); err != nil {
			return err
		}
		return fn(v, metaOf(rec))
	})
}
