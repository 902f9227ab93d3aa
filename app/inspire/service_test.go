package inspire_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/internal/apptest"
)

// A CSW request that arrives while the change feed applies changes must
// be answered: CI once hung for ten minutes when a change cleared the
// summaries between the catalogue taking the set and reading them.
func TestCSWRecordsWhileChangesApply(t *testing.T) {
	ctx := context.Background()
	a := app.New(app.Config{BaseURL: "https://opendata.example.gov.uk"}, apptest.Store(t), apptest.Quiet())
	if err := a.Inspire.Load(ctx); err != nil {
		t.Fatal(err)
	}
	cat := a.Inspire.Catalogue(ctx, "https://opendata.example.gov.uk")

	// The reads go on until a thousand changes were applied among them.
	var applied atomic.Int64
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			// An empty batch still marks the served list stale, as any change does.
			if err := a.Inspire.Apply(ctx, nil); err != nil {
				t.Error(err)
			}
			applied.Add(1)
		}
	}()
	answered := make(chan error, 1)
	go func() {
		for reads := 0; reads < 1000 || applied.Load() < 1000; reads++ {
			if _, err := cat.Records(ctx); err != nil {
				answered <- err
				return
			}
		}
		answered <- nil
	}()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("CSW records were not answered while changes were applied (%d applied): the record set is deadlocked", applied.Load())
	}
}
