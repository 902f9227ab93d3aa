package procurement

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
)

// stateAt returns a procurement put into s directly, with an evaluated
// award starting 2026-04-15, every approval recorded on 2026-02-01 and no
// standstill, so each edge can be tried from each state on 2026-04-15.
func stateAt(s State) JointProcurement {
	p := sample()
	p.Awards = []Award{evaluatedAward(NewDate(2026, 4, 15))}
	approveAll(&p, envAt("2026-05-01T12:00:00Z"), NewDate(2026, 2, 1))
	p.State = s
	return p
}

func hasField(e *domain.Error, f string) bool {
	return slices.ContainsFunc(e.Fields, func(x domain.FieldProblem) bool { return x.Field == f })
}

func TestEveryTransition(t *testing.T) {
	e := envAt("2026-05-01T12:00:00Z")
	legal := map[State][]State{
		StatePipeline: {StatePlanning, StateCancelled}, StatePlanning: {StateTender, StateCancelled},
		StateTender: {StateEvaluation, StateCancelled}, StateEvaluation: {StateAwardDecision, StateCancelled},
		StateAwardDecision: {StateContractSigned, StateCancelled}, StateContractSigned: {StateLive, StateCancelled},
		StateLive: {StateClosed, StateCancelled}, StateClosed: nil, StateCancelled: nil,
	}
	for _, from := range States {
		for _, to := range States {
			p := stateAt(from)
			err := p.Transition(Move{To: to, By: "officer-1", At: at("2026-04-15T10:00:00Z"), Reason: "test"}, e)
			if slices.Contains(legal[from], to) {
				if err != nil {
					t.Errorf("%s -> %s refused: %v", from, to, err)
					continue
				}
				h := p.History[len(p.History)-1]
				if p.State != to || h.From != from || h.To != to || h.By != "officer-1" || h.Reason != "test" {
					t.Errorf("%s -> %s recorded %+v, state %s", from, to, h, p.State)
				}
				continue
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeConflict {
				t.Errorf("%s -> %s: want conflict, got %v", from, to, err)
				continue
			}
			want := make([]string, 0)
			for _, s := range legal[from] {
				want = append(want, string(s))
			}
			if !slices.Equal(de.Allowed, want) && !(len(want) == 0 && len(de.Allowed) == 0) {
				t.Errorf("%s -> %s: allowed %v, want %v", from, to, de.Allowed, want)
			}
			if p.State != from || len(p.History) != 0 {
				t.Errorf("%s -> %s: refused move changed the record", from, to)
			}
		}
	}
}

func TestTransitionNeedsWhoAndWhy(t *testing.T) {
	p := sample()
	err := p.Transition(Move{To: StatePlanning}, envAt("2026-03-01T12:00:00Z"))
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInvalid || len(de.Fields) != 3 {
		t.Fatalf("want three field problems, got %v", err)
	}
}

func TestAwardDecisionNeedsApprovals(t *testing.T) {
	e := envAt("2026-03-02T12:00:00Z")
	p := sample()
	p.State = StateEvaluation
	p.Awards = []Award{evaluatedAward(NewDate(2026, 5, 1))}
	if err := p.RecordApproval(Approval{Body: ApprovalJMT, Outcome: OutcomeApproved, Date: NewDate(2026, 2, 1), RecordedBy: "k"}, e.Governance, e.Today()); err != nil {
		t.Fatal(err)
	}
	err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-03-02T10:00:00Z"), Reason: "award"}, e)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeConflict {
		t.Fatalf("want conflict, got %v", err)
	}
	// £300,000 in thirds is £100,000 each: every council's share is a Key Decision.
	for _, k := range []string{"ictSharedServiceCommittee", "bdc-executive", "dddc-committee", "neddc-cabinet"} {
		if !strings.Contains(de.Message, k) || !hasField(de, "approvals."+k) {
			t.Errorf("refusal %v does not name %s", de, k)
		}
	}
	if strings.Contains(de.Message, "jointManagementTeam") {
		t.Error("a recorded approval is reported missing")
	}
	approveAll(&p, e, NewDate(2026, 2, 1))
	if err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-03-02T10:00:00Z"), Reason: "award"}, e); err != nil {
		t.Fatal(err)
	}
}

