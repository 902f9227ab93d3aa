package sourcing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// catalogueIndex is this instance's search index of the G-Cloud catalogue,
// a change-feed consumer: every instance learns of an import or an edit from
// the store's feed, so a service imported through one is found by a search
// on any other within the feed poll.
//
// Building the index from the services takes seconds for a 50,000-service
// catalogue (every description is tokenised), so the index is also kept as
// a snapshot: a blob written from memory (sourcing.WriteSnapshot) together
// with a feed cursor it reflects every change before. A start reads the
// newest snapshot and replays the feed from its cursor, which takes a
// fraction of a second; only a store without a readable snapshot (the first
// start, a new snapshot format, a cursor the feed no longer holds) is built
// from the services, and a snapshot is written after it.
type catalogueIndex struct {
	s     *Service
	ix    atomic.Pointer[ds.Index]
	ready atomic.Bool
	gen   atomic.Uint64 // bumped by every change applied, for the content hash cache

	mu      sync.Mutex
	pending int         // changes applied since the newest snapshot
	writing bool        // a snapshot is being written
	timer   *time.Timer // writes a snapshot once the catalogue is quiet
	stopped bool
	// lastChange is when a service was last written, for the provenance of
	// shortlists ("catalogue imported").
	lastChange time.Time
	hash       struct {
		gen  uint64
		ok   bool
		snap ds.CatalogueSnapshot
	}
}

// indexSnapshot points at the newest index snapshot. Previous is kept one
// generation longer, since another instance may be reading it as this one
// replaces it.
type indexSnapshot struct {
	ID       string `json:"id"`
	Blob     string `json:"blob"`
	Previous string `json:"previous,omitempty"`
	Cursor   string `json:"cursor"`
	Services int    `json:"services"`
	// LastChange is when the catalogue the snapshot holds last changed.
	LastChange time.Time `json:"lastChange"`
	WrittenAt  time.Time `json:"writtenAt"`
}

const snapshotRecord = "gcloud-services"

func newCatalogueIndex(s *Service) *catalogueIndex {
	c := &catalogueIndex{s: s}
	c.ix.Store(ds.NewIndex(nil))
	return c
}

func (c *catalogueIndex) Name() string          { return "sourcing-index" }
func (c *catalogueIndex) Collections() []string { return []string{CollServices} }

// current is the index searches read; errLoading until the first load.
func (c *catalogueIndex) current() (*ds.Index, error) {
	if !c.ready.Load() {
		return nil, errLoading
	}
	return c.ix.Load(), nil
}

var errLoading = &domain.Error{Code: domain.CodeUnavailable, Message: "the G-Cloud catalogue index is loading; retry in a few seconds"}

// Load reads the newest snapshot and replays the feed after it, or builds
// the index from the services when there is no usable snapshot.
func (c *catalogueIndex) Load(ctx context.Context) error {
	start := time.Now()
	ix, replayed, err := c.fromSnapshot(ctx)
	if err == nil {
		c.install(ix)
		c.s.log.Info("sourcing index loaded from its snapshot", "services", ix.Len(), "replayed", replayed, "ms", time.Since(start).Milliseconds())
		if replayed > 0 {
			c.changed(replayed)
		}
		return nil
	}
	if !errors.Is(err, errNoSnapshot) {
		c.s.log.Warn("sourcing index snapshot not used; building from the catalogue", "reason", err)
	}
	// The cursor is taken before the scan: the index reflects at least
	// every change before it, so a snapshot of it may be labelled with it.
	head, err := c.s.st.HeadCursor(ctx)
	if err != nil {
		return err
	}
	var services []ds.Service
	if err := c.s.services.Scan(ctx, nil, func(svc ds.Service, m repo.Meta) error {
		services = append(services, svc)
		c.changedAt(m.Updated)
		return nil
	}); err != nil {
		return fmt.Errorf("loading the G-Cloud catalogue: %w", err)
	}
	ix = ds.NewIndex(services)
	c.install(ix)
	c.s.log.Info("sourcing index built from the catalogue", "services", ix.Len(), "ms", time.Since(start).Milliseconds())
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.writing && !c.stopped {
		c.writing = true
		c.s.wg.Add(1)
		go func() {
			defer c.s.wg.Done()
			c.write(c.s.ctx, head, 0)
		}()
	}
	return nil
}

