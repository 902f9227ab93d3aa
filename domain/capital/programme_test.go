package capital

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jointict/councilapi/domain/estate"
	"github.com/jointict/councilapi/domain/procurement"
)

var today = procurement.NewDate(2026, 12, 2) // financial years 2026/27 to 2030/31

func pounds(n int64) procurement.Pence { return procurement.Pounds(n) }

func years(from procurement.FinancialYear, amounts ...int64) []procurement.YearAmount {
	out := make([]procurement.YearAmount, len(amounts))
	for i, a := range amounts {
		out[i] = procurement.YearAmount{Year: from + procurement.FinancialYear(i), Amount: pounds(a)}
	}
	return out
}

// scenario is the README's worked example: the Windows Server 2003 and
// Office 2007 estates of NEDDC and BDC, NEDDC's approved comparison for
// its file servers, and the Microsoft 365 joint procurement of all three
// councils, shared by users, which replaces both Office 2007 estates.
func scenario() Input {
	assets := []estate.Asset{
		{ID: "neddc-fs", Organisation: "neddc", Category: estate.Server, Product: "Windows Server 2003", Version: "R2", Quantity: 4,
			Acquired: procurement.NewDate(2012, 5, 1), ReplacementCost: pounds(6000), RefreshYears: 5, PowerWatts: 350},
		{ID: "neddc-office", Organisation: "neddc", Category: estate.Software, Product: "Office 2007", Quantity: 250,
			Acquired: procurement.NewDate(2008, 1, 1), ReplacementCost: pounds(180), Licence: estate.Perpetual},
		{ID: "bdc-srv", Organisation: "bdc", Category: estate.Server, Product: "Windows Server 2003", Version: "R2", Quantity: 3,
			Acquired: procurement.NewDate(2011, 9, 1), ReplacementCost: pounds(5500), RefreshYears: 5, PowerWatts: 400},
		{ID: "bdc-office", Organisation: "bdc", Category: estate.Software, Product: "Office Professional Plus 2007", Quantity: 200,
			Acquired: procurement.NewDate(2009, 4, 1), ReplacementCost: pounds(180), Licence: estate.Perpetual},
	}
	m365 := procurement.JointProcurement{ID: "p30", Reference: "JICT-2026-030", Title: "Microsoft 365 for the three councils",
		Category: procurement.Services, Host: "neddc", Partners: []string{"bdc", "dddc"}, Route: procurement.RouteFrameworkCallOff,
		State: procurement.StateContractSigned, TermMonths: 48,
		Shares:         procurement.ShareBasis{Method: procurement.ShareDriver, Driver: "users", Counts: map[string]int64{"neddc": 450, "bdc": 350, "dddc": 200}},
		ReplacesAssets: []string{"neddc-office", "bdc-office"}}
	yes := true
	return Input{
		Today: today,
		Comparisons: []Comparison{{ID: "cmp-files", Title: "NEDDC file servers to cloud storage", Organisation: "neddc",
			ApprovedOn: procurement.NewDate(2026, 11, 10), ReplacesAssets: []string{"neddc-fs"}, Lines: []CashLine{
				{ID: "migration", Description: "File server migration", Kind: Service, Amounts: years(2026, 8000)},
				{ID: "storage", Description: "Cloud file storage subscription", Kind: Subscription, Amounts: years(2027, 12000, 12000, 12000, 12000)},
			}}},
		Plans: []Plan{{Procurement: m365, Lines: []CashLine{
			{ID: "migration", Description: "Migration to Microsoft 365", Kind: Service, Amounts: years(2027, 30000)},
			{ID: "subscriptions", Description: "Microsoft 365 E3 subscriptions", Kind: Subscription, Amounts: years(2027, 150000, 150000, 150000, 150000, 150000)},
			{ID: "laptops", Description: "Laptops for hybrid working", Kind: Hardware, Amounts: years(2027, 100000), Funded: &yes},
		}}},
		Needs: estate.RefreshNeeds(assets, estate.DefaultSupportTable(), today, estate.DefaultHorizonMonths),
		Manual: []ManualLine{{Organisation: "neddc", CashLine: CashLine{ID: "switches", Description: "Core network switches",
			Kind: Hardware, Amounts: years(2028, 20000)}}},
	}
}

