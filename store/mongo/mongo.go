// Package mongo is the MongoDB store adapter, for deployments that outgrow one
// machine. Each collection holds documents {_id, v (version), d (the JSON data
// as BSON), c, u}; blobs live in GridFS. Nothing relies on multi-document
// transactions: every operation the port promises as atomic touches one
// document.
package mongo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jointict/councilapi/store"
)

// DefaultDatabase is used when the URI names none.
const DefaultDatabase = "councilapi"

// Options tunes the adapter.
type Options struct {
	// BatchSize bounds InsertMany batches (default 1000). FerretDB v1 stalls
	// on bulk writes of more than 100 documents, so tests against it use 100.
	BatchSize int
}

// Store implements store.Store on MongoDB.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	batch  int

	mu      sync.Mutex
	uniques map[string][]string // collection -> unique fields

	// recordLocks serialises writes to one record within this process.
	// MongoDB's findAndModify is atomic on its own; FerretDB v1's is a read
	// followed by a write, so two concurrent updates with the same version
	// could both succeed against it. Across processes the adapter relies on
	// MongoDB itself: run several instances only against a real MongoDB.
	recordLocks [64]sync.Mutex
}

func (s *Store) lockRecord(coll, id string) func() {
	h := fnv.New32a()
	h.Write([]byte(coll))
	h.Write([]byte{0})
	h.Write([]byte(id))
	m := &s.recordLocks[h.Sum32()%uint32(len(s.recordLocks))]
	m.Lock()
	return m.Unlock
}

var _ store.Store = (*Store)(nil)

// DatabaseName returns the database named in the URI path, or the default.
func DatabaseName(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return DefaultDatabase
	}
	if name := strings.Trim(u.Path, "/"); name != "" {
		return name
	}
	return DefaultDatabase
}

// Open connects and checks the server answers.
func Open(ctx context.Context, uri string, opt Options) (*Store, error) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(30 * time.Second))
	if err != nil {
		return nil, fmt.Errorf("mongodb store: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := client.Ping(pctx, nil); err != nil {
		client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb store: cannot reach %s: %w", redact(uri), err)
	}
	batch := opt.BatchSize
	if batch <= 0 {
		batch = 1000
	}
	s := &Store{client: client, db: client.Database(DatabaseName(uri)), batch: batch, uniques: map[string][]string{}}
	audit := s.db.Collection(auditCollection)
	models, err := missingIndexes(ctx, audit, []mongo.IndexModel{
		{Keys: bson.D{{Key: "coll", Value: 1}, {Key: "rid", Value: 1}}, Options: options.Index().SetName("record")},
		{Keys: bson.D{{Key: "actor", Value: 1}}, Options: options.Index().SetName("actor")},
		{Keys: bson.D{{Key: "at", Value: -1}}, Options: options.Index().SetName("at")},
	})
	if err == nil && len(models) > 0 {
		_, err = audit.Indexes().CreateMany(ctx, models)
	}
	if err != nil {
		client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb store: audit indexes: %w", err)
	}
	return s, nil
}

// redact hides a password in a URI for error messages.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "the configured MONGODB_URI"
	}
	return u.Redacted()
}

// Close disconnects.
func (s *Store) Close() error { return s.client.Disconnect(context.Background()) }

// Ping checks the server answers.
func (s *Store) Ping(ctx context.Context) error { return s.client.Ping(ctx, nil) }

const auditCollection = "audit_log"

func (s *Store) coll(name string) (*mongo.Collection, error) {
	if err := store.CheckCollection(name); err != nil {
		return nil, err
	}
	return s.db.Collection("c_" + name), nil
}

// EnsureIndexes creates the declared indexes; MongoDB treats re-creating an
// identical index as a no-op.
func (s *Store) EnsureIndexes(ctx context.Context, idx []store.Index) error {
	for _, ix := range idx {
		c, err := s.coll(ix.Collection)
		if err != nil {
			return err
		}
		var models []mongo.IndexModel
		for _, f := range ix.Unique {
			if err := store.CheckField(f); err != nil {
				return err
			}
		}
		s.mu.Lock()
		s.uniques[ix.Collection] = append([]string(nil), ix.Unique...)
		s.mu.Unlock()
		for _, f := range ix.Fields {
			if err := store.CheckField(f); err != nil {
				return err
			}
			models = append(models, mongo.IndexModel{
				Keys:    bson.D{{Key: "d." + f, Value: 1}},
				Options: options.Index().SetName("i_" + strings.ReplaceAll(f, ".", "__")),
			})
		}
		// Only missing indexes are created: FerretDB v1 drops the connection
		// when asked to create one that exists, though MongoDB allows it.
		models, err = missingIndexes(ctx, c, models)
		if err != nil {
			return fmt.Errorf("mongodb store: listing indexes on %s: %w", ix.Collection, err)
		}
		if len(models) == 0 {
			continue
		}
		if _, err := c.Indexes().CreateMany(ctx, models); err != nil {
			return fmt.Errorf("mongodb store: indexes on %s: %w", ix.Collection, err)
		}
	}
	return nil
}

