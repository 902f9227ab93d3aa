package procurement

import (
	"time"
)

// sample is a valid three-council procurement whose shares are equal.
func sample() JointProcurement {
	return JointProcurement{
		ID: "p1", Reference: "JICT-2026-001", Title: "Service desk platform", Description: "Shared ITSM tool",
		Category: Services, CPV: []string{"72000000-5", "48000000-8"},
		Host: "neddc", Partners: []string{"bdc", "dddc"},
		Route: RouteCompetitiveFlexible, EstimatedValue: Pounds(300000), EstimatedValueIncVAT: Pounds(360000),
		TermMonths: 36, Baseline: map[string]Pence{"neddc": Pounds(40000), "bdc": Pounds(35000), "dddc": Pounds(30000)},
		Shares: ShareBasis{Method: ShareEqual}, State: StatePipeline,
	}
}

// evaluatedAward is an award with every fact the award decision needs,
// starting on start for three years.
func evaluatedAward(start Date) Award {
	return Award{ID: "a1", Supplier: Supplier{Name: "Helpdesk Ltd", CompaniesHouse: "01234567", SME: true},
		Value: Pounds(300000), ValueIncVAT: Pounds(360000), Start: start, End: start.AddDays(365*3 - 1)}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func rules2026() RuleSet {
	rs, err := RuleSetAt(DefaultRuleSets(), NewDate(2026, 3, 1))
	if err != nil {
		panic(err)
	}
	return rs
}

// envAt is the 2026 rules, the England and Wales calendar and the seed
// governance with the clock at now.
func envAt(now string) Env {
	return Env{Rules: rules2026(), Calendar: EnglandAndWales, Governance: SeedGovernance(), Now: at(now)}
}

// approveAll records an approval dated day from every body the assessment asks for.
func approveAll(p *JointProcurement, e Env, day Date) {
	for _, id := range Assess(*p, e).RequiredApprovals {
		a := Approval{Body: ApprovalBody(id), Outcome: OutcomeApproved, Date: day, Reference: "min-" + id, RecordedBy: "k1"}
		if err := p.RecordApproval(a, e.Governance, e.Today()); err != nil {
			panic(err)
		}
	}
}

// envWith is envAt("2026-03-01T12:00:00Z") under rule set rs.
func envWith(rs RuleSet) Env {
	e := envAt("2026-03-01T12:00:00Z")
	e.Rules = rs
	return e
}