// want is a line as the README writes it: id, nature, funded, five years in pounds.
type want struct {
	id     string
	nature Nature
	funded bool
	amount [5]int64
}

func check(t *testing.T, org string, got Programme, lines []want, byYear [5]int64, capital, revenue, funded, unfunded int64) {
	t.Helper()
	if len(got.Lines) != len(lines) {
		t.Fatalf("%s: %d lines, want %d: %+v", org, len(got.Lines), len(lines), got.Lines)
	}
	for i, w := range lines {
		l := got.Lines[i]
		if l.ID != w.id || l.Nature != w.nature || l.Funded != w.funded {
			t.Errorf("%s line %d: %s %s funded=%v, want %s %s funded=%v", org, i, l.ID, l.Nature, l.Funded, w.id, w.nature, w.funded)
		}
		for y, a := range w.amount {
			if l.Amounts[y].Amount != pounds(a) || l.Amounts[y].Year != 2026+procurement.FinancialYear(y) {
				t.Errorf("%s %s in %s: %s, want %d.00", org, l.ID, l.Amounts[y].Year, l.Amounts[y].Amount, a)
			}
		}
	}
	for y, a := range byYear {
		if got.ByYear[y].Total != pounds(a) {
			t.Errorf("%s total %s: %s, want %d.00", org, got.ByYear[y].Year, got.ByYear[y].Total, a)
		}
	}
	tt := got.Total
	if tt.Capital != pounds(capital) || tt.Revenue != pounds(revenue) || tt.Funded != pounds(funded) || tt.Unfunded != pounds(unfunded) ||
		tt.Total != pounds(capital+revenue) || tt.Total != tt.Funded+tt.Unfunded {
		t.Errorf("%s totals %+v, want capital %d revenue %d funded %d unfunded %d", org, tt, capital, revenue, funded, unfunded)
	}
}

func build(org string, in Input) Programme {
	in.Organisation = org
	return Build(in)
}

func TestFiveYearProgrammesOfTheWorkedExample(t *testing.T) {
	in := scenario()
	if len(in.Needs) != 4 {
		t.Fatalf("estate needs %+v", in.Needs)
	}
	// NEDDC: its file servers are covered by the comparison, its Office
	// 2007 by the joint procurement, of which it pays 450/1000 (45%).
	check(t, "neddc", build("neddc", in), []want{
		{"procurement:JICT-2026-030:migration", Revenue, true, [5]int64{0, 13500, 0, 0, 0}},
		{"procurement:JICT-2026-030:subscriptions", Revenue, true, [5]int64{0, 67500, 67500, 67500, 67500}},
		{"procurement:JICT-2026-030:laptops", Capital, true, [5]int64{0, 45000, 0, 0, 0}},
		{"comparison:cmp-files:migration", Revenue, true, [5]int64{8000, 0, 0, 0, 0}},
		{"comparison:cmp-files:storage", Revenue, true, [5]int64{0, 12000, 12000, 12000, 12000}},
		{"manual:switches:switches", Capital, false, [5]int64{0, 0, 20000, 0, 0}},
	}, [5]int64{8000, 138000, 99500, 79500, 79500}, 65000, 339500, 384500, 20000)
	// BDC: 35% of the procurement; its Windows Server 2003 servers are in
	// no procurement, so their replacement is an unfunded capital need now.
	check(t, "bdc", build("bdc", in), []want{
		{"procurement:JICT-2026-030:migration", Revenue, true, [5]int64{0, 10500, 0, 0, 0}},
		{"procurement:JICT-2026-030:subscriptions", Revenue, true, [5]int64{0, 52500, 52500, 52500, 52500}},
		{"procurement:JICT-2026-030:laptops", Capital, true, [5]int64{0, 35000, 0, 0, 0}},
		{"estate:bdc-srv", Capital, false, [5]int64{16500, 0, 0, 0, 0}},
	}, [5]int64{16500, 98000, 52500, 52500, 52500}, 51500, 220500, 255500, 16500)
	// DDDC: 20% of the procurement and nothing else.
	check(t, "dddc", build("dddc", in), []want{
		{"procurement:JICT-2026-030:migration", Revenue, true, [5]int64{0, 6000, 0, 0, 0}},
		{"procurement:JICT-2026-030:subscriptions", Revenue, true, [5]int64{0, 30000, 30000, 30000, 30000}},
		{"procurement:JICT-2026-030:laptops", Capital, true, [5]int64{0, 20000, 0, 0, 0}},
	}, [5]int64{0, 56000, 30000, 30000, 30000}, 20000, 126000, 146000, 0)
	bdc := build("bdc", in)
	if l := bdc.Lines[3]; l.Description != "Replace Windows Server 2003 R2 (3, support ended 2015-07-14)" || l.Kind != Hardware {
		t.Errorf("estate line %+v", l)
	}
	if s := bdc.Lines[0].Share.String(); s != "35.00" {
		t.Errorf("BDC's share %s", s)
	}
	// The 2031/32 subscription is beyond the rolling five years.
	if len(bdc.Years) != 5 || bdc.Years[4] != 2030 {
		t.Errorf("years %v", bdc.Years)
	}
}

