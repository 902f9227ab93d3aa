package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jointict/councilapi/store"
)

// atKey is a fixed-width UTC timestamp: it sorts as text in time order at
// nanosecond precision, which BSON dates (milliseconds) would not.
func atKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

type auditDoc struct {
	ID    string           `bson:"_id"`
	At    string           `bson:"at"`
	Actor string           `bson:"actor"`
	Coll  string           `bson:"coll"`
	RID   string           `bson:"rid"`
	Entry store.AuditEntry `bson:"-"`
	JSON  string           `bson:"entry"`
}

// AppendAudit adds one entry (insert only; nothing updates this collection).
func (s *Store) AppendAudit(ctx context.Context, e store.AuditEntry) error {
	if e.ID == "" {
		e.ID = store.NewID()
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	js, err := jsonMarshal(e)
	if err != nil {
		return err
	}
	_, err = s.db.Collection(auditCollection).InsertOne(ctx, auditDoc{
		ID: e.ID, At: atKey(e.At), Actor: e.Actor, Coll: e.Collection, RID: e.RecordID, JSON: js})
	return err
}

// ListAudit returns entries newest first with the exact total.
func (s *Store) ListAudit(ctx context.Context, q store.AuditQuery) ([]store.AuditEntry, int64, error) {
	f := bson.D{}
	if q.Collection != "" {
		f = append(f, bson.E{Key: "coll", Value: q.Collection})
	}
	if q.RecordID != "" {
		f = append(f, bson.E{Key: "rid", Value: q.RecordID})
	}
	if q.Actor != "" {
		f = append(f, bson.E{Key: "actor", Value: q.Actor})
	}
	if !q.Since.IsZero() {
		f = append(f, bson.E{Key: "at", Value: bson.D{{Key: "$gte", Value: atKey(q.Since)}}})
	}
	c := s.db.Collection(auditCollection)
	total, err := c.CountDocuments(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	opts := options.Find().SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetSkip(int64(max(q.Offset, 0)))
	if q.Limit > 0 {
		opts.SetLimit(int64(q.Limit))
	}
	cur, err := c.Find(ctx, f, opts)
	if err != nil {
		return nil, 0, err
	}
	defer cur.Close(ctx)
	var out []store.AuditEntry
	for cur.Next(ctx) {
		var d auditDoc
		if err := cur.Decode(&d); err != nil {
			return nil, 0, err
		}
		var e store.AuditEntry
		if err := jsonUnmarshal(d.JSON, &e); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, cur.Err()
}
