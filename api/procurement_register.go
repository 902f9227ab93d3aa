package api

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// serveRegister serves the Transparency Code register at a stable URL.
//
//	@Summary		Transparency Code contracts register (contracts over £5,000) as CSV
//	@Description	One row per award of a signed, live or closed joint procurement whose value exceeds £5,000, with the Code's fields and the OCDS ocid. The same file is published as an open data dataset of the host authority, a new version on each change; while the host lacks what publication needs (a contact email), every procurement answer and /readyz say so.
//	@Tags			procurement
//	@Produce		text/csv
//	@Success		200	{string}	string	"CSV"
//	@Router			/contracts-register.csv [get]
func (a *procurementAPI) serveRegister(c echo.Context) error {
	b, _, err := a.svc.ContractsRegister(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+appproc.RegisterFile+`"`)
	return serveDocument(c, http.StatusOK, "text/csv; charset=utf-8", b)
}

// registerFilter reads the committee register's query parameters.
func registerFilter(c echo.Context) (procurement.RegisterFilter, error) {
	f := procurement.RegisterFilter{Partner: strings.TrimSpace(c.QueryParam("partner")),
		States: typedList[procurement.State](c.QueryParam("state")), Routes: typedList[procurement.Route](c.QueryParam("route"))}
	if v := strings.TrimSpace(c.QueryParam("year")); v != "" {
		y, err := procurement.ParseFinancialYear(v)
		if err != nil {
			var pr domain.Problems
			pr.Add("year", "%v", err)
			return f, pr.Err()
		}
		f.Year = y
	}
	return f, nil
}

func (a *procurementAPI) registerView(c echo.Context) (appproc.RegisterView, error) {
	f, err := registerFilter(c)
	if err != nil {
		return appproc.RegisterView{}, err
	}
	c.Response().Header().Add("Vary", "Authorization")
	return a.svc.Register(c.Request().Context(), actor(c), f)
}

