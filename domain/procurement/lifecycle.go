package procurement

import (
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// State is a stage of the Procurement Act 2023 lifecycle.
type State string

const (
	StatePipeline       State = "pipeline"
	StatePlanning       State = "planning"      // preliminary market engagement
	StateTender         State = "tender"        // tender notice published
	StateEvaluation     State = "evaluation"    // tenders being assessed
	StateAwardDecision  State = "awardDecision" // contract award notice published; standstill running
	StateContractSigned State = "contractSigned"
	StateLive           State = "live"
	StateClosed         State = "closed"
	StateCancelled      State = "cancelled"
)

// States lists every state in lifecycle order.
var States = []State{StatePipeline, StatePlanning, StateTender, StateEvaluation, StateAwardDecision,
	StateContractSigned, StateLive, StateClosed, StateCancelled}

// next is the forward step of each open state; every open state may also be
// cancelled. A call-off from a framework skips tender and evaluation
// publicity but still passes through them, so that each stage keeps its
// own date in the history.
var next = map[State]State{
	StatePipeline:       StatePlanning,
	StatePlanning:       StateTender,
	StateTender:         StateEvaluation,
	StateEvaluation:     StateAwardDecision,
	StateAwardDecision:  StateContractSigned,
	StateContractSigned: StateLive,
	StateLive:           StateClosed,
}

// Open reports whether the state can still move (closed and cancelled are final).
func (s State) Open() bool { _, ok := next[s]; return ok }

// Allowed returns the legal next states of s.
func (s State) Allowed() []State {
	n, ok := next[s]
	if !ok {
		return nil
	}
	return []State{n, StateCancelled}
}

// Move is a request to change state.
type Move struct {
	To     State
	By     string    // key id or officer of the host authority
	At     time.Time // when the move happened (the notice's publication time for award decision)
	Reason string
}

// Transition moves p to m.To if the lifecycle and rules allow it, recording
// who, when and why. Illegal moves are conflicts listing the legal next
// states; a missing approval or an unfinished standstill is a conflict
// naming what is missing. On error p is unchanged.
func (p *JointProcurement) Transition(m Move, rs RuleSet, cal Calendar) error {
	from := p.State
	if from == "" {
		from = StatePipeline
	}
	var pr domain.Problems
	if strings.TrimSpace(m.By) == "" {
		pr.Add("by", "is required: who made the change")
	}
	if strings.TrimSpace(m.Reason) == "" {
		pr.Add("reason", "is required: say why the procurement moves to %s", m.To)
	}
	if m.At.IsZero() {
		pr.Add("at", "is required")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	allowed := from.Allowed()
	legal := false
	for _, a := range allowed {
		legal = legal || a == m.To
	}
	if !legal {
		e := domain.Errorf(domain.CodeConflict, "a procurement in state %s cannot move to %s", from, m.To)
		for _, a := range allowed {
			e.Allowed = append(e.Allowed, string(a))
		}
		if len(allowed) == 0 {
			e.Message += "; it is final"
		}
		return e
	}
	day := DateOf(m.At)
	var standstill, detailsDue Date
	switch m.To {
	case StateAwardDecision:
		a := Assess(*p, rs)
		if missing := a.MissingApprovals(p.Approvals); len(missing) > 0 {
			e := domain.Errorf(domain.CodeConflict, "approvals are missing before the award decision: %s", strings.Join(missing, ", "))
			for _, k := range missing {
				e.Fields = append(e.Fields, domain.FieldProblem{Field: "approvals", Problem: "record the approval " + k})
			}
			return e
		}
		if a.StandstillApplies {
			end, err := cal.NthWorkingDay(day, rs.StandstillWorkingDays)
			if err != nil {
				return domain.Errorf(domain.CodeConflict, "cannot compute the standstill: %v", err)
			}
			standstill = end
		}
	case StateContractSigned:
		if !p.StandstillEnds.IsZero() && !day.After(p.StandstillEnds) {
			return domain.Errorf(domain.CodeConflict,
				"the standstill runs to the end of %s; the contract can be signed from %s", p.StandstillEnds, p.StandstillEnds.AddDays(1))
		}
		// "within the period of 30 days beginning with the day on which the
		// contract is entered into": the signing day is day 1.
		detailsDue = day.AddDays(rs.ContractDetailsNoticeDays - 1)
	}
	if m.To == StateAwardDecision {
		p.StandstillEnds = standstill
	}
	if m.To == StateContractSigned {
		p.DetailsNoticeDue = detailsDue
	}
	p.State = m.To
	p.History = append(p.History, TransitionRecord{From: from, To: m.To, By: m.By, At: m.At, Reason: strings.TrimSpace(m.Reason)})
	return nil
}

// RecordRealisedSaving adds a saving measured after go-live.
func (p *JointProcurement) RecordRealisedSaving(s RealisedSaving) error {
	if p.State != StateLive && p.State != StateClosed {
		return domain.Errorf(domain.CodeConflict, "realised savings are recorded after go-live; this procurement is %s", p.State)
	}
	var pr domain.Problems
	if !p.IsParty(s.Organisation) {
		pr.Add("organisation", "must be the host or a partner of this procurement")
	}
	if s.From.IsZero() || s.To.IsZero() || s.To.Before(s.From) {
		pr.Add("to", "give the period the saving covers: from and to, with to not before from")
	}
	if strings.TrimSpace(s.RecordedBy) == "" {
		pr.Add("recordedBy", "is required")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	p.RealisedSavings = append(p.RealisedSavings, s)
	return nil
}