func TestNatureAndFundingAreConfigurablePerLine(t *testing.T) {
	in := scenario()
	lease, no := Revenue, false
	in.Plans[0].Lines[2].Nature, in.Plans[0].Lines[2].Funded = lease, &no
	p := build("dddc", in)
	if l := p.Lines[2]; l.Nature != Revenue || l.Funded || p.Total.Capital != 0 || p.Total.Unfunded != pounds(20000) {
		t.Errorf("leased laptops %+v totals %+v", l, p.Total)
	}
	// Without cash lines a procurement's awards are spread over their contract.
	in.Plans[0].Lines = nil
	in.Plans[0].Procurement.Awards = []procurement.Award{{ID: "a1", Value: pounds(365000), Start: procurement.NewDate(2027, 4, 1), End: procurement.NewDate(2028, 3, 31)}}
	p = build("dddc", in)
	if len(p.Lines) != 1 || p.Lines[0].Amounts[1].Amount != pounds(73000) || p.Lines[0].Kind != Service {
		t.Errorf("from the award %+v", p.Lines)
	}
	in.Plans[0].Procurement.Awards = nil
	if p := build("dddc", in); len(p.Lines) != 0 || len(p.Problems) != 1 || !strings.Contains(p.Problems[0], "no cash lines") {
		t.Errorf("no cash profile %+v", p)
	}
	in.Comparisons[0].ApprovedOn = procurement.Date{}
	if p := build("neddc", in); !strings.Contains(strings.Join(p.Problems, ";"), "cmp-files is not approved") {
		t.Errorf("an unapproved comparison %+v", p.Problems)
	}
}

