// Package sqlite is the embedded store adapter: one SQLite file
// (councilapi.db) in WAL mode under the data directory, blobs as files beside
// it. It is the default because it needs no server and survives kill -9: WAL
// with synchronous=NORMAL never leaves a half-written transaction visible.
//
// Several processes may open one data directory at once (SQLite's WAL
// locking is multi-process on a local file system, not on NFS): writes queue
// on the write lock for up to the busy timeout, every committed write is
// visible to all of them, and each sees every change in the feed (feed.go).
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/internal/janitor"

	"modernc.org/sqlite" // the pure-Go "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the database file inside the data directory.
const FileName = "councilapi.db"

// Options tunes the adapter; the zero value is the default.
type Options struct {
	// ChangeRetention is how long the change feed keeps a change (default 7
	// days); a cursor older than that gives store.ErrCursorExpired.
	ChangeRetention time.Duration
}

// Store implements store.Store on SQLite.
type Store struct {
	db        *sql.DB
	blobDir   string
	epoch     string // the change feed's, see cursorPrefix
	retention time.Duration
	janitor   *janitor.Janitor

	mu      sync.Mutex
	uniques map[string]string // index name -> field, to name the field in a DuplicateError
}

var _ store.Store = (*Store)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS records (
	coll    TEXT    NOT NULL,
	id      TEXT    NOT NULL,
	version INTEGER NOT NULL,
	data    TEXT    NOT NULL,
	created TEXT    NOT NULL,
	updated TEXT    NOT NULL,
	PRIMARY KEY (coll, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit (
	seq   INTEGER PRIMARY KEY AUTOINCREMENT,
	id    TEXT NOT NULL UNIQUE,
	at    TEXT NOT NULL,
	actor TEXT NOT NULL,
	coll  TEXT NOT NULL,
	rid   TEXT NOT NULL,
	entry TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_record ON audit(coll, rid);
CREATE TABLE IF NOT EXISTS blobs (
	key    TEXT PRIMARY KEY,
	file   TEXT NOT NULL,
	size   INTEGER NOT NULL,
	sha256 TEXT NOT NULL
);
`

// Open opens (creating if needed) the store in dataDir with default options.
func Open(ctx context.Context, dataDir string) (*Store, error) {
	return OpenWith(ctx, dataDir, Options{})
}

// OpenWith opens (creating if needed) the store in dataDir.
func OpenWith(ctx context.Context, dataDir string, opt Options) (*Store, error) {
	dataDir, err := filepath.Abs(dataDir) // blob paths handed out stay valid if the process changes directory
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "blobs"), 0o750); err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	path := filepath.Join(dataDir, FileName)
	// _txlock=immediate takes the write lock at BEGIN, so two writers (in one
	// process or several) queue on busy_timeout instead of failing with
	// SQLITE_BUSY on lock upgrade. The pragmas run in order when a
	// connection opens: busy_timeout comes first so that it covers the
	// others.
	dsn := "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(10000)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	db.SetMaxOpenConns(8)
	if err := createSchema(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store: creating schema in %s: %w", path, err)
	}
	epoch, err := openFeed(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite store: change feed in %s: %w", path, err)
	}
	s := &Store{db: db, blobDir: filepath.Join(dataDir, "blobs"), epoch: epoch,
		retention: cmp.Or(opt.ChangeRetention, janitor.DefaultRetention), uniques: map[string]string{}}
	s.janitor = janitor.Start(janitor.Interval(s.retention), func(ctx context.Context) error {
		_, err := s.PruneChanges(ctx)
		return err
	})
	return s, nil
}

// createSchema creates the tables, retrying while another process holds
// the database: turning a new database to WAL takes it exclusively, and
// SQLite answers SQLITE_BUSY at once rather than waiting on the busy
// timeout, so two servers started together on a new directory could fail
// (TestTwoProcessesShareOneDataDirectory did, once in a full test run).
func createSchema(ctx context.Context, db *sql.DB) error {
	wait := 10 * time.Millisecond
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := db.ExecContext(ctx, schema+feedSchema)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Close stops the janitor and closes the database; WAL contents are
// checkpointed by SQLite.
func (s *Store) Close() error {
	s.janitor.Stop()
	return s.db.Close()
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

func indexName(kind, coll, field string) string {
	return kind + "_" + coll + "_" + strings.ReplaceAll(field, ".", "__")
}

func jsonPath(field string) string { return "'$." + field + "'" }

// EnsureIndexes creates partial expression indexes per collection. Names are
// checked against strict patterns before they are put into SQL text.
func (s *Store) EnsureIndexes(ctx context.Context, idx []store.Index) error {
	for _, ix := range idx {
		if err := store.CheckCollection(ix.Collection); err != nil {
			return err
		}
		for _, list := range [][]string{ix.Unique, ix.Fields} {
			for _, f := range list {
				if err := store.CheckField(f); err != nil {
					return err
				}
			}
		}
		for _, f := range ix.Unique {
			name := indexName("u", ix.Collection, f)
			q := fmt.Sprintf(`CREATE UNIQUE INDEX IF NOT EXISTS %s ON records(coll, json_extract(data, %s)) WHERE coll = '%s'`,
				name, jsonPath(f), ix.Collection)
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("sqlite store: unique index on %s.%s: %w", ix.Collection, f, err)
			}
			s.mu.Lock()
			s.uniques[name] = f
			s.mu.Unlock()
		}
		for _, f := range ix.Fields {
			q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON records(coll, json_extract(data, %s)) WHERE coll = '%s'`,
				indexName("i", ix.Collection, f), jsonPath(f), ix.Collection)
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("sqlite store: index on %s.%s: %w", ix.Collection, f, err)
			}
		}
	}
	return nil
}