// register is the host's register of joint procurements.
//
//	@Summary		The host's register of joint procurements, for the Joint ICT Committee
//	@Description	Every joint procurement the caller may see (published ones for everyone, pipeline entries for their parties' officers), by reference: parties, state, route, contract cost, suppliers, contract dates, each party's share and the commitments per financial year. Also as .csv and as a printable A4 page (.html).
//	@Tags			procurement
//	@Produce		json
//	@Param			partner	query		string	false	"organisation id that is host or partner"
//	@Param			state	query		string	false	"states, comma-separated = any of"
//	@Param			route	query		string	false	"routes, comma-separated = any of"
//	@Param			year	query		string	false	"financial year with commitments (or created in it when there are no contract dates yet), e.g. 2026/27"
//	@Success		200		{object}	appproc.RegisterView
//	@Failure		400		{object}	Problem
//	@Router			/api/v1/procurement-register [get]
func (a *procurementAPI) register(c echo.Context) error {
	v, err := a.registerView(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// registerCSV is the host's register as CSV.
//
//	@Summary	The host's register of joint procurements as CSV
//	@Tags		procurement
//	@Produce	text/csv
//	@Param		partner	query		string	false	"organisation id that is host or partner"
//	@Param		state	query		string	false	"states, comma-separated = any of"
//	@Param		route	query		string	false	"routes, comma-separated = any of"
//	@Param		year	query		string	false	"financial year, e.g. 2026/27"
//	@Success	200		{string}	string	"CSV"
//	@Failure	400		{object}	Problem
//	@Router		/api/v1/procurement-register.csv [get]
func (a *procurementAPI) registerCSV(c echo.Context) error {
	v, err := a.registerView(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := procurement.WriteJointRegisterCSV(&b, v.Entries); err != nil {
		return err
	}
	return csvDocument(c, "joint-procurement-register.csv", b.Bytes())
}

// registerPage is the host's register as a printable page.
//
//	@Summary	The host's register of joint procurements as a printable A4 page (HTML)
//	@Tags		procurement
//	@Produce	html
//	@Param		partner	query		string	false	"organisation id that is host or partner"
//	@Param		state	query		string	false	"states, comma-separated = any of"
//	@Param		route	query		string	false	"routes, comma-separated = any of"
//	@Param		year	query		string	false	"financial year, e.g. 2026/27"
//	@Success	200		{string}	string	"HTML"
//	@Failure	400		{object}	Problem
//	@Router		/api/v1/procurement-register.html [get]
func (a *procurementAPI) registerPage(c echo.Context) error {
	v, err := a.registerView(c)
	if err != nil {
		return err
	}
	return printable(c, "register.html", v)
}

func csvDocument(c echo.Context, name string, b []byte) error {
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return serveDocument(c, http.StatusOK, "text/csv; charset=utf-8", b)
}

// partner is one council's view of its joint procurements.
//
//	@Summary		One council's joint procurements: its share, baseline and realised savings, commitments per financial year
//	@Description	Every joint procurement the council is party to, by reference, with totals. For its own officers and admins (baselines and savings are private). Also as .csv and as a printable A4 page (.html).
//	@Tags			procurement
//	@Produce		json
//	@Param			id	path		string	true	"organisation id, e.g. bdc"
//	@Success		200	{object}	appproc.PartnerSummary
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/organisations/{id}/joint-procurements [get]
func (a *procurementAPI) partner(c echo.Context) error {
	v, err := a.svc.Partner(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// partnerCSV is a council's view as CSV.
//
//	@Summary	One council's joint procurements as CSV, with a total row
//	@Tags		procurement
//	@Produce	text/csv
//	@Param		id	path		string	true	"organisation id, e.g. bdc"
//	@Success	200	{string}	string	"CSV"
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/joint-procurements.csv [get]
func (a *procurementAPI) partnerCSV(c echo.Context) error {
	v, err := a.svc.Partner(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := procurement.WritePartnerCSV(&b, v.PartnerView); err != nil {
		return err
	}
	return csvDocument(c, v.Organisation+"-joint-procurements.csv", b.Bytes())
}

// partnerPage is a council's view as a printable page.
//
//	@Summary	One council's joint procurements as a printable A4 page (HTML)
//	@Tags		procurement
//	@Produce	html
//	@Param		id	path		string	true	"organisation id, e.g. bdc"
//	@Success	200	{string}	string	"HTML"
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/joint-procurements.html [get]
func (a *procurementAPI) partnerPage(c echo.Context) error {
	v, err := a.svc.Partner(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return printable(c, "partner.html", v)
}

// governance shows the approving bodies.
//
//	@Summary		The approving bodies joint procurements may need (governance)
//	@Description	Each council's Key Decision body (name and kind: executive, cabinet, committee or officerDelegation, with its call-in period in clear working days) and the joint bodies that decide every joint procurement. The seed's bodies until an admin or the host first stores a configuration.
//	@Tags			procurement
//	@Produce		json
//	@Success		200	{object}	procurement.Governance
//	@Router			/api/v1/procurement-governance [get]
func (a *procurementAPI) governance(c echo.Context) error {
	g, m, err := a.svc.Governance(c.Request().Context())
	if err != nil {
		return err
	}
	if m.Version > 0 {
		return withETag(c, m.ETag(), g)
	}
	return c.JSON(http.StatusOK, g)
}

// setGovernance replaces the approving bodies.
//
//	@Summary		Configure the approving bodies (admin or officer of the host authority)
//	@Description	Replaces the whole configuration. Every Key Decision body belongs to a known council (one per council); a joint body has no organisation. A configuration that drops the body of a recorded decision is 409 naming the procurements. With If-Match, a stale ETag is 412.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			If-Match	header		string					false	"ETag from GET; 412 when stale"
//	@Param			governance	body		procurement.Governance	true	"the bodies"
//	@Success		200			{object}	procurement.Governance
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurement-governance [put]
func (a *procurementAPI) setGovernance(c echo.Context) error {
	if err := authorize(c, domain.AreaProcurement, ""); err != nil {
		return err
	}
	version, err := ifMatch(c, appproc.GovernanceID)
	if err != nil {
		return err
	}
	g, m, err := a.svc.SetGovernance(c.Request().Context(), actor(c), version, input(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusOK, g)
}
