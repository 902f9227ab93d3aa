package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jointict/councilapi/store"
)

// The change feed has no log of its own: a record's document carries the
// position of its newest change (p) and what it was (o), set in the same
// single-document write as the data, so a record and its change are one
// atomic write without a transaction. Positions come from one counter
// document ($inc). A delete leaves a tombstone (o "d") carrying its
// position, which reads ignore and the janitor purges after the retention
// window.
//
// Crash safety: a writer that dies after taking a position and before its
// write leaves a position no document will ever hold; one that dies after
// its write has recorded both record and change. Either way nothing is half
// done. Readers cannot tell a dead position from a write still in flight
// (positions are taken before the write commits, so writes become visible
// slightly out of order), which is what the cursor (cursor.go) is for: it
// returns whatever is visible at once, remembers what it returned, and moves
// its safe point past a missing position only once the position is older
// than the gap timeout. A position also goes missing when the record that
// held it is written again (its document moves to the new position), which
// is harmless: the newest change of the record is returned instead.
const (
	feedCollection    = "feed"             // the counter document
	marksCollection   = "feed_marks"       // {_id: position, at}: every position up to _id was taken before at
	trackedCollection = "feed_collections" // {_id: collection}: collections whose records carry positions
	counterID         = "positions"

	opInsert    = "i"
	opUpdate    = "u"
	opTombstone = "d"

	// DefaultGapTimeout bounds how long a write may take between taking its
	// position and committing (milliseconds in practice), including clock
	// differences between the database server's view of time and itself.
	DefaultGapTimeout = 10 * time.Second
)

type counterDoc struct {
	ID     string `bson:"_id"`
	N      int64  `bson:"n"`      // the last position taken
	Epoch  string `bson:"epoch"`  // chosen when the feed is created; cursors carry it
	Purged int64  `bson:"purged"` // tombstones up to this position may have been purged
}

// openFeed creates the counter document once and reads its epoch.
func (s *Store) openFeed(ctx context.Context) error {
	feed := s.db.Collection(feedCollection)
	_, err := feed.InsertOne(ctx, counterDoc{ID: counterID, Epoch: store.NewID()})
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return err
	}
	var c counterDoc
	if err := feed.FindOne(ctx, bson.D{{Key: "_id", Value: counterID}}).Decode(&c); err != nil {
		return err
	}
	s.epoch = c.Epoch
	var info bson.M
	if err := s.db.RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return err
	}
	// FerretDB v1 runs findAndModify as a read then a write, so two
	// processes can both take the same position; MongoDB's $inc is atomic
	// and positions there strictly increase.
	_, s.positionsMayRepeat = info["ferretdbVersion"]
	return nil
}

// takePosition takes the next position for one write. Within this process
// positions never repeat even on FerretDB (the mutex); across processes only
// MongoDB guarantees it.
func (s *Store) takePosition(ctx context.Context) (int64, error) {
	s.positionMu.Lock()
	var c counterDoc
	err := s.db.Collection(feedCollection).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: counterID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&c)
	s.positionMu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("mongodb store: taking a change feed position: %w", err)
	}
	s.mark(ctx, c.N)
	if s.afterPosition != nil {
		s.afterPosition(c.N)
	}
	return c.N, nil
}

// mark records, at most every markEvery, that position n has been taken
// by now (server time). HeadCursor and Changes use the newest mark older
// than the gap timeout as the point below which nothing can be in flight. A
// lost mark only makes them look further back, so failures are ignored.
func (s *Store) mark(ctx context.Context, n int64) {
	last := s.lastMark.Load()
	t := time.Now().UnixNano()
	if t-last < int64(s.markEvery) || !s.lastMark.CompareAndSwap(last, t) {
		return
	}
	_, _ = s.db.Collection(marksCollection).UpdateOne(ctx, bson.D{{Key: "_id", Value: n}},
		bson.D{{Key: "$currentDate", Value: bson.D{{Key: "at", Value: true}}}}, options.UpdateOne().SetUpsert(true))
}

