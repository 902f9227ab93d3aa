package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

type transitionRequest struct {
	To     procurement.State `json:"to"`
	Reason string            `json:"reason"`
	// At records a move that happened earlier, such as the day a contract
	// award notice was published; it defaults to now, may not be in the
	// future nor before the previous move.
	At *time.Time `json:"at,omitempty"`
}

// transition moves a procurement through its lifecycle.
//
//	@Summary		Move a procurement to another state (officer of the host authority)
//	@Description	Illegal moves are 409 with allowed[] naming the legal next states. Moving to awardDecision needs every required approval (409 naming those missing) and starts the standstill; contractSigned is refused until the standstill has ended and sets the contract details notice due date. The rules are those in force on the day of the move.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string				true	"procurement id"
//	@Param			If-Match	header		string				false	"ETag from GET; 412 when stale"
//	@Param			move		body		transitionRequest	true	"target state and reason"
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
	var req transitionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	before, rec, err := a.writable(c)
	if err != nil {
		return err
	}
	if err := procurement.CanRunLifecycle(principal(c), before.JointProcurement); err != nil {
		return err
	}
	version, err := expectedVersion(c, rec)
	if err != nil {
		return err
	}
	at := now()
	if req.At != nil {
		at = req.At.UTC()
		var pr domain.Problems
		if at.After(time.Now().Add(time.Minute)) {
			pr.Add("at", "is in the future; record a move when it has happened")
		}
		if n := len(before.History); n > 0 && at.Before(before.History[n-1].At) {
			pr.Add("at", "is before the previous move (%s)", before.History[n-1].At.Format(time.RFC3339))
		}
		if err := pr.Err(); err != nil {
			return err
		}
	}
	rs, err := a.rules(procurement.DateOf(at))
	if err != nil {
		return err
	}
	p := before.JointProcurement
	if err := p.Transition(procurement.Move{To: req.To, By: principal(c).KeyID, At: at, Reason: req.Reason}, a.env(rs)); err != nil {
		return err
	}
	d, stored, err := a.save(c, "procurement.transition", before, &rec, version, p)
	if err != nil {
		return err
	}
	return a.respond(c, http.StatusOK, d, stored)
}

type approvalRequest struct {
	Body         procurement.ApprovalBody `json:"body"`
	Organisation string                   `json:"organisation,omitempty"`
	Outcome      procurement.Outcome      `json:"outcome"`
	Date         procurement.Date         `json:"date"`
	Published    procurement.Date         `json:"published,omitzero" swaggertype:"string"`
	Reference    string                   `json:"reference,omitempty"`
}

// approve records an approval.
//
//	@Summary		Record an approval (JMT, ICT Shared Service Committee, or a Cabinet decision)
//	@Description	The host's officers record any approval; a partner's officers their own organisation's Cabinet or Executive decision. Recording an approval with the same body (and organisation) replaces it.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string			true	"procurement id"
//	@Param			approval	body		approvalRequest	true	"the decision"
//	@Success		200			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/approvals [post]
func (a *procurementAPI) approve(c echo.Context) error {
	var req approvalRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	before, rec, err := a.writable(c)
	if err != nil {
		return err
	}
	version, err := expectedVersion(c, rec)
	if err != nil {
		return err
	}
	p := before.JointProcurement
	ap := procurement.Approval{Body: req.Body, Organisation: req.Organisation, Outcome: req.Outcome, Date: req.Date,
		Published: req.Published, Reference: strings.TrimSpace(req.Reference), RecordedBy: principal(c).KeyID}
	if err := procurement.CanRecordApproval(principal(c), p, a.gov, ap); err != nil {
		return err
	}
	if err := p.RecordApproval(ap, a.gov, procurement.DateOf(time.Now())); err != nil {
		return err
	}
	d, stored, err := a.save(c, "procurement.approval", before, &rec, version, p)
	if err != nil {
		return err
	}
	return a.respond(c, http.StatusOK, d, stored)
}

type realisedSavingRequest struct {
	Organisation string            `json:"organisation"`
	From         procurement.Date  `json:"from"`
	To           procurement.Date  `json:"to"`
	Amount       procurement.Pence `json:"amount" swaggertype:"string" example:"12500.00"`
	Note         string            `json:"note,omitempty"`
}

