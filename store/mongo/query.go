package mongo

import (
	"context"
	"fmt"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jointict/councilapi/store"
)

func condition(f store.Filter) (bson.D, error) {
	if err := store.CheckField(f.Field); err != nil {
		return nil, err
	}
	key := "d." + f.Field
	switch f.Op {
	case store.Eq:
		return bson.D{{Key: key, Value: f.Value}}, nil
	case store.In:
		vals := f.Values
		if vals == nil {
			vals = []any{}
		}
		return bson.D{{Key: key, Value: bson.D{{Key: "$in", Value: vals}}}}, nil
	case store.Gte:
		return bson.D{{Key: key, Value: bson.D{{Key: "$gte", Value: f.Value}}}}, nil
	case store.Lte:
		return bson.D{{Key: key, Value: bson.D{{Key: "$lte", Value: f.Value}}}}, nil
	case store.Contains:
		s, _ := f.Value.(string)
		return bson.D{{Key: key, Value: bson.D{{Key: "$regex", Value: regexp.QuoteMeta(s)}, {Key: "$options", Value: "i"}}}}, nil
	}
	return nil, fmt.Errorf("store: unknown filter op %q", f.Op)
}

// filterDoc ANDs filters (as an explicit $and, so two conditions on one field
// do not overwrite each other) and ORs anyOf; tombstones never match.
func filterDoc(filters, anyOf []store.Filter) (bson.D, error) {
	and := bson.A{bson.D{{Key: "o", Value: bson.D{{Key: "$ne", Value: opTombstone}}}}}
	for _, f := range filters {
		c, err := condition(f)
		if err != nil {
			return nil, err
		}
		and = append(and, c)
	}
	if len(anyOf) > 0 {
		var or bson.A
		for _, f := range anyOf {
			c, err := condition(f)
			if err != nil {
				return nil, err
			}
			or = append(or, c)
		}
		and = append(and, bson.D{{Key: "$or", Value: or}})
	}
	return bson.D{{Key: "$and", Value: and}}, nil
}

// List returns one page and the exact total.
func (s *Store) List(ctx context.Context, coll string, q store.Query) (store.Page, error) {
	c, err := s.coll(coll)
	if err != nil {
		return store.Page{}, err
	}
	f, err := filterDoc(q.Filters, q.Any)
	if err != nil {
		return store.Page{}, err
	}
	var page store.Page
	if page.Total, err = c.CountDocuments(ctx, f); err != nil {
		return page, err
	}
	sort := bson.D{}
	for _, so := range q.Sort {
		if err := store.CheckField(so.Field); err != nil {
			return page, err
		}
		dir := 1
		if so.Desc {
			dir = -1
		}
		sort = append(sort, bson.E{Key: "d." + so.Field, Value: dir})
	}
	sort = append(sort, bson.E{Key: "_id", Value: 1})
	opts := options.Find().SetSort(sort).SetSkip(int64(max(q.Offset, 0)))
	if q.Limit > 0 {
		opts.SetLimit(int64(q.Limit))
	}
	cur, err := c.Find(ctx, f, opts)
	if err != nil {
		return page, err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d stored
		if err := cur.Decode(&d); err != nil {
			return page, err
		}
		rec, err := d.record()
		if err != nil {
			return page, err
		}
		page.Records = append(page.Records, rec)
	}
	return page, cur.Err()
}

// Scan streams matching records in id order.
func (s *Store) Scan(ctx context.Context, coll string, filters []store.Filter, fn func(store.Record) error) error {
	c, err := s.coll(coll)
	if err != nil {
		return err
	}
	f, err := filterDoc(filters, nil)
	if err != nil {
		return err
	}
	cur, err := c.Find(ctx, f, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d stored
		if err := cur.Decode(&d); err != nil {
			return err
		}
		rec, err := d.record()
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return cur.Err()
}
