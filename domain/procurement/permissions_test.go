package procurement

import (
	"errors"
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
	// A partner records its own Cabinet's decision but not another's.
	cab := p
	_ = cab.RecordApproval(Approval{Body: ApprovalCabinet, Organisation: "bdc", Date: NewDate(2026, 2, 3), RecordedBy: "k"})
	if err := CheckEdit(partner, p, cab); err != nil {
		t.Errorf("partner recording its own cabinet approval: %v", err)
	}
	_ = cab.RecordApproval(Approval{Body: ApprovalJMT, Date: NewDate(2026, 2, 3), RecordedBy: "k"})
	if CheckEdit(partner, p, cab) == nil {
		t.Error("partner recorded the JMT approval")
	}
}
