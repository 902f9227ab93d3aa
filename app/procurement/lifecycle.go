package procurement

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/capital"
	"github.com/jointict/councilapi/domain/procurement"
)

// TransitionInput is a move of the lifecycle.
type TransitionInput struct {
	To     procurement.State `json:"to"`
	Reason string            `json:"reason"`
	// At records a move that happened earlier, such as the day a contract
	// award notice was published; it defaults to now, may not be in the
	// future nor before the previous move.
	At *time.Time `json:"at,omitempty"`
}

// Transition moves a procurement through its lifecycle (an officer of the
// host authority). A move whose facts are missing is a conflict naming
// each; the rules are those in force on the day of the move.
func (s *Service) Transition(ctx context.Context, a audit.Actor, id string, ifMatch int64, decode Decode) (Procurement, error) {
	cur, _, err := s.load(ctx, a, id)
	if err != nil {
		return Procurement{}, err
	}
	if err := procurement.CanRunLifecycle(a.Principal, cur.JointProcurement); err != nil {
		return Procurement{}, err
	}
	var in TransitionInput
	if err := decode(&in); err != nil {
		return Procurement{}, err
	}
	at := s.now()
	if in.At != nil {
		at = in.At.UTC()
	}
	env, err := s.env(ctx, procurement.DateOf(at))
	if err != nil {
		return Procurement{}, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return Procurement{}, err
	}
	move := procurement.Move{To: in.To, By: a.KeyID, At: at, Reason: in.Reason}
	return s.write(ctx, a, "procurement.transition", id, ifMatch, orgs, func(r *Record) error {
		if err := procurement.CanRunLifecycle(a.Principal, r.JointProcurement); err != nil {
			return err
		}
		return r.Transition(move, env)
	})
}

// ApprovalInput is a decision of an approving body.
type ApprovalInput struct {
	Body         procurement.ApprovalBody `json:"body"`
	Organisation string                   `json:"organisation,omitempty"`
	Outcome      procurement.Outcome      `json:"outcome"`
	Date         procurement.Date         `json:"date"`
	Published    procurement.Date         `json:"published,omitzero" swaggertype:"string"`
	Reference    string                   `json:"reference,omitempty"`
}

// RecordApproval records a decision: a council's own officers record
// their council's bodies' decisions, the host's officers the joint
// bodies'. The same body's later decision replaces its earlier one.
func (s *Service) RecordApproval(ctx context.Context, a audit.Actor, id string, ifMatch int64, decode Decode) (Procurement, error) {
	cur, _, err := s.load(ctx, a, id)
	if err != nil {
		return Procurement{}, err
	}
	var in ApprovalInput
	if err := decode(&in); err != nil {
		return Procurement{}, err
	}
	env, err := s.env(ctx, s.today())
	if err != nil {
		return Procurement{}, err
	}
	ap := procurement.Approval{Body: in.Body, Organisation: in.Organisation, Outcome: in.Outcome, Date: in.Date,
		Published: in.Published, Reference: strings.TrimSpace(in.Reference), RecordedBy: a.KeyID}
	if err := procurement.CanRecordApproval(a.Principal, cur.JointProcurement, env.Governance, ap); err != nil {
		return Procurement{}, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return Procurement{}, err
	}
	return s.write(ctx, a, "procurement.approval", id, ifMatch, orgs, func(r *Record) error {
		if err := procurement.CanRecordApproval(a.Principal, r.JointProcurement, env.Governance, ap); err != nil {
			return err
		}
		return r.JointProcurement.RecordApproval(ap, env.Governance, env.Today())
	})
}

// RealisedSavingInput is a saving measured after go-live.
type RealisedSavingInput struct {
	Organisation string            `json:"organisation"`
	From         procurement.Date  `json:"from"`
	To           procurement.Date  `json:"to"`
	Amount       procurement.Pence `json:"amount" swaggertype:"string" example:"12500.00"`
	Note         string            `json:"note,omitempty"`
}

// RecordRealisedSaving records a saving: the host's officers for any
// party, a partner's officers for their own organisation.
func (s *Service) RecordRealisedSaving(ctx context.Context, a audit.Actor, id string, ifMatch int64, decode Decode) (Procurement, error) {
	cur, _, err := s.load(ctx, a, id)
	if err != nil {
		return Procurement{}, err
	}
	var in RealisedSavingInput
	if err := decode(&in); err != nil {
		return Procurement{}, err
	}
	mayRecord := func(p procurement.JointProcurement) error {
		if procurement.CanRunLifecycle(a.Principal, p) != nil && a.Organisation != in.Organisation {
			return domain.Errorf(domain.CodeForbidden, "a partner's officers record realised savings of their own organisation (%s) only", a.Organisation)
		}
		return nil
	}
	if err := mayRecord(cur.JointProcurement); err != nil {
		return Procurement{}, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return Procurement{}, err
	}
	saving := procurement.RealisedSaving{Organisation: in.Organisation, From: in.From, To: in.To, Amount: in.Amount,
		Note: strings.TrimSpace(in.Note), RecordedBy: a.KeyID, RecordedAt: s.now()}
	today := s.today()
	return s.write(ctx, a, "procurement.realisedSaving", id, ifMatch, orgs, func(r *Record) error {
		if err := mayRecord(r.JointProcurement); err != nil {
			return err
		}
		return r.RecordRealisedSaving(saving, today)
	})
}

