package procurement

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
)

func TestContractsRegister(t *testing.T) {
	rs := rules2026()
	p := sample()
	p.State = StateLive
	p.Awards = []Award{
		{ID: "a2", Supplier: Supplier{Name: "=HYPERLINK(\"x\") Ltd", CompaniesHouse: "01234567", SME: true}, Value: Pence(500001),
			NonRecoverableVAT: 0, Start: NewDate(2026, 4, 1), End: NewDate(2029, 3, 31), Review: NewDate(2028, 9, 30)},
		{ID: "a1", Supplier: Supplier{Name: "Small Co", VCSE: true, CharityNumber: "1234567"}, Value: Pounds(5000)},
	}
	draft := sample() // not yet contracted: not in the register
	draft.Awards = p.Awards
	rows := RegisterRows([]JointProcurement{p, draft}, rs, func(x JointProcurement) string { return "ocds-abc123-" + x.Reference })
	if len(rows) != 1 {
		t.Fatalf("rows %v: want only the contract over £5,000 of the live procurement", rows)
	}
	var b strings.Builder
	if err := WriteRegisterCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"JICT-2026-001/a2", "Service desk platform", "Joint ICT Service", "Shared ITSM tool",
		"'=HYPERLINK(\"x\") Ltd", "01234567", "5000.01", "0.00", "2026-04-01", "2029-03-31", "2028-09-30",
		"Competitive flexible procedure", "Yes", "No", "ocds-abc123-JICT-2026-001"}
	if len(recs) != 2 || strings.Join(recs[0], "|") != strings.Join(RegisterHeader, "|") || strings.Join(recs[1], "|") != strings.Join(want, "|") {
		t.Errorf("csv:\n%s", b.String())
	}
}

func TestRegisterPublicationProblems(t *testing.T) {
	host := domain.SeedOrganisations()[2]
	if got := RegisterPublicationProblems(host, true); len(got) != 1 || !strings.Contains(got[0], "no contact email") {
		t.Errorf("host without email: %v", got)
	}
	host.Contact.Email = "ict@ne-derbyshire.gov.uk"
	if got := RegisterPublicationProblems(host, true); got != nil {
		t.Errorf("host with email: %v", got)
	}
	if got := RegisterPublicationProblems(domain.Organisation{}, false); len(got) != 1 {
		t.Errorf("no host: %v", got)
	}
}
