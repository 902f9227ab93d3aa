package procurement

import (
	"errors"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
)

// evaluating is a procurement that moved through planning, tender and
// evaluation in spring 2026 with an evaluated award and every approval
// given on 1 June 2026, ready for the award decision.
func evaluating(t *testing.T) JointProcurement {
	t.Helper()
	p := sample()
	for _, m := range []Move{{To: StatePlanning, At: at("2026-03-02T09:00:00Z")}, {To: StateTender, At: at("2026-04-07T09:00:00Z")},
		{To: StateEvaluation, At: at("2026-05-11T09:00:00Z")}} {
		m.By, m.Reason = "o", "next"
		if err := p.Transition(m, envAt("2026-05-11T12:00:00Z")); err != nil {
			t.Fatal(err)
		}
	}
	p.Awards = []Award{evaluatedAward(NewDate(2026, 9, 1))}
	approveAll(&p, envAt("2026-06-01T12:00:00Z"), NewDate(2026, 6, 1))
	return p
}

// refusal asserts that err is a conflict naming field, and that p did not move.
func refusal(t *testing.T, name string, err error, field string) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeConflict || !hasField(de, field) {
		t.Errorf("%s: want a conflict naming %s, got %v", name, field, err)
	}
}

func TestAwardDecisionRefusedForEachMissingFact(t *testing.T) {
	// NEDDC Cabinet decided on 1 June (a Monday): call-in runs to the end
	// of 8 June, so the award is decided on 9 June.
	e := envAt("2026-06-09T17:00:00Z")
	move := Move{To: StateAwardDecision, By: "o", At: at("2026-06-09T10:00:00Z"), Reason: "award"}
	if p := evaluating(t); p.Transition(move, e) != nil {
		t.Fatalf("the complete record is refused: %v", p.Transition(move, e))
	}
	cases := []struct {
		name   string
		change func(*JointProcurement)
		field  string
	}{
		{"no award", func(p *JointProcurement) { p.Awards = nil }, "awards"},
		{"no supplier name", func(p *JointProcurement) { p.Awards[0].Supplier.Name = "" }, "awards[0].supplier.name"},
		{"no supplier identifier", func(p *JointProcurement) { p.Awards[0].Supplier.CompaniesHouse = "" }, "awards[0].supplier.companiesHouse"},
		{"no value ex VAT", func(p *JointProcurement) { p.Awards[0].Value = 0 }, "awards[0].value"},
		{"no value incl VAT", func(p *JointProcurement) { p.Awards[0].ValueIncVAT = 0 }, "awards[0].valueIncVat"},
		{"an approval missing", func(p *JointProcurement) { p.Approvals = p.Approvals[1:] }, "approvals.jointManagementTeam"},
		{"an approval after the decision", func(p *JointProcurement) { p.Approvals[0].Date = NewDate(2026, 6, 10) }, "approvals.jointManagementTeam"},
		{"an approval before the evaluation", func(p *JointProcurement) { p.Approvals[1].Date = NewDate(2026, 5, 8) }, "approvals.ictSharedServiceCommittee"},
		{"call-in not over", func(p *JointProcurement) {
			for i := range p.Approvals {
				if p.Approvals[i].Body == "neddc-cabinet" {
					p.Approvals[i].Date = NewDate(2026, 6, 3)
				}
			}
		}, "approvals.neddc-cabinet"},
		{"a route the value does not permit", func(p *JointProcurement) { p.Route = RouteBelowThresholdQuotation }, "rules"},
		{"incomplete shares", func(p *JointProcurement) { p.Shares = ShareBasis{Method: ShareDriver, Driver: "users"} }, "rules"},
	}
	for _, c := range cases {
		p := evaluating(t)
		c.change(&p)
		refusal(t, c.name, p.Transition(move, e), c.field)
		if p.State != StateEvaluation {
			t.Errorf("%s: the refused move changed the state to %s", c.name, p.State)
		}
	}
}

