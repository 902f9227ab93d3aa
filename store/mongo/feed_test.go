package mongo

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/storetest"
)

var thingsIndex = []store.Index{{Collection: "things", Unique: []string{"code"}}}

func openTest(t *testing.T, uri, db string, opt Options) *Store {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	opt.BatchSize = 100
	s, err := Open(context.Background(), u.String(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.EnsureIndexes(context.Background(), thingsIndex); err != nil {
		t.Fatal(err)
	}
	return s
}

func ids(cs []store.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// TestFeedWriteLandingLateIsReturned holds one write between taking its
// position and writing, lets a later write land first, and checks that
// both a reader already past the later write and a HeadCursor taken while
// the first was in flight are given it when it lands.
func TestFeedWriteLandingLateIsReturned(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, StartFerretDB(t), "late", Options{})
	start, _ := s.HeadCursor(ctx)

	taken, release := make(chan int64), make(chan struct{})
	var held atomic.Bool
	s.afterPosition = func(pos int64) {
		if held.CompareAndSwap(false, true) { // the first write only
			taken <- pos
			<-release
		}
	}
	slowDone := make(chan error)
	go func() {
		_, err := s.Insert(ctx, "things", "slow", map[string]string{"name": "slow"})
		slowDone <- err
	}()
	slowPos := <-taken
	if _, err := s.Insert(ctx, "things", "fast", map[string]string{"name": "fast"}); err != nil {
		t.Fatal(err)
	}
	head, err := s.HeadCursor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, c1 := storetest.Read(t, s, start, 0)
	if fmt.Sprint(ids(got)) != "[fast]" {
		t.Fatalf("while slow is in flight: %v, want [fast]", ids(got))
	}
	close(release)
	if err := <-slowDone; err != nil {
		t.Fatal(err)
	}
	got, _ = storetest.Read(t, s, c1, 0)
	if fmt.Sprint(ids(got)) != "[slow]" || got[0].Seq != slowPos {
		t.Fatalf("after slow landed: %+v, want slow at %d", got, slowPos)
	}
	got, _ = storetest.Read(t, s, head, 0)
	if fmt.Sprint(ids(got)) != "[slow]" {
		t.Fatalf("from the HeadCursor taken while slow was in flight: %v, want [slow]", ids(got))
	}
}

// TestFeedCursorForgetsAfterGapTimeout: a position taken by a write that
// failed holds the cursor's safe point back only for the gap timeout; the
// cursor then remembers nothing.
func TestFeedCursorForgetsAfterGapTimeout(t *testing.T) {
	ctx := context.Background()
	const gap = 300 * time.Millisecond
	s := openTest(t, StartFerretDB(t), "gap", Options{GapTimeout: gap})
	if _, err := s.Insert(ctx, "things", "a", map[string]string{"name": "a"}); err != nil {
		t.Fatal(err)
	}
	c, _ := s.HeadCursor(ctx)
	if _, err := s.Update(ctx, "things", "a", 7, map[string]string{"name": "stale"}); err == nil {
		t.Fatal("stale update succeeded")
	}
	if _, err := s.Insert(ctx, "things", "b", map[string]string{"name": "b"}); err != nil {
		t.Fatal(err)
	}
	got, c := storetest.Read(t, s, c, 0)
	if fmt.Sprint(ids(got)) != "[b]" {
		t.Fatalf("changes: %v", ids(got))
	}
	held, _ := decodeCursor(c)
	if len(held.gaps) != 1 || held.gaps[0].from != got[0].Seq-1 || held.safe >= held.gaps[0].from {
		t.Fatalf("the failed write's position is not held as a gap: %+v", held)
	}
	time.Sleep(2 * gap)
	got0 := got[0]
	got, c = storetest.Read(t, s, c, 0)
	after, _ := decodeCursor(c)
	if len(got) != 0 || len(after.seen) != 0 || len(after.gaps) != 0 || after.safe != got0.Seq {
		t.Fatalf("after the gap timeout: %v, cursor %+v (was %+v)", ids(got), after, held)
	}
}

// TestFeedRepeatedPositionReturned writes a second document at a position
// already returned, as two processes on FerretDB can: it is returned too.
func TestFeedRepeatedPositionReturned(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, StartFerretDB(t), "repeat", Options{})
	if !s.positionsMayRepeat {
		t.Fatal("FerretDB not recognised")
	}
	c, _ := s.HeadCursor(ctx)
	if _, err := s.Insert(ctx, "things", "a", map[string]string{"name": "a"}); err != nil {
		t.Fatal(err)
	}
	got, c := storetest.Read(t, s, c, 0)
	if len(got) != 1 {
		t.Fatalf("changes: %v", ids(got))
	}
	coll, _ := s.coll("things")
	empty, _ := bson.Marshal(bson.D{})
	twin := stored{ID: "twin", Version: 1, Data: empty, Created: now(), Updated: now(), Pos: got[0].Seq, Op: opInsert}
	if _, err := coll.InsertOne(ctx, twin); err != nil {
		t.Fatal(err)
	}
	got, _ = storetest.Read(t, s, c, 0)
	if fmt.Sprint(ids(got)) != "[twin]" {
		t.Fatalf("second change at a returned position: %v, want [twin]", ids(got))
	}
}

// TestFeedTwoInstances runs two adapters (as two processes would, each
// with its own locks and position mutex) on one FerretDB database, writing
// concurrently: each one's feed tells it the final state of every record.
func TestFeedTwoInstances(t *testing.T) {
	ctx := context.Background()
	uri := StartFerretDB(t)
	a, b := openTest(t, uri, "two", Options{}), openTest(t, uri, "two", Options{})
	starts := map[*Store]string{}
	for _, s := range []*Store{a, b} {
		starts[s], _ = s.HeadCursor(ctx)
	}
	var wg sync.WaitGroup
	final := sync.Map{} // id -> final version (-v when deleted)
	for w := range 6 {
		s := []*Store{a, b}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 8 {
				id := fmt.Sprintf("w%d-%d", w, i)
				rec, err := s.Insert(ctx, "things", id, map[string]string{"name": id})
				if err == nil && i%2 == 0 {
					rec, err = s.Update(ctx, "things", id, 1, map[string]string{"name": id + "!"})
				}
				v := rec.Version
				if err == nil && i%3 == 0 {
					err, v = s.Delete(ctx, "things", id, rec.Version), -v
				}
				if err != nil {
					t.Error(err)
					return
				}
				final.Store(id, v)
			}
		}()
	}
	wg.Wait()
	for _, s := range []*Store{a, b} {
		latest := map[string]int64{}
		cursor := starts[s]
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, next := storetest.Read(t, s, cursor, 5)
			for _, c := range got {
				v := c.Version
				if c.Op == store.ChangeDelete {
					v = -v
				}
				latest[c.ID] = v // one writer per record, answers in order per record
			}
			cursor = next
			missing := 0
			final.Range(func(k, v any) bool {
				if latest[k.(string)] != v.(int64) {
					missing++
				}
				return true
			})
			if missing == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d records' final state never reached this instance's feed", missing)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func TestBlobHasNoLocalPath(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, StartFerretDB(t), "blob", Options{})
	if _, err := s.PutBlob(ctx, "k", bytes.NewReader([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	b, err := s.OpenBlob(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if p, ok := store.LocalPath(b); ok {
		t.Fatalf("GridFS blob claims a local file %q", p)
	}
}

// TestPruneRemovesTombstones: the janitor's step purges a tombstone older
// than the retention window from the collection itself.
func TestPruneRemovesTombstones(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, StartFerretDB(t), "purge", Options{ChangeRetention: 20 * time.Millisecond})
	if _, err := s.Insert(ctx, "things", "x", map[string]string{"code": "X"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "things", "x", 1); err != nil {
		t.Fatal(err)
	}
	coll, _ := s.coll("things")
	if n, _ := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: "x"}}); n != 1 {
		t.Fatalf("tombstone documents: %d, want 1", n)
	}
	time.Sleep(50 * time.Millisecond)
	if gone, err := s.PruneChanges(ctx); err != nil || gone != 1 {
		t.Fatalf("PruneChanges: %d, %v", gone, err)
	}
	if n, _ := coll.CountDocuments(ctx, bson.D{{Key: "_id", Value: "x"}}); n != 0 {
		t.Fatalf("tombstone still there after pruning")
	}
}
