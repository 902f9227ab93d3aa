package sourcing

import (
	"slices"
	"strings"
	"testing"
)

func optionByID(t *testing.T, r Result, id string) OptionResult {
	t.Helper()
	for _, o := range r.Options {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("no option %s", id)
	return OptionResult{}
}

func TestCloudStaffCostsChangeNPVByExactlyTheDiscountedStaffLines(t *testing.T) {
	without := workedExample()
	without.CloudOptions[1].StaffFTE, without.CloudOptions[1].StaffCostPerFTE = 0, 0
	with := workedExample()
	with.CloudOptions[1].StaffFTE, with.CloudOptions[1].StaffCostPerFTE = MustDec("0.75"), MustDec("48123.45")
	r0, err := Compare(without)
	if err != nil {
		t.Fatal(err)
	}
	r1, err := Compare(with)
	if err != nil {
		t.Fatal(err)
	}
	a, b := optionByID(t, r0, "iaas"), optionByID(t, r1, "iaas")
	var staffDiscounted, staffCash Money
	for _, y := range b.Years {
		n := 0
		for _, l := range y.Lines {
			if l.Kind != LineStaff {
				continue
			}
			n++
			// Independently: the cell 0.75 x £48,123.45 x 1.025^t to the penny,
			// and that cell / 1.035^t to the penny, as a spreadsheet does.
			if want := cell(mul(frac(75, 100), frac(4812345, 100), powRat(1025, 1000, y.Index))); l.Amount != want {
				t.Errorf("%d staff line = %s, want %s", y.Year, l.Amount, want)
			}
			if want := cell(mul(moneyExact(l.Amount), powRat(1000, 1035, y.Index))); l.Discounted != want {
				t.Errorf("%d staff line discounted = %s, want %s", y.Year, l.Discounted, want)
			}
			staffDiscounted += l.Discounted
			staffCash += l.Amount
		}
		if n != 1 {
			t.Errorf("%d has %d staff lines, want 1", y.Year, n)
		}
	}
	if got := b.Summary.NPV - a.Summary.NPV; got != staffDiscounted {
		t.Errorf("NPV moved by %s, the discounted staff lines sum to %s", got, staffDiscounted)
	}
	if got := b.Summary.WholeLifeCost - a.Summary.WholeLifeCost; got != staffCash {
		t.Errorf("whole-life cost moved by %s, the staff lines sum to %s", got, staffCash)
	}
	if staffDiscounted == 0 {
		t.Fatal("no staff cost was added")
	}
}

func powRat(num, den int64, t int) exact {
	out := frac(1, 1)
	for range t {
		out = mul(out, frac(num, den))
	}
	return out
}

// refreshComparison is a 7-year horizon with a 2-year refresh: refreshes in
// years 0, 2, 4 and 6.
func refreshComparison() Comparison {
	return Comparison{Title: "Licence refresh", HorizonYears: 7, StartYear: 2026,
		OnPremOptions: []OnPremOption{{ID: "op", Name: "On-premise", Servers: 3, HardwareCapex: DecInt(10000), RefreshYears: 2,
			LicencesOneOff: DecInt(8000), LicenceSupportRate: MustDec("0.2"), Indexation: MustDec("0.02")}}}
}

func TestPerpetualLicencesAreBoughtAgainAtEachRefresh(t *testing.T) {
	c := refreshComparison()
	half := MustDec("0.5")
	c.OnPremOptions = append(c.OnPremOptions, c.OnPremOptions[0])
	c.OnPremOptions[1].ID, c.OnPremOptions[1].Name, c.OnPremOptions[1].LicenceRefreshFraction = "upgrade", "Upgrade pricing", &half
	r, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range r.Options {
		share := frac(1, 1)
		if o.ID == "upgrade" {
			share = frac(1, 2)
		}
		for _, y := range o.Years {
			got := lineAmount(y, LineLicence)
			var want Money
			switch {
			case y.Index == 0:
				want = 800_000
			case y.Index%2 == 0:
				want = cell(mul(ratInt(8000), share, powRat(102, 100, y.Index)))
			}
			if got != want {
				t.Errorf("%s %d: licence purchase %s, want %s", o.ID, y.Year, got, want)
			}
			// Support is a share of the licence value every year of every cycle.
			if s, want := lineAmount(y, LineLicenceSupport), cell(mul(ratInt(1600), powRat(102, 100, y.Index))); s != want {
				t.Errorf("%s %d: support %s, want %s", o.ID, y.Year, s, want)
			}
		}
	}
}

func TestSubscriptionLicencesArePaidEveryYear(t *testing.T) {
	c := refreshComparison()
	c.OnPremOptions[0].LicenceModel, c.OnPremOptions[0].LicencesOneOff = LicenceSubscription, 0
	c.OnPremOptions[0].LicenceSubscriptionPerYear = DecInt(3000)
	r, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range r.Options[0].Years {
		if got := lineAmount(y, LineLicence); got != 0 {
			t.Errorf("%d: a subscription bought a perpetual licence (%s)", y.Year, got)
		}
		if got, want := lineAmount(y, LineSubscription), cell(mul(ratInt(3000), powRat(102, 100, y.Index))); got != want {
			t.Errorf("%d: subscription %s, want %s", y.Year, got, want)
		}
	}
	c.OnPremOptions[0].LicencesOneOff = DecInt(1)
	if got := fieldsOf(c.Validate()); !slices.Contains(got, "onPremOptions[0].licencesOneOff") {
		t.Errorf("one-off licences on a subscription: problems %v", got)
	}
}

func TestEmbodiedCarbonIsSpreadOverTheRefreshCycle(t *testing.T) {
	c := Comparison{Title: "Embodied", HorizonYears: 10, StartYear: 2026,
		OnPremOptions: []OnPremOption{{ID: "op", Name: "Five-year refresh", Servers: 7, HardwareCapex: DecInt(1), RefreshYears: 5,
			EmbodiedKgPerServer: dp("1234.5")}}}
	r, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	// 7 servers x 1,234.5 kg / 5 years = 1,728.3 kg every year.
	for _, y := range r.Options[0].Years {
		if y.EmbodiedKgCO2e != MustDec("1728.3") {
			t.Errorf("%d: embodied %s kgCO2e, want 1728.3", y.Year, y.EmbodiedKgCO2e)
		}
	}
	c.OnPremOptions[0].EmbodiedLifeYears = 6 // a declared life wins
	r, _ = Compare(c)
	if got := r.Options[0].Years[0].EmbodiedKgCO2e; got != MustDec("1440.25") {
		t.Errorf("declared 6-year life: %s, want 1440.25", got)
	}
	c.OnPremOptions[0].EmbodiedLifeYears, c.OnPremOptions[0].RefreshYears = 0, 0 // never refreshed: CCF's 4 years
	r, _ = Compare(c)
	if got := r.Options[0].Years[0].EmbodiedKgCO2e; got != MustDec("2160.375") {
		t.Errorf("no refresh: %s, want 2160.375", got)
	}
}

func TestSharedCostLinesFallInTheirYears(t *testing.T) {
	c := Comparison{Title: "Shared", HorizonYears: 4, StartYear: 2026,
		CloudOptions: []CloudOption{{ID: "c", Name: "Cloud", PriceMin: DecInt(1), PriceUnit: "Unit", PriceInterval: "Year", PriceBasis: BasisMin,
			SharedCosts: SharedCosts{Training: DecInt(100), TrainingPerYear: DecInt(10), NetworkChanges: DecInt(200), NetworkPerYear: DecInt(20),
				Migration: DecInt(300), ParallelRunningPerYear: DecInt(400), ParallelRunningYears: 2, RetainedOnPremPerYear: DecInt(50), Exit: DecInt(600),
				OtherCosts: []OtherCost{
					{Name: "Penetration test", Source: "CHECK supplier quote", Amount: DecInt(700), Year: 1},
					{Name: "Archive", Source: "supplier price list", Amount: DecInt(30), Recurring: true, Year: 1, Years: 2},
				}}}}}
	r, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"Training (one-off) 100.00", "Network changes (one-off) 200.00", "Migration 300.00", "Training 10.00", "Network and connectivity 20.00", "Parallel running 400.00", "Retained on-premise costs 50.00"},
		{"Training 10.00", "Network and connectivity 20.00", "Parallel running 400.00", "Retained on-premise costs 50.00", "Penetration test 700.00", "Archive 30.00"},
		{"Training 10.00", "Network and connectivity 20.00", "Retained on-premise costs 50.00", "Archive 30.00"},
		{"Training 10.00", "Network and connectivity 20.00", "Retained on-premise costs 50.00", "Exit 600.00"},
	}
	for i, y := range r.Options[0].Years {
		var got []string
		for _, l := range y.Lines {
			if l.Kind != LineService {
				got = append(got, l.Item+" "+l.Amount.String())
			}
			if l.Kind == LineOther && l.Source == "" {
				t.Errorf("%d: other line %q lost its source", y.Year, l.Item)
			}
		}
		if strings.Join(got, "; ") != strings.Join(want[i], "; ") {
			t.Errorf("year %d lines:\n got %v\nwant %v", i, got, want[i])
		}
	}
	bad := c
	bad.CloudOptions = slices.Clone(c.CloudOptions)
	bad.CloudOptions[0].OtherCosts = []OtherCost{{Name: "Mystery", Amount: DecInt(5), Year: 30}}
	bad.CloudOptions[0].StaffFTE = DecInt(1)
	got := fieldsOf(bad.Validate())
	for _, f := range []string{"cloudOptions[0].otherCosts[0].source", "cloudOptions[0].otherCosts[0].year", "cloudOptions[0].staffCostPerFte"} {
		if !slices.Contains(got, f) {
			t.Errorf("problems %v lack %s", got, f)
		}
	}
}

