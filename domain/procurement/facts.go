package procurement

import (
	"fmt"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Env is what a lifecycle decision depends on besides the record: the
// rules in force, the working-day calendar, the approving bodies and the
// present moment. Now is the service's clock, passed in so that the rules
// are pure and tested with fixed dates.
type Env struct {
	Rules      RuleSet
	Calendar   Calendar
	Governance Governance
	Now        time.Time
}

// Today is the day of Now in London.
func (e Env) Today() Date { return DateOf(e.Now) }

// movedTo is the day of the latest move into s, if there was one.
func (p JointProcurement) movedTo(s State) (Date, bool) {
	for i := len(p.History) - 1; i >= 0; i-- {
		if p.History[i].To == s {
			return DateOf(p.History[i].At), true
		}
	}
	return Date{}, false
}

// awardValues are the awarded values excluding and including VAT, or the
// estimate before any award: what Key Decisions are judged on.
func (p JointProcurement) awardValues(rate BasisPoints) (net, gross Pence) {
	if len(p.Awards) == 0 {
		return p.EstimatedValue, p.EstimatedValueIncVAT
	}
	for _, a := range p.Awards {
		net += a.Value
		gross += a.grossValue(rate)
	}
	return net, gross
}

func (a Award) grossValue(rate BasisPoints) Pence {
	if a.ValueIncVAT != 0 {
		return a.ValueIncVAT
	}
	return IncVAT(a.Value, rate)
}

// needs lists every fact missing or inconsistent for p to move to `to` on
// day, each as a field problem that says what to record. as is p's
// assessment with approvals judged against that day.
func (p JointProcurement) needs(to State, day Date, env Env, as Assessment) domain.Problems {
	var pr domain.Problems
	switch to {
	case StateAwardDecision:
		if len(p.Awards) == 0 {
			pr.Add("awards", "record the evaluated award: the supplier with its Companies House or charity number and the value excluding and including VAT")
		}
		for i, a := range p.Awards {
			pr = append(pr, a.evaluatedProblems().Prefix(fmt.Sprintf("awards[%d].", i))...)
		}
		for _, s := range as.Approvals {
			if s.Problem != "" {
				pr.Add("approvals."+s.Body, "%s", s.Problem)
			}
		}
		for _, r := range as.Problems {
			pr.Add("rules", "%s", r)
		}
	case StateContractSigned:
		if len(p.Awards) == 0 {
			pr.Add("awards", "a contract is signed for an award; record the award first")
		}
		for i, a := range p.Awards {
			f := fmt.Sprintf("awards[%d].", i)
			pr = append(pr, a.evaluatedProblems().Prefix(f)...)
			switch {
			case a.Start.IsZero() || a.End.IsZero():
				pr.Add(f+"start", "give the contract's start and end dates")
			case a.Start.Before(day):
				pr.Add(f+"start", "is %s, before the signature on %s; a contract starts on or after it is signed", a.Start, day)
			}
			if !a.Signed.IsZero() && !a.Signed.Equal(day) {
				pr.Add(f+"signed", "is %s but the move records the signature on %s; make them agree", a.Signed, day)
			}
		}
		if !p.StandstillEnds.IsZero() && !day.After(p.StandstillEnds) {
			pr.Add("standstillEnds", "the standstill runs to the end of %s; the contract can be signed from %s", p.StandstillEnds, p.StandstillEnds.AddDays(1))
		}
		if d, ok := p.movedTo(StateAwardDecision); ok && day.Before(d) {
			pr.Add("at", "the signature (%s) comes after the award decision (%s)", day, d)
		}
	case StateLive:
		for i, a := range p.Awards {
			f := fmt.Sprintf("awards[%d].start", i)
			switch {
			case a.Start.IsZero():
				pr.Add(f, "give the contract start date")
			case a.Start.After(day):
				pr.Add(f, "is %s: the contract has not started; it goes live from that day", a.Start)
			}
		}
	}
	return pr
}

// evaluatedProblems are the facts an evaluated award states.
func (a Award) evaluatedProblems() domain.Problems {
	var pr domain.Problems
	if strings.TrimSpace(a.Supplier.Name) == "" {
		pr.Add("supplier.name", "give the supplier's name")
	}
	if a.Supplier.CompaniesHouse == "" && a.Supplier.CharityNumber == "" {
		pr.Add("supplier.companiesHouse", "give the supplier's Companies House or charity number, which identifies it in the register and OCDS")
	}
	if a.Value <= 0 {
		pr.Add("value", "give the whole-life contract value excluding VAT")
	}
	if a.ValueIncVAT <= 0 {
		pr.Add("valueIncVat", "give the whole-life contract value including VAT, which the Act's thresholds are judged on")
	}
	return pr
}

// inconsistencies reports dates that contradict each other or lie in the
// future, across the whole record: moves in order and not ahead of today;
// approvals, signatures, met milestones, notices and realised savings not
// in the future; award approvals between the evaluation and the award
// decision; signature after the standstill; start on or after signature.
func (p JointProcurement) inconsistencies(env Env, approvals []ApprovalStatus) domain.Problems {
	var pr domain.Problems
	today := env.Today()
	for i, h := range p.History {
		f := fmt.Sprintf("history[%d].at", i)
		if h.At.After(env.Now) {
			pr.Add(f, "the move to %s is dated %s, in the future", h.To, h.At.UTC().Format(time.RFC3339))
		}
		if i > 0 && h.At.Before(p.History[i-1].At) {
			pr.Add(f, "the move to %s (%s) is dated before the move to %s (%s)", h.To, DateOf(h.At), p.History[i-1].To, DateOf(p.History[i-1].At))
		}
	}
	if _, decided := p.movedTo(StateAwardDecision); decided {
		for _, s := range approvals {
			if s.Outcome != "" && s.Problem != "" {
				pr.Add("approvals."+s.Body, "%s", s.Problem)
			}
		}
	}
	for i, a := range p.Approvals {
		if a.Date.After(today) || a.published().After(today) {
			pr.Add(fmt.Sprintf("approvals[%d].date", i), "the decision of %s is dated %s, in the future", a.Body, a.Date)
		}
	}
	decision, decided := p.movedTo(StateAwardDecision)
	for i, a := range p.Awards {
		f := fmt.Sprintf("awards[%d].", i)
		if a.Signed.After(today) {
			pr.Add(f+"signed", "is %s, in the future", a.Signed)
		}
		if !a.Signed.IsZero() && decided && a.Signed.Before(decision) {
			pr.Add(f+"signed", "is %s, before the award decision on %s", a.Signed, decision)
		}
		if !a.Signed.IsZero() && !p.StandstillEnds.IsZero() && !a.Signed.After(p.StandstillEnds) {
			pr.Add(f+"signed", "is %s, within the standstill that ran to the end of %s", a.Signed, p.StandstillEnds)
		}
		if !a.Signed.IsZero() && !a.Start.IsZero() && a.Start.Before(a.Signed) {
			pr.Add(f+"start", "is %s, before the signature on %s", a.Start, a.Signed)
		}
	}
	pr = append(pr, p.futureFacts(today)...)
	return pr
}

// futureFacts are officer-entered facts dated after today.
func (p JointProcurement) futureFacts(today Date) domain.Problems {
	var pr domain.Problems
	for i, m := range p.Milestones {
		if m.Met.After(today) {
			pr.Add(fmt.Sprintf("milestones[%d].met", i), "is %s, in the future; a planned date is due, not met", m.Met)
		}
	}
	for i, n := range p.PublishedNotices {
		if n.Published.After(today) {
			pr.Add(fmt.Sprintf("publishedNotices[%d].published", i), "is %s, in the future; record a notice once it is published", n.Published)
		}
	}
	for i, s := range p.RealisedSavings {
		if s.To.After(today) {
			pr.Add(fmt.Sprintf("realisedSavings[%d].to", i), "is %s, in the future; a saving is realised once its period is over", s.To)
		}
	}
	return pr
}

// ValidateAt is Validate plus the facts an edit may not date in the
// future (a met milestone, a published notice, a signature); use it for
// every create and edit, with today from the service's clock.
func (p JointProcurement) ValidateAt(today Date) error {
	var pr domain.Problems
	if err := p.Validate(); err != nil {
		de, ok := err.(*domain.Error)
		if !ok {
			return err
		}
		pr = append(pr, de.Fields...)
	}
	pr = append(pr, p.futureFacts(today)...)
	for i, a := range p.Awards {
		if a.Signed.After(today) {
			pr.Add(fmt.Sprintf("awards[%d].signed", i), "is %s, in the future; the signature date is recorded by the move to contractSigned", a.Signed)
		}
	}
	return pr.Err()
}
