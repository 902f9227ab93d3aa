// Package store is the persistence port of councilapi: the few operations the
// domain needs, implemented by an embedded SQLite adapter (store/sqlite, the
// default) and a MongoDB adapter (store/mongo). The contract suite in
// store/storetest keeps the two equal.
//
// Records are JSON documents in named collections. Every record carries an
// optimistic version: an update names the version it read and fails with
// ErrStale when someone else wrote first, so no update is ever lost. Nothing
// here needs a multi-document transaction: publishing is done by writing
// immutable records first and then flipping one pointer in one document.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

var (
	// ErrNotFound: no record with that id (or no blob with that key).
	ErrNotFound = errors.New("not found")
	// ErrStale: the expected version did not match the stored one; nothing was written.
	ErrStale = errors.New("stale version")
	// ErrExists: a record with that id already exists; nothing was written.
	ErrExists = errors.New("already exists")
	// ErrCursorExpired: the change feed no longer holds the changes after
	// that cursor (they were pruned); reload the whole state and continue
	// from a fresh HeadCursor.
	ErrCursorExpired = errors.New("change feed cursor expired")
)

// ChangeOp says what a write did to a record.
type ChangeOp string

const (
	ChangeInsert ChangeOp = "insert"
	ChangeUpdate ChangeOp = "update"
	ChangeDelete ChangeOp = "delete"
)

// Change is one entry of the store's change feed: the record coll/id was
// written. Readers re-read the record to learn its new state, so a change
// carries no data and reading one twice is harmless.
type Change struct {
	Seq        int64 // position in the feed (see Store.Changes for its order)
	Op         ChangeOp
	Collection string
	ID         string
	Version    int64 // the record's version after the write; for a delete, the version deleted
	At         time.Time
}

// DuplicateError reports a unique constraint that a write would have broken.
type DuplicateError struct {
	Collection string
	Field      string
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s: another record already has this %s", e.Collection, e.Field)
}

// Record is one stored document.
type Record struct {
	ID      string
	Version int64 // 1 on insert, +1 on every update
	Data    json.RawMessage
	Created time.Time
	Updated time.Time
}

// Decode unmarshals the record's data into v.
func (r Record) Decode(v any) error { return json.Unmarshal(r.Data, v) }

// Op is a comparison in a Filter.
type Op string

const (
	Eq       Op = "eq"       // field equals value (for an array field: contains value)
	In       Op = "in"       // field equals any of Values (for an array field: shares one)
	Gte      Op = "gte"      // field >= value (strings compare bytewise: use RFC 3339 UTC for times)
	Lte      Op = "lte"      // field <= value
	Contains Op = "contains" // case-insensitive substring of a string field
)

// Filter restricts a listing by one top-level field of the JSON data.
// Field names are JSON member names; nested members use dots ("contact.email").
type Filter struct {
	Field  string
	Op     Op
	Value  any   // string, float64/int, bool
	Values []any // for In
}

// Sort orders a listing by a field; ties are always broken by id so paging is stable.
type Sort struct {
	Field string
	Desc  bool
}

// Query is a filtered, sorted, paged listing. Filters are ANDed. Any names
// filters that are ORed together as one group (a record matches when it
// matches at least one), for free-text search over several fields.
type Query struct {
	Filters []Filter
	Any     []Filter
	Sort    []Sort
	Offset  int
	Limit   int // 0 = no limit
}

// Page is one page of a listing with the exact number of matching records.
type Page struct {
	Records []Record
	Total   int64
}

// Index declares what a collection needs indexed. Unique fields are enforced
// by the store; Fields are indexed for filtering and sorting.
type Index struct {
	Collection string
	Unique     []string
	Fields     []string
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID         string          `json:"id"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`      // key id, or "system"/"cli"
	ActorRole  string          `json:"actorRole"`  // role of the key
	ActorOrg   string          `json:"actorOrg"`   // organisation of the key ("" for admins)
	Action     string          `json:"action"`     // e.g. "organisation.create"
	Collection string          `json:"collection"` // collection written
	RecordID   string          `json:"recordId"`
	Before     json.RawMessage `json:"before,omitempty" swaggertype:"object"`
	After      json.RawMessage `json:"after,omitempty" swaggertype:"object"`
	RequestID  string          `json:"requestId,omitempty"`
}