func TestACostAfterTheHorizonIsFlaggedNotCounted(t *testing.T) {
	c := workedExample()
	c.HorizonYears = 1 // the SaaS archive starts in year 1
	r, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	if !hasFlag(r.Flags, "cost-outside-horizon", "Archive of the old system's data") {
		t.Errorf("flags %v do not name the archive line", r.Flags)
	}
}

func TestReplicationFactorsMultiplyStorageAndMemoryEnergy(t *testing.T) {
	base := Comparison{Title: "Replication", HorizonYears: 1, StartYear: 2025,
		CloudOptions: []CloudOption{{ID: "c", Name: "Cloud", PriceMin: DecInt(1), PriceUnit: "Unit", PriceInterval: "Year", PriceBasis: BasisMin,
			Carbon: CloudCarbon{Provider: "azure", SSDTB: DecInt(10)}}}}
	kwh := func(c Comparison) Dec {
		t.Helper()
		r, err := Compare(c)
		if err != nil {
			t.Fatal(err)
		}
		return r.Options[0].Years[0].EnergyKWh
	}
	// 10 TB x 1.2 Wh x 8,760 h / 1000 = 105.12 kWh x Azure disks 3 x PUE 1.185 = 373.7016.
	if got := kwh(base); got != MustDec("373.702") {
		t.Errorf("default Azure disk replication: %s kWh, want 373.702", got)
	}
	grs := base
	grs.CloudOptions = slices.Clone(base.CloudOptions)
	grs.CloudOptions[0].Carbon.StorageReplicationService = "storage_grs" // 6 copies
	if got := kwh(grs); got != MustDec("747.403") {                      // 105.12 x 6 x 1.185 = 747.4032
		t.Errorf("geo-redundant storage: %s kWh, want 747.403", got)
	}
	grs.CloudOptions[0].Carbon.StorageReplicationService = "s3"
	if got := fieldsOf(grs.Validate()); !slices.Contains(got, "cloudOptions[0].carbon.storageReplicationService") {
		t.Errorf("an AWS service on Azure: problems %v", got)
	}
	old := base
	old.FactorSetVersion = "uk-2025.1" // before replication factors: one copy, as decided then
	if got := kwh(old); got != MustDec("124.567") {
		t.Errorf("uk-2025.1: %s kWh, want 124.567", got)
	}
}

