package sqlite_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

// The child side of TestTwoProcessesShareOneDataDirectory: the test binary
// re-runs itself with these set.
const (
	childRoleEnv = "COUNCILAPI_SQLITE_CHILD_ROLE"
	childDirEnv  = "COUNCILAPI_SQLITE_CHILD_DIR"
)

const (
	childWriters    = 4
	childPerWriter  = 50
	childDeleteEach = 5  // every 5th record is deleted again
	childBlobEach   = 10 // every 10th record also stores a blob
)

// TestTwoProcessesShareOneDataDirectory runs two OS processes on one data
// directory, each writing from several goroutines while tailing the feed:
// each must see every write of both (records, feed, blobs) without an error
// (a SQLITE_BUSY that escaped the busy timeout would be one).
func TestTwoProcessesShareOneDataDirectory(t *testing.T) {
	if role := os.Getenv(childRoleEnv); role != "" {
		runChild(t, role, os.Getenv(childDirEnv))
		return
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for _, role := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestTwoProcessesShareOneDataDirectory$", "-test.v")
			cmd.Env = append(os.Environ(), childRoleEnv+"="+role, childDirEnv+"="+dir)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "--- PASS") {
				t.Errorf("process %s: %v\n%s", role, err, out)
			}
			t.Logf("process %s:\n%s", role, out)
		}()
	}
	wg.Wait()
}

func childID(role string, w, i int) string { return fmt.Sprintf("%s-%d-%02d", role, w, i) }

func childBlob(id string) []byte { return bytes.Repeat([]byte(id+";"), 20_000) }

func runChild(t *testing.T, role, dir string) {
	ctx := context.Background()
	other := map[string]string{"a": "b", "b": "a"}[role]
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.EnsureIndexes(ctx, []store.Index{{Collection: "things", Unique: []string{"code"}, Fields: []string{"name"}}}); err != nil {
		t.Fatal(err)
	}
	// Both start writing together: each waits for the other to be ready.
	if _, err := s.Insert(ctx, "ready", role, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { _, err := s.Get(ctx, "ready", other); return err == nil })

	feed := tailFeed(t, s)
	var wg sync.WaitGroup
	for w := range childWriters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range childPerWriter {
				if err := childWrite(ctx, s, childID(role, w, i), i); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if _, err := s.Insert(ctx, "done", role, map[string]string{}); err != nil {
		t.Fatal(err)
	}
	changes := feed.until(t, func(seen map[string]int) bool {
		return seen["insert done/a v1"] == 1 && seen["insert done/b v1"] == 1
	})
	t.Logf("process %s: %d distinct changes in the feed", role, len(changes))

	for _, r := range []string{role, other} {
		for w := range childWriters {
			for i := range childPerWriter {
				checkChildRecord(t, s, changes, childID(r, w, i), i)
			}
		}
	}
}

// childWrite inserts, updates and perhaps deletes one record, and stores a
// blob for some.
func childWrite(ctx context.Context, s store.Store, id string, i int) error {
	rec, err := s.Insert(ctx, "things", id, map[string]string{"name": id, "code": id})
	if err != nil {
		return err
	}
	if rec, err = s.Update(ctx, "things", id, rec.Version, map[string]string{"name": id + " edited", "code": id}); err != nil {
		return err
	}
	if i%childDeleteEach == 0 {
		if err := s.Delete(ctx, "things", id, rec.Version); err != nil {
			return err
		}
	}
	if i%childBlobEach == 0 {
		if _, err := s.PutBlob(ctx, "blobs/"+id, bytes.NewReader(childBlob(id))); err != nil {
			return err
		}
	}
	return nil
}

func checkChildRecord(t *testing.T, s store.Store, changes map[string]int, id string, i int) {
	ctx := context.Background()
	want := []string{"insert things/" + id + " v1", "update things/" + id + " v2"}
	rec, err := s.Get(ctx, "things", id)
	if i%childDeleteEach == 0 {
		want = append(want, "delete things/"+id+" v2")
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s deleted, yet Get: %v", id, err)
		}
	} else if err != nil || rec.Version != 2 || !strings.Contains(string(rec.Data), "edited") {
		t.Errorf("%s: %s v%d, %v", id, rec.Data, rec.Version, err)
	}
	for _, w := range want {
		if changes[w] != 1 {
			t.Errorf("feed has %q %d times, want once", w, changes[w])
		}
	}
	if i%childBlobEach != 0 {
		return
	}
	b, err := s.OpenBlob(ctx, "blobs/"+id)
	if err != nil {
		t.Errorf("blob of %s: %v", id, err)
		return
	}
	defer b.Close()
	got, err := io.ReadAll(b)
	path, local := store.LocalPath(b)
	onDisk, ferr := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, childBlob(id)) || !local || ferr != nil || !bytes.Equal(onDisk, got) {
		t.Errorf("blob of %s: %d bytes (%v), local file %q %v", id, len(got), err, path, ferr)
	}
}

// feedTail reads the feed in the background in small pages, checking that
// positions strictly increase across answers (the SQLite adapter's order).
type feedTail struct {
	mu   sync.Mutex
	seen map[string]int // "op coll/id vN" -> times returned
	err  error
}

func tailFeed(t *testing.T, s store.Store) *feedTail {
	f := &feedTail{seen: map[string]int{}}
	go func() {
		cursor, last := "", int64(0)
		for {
			got, next, err := s.Changes(context.Background(), cursor, 17)
			f.mu.Lock()
			if err != nil {
				f.err = err
			}
			for _, c := range got {
				if c.Seq <= last {
					f.err = fmt.Errorf("position %d after %d", c.Seq, last)
				}
				last = c.Seq
				f.seen[fmt.Sprintf("%s %s/%s v%d", c.Op, c.Collection, c.ID, c.Version)]++
			}
			stop := f.err != nil
			f.mu.Unlock()
			if stop {
				return
			}
			cursor = next
			if len(got) == 0 {
				time.Sleep(5 * time.Millisecond)
			}
		}
	}()
	return f
}

// until waits for the feed to satisfy done, then returns what it has seen.
func (f *feedTail) until(t *testing.T, done func(map[string]int) bool) map[string]int {
	t.Helper()
	var seen map[string]int
	waitFor(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.err != nil {
			t.Fatalf("feed: %v", f.err)
		}
		seen = map[string]int{}
		for k, v := range f.seen {
			seen[k] = v
		}
		return done(seen)
	})
	return seen
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("gave up waiting for the other process")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