func TestStandstillAcrossChristmas(t *testing.T) {
	p := stateAt(StateEvaluation)
	p.Awards = []Award{evaluatedAward(NewDate(2027, 2, 1))}
	// Contract award notice published Friday 18 December 2026.
	if err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-12-18T09:00:00Z"), Reason: "award"}, envAt("2026-12-18T12:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if p.StandstillEnds.String() != "2026-12-31" {
		t.Fatalf("standstill ends %s, want 2026-12-31 (25 and 28 December are bank holidays)", p.StandstillEnds)
	}
	err := p.Transition(Move{To: StateContractSigned, By: "o", At: at("2026-12-31T16:00:00Z"), Reason: "sign"}, envAt("2026-12-31T17:00:00Z"))
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeConflict || !hasField(de, "standstillEnds") || !strings.Contains(de.Error(), "2027-01-01") {
		t.Fatalf("signing on the last standstill day: %v", err)
	}
	if err := p.Transition(Move{To: StateContractSigned, By: "o", At: at("2027-01-04T10:00:00Z"), Reason: "sign"}, envAt("2027-01-04T12:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if p.DetailsNoticeDue.String() != "2027-02-02" || p.Awards[0].Signed.String() != "2027-01-04" {
		t.Errorf("contract details notice due %s (want 2027-02-02, 30 days beginning with 4 January), signed %s", p.DetailsNoticeDue, p.Awards[0].Signed)
	}
}

func TestNoStandstillForFrameworkCallOff(t *testing.T) {
	e := envAt("2026-04-15T16:00:00Z")
	p := stateAt(StateEvaluation)
	p.Route, p.Framework = RouteGCloudDirectAward, "G-Cloud 14"
	if err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-04-15T10:00:00Z"), Reason: "award"}, e); err != nil {
		t.Fatal(err)
	}
	if !p.StandstillEnds.IsZero() {
		t.Fatalf("call-off given a standstill to %s", p.StandstillEnds)
	}
	if err := p.Transition(Move{To: StateContractSigned, By: "o", At: at("2026-04-15T15:00:00Z"), Reason: "sign"}, e); err != nil {
		t.Fatalf("same-day signature of a call-off refused: %v", err)
	}
}

func TestRealisedSavingsOnlyAfterGoLiveAndNotInTheFuture(t *testing.T) {
	today := NewDate(2027, 5, 1)
	p := stateAt(StateContractSigned)
	s := RealisedSaving{Organisation: "bdc", From: NewDate(2026, 4, 15), To: NewDate(2027, 4, 14), Amount: Pounds(1200), RecordedBy: "k"}
	if domain.ErrorCode(p.RecordRealisedSaving(s, today)) != domain.CodeConflict {
		t.Error("saving recorded before go-live")
	}
	if err := p.Transition(Move{To: StateLive, By: "o", At: at("2026-04-15T10:00:00Z"), Reason: "live"}, envAt("2026-04-15T12:00:00Z")); err != nil {
		t.Fatal(err)
	}
	future := s
	future.To = NewDate(2027, 5, 2)
	var de *domain.Error
	if err := p.RecordRealisedSaving(future, today); !errors.As(err, &de) || !hasField(de, "to") {
		t.Errorf("a saving for a period ending tomorrow: %v", err)
	}
	early := s
	early.From = NewDate(2026, 4, 1)
	if err := p.RecordRealisedSaving(early, today); !errors.As(err, &de) || !hasField(de, "from") {
		t.Errorf("a saving from before go-live: %v", err)
	}
	if err := p.RecordRealisedSaving(s, today); err != nil {
		t.Fatal(err)
	}
	s.Organisation = "elsewhere"
	if domain.ErrorCode(p.RecordRealisedSaving(s, today)) != domain.CodeInvalid {
		t.Error("saving of a non-party recorded")
	}
	sv, err := p.Savings()
	if err != nil || sv.Total.Realised != Pounds(1200) {
		t.Errorf("realised total %s, %v", sv.Total.Realised, err)
	}
}
