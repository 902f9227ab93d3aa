package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointict/councilapi/app/jobs"
	"github.com/jointict/councilapi/app/repo"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

// handler counts runs and can be made to block until released, standing in
// for a long upload.
type handler struct {
	runs    atomic.Int32
	block   chan struct{}
	mu      sync.Mutex
	failed  []string
	visible bool // Completed's answer
}

func (h *handler) Run(ctx context.Context, jh *jobs.Handle) (*od.Report, error) {
	h.runs.Add(1)
	jh.Progress(ctx, 10, od.JobCounts{Rows: 1})
	if h.block != nil {
		select {
		case <-h.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &od.Report{}, nil
}

func (h *handler) Failed(_ context.Context, j od.Job, reason string, _ *od.Report) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failed = append(h.failed, reason)
}

func (h *handler) Completed(context.Context, od.Job) bool { return h.visible }

func jobsRepo(t *testing.T) repo.Repo[od.Job] {
	t.Helper()
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return repo.New[od.Job](st, "jobs")
}

func queue(t *testing.T, r repo.Repo[od.Job], n int) []string {
	t.Helper()
	var ids []string
	for range n {
		j := od.Job{ID: store.NewID(), Kind: od.JobIngest, DatasetID: "d", Version: 1, State: od.JobQueued, Created: time.Now().UTC()}
		if _, err := r.Insert(context.Background(), j.ID, j); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	return ids
}

func wait(t *testing.T, r repo.Repo[od.Job], id string, want od.JobState, within time.Duration) od.Job {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j, _, err := r.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s after %s, want %s", id, j.State, within, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestEveryQueuedJobRunsExactlyOnceAcrossInstances: two runners on one
// store share the queue; no job is run twice or left behind.
func TestEveryQueuedJobRunsExactlyOnceAcrossInstances(t *testing.T) {
	r := jobsRepo(t)
	ids := queue(t, r, 12)
	ha, hb := &handler{}, &handler{}
	a := jobs.New(r, ha, quiet, jobs.Options{Workers: 2, Lease: time.Second})
	b := jobs.New(r, hb, quiet, jobs.Options{Workers: 2, Lease: time.Second})
	a.Start(context.Background())
	b.Start(context.Background())
	defer a.Stop()
	defer b.Stop()
	for _, id := range ids {
		wait(t, r, id, od.JobSucceeded, 20*time.Second)
	}
	if got := ha.runs.Load() + hb.runs.Load(); got != int32(len(ids)) {
		t.Fatalf("%d runs for %d jobs", got, len(ids))
	}
}

// TestAbandonedJobIsFailedByAnotherInstance: the instance processing a job
// stops renewing its lease (it died); another instance fails the job, with a
// reason saying so, once the lease has run out — and not before.
func TestAbandonedJobIsFailedByAnotherInstance(t *testing.T) {
	r := jobsRepo(t)
	// An instance claimed the job and then died (kill -9): its lease is
	// never renewed.
	id := queue(t, r, 1)[0]
	j, _, _, err := r.Update(context.Background(), id, func(j *od.Job) error {
		return j.Claim("vanished-instance", time.Now(), time.Now().Add(800*time.Millisecond))
	})
	if err != nil {
		t.Fatal(err)
	}
	survivor := &handler{}
	b := jobs.New(r, survivor, quiet, jobs.Options{Workers: 1, Lease: 300 * time.Millisecond})
	b.Start(context.Background())
	defer b.Stop()
	time.Sleep(300 * time.Millisecond)
	if cur, _, _ := r.Get(context.Background(), id); cur.State != od.JobRunning {
		t.Fatalf("the job was %s before its lease (until %s) ran out", cur.State, j.Lease.Expires)
	}
	failed := wait(t, r, id, od.JobFailed, 5*time.Second)
	if !strings.Contains(failed.Error, "vanished-instance") || !strings.Contains(failed.Error, "stopped before it finished") {
		t.Errorf("reason %q does not say the instance stopped", failed.Error)
	}
	if survivor.runs.Load() != 0 {
		t.Errorf("the survivor re-ran an abandoned job")
	}
}

// TestShutdownFailsOwnRunningJob: an instance shutting down fails the jobs
// it is processing with a reason, so nothing stays running.
func TestShutdownFailsOwnRunningJob(t *testing.T) {
	r := jobsRepo(t)
	id := queue(t, r, 1)[0]
	h := &handler{block: make(chan struct{})}
	a := jobs.New(r, h, quiet, jobs.Options{Workers: 1, Lease: time.Second})
	a.Start(context.Background())
	wait(t, r, id, od.JobRunning, 5*time.Second)
	a.Stop()
	j := wait(t, r, id, od.JobFailed, time.Second)
	if !strings.Contains(j.Error, "shut down") || len(h.failed) != 1 {
		t.Errorf("job after shutdown: %q, cleanups %v", j.Error, h.failed)
	}
}
