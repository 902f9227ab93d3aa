// Package jobs runs background jobs (the processing of uploads) on any number
// of instances sharing one store. A job is a record: an instance claims a
// queued one with an optimistic write that takes a lease, renews the lease
// while it works, and records the outcome. An instance that stops (a deploy,
// kill -9) leaves its lease to run out; then any live instance fails the job
// with a reason saying so. Nothing is decided from one instance's memory, so
// a restart of one instance never touches jobs another is processing.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// Handler does a claimed job's work. It saves progress through the Handle
// and returns the report and nil to succeed or an error to fail; the runner
// records either outcome. ctx ends when the instance shuts down or loses the
// job's lease.
type Handler interface {
	Run(ctx context.Context, h *Handle) (*opendata.Report, error)
	// Failed cleans up after a job that failed (or was abandoned by a dead
	// instance): partial files, the version record.
	Failed(ctx context.Context, j opendata.Job, reason string, report *opendata.Report)
	// Completed reports whether an abandoned job's work was in fact finished
	// (its instance stopped after publishing, before recording success), so
	// it is recorded as succeeded rather than failed.
	Completed(ctx context.Context, j opendata.Job) bool
}

// Options tune the runner.
type Options struct {
	Workers int           // jobs processed at once by this instance (default 2)
	Lease   time.Duration // how long a claim holds without renewal (default 30 s)
	Scan    time.Duration // how often queued and abandoned jobs are looked for (default Lease/3)
}

// DefaultLease is the lease of a claimed job when Options.Lease is zero.
const DefaultLease = 30 * time.Second

// Runner claims and processes jobs.
type Runner struct {
	jobs    repo.Repo[opendata.Job]
	handler Handler
	log     *slog.Logger
	opt     Options
	owner   string

	slots  chan struct{} // one token per free worker
	wake   chan struct{}
	wg     sync.WaitGroup
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns a runner over the jobs repository. The instance id is random
// per process, so two processes never mistake each other's jobs for theirs.
func New(jobs repo.Repo[opendata.Job], h Handler, log *slog.Logger, opt Options) *Runner {
	if opt.Workers <= 0 {
		opt.Workers = 2
	}
	if opt.Lease <= 0 {
		opt.Lease = DefaultLease
	}
	if opt.Scan <= 0 {
		opt.Scan = opt.Lease / 3
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	r := &Runner{jobs: jobs, handler: h, log: log, opt: opt, owner: hex.EncodeToString(id[:]),
		slots: make(chan struct{}, opt.Workers), wake: make(chan struct{}, 1)}
	for range opt.Workers {
		r.slots <- struct{}{}
	}
	return r
}

// Owner is this instance's id as written in the leases it takes.
func (r *Runner) Owner() string { return r.owner }

// Start begins claiming jobs until Stop.
func (r *Runner) Start(ctx context.Context) {
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.done = make(chan struct{})
	go r.loop(ctx)
}

// Stop cancels running jobs (they fail, publishing nothing) and waits.
func (r *Runner) Stop() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
	r.wg.Wait()
}

// Wake asks the runner to look for queued jobs now (after an upload).
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Runner) loop(ctx context.Context) {
	defer close(r.done)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.wake:
		}
		r.failAbandoned(ctx)
		r.claimQueued(ctx)
		t.Reset(r.opt.Scan)
	}
}

// claimQueued starts queued jobs, oldest first, while workers are free. A
// job another instance claims first is skipped (the optimistic write loses).
func (r *Runner) claimQueued(ctx context.Context) {
	queued, _, err := r.jobs.List(ctx, store.Query{
		Filters: []store.Filter{{Field: "state", Op: store.Eq, Value: string(opendata.JobQueued)}},
		Sort:    []store.Sort{{Field: "created"}}, Limit: 100})
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("listing queued jobs", "err", err)
		}
		return
	}
	for _, j := range queued {
		select {
		case <-r.slots:
		default:
			return // every worker is busy: the next scan or wake tries again
		}
		claimed, ok := r.claim(ctx, j.ID)
		if !ok {
			r.slots <- struct{}{}
			continue
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() { r.slots <- struct{}{}; r.Wake() }()
			r.run(ctx, claimed)
		}()
	}
}

func (r *Runner) claim(ctx context.Context, id string) (opendata.Job, bool) {
	now := time.Now().UTC()
	_, j, _, err := r.jobs.Update(ctx, id, func(j *opendata.Job) error {
		if j.State != opendata.JobQueued {
			return errTaken
		}
		return j.Claim(r.owner, now, now.Add(r.opt.Lease))
	})
	if err != nil {
		if !errors.Is(err, errTaken) && ctx.Err() == nil {
			r.log.Warn("claiming a job", "job", id, "err", err)
		}
		return j, false
	}
	return j, true
}

var errTaken = errors.New("the job is no longer queued")

