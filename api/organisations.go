package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

// listOrganisations lists councils.
//
//	@Summary	List organisations (councils)
//	@Tags		organisations
//	@Produce	json
//	@Param		q		query		string	false	"text in name or short name"
//	@Param		limit	query		int		false	"page size (1-500, default 50)"
//	@Param		offset	query		int		false	"items to skip"
//	@Success	200		{object}	listResponse[domain.Organisation]
//	@Failure	400		{object}	Problem
//	@Router		/api/v1/organisations [get]
func (s *Server) listOrganisations(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	items, total, err := s.app.Identity.Organisations(c.Request().Context(), c.QueryParam("q"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listResponse[domain.Organisation]{Items: items, Total: total, Limit: limit, Offset: offset,
		Links: s.pageLinks(c, limit, offset, total)})
}

// getOrganisation reads one council.
//
//	@Summary	Get an organisation
//	@Tags		organisations
//	@Produce	json
//	@Param		id	path		string	true	"organisation id, e.g. neddc"
//	@Success	200	{object}	domain.Organisation
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/organisations/{id} [get]
func (s *Server) getOrganisation(c echo.Context) error {
	o, m, err := s.app.Identity.Organisation(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return withETag(c, m.ETag(), o)
}

// createOrganisation adds a council (admin).
//
//	@Summary	Add an organisation (admin)
//	@Tags		organisations
//	@Accept		json
//	@Produce	json
//	@Param		organisation	body		domain.Organisation	true	"the council; id is derived from shortName"
//	@Success	201				{object}	domain.Organisation
//	@Failure	400				{object}	Problem
//	@Failure	401				{object}	Problem
//	@Failure	403				{object}	Problem
//	@Failure	409				{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations [post]
func (s *Server) createOrganisation(c echo.Context) error {
	var o domain.Organisation
	if err := decodeJSON(c, &o); err != nil {
		return err
	}
	o, m, err := s.app.Identity.CreateOrganisation(c.Request().Context(), actor(c), o)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", s.baseURL(c)+"/api/v1/organisations/"+o.ID)
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusCreated, o)
}

// patchOrganisation edits a council with a JSON merge patch (admin).
//
//	@Summary	Edit an organisation (admin, JSON merge patch)
//	@Tags		organisations
//	@Accept		json
//	@Produce	json
//	@Param		id			path		string				true	"organisation id"
//	@Param		If-Match	header		string				false	"ETag from GET; 412 when stale"
//	@Param		patch		body		domain.Organisation	true	"members to change"
//	@Success	200			{object}	domain.Organisation
//	@Failure	400			{object}	Problem
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	404			{object}	Problem
//	@Failure	409			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id} [patch]
func (s *Server) patchOrganisation(c echo.Context) error {
	raw, err := readPatch(c)
	if err != nil {
		return err
	}
	id := c.Param("id")
	version, err := ifMatch(c, id)
	if err != nil {
		return err
	}
	o, m, err := s.app.Identity.PatchOrganisation(c.Request().Context(), actor(c), id, version, raw)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusOK, o)
}

// listAudit shows the audit log (admin).
//
//	@Summary	Read the audit log (admin), newest first
//	@Tags		admin
//	@Produce	json
//	@Param		collection	query		string	false	"collection written, e.g. organisations"
//	@Param		record		query		string	false	"record id"
//	@Param		actor		query		string	false	"key id of the writer"
//	@Param		since		query		string	false	"RFC 3339 time"
//	@Param		limit		query		int		false	"page size (1-500, default 50)"
//	@Param		offset		query		int		false	"items to skip"
//	@Success	200			{object}	listResponse[store.AuditEntry]
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/audit [get]
func (s *Server) listAudit(c echo.Context) error {
	if err := authorize(c, domain.AreaAdmin, ""); err != nil {
		return err
	}
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	q := store.AuditQuery{Collection: c.QueryParam("collection"), RecordID: c.QueryParam("record"),
		Actor: c.QueryParam("actor"), Limit: limit, Offset: offset}
	if v := c.QueryParam("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			var p domain.Problems
			p.Add("since", "must be an RFC 3339 time such as 2026-01-31T09:00:00Z")
			return p.Err()
		}
		q.Since = t
	}
	entries, total, err := s.app.Identity.Audit(c.Request().Context(), actor(c), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listResponse[store.AuditEntry]{Items: entries, Total: total, Limit: limit, Offset: offset,
		Links: s.pageLinks(c, limit, offset, total)})
}
