package procurement

import (
	"fmt"
	"slices"
	"sort"

	"github.com/jointict/councilapi/domain"
)

// Assessment is what the rules require of a procurement and where it
// stands against them on a given day: the answer to every transition,
// approval and edit.
type Assessment struct {
	RuleSet           string   `json:"ruleSet"`
	Regime            Regime   `json:"regime"`
	Notices           []Notice `json:"notices"`
	StandstillApplies bool     `json:"standstillApplies"`
	TransparencyCode  bool     `json:"transparencyCode"`
	Shares            []Share  `json:"shares,omitempty"`
	// KeyDecisions are the parties whose share (of the award once there
	// is one, of the estimate before) is a Key Decision.
	KeyDecisions      []string `json:"keyDecisions"`
	RequiredApprovals []string `json:"requiredApprovals"`
	// Problems are rule breaches the officer must resolve, such as a
	// quotation route for an above-threshold value; they block the award.
	Problems []string `json:"problems,omitempty"`

	Today            Date                  `json:"today"`
	State            State                 `json:"state"`
	NoticesDue       []NoticeDue           `json:"noticesDue"`
	Approvals        []ApprovalStatus      `json:"approvals"`
	MissingApprovals []string              `json:"missingApprovals"`
	Next             []NextMove            `json:"next"`
	Obligations      []Obligation          `json:"obligations"`
	Inconsistencies  []domain.FieldProblem `json:"inconsistencies"`
}

// ApprovalStatus is one required approval as it stands.
type ApprovalStatus struct {
	Body         string   `json:"body"`
	Name         string   `json:"name"`
	Kind         BodyKind `json:"kind"`
	Organisation string   `json:"organisation,omitempty"`
	Why          string   `json:"why"`
	Outcome      Outcome  `json:"outcome,omitempty"` // "" when no decision is recorded
	Date         Date     `json:"date,omitzero"`
	Reference    string   `json:"reference,omitempty"`
	CallInEnds   Date     `json:"callInEnds,omitzero"`
	// AwardFrom is the first day an award decision may rely on it.
	AwardFrom Date   `json:"awardFrom,omitzero"`
	Problem   string `json:"problem,omitempty"`
}

// NoticeDue is a required notice: when it is due (with a move, or by a
// date) and when it was published.
type NoticeDue struct {
	Notice    Notice `json:"notice"`
	DueWith   State  `json:"dueWith,omitempty"` // published by the move into this state
	Due       Date   `json:"due,omitzero"`
	Published Date   `json:"published,omitzero"`
	Overdue   bool   `json:"overdue"`
}

// NextMove is a legal next state and what it still needs.
type NextMove struct {
	To    State                 `json:"to"`
	Ready bool                  `json:"ready"`
	Needs []domain.FieldProblem `json:"needs"`
	// From is the earliest day the move can be made, when a period
	// (call-in, standstill, contract start) decides it.
	From Date `json:"from,omitzero"`
}

// Obligation is something the host must do by a date.
type Obligation struct {
	What    string `json:"what"`
	Field   string `json:"field"`
	Due     Date   `json:"due"`
	Overdue bool   `json:"overdue"`
}

// Assess computes the notices, Key Decisions and approvals p needs under
// env's rules and governance, and where p stands on env's day.
func Assess(p JointProcurement, env Env) Assessment {
	decision, decided := p.movedTo(StateAwardDecision)
	if !decided {
		decision = env.Today()
	}
	return p.assessFor(env, decision)
}

