package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jointict/councilapi/store"
)

// feedDeadline bounds how long a test waits for changes to arrive: writes
// have all returned by then, so this is only a guard against a hang.
const feedDeadline = 30 * time.Second

// Read returns the changes after cursor until the feed has nothing more,
// checking that each answer is in position order, and the cursor after them.
func Read(t *testing.T, s store.Store, cursor string, limit int) ([]store.Change, string) {
	t.Helper()
	var all []store.Change
	for {
		got, next, err := s.Changes(context.Background(), cursor, limit)
		if err != nil {
			t.Fatalf("Changes(%q): %v", cursor, err)
		}
		checkAnswerOrder(t, got)
		if limit > 0 && len(got) > limit && got[limit-1].Seq != got[len(got)-1].Seq {
			t.Fatalf("Changes(limit %d) returned %d changes", limit, len(got))
		}
		all, cursor = append(all, got...), next
		if len(got) == 0 {
			return all, cursor
		}
	}
}

func checkAnswerOrder(t *testing.T, got []store.Change) {
	t.Helper()
	for i := 1; i < len(got); i++ {
		if got[i].Seq < got[i-1].Seq {
			t.Fatalf("one answer out of position order: %d after %d", got[i].Seq, got[i-1].Seq)
		}
	}
}

func head(t *testing.T, s store.Store) string {
	t.Helper()
	c, err := s.HeadCursor(context.Background())
	if err != nil {
		t.Fatalf("HeadCursor: %v", err)
	}
	return c
}

type change struct {
	op      store.ChangeOp
	coll    string
	id      string
	version int64
}

func (c change) String() string { return fmt.Sprintf("%s %s/%s v%d", c.op, c.coll, c.id, c.version) }

func summarise(cs []store.Change) []change {
	out := make([]change, len(cs))
	for i, c := range cs {
		out[i] = change{c.Op, c.Collection, c.ID, c.Version}
	}
	return out
}

// expectChanges reads the feed after cursor and wants exactly want, in order.
func expectChanges(t *testing.T, s store.Store, cursor string, want ...change) string {
	t.Helper()
	got, next := Read(t, s, cursor, 0)
	if fmt.Sprint(summarise(got)) != fmt.Sprint(want) {
		t.Fatalf("feed after the write: %v, want %v", summarise(got), want)
	}
	for _, c := range got {
		if c.At.IsZero() || c.Seq <= 0 {
			t.Fatalf("change without position or time: %+v", c)
		}
	}
	return next
}

func testFeedRecordsEachWrite(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := head(t, s)
	if _, err := s.Insert(ctx, "things", "x", doc{Name: "one", Code: "X1"}); err != nil {
		t.Fatal(err)
	}
	c = expectChanges(t, s, c, change{store.ChangeInsert, "things", "x", 1})
	if _, err := s.Update(ctx, "things", "x", 1, doc{Name: "two", Code: "X1"}); err != nil {
		t.Fatal(err)
	}
	c = expectChanges(t, s, c, change{store.ChangeUpdate, "things", "x", 2})

	// Writes that fail record nothing.
	if _, err := s.Update(ctx, "things", "x", 1, doc{Name: "stale"}); !errors.Is(err, store.ErrStale) {
		t.Fatalf("stale update: %v", err)
	}
	if err := s.Delete(ctx, "things", "x", 1); !errors.Is(err, store.ErrStale) {
		t.Fatalf("stale delete: %v", err)
	}
	if _, err := s.Insert(ctx, "things", "x", doc{Name: "again"}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("insert of a taken id: %v", err)
	}
	var dup *store.DuplicateError
	if _, err := s.Insert(ctx, "things", "y", doc{Name: "dup", Code: "X1"}); !errors.As(err, &dup) {
		t.Fatalf("insert of a duplicate: %v", err)
	}
	c = expectChanges(t, s, c)

	if err := s.Delete(ctx, "things", "x", 2); err != nil {
		t.Fatal(err)
	}
	c = expectChanges(t, s, c, change{store.ChangeDelete, "things", "x", 2})
	if p, err := s.List(ctx, "things", store.Query{}); err != nil || p.Total != 0 || len(p.Records) != 0 {
		t.Fatalf("listing after the only record was deleted: %d records, %v", p.Total, err)
	}
	if err := s.Scan(ctx, "things", nil, func(r store.Record) error { return fmt.Errorf("scan found deleted %s", r.ID) }); err != nil {
		t.Fatal(err)
	}
	// A deleted id can be used again, and a collection no index declared
	// is in the feed too.
	if _, err := s.Insert(ctx, "things", "x", doc{Name: "reborn", Code: "X1"}); err != nil {
		t.Fatalf("insert after delete: %v", err)
	}
	if _, err := s.Insert(ctx, "notes", "n", map[string]string{"text": "undeclared"}); err != nil {
		t.Fatal(err)
	}
	expectChanges(t, s, c, change{store.ChangeInsert, "things", "x", 1}, change{store.ChangeInsert, "notes", "n", 1})
	if got, err := s.Get(ctx, "things", "x"); err != nil || decode(t, got).Name != "reborn" || got.Version != 1 {
		t.Fatalf("re-inserted record: %+v %v", got, err)
	}
}

