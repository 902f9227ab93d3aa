package api

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// jobRunner processes uploads in the background with a few workers. Jobs
// are records in the store, so a client can poll them and a restart finds
// the ones that were cut off.
type jobRunner struct {
	a       *datasetsAPI
	queue   chan string
	workers int
	wg      sync.WaitGroup
	cancel  context.CancelFunc
	ctx     context.Context
}

func newJobRunner(a *datasetsAPI, workers int) *jobRunner {
	return &jobRunner{a: a, queue: make(chan string, 10_000), workers: workers}
}

func (r *jobRunner) start(context.Context) error {
	r.ctx, r.cancel = context.WithCancel(context.Background())
	for range r.workers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for {
				select {
				case <-r.ctx.Done():
					return
				case id := <-r.queue:
					r.a.runJob(r.ctx, id)
				}
			}
		}()
	}
	return nil
}

// stop cancels running jobs (they fail, publishing nothing) and waits.
func (r *jobRunner) stop() {
	if r.cancel != nil {
		r.cancel()
	}
	r.wg.Wait()
}

func (r *jobRunner) enqueue(id string) {
	select {
	case r.queue <- id:
	default:
		go func() { r.queue <- id }()
	}
}

// recoverInterruptedJobs runs at start. A job that was running when the
// process stopped is failed and its version with it: nothing of it was
// published, because publishing is the last step, and its partial files are
// removed. Queued jobs never started, so they are queued again.
func (a *datasetsAPI) recoverInterruptedJobs(ctx context.Context) error {
	var requeue []string
	err := a.s.store.Scan(ctx, collJobs, []store.Filter{{Field: "state", Op: store.In,
		Values: []any{string(opendata.JobQueued), string(opendata.JobRunning)}}}, func(rec store.Record) error {
		var j opendata.Job
		if err := rec.Decode(&j); err != nil {
			return err
		}
		if j.State == opendata.JobQueued {
			requeue = append(requeue, j.ID)
			return nil
		}
		a.failJob(ctx, j, rec.Version, "the server stopped while this upload was being processed; nothing was published — upload the file again", nil)
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range requeue {
		a.jobs.enqueue(id)
	}
	return nil
}

// jobHandle saves a running job's progress without flooding the store.
type jobHandle struct {
	a       *datasetsAPI
	job     opendata.Job
	version int64
	last    time.Time
}

func (h *jobHandle) save(ctx context.Context) error {
	rec, err := h.a.s.store.Update(context.WithoutCancel(ctx), collJobs, h.job.ID, h.version, h.job)
	if err != nil {
		return err
	}
	h.version = rec.Version
	h.last = time.Now()
	return nil
}

func (h *jobHandle) progress(ctx context.Context, percent int, counts opendata.JobCounts) {
	if err := h.job.SetProgress(percent, counts); err != nil {
		return
	}
	if time.Since(h.last) > 500*time.Millisecond {
		_ = h.save(ctx)
	}
}

func (a *datasetsAPI) runJob(ctx context.Context, id string) {
	rec, err := a.s.store.Get(ctx, collJobs, id)
	if err != nil {
		a.s.log.Error("job vanished", "job", id, "err", err)
		return
	}
	h := &jobHandle{a: a, version: rec.Version}
	if err := rec.Decode(&h.job); err != nil || h.job.State != opendata.JobQueued {
		return
	}
	if err := h.job.Start(now()); err != nil {
		return
	}
	if err := h.save(ctx); err != nil {
		return // another worker took it
	}
	report, err := a.process(ctx, h)
	if err != nil {
		reason := err.Error()
		if errors.Is(err, context.Canceled) {
			reason = "the server shut down while this upload was being processed; nothing was published — upload the file again"
		}
		a.failJob(ctx, h.job, h.version, reason, report)
		return
	}
	if err := h.job.Succeed(now(), report); err != nil {
		return
	}
	_ = h.save(ctx)
}

// failJob marks a job and its version failed and removes the version's
// generated files; the previously published version stays in place.
func (a *datasetsAPI) failJob(ctx context.Context, j opendata.Job, version int64, reason string, report *opendata.Report) {
	ctx = context.WithoutCancel(ctx)
	for _, ext := range []string{"csv", "json", "geojson"} {
		_ = a.s.store.DeleteBlob(ctx, fileKey(j.DatasetID, j.Version, ext))
	}
	if v, vrec, err := a.loadVersion(ctx, j.DatasetID, j.Version); err == nil && v.State == opendata.VersionProcessing {
		if v.Fail() == nil {
			v.Report = report
			_, _ = a.s.store.Update(ctx, collVersions, vrec.ID, vrec.Version, v)
		}
	}
	if err := j.Fail(now(), reason, report); err != nil {
		return
	}
	if _, err := a.s.store.Update(ctx, collJobs, j.ID, version, j); err != nil {
		a.s.log.Error("recording failed job", "job", j.ID, "err", err)
	}
	_ = a.s.store.AppendAudit(ctx, store.AuditEntry{Actor: "system", Action: "dataset.version.fail",
		Collection: collVersions, RecordID: versionID(j.DatasetID, j.Version), After: mustJSON(map[string]string{"reason": reason})})
}

// publishVersion makes a processed version visible: its record becomes
// published, then the dataset's pointer moves to it in one document write.
func (a *datasetsAPI) publishVersion(ctx context.Context, v versionDoc, vrecVersion int64) error {
	if err := v.Publish(now()); err != nil {
		return err
	}
	if _, err := a.s.store.Update(ctx, collVersions, versionID(v.DatasetID, v.Number), vrecVersion, v); err != nil {
		return err
	}
	before, after, err := a.updateDataset(ctx, v.DatasetID, func(d *datasetDoc) error {
		// An older upload finishing after a newer one never replaces it.
		if v.Number < d.CurrentVersion {
			return nil
		}
		d.CurrentVersion = v.Number
		d.Formats = d.Formats[:0]
		for _, f := range v.Files {
			d.Formats = append(d.Formats, f.Ext)
		}
		if v.Extent != nil {
			if d.Spatial == nil {
				d.Spatial = &opendata.SpatialCoverage{}
			}
			d.Spatial.BBox = v.Extent
		}
		d.Modified = now()
		return nil
	})
	if err != nil {
		return fmt.Errorf("moving the dataset to version %d: %w", v.Number, err)
	}
	_ = a.s.store.AppendAudit(ctx, store.AuditEntry{Actor: "system", Action: "dataset.version.publish",
		Collection: collDatasets, RecordID: v.DatasetID, Before: mustJSON(before), After: mustJSON(after)})
	a.notify(ctx, after)
	return nil
}

var errInvalidFile = domain.Errorf(domain.CodeInvalid, "the file has errors; see the report")
