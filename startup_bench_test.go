package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/jointict/councilapi/api"
	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/internal/gcloudbench"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

// BenchmarkSourcingStartup starts the real binary on a data directory
// holding 50,000 G-Cloud services and measures, from the moment the process
// is started, the time until it accepts connections (/healthz answers) and
// until it is ready (/readyz answers 200: the search index has loaded). Each
// of three rounds starts it twice, interleaved: once without an index
// snapshot (the baseline: the index is built from the services, as every
// start did before snapshots), then from the snapshot that start wrote.
// Run by scripts/bench-sourcing; the goal is ready in under 1 s.
func BenchmarkSourcingStartup(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	if err := api.Prepare(ctx, st); err != nil {
		b.Fatal(err)
	}
	ids, docs := gcloudbench.Records(gcloudbench.Catalogue(50_000))
	if err := st.InsertMany(ctx, appsrc.CollServices, ids, docs); err != nil {
		b.Fatal(err)
	}
	st.Close()

	type run struct{ accept, ready time.Duration }
	var built, fromSnapshot []run
	for b.Loop() {
		for round := range 3 {
			dropIndexSnapshot(b, dir)
			accept, ready := timeStart(b, dir, true)
			built = append(built, run{accept, ready})
			accept, ready = timeStart(b, dir, false)
			fromSnapshot = append(fromSnapshot, run{accept, ready})
			fmt.Printf("round %d: built from the services: accepts connections %s, ready %s; from the snapshot: accepts %s, ready %s\n", round+1,
				built[len(built)-1].accept.Round(time.Millisecond), built[len(built)-1].ready.Round(time.Millisecond),
				fromSnapshot[len(fromSnapshot)-1].accept.Round(time.Millisecond), fromSnapshot[len(fromSnapshot)-1].ready.Round(time.Millisecond))
		}
	}
	stats := func(runs []run, pick func(run) time.Duration) (lo, med, hi time.Duration) {
		ds := make([]time.Duration, len(runs))
		for i, r := range runs {
			ds[i] = pick(r)
		}
		slices.Sort(ds)
		return ds[0], ds[len(ds)/2], ds[len(ds)-1]
	}
	accept := func(r run) time.Duration { return r.accept }
	ready := func(r run) time.Duration { return r.ready }
	for _, row := range []struct {
		name string
		runs []run
	}{{"built from the services (baseline)", built}, {"from the index snapshot", fromSnapshot}} {
		alo, amed, ahi := stats(row.runs, accept)
		rlo, rmed, rhi := stats(row.runs, ready)
		fmt.Printf("50,000 services, %s: accepts connections min/median/max %s/%s/%s; ready %s/%s/%s\n", row.name,
			alo.Round(time.Millisecond), amed.Round(time.Millisecond), ahi.Round(time.Millisecond),
			rlo.Round(time.Millisecond), rmed.Round(time.Millisecond), rhi.Round(time.Millisecond))
	}
	_, bmed, _ := stats(built, ready)
	_, smed, _ := stats(fromSnapshot, ready)
	_, amed, _ := stats(fromSnapshot, accept)
	fmt.Printf("ready from the snapshot in %.2fx the baseline's time (medians)\n", float64(smed)/float64(bmed))
	b.ReportMetric(float64(smed.Milliseconds()), "snapshot-ready-ms")
	b.ReportMetric(float64(amed.Milliseconds()), "snapshot-accept-ms")
	b.ReportMetric(float64(bmed.Milliseconds()), "built-ready-ms")
}

// dropIndexSnapshot forgets the index snapshot, so the next start builds
// the index from the services (the baseline).
func dropIndexSnapshot(b *testing.B, dir string) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	rec, err := st.Get(ctx, appsrc.CollIndexSnapshots, "gcloud-services")
	if err == store.ErrNotFound {
		return
	}
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Delete(ctx, appsrc.CollIndexSnapshots, rec.ID, rec.Version); err != nil {
		b.Fatal(err)
	}
}

// timeStart starts the binary and returns the times from the start until
// it accepts connections and until it is ready; with waitSnapshot it then
// waits until the index snapshot is written before stopping it.
func timeStart(b *testing.B, dir string, waitSnapshot bool) (accept, ready time.Duration) {
	began := time.Now()
	p := start(b, dir)
	client := http.Client{Timeout: 5 * time.Second}
	poll := func(path string) time.Duration {
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			res, err := client.Get(p.url + path)
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return time.Since(began)
				}
			}
		}
		b.Fatalf("%s did not answer 200", path)
		return 0
	}
	accept = poll("/healthz")
	ready = poll("/readyz")
	if waitSnapshot {
		ctx := context.Background()
		st, err := sqlite.Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
			if _, err := st.Get(ctx, appsrc.CollIndexSnapshots, "gcloud-services"); err == nil {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("no index snapshot was written after the build")
			}
		}
		st.Close()
	}
	p.stop(b, syscall.SIGTERM)
	return accept, ready
}
