// Package events keeps an instance's derived state (OGC collections, search
// indexes, record sets, caches) in step with the store by tailing the store's
// change feed. Every instance on one store tails the same feed, and the
// instance that made a write learns of it the same way as the others, so any
// number of instances agree: there is no in-process publish hook to miss.
package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/jointict/councilapi/store"
)

// Consumer is a piece of derived state fed by the change feed.
type Consumer interface {
	// Name identifies the consumer in logs and readiness reports.
	Name() string
	// Collections are the store collections whose changes it needs.
	Collections() []string
	// Load (re)builds the whole state from the store. It runs at start and
	// whenever the feed cannot say what changed (a cursor gone stale, or an
	// earlier Apply that failed).
	Load(ctx context.Context) error
	// Apply brings the state up to date with changes, which are all in its
	// collections, oldest first. A change may be delivered again; Apply
	// re-reads the records it names, so repeating one is harmless.
	Apply(ctx context.Context, changes []store.Change) error
}

// Options tune the bus.
type Options struct {
	// Poll is the longest time between two reads of the feed (default 500 ms).
	// A write through this instance is seen at once (the bus is poked); one
	// through another instance within Poll plus the time to apply it.
	Poll time.Duration
	// Batch is how many changes one read takes (default 500).
	Batch int
}

// DefaultPoll is the feed poll interval when Options.Poll is zero.
const DefaultPoll = 500 * time.Millisecond

// Bus tails the change feed and hands each consumer its changes.
type Bus struct {
	st   store.Store
	log  *slog.Logger
	opt  Options
	subs []*subscription

	poke chan struct{}

	mu      sync.Mutex
	round   uint64        // completed poll rounds
	caught  uint64        // the last round that read the feed to its end
	started bool          // the first load has finished
	roundCh chan struct{} // closed and replaced after every round
	cancel  context.CancelFunc
	done    chan struct{}
}

type subscription struct {
	c      Consumer
	colls  map[string]bool
	stale  bool // Load must run again before Apply
	loaded bool
	err    error
	// retryAt and backoff space out reloads of a consumer that keeps
	// failing (a store outage, a corrupt artefact), so it does not reload on
	// every poll.
	retryAt time.Time
	backoff time.Duration
}

const (
	firstBackoff = time.Second
	maxBackoff   = 30 * time.Second
)

// New returns a bus over st; add consumers with Subscribe, then Start.
func New(st store.Store, log *slog.Logger, opt Options) *Bus {
	if opt.Poll <= 0 {
		opt.Poll = DefaultPoll
	}
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	return &Bus{st: st, log: log, opt: opt, poke: make(chan struct{}, 1), roundCh: make(chan struct{})}
}

// Subscribe adds a consumer; call before Start.
func (b *Bus) Subscribe(c Consumer) {
	s := &subscription{c: c, colls: map[string]bool{}}
	for _, coll := range c.Collections() {
		s.colls[coll] = true
	}
	b.subs = append(b.subs, s)
}

// Start takes the feed's head, loads every consumer in the background and
// then tails the feed until Stop. It returns at once: the HTTP server should
// accept connections while state loads, answering /readyz with 503 until
// Ready says otherwise.
func (b *Bus) Start(ctx context.Context) error {
	cursor, err := b.st.HeadCursor(ctx)
	if err != nil {
		return fmt.Errorf("reading the change feed's head: %w", err)
	}
	ctx, b.cancel = context.WithCancel(context.WithoutCancel(ctx))
	b.done = make(chan struct{})
	go b.run(ctx, cursor)
	return nil
}

// Stop ends the tailing and waits for the current round.
func (b *Bus) Stop() {
	if b.cancel == nil {
		return
	}
	b.cancel()
	<-b.done
}

// Poke asks for a read of the feed now, after a write through this instance.
func (b *Bus) Poke() {
	select {
	case b.poke <- struct{}{}:
	default:
	}
}

