package janitor

import (
	"context"
	"testing"
	"time"
)

// The first run happens straight away, and Stop cancels a run in progress
// and returns only once it has ended (a store closes its database after).
func TestStartRunsAtOnceAndStopWaits(t *testing.T) {
	started, ended := make(chan struct{}), make(chan struct{})
	j := Start(time.Hour, func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(ended)
		return ctx.Err()
	})
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("no run straight after Start")
	}
	j.Stop()
	select {
	case <-ended:
	default:
		t.Fatal("Stop returned while a run was still going")
	}
	j.Stop() // a second Stop is harmless
}

func TestIntervalBounds(t *testing.T) {
	for retention, want := range map[time.Duration]time.Duration{
		DefaultRetention:      time.Hour,
		5 * time.Hour:         30 * time.Minute,
		50 * time.Millisecond: time.Second,
		0:                     time.Second,
	} {
		if got := Interval(retention); got != want {
			t.Errorf("Interval(%s) = %s, want %s", retention, got, want)
		}
	}
}
