// Package apptest gives the application packages' tests what every one of
// them starts from: a prepared embedded store in the test's own temporary
// directory, and the application started on it, both closed when the test
// ends.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

// Quiet is a logger that writes nothing.
func Quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Open is a fresh, empty SQLite store in the test's directory, closed when
// the test ends; callers that need more than the application's indexes
// (the API's own) declare them.
func Open(t testing.TB) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Store is a fresh SQLite store with the application's collections and
// indexes declared.
func Store(t testing.TB) store.Store {
	t.Helper()
	st := Open(t)
	if err := app.Prepare(context.Background(), st, nil); err != nil {
		t.Fatal(err)
	}
	return st
}

// Start is the application on a fresh Store, started (its change feed
// consumers loaded and polling) and stopped when the test ends.
func Start(t testing.TB, cfg app.Config) *app.App {
	t.Helper()
	a := app.New(cfg, Store(t), Quiet())
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	return a
}
