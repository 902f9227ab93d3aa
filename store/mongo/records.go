package mongo

import (
	"context"
	"encoding/json"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/jointict/councilapi/store"
)

// Get reads one record.
func (s *Store) Get(ctx context.Context, coll, id string) (store.Record, error) {
	c, err := s.coll(coll)
	if err != nil {
		return store.Record{}, err
	}
	var d stored
	err = c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) || d.Op == opTombstone {
		return store.Record{}, store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, err
	}
	return d.record()
}

// recordWrite is what Insert, Update and Delete prepare alike.
type recordWrite struct {
	c      *mongo.Collection
	doc    bson.Raw          // the new data (nil for a delete)
	raw    json.RawMessage   // the new data as JSON
	fields []string          // the collection's unique fields
	values map[string]string // the new data's values of them
	unlock func()
}

// beginWrite resolves the collection, locks the record within this process
// (see recordLocks) and makes sure the collection is in the change feed. The
// caller defers unlock.
func (s *Store) beginWrite(ctx context.Context, coll, id string) (*recordWrite, error) {
	c, err := s.coll(coll)
	if err != nil {
		return nil, err
	}
	w := &recordWrite{c: c, fields: s.uniqueFields(coll), unlock: s.lockRecord(coll, id)}
	if err := s.track(ctx, coll); err != nil {
		w.unlock()
		return nil, err
	}
	return w, nil
}

// beginWriteOf is beginWrite for a write of new data, converted first.
func (s *Store) beginWriteOf(ctx context.Context, coll, id string, data any) (*recordWrite, error) {
	doc, raw, err := toBSON(data)
	if err != nil {
		return nil, err
	}
	values, err := uniqueValues(s.uniqueFields(coll), raw)
	if err != nil {
		return nil, err
	}
	w, err := s.beginWrite(ctx, coll, id)
	if err != nil {
		return nil, err
	}
	w.doc, w.raw, w.values = doc, raw, values
	return w, nil
}

// Insert writes a new record at version 1.
func (s *Store) Insert(ctx context.Context, coll, id string, data any) (store.Record, error) {
	w, err := s.beginWriteOf(ctx, coll, id, data)
	if err != nil {
		return store.Record{}, err
	}
	defer w.unlock()
	if _, gerr := s.Get(ctx, coll, id); gerr == nil {
		return store.Record{}, store.ErrExists
	}
	claimed, err := s.claimAll(ctx, coll, id, w.values)
	if err != nil {
		return store.Record{}, err
	}
	t := now()
	pos, err := s.takePosition(ctx)
	if err == nil {
		rec := stored{ID: id, Version: 1, Data: w.doc, Created: t, Updated: t, Pos: pos, Op: opInsert}
		if _, err = w.c.InsertOne(ctx, rec); mongo.IsDuplicateKeyError(err) {
			// The id may be a deleted record's tombstone, which the new
			// record replaces; if it is live, the id is taken.
			var res *mongo.UpdateResult
			res, err = w.c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "o", Value: opTombstone}}, rec)
			if err == nil && res.MatchedCount == 0 {
				err = store.ErrExists
			}
		}
	}
	if err != nil {
		s.release(ctx, id, claimed)
		return store.Record{}, mapWriteError(err)
	}
	return store.Record{ID: id, Version: 1, Data: w.raw, Created: t, Updated: t}, nil
}

