package repo_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

type counter struct {
	N    int      `json:"n"`
	Tags []string `json:"tags,omitempty"`
}

func newRepo(t *testing.T) repo.Repo[counter] {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := repo.New[counter](st, "counters")
	if _, err := r.Insert(context.Background(), "c", counter{}); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestUpdateLosesNoConcurrentChange: many writers changing one record at
// once each get their change in; the optimistic retry re-reads and reapplies.
func TestUpdateLosesNoConcurrentChange(t *testing.T) {
	r := newRepo(t)
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, _, err := r.Update(context.Background(), "c", func(c *counter) error { c.N++; return nil })
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	busy := 0
	for err := range errs {
		switch {
		case errors.Is(err, repo.ErrBusy):
			busy++
		case err != nil:
			t.Fatal(err)
		}
	}
	got, m, err := r.Get(context.Background(), "c")
	if err != nil {
		t.Fatal(err)
	}
	if got.N != writers-busy || m.Version != int64(1+writers-busy) {
		t.Fatalf("counter %d at version %d after %d writers (%d gave up busy)", got.N, m.Version, writers, busy)
	}
}

// TestUpdateIfHonoursTheClientsVersion: a client's stale version is refused
// and nothing is written; Unchanged writes nothing; the change function
// cannot alter the "before" value it is given alongside.
func TestUpdateIfHonoursTheClientsVersion(t *testing.T) {
	r := newRepo(t)
	ctx := context.Background()
	if _, _, _, err := r.Update(ctx, "c", func(c *counter) error { c.Tags = []string{"a"}; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := r.UpdateIf(ctx, "c", 1, func(c *counter) error { c.N = 99; return nil }); !errors.Is(err, store.ErrStale) {
		t.Fatalf("stale If-Match: %v, want store.ErrStale", err)
	}
	before, after, m, err := r.UpdateIf(ctx, "c", 2, func(c *counter) error { c.Tags[0] = "b"; c.N = 1; return nil })
	if err != nil || m.Version != 3 {
		t.Fatalf("matching If-Match: %v at version %d", err, m.Version)
	}
	if before.Tags[0] != "a" || after.Tags[0] != "b" {
		t.Fatalf("before %v / after %v: the change must not alias the value before it", before.Tags, after.Tags)
	}
	_, _, m, err = r.Update(ctx, "c", func(*counter) error { return repo.Unchanged })
	if err != nil || m.Version != 3 {
		t.Fatalf("Unchanged wrote: %v, version %d", err, m.Version)
	}
	if _, _, _, err := r.Update(ctx, "missing", func(*counter) error { return nil }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing record: %v", err)
	}
}