// awarded is evaluating(t) after its award decision on 9 June 2026: the
// standstill runs to the end of 18 June.
func awarded(t *testing.T) JointProcurement {
	t.Helper()
	p := evaluating(t)
	if err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-06-09T10:00:00Z"), Reason: "award"}, envAt("2026-06-09T17:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if p.StandstillEnds.String() != "2026-06-18" {
		t.Fatalf("standstill ends %s", p.StandstillEnds)
	}
	return p
}

func TestContractSignedRefusedForEachMissingFact(t *testing.T) {
	e := envAt("2026-06-22T17:00:00Z")
	move := Move{To: StateContractSigned, By: "o", At: at("2026-06-22T10:00:00Z"), Reason: "signed"}
	if p := awarded(t); p.Transition(move, e) != nil {
		t.Fatalf("the complete record is refused: %v", p.Transition(move, e))
	}
	cases := []struct {
		name   string
		change func(*JointProcurement, *Move)
		field  string
	}{
		{"no award", func(p *JointProcurement, _ *Move) { p.Awards = nil }, "awards"},
		{"no contract value", func(p *JointProcurement, _ *Move) { p.Awards[0].Value = 0 }, "awards[0].value"},
		{"no start or end", func(p *JointProcurement, _ *Move) { p.Awards[0].Start, p.Awards[0].End = Date{}, Date{} }, "awards[0].start"},
		{"start before signature", func(p *JointProcurement, _ *Move) { p.Awards[0].Start = NewDate(2026, 6, 19) }, "awards[0].start"},
		{"another signature date", func(p *JointProcurement, _ *Move) { p.Awards[0].Signed = NewDate(2026, 6, 19) }, "awards[0].signed"},
		{"standstill running", func(_ *JointProcurement, m *Move) { m.At = at("2026-06-18T16:00:00Z") }, "standstillEnds"},
	}
	for _, c := range cases {
		p, m := awarded(t), move
		c.change(&p, &m)
		refusal(t, c.name, p.Transition(m, e), c.field)
	}
}

func TestLiveNeedsTheStartDateReached(t *testing.T) {
	p := awarded(t)
	if err := p.Transition(Move{To: StateContractSigned, By: "o", At: at("2026-06-22T10:00:00Z"), Reason: "signed"}, envAt("2026-06-22T17:00:00Z")); err != nil {
		t.Fatal(err)
	}
	early := Move{To: StateLive, By: "o", At: at("2026-08-31T10:00:00Z"), Reason: "live"}
	q := p
	refusal(t, "live the day before the start", q.Transition(early, envAt("2026-08-31T17:00:00Z")), "awards[0].start")
	early.At = at("2026-09-01T08:00:00Z")
	if err := p.Transition(early, envAt("2026-09-01T17:00:00Z")); err != nil {
		t.Fatalf("live on the start date: %v", err)
	}
}

func TestMovesAreInDateOrderAndNotInTheFuture(t *testing.T) {
	p := evaluating(t)
	var de *domain.Error
	err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-05-10T10:00:00Z"), Reason: "award"}, envAt("2026-06-09T17:00:00Z"))
	if !errors.As(err, &de) || de.Code != domain.CodeInvalid || !hasField(de, "at") || !strings.Contains(err.Error(), "before the previous move") {
		t.Errorf("an award decision dated before the evaluation: %v", err)
	}
	err = p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-06-10T10:00:00Z"), Reason: "award"}, envAt("2026-06-09T17:00:00Z"))
	if !errors.As(err, &de) || !hasField(de, "at") || !strings.Contains(err.Error(), "future") {
		t.Errorf("an award decision dated tomorrow: %v", err)
	}
}

