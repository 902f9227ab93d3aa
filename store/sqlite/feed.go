package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/store"
)

// The change feed is the changes table, written in the same immediate
// transaction as the record it describes. seq is taken while the transaction
// holds SQLite's single write lock, so seqs increase in commit order and a
// reader never sees seq n+1 committed before n. AUTOINCREMENT never reuses a
// seq and a rolled-back transaction gives its seq back, so the retained seqs
// are contiguous: the only missing ones are the pruned prefix. Changes relies
// on that to tell an expired cursor from a quiet feed.
const feedSchema = `
CREATE TABLE IF NOT EXISTS changes (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	op      TEXT    NOT NULL,
	coll    TEXT    NOT NULL,
	id      TEXT    NOT NULL,
	version INTEGER NOT NULL,
	at      INTEGER NOT NULL -- unix nanoseconds
);
CREATE TABLE IF NOT EXISTS feed (
	one   INTEGER PRIMARY KEY CHECK (one = 1),
	epoch TEXT NOT NULL
);
`

// defaultChangesLimit is the page size when Changes is given no limit.
const defaultChangesLimit = 1000

// cursorPrefix starts every cursor this adapter issues: "s1.<epoch>.<seq>".
// The epoch is chosen when the database is created, so a cursor from another
// (or a re-created) data directory is recognised instead of silently
// resuming at an unrelated position.
const cursorPrefix = "s1."

// openFeed creates the feed's epoch once and reads it back.
func openFeed(ctx context.Context, db *sql.DB) (string, error) {
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO feed (one, epoch) VALUES (1, ?)`, store.NewID()); err != nil {
		return "", err
	}
	var epoch string
	err := db.QueryRowContext(ctx, `SELECT epoch FROM feed WHERE one = 1`).Scan(&epoch)
	return epoch, err
}

func (s *Store) cursor(seq int64) string {
	return cursorPrefix + s.epoch + "." + strconv.FormatInt(seq, 10)
}

// parseCursor returns the seq a cursor stands after; "" is the start.
func (s *Store) parseCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	rest, ok := strings.CutPrefix(c, cursorPrefix+s.epoch+".")
	if !ok {
		return 0, fmt.Errorf("%w: cursor %q was not issued by this store", store.ErrCursorExpired, c)
	}
	seq, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || seq < 0 {
		return 0, fmt.Errorf("%w: cursor %q is malformed", store.ErrCursorExpired, c)
	}
	return seq, nil
}

var errNoMatch = errors.New("no record matched")

// write runs one record write and records its change in the same
// transaction. fn returns the record version the change reports, or
// errNoMatch when its conditional write matched nothing.
func (s *Store) write(ctx context.Context, op store.ChangeOp, coll, id string, at time.Time, fn func(tx *sql.Tx) (int64, error)) error {
	tx, err := s.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (see the DSN)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	version, err := fn(tx)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO changes (op, coll, id, version, at) VALUES (?, ?, ?, ?, ?)`,
		string(op), coll, id, version, at.UnixNano()); err != nil {
		return err
	}
	return tx.Commit()
}

// Changes returns the changes after cursor in commit order.
func (s *Store) Changes(ctx context.Context, cursor string, limit int) ([]store.Change, string, error) {
	after, err := s.parseCursor(cursor)
	if err != nil {
		return nil, cursor, err
	}
	if limit <= 0 {
		limit = defaultChangesLimit
	}
	rows, err := s.db.QueryContext(ctx,
		`SELECT seq, op, coll, id, version, at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, cursor, err
	}
	defer rows.Close()
	var out []store.Change
	for rows.Next() {
		var c store.Change
		var op string
		var at int64
		if err := rows.Scan(&c.Seq, &op, &c.Collection, &c.ID, &c.Version, &at); err != nil {
			return nil, cursor, err
		}
		c.Op, c.At = store.ChangeOp(op), time.Unix(0, at).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, cursor, err
	}
	if len(out) > 0 {
		// One statement reads one snapshot: a first seq beyond after+1 means
		// the changes between were pruned, since retained seqs are contiguous.
		if cursor != "" && out[0].Seq != after+1 {
			return nil, cursor, s.expired(cursor)
		}
		return out, s.cursor(out[len(out)-1].Seq), nil
	}
	head, oldest, err := s.feedBounds(ctx)
	if err != nil {
		return nil, cursor, err
	}
	if cursor == "" {
		return nil, s.cursor(head), nil
	}
	// A cursor beyond the head belongs to a feed this one is not (a restored
	// backup); one below it with after+1 gone was pruned. When after+1 is
	// there, it was committed after the first statement: read it next time.
	if after > head || (after < head && (oldest == 0 || oldest > after+1)) {
		return nil, cursor, s.expired(cursor)
	}
	return nil, cursor, nil
}

func (s *Store) expired(cursor string) error {
	return fmt.Errorf("%w: changes after %q were pruned (retention %s)", store.ErrCursorExpired, cursor, s.retention)
}

// feedBounds reads the highest seq ever taken and the oldest retained one
// (0 when none is retained) from one snapshot.
func (s *Store) feedBounds(ctx context.Context) (head, oldest int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0),
		coalesce((SELECT min(seq) FROM changes), 0)`).Scan(&head, &oldest)
	return head, oldest, err
}

// HeadCursor returns a cursor after the newest committed change. Nothing is
// in flight below it: a seq exists only once its transaction committed.
func (s *Store) HeadCursor(ctx context.Context) (string, error) {
	head, _, err := s.feedBounds(ctx)
	if err != nil {
		return "", err
	}
	return s.cursor(head), nil
}

// PruneChanges deletes the changes older than the retention window and
// reports how many went; the janitor calls it every janitor.Interval. It cuts
// at the first change (in seq order) young enough to keep, so what remains
// is always a contiguous run of seqs even if the clock stepped back.
func (s *Store) PruneChanges(ctx context.Context) (int64, error) {
	cutoff := time.Now().Add(-s.retention).UnixNano()
	// Most runs find nothing to do; checking first spares them the write lock.
	var oldest int64
	err := s.db.QueryRowContext(ctx, `SELECT at FROM changes ORDER BY seq LIMIT 1`).Scan(&oldest)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && oldest >= cutoff) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM changes WHERE seq < coalesce(
		(SELECT seq FROM changes WHERE at >= ? ORDER BY seq LIMIT 1),
		(SELECT max(seq) + 1 FROM changes))`, cutoff)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
