package procurement

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"slices"
	"testing"
)

func TestFinancialYears(t *testing.T) {
	if y := FinancialYearOf(NewDate(2027, 3, 31)); y != 2026 || y.String() != "2026/27" {
		t.Errorf("31 March 2027 is in %s", y)
	}
	if y := FinancialYearOf(NewDate(2027, 4, 1)); y != 2027 {
		t.Errorf("1 April 2027 is in %s", y)
	}
	// 1 Oct 2026 to 30 Sep 2029 is 1096 days: 182 in 2026/27, 366 in 2027/28 (29 Feb 2028), 365, 183.
	got := SpreadByFinancialYear(Pounds(1096), NewDate(2026, 10, 1), NewDate(2029, 9, 30))
	want := []YearAmount{{2026, Pounds(182)}, {2027, Pounds(366)}, {2028, Pounds(365)}, {2029, Pounds(183)}}
	if !slices.Equal(got, want) {
		t.Errorf("spread %v, want %v", got, want)
	}
	// Pennies that do not divide go to the largest remainders and add up.
	var sum Pence
	for _, y := range SpreadByFinancialYear(Pence(100), NewDate(2026, 3, 31), NewDate(2026, 4, 2)) {
		sum += y.Amount
	}
	if sum != 100 {
		t.Errorf("spread of 100p adds up to %d", sum)
	}
	var y FinancialYear
	if err := json.Unmarshal([]byte(`"2027/28"`), &y); err != nil || y != 2027 {
		t.Errorf("2027/28 read as %d, %v", y, err)
	}
	if _, err := ParseFinancialYear("2027/29"); err == nil {
		t.Error("2027/29 accepted")
	}
}

// live is sample() signed with one award of £300,000 over 1 Oct 2026 to
// 30 Sep 2029, live, with a realised saving of BDC's.
func liveSample() JointProcurement {
	p := sample()
	p.State = StateLive
	p.Awards = []Award{evaluatedAward(NewDate(2026, 10, 1))}
	p.Awards[0].End = NewDate(2029, 9, 30)
	p.RealisedSavings = []RealisedSaving{{Organisation: "bdc", From: NewDate(2026, 10, 1), To: NewDate(2027, 3, 31), Amount: Pounds(4000), RecordedBy: "k"}}
	return p
}

func TestPartnerSummary(t *testing.T) {
	other := sample()
	other.ID, other.Reference, other.Partners = "p2", "JICT-2026-002", []string{"dddc"}
	v := PartnerSummary("bdc", []JointProcurement{other, liveSample()})
	if len(v.Procurements) != 1 {
		t.Fatalf("bdc is party to one procurement, got %d", len(v.Procurements))
	}
	pp := v.Procurements[0]
	// A third of £300,000 is £100,000 (the odd 0.01% goes to bdc, first in byte order); baseline £35,000 a year over 36 months is £105,000.
	if pp.ShareOfCost != Pounds(100000) || pp.Percent.String() != "33.34" || pp.BaselineOverTerm != Pounds(105000) ||
		pp.Saving != Pounds(5000) || pp.Realised != Pounds(4000) {
		t.Errorf("bdc %+v", pp)
	}
	// £300,000 over 1096 days: 2026/27 holds 182 days, £49,817.52; a third each with the odd penny to bdc.
	if len(pp.Commitments) != 4 || pp.Commitments[0].Year != 2026 || pp.Commitments[0].Amount.String() != "16605.84" {
		t.Errorf("commitments %v", pp.Commitments)
	}
	if v.Totals.ShareOfCost != pp.ShareOfCost || len(v.Totals.Commitments) != 4 {
		t.Errorf("totals %+v", v.Totals)
	}
	var b bytes.Buffer
	if err := WritePartnerCSV(&b, v); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) != 3 || rows[2][0] != "Total" || rows[1][6] != "100000.00" {
		t.Errorf("partner CSV %v %v", rows, err)
	}
}

func TestJointRegisterFilters(t *testing.T) {
	pipeline := sample()
	pipeline.ID, pipeline.Reference, pipeline.Partners = "p2", "JICT-2026-002", []string{"dddc"}
	pipeline.Created = at("2026-05-01T09:00:00Z")
	pipeline.Title = "=HYPERLINK(\"x\")"
	ps := []JointProcurement{pipeline, liveSample()}
	refs := func(f RegisterFilter) []string {
		var out []string
		for _, e := range JointRegister(ps, f) {
			out = append(out, e.Reference)
		}
		return out
	}
	cases := []struct {
		f    RegisterFilter
		want []string
	}{
		{RegisterFilter{}, []string{"JICT-2026-001", "JICT-2026-002"}},
		{RegisterFilter{Partner: "bdc"}, []string{"JICT-2026-001"}},
		{RegisterFilter{Partner: "neddc"}, []string{"JICT-2026-001", "JICT-2026-002"}},
		{RegisterFilter{States: []State{StatePipeline}}, []string{"JICT-2026-002"}},
		{RegisterFilter{Routes: []Route{RouteOpen}}, nil},
		{RegisterFilter{Year: 2029}, []string{"JICT-2026-001"}},
		{RegisterFilter{Year: 2030}, nil},
		{RegisterFilter{Year: 2026}, []string{"JICT-2026-001", "JICT-2026-002"}}, // the pipeline entry was created in 2026/27
	}
	for _, c := range cases {
		if got := refs(c.f); !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v, want %v", c.f, got, c.want)
		}
	}
	var b bytes.Buffer
	if err := WriteJointRegisterCSV(&b, JointRegister(ps, RegisterFilter{})); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&b).ReadAll()
	if len(rows) != 3 || rows[1][11] != "neddc 33.33% 100000.00; bdc 33.34% 100000.00; dddc 33.33% 100000.00" || rows[2][1][0] != '\'' {
		t.Errorf("register CSV %q", rows)
	}
}
