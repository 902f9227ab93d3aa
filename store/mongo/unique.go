package mongo

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/jointict/councilapi/store"
)

// Unique fields are enforced with claim documents in one collection, one per
// (collection, field, value), instead of unique indexes: a unique index would
// make records lacking the field clash on null unless it is partial, and
// FerretDB v1 has no partial indexes. Each claim is a single-document insert,
// so no transaction is needed; a claim left behind by a crash between the
// claim and the record write is recognised as stale (its owner does not hold
// the value) once it is older than claimGrace, and taken over.
const (
	claimsCollection = "unique_claims"
	claimGrace       = time.Minute
)

type claim struct {
	ID    string    `bson:"_id"`
	Owner string    `bson:"owner"`
	At    time.Time `bson:"at"`
}

func claimKey(coll, field, value string) string { return coll + "\x00" + field + "\x00" + value }

// uniqueValues extracts the canonical JSON of each unique field present (and
// not null) in data.
func uniqueValues(fields []string, raw json.RawMessage) (map[string]string, error) {
	if len(fields) == 0 {
		return nil, nil
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, f := range fields {
		var v any = doc
		for _, part := range strings.Split(f, ".") {
			m, ok := v.(map[string]any)
			if !ok {
				v = nil
				break
			}
			v = m[part]
		}
		if v == nil {
			continue
		}
		b, _ := json.Marshal(v)
		out[f] = string(b)
	}
	return out, nil
}

func (s *Store) uniqueFields(coll string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uniques[coll]
}

// claimAll claims every value for owner; it returns the keys it created (to
// release on failure) or a *store.DuplicateError.
func (s *Store) claimAll(ctx context.Context, coll, owner string, values map[string]string) ([]string, error) {
	var created []string
	for field, value := range values {
		isNew, err := s.claim(ctx, coll, field, value, owner)
		if err != nil {
			s.release(ctx, owner, created)
			return nil, err
		}
		if isNew {
			created = append(created, claimKey(coll, field, value))
		}
	}
	return created, nil
}

func (s *Store) claim(ctx context.Context, coll, field, value, owner string) (bool, error) {
	claims := s.db.Collection(claimsCollection)
	key := claimKey(coll, field, value)
	_, err := claims.InsertOne(ctx, claim{ID: key, Owner: owner, At: now()})
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, err
	}
	var held claim
	if err := claims.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&held); err != nil {
		return false, err
	}
	if held.Owner == owner {
		return false, nil
	}
	dup := &store.DuplicateError{Collection: coll, Field: field}
	if time.Since(held.At) < claimGrace {
		return false, dup
	}
	rec, err := s.Get(ctx, coll, held.Owner)
	if err == nil {
		vals, verr := uniqueValues([]string{field}, rec.Data)
		if verr != nil || vals[field] == value {
			return false, dup
		}
	}
	res, err := claims.UpdateOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "owner", Value: held.Owner}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "owner", Value: owner}, {Key: "at", Value: now()}}}})
	if err != nil {
		return false, err
	}
	if res.MatchedCount == 0 {
		return false, dup
	}
	return true, nil
}

// release drops claims held by owner; failures only leave stale claims,
// which claim() recovers from, so they are not reported.
func (s *Store) release(ctx context.Context, owner string, keys []string) {
	if len(keys) == 0 {
		return
	}
	_, _ = s.db.Collection(claimsCollection).DeleteMany(context.WithoutCancel(ctx),
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}, {Key: "owner", Value: owner}})
}

// releaseChanged drops the claims of values the old document held that the
// new one no longer does.
func (s *Store) releaseChanged(ctx context.Context, coll, owner string, fields []string, old bson.Raw, now map[string]string) {
	if len(fields) == 0 || old == nil {
		return
	}
	js, err := bson.MarshalExtJSON(old, false, false)
	if err != nil {
		return
	}
	oldValues, err := uniqueValues(fields, js)
	if err != nil {
		return
	}
	var keys []string
	for f, v := range oldValues {
		if now[f] != v {
			keys = append(keys, claimKey(coll, f, v))
		}
	}
	s.release(ctx, owner, keys)
}