func (c *catalogueIndex) install(ix *ds.Index) {
	c.ix.Store(ix)
	c.gen.Add(1)
	c.ready.Store(true)
}

var errNoSnapshot = errors.New("no index snapshot yet")

// fromSnapshot reads the snapshot and brings it up to date with the feed.
func (c *catalogueIndex) fromSnapshot(ctx context.Context) (*ds.Index, int, error) {
	ptr, _, err := c.s.snapshots.Get(ctx, snapshotRecord)
	if errors.Is(err, store.ErrNotFound) {
		return nil, 0, errNoSnapshot
	}
	if err != nil {
		return nil, 0, err
	}
	b, err := c.s.st.OpenBlob(ctx, ptr.Blob)
	if err != nil {
		return nil, 0, fmt.Errorf("opening %s: %w", ptr.Blob, err)
	}
	data := make([]byte, b.Info().Size)
	_, err = io.ReadFull(b, data)
	b.Close()
	if err != nil {
		return nil, 0, fmt.Errorf("reading %s: %w", ptr.Blob, err)
	}
	ix, err := ds.ReadSnapshot(data)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", ptr.Blob, err)
	}
	c.changedAt(ptr.LastChange)
	replayed := 0
	for cursor := ptr.Cursor; ; {
		changes, next, err := c.s.st.Changes(ctx, cursor, 1000)
		if err != nil {
			return nil, 0, fmt.Errorf("replaying the change feed after the snapshot: %w", err)
		}
		n, err := c.apply(ctx, ix, changes)
		if err != nil {
			return nil, 0, err
		}
		replayed += n
		if len(changes) < 1000 {
			return ix, replayed, nil
		}
		cursor = next
	}
}

// Apply re-reads each changed service and indexes or removes it.
func (c *catalogueIndex) Apply(ctx context.Context, changes []store.Change) error {
	n, err := c.apply(ctx, c.ix.Load(), changes)
	if n > 0 {
		c.gen.Add(1)
		c.changed(n)
	}
	return err
}

// apply brings ix up to date with the services among changes and reports
// how many it re-read.
func (c *catalogueIndex) apply(ctx context.Context, ix *ds.Index, changes []store.Change) (int, error) {
	seen := map[string]bool{}
	for _, ch := range changes {
		if ch.Collection != CollServices || seen[ch.ID] {
			continue
		}
		seen[ch.ID] = true
		svc, m, err := c.s.services.Get(ctx, ch.ID)
		if errors.Is(err, store.ErrNotFound) {
			ix.Remove(ch.ID)
			c.changedAt(ch.At)
			continue
		}
		if err != nil {
			return len(seen), err
		}
		ix.Upsert(svc)
		c.changedAt(m.Updated)
	}
	return len(seen), nil
}

// changed counts applied changes towards the next snapshot: one is written
// at once after SnapshotEvery changes, otherwise once the catalogue has been
// quiet for SnapshotQuiet.
func (c *catalogueIndex) changed(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return
	}
	c.pending += n
	c.schedule()
}

// schedule starts a snapshot write when enough changes are pending, or arms
// the quiet timer; c.mu is held.
func (c *catalogueIndex) schedule() {
	if c.pending >= c.s.cfg.SnapshotEvery {
		c.startWrite()
		return
	}
	if c.pending == 0 {
		return
	}
	if c.timer == nil {
		c.timer = time.AfterFunc(c.s.cfg.SnapshotQuiet, func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.pending > 0 && !c.stopped {
				c.startWrite()
			}
		})
	} else {
		c.timer.Reset(c.s.cfg.SnapshotQuiet)
	}
}

// startWrite writes a snapshot in the background unless one is being
// written already; c.mu is held.
func (c *catalogueIndex) startWrite() {
	if c.writing {
		return
	}
	c.writing = true
	counted := c.pending
	c.s.wg.Add(1)
	go func() {
		defer c.s.wg.Done()
		ctx := c.s.ctx
		// A snapshot may be labelled with a cursor only if it reflects every
		// change before the cursor: take the head, then wait until this
		// instance has applied everything committed before it.
		cursor, err := c.s.st.HeadCursor(ctx)
		if err == nil {
			err = c.s.bus.Sync(ctx)
		}
		if err != nil {
			c.finishWrite(0, false)
			if ctx.Err() == nil {
				c.s.log.Error("sourcing index snapshot", "err", err)
			}
			return
		}
		c.write(ctx, cursor, counted)
	}()
}

