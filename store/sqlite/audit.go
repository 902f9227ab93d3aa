package sqlite

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jointict/councilapi/store"
)

// AppendAudit adds one entry; the table is only ever inserted into.
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	if e.ID == "" {
		e.ID = store.NewID()
	}
	if e.At.IsZero() {
		e.At = now()
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO audit (id, at, actor, coll, rid, entry) VALUES (?, ?, ?, ?, ?, ?)`,
		e.ID, ts(e.At.UTC()), e.Actor, e.Collection, e.RecordID, string(raw))
	return err
}

// ListAudit returns entries newest first with the exact total.
func (s *Store) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, int64, error) {
	var conds []string
	var args []any
	add := func(c string, v any) { conds = append(conds, c); args = append(args, v) }
	if q.Collection != "" {
		add("coll = ?", q.Collection)
	}
	if q.RecordID != "" {
		add("rid = ?", q.RecordID)
	}
	if q.Actor != "" {
		add("actor = ?", q.Actor)
	}
	if !q.Since.IsZero() {
		add("at >= ?", ts(q.Since.UTC()))
	}
	where := "1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	var total int64
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM audit WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, "SELECT entry FROM audit WHERE "+where+" ORDER BY seq DESC LIMIT ? OFFSET ?",
		append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, 0, err
		}
		var e store.AuditEntry
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}
