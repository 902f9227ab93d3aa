package procurement

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
)

// stateAt returns a procurement put into s directly, with approvals recorded
// and no standstill, so each edge can be tried from each state.
func stateAt(s State) JointProcurement {
	p := sample()
	approveAll(&p, rules2026())
	p.State = s
	return p
}

func TestEveryTransition(t *testing.T) {
	rs := rules2026()
	legal := map[State][]State{
		StatePipeline: {StatePlanning, StateCancelled}, StatePlanning: {StateTender, StateCancelled},
		StateTender: {StateEvaluation, StateCancelled}, StateEvaluation: {StateAwardDecision, StateCancelled},
		StateAwardDecision: {StateContractSigned, StateCancelled}, StateContractSigned: {StateLive, StateCancelled},
		StateLive: {StateClosed, StateCancelled}, StateClosed: nil, StateCancelled: nil,
	}
	for _, from := range States {
		for _, to := range States {
			p := stateAt(from)
			err := p.Transition(Move{To: to, By: "officer-1", At: at("2026-03-02T10:00:00Z"), Reason: "test"}, rs, EnglandAndWales)
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
	err := p.Transition(Move{To: StatePlanning}, rules2026(), EnglandAndWales)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInvalid || len(de.Fields) != 3 {
		t.Fatalf("want three field problems, got %v", err)
	}
}

func TestAwardDecisionNeedsApprovals(t *testing.T) {
	rs := rules2026()
	p := sample()
	p.State = StateEvaluation
	_ = p.RecordApproval(Approval{Body: ApprovalJMT, Date: NewDate(2026, 2, 1), RecordedBy: "k"})
	err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-03-02T10:00:00Z"), Reason: "award"}, rs, EnglandAndWales)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeConflict {
		t.Fatalf("want conflict, got %v", err)
	}
	// £300,000 in thirds is £100,000 each: every council's share is a Key Decision.
	for _, k := range []string{"ictSharedServiceCommittee", "cabinet:bdc", "cabinet:dddc", "cabinet:neddc"} {
		if !strings.Contains(de.Message, k) {
			t.Errorf("message %q does not name %s", de.Message, k)
		}
	}
	if strings.Contains(de.Message, "jointManagementTeam") {
		t.Error("a recorded approval is reported missing")
	}
	approveAll(&p, rs)
	if err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-03-02T10:00:00Z"), Reason: "award"}, rs, EnglandAndWales); err != nil {
		t.Fatal(err)
	}
}

func TestStandstillAcrossChristmas(t *testing.T) {
	rs := rules2026()
	p := stateAt(StateEvaluation)
	// Contract award notice published Friday 18 December 2026.
	if err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-12-18T09:00:00Z"), Reason: "award"}, rs, EnglandAndWales); err != nil {
		t.Fatal(err)
	}
	if p.StandstillEnds.String() != "2026-12-31" {
		t.Fatalf("standstill ends %s, want 2026-12-31 (25 and 28 December are bank holidays)", p.StandstillEnds)
	}
	err := p.Transition(Move{To: StateContractSigned, By: "o", At: at("2026-12-31T16:00:00Z"), Reason: "sign"}, rs, EnglandAndWales)
	if domain.ErrorCode(err) != domain.CodeConflict || !strings.Contains(err.Error(), "2027-01-01") {
		t.Fatalf("signing on the last standstill day: %v", err)
	}
	if err := p.Transition(Move{To: StateContractSigned, By: "o", At: at("2027-01-04T10:00:00Z"), Reason: "sign"}, rs, EnglandAndWales); err != nil {
		t.Fatal(err)
	}
	if p.DetailsNoticeDue.String() != "2027-02-02" {
		t.Errorf("contract details notice due %s, want 2027-02-02 (30 days beginning with 4 January)", p.DetailsNoticeDue)
	}
}

func TestNoStandstillForFrameworkCallOff(t *testing.T) {
	rs := rules2026()
	p := stateAt(StateEvaluation)
	p.Route, p.Framework = RouteGCloudDirectAward, "G-Cloud 14"
	if err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-03-02T10:00:00Z"), Reason: "award"}, rs, EnglandAndWales); err != nil {
		t.Fatal(err)
	}
	if !p.StandstillEnds.IsZero() {
		t.Fatalf("call-off given a standstill to %s", p.StandstillEnds)
	}
	if err := p.Transition(Move{To: StateContractSigned, By: "o", At: at("2026-03-02T15:00:00Z"), Reason: "sign"}, rs, EnglandAndWales); err != nil {
		t.Fatalf("same-day signature of a call-off refused: %v", err)
	}
}

func TestRealisedSavingsOnlyAfterGoLive(t *testing.T) {
	p := stateAt(StateContractSigned)
	s := RealisedSaving{Organisation: "bdc", From: NewDate(2026, 4, 1), To: NewDate(2027, 3, 31), Amount: Pounds(1200), RecordedBy: "k"}
	if domain.ErrorCode(p.RecordRealisedSaving(s)) != domain.CodeConflict {
		t.Error("saving recorded before go-live")
	}
	p.State = StateLive
	if err := p.RecordRealisedSaving(s); err != nil {
		t.Fatal(err)
	}
	s.Organisation = "elsewhere"
	if domain.ErrorCode(p.RecordRealisedSaving(s)) != domain.CodeInvalid {
		t.Error("saving of a non-party recorded")
	}
	sv, err := p.Savings()
	if err != nil || sv.Total.Realised != Pounds(1200) {
		t.Errorf("realised total %s, %v", sv.Total.Realised, err)
	}
}
