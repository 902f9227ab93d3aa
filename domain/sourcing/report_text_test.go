package sourcing

import (
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// Each financial year's capital and revenue add up to the year's cash, the
// years to the whole-life cost; the on-premise hosts' purchase is capital
// in the first year and its residual value a capital receipt, while the
// G-Cloud options are revenue throughout.
func TestFinancialYearsSplitCapitalAndRevenue(t *testing.T) {
	res := workedResult(t)
	for _, o := range res.Options {
		years := FinancialYears(o)
		if len(years) != len(o.Years) || years[0].Year != procurement.FinancialYear(res.StartYear) || years[0].Year.String() != "2025/26" {
			t.Fatalf("%s: years %+v", o.ID, years)
		}
		for i, fy := range years {
			if fy.Capital+fy.Revenue != fy.Total || fy.Total != o.Years[i].Cash {
				t.Errorf("%s %s: capital %s + revenue %s, total %s, cash %s", o.ID, fy.Year, fy.Capital, fy.Revenue, fy.Total, o.Years[i].Cash)
			}
		}
		total := FinanceTotal(years)
		if total.Total != o.Summary.WholeLifeCost {
			t.Errorf("%s: the years add up to %s, the whole-life cost is %s", o.ID, total.Total, o.Summary.WholeLifeCost)
		}
		switch o.Kind {
		case KindGCloud:
			if total.Capital != 0 {
				t.Errorf("%s, a G-Cloud service, has capital %s", o.ID, total.Capital)
			}
		case KindOnPrem:
			if years[0].Capital <= 0 || years[0].Revenue <= 0 {
				t.Errorf("%s: the first year should carry the hosts as capital and their running as revenue: %+v", o.ID, years[0])
			}
		}
	}
	if !CapitalLine(LineResidual) || CapitalLine(LineService) || CapitalLine(LineStaff) || CapitalLine(LineSubscription) {
		t.Error("capital lines: hardware, installation, perpetual licences and their residual value only")
	}
}

func TestReportTextValidation(t *testing.T) {
	ok := ReportText{Meeting: "Cabinet", MeetingDate: "2026-03-12", Recommendations: []string{"That Cabinet approves the call-off."}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid text: %v", err)
	}
	bad := ReportText{MeetingDate: "12/03/2026", Background: strings.Repeat("x", maxSectionText+1),
		Recommendations: []string{"One", " "}, Appendices: make([]string, maxListItems+1)}
	err := bad.Validate()
	fields := map[string]bool{}
	if de, ok := err.(*domain.Error); ok {
		for _, f := range de.Fields {
			fields[f.Field] = true
		}
	}
	for _, want := range []string{"report.meetingDate", "report.background", "report.recommendations[1]", "report.appendices"} {
		if !fields[want] {
			t.Errorf("no problem on %s: %v", want, err)
		}
	}
}
