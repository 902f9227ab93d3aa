package sourcing_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/internal/gcloudbench"
)

var snapshotQueries = []sourcing.SearchQuery{
	{Keywords: "backup", Limit: 100},
	{Keywords: "storage hosting", Lot: sourcing.Filter{{sourcing.LotHosting, sourcing.LotSoftware}}, Limit: 100},
	{Assurance: sourcing.Filter{{"iso-iec-27001"}, {"cyber-essentials"}}, Sort: sourcing.SortPrice, Limit: 100},
	{DataLocation: sourcing.Filter{{"uk"}}, Framework: sourcing.Filter{{"g-cloud-14"}}, Sort: sourcing.SortNameDesc, Limit: 50, Offset: 20},
	{Category: sourcing.Filter{{"payroll"}}, Limit: 100},
	{Keywords: "housing", AsOf: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Limit: 100},
	{Keywords: "housing", AsOf: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), IncludeExpired: true, Limit: 100},
}

// roundTrip writes the index's snapshot and reads it back.
func roundTrip(t *testing.T, ix *sourcing.Index) *sourcing.Index {
	t.Helper()
	var buf bytes.Buffer
	if err := ix.WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	loaded, err := sourcing.ReadSnapshot(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// sameAnswers fails unless both indexes give the same hits, scores and
// flags for every query.
func sameAnswers(t *testing.T, what string, got, want *sourcing.Index) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("%s: %d services, want %d", what, got.Len(), want.Len())
	}
	for _, q := range snapshotQueries {
		g, w := got.Search(q), want.Search(q)
		if g.Total != w.Total || len(g.Hits) != len(w.Hits) {
			t.Fatalf("%s: %+v: %d/%d hits, want %d/%d", what, q, g.Total, len(g.Hits), w.Total, len(w.Hits))
		}
		for i := range g.Hits {
			gh, wh := g.Hits[i], w.Hits[i]
			if !reflect.DeepEqual(gh, wh) {
				t.Fatalf("%s: %+v: hit %d is %+v, want %+v", what, q, i, gh, wh)
			}
		}
	}
}

func TestASnapshotAnswersAsTheIndexItWasWrittenFrom(t *testing.T) {
	services := genServices(3000, 11)
	for i := range services {
		if i%7 == 0 {
			m := services[i].PriceMin.MulInt(2)
			services[i].PriceMax = &m
		}
		if i%5 == 0 {
			services[i].FrameworkExpiry = "2026-01-31"
		}
	}
	ix := sourcing.NewIndex(services[:2000])
	// Dead slots and terms no live service uses must not survive.
	for _, s := range services[:500] {
		ix.Remove(s.ID)
	}
	for _, s := range services[2000:] {
		s.ServiceName += " reissued"
		ix.Upsert(s)
	}
	loaded := roundTrip(t, ix)
	sameAnswers(t, "loaded", loaded, ix)
	if s, ok := loaded.Get(services[2100].ID); !ok || s.ServiceName != services[2100].ServiceName+" reissued" || s.ServiceDescription != services[2100].ServiceDescription {
		t.Errorf("service after load: %+v", s)
	}
	// The catalogue hash is the sha256 of the services' JSON in id order, as
	// a json.Encoder writes them, before and after the round trip.
	live := append(slices.Clone(services[500:2000]), services[2000:]...)
	for i := range live[1500:] {
		live[1500+i].ServiceName += " reissued"
	}
	slices.SortFunc(live, func(a, b sourcing.Service) int { return strings.Compare(a.ID, b.ID) })
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, s := range live {
		_ = enc.Encode(s)
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	want := "sha256:" + hex.EncodeToString(h.Sum(nil))
	if a, b := ix.Snapshot(at), loaded.Snapshot(at); a.ContentHash != want || b.ContentHash != want || b.Services != 2500 {
		t.Errorf("catalogue snapshots %+v and %+v, want hash %s", a, b, want)
	}

	// The loaded index keeps working as an index: upserts append to posting
	// lists that share one array, and removals keep document frequencies.
	fresh := sourcing.NewIndex(nil)
	for _, s := range services[500:2000] {
		fresh.Upsert(s)
	}
	for _, s := range services[2000:] {
		s.ServiceName += " reissued"
		fresh.Upsert(s)
	}
	for i, s := range services[600:900] {
		s.ServiceDescription = fmt.Sprintf("backup storage housing rewritten %d", i)
		loaded.Upsert(s)
		fresh.Upsert(s)
	}
	for _, s := range services[900:1000] {
		loaded.Remove(s.ID)
		fresh.Remove(s.ID)
	}
	sameAnswers(t, "changed after load", loaded, fresh)

	sameAnswers(t, "reloaded", roundTrip(t, loaded), fresh)
}

func TestADamagedSnapshotIsRefused(t *testing.T) {
	var buf bytes.Buffer
	if err := sourcing.NewIndex(genServices(50, 3)).WriteSnapshot(&buf); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for cut := 0; cut < len(good); cut += 1 + cut/50 {
		if _, err := sourcing.ReadSnapshot(good[:cut]); !errors.Is(err, sourcing.ErrSnapshotFormat) {
			t.Fatalf("a snapshot cut at byte %d of %d: %v", cut, len(good), err)
		}
	}
	other := bytes.Clone(good)
	other[len(sourcing.SnapshotMagic)]++ // the format version
	if _, err := sourcing.ReadSnapshot(other); !errors.Is(err, sourcing.ErrSnapshotFormat) {
		t.Errorf("another format version: %v", err)
	}
	huge := bytes.Clone(good)
	copy(huge[len(sourcing.SnapshotMagic)+4:], []byte{0xff, 0xff, 0xff, 0x7f}) // documents
	if _, err := sourcing.ReadSnapshot(huge); !errors.Is(err, sourcing.ErrSnapshotFormat) {
		t.Errorf("an impossible document count: %v", err)
	}
	if _, err := sourcing.ReadSnapshot(append(bytes.Clone(good), 0)); !errors.Is(err, sourcing.ErrSnapshotFormat) {
		t.Errorf("trailing bytes: %v", err)
	}
}

func TestAnEmptyIndexSnapshots(t *testing.T) {
	ix := roundTrip(t, sourcing.NewIndex(nil))
	if ix.Len() != 0 {
		t.Fatalf("%d services", ix.Len())
	}
	ix.Upsert(gcloudbench.Catalogue(1)[0])
	if ix.Search(sourcing.SearchQuery{Limit: 10}).Total != 1 {
		t.Error("an index loaded empty does not take services")
	}
}

// BenchmarkSnapshot50k reports the time to read the snapshot of 50,000
// services against the time to build their index from the services.
func BenchmarkSnapshot50k(b *testing.B) {
	services := genServices(50_000, 42)
	start := time.Now()
	ix := sourcing.NewIndex(services)
	build := time.Since(start)
	var buf bytes.Buffer
	start = time.Now()
	if err := ix.WriteSnapshot(&buf); err != nil {
		b.Fatal(err)
	}
	write := time.Since(start)
	b.ResetTimer()
	for b.Loop() {
		if _, err := sourcing.ReadSnapshot(buf.Bytes()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1e6, "snapshot-MB")
	b.ReportMetric(float64(build.Milliseconds()), "build-ms")
	b.ReportMetric(float64(write.Milliseconds()), "write-ms")
}