// failAbandoned fails running jobs whose lease has run out: the instance
// that held them stopped without finishing.
func (r *Runner) failAbandoned(ctx context.Context) {
	running, _, err := r.jobs.List(ctx, store.Query{
		Filters: []store.Filter{{Field: "state", Op: store.Eq, Value: string(opendata.JobRunning)}}, Limit: 500})
	if err != nil {
		if ctx.Err() == nil {
			r.log.Error("listing running jobs", "err", err)
		}
		return
	}
	now := time.Now().UTC()
	for _, j := range running {
		if !j.Abandoned(now) {
			continue
		}
		reason := "the server instance processing this upload stopped before it finished; nothing was published — upload the file again"
		if j.Lease != nil {
			reason = fmt.Sprintf("the server instance processing this upload (%s) stopped before it finished (its lease expired at %s); nothing was published — upload the file again",
				j.Lease.Owner, j.Lease.Expires.Format(time.RFC3339))
		}
		if r.handler.Completed(ctx, j) {
			reason = ""
		}
		r.finish(ctx, j.ID, "", reason, j.Report)
	}
}

// Handle is a running job as its handler sees it.
type Handle struct {
	r    *Runner
	mu   sync.Mutex
	job  opendata.Job
	last time.Time
	lost context.CancelFunc
}

// Job returns the job as last saved.
func (h *Handle) Job() opendata.Job {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.job
}

// Progress records progress, saving it at most twice a second.
func (h *Handle) Progress(ctx context.Context, percent int, counts opendata.JobCounts) {
	h.mu.Lock()
	due := time.Since(h.last) > 500*time.Millisecond
	h.mu.Unlock()
	if due {
		h.save(ctx, func(j *opendata.Job) error { return j.SetProgress(percent, counts) })
	}
}

// save writes a change to the job together with a renewed lease. When the
// lease is gone (another instance failed the job as abandoned) the job's
// context is cancelled, so its work stops and nothing is published.
func (h *Handle) save(ctx context.Context, change func(*opendata.Job) error) {
	expires := time.Now().Add(h.r.opt.Lease)
	_, j, _, err := h.r.jobs.Update(context.WithoutCancel(ctx), h.job.ID, func(j *opendata.Job) error {
		if err := j.Renew(h.r.owner, expires); err != nil {
			return err
		}
		return change(j)
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.r.log.Warn("job lease lost", "job", h.job.ID, "err", err)
		h.lost()
		return
	}
	h.job, h.last = j, time.Now()
}

func (r *Runner) run(ctx context.Context, j opendata.Job) {
	ctx, lost := context.WithCancel(ctx)
	defer lost()
	h := &Handle{r: r, job: j, last: time.Now(), lost: lost}
	// Renew the lease while the handler works, even when it saves no progress.
	stopRenew := make(chan struct{})
	go func() {
		t := time.NewTicker(r.opt.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-stopRenew:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				h.save(ctx, func(*opendata.Job) error { return nil })
			}
		}
	}()
	report, err := r.safeRun(ctx, h)
	close(stopRenew)
	switch {
	case err == nil:
		r.finish(ctx, j.ID, r.owner, "", report)
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		r.finish(ctx, j.ID, r.owner, "the server shut down (or lost this job) while this upload was being processed; nothing was published — upload the file again", report)
	default:
		r.finish(ctx, j.ID, r.owner, err.Error(), report)
	}
}

// safeRun turns a handler panic into a failed job instead of a dead process.
func (r *Runner) safeRun(ctx context.Context, h *Handle) (rep *opendata.Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("job panic", "job", h.job.ID, "panic", fmt.Sprint(p))
			err = fmt.Errorf("processing stopped on an internal error (%v); nothing was published", p)
		}
	}()
	return r.handler.Run(ctx, h)
}

// finish records a job's outcome: success when reason is empty, failure
// otherwise. owner, when set, must still hold the lease; an abandoned job
// is finished by whoever finds it.
func (r *Runner) finish(ctx context.Context, id, owner, reason string, report *opendata.Report) {
	ctx = context.WithoutCancel(ctx)
	now := time.Now().UTC()
	_, j, _, err := r.jobs.Update(ctx, id, func(j *opendata.Job) error {
		if owner != "" && (j.Lease == nil || j.Lease.Owner != owner || j.State != opendata.JobRunning) {
			return errTaken
		}
		if owner == "" && !j.Abandoned(now) {
			return errTaken // renewed since we listed it
		}
		if reason == "" {
			return j.Succeed(now, report)
		}
		return j.Fail(now, reason, report)
	})
	if err != nil {
		if !errors.Is(err, errTaken) {
			r.log.Error("recording a job's outcome", "job", id, "err", err)
		}
		return
	}
	if reason != "" {
		r.handler.Failed(ctx, j, reason, report)
	}
}