func TestFutureDatesAreRefused(t *testing.T) {
	e := envAt("2026-12-02T09:00:00Z")
	p := evaluating(t)
	var de *domain.Error
	// The case: approvals dated 2027 recorded in December 2026.
	err := p.RecordApproval(Approval{Body: ApprovalJMT, Outcome: OutcomeApproved, Date: NewDate(2027, 1, 10), RecordedBy: "k"}, e.Governance, e.Today())
	if !errors.As(err, &de) || !hasField(de, "date") {
		t.Errorf("an approval dated 2027-01-10: %v", err)
	}
	err = p.RecordApproval(Approval{Body: ApprovalJMT, Outcome: OutcomeApproved, Date: NewDate(2026, 12, 1), Published: NewDate(2026, 12, 3), RecordedBy: "k"}, e.Governance, e.Today())
	if !errors.As(err, &de) || !hasField(de, "published") {
		t.Errorf("a decision notice published tomorrow: %v", err)
	}
	edited := p
	edited.Milestones = []Milestone{{ID: "m", Title: "Go-live", Due: NewDate(2027, 3, 1), Met: NewDate(2026, 12, 3)}}
	edited.PublishedNotices = []PublishedNotice{{Notice: NoticeContractDetails, Published: NewDate(2026, 12, 5)}}
	edited.Awards = []Award{evaluatedAward(NewDate(2027, 1, 1))}
	edited.Awards[0].Signed = NewDate(2026, 12, 4)
	err = edited.ValidateAt(e.Today())
	if !errors.As(err, &de) || !hasField(de, "milestones[0].met") || !hasField(de, "publishedNotices[0].published") || !hasField(de, "awards[0].signed") {
		t.Errorf("future facts in an edit: %v", err)
	}
	planned := p
	planned.Milestones = []Milestone{{ID: "m", Title: "Go-live", Due: NewDate(2027, 3, 1)}}
	if err := planned.ValidateAt(e.Today()); err != nil {
		t.Errorf("a planned milestone in the future was refused: %v", err)
	}
}

func TestCallInAcrossABankHoliday(t *testing.T) {
	gov := SeedGovernance()
	p := sample()
	p.State = StateEvaluation
	p.Awards = []Award{evaluatedAward(NewDate(2026, 10, 1))}
	approveAll(&p, envAt("2026-08-27T17:00:00Z"), NewDate(2026, 8, 27))
	// BDC Executive decided on Thursday 27 August 2026; the five clear
	// working days are 28 August and 1-4 September (31 August is the summer
	// bank holiday), so the award may be decided once it is over, from
	// Saturday 5 September.
	a := Assess(p, envAt("2026-09-04T12:00:00Z"))
	var bdc ApprovalStatus
	for _, s := range a.Approvals {
		if s.Body == "bdc-executive" {
			bdc = s
		}
	}
	if bdc.CallInEnds.String() != "2026-09-04" || bdc.AwardFrom.String() != "2026-09-05" || bdc.Problem == "" {
		t.Errorf("BDC Executive %+v", bdc)
	}
	for _, n := range a.Next {
		if n.To == StateAwardDecision && (n.Ready || n.From.String() != "2026-09-05") {
			t.Errorf("next award decision %+v", n)
		}
	}
	q := p
	refusal(t, "award on the last call-in day", q.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-09-04T16:00:00Z"), Reason: "award"},
		envAt("2026-09-04T17:00:00Z")), "approvals.bdc-executive")
	// Executives configured with two days wait two.
	two := 2
	for i := range gov.Bodies {
		if gov.Bodies[i].CallInDays() > 0 {
			gov.Bodies[i].CallInClearWorkingDays = &two
		}
	}
	e := envAt("2026-09-02T17:00:00Z")
	e.Governance = gov
	if err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-09-02T10:00:00Z"), Reason: "award"}, e); err != nil {
		t.Errorf("award after a two-day call-in (28 August, 1 September): %v", err)
	}
	if err := gov.Validate(); err != nil {
		t.Error(err)
	}
}

