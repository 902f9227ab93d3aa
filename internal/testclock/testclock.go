// Package testclock is a clock for tests that moves only when told, for
// rules that depend on time passing (session timeouts, deadlines).
package testclock

import (
	"sync"
	"time"
)

// Clock is safe for the server's goroutines and the test's at once.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// At returns a clock showing t.
func At(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time; pass the method value as a Now func.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
