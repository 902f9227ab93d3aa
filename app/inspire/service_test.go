package inspire_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/store/sqlite"
)

// A CSW request that arrives while the change feed applies changes must
// be answered: CI once hung for ten minutes when a change cleared the
// summaries between the catalogue taking the set and reading them.
func TestCSWRecordsWhileChangesApply(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := app.Prepare(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	a := app.New(app.Config{BaseURL: "https://opendata.example.gov.uk"}, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := a.Inspire.Load(ctx); err != nil {
		t.Fatal(err)
	}
	cat := a.Inspire.Catalogue(ctx, "https://opendata.example.gov.uk")

	stop := make(chan struct{})
	applied := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				applied <- n
				return
			default:
			}
			// An empty batch still marks the served list stale, as any change does.
			if err := a.Inspire.Apply(ctx, nil); err != nil {
				t.Error(err)
			}
			n++
		}
	}()
	answered := make(chan error, 1)
	go func() {
		for range 20000 {
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
		t.Fatal("CSW records were not answered while changes were applied: the record set is deadlocked")
	}
	close(stop)
	if n := <-applied; n == 0 {
		t.Fatal("no change was applied while the records were read, so the test proved nothing")
	}
}
