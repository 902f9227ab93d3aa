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
	q := store.Query{Sort: []store.Sort{{Field: "name"}}, Limit: limit, Offset: offset}
	if text := c.QueryParam("q"); text != "" {
		q.Any = []store.Filter{{Field: "name", Op: store.Contains, Value: text}, {Field: "shortName", Op: store.Contains, Value: text}}
	}
	page, err := s.store.List(c.Request().Context(), collOrganisations, q)
	if err != nil {
		return err
	}
	items := make([]domain.Organisation, 0, len(page.Records))
	for _, r := range page.Records {
		var o domain.Organisation
		if err := r.Decode(&o); err != nil {
			return err
		}
		items = append(items, o)
	}
	return c.JSON(http.StatusOK, listResponse[domain.Organisation]{Items: items, Total: page.Total, Limit: limit, Offset: offset,
		Links: s.pageLinks(c, limit, offset, page.Total)})
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
	rec, err := s.store.Get(c.Request().Context(), collOrganisations, c.Param("id"))
	if err != nil {
		return err
	}
	var o domain.Organisation
	if err := rec.Decode(&o); err != nil {
		return err
	}
	return withETag(c, etag(rec), o)
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
	if err := authorize(c, domain.AreaAdmin, ""); err != nil {
		return err
	}
	var o domain.Organisation
	if err := decodeJSON(c, &o); err != nil {
		return err
	}
	o.ID = domain.IDFromShortName(o.ShortName)
	if err := o.Validate(); err != nil {
		return err
	}
	if o.Host {
		return &domain.Error{Code: domain.CodeInvalid, Message: "there is one host authority",
			Fields: []domain.FieldProblem{{Field: "host", Problem: "must be false: the host authority is set when the store is created"}}}
	}
	rec, err := s.store.Insert(c.Request().Context(), collOrganisations, o.ID, o)
	if err != nil {
		if err == store.ErrExists {
			return &domain.Error{Code: domain.CodeConflict, Message: "an organisation with this short name exists",
				Fields: []domain.FieldProblem{{Field: "shortName", Problem: "is already used; choose another"}}}
		}
		return err
	}
	s.audit(c, "organisation.create", collOrganisations, o.ID, nil, o)
	c.Response().Header().Set("Location", s.baseURL(c)+"/api/v1/organisations/"+o.ID)
	c.Response().Header().Set("ETag", etag(rec))
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
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id} [patch]
func (s *Server) patchOrganisation(c echo.Context) error {
	if err := authorize(c, domain.AreaAdmin, ""); err != nil {
		return err
	}
	ctx := c.Request().Context()
	patch, err := readPatch(c)
	if err != nil {
		return err
	}
	rec, err := s.store.Get(ctx, collOrganisations, c.Param("id"))
	if err != nil {
		return err
	}
	version, err := expectedVersion(c, rec)
	if err != nil {
		return err
	}
	var before, after domain.Organisation
	if err := rec.Decode(&before); err != nil {
		return err
	}
	merged, err := mergePatch(rec.Data, patch)
	if err != nil {
		return err
	}
	if err := strictDecode(merged, &after); err != nil {
		return err
	}
	var p domain.Problems
	if after.ID != before.ID {
		p.Add("id", "cannot be changed")
	}
	if after.Host != before.Host {
		p.Add("host", "cannot be changed")
	}
	if err := p.Err(); err != nil {
		return err
	}
	if err := after.Validate(); err != nil {
		return err
	}
	updated, err := s.store.Update(ctx, collOrganisations, rec.ID, version, after)
	if err != nil {
		return err
	}
	s.audit(c, "organisation.update", collOrganisations, rec.ID, before, after)
	c.Response().Header().Set("ETag", etag(updated))
	return c.JSON(http.StatusOK, after)
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
	entries, total, err := s.store.ListAudit(c.Request().Context(), q)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []store.AuditEntry{}
	}
	return c.JSON(http.StatusOK, listResponse[store.AuditEntry]{Items: entries, Total: total, Limit: limit, Offset: offset,
		Links: s.pageLinks(c, limit, offset, total)})
}
