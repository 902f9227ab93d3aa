package mongo

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// StartFerretDB serves FerretDB v1.24 from this test process on its SQLite
// backend (no server to install) and returns its URI; exported for the
// package's external tests.
func StartFerretDB(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return f.MongoDBURI()
}
