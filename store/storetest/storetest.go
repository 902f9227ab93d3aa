// Package storetest is the contract every store adapter must honour. Each
// adapter's tests call Run with an Opener.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jointict/councilapi/store"
)

type doc struct {
	Name     string   `json:"name"`
	Code     string   `json:"code,omitempty"`
	Size     int      `json:"size"`
	Tags     []string `json:"tags,omitempty"`
	Active   bool     `json:"active"`
	Modified string   `json:"modified,omitempty"`
	Contact  struct {
		Email string `json:"email,omitempty"`
	} `json:"contact"`
}

// Opener opens the store kept under name (a data directory, a database).
// The first open of a name gives an empty store; opening the name again
// after closing it must give back the same data, as a restart does. The
// opener closes what it opened when t ends; closing twice must be harmless.
// retention is the change feed's retention window (0: the adapter default).
type Opener func(t *testing.T, name string, retention time.Duration) store.Store

// Pruner is what the suite needs besides the port to test the feed's
// retention: each adapter prunes in the background and exposes the same
// step for tests and operators.
type Pruner interface {
	PruneChanges(ctx context.Context) (int64, error)
}

var thingsIndex = []store.Index{{Collection: "things", Unique: []string{"code", "contact.email"}, Fields: []string{"name", "size"}}}

// Run runs the contract suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"InsertGet", testInsertGet},
		{"OptimisticVersion", testOptimisticVersion},
		{"ConcurrentUpdatesOneWins", testConcurrentUpdates},
		{"Unique", testUnique},
		{"ListFilterSortPage", testList},
		{"ScanAndBulk", testScanAndBulk},
		{"Audit", testAudit},
		{"Blobs", testBlobs},
		{"FeedRecordsEachWrite", testFeedRecordsEachWrite},
		{"FeedConcurrentWritersNoneSkipped", testFeedConcurrentWriters},
		{"FeedHeadCursor", testFeedHeadCursor},
		{"FeedPaging", testFeedPaging},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, openIndexed(t, open, fmt.Sprintf("t%d", i), 0))
		})
	}
	t.Run("FeedCursorExpires", func(t *testing.T) { testFeedCursorExpires(t, open) })
	t.Run("FeedCursorSurvivesReopen", func(t *testing.T) { testFeedCursorSurvivesReopen(t, open) })
}

// openIndexed opens a store and declares the suite's indexes the way
// start-up does, twice (declaring them again must be harmless).
func openIndexed(t *testing.T, open Opener, name string, retention time.Duration) store.Store {
	t.Helper()
	s := open(t, name, retention)
	for range 2 {
		if err := s.EnsureIndexes(context.Background(), thingsIndex); err != nil {
			t.Fatalf("EnsureIndexes: %v", err)
		}
	}
	return s
}

func decode(t *testing.T, r store.Record) doc {
	t.Helper()
	var d doc
	if err := r.Decode(&d); err != nil {
		t.Fatalf("decode %s: %v", r.Data, err)
	}
	return d
}

func testInsertGet(t *testing.T, s store.Store) {
	ctx := context.Background()
	in := doc{Name: "Bolsover", Code: "E07000033", Size: 3, Tags: []string{"a", "b"}, Active: true}
	rec, err := s.Insert(ctx, "things", "bdc", in)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version != 1 {
		t.Fatalf("insert version = %d, want 1", rec.Version)
	}
	got, err := s.Get(ctx, "things", "bdc")
	if err != nil {
		t.Fatal(err)
	}
	if d := decode(t, got); d.Name != in.Name || d.Code != in.Code || d.Size != 3 || len(d.Tags) != 2 || !d.Active {
		t.Fatalf("read back %+v, want %+v", d, in)
	}
	if got.Version != 1 || got.Created.IsZero() {
		t.Fatalf("record meta %+v", got)
	}
	if _, err := s.Insert(ctx, "things", "bdc", in); !errors.Is(err, store.ErrExists) {
		t.Fatalf("second insert with same id: %v, want ErrExists", err)
	}
	if _, err := s.Get(ctx, "things", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get missing: %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx, "other", "bdc"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("collections must be separate: %v", err)
	}
}

