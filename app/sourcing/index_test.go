package sourcing

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/events"
	"github.com/jointict/councilapi/domain"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/internal/testref"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

// instance is one server's sourcing capability over a shared store.
type instance struct {
	s   *Service
	bus *events.Bus
	log *testref.LogBuffer
}

func openStore(t *testing.T, dir string) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.EnsureIndexes(context.Background(), Indexes); err != nil {
		t.Fatal(err)
	}
	return st
}

// startInstance starts the capability and its change feed, and waits until
// the index is ready.
func startInstance(t *testing.T, st store.Store, cfg Config) *instance {
	t.Helper()
	logs := &testref.LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	bus := events.New(st, log, events.Options{Poll: 20 * time.Millisecond})
	s := New(st, bus, audit.New(st, log), log, cfg)
	if err := bus.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := &instance{s: s, bus: bus, log: logs}
	t.Cleanup(in.stop)
	deadline := time.Now().Add(30 * time.Second)
	for bus.Status()["sourcing-index"] != "ready" {
		if time.Now().After(deadline) {
			t.Fatalf("the index did not load: %v\n%s", bus.Status(), logs.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return in
}

func (in *instance) stop() {
	in.s.Stop()
	in.bus.Stop()
}

var officer = audit.Actor{Principal: domain.Principal{KeyID: "k1", Role: domain.RoleOfficer, Organisation: "neddc"}}

func service(id, name string) ds.Service {
	return ds.Service{ID: id, FrameworkSlug: "g-cloud-15", Lot: ds.LotSoftware, Supplier: ds.Supplier{SupplierName: "Example Ltd"},
		ServiceName: name, ServiceDescription: "A hosted service for councils.", ServiceCategories: []string{"Case management"},
		PriceMin: ds.MustDec("9.50"), PriceUnit: "User", PriceInterval: "Month",
		DataStorageAndProcessingLocations: []string{"uk"}, ServiceDefinitionDocumentURL: "https://example.co.uk/sd.pdf"}
}

func importServices(t *testing.T, s *Service, services ...ds.Service) {
	t.Helper()
	var doc strings.Builder
	doc.WriteString(`{"services":[`)
	for i, svc := range services {
		if i > 0 {
			doc.WriteString(",")
		}
		fmt.Fprint(&doc, mustJSONText(t, svc))
	}
	doc.WriteString("]}")
	rep, err := s.Import(context.Background(), officer, ImportJSON, strings.NewReader(doc.String()), "test.json")
	if err != nil || rep.Created+rep.Updated != len(services) {
		t.Fatalf("import: %+v %v", rep, err)
	}
}

func mustJSONText(t *testing.T, v ds.Service) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func found(t *testing.T, s *Service, q string) []string {
	t.Helper()
	res, err := s.Search(context.Background(), ds.SearchQuery{Keywords: q, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.Service.ID)
	}
	return ids
}

func pointer(t *testing.T, st store.Store) indexSnapshot {
	t.Helper()
	var p indexSnapshot
	rec, err := st.Get(context.Background(), CollIndexSnapshots, snapshotRecord)
	if err != nil {
		t.Fatalf("no snapshot record: %v", err)
	}
	if err := rec.Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

// TestTheIndexRestartsFromItsSnapshotAndTheFeed: the first start builds
// the index and writes a snapshot; a later start reads the newest snapshot
// and replays the feed after it, so nothing written is missed; enough
// changes write a new snapshot.
func TestTheIndexRestartsFromItsSnapshotAndTheFeed(t *testing.T) {
	st := openStore(t, t.TempDir())
	quiet := Config{SnapshotEvery: 1000, SnapshotQuiet: time.Hour}
	a := startInstance(t, st, quiet)
	if !strings.Contains(a.log.String(), "sourcing index built from the catalogue") {
		t.Fatalf("the first start did not build the index:\n%s", a.log.String())
	}
	waitFor(t, "a snapshot after the build", func() bool {
		_, err := st.Get(context.Background(), CollIndexSnapshots, snapshotRecord)
		return err == nil
	})
	importServices(t, a.s, service("s1", "Planning portal"), service("s2", "Housing register"))
	a.stop()

	// The second start replays the two services, which is enough for a new snapshot.
	b := startInstance(t, st, Config{SnapshotEvery: 2, SnapshotQuiet: time.Hour})
	if !strings.Contains(b.log.String(), "sourcing index loaded from its snapshot") || !strings.Contains(b.log.String(), "replayed=2") {
		t.Fatalf("the second start did not use the snapshot and replay two changes:\n%s", b.log.String())
	}
	waitFor(t, "a snapshot of both services", func() bool { return pointer(t, st).Services == 2 })
	first := pointer(t, st)
	b.stop()

	// Changes after that snapshot: one new service, one renamed.
	d := startInstance(t, st, quiet)
	importServices(t, d.s, service("s3", "Waste collection rounds"), service("s1", "Planning applications portal"))
	d.stop()
	if pointer(t, st).Blob != first.Blob {
		t.Fatal("a snapshot was written although fewer changes than SnapshotEvery were made")
	}

	c := startInstance(t, st, Config{SnapshotEvery: 2, SnapshotQuiet: time.Hour})
	if !strings.Contains(c.log.String(), "sourcing index loaded from its snapshot") || !strings.Contains(c.log.String(), "replayed=2") {
		t.Fatalf("the last start did not replay the two changes after the snapshot:\n%s", c.log.String())
	}
	for q, want := range map[string]string{"waste": "s3", "applications": "s1", "housing": "s2"} {
		if got := found(t, c.s, q); len(got) != 1 || got[0] != want {
			t.Errorf("search %q after the restart: %v, want %s", q, got, want)
		}
	}
	// The replay makes a third snapshot: the second is kept one generation
	// (another instance may be reading it), the first is deleted.
	waitFor(t, "a third snapshot", func() bool { return pointer(t, st).Blob != first.Blob })
	if third := pointer(t, st); third.Previous != first.Blob || third.Services != 3 {
		t.Errorf("the third snapshot %+v should follow %s and hold 3 services", third, first.Blob)
	}
	if b, err := st.OpenBlob(context.Background(), first.Blob); err != nil {
		t.Errorf("the previous snapshot is gone: %v", err)
	} else {
		b.Close()
	}
	waitFor(t, "the first snapshot deleted", func() bool {
		b, err := st.OpenBlob(context.Background(), first.Previous)
		if err == nil {
			b.Close()
		}
		return err != nil
	})
}

// TestAnUnusableSnapshotIsRebuilt: a damaged blob or a cursor the feed
// does not know leads to a build from the services, never to a wrong index.
func TestAnUnusableSnapshotIsRebuilt(t *testing.T) {
	st := openStore(t, t.TempDir())
	cfg := Config{SnapshotEvery: 1, SnapshotQuiet: time.Hour}
	a := startInstance(t, st, cfg)
	importServices(t, a.s, service("s1", "Planning portal"))
	waitFor(t, "a snapshot after a change", func() bool {
		rec, err := st.Get(context.Background(), CollIndexSnapshots, snapshotRecord)
		return err == nil && strings.Contains(string(rec.Data), `"services":1`)
	})
	a.stop()
	ctx := context.Background()
	for name, damage := range map[string]func(p *indexSnapshot){
		"a damaged blob": func(p *indexSnapshot) {
			key := "sourcing/index/damaged-" + store.NewID()
			if _, err := st.PutBlob(ctx, key, strings.NewReader("councilapi-gcloud-index\x00 not really")); err != nil {
				t.Fatal(err)
			}
			p.Blob = key
		},
		"a cursor the feed never issued": func(p *indexSnapshot) { p.Cursor = "not-a-cursor" },
		"a missing blob":                 func(p *indexSnapshot) { p.Blob = "sourcing/index/gone" },
	} {
		rec, err := st.Get(ctx, CollIndexSnapshots, snapshotRecord)
		if err != nil {
			t.Fatal(err)
		}
		var p indexSnapshot
		_ = rec.Decode(&p)
		damage(&p)
		if _, err := st.Update(ctx, CollIndexSnapshots, snapshotRecord, rec.Version, p); err != nil {
			t.Fatal(err)
		}
		b := startInstance(t, st, cfg)
		if !strings.Contains(b.log.String(), "building from the catalogue") {
			t.Errorf("%s: the index was not rebuilt:\n%s", name, b.log.String())
		}
		if got := found(t, b.s, "planning"); len(got) != 1 {
			t.Errorf("%s: search after the rebuild: %v", name, got)
		}
		waitFor(t, name+": a fresh snapshot", func() bool {
			q := pointer(t, st)
			return q.Blob != p.Blob && q.Cursor != "not-a-cursor"
		})
		b.stop()
	}
}

// TestSearchesWaitForTheIndex: until the index has loaded, a search is
// unavailable (503), never an empty result.
func TestSearchesWaitForTheIndex(t *testing.T) {
	st := openStore(t, t.TempDir())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus := events.New(st, log, events.Options{})
	s := New(st, bus, audit.New(st, log), log, Config{})
	defer s.Stop()
	_, err := s.Search(context.Background(), ds.SearchQuery{Keywords: "x"})
	if domain.ErrorCode(err) != domain.CodeUnavailable {
		t.Errorf("a search before the index loaded: %v, want unavailable", err)
	}
}