func missingIndexes(ctx context.Context, c *mongo.Collection, models []mongo.IndexModel) ([]mongo.IndexModel, error) {
	specs, err := c.Indexes().ListSpecifications(ctx)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, sp := range specs {
		have[sp.Name] = true
	}
	var out []mongo.IndexModel
	for _, m := range models {
		idxOpts := &options.IndexOptions{}
		for _, set := range m.Options.List() {
			_ = set(idxOpts)
		}
		if idxOpts.Name == nil || !have[*idxOpts.Name] {
			out = append(out, m)
		}
	}
	return out, nil
}

// toBSON converts JSON data to a BSON document.
func toBSON(data any) (bson.Raw, json.RawMessage, error) {
	raw, ok := data.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return nil, nil, err
		}
	}
	var doc bson.Raw
	if err := bson.UnmarshalExtJSON(raw, false, &doc); err != nil {
		return nil, nil, fmt.Errorf("store: data must be a JSON object: %w", err)
	}
	return doc, raw, nil
}

type stored struct {
	ID      string    `bson:"_id"`
	Version int64     `bson:"v"`
	Data    bson.Raw  `bson:"d"`
	Created time.Time `bson:"c"`
	Updated time.Time `bson:"u"`
}

func (d stored) record() (store.Record, error) {
	js, err := bson.MarshalExtJSON(d.Data, false, false)
	if err != nil {
		return store.Record{}, err
	}
	return store.Record{ID: d.ID, Version: d.Version, Data: js, Created: d.Created.UTC(), Updated: d.Updated.UTC()}, nil
}

func mapWriteError(err error) error {
	if err != nil && mongo.IsDuplicateKeyError(err) {
		return store.ErrExists
	}
	return err
}

func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// Get reads one record.
func (s *Store) Get(ctx context.Context, coll, id string) (store.Record, error) {
	c, err := s.coll(coll)
	if err != nil {
		return store.Record{}, err
	}
	var d stored
	err = c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return store.Record{}, store.ErrNotFound
	}
	if err != nil {
		return store.Record{}, err
	}
	return d.record()
}

// Insert writes a new record at version 1.
func (s *Store) Insert(ctx context.Context, coll, id string, data any) (store.Record, error) {
	c, err := s.coll(coll)
	if err != nil {
		return store.Record{}, err
	}
	doc, raw, err := toBSON(data)
	if err != nil {
		return store.Record{}, err
	}
	defer s.lockRecord(coll, id)()
	if _, gerr := s.Get(ctx, coll, id); gerr == nil {
		return store.Record{}, store.ErrExists
	}
	values, err := uniqueValues(s.uniqueFields(coll), raw)
	if err != nil {
		return store.Record{}, err
	}
	claimed, err := s.claimAll(ctx, coll, id, values)
	if err != nil {
		return store.Record{}, err
	}
	t := now()
	if _, err = c.InsertOne(ctx, stored{ID: id, Version: 1, Data: doc, Created: t, Updated: t}); err != nil {
		s.release(ctx, id, claimed)
		return store.Record{}, mapWriteError(err)
	}
	return store.Record{ID: id, Version: 1, Data: raw, Created: t, Updated: t}, nil
}

// Update replaces the data when the version still matches; one document, so atomic.
func (s *Store) Update(ctx context.Context, coll, id string, expected int64, data any) (store.Record, error) {
	c, err := s.coll(coll)
	if err != nil {
		return store.Record{}, err
	}
	doc, raw, err := toBSON(data)
	if err != nil {
		return store.Record{}, err
	}
	defer s.lockRecord(coll, id)()
	fields := s.uniqueFields(coll)
	newValues, err := uniqueValues(fields, raw)
	if err != nil {
		return store.Record{}, err
	}
	claimed, err := s.claimAll(ctx, coll, id, newValues)
	if err != nil {
		return store.Record{}, err
	}
	t := now()
	var before stored
	err = c.FindOneAndUpdate(ctx,
		bson.D{{Key: "_id", Value: id}, {Key: "v", Value: expected}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "d", Value: doc}, {Key: "u", Value: t}, {Key: "v", Value: expected + 1}}}},
	).Decode(&before)
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
	s.releaseChanged(ctx, coll, id, fields, before.Data, newValues)
	return store.Record{ID: id, Version: expected + 1, Data: raw, Created: before.Created.UTC(), Updated: t}, nil
}

// Delete removes a record when its version still matches.
func (s *Store) Delete(ctx context.Context, coll, id string, expected int64) error {
	c, err := s.coll(coll)
	if err != nil {
		return err
	}
	defer s.lockRecord(coll, id)()
	var before stored
	err = c.FindOneAndDelete(ctx, bson.D{{Key: "_id", Value: id}, {Key: "v", Value: expected}}).Decode(&before)
	if errors.Is(err, mongo.ErrNoDocuments) {
		if _, gerr := s.Get(ctx, coll, id); gerr != nil {
			return gerr
		}
		return store.ErrStale
	}
	if err != nil {
		return err
	}
	s.releaseChanged(ctx, coll, id, s.uniqueFields(coll), before.Data, nil)
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

// DeleteMatching removes the matching records.
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

// Changes is not implemented yet: the change feed lands with its contract tests.
func (s *Store) Changes(ctx context.Context, cursor string, limit int) ([]store.Change, string, error) {
	return nil, cursor, errors.New("mongodb store: change feed not implemented yet")
}

// HeadCursor is not implemented yet (see Changes).
func (s *Store) HeadCursor(ctx context.Context) (string, error) {
	return "", errors.New("mongodb store: change feed not implemented yet")
}