func testOptimisticVersion(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.Insert(ctx, "things", "x", doc{Name: "one"}); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Update(ctx, "things", "x", 1, doc{Name: "two"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version != 2 {
		t.Fatalf("version after update = %d, want 2", rec.Version)
	}
	if _, err := s.Update(ctx, "things", "x", 1, doc{Name: "stale"}); !errors.Is(err, store.ErrStale) {
		t.Fatalf("stale update: %v, want ErrStale", err)
	}
	got, _ := s.Get(ctx, "things", "x")
	if d := decode(t, got); d.Name != "two" || got.Version != 2 {
		t.Fatalf("stale update changed the record: %+v v%d", d, got.Version)
	}
	if _, err := s.Update(ctx, "things", "missing", 1, doc{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update missing: %v, want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "things", "x", 1); !errors.Is(err, store.ErrStale) {
		t.Fatalf("stale delete: %v, want ErrStale", err)
	}
	if err := s.Delete(ctx, "things", "x", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "things", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func testConcurrentUpdates(t *testing.T, s store.Store) {
	ctx := context.Background()
	if _, err := s.Insert(ctx, "things", "c", doc{Name: "start"}); err != nil {
		t.Fatal(err)
	}
	const writers = 8
	var wg sync.WaitGroup
	results := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = s.Update(ctx, "things", "c", 1, doc{Name: fmt.Sprintf("writer %d", i)})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range results {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, store.ErrStale):
		default:
			t.Fatalf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d writers won with the same version, want exactly 1", wins)
	}
	got, _ := s.Get(ctx, "things", "c")
	if got.Version != 2 {
		t.Fatalf("version = %d, want 2", got.Version)
	}
}

func testUnique(t *testing.T, s store.Store) {
	ctx := context.Background()
	a := doc{Name: "a", Code: "E07000033"}
	a.Contact.Email = "a@example.org"
	if _, err := s.Insert(ctx, "things", "a", a); err != nil {
		t.Fatal(err)
	}
	// Records without the field do not clash with each other.
	if _, err := s.Insert(ctx, "things", "n1", doc{Name: "n1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, "things", "n2", doc{Name: "n2"}); err != nil {
		t.Fatalf("two records without a unique field clash: %v", err)
	}
	_, err := s.Insert(ctx, "things", "b", doc{Name: "b", Code: "E07000033"})
	var dup *store.DuplicateError
	if !errors.As(err, &dup) || dup.Field != "code" {
		t.Fatalf("duplicate code: %v, want DuplicateError on code", err)
	}
	b := doc{Name: "b", Code: "E07000035"}
	b.Contact.Email = "a@example.org"
	if _, err := s.Insert(ctx, "things", "b", b); !errors.As(err, &dup) || dup.Field != "contact.email" {
		t.Fatalf("duplicate nested field: %v, want DuplicateError on contact.email", err)
	}
	if _, err := s.Insert(ctx, "things", "b", doc{Name: "b", Code: "E07000035"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(ctx, "things", "b", 1, doc{Name: "b", Code: "E07000033"}); !errors.As(err, &dup) {
		t.Fatalf("update to a duplicate: %v, want DuplicateError", err)
	}
	got, _ := s.Get(ctx, "things", "b")
	if decode(t, got).Code != "E07000035" || got.Version != 1 {
		t.Fatalf("a rejected update changed the record")
	}
	if _, err := s.Get(ctx, "things", "zz"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
}

func testList(t *testing.T, s store.Store) {
	ctx := context.Background()
	names := []string{"Delta", "alpha", "Charlie", "bravo", "Echo", "foxtrot"}
	for i, n := range names {
		d := doc{Name: n, Size: i % 3, Active: i%2 == 0, Modified: fmt.Sprintf("2026-0%d-01T00:00:00Z", i+1)}
		if i < 3 {
			d.Tags = []string{"tree", fmt.Sprintf("t%d", i)}
		}
		if _, err := s.Insert(ctx, "things", fmt.Sprintf("id%d", i), d); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(p store.Page) []string {
		var out []string
		for _, r := range p.Records {
			out = append(out, r.ID)
		}
		return out
	}
	check := func(label string, q store.Query, wantTotal int64, want ...string) {
		t.Helper()
		p, err := s.List(ctx, "things", q)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if p.Total != wantTotal || fmt.Sprint(ids(p)) != fmt.Sprint(want) {
			t.Fatalf("%s: got total %d %v, want %d %v", label, p.Total, ids(p), wantTotal, want)
		}
	}
	check("all by id", store.Query{}, 6, "id0", "id1", "id2", "id3", "id4", "id5")
	check("eq number", store.Query{Filters: []store.Filter{{Field: "size", Op: store.Eq, Value: 1}}}, 2, "id1", "id4")
	check("eq bool", store.Query{Filters: []store.Filter{{Field: "active", Op: store.Eq, Value: true}}}, 3, "id0", "id2", "id4")
	check("eq in array", store.Query{Filters: []store.Filter{{Field: "tags", Op: store.Eq, Value: "tree"}}}, 3, "id0", "id1", "id2")
	check("in array", store.Query{Filters: []store.Filter{{Field: "tags", Op: store.In, Values: []any{"t0", "t2", "zz"}}}}, 2, "id0", "id2")
	check("in scalar", store.Query{Filters: []store.Filter{{Field: "name", Op: store.In, Values: []any{"Echo", "alpha"}}}}, 2, "id1", "id4")
	check("range", store.Query{Filters: []store.Filter{
		{Field: "modified", Op: store.Gte, Value: "2026-02-01T00:00:00Z"},
		{Field: "modified", Op: store.Lte, Value: "2026-04-01T00:00:00Z"}}}, 3, "id1", "id2", "id3")
	check("contains any case", store.Query{Filters: []store.Filter{{Field: "name", Op: store.Contains, Value: "ARL"}}}, 1, "id2")
	check("any of", store.Query{Any: []store.Filter{{Field: "name", Op: store.Contains, Value: "alp"}, {Field: "name", Op: store.Contains, Value: "fox"}}}, 2, "id1", "id5")
	check("sort desc with id tie-break", store.Query{Sort: []store.Sort{{Field: "size", Desc: true}}}, 6, "id2", "id5", "id1", "id4", "id0", "id3")
	check("page", store.Query{Sort: []store.Sort{{Field: "size"}}, Offset: 2, Limit: 2}, 6, "id1", "id4")
	check("past the end", store.Query{Offset: 10, Limit: 5}, 6)
	check("no match", store.Query{Filters: []store.Filter{{Field: "name", Op: store.Eq, Value: "none"}}}, 0)
}

func testScanAndBulk(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 2500
	ids := make([]string, n)
	data := make([]json.RawMessage, n)
	for i := range n {
		ids[i] = fmt.Sprintf("v1-%06d", i)
		data[i] = json.RawMessage(fmt.Sprintf(`{"name":"f%d","size":%d,"code":"c%d"}`, i, i%10, i))
	}
	if err := s.InsertMany(ctx, "things", ids, data); err != nil {
		t.Fatal(err)
	}
	seen := 0
	last := ""
	err := s.Scan(ctx, "things", []store.Filter{{Field: "size", Op: store.Eq, Value: 3}}, func(r store.Record) error {
		if r.ID <= last {
			return fmt.Errorf("scan out of order: %s after %s", r.ID, last)
		}
		last = r.ID
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != n/10 {
		t.Fatalf("scan saw %d, want %d", seen, n/10)
	}
	gone, err := s.DeleteMatching(ctx, "things", []store.Filter{{Field: "size", Op: store.Lte, Value: 4}})
	if err != nil {
		t.Fatal(err)
	}
	if gone != n/2 {
		t.Fatalf("DeleteMatching removed %d, want %d", gone, n/2)
	}
	p, _ := s.List(ctx, "things", store.Query{Limit: 1})
	if p.Total != n/2 {
		t.Fatalf("after delete total = %d, want %d", p.Total, n/2)
	}
}

func testAudit(t *testing.T, s store.Store) {
	ctx := context.Background()
	base := time.Now().UTC().Add(-time.Hour)
	for i := range 5 {
		e := store.AuditEntry{At: base.Add(time.Duration(i) * time.Minute), Actor: fmt.Sprintf("key%d", i%2),
			Action: "thing.update", Collection: "things", RecordID: fmt.Sprintf("r%d", i%3),
			Before: json.RawMessage(`{"n":1}`), After: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
		if err := s.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all, total, err := s.ListAudit(ctx, store.AuditQuery{})
	if err != nil || total != 5 || len(all) != 5 {
		t.Fatalf("audit: %v total=%d len=%d", err, total, len(all))
	}
	if string(all[0].After) != `{"n":4}` || string(all[4].After) != `{"n":0}` {
		t.Fatalf("audit not newest first: %s ... %s", all[0].After, all[4].After)
	}
	if all[0].ID == "" || all[0].ID == all[1].ID {
		t.Fatalf("audit ids must be assigned and unique")
	}
	byActor, total, _ := s.ListAudit(ctx, store.AuditQuery{Actor: "key1"})
	if total != 2 || len(byActor) != 2 {
		t.Fatalf("by actor: %d", total)
	}
	byRecord, total, _ := s.ListAudit(ctx, store.AuditQuery{Collection: "things", RecordID: "r0", Limit: 1})
	if total != 2 || len(byRecord) != 1 {
		t.Fatalf("by record paged: total %d len %d", total, len(byRecord))
	}
	recent, total, _ := s.ListAudit(ctx, store.AuditQuery{Since: base.Add(150 * time.Second)})
	if total != 2 || len(recent) != 2 {
		t.Fatalf("since: total %d", total)
	}
}

func testBlobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	content := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB
	info, err := s.PutBlob(ctx, "datasets/x/v1/data.csv", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(content)) || len(info.SHA256) != 64 {
		t.Fatalf("blob info %+v", info)
	}
	if _, err := s.PutBlob(ctx, "datasets/x/v1/data.csv", bytes.NewReader(nil)); !errors.Is(err, store.ErrExists) {
		t.Fatalf("overwriting a blob: %v, want ErrExists", err)
	}
	b, err := s.OpenBlob(ctx, "datasets/x/v1/data.csv")
	if err != nil {
		t.Fatal(err)
	}
	if b.Info().SHA256 != info.SHA256 || b.Info().Size != info.Size {
		t.Fatalf("open info %+v, want %+v", b.Info(), info)
	}
	if _, err := b.Seek(555_555, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	part := make([]byte, 7)
	if _, err := io.ReadFull(b, part); err != nil || string(part) != "5678901" {
		t.Fatalf("ranged read %q %v", part, err)
	}
	if _, err := b.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(b)
	if err != nil || !bytes.Equal(all, content) {
		t.Fatalf("full read: %d bytes, %v", len(all), err)
	}
	if path, ok := store.LocalPath(b); ok {
		onDisk, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(onDisk, content) {
			t.Fatalf("LocalPath %s: %d bytes, %v; want the blob's content", path, len(onDisk), err)
		}
	}
	b.Close()
	if err := s.DeleteBlob(ctx, "datasets/x/v1/data.csv"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenBlob(ctx, "datasets/x/v1/data.csv"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("open deleted blob: %v", err)
	}
}
