package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
	"github.com/jointict/councilapi/store/storetest"
)

func TestContract(t *testing.T) {
	root := t.TempDir()
	storetest.Run(t, func(t *testing.T, name string, retention time.Duration) store.Store {
		s, err := sqlite.OpenWith(context.Background(), filepath.Join(root, name), sqlite.Options{ChangeRetention: retention})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestDataSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx, "things", "kept", map[string]string{"name": "Derbyshire Dales"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec, err := s.Get(ctx, "things", "kept")
	if err != nil || string(rec.Data) != `{"name":"Derbyshire Dales"}` {
		t.Fatalf("after reopen: %s %v", rec.Data, err)
	}
}
