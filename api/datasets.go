package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
)

// datasetView is a dataset as the API shows it, with its links.
type datasetView struct {
	appod.DatasetRecord
	Links map[string]string `json:"links"`
	// GeminiMissing names the mandatory UK GEMINI 2.3 elements a spatial
	// dataset still lacks; harvesters reject its record until it is empty.
	GeminiMissing []string `json:"geminiMissing,omitempty"`
}

// datasetsAPI is the HTTP face of the open data capability: catalogue,
// versions, jobs and downloads.
type datasetsAPI struct {
	s   *Server
	svc *appod.Service
}

func (s *Server) datasetsRoutes(v1 *echo.Group) *datasetsAPI {
	a := &datasetsAPI{s: s, svc: s.app.OpenData}
	v1.GET("/datasets", a.list, s.optionalAuth)
	// Writes check the key's role before anything reads the body.
	writer := []echo.MiddlewareFunc{s.authenticate, requireArea(domain.AreaOpenData)}
	v1.POST("/datasets", a.create, writer...)
	v1.GET("/datasets/:id", a.get, s.optionalAuth)
	v1.PATCH("/datasets/:id", a.patch, writer...)
	v1.DELETE("/datasets/:id", a.withdraw, writer...)
	v1.POST("/datasets/:id/versions", a.upload, writer...)
	v1.GET("/datasets/:id/versions", a.listVersions, s.optionalAuth)
	v1.GET("/datasets/:id/versions/:n", a.getVersion, s.optionalAuth)
	v1.GET("/jobs/:id", a.getJob, s.authenticate)

	e := s.Echo
	e.GET("/datasets/:slug/versions/:n/:file", a.download, s.optionalAuth)
	e.GET("/datasets/:slug/:file", a.download, s.optionalAuth)
	return a
}

// optionalAuth authenticates when a key is sent, so publishers see their
// drafts, and lets anonymous readers through to published data.
func (s *Server) optionalAuth(next echo.HandlerFunc) echo.HandlerFunc {
	authed := s.authenticate(next)
	return func(c echo.Context) error {
		if c.Request().Header.Get(echo.HeaderAuthorization) == "" {
			return next(c)
		}
		return authed(c)
	}
}

func (a *datasetsAPI) view(c echo.Context, d appod.DatasetRecord) datasetView {
	base := a.s.baseURL(c)
	var missing []string
	if d.IsSpatial() {
		missing = a.s.app.Inspire.Missing(c.Request().Context(), d, base)
	}
	return viewOf(d, base, missing)
}

// viewOf is the view of d on base, whose GEMINI record lacks missing.
func viewOf(d appod.DatasetRecord, base string, missing []string) datasetView {
	links := map[string]string{
		"self":     base + "/api/v1/datasets/" + d.ID,
		"versions": base + "/api/v1/datasets/" + d.ID + "/versions",
		"page":     base + "/datasets/" + d.Slug,
	}
	if d.CurrentVersion > 0 {
		for _, f := range d.Formats {
			links["latest."+f] = base + "/datasets/" + d.Slug + "/latest." + f
		}
		if d.IsSpatial() {
			links["ogcapi"] = base + "/ogc/collections/" + d.Slug
		}
	}
	return datasetView{DatasetRecord: d, Links: links, GeminiMissing: missing}
}

// create adds a draft dataset.
//
//	@Summary	Create a dataset (publisher); it starts as a draft
//	@Tags		open data
//	@Accept		json
//	@Produce	json
//	@Param		dataset	body		appod.DatasetInput	true	"metadata; publisher defaults to the key's organisation"
//	@Success	201		{object}	datasetView
//	@Failure	400		{object}	Problem
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Failure	409		{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/datasets [post]
func (a *datasetsAPI) create(c echo.Context) error {
	if err := authorize(c, domain.AreaOpenData, ""); err != nil {
		return err
	}
	var raw json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	// Dates are checked by name before decoding, so a bad one is a problem
	// naming its member rather than a time-parse error.
	if err := od.DatasetDateProblems(raw).Err(); err != nil {
		return err
	}
	var in appod.DatasetInput
	if err := strictDecode(raw, &in); err != nil {
		return err
	}
	d, m, err := a.svc.Create(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/datasets/"+d.ID)
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusCreated, a.view(c, d))
}

// get reads one dataset.
//
//	@Summary	Get a dataset
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"dataset id"
//	@Success	200	{object}	datasetView
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/datasets/{id} [get]
func (a *datasetsAPI) get(c echo.Context) error {
	d, m, err := a.svc.Get(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return withETag(c, m.ETag(), a.view(c, d))
}

// patch edits metadata with a JSON merge patch; "status" moves the dataset
// through its lifecycle (draft -> published -> withdrawn).
//
//	@Summary	Edit a dataset (publisher, JSON merge patch; status changes publish or withdraw)
//	@Tags		open data
//	@Accept		json
//	@Produce	json
//	@Param		id			path		string			true	"dataset id"
//	@Param		If-Match	header		string			false	"ETag from GET; 412 when stale"
//	@Param		patch		body		appod.DatasetInput	true	"members to change"
//	@Success	200			{object}	datasetView
//	@Failure	400			{object}	Problem
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	409			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/datasets/{id} [patch]
func (a *datasetsAPI) patch(c echo.Context) error {
	raw, err := readPatch(c)
	if err != nil {
		return err
	}
	id := c.Param("id")
	version, err := ifMatch(c, id)
	if err != nil {
		return err
	}
	d, m, err := a.svc.Patch(c.Request().Context(), actor(c), id, version, raw)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusOK, a.view(c, d))
}

// withdraw takes a dataset out of the catalogue; it stays stored and audited.
//
//	@Summary	Withdraw a dataset (publisher); it is kept for the audit trail
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"dataset id"
//	@Success	200	{object}	datasetView
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Failure	409	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/datasets/{id} [delete]
func (a *datasetsAPI) withdraw(c echo.Context) error {
	d, err := a.svc.Withdraw(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, a.view(c, d))
}
