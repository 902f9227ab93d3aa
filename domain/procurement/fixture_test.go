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

// approveAll records every approval the assessment asks for.
func approveAll(p *JointProcurement, rs RuleSet) {
	for _, k := range Assess(*p, rs).RequiredApprovals {
		a := Approval{Body: ApprovalBody(k), Date: NewDate(2026, 2, 1), RecordedBy: "k1"}
		if len(k) > 8 && k[:8] == "cabinet:" {
			a = Approval{Body: ApprovalCabinet, Organisation: k[8:], Date: NewDate(2026, 2, 1), RecordedBy: "k1"}
		}
		if err := p.RecordApproval(a); err != nil {
			panic(err)
		}
	}
}
