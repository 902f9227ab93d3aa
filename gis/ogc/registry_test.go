package ogc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestRegistryLoadingState(t *testing.T) {
	ctx := context.Background()
	r := NewRegistry()
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r.now = func() time.Time { return clock }

	if st := r.State(ctx, "trees"); st.Availability != Absent {
		t.Fatalf("an unknown id is %v", st.Availability)
	}
	if marked, err := r.PutLoading("trees"); !marked || err != nil {
		t.Fatalf("PutLoading: %v %v", marked, err)
	}
	if _, err := r.PutLoading("../etc"); err == nil {
		t.Fatal("an id that is no URL segment was accepted")
	}
	st := r.State(ctx, "trees")
	if st.Availability != Loading || !st.Since.Equal(clock) || st.Collection != nil {
		t.Fatalf("loading: %+v", st)
	}
	// Loading is not served: the list and the lookup stay as before, so
	// nothing is offered that cannot be answered.
	if _, ok := r.Collection(ctx, "trees"); ok || len(r.Collections(ctx)) != 0 {
		t.Fatal("a loading collection is served")
	}
	broken := errors.New("checksum mismatch")
	if marked, _ := r.PutFailed("lamps", broken); !marked {
		t.Fatal("PutFailed did not mark")
	}
	if _, err := r.PutFailed("lamps", nil); err == nil {
		t.Fatal("PutFailed without a reason was accepted")
	}
	pending := r.Pending(ctx)
	if len(pending) != 2 || pending[0].ID != "lamps" || pending[0].Availability != Failed || !errors.Is(pending[0].Err, broken) ||
		pending[1].ID != "trees" || pending[1].Availability != Loading {
		t.Fatalf("pending %+v", pending)
	}

	// Put ends the loading state and serves the collection.
	c := &Collection{ID: "trees", Features: mustIndex(t)}
	if err := r.Put(c); err != nil {
		t.Fatal(err)
	}
	if st := r.State(ctx, "trees"); st.Availability != Ready || st.Collection != c {
		t.Fatalf("after Put: %+v", st)
	}
	if got := r.Pending(ctx); len(got) != 1 || got[0].ID != "lamps" {
		t.Fatalf("pending after Put: %+v", got)
	}
	// A served collection keeps being served while its next version loads.
	if marked, _ := r.PutLoading("trees"); marked {
		t.Fatal("PutLoading took a served collection offline")
	}
	if got, ok := r.Collection(ctx, "trees"); !ok || got != c {
		t.Fatal("the served version went away")
	}
	if !r.Remove("lamps") || r.State(ctx, "lamps").Availability != Absent || r.Remove("lamps") {
		t.Fatal("a failed collection was not withdrawn")
	}
	if !r.Remove("trees") || len(r.Collections(ctx)) != 0 || len(r.Pending(ctx)) != 0 {
		t.Fatal("the served collection was not withdrawn")
	}
	if !slices.Equal([]string{Absent.String(), Loading.String(), Ready.String(), Failed.String()}, []string{"absent", "loading", "ready", "failed"}) {
		t.Fatal("availability names")
	}
}

// BenchmarkRegistryLoad is what start-up asks of the registry: each of
// 7,000 published collections marked loading, then put once its artefact
// opens, with the listing asked for now and then.
func BenchmarkRegistryLoad(b *testing.B) {
	ix := mustIndex(b)
	ctx := context.Background()
	for b.Loop() {
		r := NewRegistry()
		for i := range 7000 {
			id := fmt.Sprintf("collection-%05d", (i*7919)%7000)
			if _, err := r.PutLoading(id); err != nil {
				b.Fatal(err)
			}
			if err := r.Put(&Collection{ID: id, Features: ix}); err != nil {
				b.Fatal(err)
			}
			if i%500 == 0 && len(r.Collections(ctx)) != i+1 {
				b.Fatal("the listing lost a collection")
			}
		}
	}
}
