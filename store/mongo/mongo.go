// Package mongo is the MongoDB store adapter, for deployments that outgrow one
// machine. Each collection holds documents {_id, v (version), d (the JSON data
// as BSON), c, u, p, o}; blobs live in GridFS. Nothing relies on
// multi-document transactions: every operation the port promises as atomic
// touches one document.
//
// The change feed (feed.go) is carried by the records themselves: p is the
// position of a record's newest change and o what it was, written in the
// same document write as the data; a delete leaves a tombstone. So a write
// and its change are atomic, and a crash can at worst waste a position,
// which readers wait out for the gap timeout without losing or inventing a
// change. Positions come from one counter document: on MongoDB $inc is
// atomic and positions strictly increase; FerretDB v1 is not atomic across
// processes, so there two writers may take the same position, which the
// cursor tolerates (cursor.go). MongoDB change streams are not used: they
// need a replica set, which FerretDB is not, and the poll reads one index
// range per tracked collection.
package mongo

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/internal/janitor"
)

// DefaultDatabase is used when the URI names none.
const DefaultDatabase = "councilapi"

// Options tunes the adapter; the zero value is the default.
type Options struct {
	// BatchSize bounds InsertMany batches (default 1000). FerretDB v1 stalls
	// on bulk writes of more than 100 documents, so tests against it use 100.
	BatchSize int
	// ChangeRetention is how long a deleted record's tombstone (and so the
	// delete in the change feed) is kept (default 7 days); a cursor older
	// than a purged tombstone gives store.ErrCursorExpired.
	ChangeRetention time.Duration
	// GapTimeout is how long the feed waits for a position that was taken
	// but is not visible yet before moving its cursors past it (default
	// DefaultGapTimeout). It adds no latency: what is visible is returned
	// at once; it only bounds how much a cursor must remember.
	GapTimeout time.Duration
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

	// The change feed (feed.go).
	epoch              string
	retention          time.Duration
	gapTimeout         time.Duration
	markEvery          time.Duration
	positionsMayRepeat bool       // FerretDB: see openFeed
	positionMu         sync.Mutex // one position taken at a time in this process
	lastMark           atomic.Int64
	tracked            sync.Map // collection name -> true once track ran
	janitor            *janitor.Janitor
	afterPosition      func(pos int64) // test hook: runs between taking a position and writing
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
	s := &Store{client: client, db: client.Database(DatabaseName(uri)), batch: batch, uniques: map[string][]string{},
		retention: cmp.Or(opt.ChangeRetention, janitor.DefaultRetention), gapTimeout: cmp.Or(opt.GapTimeout, DefaultGapTimeout)}
	s.markEvery = min(max(s.gapTimeout/10, 10*time.Millisecond), time.Second)
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
	if err := s.openFeed(ctx); err != nil {
		client.Disconnect(context.Background())
		return nil, fmt.Errorf("mongodb store: change feed: %w", err)
	}
	s.janitor = janitor.Start(janitor.Interval(s.retention), func(ctx context.Context) error {
		_, err := s.PruneChanges(ctx)
		return err
	})
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

// Close stops the janitor and disconnects; closing again is harmless.
func (s *Store) Close() error {
	s.janitor.Stop()
	if err := s.client.Disconnect(context.Background()); err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return err
	}
	return nil
}

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
		if err := s.track(ctx, ix.Collection); err != nil {
			return err
		}
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
	// Pos and Op are the record's newest change in the feed (feed.go);
	// records written by InsertMany have neither. Op "d" marks a tombstone.
	Pos int64  `bson:"p,omitempty"`
	Op  string `bson:"o,omitempty"`
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