// track makes sure a collection's records are found by the feed: an index
// on positions, and an entry in the registry every instance reads (a
// collection first written by another instance is in its feed too).
func (s *Store) track(ctx context.Context, coll string) error {
	if _, ok := s.tracked.Load(coll); ok {
		return nil
	}
	c, err := s.coll(coll)
	if err != nil {
		return err
	}
	// Sparse: records written by InsertMany carry no position and stay out
	// of these indexes (FerretDB ignores the option, harmlessly).
	models, err := missingIndexes(ctx, c, []mongo.IndexModel{
		{Keys: bson.D{{Key: "p", Value: 1}}, Options: options.Index().SetName("feed_position").SetSparse(true)},
		{Keys: bson.D{{Key: "o", Value: 1}, {Key: "p", Value: 1}}, Options: options.Index().SetName("feed_tombstones").SetSparse(true)},
	})
	if err == nil && len(models) > 0 {
		_, err = c.Indexes().CreateMany(ctx, models)
	}
	if err != nil {
		return fmt.Errorf("mongodb store: change feed indexes on %s: %w", coll, err)
	}
	if _, err := s.db.Collection(trackedCollection).InsertOne(ctx, bson.D{{Key: "_id", Value: coll}}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mongodb store: registering %s in the change feed: %w", coll, err)
	}
	s.tracked.Store(coll, true)
	return nil
}

func (s *Store) trackedCollections(ctx context.Context) ([]string, error) {
	cur, err := s.db.Collection(trackedCollection).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, err
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, err
	}
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.ID
	}
	return names, nil
}

// feedState is what one Changes or HeadCursor call needs to know first.
type feedState struct {
	counterDoc
	now       time.Time // the server's clock, which marks are written with
	committed int64     // no position at or below this is still in flight
	colls     []string
}

func (s *Store) readFeedState(ctx context.Context) (feedState, error) {
	var st feedState
	if err := s.db.Collection(feedCollection).FindOne(ctx, bson.D{{Key: "_id", Value: counterID}}).Decode(&st.counterDoc); err != nil {
		return st, fmt.Errorf("mongodb store: reading the change feed counter: %w", err)
	}
	var hello struct {
		LocalTime time.Time `bson:"localTime"`
	}
	if err := s.db.RunCommand(ctx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		return st, err
	}
	st.now = hello.LocalTime.UTC()
	var m struct {
		N int64 `bson:"_id"`
	}
	err := s.db.Collection(marksCollection).FindOne(ctx,
		bson.D{{Key: "at", Value: bson.D{{Key: "$lte", Value: st.now.Add(-s.gapTimeout)}}}},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&m)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return st, err
	}
	// Purged tombstones were older than the retention window, so every
	// position up to them was taken long ago as well.
	st.committed = max(m.N, st.Purged)
	st.colls, err = s.trackedCollections(ctx)
	return st, err
}

// PruneChanges purges the tombstones older than the retention window and
// the marks nobody needs any more, and reports how many tombstones went;
// the janitor calls it every janitor.Interval. The purge point is raised
// before anything is deleted, so a reader whose cursor is below a purged
// tombstone is told ErrCursorExpired instead of missing the delete.
func (s *Store) PruneChanges(ctx context.Context) (int64, error) {
	colls, err := s.trackedCollections(ctx)
	if err != nil {
		return 0, err
	}
	cutoff := time.Now().Add(-s.retention)
	var purge int64
	for _, name := range colls {
		c, err := s.coll(name)
		if err != nil {
			return 0, err
		}
		var t stored
		err = c.FindOne(ctx, bson.D{{Key: "o", Value: opTombstone}, {Key: "u", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
			options.FindOne().SetSort(bson.D{{Key: "p", Value: -1}}).SetProjection(bson.D{{Key: "p", Value: 1}})).Decode(&t)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return 0, err
		}
		purge = max(purge, t.Pos)
	}
	var gone int64
	if purge > 0 {
		feed := s.db.Collection(feedCollection)
		if _, err := feed.UpdateOne(ctx, bson.D{{Key: "_id", Value: counterID}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "purged", Value: purge}}}}); err != nil {
			return 0, err
		}
		for _, name := range colls {
			c, _ := s.coll(name)
			res, err := c.DeleteMany(ctx, bson.D{{Key: "o", Value: opTombstone}, {Key: "p", Value: bson.D{{Key: "$lte", Value: purge}}}})
			if err != nil {
				return gone, err
			}
			gone += res.DeletedCount
		}
	}
	return gone, s.pruneMarks(ctx)
}

// pruneMarks keeps the marks of the last few gap timeouts and the newest
// one before them, which is all readFeedState ever looks for.
func (s *Store) pruneMarks(ctx context.Context) error {
	marks := s.db.Collection(marksCollection)
	keepFrom := time.Now().Add(-max(4*s.gapTimeout, time.Minute))
	var m struct {
		N int64 `bson:"_id"`
	}
	err := marks.FindOne(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: keepFrom}}}},
		options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&m)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = marks.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: m.N}}}})
	return err
}
