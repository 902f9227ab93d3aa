package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain/capital"
)

// The bodies these handlers hand to the use cases undecoded, named here so
// the OpenAPI document's annotations resolve them.
var _ = []any{appproc.TransitionInput{}, appproc.ApprovalInput{}, appproc.RealisedSavingInput{}, []capital.CashLine{}}

// transition moves a procurement through its lifecycle.
//
//	@Summary		Move a procurement to another state (officer of the host authority)
//	@Description	An illegal move is 409 with allowed[] naming the legal next states. A move whose facts are missing or inconsistent is 409 with one errors[] entry per fact: awardDecision needs the evaluated award (supplier with its Companies House or charity number, value ex and incl. VAT) and every approval its value requires, dated between the evaluation and the decision, with any call-in period over; contractSigned needs the award's start and end dates and the standstill ended; live needs the start date reached. The answer carries the assessment: notices with due dates, missing approvals, allowed next moves with what each still needs, overdue obligations. The rules are those in force on the day of the move.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string					true	"procurement id"
//	@Param			If-Match	header		string					false	"ETag from GET; 412 when stale"
//	@Param			move		body		appproc.TransitionInput	true	"target state and reason"
//	@Success		200			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/transitions [post]
func (a *procurementAPI) transition(c echo.Context) error {
	id, version, err := a.precondition(c)
	if err != nil {
		return err
	}
	p, err := a.svc.Transition(c.Request().Context(), actor(c), id, version, input(c))
	return a.respond(c, http.StatusOK, p, err)
}

// approve records an approval.
//
//	@Summary		Record a decision of an approving body (Joint Management Team, ICT Shared Service Committee, a council's Key Decision body)
//	@Description	The bodies are configured at /api/v1/procurement-governance. A council's own officers record their council's bodies' decisions; the host's officers record the joint bodies'. A decision has an outcome (approved, deferred, refused: a refusal blocks the award), a date not in the future, a minute reference, and for an executive or cabinet Key Decision the day its notice was published, from which the call-in period runs. The same body's later decision replaces its earlier one. The answer carries the assessment.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string					true	"procurement id"
//	@Param			If-Match	header		string					false	"ETag from GET; 412 when stale"
//	@Param			approval	body		appproc.ApprovalInput	true	"the decision"
//	@Success		200			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/approvals [post]
func (a *procurementAPI) approve(c echo.Context) error {
	id, version, err := a.precondition(c)
	if err != nil {
		return err
	}
	p, err := a.svc.RecordApproval(c.Request().Context(), actor(c), id, version, input(c))
	return a.respond(c, http.StatusOK, p, err)
}

// realisedSaving records a saving measured after go-live.
//
//	@Summary		Record a realised saving (after go-live)
//	@Description	The host's officers record savings for any party; a partner's officers for their own organisation.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string						true	"procurement id"
//	@Param			If-Match	header		string						false	"ETag from GET; 412 when stale"
//	@Param			saving		body		appproc.RealisedSavingInput	true	"period and amount"
//	@Success		200			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/realised-savings [post]
func (a *procurementAPI) realisedSaving(c echo.Context) error {
	id, version, err := a.precondition(c)
	if err != nil {
		return err
	}
	p, err := a.svc.RecordRealisedSaving(c.Request().Context(), actor(c), id, version, input(c))
	return a.respond(c, http.StatusOK, p, err)
}

// assessment computes the rules.
//
//	@Summary		What the rules require: notices, Key Decisions per partner, approvals required and missing, next moves and what each needs, obligations, standstill end
//	@Description	Computed with the rule set in force today, never stored; for the parties' officers and admins.
//	@Tags			procurement
//	@Produce		json
//	@Param			id	path		string	true	"procurement id"
//	@Success		200	{object}	appproc.RuleAssessment
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/assessment [get]
func (a *procurementAPI) assessment(c echo.Context) error {
	as, err := a.svc.Assess(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, as)
}

// shares splits the cost between the parties.
//
//	@Summary		Per-partner cost over the term and savings against the baseline
//	@Description	Shares add up to 100.00% and the money to the penny (largest remainder). 409 when the share basis is incomplete.
//	@Tags			procurement
//	@Produce		json
//	@Param			id	path		string	true	"procurement id"
//	@Success		200	{object}	appproc.Shares
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/shares [get]
func (a *procurementAPI) shares(c echo.Context) error {
	sh, err := a.svc.Shares(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sh)
}

// cashLines reads a procurement's cash lines.
//
//	@Summary		A procurement's spend by kind and financial year, before shares (parties' officers)
//	@Tags			capital programme
//	@Produce		json
//	@Param			id	path		string	true	"procurement id"
//	@Success		200	{array}		capital.CashLine
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/cash-lines [get]
func (a *procurementAPI) cashLines(c echo.Context) error {
	ls, err := a.svc.CashLines(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ls)
}

// setCashLines replaces a procurement's cash lines.
//
//	@Summary		Set a procurement's cash lines (officer of the host authority)
//	@Description	Each partner's capital programme takes its share of every line. kind decides capital or revenue (hardware and perpetual licences capital, subscriptions and services revenue) unless nature says otherwise; funded overrides the default (funded from the award decision on). Without cash lines the programme spreads the awards' values over their contract periods.
//	@Tags			capital programme
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string				true	"procurement id"
//	@Param			If-Match	header		string				false	"ETag of the procurement; 412 when stale"
//	@Param			lines		body		[]capital.CashLine	true	"the lines"
//	@Success		200			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/cash-lines [put]
func (a *procurementAPI) setCashLines(c echo.Context) error {
	id, version, err := a.precondition(c)
	if err != nil {
		return err
	}
	p, err := a.svc.SetCashLines(c.Request().Context(), actor(c), id, version, input(c))
	return a.respond(c, http.StatusOK, p, err)
}
