package api

import (
	"errors"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
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
	dl, err := a.svc.OpenDownload(ctx, actor(c), c.Param("slug"), n, ext)
	if errors.Is(err, appod.ErrGone) {
		p := newProblem("not-found", err.Error())
		p.Status, p.Title, p.Type = 410, "Gone", "about:blank"
		return p
	}
	if err != nil {
		return err
	}
	return serveBlob(c, dl.Blob, dl.FileName, dl.MediaType, dl.Modified)
}
