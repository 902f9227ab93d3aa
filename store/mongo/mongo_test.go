package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/mongo"
	"github.com/jointict/councilapi/store/storetest"
)

var dbCounter atomic.Int64

// TestContract runs the store contract against a real MongoDB when
// MONGODB_URI is set, and always against FerretDB v1.24 embedded in this
// process on its SQLite backend (no server to install).
func TestContract(t *testing.T) {
	if uri := os.Getenv("MONGODB_URI"); uri != "" {
		t.Run("MongoDB", func(t *testing.T) { runContract(t, uri, mongo.Options{}) })
	}
	t.Run("FerretDB", func(t *testing.T) {
		uri := mongo.StartFerretDB(t)
		runContract(t, uri, mongo.Options{BatchSize: 100})
	})
}

func runContract(t *testing.T, uri string, opt mongo.Options) {
	// A fresh database per run keeps runs independent; reopening a name
	// reopens its database.
	prefix := fmt.Sprintf("councilapi_test_%d_%d", time.Now().UnixNano()%1e6, dbCounter.Add(1))
	storetest.Run(t, func(t *testing.T, name string, retention time.Duration) store.Store {
		o := opt
		o.ChangeRetention = retention
		s, err := mongo.Open(context.Background(), withDatabase(uri, prefix+"_"+name), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestReopenKeepsData opens the same database twice, as a restart does: index
// creation must be idempotent and the data still there.
func TestReopenKeepsData(t *testing.T) {
	uri := withDatabase(mongo.StartFerretDB(t), "reopen")
	ctx := context.Background()
	s, err := mongo.Open(ctx, uri, mongo.Options{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	idx := []store.Index{{Collection: "orgs", Unique: []string{"gss"}, Fields: []string{"name"}}}
	if err := s.EnsureIndexes(ctx, idx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, "orgs", "bdc", map[string]string{"gss": "E07000033", "name": "Bolsover"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = mongo.Open(ctx, uri, mongo.Options{BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.EnsureIndexes(ctx, idx); err != nil {
		t.Fatal(err)
	}
	rec, err := s.Get(ctx, "orgs", "bdc")
	if err != nil || string(rec.Data) != `{"gss":"E07000033","name":"Bolsover"}` {
		t.Fatalf("after reopen: %s %v", rec.Data, err)
	}
	var dup *store.DuplicateError
	if _, err := s.Insert(ctx, "orgs", "x", map[string]string{"gss": "E07000033"}); !errors.As(err, &dup) {
		t.Fatalf("unique after reopen: %v", err)
	}
}
