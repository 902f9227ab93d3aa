package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jointict/councilapi/store"
)

// sqlValue converts a filter value to what json_extract returns for it:
// SQLite has no boolean type, JSON true/false extract as 1/0.
func sqlValue(v any) any {
	if b, ok := v.(bool); ok {
		if b {
			return 1
		}
		return 0
	}
	return v
}

// condition renders one filter. An Eq/In on a field holding an array matches
// when the array holds the value, as MongoDB does.
func condition(f store.Filter) (string, []any, error) {
	if err := store.CheckField(f.Field); err != nil {
		return "", nil, err
	}
	p := jsonPath(f.Field)
	ex := "json_extract(data, " + p + ")"
	switch f.Op {
	case store.Eq:
		v := sqlValue(f.Value)
		return fmt.Sprintf(`(CASE json_type(data, %s) WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(data, %s) WHERE value = ?) ELSE %s = ? END)`, p, p, ex),
			[]any{v, v}, nil
	case store.In:
		if len(f.Values) == 0 {
			return "0", nil, nil
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(f.Values)), ",")
		args := make([]any, 0, 2*len(f.Values))
		for _, v := range f.Values {
			args = append(args, sqlValue(v))
		}
		args = append(args, args...)
		return fmt.Sprintf(`(CASE json_type(data, %s) WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(data, %s) WHERE value IN (%s)) ELSE %s IN (%s) END)`, p, p, marks, ex, marks),
			args, nil
	case store.Gte:
		return ex + " >= ?", []any{sqlValue(f.Value)}, nil
	case store.Lte:
		return ex + " <= ?", []any{sqlValue(f.Value)}, nil
	case store.Contains:
		s, _ := f.Value.(string)
		return "instr(lower(" + ex + "), lower(?)) > 0", []any{s}, nil
	}
	return "", nil, fmt.Errorf("store: unknown filter op %q", f.Op)
}

func whereClause(coll string, filters, anyOf []store.Filter) (string, []any, error) {
	if err := store.CheckCollection(coll); err != nil {
		return "", nil, err
	}
	// The collection is inlined (it passed CheckCollection) so SQLite can use
	// the partial indexes, whose WHERE names it literally.
	parts := []string{"coll = '" + coll + "'"}
	var args []any
	for _, f := range filters {
		c, a, err := condition(f)
		if err != nil {
			return "", nil, err
		}
		parts = append(parts, c)
		args = append(args, a...)
	}
	if len(anyOf) > 0 {
		var ors []string
		for _, f := range anyOf {
			c, a, err := condition(f)
			if err != nil {
				return "", nil, err
			}
			ors = append(ors, c)
			args = append(args, a...)
		}
		parts = append(parts, "("+strings.Join(ors, " OR ")+")")
	}
	return strings.Join(parts, " AND "), args, nil
}

// List returns one page and the exact total.
func (s *Store) List(ctx context.Context, coll string, q store.Query) (store.Page, error) {
	where, args, err := whereClause(coll, q.Filters, q.Any)
	if err != nil {
		return store.Page{}, err
	}
	var page store.Page
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM records WHERE "+where, args...).Scan(&page.Total); err != nil {
		return page, err
	}
	order := make([]string, 0, len(q.Sort)+1)
	for _, so := range q.Sort {
		if err := store.CheckField(so.Field); err != nil {
			return page, err
		}
		dir := "ASC"
		if so.Desc {
			dir = "DESC"
		}
		order = append(order, "json_extract(data, "+jsonPath(so.Field)+") "+dir)
	}
	order = append(order, "id ASC")
	sqlText := "SELECT id, version, data, created, updated FROM records WHERE " + where + " ORDER BY " + strings.Join(order, ", ")
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	sqlText += " LIMIT ? OFFSET ?"
	args = append(args, limit, max(q.Offset, 0))
	rows, err := s.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		rec, err := scanRecord(rows)
		if err != nil {
			return page, err
		}
		page.Records = append(page.Records, rec)
	}
	return page, rows.Err()
}

type rowScanner interface{ Scan(dest ...any) error }

func scanRecord(r rowScanner) (store.Record, error) {
	var rec store.Record
	var data, created, updated string
	if err := r.Scan(&rec.ID, &rec.Version, &data, &created, &updated); err != nil {
		return rec, err
	}
	rec.Data, rec.Created, rec.Updated = json.RawMessage(data), parseTS(created), parseTS(updated)
	return rec, nil
}

// Scan streams matching records in id order. It pages by id so that no read
// transaction stays open while fn runs (fn may write to the store).
func (s *Store) Scan(ctx context.Context, coll string, filters []store.Filter, fn func(store.Record) error) error {
	where, args, err := whereClause(coll, filters, nil)
	if err != nil {
		return err
	}
	const batch = 2000
	after := ""
	for {
		q := "SELECT id, version, data, created, updated FROM records WHERE " + where + " AND id > ? ORDER BY id LIMIT ?"
		rows, err := s.db.QueryContext(ctx, q, append(append([]any{}, args...), after, batch)...)
		if err != nil {
			return err
		}
		var recs []store.Record
		for rows.Next() {
			rec, err := scanRecord(rows)
			if err != nil {
				rows.Close()
				return err
			}
			recs = append(recs, rec)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, rec := range recs {
			if err := fn(rec); err != nil {
				return err
			}
		}
		if len(recs) < batch {
			return nil
		}
		after = recs[len(recs)-1].ID
	}
}
