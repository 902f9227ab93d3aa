package procurement

import (
	"fmt"
	"slices"
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
	At     time.Time // when the move happened (the notice's publication, the signature)
	Reason string
}

// Transition moves p to m.To if the lifecycle and the facts allow it,
// recording who, when and why. An illegal move is a conflict listing the
// legal next states; a move whose facts are missing or inconsistent is a
// conflict naming each of them (see Assessment.Next for what each move
// still needs). A move may not be dated in the future nor before the
// previous move. On error p is unchanged.
func (p *JointProcurement) Transition(m Move, env Env) error {
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
	} else if m.At.After(env.Now) {
		pr.Add("at", "is in the future; record a move when it has happened")
	} else if n := len(p.History); n > 0 && m.At.Before(p.History[n-1].At) {
		pr.Add("at", "is before the previous move (%s)", p.History[n-1].At.UTC().Format(time.RFC3339))
	}
	if err := pr.Err(); err != nil {
		return err
	}
	allowed := from.Allowed()
	if !slices.Contains(allowed, m.To) {
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
	as := p.assessFor(env, day)
	if missing := p.needs(m.To, day, env, as); len(missing) > 0 {
		facts := make([]string, len(missing))
		for i, f := range missing {
			facts[i] = f.Field + ": " + f.Problem
		}
		return &domain.Error{Code: domain.CodeConflict, Fields: missing,
			Message: fmt.Sprintf("the move to %s needs facts that are missing or inconsistent: %s", m.To, strings.Join(facts, "; "))}
	}
	switch m.To {
	case StateAwardDecision:
		p.StandstillEnds = Date{}
		if as.StandstillApplies {
			end, err := env.Calendar.NthWorkingDay(day, env.Rules.StandstillWorkingDays)
			if err != nil {
				return domain.Errorf(domain.CodeConflict, "cannot compute the standstill: %v", err)
			}
			p.StandstillEnds = end
		}
	case StateContractSigned:
		// "within the period of 30 days beginning with the day on which the
		// contract is entered into": the signing day is day 1.
		p.DetailsNoticeDue = day.AddDays(env.Rules.ContractDetailsNoticeDays - 1)
		p.Awards = slices.Clone(p.Awards)
		for i := range p.Awards {
			p.Awards[i].Signed = day
		}
	}
	p.State = m.To
	p.History = append(slices.Clone(p.History), TransitionRecord{From: from, To: m.To, By: m.By, At: m.At, Reason: strings.TrimSpace(m.Reason)})
	return nil
}

// RecordRealisedSaving adds a saving measured after go-live, over a period
// that has ended by today.
func (p *JointProcurement) RecordRealisedSaving(s RealisedSaving, today Date) error {
	if p.State != StateLive && p.State != StateClosed {
		return domain.Errorf(domain.CodeConflict, "realised savings are recorded after go-live; this procurement is %s", p.State)
	}
	var pr domain.Problems
	if !p.IsParty(s.Organisation) {
		pr.Add("organisation", "must be the host or a partner of this procurement")
	}
	switch live, ok := p.movedTo(StateLive); {
	case s.From.IsZero() || s.To.IsZero() || s.To.Before(s.From):
		pr.Add("to", "give the period the saving covers: from and to, with to not before from")
	case s.To.After(today):
		pr.Add("to", "is %s, in the future; record a saving once its period is over", s.To)
	case ok && s.From.Before(live):
		pr.Add("from", "is %s, before the service went live on %s", s.From, live)
	}
	if strings.TrimSpace(s.RecordedBy) == "" {
		pr.Add("recordedBy", "is required")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	p.RealisedSavings = append(slices.Clone(p.RealisedSavings), s)
	return nil
}