// testFeedConcurrentWriters has many goroutines insert, update and delete
// while a reader tails the feed. A reader may be told only the newest change
// of a record it fell behind on, so what must hold is: every change it is
// told of happened, and for every record it is told of the final state.
func testFeedConcurrentWriters(t *testing.T, s store.Store) {
	ctx := context.Background()
	start := head(t, s)
	const writers, perWriter = 8, 8
	type state struct {
		version int64
		deleted bool
	}
	final := make([]map[string]state, writers)
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		final[w] = map[string]state{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				id := fmt.Sprintf("w%d-%02d", w, i)
				rec, err := s.Insert(ctx, "things", id, doc{Name: id})
				if err == nil && i%2 == 0 {
					rec, err = s.Update(ctx, "things", id, rec.Version, doc{Name: id + " edited"})
				}
				st := state{version: rec.Version}
				if err == nil && i%3 == 0 {
					err, st.deleted = s.Delete(ctx, "things", id, rec.Version), true
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d record %s: %w", w, id, err)
					return
				}
				final[w][id] = st
			}
		}()
	}

	latest := map[string]state{} // newest change seen per record
	cursor := start
	poll := func() int {
		got, next, err := s.Changes(ctx, cursor, 7)
		if err != nil {
			t.Fatalf("Changes: %v", err)
		}
		checkAnswerOrder(t, got)
		for _, c := range got {
			if c.Collection != "things" {
				t.Fatalf("change of a collection nobody wrote: %+v", c)
			}
			if (c.Op == store.ChangeInsert && c.Version != 1) || (c.Op == store.ChangeUpdate && c.Version < 2) {
				t.Fatalf("impossible change %+v", c)
			}
			prev := latest[c.ID]
			if c.Version > prev.version || (c.Version == prev.version && c.Op == store.ChangeDelete) {
				latest[c.ID] = state{c.Version, c.Op == store.ChangeDelete}
			}
		}
		cursor = next
		return len(got)
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	writing := true
	for writing {
		select {
		case <-done:
			writing = false
		default:
			if poll() == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	caughtUp := func() bool {
		for w := range writers {
			for id, st := range final[w] {
				if latest[id] != st {
					return false
				}
			}
		}
		return true
	}
	deadline := time.Now().Add(feedDeadline)
	for !caughtUp() {
		if time.Now().After(deadline) {
			for w := range writers {
				for id, st := range final[w] {
					if latest[id] != st {
						t.Errorf("record %s: newest change seen %+v, final state %+v", id, latest[id], st)
					}
				}
			}
			t.Fatal("the feed skipped changes")
		}
		if poll() == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if len(latest) != writers*perWriter {
		t.Fatalf("changes of %d records, want %d", len(latest), writers*perWriter)
	}
}

func testFeedHeadCursor(t *testing.T, s store.Store) {
	ctx := context.Background()
	for _, id := range []string{"before1", "before2"} {
		if _, err := s.Insert(ctx, "things", id, doc{Name: id}); err != nil {
			t.Fatal(err)
		}
	}
	h := head(t, s)
	if _, err := s.Insert(ctx, "things", "after", doc{Name: "after"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "things", "before1", 1, doc{Name: "edited after"}); err != nil {
		t.Fatal(err)
	}
	got, _ := Read(t, s, h, 0)
	var later []change
	for _, c := range summarise(got) {
		if c.version == 1 && (c.id == "before1" || c.id == "before2") {
			continue // already reflected in what a reader loaded after HeadCursor
		}
		later = append(later, c)
	}
	want := []change{{store.ChangeInsert, "things", "after", 1}, {store.ChangeUpdate, "things", "before1", 2}}
	if fmt.Sprint(later) != fmt.Sprint(want) {
		t.Fatalf("changes after HeadCursor: %v, want %v", summarise(got), want)
	}
	// The head of a store with nothing new gives nothing.
	if got, _ := Read(t, s, head(t, s), 0); len(got) != 0 {
		t.Fatalf("changes after the current head: %v", summarise(got))
	}
}

func testFeedPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	c := head(t, s)
	const n = 25
	for i := range n {
		if _, err := s.Insert(ctx, "things", fmt.Sprintf("p%02d", i), doc{Name: "page"}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	var lastSeq int64
	for _, want := range []int{10, 10, 5, 0} {
		got, next, err := s.Changes(ctx, c, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Fatalf("page of %d changes, want %d", len(got), want)
		}
		for _, ch := range got {
			if ch.Seq <= lastSeq {
				t.Fatalf("paging went back: %d after %d", ch.Seq, lastSeq)
			}
			lastSeq = ch.Seq
			ids = append(ids, ch.ID)
		}
		c = next
	}
	for i, id := range ids {
		if id != fmt.Sprintf("p%02d", i) {
			t.Fatalf("pages out of write order: %v", ids)
		}
	}
}

func testFeedCursorExpires(t *testing.T, open Opener) {
	ctx := context.Background()
	const retention = 50 * time.Millisecond
	s := openIndexed(t, open, "expiry", retention)
	p, ok := s.(Pruner)
	if !ok {
		t.Fatalf("%T has no PruneChanges", s)
	}
	old := head(t, s)
	if _, err := s.Insert(ctx, "things", "gone", doc{Name: "gone"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "things", "gone", 1); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * retention)
	if _, err := p.PruneChanges(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Changes(ctx, old, 0); !errors.Is(err, store.ErrCursorExpired) {
		t.Fatalf("cursor from before pruned changes: %v, want ErrCursorExpired", err)
	}
	// Reopened with the default retention (so nothing more is pruned while
	// the test runs), the cursor is still expired; a reader that reloads
	// continues from a fresh head, and "" starts at the oldest change kept.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openIndexed(t, open, "expiry", 0)
	if _, _, err := s.Changes(ctx, old, 0); !errors.Is(err, store.ErrCursorExpired) {
		t.Fatalf("after reopening, cursor from before pruned changes: %v, want ErrCursorExpired", err)
	}
	fresh := head(t, s)
	if _, err := s.Insert(ctx, "things", "new", doc{Name: "new"}); err != nil {
		t.Fatal(err)
	}
	expectChanges(t, s, fresh, change{store.ChangeInsert, "things", "new", 1})
	got, _ := Read(t, s, "", 0)
	if len(got) == 0 || got[len(got)-1].ID != "new" {
		t.Fatalf(`changes from "": %v, want to end with the new insert`, summarise(got))
	}
	for _, c := range got {
		if c.ID == "gone" {
			t.Fatalf(`changes from "" hold a pruned change: %v`, summarise(got))
		}
	}
	if _, _, err := s.Changes(ctx, "not a cursor", 0); !errors.Is(err, store.ErrCursorExpired) {
		t.Fatalf("a cursor this store did not issue: %v, want ErrCursorExpired", err)
	}
}

func testFeedCursorSurvivesReopen(t *testing.T, open Opener) {
	ctx := context.Background()
	s := openIndexed(t, open, "reopen", 0)
	if _, err := s.Insert(ctx, "things", "a", doc{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	c := head(t, s)
	if _, err := s.Insert(ctx, "things", "b", doc{Name: "b"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openIndexed(t, open, "reopen", 0)
	if _, err := s.Insert(ctx, "things", "c", doc{Name: "c"}); err != nil {
		t.Fatal(err)
	}
	expectChanges(t, s, c, change{store.ChangeInsert, "things", "b", 1}, change{store.ChangeInsert, "things", "c", 1})
}