// AuditQuery filters the audit log; zero values match everything. Entries
// come newest first.
type AuditQuery struct {
	Collection string
	RecordID   string
	Actor      string
	Since      time.Time
	Offset     int
	Limit      int
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Key    string
	Size   int64
	SHA256 string // hex
}

// Blob is an open stored blob; Seek supports HTTP Range requests.
type Blob interface {
	io.ReadSeekCloser
	Info() BlobInfo
}

// Store is the persistence port.
type Store interface {
	// EnsureIndexes creates the declared indexes; calling it again is harmless.
	EnsureIndexes(ctx context.Context, idx []Index) error

	Get(ctx context.Context, coll, id string) (Record, error)
	// Insert writes a new record at version 1 (ErrExists, *DuplicateError).
	Insert(ctx context.Context, coll, id string, data any) (Record, error)
	// Update replaces the data of a record if its version is still expected
	// (ErrNotFound, ErrStale, *DuplicateError) and returns the new record.
	Update(ctx context.Context, coll, id string, expected int64, data any) (Record, error)
	// Delete removes a record if its version is still expected.
	Delete(ctx context.Context, coll, id string, expected int64) error
	List(ctx context.Context, coll string, q Query) (Page, error)
	// Scan calls fn for every record of a collection matching filters, in id
	// order, without holding them all in memory.
	Scan(ctx context.Context, coll string, filters []Filter, fn func(Record) error) error
	// InsertMany writes many new records at version 1 in batches; it is for
	// large immutable sets (the features of a dataset version), all-or-nothing
	// per batch, and callers make the set visible only after it is complete.
	InsertMany(ctx context.Context, coll string, ids []string, data []json.RawMessage) error
	// DeleteMatching removes the records matching filters (for discarding the
	// leftovers of an interrupted import) and reports how many went.
	DeleteMatching(ctx context.Context, coll string, filters []Filter) (int64, error)

	// Changes returns the changes recorded after cursor, at most limit
	// (limit <= 0: 1000) in position order, and the cursor to read from next
	// time. Every Insert, Update and Delete is recorded atomically with the
	// write itself (InsertMany and DeleteMatching, which serve immutable bulk
	// sets, are not). A cursor is opaque text; "" starts at the oldest
	// retained change. A change may be returned more than once, never
	// skipped; a cursor older than the retained feed (or one this store did
	// not issue) gives ErrCursorExpired.
	//
	// Readers re-read the records they are told about, because two freedoms
	// are allowed: a reader that falls behind may be given only the newest
	// change of a record (the MongoDB adapter keeps one position per record,
	// so a record's earlier changes are superseded by its latest), and a
	// write that became visible late may arrive in a later answer with a
	// lower Seq than changes already returned (MongoDB takes a position
	// before the write commits). The SQLite adapter does neither.
	Changes(ctx context.Context, cursor string, limit int) ([]Change, string, error)
	// HeadCursor returns a cursor at the newest change. A reader that loads
	// the whole state takes it first, loads, then reads Changes from it:
	// nothing written meanwhile is missed, including writes in flight when
	// HeadCursor was called (some changes may already be reflected in what
	// it loaded).
	HeadCursor(ctx context.Context) (string, error)

	AppendAudit(ctx context.Context, e AuditEntry) error
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEntry, int64, error)

	// PutBlob stores the bytes of r under key, replacing nothing: a key names
	// immutable content (ErrExists if taken).
	PutBlob(ctx context.Context, key string, r io.Reader) (BlobInfo, error)
	OpenBlob(ctx context.Context, key string) (Blob, error)
	DeleteBlob(ctx context.Context, key string) error

	Ping(ctx context.Context) error
	Close() error
}

// LocalFile is implemented by blobs that are a plain file on this machine.
type LocalFile interface {
	// LocalPath is the absolute path of the blob's file.
	LocalPath() string
}

// LocalPath returns the path of b's file when the adapter keeps blobs as
// local files (SQLite), so a caller can memory-map it instead of copying it;
// false means read it through b (MongoDB keeps blobs in GridFS: copy to a
// cache first). The file holds immutable content and must never be written.
// DeleteBlob unlinks it; a mapping or descriptor already open stays valid.
func LocalPath(b Blob) (string, bool) {
	if lf, ok := b.(LocalFile); ok {
		return lf.LocalPath(), true
	}
	return "", false
}