func TestReviewFreezesAnImmutableSnapshotAndLaterChangesShow(t *testing.T) {
	in := scenario()
	current := build("neddc", in)
	r1, err := Freeze(current, nil, "Joint Management Team chair", "Joint Management Team", "JMT/2026/41", today, today)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Version != 1 || r1.Verify() != nil {
		t.Fatalf("review %+v %v", r1.Version, r1.Verify())
	}
	frozen, _ := json.Marshal(r1.Snapshot)
	// The programme changes after the review: the switches slip a year and
	// cost more, the storage subscription rises.
	in.Manual[0].Amounts = years(2029, 24000)
	in.Comparisons[0].Lines[1].Amounts = years(2027, 12000, 13000, 13000, 13000)
	current.Lines[0].Amounts[1].Amount = 1 // a change to the old value must not reach the snapshot either
	later := build("neddc", in)
	if again, _ := json.Marshal(r1.Snapshot); string(again) != string(frozen) || r1.Verify() != nil {
		t.Fatal("the snapshot changed after the review")
	}
	v := NewView(later, []Review{r1})
	got := map[string]string{}
	for _, d := range v.Differences {
		got[d.LineID+" "+d.Year.String()] = d.Before + "->" + d.After
	}
	wantDiffs := map[string]string{
		"manual:switches:switches 2028/29":     "20000.00->0.00",
		"manual:switches:switches 2029/30":     "0.00->24000.00",
		"comparison:cmp-files:storage 2028/29": "12000.00->13000.00",
		"comparison:cmp-files:storage 2029/30": "12000.00->13000.00",
		"comparison:cmp-files:storage 2030/31": "12000.00->13000.00",
		"total 2028/29":                        "99500.00->80500.00",
		"total 2029/30":                        "79500.00->104500.00",
		"total 2030/31":                        "79500.00->80500.00",
	}
	if len(got) != len(wantDiffs) {
		t.Errorf("differences %v", got)
	}
	for k, w := range wantDiffs {
		if got[k] != w {
			t.Errorf("difference %s: %q, want %q", k, got[k], w)
		}
	}
	if v.LastReview == nil || v.LastReview.Body != "Joint Management Team" || v.ReviewDue.String() != "2027-12-02" || v.ReviewOverdue {
		t.Errorf("view %+v", v.LastReview)
	}
	// The next review is version 2 and cannot predate the first.
	if _, err := Freeze(later, []Review{r1}, "Chair", "ICT Shared Service Committee", "", procurement.NewDate(2026, 11, 1), today); err == nil {
		t.Error("a review dated before the last one was frozen")
	}
	r2, err := Freeze(later, []Review{r1}, "Chair", "ICT Shared Service Committee", "ICT/12", today, today)
	if err != nil || r2.Version != 2 {
		t.Fatalf("second review %d %v", r2.Version, err)
	}
	if len(NewView(later, []Review{r1, r2}).Differences) != 0 {
		t.Error("the programme differs from the review just taken of it")
	}
	tampered := r1
	tampered.Snapshot.Lines = tampered.Snapshot.Lines[1:]
	if tampered.Verify() == nil {
		t.Error("an altered snapshot verified")
	}
	if _, err := Freeze(later, nil, "", "", "", procurement.NewDate(2027, 1, 1), today); err == nil || !strings.Contains(err.Error(), "approvedBy") {
		t.Errorf("a review without who, where and with a future date: %v", err)
	}
}

func TestRenderings(t *testing.T) {
	p := build("bdc", scenario())
	b, err := CSV(p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+4+5 || rows[0][7] != "2026/27" || rows[0][12] != "Total" || rows[4][7] != "16500.00" || rows[9][0] != "Total" || rows[9][12] != "272000.00" {
		t.Errorf("CSV %q", rows)
	}
	x, err := XLSX(p, "Bolsover District Council: capital investment programme 2026/27 to 2030/31", []Difference{{LineID: "l", Change: "added", Before: "0.00", After: "1.00"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v, _ := f.GetCellValue("Programme", "H6", excelize.Options{RawCellValue: true})
	total, _ := f.GetCellValue("Programme", "M11", excelize.Options{RawCellValue: true})
	if v != "16500" || total != "272000" || !strings.HasPrefix(mustCell(f, "Programme", "A1"), "Bolsover") || mustCell(f, "Changes", "C2") != "added" {
		t.Errorf("XLSX H6=%q M11=%q", v, total)
	}
	j, _ := json.Marshal(p)
	var back Programme
	if err := json.Unmarshal(j, &back); err != nil || fmt.Sprint(back) != fmt.Sprint(p) {
		t.Errorf("JSON round trip: %v", err)
	}
	if !strings.Contains(string(j), `"year":"2027/28","amount":"52500.00"`) {
		t.Errorf("JSON shape %s", j)
	}
}

func mustCell(f *excelize.File, sheet, cell string) string {
	v, _ := f.GetCellValue(sheet, cell)
	return v
}