func TestGridProjectionAndMonetisedEmissions(t *testing.T) {
	c := Comparison{Title: "Projection", HorizonYears: 8, StartYear: 2025, MonetiseEmissions: true,
		OnPremOptions: []OnPremOption{{ID: "op", Name: "On-premise", Servers: 1, PowerWatts: DecInt(1000), PUE: dp("1")}}}
	r, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	o := r.Options[0]
	wantGrid := []string{"0.177", "0.1516", "0.1262", "0.1008", "0.0754", "0.05", "0.05", "0.05"}
	wantBasis := []string{GridPublished, GridProjected, GridProjected, GridProjected, GridProjected, GridProjected, GridNearest, GridNearest}
	for i, y := range o.Years {
		if y.GridFactor.String() != wantGrid[i] || y.GridFactorSource != wantBasis[i] {
			t.Errorf("%d: grid %s (%s), want %s (%s)", y.Year, y.GridFactor, y.GridFactorSource, wantGrid[i], wantBasis[i])
		}
	}
	codes := map[string]string{}
	for _, f := range r.Flags {
		codes[f.Code] += f.Message + "|"
	}
	if !strings.Contains(codes["grid-factor-projected"], "2026, 2027, 2028, 2029, 2030") || !strings.Contains(codes["grid-factor-projected"], "cp2030-linear") {
		t.Errorf("projection flag: %q", codes["grid-factor-projected"])
	}
	if !strings.Contains(codes["grid-factor-year"], "2031") || !strings.Contains(codes["carbon-value-year"], "2031") {
		t.Errorf("flags for years beyond the series: %v", codes)
	}
	// 2025: 8,760 kWh x 0.177 = 1,550.52 kg + embodied 250 kg = 1.80052 t x £260 = £468.1352 -> £468.14.
	y := o.Years[0]
	if y.EmissionsValue == nil || *y.EmissionsValue != 46_814 {
		t.Fatalf("2025 emissions value = %v, want 468.14", y.EmissionsValue)
	}
	var sum Money
	for _, y := range o.Years {
		sum += *y.EmissionsValue
	}
	if o.Summary.EmissionsValue == nil || *o.Summary.EmissionsValue != sum {
		t.Errorf("summary emissions value %v, want the sum of the years %s", o.Summary.EmissionsValue, sum)
	}
	if o.Summary.WholeLifeCost != 0 || o.Summary.NPV != 0 {
		t.Errorf("monetised emissions leaked into cash: whole-life cost %s, NPV %s", o.Summary.WholeLifeCost, o.Summary.NPV)
	}
	c.FactorSetVersion = "uk-2025.1"
	if got := fieldsOf(c.Validate()); !slices.Contains(got, "monetiseEmissions") {
		t.Errorf("monetising with a set without carbon values: problems %v", got)
	}
}
