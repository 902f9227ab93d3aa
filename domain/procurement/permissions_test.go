package procurement

import (
	"errors"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
)

func TestPermissions(t *testing.T) {
	p := sample()
	host := domain.Principal{Role: domain.RoleOfficer, Organisation: "neddc"}
	partner := domain.Principal{Role: domain.RoleOfficer, Organisation: "bdc"}
	outsider := domain.Principal{Role: domain.RoleOfficer, Organisation: "nwldc"}
	publisher := domain.Principal{Role: domain.RolePublisher, Organisation: "neddc"}
	admin := domain.Principal{Role: domain.RoleAdmin}

	for pr, want := range map[domain.Principal]bool{host: true, partner: true, outsider: false, publisher: false, admin: true} {
		if CanRead(pr, p) != want {
			t.Errorf("CanRead(%+v) != %v", pr, want)
		}
	}
	if CanRunLifecycle(host, p) != nil || CanRunLifecycle(admin, p) != nil {
		t.Error("host officer or admin cannot run the lifecycle")
	}
	if domain.ErrorCode(CanRunLifecycle(partner, p)) != domain.CodeForbidden {
		t.Error("partner officer may run the lifecycle")
	}

	own := p
	own.Baseline = map[string]Pence{"neddc": Pounds(40000), "bdc": Pounds(36000), "dddc": Pounds(30000)}
	if err := CheckEdit(partner, p, own); err != nil {
		t.Errorf("partner editing its own baseline: %v", err)
	}
	other := p
	other.Baseline = map[string]Pence{"neddc": Pounds(1), "bdc": Pounds(35000), "dddc": Pounds(30000)}
	other.Title = "Changed"
	err := CheckEdit(partner, p, other)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeForbidden || len(de.Fields) != 2 {
		t.Fatalf("partner editing the host's baseline and the title: %v", err)
	}
	if err := CheckEdit(host, p, other); err != nil {
		t.Errorf("host officer edit refused: %v", err)
	}
	st := p
	st.State = StateLive
	if domain.ErrorCode(CheckEdit(admin, p, st)) != domain.CodeForbidden {
		t.Error("state changed by an edit")
	}
	if domain.ErrorCode(CheckEdit(outsider, p, p)) != domain.CodeForbidden {
		t.Error("outsider edit allowed")
	}
	// Approvals are not edited by a PATCH: RecordApproval checks them.
	appr := p
	appr.Approvals = []Approval{{Body: "bdc-executive", Organisation: "bdc", Outcome: OutcomeApproved, Date: NewDate(2026, 2, 3), RecordedBy: "k"}}
	if domain.ErrorCode(CheckEdit(host, p, appr)) != domain.CodeForbidden || domain.ErrorCode(CheckEdit(partner, p, appr)) != domain.CodeForbidden {
		t.Error("an approval was recorded by an edit")
	}
}

func TestOnlyACouncilsOwnOfficersRecordItsApproval(t *testing.T) {
	gov := SeedGovernance()
	p := sample() // neddc hosts for bdc and dddc
	officer := func(org string) domain.Principal {
		return domain.Principal{KeyID: org + "-key", Role: domain.RoleOfficer, Organisation: org}
	}
	cases := []struct {
		who  domain.Principal
		body ApprovalBody
		org  string
		ok   bool
		says string
	}{
		{officer("dddc"), "dddc-committee", "", true, ""},
		{officer("dddc"), ApprovalCabinet, "dddc", true, ""}, // the earlier form names DDDC's Key Decision body
		{officer("bdc"), "dddc-committee", "", false, `Derbyshire Dales Committee is a body of "dddc": its decisions are recorded by "dddc"'s own officers, and this key acts for "bdc"`},
		{officer("bdc"), ApprovalCabinet, "dddc", false, `recorded by "dddc"'s own officers`},
		{officer("bdc"), "bdc-executive", "", true, ""},
		{officer("neddc"), "bdc-executive", "", false, `recorded by "bdc"'s own officers`},
		{officer("neddc"), ApprovalJMT, "", true, ""},
		{officer("neddc"), ApprovalCommittee, "", true, ""},
		{officer("bdc"), ApprovalCommittee, "", false, `joint body of the shared service: its decisions are recorded by officers of the host authority "neddc"`},
		{officer("nwldc"), "bdc-executive", "", false, "not a party"},
		{domain.Principal{KeyID: "admin-key", Role: domain.RoleAdmin}, "dddc-committee", "", true, ""},
	}
	for _, c := range cases {
		a := Approval{Body: c.body, Organisation: c.org, Outcome: OutcomeApproved, Date: NewDate(2026, 2, 3), RecordedBy: c.who.KeyID}
		err := CanRecordApproval(c.who, p, gov, a)
		if c.ok {
			if err != nil {
				t.Errorf("%s recording %s: %v", c.who.Organisation, a.Key(), err)
			}
			q := p
			if err := q.RecordApproval(a, gov, NewDate(2026, 3, 1)); err != nil {
				t.Errorf("%s recording %s: %v", c.who.Organisation, a.Key(), err)
			}
			continue
		}
		if domain.ErrorCode(err) != domain.CodeForbidden || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s recording %s: %v, want forbidden saying %q", c.who.Organisation, a.Key(), err, c.says)
		}
	}
}
