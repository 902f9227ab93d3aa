package api

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// A version's page: while its job runs, a progress bar the page's script
// moves by polling the job's JSON (without script, a link that reloads the
// page); once it ends, the validation report: the decision, the errors and
// warnings by row, the repairs, how the headings fit the template, and for
// a spatial file the features repaired and left out.

// versionData is a version's page.
type versionData struct {
	D appod.DatasetRecord
	V appod.VersionRecord
	// Job is the version's job, when one is found.
	Job *od.Job
	// Running says the job has not ended: the page shows its progress.
	Running bool
	// Self reloads the page (the "check progress" link).
	Self string
	// CanPublish offers publishing the dataset with this version.
	CanPublish bool
	Version    int64
}

func (p *publishingPages) version(c echo.Context) error {
	ctx := c.Request().Context()
	d, version, err := p.load(c)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		return newProblem("not-found", "version numbers are whole numbers")
	}
	v, _, err := p.svc.Version(ctx, actor(c), d.ID, n)
	if err != nil {
		return err
	}
	data := versionData{D: d, V: v, Version: version, Self: datasetBase(d.ID) + "/versions/" + url.PathEscape(c.Param("n")),
		CanPublish: d.Status == od.StatusDraft && d.CurrentVersion == v.Number && v.State == od.VersionPublished}
	job, err := p.svc.VersionJob(ctx, actor(c), d.ID, n)
	switch {
	case err == nil:
		data.Job = &job
		data.Running = v.State == od.VersionProcessing && (job.State == od.JobQueued || job.State == od.JobRunning)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	title := d.Title + ": version " + strconv.Itoa(v.Number)
	return p.s.renderWorkbench(c, 200, "publishing/version", page{Title: title, Crumbs: datasetCrumbs(d), Data: data})
}
