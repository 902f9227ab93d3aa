package procurement

import (
	"errors"
	"testing"

	"github.com/jointict/councilapi/domain"
)

func TestValidateReportsEveryField(t *testing.T) {
	if err := sample().Validate(); err != nil {
		t.Fatalf("sample invalid: %v", err)
	}
	p := JointProcurement{
		Reference: "x", Category: "stuff", CPV: []string{"72000000-4", "72000000-4"}, Partners: []string{"", "neddc"},
		Host: "neddc", Route: RouteFrameworkCallOff, EstimatedValue: Pounds(10), EstimatedValueIncVAT: Pounds(5),
		Baseline: map[string]Pence{"other": 1}, Shares: ShareBasis{Method: "guess"},
		Documents:  []Link{{ID: "d 1", URL: "ftp://x"}},
		Awards:     []Award{{ID: "a1", Supplier: Supplier{CompaniesHouse: "123"}, Start: NewDate(2026, 5, 1), End: NewDate(2026, 4, 1)}},
		Milestones: []Milestone{{ID: "m1"}},
	}
	err := p.Validate()
	var de *domain.Error
	if !errors.As(err, &de) {
		t.Fatalf("want a domain error, got %v", err)
	}
	got := map[string]bool{}
	for _, f := range de.Fields {
		got[f.Field] = true
	}
	for _, f := range []string{"reference", "title", "category", "cpv[0]", "cpv[1]", "partners[0]", "partners[1]",
		"framework", "estimatedValueIncVat", "termMonths", "baseline.other", "shares.method", "documents[0].id",
		"documents[0].title", "documents[0].url", "milestones[0].title", "awards[0].supplier.name",
		"awards[0].supplier.companiesHouse", "awards[0].end"} {
		if !got[f] {
			t.Errorf("no problem reported for %s (got %v)", f, de.Fields)
		}
	}
}