// realisedSaving records a saving measured after go-live.
//
//	@Summary		Record a realised saving (after go-live)
//	@Description	The host's officers record savings for any party; a partner's officers for their own organisation.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			id		path		string					true	"procurement id"
//	@Param			saving	body		realisedSavingRequest	true	"period and amount"
//	@Success		200		{object}	procurementView
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/realised-savings [post]
func (a *procurementAPI) realisedSaving(c echo.Context) error {
	var req realisedSavingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	before, rec, err := a.writable(c)
	if err != nil {
		return err
	}
	pr := principal(c)
	if procurement.CanRunLifecycle(pr, before.JointProcurement) != nil && pr.Organisation != req.Organisation {
		return domain.Errorf(domain.CodeForbidden, "a partner's officers record realised savings of their own organisation (%s) only", pr.Organisation)
	}
	version, err := expectedVersion(c, rec)
	if err != nil {
		return err
	}
	p := before.JointProcurement
	p.RealisedSavings = append([]procurement.RealisedSaving(nil), p.RealisedSavings...)
	if err := p.RecordRealisedSaving(procurement.RealisedSaving{Organisation: req.Organisation, From: req.From, To: req.To,
		Amount: req.Amount, Note: strings.TrimSpace(req.Note), RecordedBy: pr.KeyID, RecordedAt: now()}, procurement.DateOf(time.Now())); err != nil {
		return err
	}
	d, stored, err := a.save(c, "procurement.realisedSaving", before, &rec, version, p)
	if err != nil {
		return err
	}
	return a.respond(c, http.StatusOK, d, stored)
}

// readable loads a procurement for the parties' own views.
func (a *procurementAPI) readable(c echo.Context) (procurementDoc, error) {
	d, _, err := a.load(c.Request().Context(), c.Param("id"))
	if err != nil {
		return d, err
	}
	if !procurement.CanRead(principal(c), d.JointProcurement) {
		return d, domain.Errorf(domain.CodeForbidden, "the assessment and shares are shown to the parties' officers; this key's organisation is not a party to %s", d.Reference)
	}
	return d, nil
}

// assessmentView is what the rules require of a procurement today.
type assessmentView struct {
	procurement.Assessment
	StandstillEnds   procurement.Date    `json:"standstillEnds,omitzero" swaggertype:"string"`
	DetailsNoticeDue procurement.Date    `json:"contractDetailsNoticeDue,omitzero" swaggertype:"string"`
	Rules            procurement.RuleSet `json:"rules"`
	Allowed          []procurement.State `json:"allowedTransitions"`
}

// assessment computes the rules.
//
//	@Summary		What the rules require: notices, Key Decisions per partner, approvals required and missing, standstill end, contract details notice due
//	@Description	Computed with the rule set in force today, never stored.
//	@Tags			procurement
//	@Produce		json
//	@Param			id	path		string	true	"procurement id"
//	@Success		200	{object}	assessmentView
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/assessment [get]
func (a *procurementAPI) assessment(c echo.Context) error {
	d, err := a.readable(c)
	if err != nil {
		return err
	}
	rs, err := a.rules(procurement.DateOf(time.Now()))
	if err != nil {
		return err
	}
	as := procurement.Assess(d.JointProcurement, a.env(rs))
	return c.JSON(http.StatusOK, assessmentView{Assessment: as, StandstillEnds: d.StandstillEnds,
		DetailsNoticeDue: d.DetailsNoticeDue, Rules: rs, Allowed: d.State.Allowed()})
}

// sharesView is each party's part of the cost and its saving.
type sharesView struct {
	// ContractCost is what is split: awarded values plus irrecoverable VAT
	// once awarded, the estimate before.
	ContractCost procurement.Pence      `json:"contractCost" swaggertype:"string"`
	Basis        procurement.ShareBasis `json:"basis"`
	Shares       []procurement.Share    `json:"shares"`
	Savings      procurement.Savings    `json:"savings"`
}

// shares splits the cost between the parties.
//
//	@Summary		Per-partner cost over the term and savings against the baseline
//	@Description	Shares add up to 100.00% and the money to the penny (largest remainder). 409 when the share basis is incomplete.
//	@Tags			procurement
//	@Produce		json
//	@Param			id	path		string	true	"procurement id"
//	@Success		200	{object}	sharesView
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id}/shares [get]
func (a *procurementAPI) shares(c echo.Context) error {
	d, err := a.readable(c)
	if err != nil {
		return err
	}
	incomplete := func(err error) error {
		if domain.ErrorCode(err) == domain.CodeInvalid {
			e := domain.Errorf(domain.CodeConflict, "the cost shares cannot be computed yet: %v", err)
			if de, ok := err.(*domain.Error); ok {
				e.Fields = de.Fields
			}
			return e
		}
		return err
	}
	cost := d.ContractCost()
	sh, err := d.SharesOf(cost)
	if err != nil {
		return incomplete(err)
	}
	sv, err := d.Savings()
	if err != nil {
		return incomplete(err)
	}
	return c.JSON(http.StatusOK, sharesView{ContractCost: cost, Basis: d.Shares, Shares: sh, Savings: sv})
}
