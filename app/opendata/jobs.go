package opendata

import (
	"context"
	"fmt"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/jobs"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
)

// jobHandler processes upload jobs for the runner.
type jobHandler struct{ s *Service }

var _ jobs.Handler = jobHandler{}

func (h jobHandler) Run(ctx context.Context, jh *jobs.Handle) (*od.Report, error) {
	return h.s.process(ctx, jh)
}

// Failed removes a failed version's generated files and marks the version
// failed; the previously published version stays in place.
func (h jobHandler) Failed(ctx context.Context, j od.Job, reason string, report *od.Report) {
	s := h.s
	for _, ext := range []string{"csv", "json", "geojson", artefactExt} {
		_ = s.st.DeleteBlob(ctx, FileKey(j.DatasetID, j.Version, ext))
	}
	_, _, _, err := s.versions.Update(ctx, VersionID(j.DatasetID, j.Version), func(v *VersionRecord) error {
		if v.State != od.VersionProcessing {
			return errNothingToDo
		}
		v.Report = report
		return v.Fail()
	})
	if err != nil && err != errNothingToDo {
		s.log.Error("marking a failed version", "job", j.ID, "err", err)
	}
	s.audit.Record(ctx, audit.System, "dataset.version.fail", CollVersions, VersionID(j.DatasetID, j.Version), nil,
		map[string]string{"reason": reason, "job": j.ID})
}

// artefactExt names a version's persisted OGC API index blob.
const artefactExt = "ogcindex"

var errNothingToDo = fmt.Errorf("nothing to do")

// Completed reports whether the job's version was published before its
// instance stopped.
func (h jobHandler) Completed(ctx context.Context, j od.Job) bool {
	v, _, err := h.s.versions.Get(ctx, VersionID(j.DatasetID, j.Version))
	return err == nil && v.State == od.VersionPublished
}

// publishVersion makes a processed version visible once every output it
// feeds is built: its record becomes published, then the dataset's pointer
// moves to it in one document write. The steps (INSPIRE stamp, register
// checks) run first against the dataset as it will be, so a failing one
// leaves the previous version current.
func (s *Service) publishVersion(ctx context.Context, v VersionRecord) error {
	d, _, err := s.datasets.Get(ctx, v.DatasetID)
	if err != nil {
		return err
	}
	if v.Number < d.CurrentVersion {
		return domain.Errorf(domain.CodeConflict, "a newer version (%d) was published while this one was processed; this one was not published", d.CurrentVersion)
	}
	next := withVersion(d, v)
	if v.Options.PublishDataset && next.Status == od.StatusDraft {
		next.Status = od.StatusPublished
	}
	if err := s.runStepsFor(ctx, next, v); err != nil {
		return err
	}
	published := v
	if err := published.Publish(now()); err != nil {
		return err
	}
	if _, _, _, err := s.versions.Update(ctx, VersionID(v.DatasetID, v.Number), func(x *VersionRecord) error {
		*x = published
		return nil
	}); err != nil {
		return err
	}
	before, after, _, err := s.datasets.Update(ctx, v.DatasetID, func(d *DatasetRecord) error {
		// An older upload finishing after a newer one never replaces it.
		if v.Number < d.CurrentVersion {
			return domain.Errorf(domain.CodeConflict, "a newer version (%d) was published while this one was processed", d.CurrentVersion)
		}
		*d = withVersion(*d, published)
		if v.Options.PublishDataset && d.Status == od.StatusDraft {
			return d.Transition(od.StatusPublished, now())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("moving the dataset to version %d: %w", v.Number, err)
	}
	s.audit.Record(ctx, audit.System, "dataset.version.publish", CollDatasets, v.DatasetID, before, after)
	s.sync(ctx)
	return nil
}

// withVersion is d pointing at version v.
func withVersion(d DatasetRecord, v VersionRecord) DatasetRecord {
	d.CurrentVersion = v.Number
	d.Current = currentOf(v, d.Current)
	d.Formats = nil
	for _, f := range v.Files {
		d.Formats = append(d.Formats, f.Ext)
	}
	if v.Extent != nil {
		sp := od.SpatialCoverage{}
		if d.Spatial != nil {
			sp = *d.Spatial
		}
		sp.BBox = v.Extent
		d.Spatial = &sp
	}
	d.Modified = now()
	return d
}

// runStepsFor runs the publish steps for d at version v, when d is (or is
// about to be) published; a draft's outputs are built when it is published.
func (s *Service) runStepsFor(ctx context.Context, d DatasetRecord, v VersionRecord) error {
	if d.Status != od.StatusPublished {
		return nil
	}
	for _, step := range s.steps {
		if err := step(ctx, d, v); err != nil {
			return err
		}
	}
	return nil
}