// Update replaces the data when the version still matches; one document, so atomic.
func (s *Store) Update(ctx context.Context, coll, id string, expected int64, data any) (store.Record, error) {
	w, err := s.beginWriteOf(ctx, coll, id, data)
	if err != nil {
		return store.Record{}, err
	}
	defer w.unlock()
	claimed, err := s.claimAll(ctx, coll, id, w.values)
	if err != nil {
		return store.Record{}, err
	}
	t := now()
	var before stored
	pos, err := s.takePosition(ctx)
	if err == nil {
		err = w.c.FindOneAndUpdate(ctx, liveVersion(id, expected),
			bson.D{{Key: "$set", Value: bson.D{{Key: "d", Value: w.doc}, {Key: "u", Value: t}, {Key: "v", Value: expected + 1},
				{Key: "p", Value: pos}, {Key: "o", Value: opUpdate}}}},
		).Decode(&before)
	}
	if err != nil {
		s.release(ctx, id, claimed)
		if errors.Is(err, mongo.ErrNoDocuments) {
			if _, gerr := s.Get(ctx, coll, id); gerr != nil {
				return store.Record{}, gerr
			}
			return store.Record{}, store.ErrStale
		}
		return store.Record{}, mapWriteError(err)
	}
	s.releaseChanged(ctx, coll, id, w.fields, before.Data, w.values)
	return store.Record{ID: id, Version: expected + 1, Data: w.raw, Created: before.Created.UTC(), Updated: t}, nil
}

// Delete turns a record into a tombstone when its version still matches:
// the tombstone carries the delete's position in the feed until the janitor
// purges it after the retention window, and reads treat it as absent.
func (s *Store) Delete(ctx context.Context, coll, id string, expected int64) error {
	w, err := s.beginWrite(ctx, coll, id)
	if err != nil {
		return err
	}
	defer w.unlock()
	var before stored
	pos, err := s.takePosition(ctx)
	if err == nil {
		err = w.c.FindOneAndUpdate(ctx, liveVersion(id, expected),
			bson.D{{Key: "$set", Value: bson.D{{Key: "d", Value: bson.D{}}, {Key: "u", Value: now()},
				{Key: "p", Value: pos}, {Key: "o", Value: opTombstone}}}},
		).Decode(&before)
	}
	if errors.Is(err, mongo.ErrNoDocuments) {
		if _, gerr := s.Get(ctx, coll, id); gerr != nil {
			return gerr
		}
		return store.ErrStale
	}
	if err != nil {
		return err
	}
	s.releaseChanged(ctx, coll, id, w.fields, before.Data, nil)
	return nil
}

// InsertMany inserts in ordered batches. A failed batch may leave some of its
// records written (MongoDB has no batch atomicity without transactions);
// callers publish a set only once it is complete and clear leftovers with
// DeleteMatching.
func (s *Store) InsertMany(ctx context.Context, coll string, ids []string, data []json.RawMessage) error {
	if len(ids) != len(data) {
		return errors.New("store: InsertMany needs one id per record")
	}
	c, err := s.coll(coll)
	if err != nil {
		return err
	}
	t := now()
	for start := 0; start < len(ids); start += s.batch {
		end := min(start+s.batch, len(ids))
		docs := make([]any, 0, end-start)
		for i := start; i < end; i++ {
			doc, _, err := toBSON(data[i])
			if err != nil {
				return err
			}
			docs = append(docs, stored{ID: ids[i], Version: 1, Data: doc, Created: t, Updated: t})
		}
		if _, err := c.InsertMany(ctx, docs); err != nil {
			return mapWriteError(err)
		}
	}
	return nil
}

// DeleteMatching removes the matching records (never a tombstone: the
// feed would lose the delete it carries).
func (s *Store) DeleteMatching(ctx context.Context, coll string, filters []store.Filter) (int64, error) {
	c, err := s.coll(coll)
	if err != nil {
		return 0, err
	}
	f, err := filterDoc(filters, nil)
	if err != nil {
		return 0, err
	}
	res, err := c.DeleteMany(ctx, f)
	if err != nil {
		return 0, err
	}
	return res.DeletedCount, nil
}

// liveVersion matches the record id at version expected, unless deleted.
func liveVersion(id string, expected int64) bson.D {
	return bson.D{{Key: "_id", Value: id}, {Key: "v", Value: expected}, {Key: "o", Value: bson.D{{Key: "$ne", Value: opTombstone}}}}
}