func (c *catalogueIndex) finishWrite(written int, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writing = false
	c.pending = max(c.pending-written, 0)
	// Changes applied while this write ran found it busy and started none:
	// they are snapshotted now, or when the catalogue goes quiet. A failed
	// write waits for the next change (its error is logged), so a store
	// that refuses blobs is not retried in a loop.
	if !c.stopped && ok {
		c.schedule()
	}
}

// write stores the current index as a snapshot labelled with cursor and
// points the snapshot record at it, then counts the counted changes as
// written. The caller has set c.writing. Snapshots are derived state, like
// the index itself, so their writes are not audited.
func (c *catalogueIndex) write(ctx context.Context, cursor string, counted int) {
	written, ok := 0, false
	defer func() { c.finishWrite(written, ok) }()
	ix := c.ix.Load()
	var buf bytes.Buffer
	if err := ix.WriteSnapshot(&buf); err != nil {
		c.s.log.Error("sourcing index snapshot", "err", err)
		return
	}
	size := buf.Len()
	key := "sourcing/index/" + c.s.now().Format("20060102T150405Z") + "-" + store.NewID() + ".snapshot"
	if _, err := c.s.st.PutBlob(ctx, key, &buf); err != nil {
		c.s.log.Error("sourcing index snapshot", "err", err)
		return
	}
	c.mu.Lock()
	last := c.lastChange
	c.mu.Unlock()
	next := indexSnapshot{ID: snapshotRecord, Blob: key, Cursor: cursor, Services: ix.Len(), LastChange: last, WrittenAt: c.s.now()}
	point := func(p *indexSnapshot) error {
		prev := p.Blob
		*p = next
		p.Previous = prev
		return nil
	}
	before, _, _, err := c.s.snapshots.Update(ctx, snapshotRecord, point)
	if errors.Is(err, store.ErrNotFound) {
		if _, err = c.s.snapshots.Insert(ctx, snapshotRecord, next); errors.Is(err, store.ErrExists) {
			before, _, _, err = c.s.snapshots.Update(ctx, snapshotRecord, point) // another instance wrote its first
		}
	}
	if err != nil {
		c.s.log.Error("sourcing index snapshot", "err", err)
		_ = c.s.st.DeleteBlob(context.WithoutCancel(ctx), key)
		return
	}
	written, ok = counted, true
	if before.Previous != "" && before.Previous != key {
		if err := c.s.st.DeleteBlob(context.WithoutCancel(ctx), before.Previous); err != nil && !errors.Is(err, store.ErrNotFound) {
			c.s.log.Warn("deleting an old sourcing index snapshot", "blob", before.Previous, "err", err)
		}
	}
	c.s.log.Info("sourcing index snapshot written", "services", next.Services, "bytes", size)
}

func (c *catalogueIndex) stopTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	if c.timer != nil {
		c.timer.Stop()
	}
}

// catalogue identifies the catalogue as it is now, for a shortlist's
// provenance: the number of services, a hash of their content in id order
// and when the catalogue last changed. The answer is kept until the next
// change this instance applies.
func (c *catalogueIndex) catalogue() ds.CatalogueSnapshot {
	gen := c.gen.Load()
	c.mu.Lock()
	cached, last := c.hash, c.lastChange
	c.mu.Unlock()
	if cached.ok && cached.gen == gen {
		return cached.snap
	}
	snap := c.ix.Load().Snapshot(last) // one sha256 pass over the catalogue, without holding c.mu
	c.mu.Lock()
	c.hash.gen, c.hash.ok, c.hash.snap = gen, true, snap
	c.mu.Unlock()
	return snap
}

// changedAt records when the catalogue last changed: the latest write among
// the services this instance has seen.
func (c *catalogueIndex) changedAt(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.lastChange) {
		c.lastChange = t
	}
}