// assessFor assesses p with approvals judged against an award decision on day.
func (p JointProcurement) assessFor(env Env, day Date) Assessment {
	rs := env.Rules
	a := Assessment{RuleSet: rs.Version, Notices: []Notice{}, KeyDecisions: []string{}, RequiredApprovals: []string{},
		Today: env.Today(), State: p.State, NoticesDue: []NoticeDue{}, Approvals: []ApprovalStatus{}, MissingApprovals: []string{},
		Next: []NextMove{}, Obligations: []Obligation{}, Inconsistencies: []domain.FieldProblem{}}
	if a.State == "" {
		a.State = StatePipeline
	}
	net, gross := p.EstimatedValue, p.EstimatedValueIncVAT
	competitive := p.Route == RouteOpen || p.Route == RouteCompetitiveFlexible
	switch {
	case rs.SubCentral.Met(net, gross):
		a.Regime = AboveThreshold
		if competitive {
			a.Notices = append(a.Notices, NoticePreliminaryMarketEngagement, NoticeTender)
		}
		if p.Route == RouteBelowThresholdQuotation {
			a.Problems = append(a.Problems, fmt.Sprintf("the estimated value %s incl. VAT reaches the threshold %s: a below-threshold quotation is not a permitted route",
				gross.Display(), rs.SubCentral.Amount.Display()))
		}
		a.Notices = append(a.Notices, NoticeContractAward, NoticeContractDetails)
		// Call-offs from frameworks have no mandatory standstill (s.51(3)).
		a.StandstillApplies = !p.Route.IsFramework()
	case rs.Notifiable.Met(net, gross):
		a.Regime = NotifiableBelowThreshold
		if competitive {
			a.Notices = append(a.Notices, NoticeBelowThresholdTender)
		}
		a.Notices = append(a.Notices, NoticeContractDetails)
	default:
		a.Regime = BelowThreshold
	}
	if rs.TransparencyCode.Met(net, gross) {
		a.TransparencyCode = true
		a.Notices = append(a.Notices, NoticeTransparencyRegister)
	}
	var required []ApprovingBody
	for _, b := range env.Governance.Bodies {
		if b.Approves == ApprovesEvery && b.relevant(p) {
			required = append(required, b)
		}
	}
	kdNet, kdGross := p.awardValues(rs.VAT)
	shares, err := p.SharesOf(kdNet)
	if err != nil {
		a.Problems = append(a.Problems, "cost shares are incomplete, so Key Decisions cannot be decided: "+err.Error())
	} else {
		grossShares, _ := p.SharesOf(kdGross)
		a.Shares = shares
		for i, s := range shares {
			if !rs.KeyDecisionThreshold(s.Organisation).Met(s.Amount, grossShares[i].Amount) {
				continue
			}
			a.KeyDecisions = append(a.KeyDecisions, s.Organisation)
			if b, ok := env.Governance.KeyDecisionBody(s.Organisation); ok {
				required = append(required, b)
			} else {
				a.Problems = append(a.Problems, fmt.Sprintf("%s's share %s is a Key Decision but %s has no Key Decision body configured", s.Organisation, s.Amount.Display(), s.Organisation))
			}
		}
	}
	evaluation, _ := p.movedTo(StateEvaluation)
	for _, b := range required {
		s := p.approvalStatus(b, env, day, evaluation)
		a.RequiredApprovals = append(a.RequiredApprovals, b.ID)
		a.Approvals = append(a.Approvals, s)
		if s.Problem != "" {
			a.MissingApprovals = append(a.MissingApprovals, b.ID)
		}
	}
	sort.Strings(a.MissingApprovals)
	a.NoticesDue = p.noticesDue(a.Notices, a.Today)
	a.Obligations = p.obligations(a.NoticesDue, a.Today)
	a.Inconsistencies = append(a.Inconsistencies, p.inconsistencies(env, a.Approvals)...)
	for _, to := range a.State.Allowed() {
		a.Next = append(a.Next, p.nextMove(to, env, a))
	}
	return a
}