var uniqueIndexInError = regexp.MustCompile(`index '(u_[A-Za-z0-9_]+)'`)

// mapWriteError turns SQLite constraint failures into the port's errors.
func (s *Store) mapWriteError(coll string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !strings.Contains(msg, "UNIQUE constraint failed") {
		return err
	}
	if m := uniqueIndexInError.FindStringSubmatch(msg); m != nil {
		s.mu.Lock()
		field := s.uniques[m[1]]
		s.mu.Unlock()
		return &store.DuplicateError{Collection: coll, Field: field}
	}
	if strings.Contains(msg, "records.coll, records.id") {
		return store.ErrExists
	}
	return err
}

func now() time.Time { return time.Now().UTC() }

func marshal(data any) (json.RawMessage, error) {
	if raw, ok := data.(json.RawMessage); ok {
		if !json.Valid(raw) {
			return nil, errors.New("store: data is not valid JSON")
		}
		return raw, nil
	}
	return json.Marshal(data)
}

func ts(t time.Time) string { return t.Format(time.RFC3339Nano) }

func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// Get reads one record.
func (s *Store) Get(ctx context.Context, coll, id string) (store.Record, error) {
	var rec store.Record
	var data, created, updated string
	err := s.db.QueryRowContext(ctx,
		`SELECT version, data, created, updated FROM records WHERE coll = ? AND id = ?`, coll, id).
		Scan(&rec.Version, &data, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, store.ErrNotFound
	}
	if err != nil {
		return rec, err
	}
	rec.ID, rec.Data, rec.Created, rec.Updated = id, json.RawMessage(data), parseTS(created), parseTS(updated)
	return rec, nil
}

// Insert writes a new record at version 1.
func (s *Store) Insert(ctx context.Context, coll, id string, data any) (store.Record, error) {
	if err := store.CheckCollection(coll); err != nil {
		return store.Record{}, err
	}
	raw, err := marshal(data)
	if err != nil {
		return store.Record{}, err
	}
	t := now()
	err = s.write(ctx, store.ChangeInsert, coll, id, t, func(tx *sql.Tx) (int64, error) {
		_, err := tx.ExecContext(ctx,
			`INSERT INTO records (coll, id, version, data, created, updated) VALUES (?, ?, 1, ?, ?, ?)`,
			coll, id, string(raw), ts(t), ts(t))
		return 1, err
	})
	if err != nil {
		// A unique index may fire before the primary key does: a taken id wins.
		if _, gerr := s.Get(ctx, coll, id); gerr == nil {
			return store.Record{}, store.ErrExists
		}
		return store.Record{}, s.mapWriteError(coll, err)
	}
	return store.Record{ID: id, Version: 1, Data: raw, Created: t, Updated: t}, nil
}

// Update replaces a record's data when its version is still expected.
func (s *Store) Update(ctx context.Context, coll, id string, expected int64, data any) (store.Record, error) {
	raw, err := marshal(data)
	if err != nil {
		return store.Record{}, err
	}
	t := now()
	var created string
	err = s.write(ctx, store.ChangeUpdate, coll, id, t, func(tx *sql.Tx) (int64, error) {
		err := tx.QueryRowContext(ctx,
			`UPDATE records SET data = ?, version = version + 1, updated = ?
			 WHERE coll = ? AND id = ? AND version = ? RETURNING created`,
			string(raw), ts(t), coll, id, expected).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errNoMatch
		}
		return expected + 1, err
	})
	if errors.Is(err, errNoMatch) {
		if _, gerr := s.Get(ctx, coll, id); gerr != nil {
			return store.Record{}, gerr
		}
		return store.Record{}, store.ErrStale
	}
	if err != nil {
		return store.Record{}, s.mapWriteError(coll, err)
	}
	return store.Record{ID: id, Version: expected + 1, Data: raw, Created: parseTS(created), Updated: t}, nil
}

// Delete removes a record when its version is still expected.
func (s *Store) Delete(ctx context.Context, coll, id string, expected int64) error {
	err := s.write(ctx, store.ChangeDelete, coll, id, now(), func(tx *sql.Tx) (int64, error) {
		res, err := tx.ExecContext(ctx, `DELETE FROM records WHERE coll = ? AND id = ? AND version = ?`, coll, id, expected)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0, errNoMatch
		}
		return expected, nil
	})
	if errors.Is(err, errNoMatch) {
		if _, gerr := s.Get(ctx, coll, id); gerr != nil {
			return gerr
		}
		return store.ErrStale
	}
	return err
}

// InsertMany inserts records in transactions of up to 5,000 rows.
func (s *Store) InsertMany(ctx context.Context, coll string, ids []string, data []json.RawMessage) error {
	if len(ids) != len(data) {
		return errors.New("store: InsertMany needs one id per record")
	}
	if err := store.CheckCollection(coll); err != nil {
		return err
	}
	const batch = 5000
	for start := 0; start < len(ids); start += batch {
		end := min(start+batch, len(ids))
		if err := s.insertBatch(ctx, coll, ids[start:end], data[start:end]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertBatch(ctx context.Context, coll string, ids []string, data []json.RawMessage) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx,
		`INSERT INTO records (coll, id, version, data, created, updated) VALUES (?, ?, 1, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	t := ts(now())
	for i, id := range ids {
		if _, err := stmt.ExecContext(ctx, coll, id, string(data[i]), t, t); err != nil {
			return s.mapWriteError(coll, err)
		}
	}
	return tx.Commit()
}

// DeleteMatching removes the records matching filters.
func (s *Store) DeleteMatching(ctx context.Context, coll string, filters []store.Filter) (int64, error) {
	where, args, err := whereClause(coll, filters, nil)
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM records WHERE `+where, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
