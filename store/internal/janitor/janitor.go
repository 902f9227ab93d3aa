// Package janitor runs an adapter's housekeeping (pruning the change feed)
// in the background at a fixed interval, so no write pays for it.
package janitor

import (
	"context"
	"sync"
	"time"
)

// Janitor calls a function periodically until stopped.
type Janitor struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// Start calls fn once straight away and then every interval. fn's errors
// are dropped: housekeeping that fails is retried at the next tick and
// never affects a caller's write.
func Start(interval time.Duration, fn func(context.Context) error) *Janitor {
	ctx, cancel := context.WithCancel(context.Background())
	j := &Janitor{cancel: cancel}
	j.done.Add(1)
	go func() {
		defer j.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			_ = fn(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return j
}

// Stop cancels a run in progress and waits for the goroutine to end.
func (j *Janitor) Stop() {
	j.cancel()
	j.done.Wait()
}

// DefaultRetention is how long the change feed keeps a change (a delete, on
// MongoDB) when the adapter's options do not say: long enough for an
// instance that was down over a weekend to catch up without a full reload.
const DefaultRetention = 7 * 24 * time.Hour

// Interval is how often to prune a feed with the given retention: often
// enough that at most a tenth of the window is kept beyond it, at most
// hourly, and never more than once a second (tests that shorten the window
// call the adapter's PruneChanges themselves).
func Interval(retention time.Duration) time.Duration {
	return min(max(retention/10, time.Second), time.Hour)
}