// approvalStatus judges body b's decision for an award decision on day,
// after an evaluation that began on evaluation (zero when unknown).
func (p JointProcurement) approvalStatus(b ApprovingBody, env Env, day, evaluation Date) ApprovalStatus {
	s := ApprovalStatus{Body: b.ID, Name: b.Name, Kind: b.Kind, Organisation: b.Organisation, Why: "decides every joint procurement"}
	if b.Approves == ApprovesKeyDecision {
		s.Why = "the share of " + b.Organisation + " is a Key Decision"
	}
	i := slices.IndexFunc(p.Approvals, func(a Approval) bool {
		x, ok := env.Governance.BodyOf(a)
		return ok && x.ID == b.ID
	})
	if i < 0 {
		s.Problem = "record the decision of " + b.Name
		return s
	}
	rec := p.Approvals[i]
	s.Outcome, s.Date, s.Reference = rec.outcome(), rec.Date, rec.Reference
	minute := ""
	if rec.Reference != "" {
		minute = " (" + rec.Reference + ")"
	}
	switch s.Outcome {
	case OutcomeDeferred:
		s.Problem = fmt.Sprintf("%s deferred its decision on %s%s; record the decision when it is taken", b.Name, rec.Date, minute)
		return s
	case OutcomeRefused:
		s.Problem = fmt.Sprintf("%s refused on %s%s: a refusal blocks the award; record the new decision if the matter is taken again", b.Name, rec.Date, minute)
		return s
	}
	s.AwardFrom = rec.Date
	if n := b.CallInDays(); n > 0 {
		end, err := env.Calendar.NthWorkingDay(rec.published().AddDays(1), n)
		if err != nil {
			s.Problem = "cannot compute the call-in period: " + err.Error()
			return s
		}
		s.CallInEnds, s.AwardFrom = end, end.AddDays(1)
	}
	switch {
	case rec.Date.After(env.Today()):
		s.Problem = fmt.Sprintf("the decision of %s is dated %s, in the future", b.Name, rec.Date)
	case !evaluation.IsZero() && rec.Date.Before(evaluation):
		s.Problem = fmt.Sprintf("the decision of %s is dated %s, before the evaluation began on %s; record its decision on the evaluated award", b.Name, rec.Date, evaluation)
	case rec.Date.After(day):
		s.Problem = fmt.Sprintf("the decision of %s is dated %s, after the award decision on %s", b.Name, rec.Date, day)
	case s.AwardFrom.After(day):
		s.Problem = fmt.Sprintf("the call-in period of %s's decision runs to the end of %s; the award can be decided from %s", b.Name, s.CallInEnds, s.AwardFrom)
	}
	return s
}

// noticeMove is the move that publishes each notice tied to one.
var noticeMove = map[Notice]State{
	NoticePreliminaryMarketEngagement: StatePlanning,
	NoticeTender:                      StateTender,
	NoticeBelowThresholdTender:        StateTender,
	NoticeContractAward:               StateAwardDecision,
	NoticeTransparencyRegister:        StateContractSigned, // the service republishes the register on signature
}

func (p JointProcurement) noticesDue(required []Notice, today Date) []NoticeDue {
	out := []NoticeDue{}
	for _, n := range required {
		d := NoticeDue{Notice: n}
		if s, ok := noticeMove[n]; ok {
			d.DueWith = s
			d.Published, _ = p.movedTo(s)
		} else {
			d.Due = p.DetailsNoticeDue
			for _, pn := range p.PublishedNotices {
				if pn.Notice == n && (d.Published.IsZero() || pn.Published.Before(d.Published)) {
					d.Published = pn.Published
				}
			}
			d.Overdue = !d.Due.IsZero() && d.Published.IsZero() && today.After(d.Due)
		}
		out = append(out, d)
	}
	return out
}

func (p JointProcurement) obligations(notices []NoticeDue, today Date) []Obligation {
	out := []Obligation{}
	for _, n := range notices {
		if !n.Due.IsZero() && n.Published.IsZero() {
			out = append(out, Obligation{What: "publish the " + string(n.Notice) + " and record it in publishedNotices",
				Field: "publishedNotices", Due: n.Due, Overdue: n.Overdue})
		}
	}
	if p.State == StateLive || p.State == StateContractSigned {
		for i, a := range p.Awards {
			if !a.End.IsZero() && today.After(a.End) {
				out = append(out, Obligation{What: "the contract ended on " + a.End.String() + ": close the procurement or record the extension",
					Field: fmt.Sprintf("awards[%d].end", i), Due: a.End.AddDays(1), Overdue: true})
			}
		}
	}
	return out
}

func (p JointProcurement) nextMove(to State, env Env, a Assessment) NextMove {
	m := NextMove{To: to, Needs: []domain.FieldProblem{}}
	if to == StateCancelled {
		m.Ready = true
		return m
	}
	switch to {
	case StateAwardDecision:
		for _, s := range a.Approvals {
			if s.AwardFrom.After(m.From) {
				m.From = s.AwardFrom
			}
		}
	case StateContractSigned:
		if !p.StandstillEnds.IsZero() {
			m.From = p.StandstillEnds.AddDays(1)
		}
	case StateLive:
		for _, aw := range p.Awards {
			if aw.Start.After(m.From) {
				m.From = aw.Start
			}
		}
	}
	m.Needs = append(m.Needs, p.needs(to, env.Today(), env, a)...)
	m.Ready = len(m.Needs) == 0
	return m
}
