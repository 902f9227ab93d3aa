package events_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jointict/councilapi/app/events"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

// names is a consumer holding the names of a collection's records, the way
// a derived view does: rebuilt by Load, kept current by Apply.
type names struct {
	st    store.Store
	mu    sync.Mutex
	names map[string]string
	loads int
}

func (n *names) Name() string          { return "names" }
func (n *names) Collections() []string { return []string{"things"} }

func (n *names) Load(ctx context.Context) error {
	m := map[string]string{}
	err := n.st.Scan(ctx, "things", nil, func(r store.Record) error {
		var v struct{ Name string }
		if err := r.Decode(&v); err != nil {
			return err
		}
		m[r.ID] = v.Name
		return nil
	})
	n.mu.Lock()
	n.names, n.loads = m, n.loads+1
	n.mu.Unlock()
	return err
}

func (n *names) Apply(ctx context.Context, changes []store.Change) error {
	for _, c := range changes {
		rec, err := n.st.Get(ctx, "things", c.ID)
		n.mu.Lock()
		if err != nil {
			delete(n.names, c.ID)
		} else {
			var v struct{ Name string }
			rec.Decode(&v)
			n.names[c.ID] = v.Name
		}
		n.mu.Unlock()
	}
	return nil
}

func (n *names) get(id string) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.names[id]
}

// TestTwoInstancesAgreeThroughTheFeed: two buses on one data directory (as
// two server processes are) each learn of the other's writes; Sync makes a
// writer's own view current before it answers.
func TestTwoInstancesAgreeThroughTheFeed(t *testing.T) {
	dir := t.TempDir()
	open := func() store.Store {
		st, err := sqlite.Open(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	stA, stB := open(), open()
	if _, err := stA.Insert(context.Background(), "things", "before", map[string]string{"name": "loaded at start"}); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	na, nb := &names{st: stA}, &names{st: stB}
	a := events.New(stA, quiet, events.Options{Poll: 50 * time.Millisecond})
	b := events.New(stB, quiet, events.Options{Poll: 50 * time.Millisecond})
	a.Subscribe(na)
	b.Subscribe(nb)
	for _, bus := range []*events.Bus{a, b} {
		if err := bus.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer bus.Stop()
	}
	ctx := context.Background()
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if na.get("before") != "loaded at start" {
		t.Fatalf("the initial load missed a record")
	}
	if _, err := stA.Insert(ctx, "things", "x", map[string]string{"name": "written through A"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if na.get("x") != "written through A" {
		t.Fatalf("after Sync the writer's own view lacks its write")
	}
	deadline := time.Now().Add(2 * time.Second)
	for nb.get("x") != "written through A" {
		if time.Now().After(deadline) {
			t.Fatalf("instance B never saw A's write")
		}
		time.Sleep(10 * time.Millisecond)
	}
	rec, _ := stB.Get(ctx, "things", "x")
	if err := stB.Delete(ctx, "things", "x", rec.Version); err != nil {
		t.Fatal(err)
	}
	if err := b.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Second); na.get("x") != ""; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("instance A still shows a record deleted through B")
		}
	}
	for name, st := range a.Status() {
		if st != "ready" {
			t.Errorf("consumer %s is %q", name, st)
		}
	}
}
