package sqlite_test

import (
	"context"
	"testing"

	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
	"github.com/jointict/councilapi/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(context.Background(), t.TempDir())
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