// Sync returns once every change committed before the call has been applied
// by this instance's consumers (or ctx ends): a use case calls it after a
// write whose derived views its answer promises, so "published" is true on
// this instance when the client hears it.
func (b *Bus) Sync(ctx context.Context) error {
	b.mu.Lock()
	target := b.round + 2 // the round under way may have read the feed before the write
	b.mu.Unlock()
	b.Poke()
	for {
		b.mu.Lock()
		if b.caught >= target && b.started {
			b.mu.Unlock()
			return nil
		}
		ch := b.roundCh
		b.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// SyncWait bounds how long a write waits for this instance's derived
// state before answering.
const SyncWait = 10 * time.Second

// AfterWrite is Sync for a use case that has just written: it waits at most
// SyncWait, and not for the request's cancellation (the write has
// happened). A timeout is logged, not returned: the write has succeeded.
func (b *Bus) AfterWrite(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), SyncWait)
	defer cancel()
	if err := b.Sync(ctx); err != nil {
		b.log.Warn("derived state did not catch up in time", "err", err)
	}
}

// Status reports each consumer's state for /readyz: "ready", "loading", or
// the error of its last failed load or apply.
func (b *Bus) Status() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]string{}
	for _, s := range b.subs {
		switch {
		case s.err != nil:
			out[s.c.Name()] = s.err.Error()
		case !s.loaded:
			out[s.c.Name()] = "loading"
		default:
			out[s.c.Name()] = "ready"
		}
	}
	return out
}

func (b *Bus) run(ctx context.Context, cursor string) {
	defer close(b.done)
	for _, s := range b.subs {
		b.load(ctx, s)
	}
	b.mu.Lock()
	b.started = true
	b.mu.Unlock()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-b.poke:
		}
		next, more := b.pollOnce(ctx, cursor)
		cursor = next
		b.finishRound(!more)
		if more {
			t.Reset(0)
		} else {
			t.Reset(b.opt.Poll)
		}
	}
}

// finishRound ends a round; caughtUp says it read the feed to its end, so
// a Sync waiting for it need not wait for the rest of a backlog.
func (b *Bus) finishRound(caughtUp bool) {
	b.mu.Lock()
	b.round++
	if caughtUp {
		b.caught = b.round
	}
	close(b.roundCh)
	b.roundCh = make(chan struct{})
	b.mu.Unlock()
}

// pollOnce reads one batch of changes and dispatches it; more says a full
// batch came back, so the next read should follow at once.
func (b *Bus) pollOnce(ctx context.Context, cursor string) (string, bool) {
	changes, next, err := b.st.Changes(ctx, cursor, b.opt.Batch)
	if errors.Is(err, store.ErrCursorExpired) {
		// The feed was pruned past us: reload everything from a fresh head.
		head, herr := b.st.HeadCursor(ctx)
		if herr != nil {
			b.log.Error("change feed: reading the head", "err", herr)
			return cursor, false
		}
		b.log.Warn("change feed: cursor expired; reloading all derived state")
		for _, s := range b.subs {
			b.load(ctx, s)
		}
		return head, true
	}
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("change feed: reading", "err", err)
		}
		return cursor, false
	}
	for _, s := range b.subs {
		mine := slices.DeleteFunc(slices.Clone(changes), func(c store.Change) bool { return !s.colls[c.Collection] })
		if s.stale {
			if time.Now().After(s.retryAt) {
				b.load(ctx, s)
			}
			continue // a full load covers these changes too
		}
		if len(mine) == 0 {
			continue
		}
		if err := s.c.Apply(ctx, mine); err != nil {
			b.fail(s, fmt.Errorf("applying changes: %w", err))
			continue
		}
		b.mu.Lock()
		s.err = nil
		b.mu.Unlock()
	}
	return next, len(changes) == b.opt.Batch
}

func (b *Bus) load(ctx context.Context, s *subscription) {
	start := time.Now()
	err := s.c.Load(ctx)
	if err != nil {
		if ctx.Err() == nil {
			b.fail(s, fmt.Errorf("loading: %w", err))
		}
		return
	}
	b.mu.Lock()
	s.loaded, s.stale, s.err, s.backoff = true, false, nil, 0
	b.mu.Unlock()
	b.log.Info("derived state loaded", "consumer", s.c.Name(), "ms", time.Since(start).Milliseconds())
}

// fail records a consumer's error; its state is rebuilt by a full Load on
// the next round, so one bad change cannot leave it behind for good.
func (b *Bus) fail(s *subscription, err error) {
	b.log.Error("derived state", "consumer", s.c.Name(), "err", err)
	b.mu.Lock()
	defer b.mu.Unlock()
	s.stale, s.err = true, err
	s.backoff = min(max(2*s.backoff, firstBackoff), maxBackoff)
	s.retryAt = time.Now().Add(s.backoff)
}
