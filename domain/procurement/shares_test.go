package procurement

import (
	"testing"
)

func sum(ps []Pence) (t Pence) {
	for _, p := range ps {
		t += p
	}
	return t
}

func TestAllocateThirdsToThePenny(t *testing.T) {
	total, _ := ParsePence("100000.01")
	got := Allocate(total, []string{"neddc", "bdc", "dddc"}, []int64{1, 1, 1})
	// 10,000,001p / 3 = 3,333,333 r 2: the two leftover pennies go to the tied
	// remainders in id order, bdc then dddc.
	want := []Pence{3333333, 3333334, 3333334}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	// Input order does not change who gets the pennies.
	again := Allocate(total, []string{"dddc", "neddc", "bdc"}, []int64{1, 1, 1})
	if again[0] != 3333334 || again[1] != 3333333 || again[2] != 3333334 {
		t.Fatalf("reordered: %v", again)
	}
}

func TestAllocateAlwaysSums(t *testing.T) {
	keys := []string{"a", "b", "c", "d"}
	for _, w := range [][]int64{{1, 1, 1, 1}, {7, 3, 0, 1}, {1_000_000_000, 1, 1, 1}, {3334, 3333, 3333, 0}} {
		for _, total := range []Pence{0, 1, 2, 99, 10000001, -10000001, Pence(1) << 50} {
			if s := sum(Allocate(total, keys, w)); s != total {
				t.Errorf("weights %v total %d: parts sum to %d", w, total, s)
			}
		}
	}
}

func TestSharesByDriverAndPercent(t *testing.T) {
	p := sample()
	p.Shares = ShareBasis{Method: ShareDriver, Driver: "users", Counts: map[string]int64{"neddc": 500, "bdc": 300, "dddc": 200}}
	sh, err := p.SharesOf(Pounds(100000))
	if err != nil {
		t.Fatal(err)
	}
	if sh[0].Amount != Pounds(50000) || sh[1].Amount != Pounds(30000) || sh[2].Amount != Pounds(20000) || sh[0].Percent != 5000 {
		t.Errorf("driver shares %+v", sh)
	}
	p.Shares = ShareBasis{Method: ShareEqual}
	sh, _ = p.SharesOf(Pounds(1))
	var pct Percent
	for _, s := range sh {
		pct += s.Percent
	}
	if pct != Hundred || sh[0].Percent != 3333 || sh[1].Percent != 3334 {
		t.Errorf("equal percentages %+v", sh)
	}
}

func TestShareProblems(t *testing.T) {
	p := sample()
	p.Shares = ShareBasis{Method: ShareExplicit, Percentages: map[string]Percent{"neddc": 3333, "bdc": 3333, "dddc": 3333}}
	if p.Validate() == nil {
		t.Error("percentages adding to 99.99 accepted")
	}
	p.Shares.Percentages["dddc"] = 3334
	if err := p.Validate(); err != nil {
		t.Errorf("100.00 rejected: %v", err)
	}
	p.Shares = ShareBasis{Method: ShareDriver, Driver: "desks", Counts: map[string]int64{"neddc": 1, "bdc": 0, "other": 4}}
	if got := len(p.Shares.problems(p.Parties())); got != 4 { // driver, bdc zero, dddc missing, other not a party
		t.Errorf("%d problems, want 4: %v", got, p.Shares.problems(p.Parties()))
	}
}

func TestSavings(t *testing.T) {
	p := sample() // £300,000 over 36 months in thirds; baselines £40k, £35k, £30k a year
	s, err := p.Savings()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Pence{"neddc": Pounds(20000), "bdc": Pounds(5000), "dddc": Pounds(-10000)}
	for _, ps := range s.Parties {
		if ps.Saving != want[ps.Organisation] || ps.AnnualCost != 3333333 /* £100,000 over 3 years */ {
			t.Errorf("%s: %+v", ps.Organisation, ps)
		}
	}
	if s.Total.Saving != Pounds(15000) || s.Total.CostOverTerm != Pounds(300000) {
		t.Errorf("total %+v", s.Total)
	}
	// Once awarded, the awarded value plus irrecoverable VAT replaces the estimate.
	p.Awards = []Award{{ID: "a1", Supplier: Supplier{Name: "X Ltd"}, Value: Pounds(270000), NonRecoverableVAT: Pounds(3)}}
	s, _ = p.Savings()
	if s.Total.CostOverTerm != Pounds(270003) {
		t.Errorf("awarded cost %s", s.Total.CostOverTerm)
	}
}
