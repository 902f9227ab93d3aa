package procurement

import (
	"errors"
	"slices"
	"testing"

	"github.com/jointict/councilapi/domain"
)

func TestRuleSetAt(t *testing.T) {
	sets := DefaultRuleSets()
	cases := map[string]Pence{"2025-12-31": Pence(214904_00), "2026-01-01": Pence(207720_00), "2030-06-01": Pence(207720_00)}
	for d, want := range cases {
		day, _ := ParseDate(d)
		rs, err := RuleSetAt(sets, day)
		if err != nil || rs.SubCentral.Amount != want {
			t.Errorf("%s: threshold %s, %v; want %s", d, rs.SubCentral.Amount, err, want)
		}
	}
	if _, err := RuleSetAt(sets, NewDate(2024, 1, 1)); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Errorf("a date before every rule set: %v", err)
	}
}

func TestThresholdBoundaries(t *testing.T) {
	rs := rules2026()
	cases := []struct {
		gross       string
		regime      Regime
		transparent bool
	}{
		{"5000.00", BelowThreshold, false},
		{"5000.01", BelowThreshold, true},
		{"29999.99", BelowThreshold, true},
		{"30000.00", NotifiableBelowThreshold, true},
		{"207719.99", NotifiableBelowThreshold, true},
		{"207720.00", AboveThreshold, true},
	}
	for _, c := range cases {
		p := sample()
		g, _ := ParsePence(c.gross)
		// Transparency is judged excluding VAT; give the same figure both ways
		// so each boundary is tested exactly.
		p.EstimatedValueIncVAT, p.EstimatedValue = g, g
		a := Assess(p, envWith(rs))
		if a.Regime != c.regime || a.TransparencyCode != c.transparent {
			t.Errorf("£%s: regime %s transparency %v; want %s %v", c.gross, a.Regime, a.TransparencyCode, c.regime, c.transparent)
		}
		switch c.regime {
		case AboveThreshold:
			if !slices.Contains(a.Notices, NoticeTender) || !slices.Contains(a.Notices, NoticeContractAward) || !a.StandstillApplies {
				t.Errorf("£%s: notices %v standstill %v", c.gross, a.Notices, a.StandstillApplies)
			}
		case NotifiableBelowThreshold:
			if !slices.Contains(a.Notices, NoticeContractDetails) || slices.Contains(a.Notices, NoticeContractAward) || a.StandstillApplies {
				t.Errorf("£%s: notices %v standstill %v", c.gross, a.Notices, a.StandstillApplies)
			}
		case BelowThreshold:
			if slices.Contains(a.Notices, NoticeContractDetails) {
				t.Errorf("£%s: notices %v", c.gross, a.Notices)
			}
		}
	}
}

func TestQuotationAboveThresholdIsAProblem(t *testing.T) {
	p := sample()
	p.Route = RouteBelowThresholdQuotation
	if a := Assess(p, envWith(rules2026())); len(a.Problems) != 1 {
		t.Errorf("problems %v", a.Problems)
	}
}

func TestKeyDecisionBoundary(t *testing.T) {
	rs := rules2026()
	p := sample()
	p.Shares = ShareBasis{Method: ShareExplicit, Percentages: map[string]Percent{"neddc": 5000, "bdc": 2500, "dddc": 2500}}
	// £100,000 ex VAT: NEDDC's half is £50,000.00, the partners' quarters £25,000.
	p.EstimatedValue, p.EstimatedValueIncVAT = Pounds(100000), Pounds(120000)
	if a := Assess(p, envWith(rs)); !slices.Equal(a.KeyDecisions, []string{"neddc"}) ||
		!slices.Contains(a.RequiredApprovals, "neddc-cabinet") || slices.Contains(a.RequiredApprovals, "bdc-executive") {
		t.Errorf("at £50,000.00: key decisions %v approvals %v", a.KeyDecisions, a.RequiredApprovals)
	}
	p.EstimatedValue = Pounds(100000) - 2 // NEDDC's half is £49,999.99
	if a := Assess(p, envWith(rs)); len(a.KeyDecisions) != 0 || !slices.Equal(a.RequiredApprovals, []string{"jointManagementTeam", "ictSharedServiceCommittee"}) {
		t.Errorf("at £49,999.99: key decisions %v approvals %v", a.KeyDecisions, a.RequiredApprovals)
	}
	// Bolsover's constitution could set its own figure.
	rs.KeyDecisionByOrg = map[string]Pence{"bdc": Pounds(20000)}
	if a := Assess(p, envWith(rs)); !slices.Equal(a.KeyDecisions, []string{"bdc"}) {
		t.Errorf("with BDC at £20,000: key decisions %v", a.KeyDecisions)
	}
}

func TestIncompleteSharesBlockAward(t *testing.T) {
	p := sample()
	p.Shares = ShareBasis{Method: ShareDriver, Driver: "users", Counts: map[string]int64{"neddc": 10}}
	p.State = StateEvaluation
	e := envAt("2026-03-02T12:00:00Z")
	approveAll(&p, e, NewDate(2026, 2, 1))
	p.Awards = []Award{evaluatedAward(NewDate(2026, 5, 1))}
	err := p.Transition(Move{To: StateAwardDecision, By: "o", At: at("2026-03-02T10:00:00Z"), Reason: "r"}, e)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeConflict || !hasField(de, "rules") {
		t.Fatalf("award with unknown shares: %v", err)
	}
}