func TestApprovalOutcomes(t *testing.T) {
	e := envAt("2026-06-09T17:00:00Z")
	move := Move{To: StateAwardDecision, By: "o", At: at("2026-06-09T10:00:00Z"), Reason: "award"}
	record := func(p *JointProcurement, o Outcome, day Date) {
		t.Helper()
		if err := p.RecordApproval(Approval{Body: "dddc-committee", Outcome: o, Date: day, Reference: "DC/12", RecordedBy: "dddc-key"}, e.Governance, e.Today()); err != nil {
			t.Fatal(err)
		}
	}
	p := evaluating(t)
	record(&p, OutcomeRefused, NewDate(2026, 6, 2))
	q := p
	err := q.Transition(move, e)
	refusal(t, "after a refusal", err, "approvals.dddc-committee")
	if !strings.Contains(err.Error(), "refused on 2026-06-02 (DC/12): a refusal blocks the award") {
		t.Errorf("the refusal is not explained: %v", err)
	}
	record(&p, OutcomeDeferred, NewDate(2026, 6, 3))
	q = p
	refusal(t, "after a deferral", q.Transition(move, e), "approvals.dddc-committee")
	record(&p, OutcomeApproved, NewDate(2026, 6, 8))
	if n := len(p.Approvals); n != 5 {
		t.Errorf("%d approvals; a new decision of the same body replaces the earlier one", n)
	}
	if err := p.Transition(move, e); err != nil {
		t.Errorf("after the committee approved: %v", err)
	}
	if err := p.RecordApproval(Approval{Body: "dddc-committee", Outcome: "maybe", Date: NewDate(2026, 6, 8), RecordedBy: "k"}, e.Governance, e.Today()); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("an unknown outcome: %v", err)
	}
	if err := p.RecordApproval(Approval{Body: "nwldc-cabinet", Outcome: OutcomeApproved, Date: NewDate(2026, 6, 8), RecordedBy: "k"}, e.Governance, e.Today()); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Errorf("an unknown body: %v", err)
	}
}

func TestAssessmentSaysWhatIsDueAndWhatIsOverdue(t *testing.T) {
	p := awarded(t)
	if err := p.Transition(Move{To: StateContractSigned, By: "o", At: at("2026-06-22T10:00:00Z"), Reason: "signed"}, envAt("2026-06-22T17:00:00Z")); err != nil {
		t.Fatal(err)
	}
	due := func(a Assessment) NoticeDue {
		for _, n := range a.NoticesDue {
			if n.Notice == NoticeContractDetails {
				return n
			}
		}
		t.Fatal("no contract details notice")
		return NoticeDue{}
	}
	a := Assess(p, envAt("2026-07-21T12:00:00Z"))
	if n := due(a); n.Due.String() != "2026-07-21" || n.Overdue || len(a.Obligations) != 1 || a.Obligations[0].Overdue {
		t.Errorf("on the last day: %+v obligations %+v", n, a.Obligations)
	}
	a = Assess(p, envAt("2026-07-22T12:00:00Z"))
	if n := due(a); !n.Overdue || !a.Obligations[0].Overdue {
		t.Errorf("the day after: %+v obligations %+v", n, a.Obligations)
	}
	for _, n := range a.NoticesDue {
		if n.Notice == NoticeTender && n.Published.String() != "2026-04-07" {
			t.Errorf("tender notice %+v", n)
		}
	}
	if len(a.Next) != 2 || a.Next[0].To != StateLive || a.Next[0].Ready || a.Next[0].From.String() != "2026-09-01" {
		t.Errorf("next %+v", a.Next)
	}
	p.PublishedNotices = []PublishedNotice{{Notice: NoticeContractDetails, Published: NewDate(2026, 7, 20), URL: "https://www.find-tender.service.gov.uk/Notice/1"}}
	if a := Assess(p, envAt("2026-07-22T12:00:00Z")); due(a).Overdue || len(a.Obligations) != 0 || len(a.Inconsistencies) != 0 {
		t.Errorf("after publication: %+v %+v %+v", due(a), a.Obligations, a.Inconsistencies)
	}
	// The record: approvals dated in the future, found in stored data.
	p.Approvals[0].Date = NewDate(2027, 1, 10)
	if a := Assess(p, envAt("2026-12-02T12:00:00Z")); len(a.Inconsistencies) < 2 {
		t.Errorf("a future approval after the award is not reported: %+v", a.Inconsistencies)
	}
}