// RuleAssessment is what the rules require of a procurement today, with
// the rule set itself.
type RuleAssessment struct {
	procurement.Assessment
	StandstillEnds   procurement.Date    `json:"standstillEnds,omitzero" swaggertype:"string"`
	DetailsNoticeDue procurement.Date    `json:"contractDetailsNoticeDue,omitzero" swaggertype:"string"`
	Rules            procurement.RuleSet `json:"rules"`
	Allowed          []procurement.State `json:"allowedTransitions"`
}

// Assess computes the rules for a party's officers, with the rule set in
// force today; nothing is stored.
func (s *Service) Assess(ctx context.Context, a audit.Actor, id string) (RuleAssessment, error) {
	r, _, err := s.readable(ctx, a, id)
	if err != nil {
		return RuleAssessment{}, err
	}
	env, err := s.env(ctx, s.today())
	if err != nil {
		return RuleAssessment{}, err
	}
	return RuleAssessment{Assessment: procurement.Assess(r.JointProcurement, env), StandstillEnds: r.StandstillEnds,
		DetailsNoticeDue: r.DetailsNoticeDue, Rules: env.Rules, Allowed: r.State.Allowed()}, nil
}

// Shares is each party's part of the cost and its saving.
type Shares struct {
	// ContractCost is what is split: awarded values plus irrecoverable VAT
	// once awarded, the estimate before.
	ContractCost procurement.Pence      `json:"contractCost" swaggertype:"string"`
	Basis        procurement.ShareBasis `json:"basis"`
	Shares       []procurement.Share    `json:"shares"`
	Savings      procurement.Savings    `json:"savings"`
}

// Shares splits the cost between the parties; an incomplete share basis is
// a conflict naming what is missing.
func (s *Service) Shares(ctx context.Context, a audit.Actor, id string) (Shares, error) {
	r, _, err := s.readable(ctx, a, id)
	if err != nil {
		return Shares{}, err
	}
	incomplete := func(err error) error {
		if de, ok := err.(*domain.Error); ok && de.Code == domain.CodeInvalid {
			return &domain.Error{Code: domain.CodeConflict, Message: "the cost shares cannot be computed yet: " + err.Error(), Fields: de.Fields}
		}
		return err
	}
	cost := r.ContractCost()
	sh, err := r.SharesOf(cost)
	if err != nil {
		return Shares{}, incomplete(err)
	}
	sv, err := r.Savings()
	if err != nil {
		return Shares{}, incomplete(err)
	}
	return Shares{ContractCost: cost, Basis: r.JointProcurement.Shares, Shares: sh, Savings: sv}, nil
}

// CashLines reads a procurement's cash lines (its parties' officers).
func (s *Service) CashLines(ctx context.Context, a audit.Actor, id string) ([]capital.CashLine, error) {
	r, _, err := s.readable(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if r.CashLines == nil {
		return []capital.CashLine{}, nil
	}
	return r.CashLines, nil
}

// SetCashLines replaces a procurement's cash lines: its spend by kind and
// financial year before shares, from which each partner's capital
// programme takes its share (an officer of the host authority).
func (s *Service) SetCashLines(ctx context.Context, a audit.Actor, id string, ifMatch int64, decode Decode) (Procurement, error) {
	cur, _, err := s.load(ctx, a, id)
	if err != nil {
		return Procurement{}, err
	}
	if err := procurement.CanRunLifecycle(a.Principal, cur.JointProcurement); err != nil {
		return Procurement{}, err
	}
	var lines []capital.CashLine
	if err := decode(&lines); err != nil {
		return Procurement{}, err
	}
	if err := checkCashLines(lines); err != nil {
		return Procurement{}, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return Procurement{}, err
	}
	return s.write(ctx, a, "procurement.cashLines", id, ifMatch, orgs, func(r *Record) error {
		r.CashLines = lines
		return nil
	})
}

// checkCashLines validates each line and that ids are unique.
func checkCashLines(lines []capital.CashLine) error {
	var pr domain.Problems
	seen := map[string]bool{}
	for i, l := range lines {
		f := fmt.Sprintf("[%d].", i)
		if err := l.Validate(); err != nil {
			if de, ok := err.(*domain.Error); ok {
				pr = append(pr, domain.Problems(de.Fields).Prefix(f)...)
			}
		}
		if seen[l.ID] {
			pr.Add(f+"id", "repeats %q; give each line its own id", l.ID)
		}
		seen[l.ID] = true
	}
	return pr.Err()
}
