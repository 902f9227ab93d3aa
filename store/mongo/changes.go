package mongo

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jointict/councilapi/store"
)

const defaultChangesLimit = 1000

var opNames = map[string]store.ChangeOp{opInsert: store.ChangeInsert, opUpdate: store.ChangeUpdate, opTombstone: store.ChangeDelete}

func (s *Store) rule(st feedState) settleRule {
	return settleRule{now: st.now, committed: st.committed, gapTimeout: s.gapTimeout, repeats: s.positionsMayRepeat}
}

// Changes returns the changes visible at positions above the cursor's
// safe point that it has not returned yet, merged from every tracked
// collection in position order.
func (s *Store) Changes(ctx context.Context, cursor string, limit int) ([]store.Change, string, error) {
	st, err := s.readFeedState(ctx)
	if err != nil {
		return nil, cursor, err
	}
	c := feedCursor{epoch: st.Epoch, safe: st.Purged} // "": the oldest change kept
	if cursor != "" {
		if c, err = decodeCursor(cursor); err != nil {
			return nil, cursor, err
		}
	}
	if c.epoch != st.Epoch {
		return nil, cursor, fmt.Errorf("%w: cursor %q was issued by another database's feed", store.ErrCursorExpired, cursor)
	}
	if c.safe < st.Purged {
		return nil, cursor, fmt.Errorf("%w: deletes after %q were purged (retention %s)", store.ErrCursorExpired, cursor, s.retention)
	}
	if limit <= 0 {
		limit = defaultChangesLimit
	}
	// Changes already returned come back from the query and are skipped, so
	// each collection is read that much further.
	entries, horizon, err := s.readPositions(ctx, st.colls, c.safe, math.MaxInt64, limit+c.remembered()+2)
	if err != nil {
		return nil, cursor, err
	}
	out := c.step(entries, horizon, limit, s.rule(st))
	return out, c.encode(), nil
}

// HeadCursor returns a cursor whose safe point is the newest position
// below which nothing can be in flight, and which remembers the changes
// visible above it up to the counter as returned: a write still in flight
// at a position below the counter is returned once it lands.
func (s *Store) HeadCursor(ctx context.Context) (string, error) {
	st, err := s.readFeedState(ctx)
	if err != nil {
		return "", err
	}
	c := feedCursor{epoch: st.Epoch, safe: st.committed}
	if st.N > c.safe {
		entries, _, err := s.readPositions(ctx, st.colls, c.safe, st.N, 0)
		if err != nil {
			return "", err
		}
		c.step(entries, st.N, math.MaxInt, s.rule(st))
	}
	return c.encode(), nil
}

type feedDoc struct {
	ID      string    `bson:"_id"`
	Version int64     `bson:"v"`
	Updated time.Time `bson:"u"`
	Pos     int64     `bson:"p"`
	Op      string    `bson:"o"`
}

// readPositions reads the changes at positions in (after, upTo] from every
// collection, at most perColl from each (0: all), sorted by position. The
// horizon is the highest position up to which nothing was left unread.
func (s *Store) readPositions(ctx context.Context, colls []string, after, upTo int64, perColl int) ([]feedEntry, int64, error) {
	filter := bson.D{{Key: "p", Value: bson.D{{Key: "$gt", Value: after}, {Key: "$lte", Value: upTo}}}}
	opts := options.Find().SetSort(bson.D{{Key: "p", Value: 1}}).
		SetProjection(bson.D{{Key: "v", Value: 1}, {Key: "u", Value: 1}, {Key: "p", Value: 1}, {Key: "o", Value: 1}})
	if perColl > 0 {
		opts.SetLimit(int64(perColl))
	}
	horizon := upTo
	var entries []feedEntry
	for _, name := range colls {
		c, err := s.coll(name)
		if err != nil {
			return nil, 0, err
		}
		cur, err := c.Find(ctx, filter, opts)
		if err != nil {
			return nil, 0, err
		}
		var docs []feedDoc
		if err := cur.All(ctx, &docs); err != nil {
			return nil, 0, err
		}
		if perColl > 0 && len(docs) == perColl {
			// The collection has more: only what is below its last position
			// is complete (that position may have a twin not read).
			last := docs[len(docs)-1].Pos
			horizon = min(horizon, max(last-1, docs[0].Pos))
		}
		for _, d := range docs {
			entries = append(entries, newFeedEntry(store.Change{Seq: d.Pos, Op: opNames[d.Op], Collection: name,
				ID: d.ID, Version: d.Version, At: d.Updated.UTC()}))
		}
	}
	entries = slices.DeleteFunc(entries, func(e feedEntry) bool { return e.change.Seq > horizon })
	slices.SortFunc(entries, func(a, b feedEntry) int {
		return cmp.Or(cmp.Compare(a.change.Seq, b.change.Seq), cmp.Compare(a.change.Collection, b.change.Collection),
			cmp.Compare(a.change.ID, b.change.ID), cmp.Compare(a.change.Version, b.change.Version))
	})
	return entries, horizon, nil
}
