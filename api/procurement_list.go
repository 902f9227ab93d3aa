package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// get reads one procurement.
//
//	@Summary		Get a joint procurement
//	@Description	Parties' officers and admins see the whole record; everyone else sees published procurements without baselines, approvals, realised savings and the keys behind each move.
//	@Tags			procurement
//	@Produce		json
//	@Param			id	path		string	true	"procurement id"
//	@Success		200	{object}	procurementView
//	@Failure		404	{object}	Problem
//	@Router			/api/v1/procurements/{id} [get]
func (a *procurementAPI) get(c echo.Context) error {
	d, rec, err := a.load(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if !d.Public && !procurement.CanRead(principal(c), d.JointProcurement) {
		return store.ErrNotFound
	}
	c.Response().Header().Set("Vary", "Authorization")
	return withETag(c, etag(rec), a.view(c, d, rec))
}

// procurementFilters are the list's query parameters, parsed.
type procurementFilters struct {
	states  []any
	routes  []any
	partner string
	text    string
}

func parseProcurementFilters(c echo.Context) (procurementFilters, error) {
	var f procurementFilters
	var pr domain.Problems
	for _, s := range splitList(c.QueryParam("state")) {
		if !slices.Contains(procurement.States, procurement.State(s)) {
			pr.Add("state", "%q is not a state; use %s", s, joinStates(procurement.States))
		}
		f.states = append(f.states, s)
	}
	for _, r := range splitList(c.QueryParam("route")) {
		if !slices.Contains(procurement.Routes, procurement.Route(r)) {
			pr.Add("route", "%q is not a route; use gcloudDirectAward, frameworkCallOff, openProcedure, competitiveFlexible or belowThresholdQuotation", r)
		}
		f.routes = append(f.routes, r)
	}
	f.partner = strings.TrimSpace(c.QueryParam("partner"))
	f.text = strings.ToLower(strings.TrimSpace(c.QueryParam("text")))
	if len(f.text) > 200 {
		pr.Add("text", "must be at most 200 characters")
	}
	return f, pr.Err()
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func joinStates(ss []procurement.State) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// list searches the register.
//
//	@Summary		List joint procurements
//	@Description	Anonymous callers (and keys of other roles) see published procurements: every one that has left the pipeline, since the move to planning announces the preliminary market engagement. Officers also see the pipeline entries of procurements their organisation is party to; admins see everything.
//	@Tags			procurement
//	@Produce		json
//	@Param			state	query		string	false	"states, comma-separated = any of"
//	@Param			route	query		string	false	"routes, comma-separated = any of"
//	@Param			partner	query		string	false	"organisation id that is host or partner"
//	@Param			text	query		string	false	"words in reference, title, description or CPV codes"
//	@Param			limit	query		int		false	"page size (1-500, default 50)"
//	@Param			offset	query		int		false	"items to skip"
//	@Success		200		{object}	listResponse[procurementView]
//	@Failure		400		{object}	Problem
//	@Router			/api/v1/procurements [get]
func (a *procurementAPI) list(c echo.Context) error {
	f, err := parseProcurementFilters(c)
	if err != nil {
		return err
	}
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	q := store.Query{Sort: []store.Sort{{Field: "updated", Desc: true}}, Limit: limit, Offset: offset}
	if len(f.states) > 0 {
		q.Filters = append(q.Filters, store.Filter{Field: "state", Op: store.In, Values: f.states})
	}
	if len(f.routes) > 0 {
		q.Filters = append(q.Filters, store.Filter{Field: "route", Op: store.In, Values: f.routes})
	}
	if f.partner != "" {
		q.Filters = append(q.Filters, store.Filter{Field: "parties", Op: store.Eq, Value: f.partner})
	}
	if f.text != "" {
		q.Filters = append(q.Filters, store.Filter{Field: "searchText", Op: store.Contains, Value: f.text})
	}
	switch p := principal(c); p.Role {
	case domain.RoleAdmin:
	case domain.RoleOfficer:
		q.Any = []store.Filter{{Field: "parties", Op: store.Eq, Value: p.Organisation}, {Field: "public", Op: store.Eq, Value: true}}
	default:
		q.Filters = append(q.Filters, store.Filter{Field: "public", Op: store.Eq, Value: true})
	}
	page, err := a.s.store.List(c.Request().Context(), collProcurements, q)
	if err != nil {
		return err
	}
	items := make([]procurementView, 0, len(page.Records))
	for _, r := range page.Records {
		var d procurementDoc
		if err := r.Decode(&d); err != nil {
			return err
		}
		items = append(items, a.view(c, d, r))
	}
	c.Response().Header().Set("Vary", "Authorization")
	return c.JSON(http.StatusOK, listResponse[procurementView]{Items: items, Total: page.Total, Limit: limit, Offset: offset,
		Links: a.s.pageLinks(c, limit, offset, page.Total)})
}
