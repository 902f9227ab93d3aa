package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// procurementAPI is the HTTP face of the joint procurement capability:
// the register, its lifecycle and OCDS publication, governance, partner
// and committee views, the ICT estate and the capital programmes.
type procurementAPI struct {
	s   *Server
	svc *appproc.Service
}

func (s *Server) procurementRoutes(v1 *echo.Group, e *echo.Echo) {
	a := &procurementAPI{s: s, svc: s.app.Procurement}

	v1.POST("/procurements", a.create, s.authenticate)
	v1.GET("/procurements", a.list, s.optionalAuth)
	v1.GET("/procurements/:id", a.get, s.optionalAuth)
	v1.PATCH("/procurements/:id", a.patch, s.authenticate)
	v1.POST("/procurements/:id/transitions", a.transition, s.authenticate)
	v1.POST("/procurements/:id/approvals", a.approve, s.authenticate)
	v1.POST("/procurements/:id/realised-savings", a.realisedSaving, s.authenticate)
	v1.GET("/procurements/:id/assessment", a.assessment, s.authenticate)
	v1.GET("/procurements/:id/shares", a.shares, s.authenticate)
	v1.GET("/procurements/:id/cash-lines", a.cashLines, s.authenticate)
	v1.PUT("/procurements/:id/cash-lines", a.setCashLines, s.authenticate)

	v1.GET("/procurement-governance", a.governance)
	v1.PUT("/procurement-governance", a.setGovernance, s.authenticate)
	v1.GET("/procurement-register", a.register, s.optionalAuth)
	v1.GET("/procurement-register.csv", a.registerCSV, s.optionalAuth)
	v1.GET("/procurement-register.html", a.registerPage, s.optionalAuth)
	v1.GET("/organisations/:id/joint-procurements", a.partner, s.authenticate)
	v1.GET("/organisations/:id/joint-procurements.csv", a.partnerCSV, s.authenticate)
	v1.GET("/organisations/:id/joint-procurements.html", a.partnerPage, s.authenticate)

	a.estateRoutes(v1)
	a.capitalRoutes(v1)

	e.GET("/ocds/releases", a.releases)
	e.GET("/ocds/records", a.records)
	e.GET("/ocds/records/*", a.record)
	e.GET("/contracts-register.csv", a.serveRegister)
}

// input reads the request's JSON body when the use case asks for it, that
// is once it has authorised the caller.
func input(c echo.Context) appproc.Decode {
	return func(v any) error { return decodeJSON(c, v) }
}

// patchInput reads a JSON merge patch body when the use case asks for it.
func patchInput(c echo.Context) appproc.Decode {
	return func(v any) error {
		raw, err := readPatch(c)
		if err != nil {
			return err
		}
		return json.Unmarshal(raw, v)
	}
}

// procurementView is a procurement as the API shows it.
type procurementView struct {
	appproc.Procurement
	Links map[string]string `json:"links"`
}

func (a *procurementAPI) view(c echo.Context, p appproc.Procurement) procurementView {
	base := a.s.baseURL(c)
	links := map[string]string{"self": base + "/api/v1/procurements/" + p.ID}
	if p.Full {
		links["assessment"] = links["self"] + "/assessment"
		links["shares"] = links["self"] + "/shares"
		links["cashLines"] = links["self"] + "/cash-lines"
	}
	if p.OCID != "" {
		links["ocdsRecord"] = base + "/ocds/records/" + p.OCID
	}
	return procurementView{Procurement: p, Links: links}
}

func (a *procurementAPI) respond(c echo.Context, status int, p appproc.Procurement, err error) error {
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", p.Meta.ETag())
	c.Response().Header().Add("Vary", "Authorization")
	if status == http.StatusCreated {
		c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/procurements/"+p.ID)
	}
	return c.JSON(status, a.view(c, p))
}

// create adds a procurement to the register in the pipeline state.
//
//	@Summary		Create a joint procurement (officer of the host authority)
//	@Description	Starts in the pipeline state, which is internal: the procurement is published (register, OCDS) when it moves to planning. host defaults to the host authority. Approvals, state and history are recorded through their own operations. The answer carries the assessment and any problem that keeps the contracts register or OCDS identifiers from being published.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			procurement	body		procurement.JointProcurement	true	"the procurement"
//	@Success		201			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements [post]
func (a *procurementAPI) create(c echo.Context) error {
	p, err := a.svc.Create(c.Request().Context(), actor(c), input(c))
	return a.respond(c, http.StatusCreated, p, err)
}

// get reads one procurement.
//
//	@Summary		Get a joint procurement
//	@Description	Parties' officers and admins see the whole record with its assessment; everyone else sees published procurements without baselines, approvals, realised savings and the keys behind each move.
//	@Tags			procurement
//	@Produce		json
//	@Param			id	path		string	true	"procurement id"
//	@Success		200	{object}	procurementView
//	@Failure		404	{object}	Problem
//	@Router			/api/v1/procurements/{id} [get]
func (a *procurementAPI) get(c echo.Context) error {
	p, err := a.svc.Get(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Add("Vary", "Authorization")
	return withETag(c, p.Meta.ETag(), a.view(c, p))
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
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	f := appproc.Filter{States: typedList[procurement.State](c.QueryParam("state")), Routes: typedList[procurement.Route](c.QueryParam("route")),
		Partner: strings.TrimSpace(c.QueryParam("partner")), Text: strings.ToLower(strings.TrimSpace(c.QueryParam("text")))}
	found, total, err := a.svc.List(c.Request().Context(), actor(c), f, limit, offset)
	if err != nil {
		return err
	}
	items := make([]procurementView, len(found))
	for i, p := range found {
		items[i] = a.view(c, p)
	}
	c.Response().Header().Add("Vary", "Authorization")
	return c.JSON(http.StatusOK, listResponse[procurementView]{Items: items, Total: total, Limit: limit, Offset: offset,
		Links: a.s.pageLinks(c, limit, offset, total)})
}

// typedList splits a comma-separated query parameter.
func typedList[T ~string](v string) []T {
	var out []T
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, T(s))
		}
	}
	return out
}

// patch edits a procurement with a JSON merge patch.
//
//	@Summary		Edit a joint procurement (JSON merge patch)
//	@Description	The host's officers edit every descriptive field; a partner's officers only their own baseline and driver count. A key of the wrong role or organisation is 403 before the body is read. With If-Match, a stale ETag is 412 and changes nothing; without it the change applies to the latest version (409 only when other writers keep winning).
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string							true	"procurement id"
//	@Param			If-Match	header		string							false	"ETag from GET; 412 when stale"
//	@Param			patch		body		procurement.JointProcurement	true	"members to change"
//	@Success		200			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id} [patch]
func (a *procurementAPI) patch(c echo.Context) error {
	id, version, err := a.precondition(c)
	if err != nil {
		return err
	}
	p, err := a.svc.Patch(c.Request().Context(), actor(c), id, version, patchInput(c))
	return a.respond(c, http.StatusOK, p, err)
}

// precondition reads the procurement id and the client's If-Match version
// (0 when none was sent), after the role check, so a key that may not
// write procurements is 403 whatever its headers say.
func (a *procurementAPI) precondition(c echo.Context) (id string, version int64, err error) {
	if err := authorize(c, domain.AreaProcurement, ""); err != nil {
		return "", 0, err
	}
	id = c.Param("id")
	version, err = ifMatch(c, id)
	return id, version, err
}
