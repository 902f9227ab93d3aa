// Package ferretdbtest serves FerretDB v1.24 from inside a test process on
// its SQLite backend, so the MongoDB adapter and several server processes
// can be tested against a MongoDB wire-protocol server without installing
// one. FerretDB is a stand-in: its findAndModify is not atomic across
// clients and its queries scan (see the README's storage section).
package ferretdbtest

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Start serves FerretDB on a loopback port until the test ends and returns
// its MongoDB URI; WithDatabase names a database in it.
func Start(t testing.TB) string {
	t.Helper()
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + t.TempDir() + "/",
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

// WithDatabase returns uri naming database db.
func WithDatabase(uri, db string) string {
	u, err := url.Parse(uri)
	if err != nil {
		panic(err) // FerretDB's own URI
	}
	u.Path = "/" + db
	return u.String()
}
