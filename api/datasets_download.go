package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// download serves /datasets/{slug}/latest.{ext} and
// /datasets/{slug}/versions/{n}/data.{ext}. Past versions stay downloadable;
// a withdrawn dataset's files are gone (410), but its record stays.
//
//	@Summary	Download a version's data (csv, json; spatial: geojson, csv with WKT)
//	@Tags		open data
//	@Produce	octet-stream
//	@Param		slug	path	string	true	"dataset slug"
//	@Param		file	path	string	true	"latest.csv, latest.json, latest.geojson"
//	@Success	200
//	@Success	206
//	@Success	304
//	@Failure	404	{object}	Problem
//	@Failure	410	{object}	Problem
//	@Router		/datasets/{slug}/{file} [get]
func (a *datasetsAPI) download(c echo.Context) error {
	ctx := c.Request().Context()
	file := c.Param("file")
	n := 0
	var ext string
	switch {
	case c.Param("n") != "":
		var err error
		if n, err = strconv.Atoi(c.Param("n")); err != nil || !strings.HasPrefix(file, "data.") {
			return newProblem("not-found", "download URLs look like /datasets/{slug}/versions/{n}/data.csv")
		}
		ext = strings.TrimPrefix(file, "data.")
	case strings.HasPrefix(file, "latest."):
		ext = strings.TrimPrefix(file, "latest.")
	default:
		return newProblem("not-found", "download URLs look like /datasets/{slug}/latest.csv or /datasets/{slug}/versions/{n}/data.csv")
	}
	d, err := a.bySlug(c, c.Param("slug"))
	if err != nil {
		return err
	}
	if d.Status == opendata.StatusWithdrawn {
		p := newProblem("not-found", "this dataset has been withdrawn by its publisher")
		p.Status, p.Title, p.Type = 410, "Gone", "about:blank"
		return p
	}
	if n == 0 {
		n = d.CurrentVersion
	}
	if n == 0 {
		return newProblem("not-found", "this dataset has no published version yet")
	}
	v, _, err := a.loadVersion(ctx, d.ID, n)
	if err != nil || v.State != opendata.VersionPublished {
		return newProblem("not-found", fmt.Sprintf("version %d of this dataset is not published", n))
	}
	for _, f := range v.Files {
		if f.Ext != ext {
			continue
		}
		b, err := a.s.store.OpenBlob(ctx, fileKey(d.ID, n, ext))
		if err != nil {
			return err
		}
		modified := v.Created
		if v.Published != nil {
			modified = *v.Published
		}
		return serveBlob(c, b, fmt.Sprintf("%s-v%d.%s", d.Slug, n, ext), f.MediaType, modified.Truncate(time.Second))
	}
	var have []string
	for _, f := range v.Files {
		have = append(have, f.Ext)
	}
	return newProblem("not-found", fmt.Sprintf("this version is available as %s", strings.Join(have, ", ")))
}

// bySlug finds a dataset the caller may see by its slug.
func (a *datasetsAPI) bySlug(c echo.Context, slug string) (datasetDoc, error) {
	page, err := a.s.store.List(c.Request().Context(), collDatasets, store.Query{
		Filters: []store.Filter{{Field: "slug", Op: store.Eq, Value: slug}}, Limit: 1})
	if err != nil {
		return datasetDoc{}, err
	}
	if len(page.Records) == 0 {
		return datasetDoc{}, store.ErrNotFound
	}
	var d datasetDoc
	if err := page.Records[0].Decode(&d); err != nil {
		return d, err
	}
	if d.Status == opendata.StatusDraft && !canSeeDrafts(c, d.Publisher) {
		return d, store.ErrNotFound
	}
	return d, nil
}
