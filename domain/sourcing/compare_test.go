package sourcing

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/testref"
)

// randomComparison builds a valid comparison with n cloud options and one
// on-premise option from a seeded generator.
func randomComparison(r *rand.Rand, nCloud, horizon int) Comparison {
	c := workedExample()
	c.HorizonYears = horizon
	c.Drivers = append(c.Drivers, DemandDriver{ID: "tb", Unit: "TB", BaseQuantity: Dec(r.Int64N(50_000_000)), GrowthPerYear: Dec(r.Int64N(200_000))})
	c.CloudOptions = nil
	for i := range nCloud {
		o := workedExample().CloudOptions[i%2]
		o.ID = fmt.Sprintf("c%d", i)
		o.Name = fmt.Sprintf("Cloud option %d", i)
		o.PriceMin, o.PriceMax = Dec(1+r.Int64N(50_000_000)), nil
		o.PriceInterval = PriceIntervals[r.IntN(len(PriceIntervals))]
		o.Indexation = Dec(r.Int64N(60_000))
		o.FixedQuantity = Dec(r.Int64N(10_000_000))
		o.Quantities = []DriverQuantity{{Driver: "users", PerUnit: Dec(r.Int64N(2_000_000))}, {Driver: "tb", PerUnit: Dec(r.Int64N(3_000_000))}}
		o.Onboarding, o.Exit = DecInt(r.Int64N(20_000)), DecInt(r.Int64N(10_000))
		o.OtherCosts = []OtherCost{{Name: "Other", Source: "test", Amount: DecInt(r.Int64N(5_000)), Recurring: true}}
		o.Quality.Score, o.SocialValue.Score = DecInt(r.Int64N(101)), DecInt(r.Int64N(101))
		if o.Quality.Score == 0 {
			o.Quality.Score = DecInt(1)
		}
		c.CloudOptions = append(c.CloudOptions, o)
	}
	return c
}

func TestPropertyNPVEqualsNominalAtZeroDiscount(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 50 {
		c := randomComparison(r, 4, 1+r.IntN(15))
		c.DiscountRate = dp("0")
		res, err := Compare(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range res.Options {
			if o.Summary.NPV != o.Summary.WholeLifeCost {
				t.Fatalf("%s: NPV %s != nominal %s at 0%%", o.Name, o.Summary.NPV, o.Summary.WholeLifeCost)
			}
		}
	}
}

// Doubling every quantity doubles the service charges. Quantities are held
// to six decimals, so with growth a year's charge may differ from exactly
// double by the rounding of one quantity; without growth it is exact.
func TestPropertyDoublingQuantitiesDoublesVariableCost(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	variable := func(res Result) map[string][]Money {
		out := map[string][]Money{}
		for _, o := range res.Options {
			for _, y := range o.Years {
				var v Money
				for _, l := range y.Lines {
					if strings.HasPrefix(l.Item, "Service") {
						v += l.Amount
					}
				}
				out[o.ID] = append(out[o.ID], v)
			}
		}
		return out
	}
	for i := range 50 {
		c := randomComparison(r, 3, 10)
		exact := i%2 == 0
		if exact {
			for j := range c.Drivers {
				c.Drivers[j].GrowthPerYear = 0
				c.Drivers[j].BaseQuantity = c.Drivers[j].BaseQuantity.Round(0)
			}
			for j := range c.CloudOptions {
				for q := range c.CloudOptions[j].Quantities {
					c.CloudOptions[j].Quantities[q].PerUnit = c.CloudOptions[j].Quantities[q].PerUnit.Round(0)
				}
			}
		}
		// Without whole numbers, each of the few six-decimal roundings of a
		// quantity may move a charge by a millionth of a unit x price x periods.
		bound := map[string]Money{}
		for _, o := range c.CloudOptions {
			periods, _ := PeriodsPerYear(o.PriceInterval, 0)
			bound[o.ID] = Money(2 + o.PriceMin.Float()*2*max(periods.Float(), 1)*1e-5*100)
		}
		base, err := Compare(c)
		if err != nil {
			t.Fatal(err)
		}
		for j := range c.Drivers {
			c.Drivers[j].BaseQuantity *= 2
		}
		for j := range c.CloudOptions {
			c.CloudOptions[j].FixedQuantity *= 2
		}
		doubled, err := Compare(c)
		if err != nil {
			t.Fatal(err)
		}
		b, d := variable(base), variable(doubled)
		for id := range b {
			for y := range b[id] {
				diff := d[id][y] - 2*b[id][y]
				tol := Money(1)
				if !exact {
					tol = bound[id]
				}
				if diff < -tol || diff > tol {
					t.Fatalf("%s year %d: doubled %s, base %s (exact=%v)", id, y, d[id][y], b[id][y], exact)
				}
			}
		}
	}
}

func TestPropertyRanksInvariantToCurrencyScaling(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 40 {
		c := randomComparison(r, 5, 5+r.IntN(6))
		base, err := Compare(c)
		if err != nil {
			t.Fatal(err)
		}
		const k = 7
		for j := range c.CloudOptions {
			o := &c.CloudOptions[j]
			o.PriceMin, o.Onboarding = o.PriceMin*k, o.Onboarding*k
			scaleShared(&o.SharedCosts, k)
			if o.PriceMax != nil {
				m := *o.PriceMax * k
				o.PriceMax = &m
			}
		}
		for j := range c.OnPremOptions {
			o := &c.OnPremOptions[j]
			for _, f := range []*Dec{&o.HardwareCapex, &o.Installation, &o.LicencesOneOff, &o.MaintenancePerYear, &o.ElectricityPricePerKWh, &o.FacilitiesPerYear, &o.BackupDRPerYear} {
				*f *= k
			}
			scaleShared(&o.SharedCosts, k)
		}
		scaled, err := Compare(c)
		if err != nil {
			t.Fatal(err)
		}
		for i := range base.Options {
			if base.Options[i].Summary.Rank != scaled.Options[i].Summary.Rank {
				t.Fatalf("%s rank %d became %d when every price was multiplied by %d", base.Options[i].Name, base.Options[i].Summary.Rank, scaled.Options[i].Summary.Rank, k)
			}
		}
	}
}

func scaleShared(s *SharedCosts, k Dec) {
	for _, f := range []*Dec{&s.StaffCostPerFTE, &s.Training, &s.TrainingPerYear, &s.NetworkChanges, &s.NetworkPerYear,
		&s.Migration, &s.ParallelRunningPerYear, &s.RetainedOnPremPerYear, &s.Exit} {
		*f *= k
	}
	s.OtherCosts = slices.Clone(s.OtherCosts)
	for i := range s.OtherCosts {
		s.OtherCosts[i].Amount *= k
	}
}

func TestPropertyWeightsMustSumTo100(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 100 {
		c := workedExample()
		w := Weights{Price: DecInt(r.Int64N(101)), Quality: DecInt(r.Int64N(101)), SocialValue: DecInt(r.Int64N(101)), Environment: DecInt(r.Int64N(101))}
		c.Weights = &w
		_, err := Compare(c)
		sum := w.Price + w.Quality + w.SocialValue + w.Environment
		if sum == DecInt(100) {
			if err != nil {
				t.Fatalf("weights summing to 100 rejected: %v", err)
			}
			continue
		}
		msg := ""
		for _, f := range fieldsOfErr(err) {
			if f[0] == "weights" {
				msg = f[1]
			}
		}
		for _, name := range []string{"price", "quality", "socialValue", "environment", "100"} {
			if !strings.Contains(msg, name) {
				t.Fatalf("weights %+v: problem %q does not name %s", w, msg, name)
			}
		}
	}
}

func fieldsOfErr(err error) [][2]string {
	var de *domain.Error
	var out [][2]string
	if errors.As(err, &de) {
		for _, f := range de.Fields {
			out = append(out, [2]string{f.Field, f.Problem})
		}
	}
	return out
}

func TestCompareValidationNamesFields(t *testing.T) {
	c := workedExample()
	c.StartYear = 1990
	c.CloudOptions[0].PriceBasis = "cheapest"
	c.CloudOptions[1].Quantities = []DriverQuantity{{Driver: "ghosts", PerUnit: DecInt(1)}}
	c.OnPremOptions[0].Servers = 0
	c.OnPremOptions[0].Quality.Evidence = ""
	got := strings.Join(fieldsOf(c.Validate()), ",")
	for _, f := range []string{"startYear", "cloudOptions[0].priceBasis", "cloudOptions[1].quantities[0].driver", "onPremOptions[0].servers", "onPremOptions[0].quality.evidence"} {
		if !strings.Contains(got, f) {
			t.Errorf("problems %s lack %s", got, f)
		}
	}
}

func TestSocialValueWeightBelow10Flagged(t *testing.T) {
	c := workedExample()
	c.Weights = &Weights{Price: DecInt(65), Quality: DecInt(25), SocialValue: DecInt(5), Environment: DecInt(5)}
	res, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	if !hasFlag(res.Flags, "social-value-weight", "PPN 06/20") {
		t.Errorf("flags = %+v", res.Flags)
	}
}

// hasFlag reports a flag with the code whose message contains text.
func hasFlag(flags []Flag, code, text string) bool {
	for _, f := range flags {
		if f.Code == code && strings.Contains(f.Message, text) {
			return true
		}
	}
	return false
}

func TestOneOffPriceChargedOncePerUnit(t *testing.T) {
	c := workedExample()
	c.CloudOptions = c.CloudOptions[:1]
	c.CloudOptions[0].PriceInterval = ""
	c.CloudOptions[0].PriceMin, c.CloudOptions[0].PriceMax = DecInt(100), nil
	c.CloudOptions[0].Onboarding, c.CloudOptions[0].SharedCosts, c.CloudOptions[0].Indexation = 0, SharedCosts{}, 0
	res, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	// 250 users, then 255, 260.1, 265.302, 270.60804: only the increments are bought.
	want := []Money{2_500_000, 50_000, 51_000, 52_020, 53_060}
	for i, y := range res.Options[1].Years {
		if y.Cash != want[i] {
			t.Errorf("year %d cash %s, want %s", i, y.Cash, want[i])
		}
	}
}

func TestFactorSetMatchesSharedReference(t *testing.T) {
	path := testref.Shared(t, "reference/carbon-factors.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := LookupFactorSet(CurrentFactorSetVersion)
	keyOf := map[string]string{"pue/onprem_industry_average_2023": "pue.onprem", "pue/onprem_legacy_server_room": "pue.onprem_legacy",
		"cpu_utilisation_default/all": "ccf.cpu_utilisation", "memory_energy/all": "ccf.memory", "storage_energy_ssd/all": "ccf.ssd",
		"storage_energy_hdd/all": "ccf.hdd", "network_energy/all": "ccf.network", "embodied_server_base/all": "ccf.embodied_server"}
	checked := 0
	for _, r := range rows[1:] {
		name, qual, value := r[0], r[1], r[2]
		key := keyOf[name+"/"+qual]
		switch {
		case name == "uk_grid_electricity_generation":
			key = "grid." + qual
		case name == "pue" && (qual == "aws" || qual == "azure" || qual == "gcp"):
			key = "pue." + qual
		case strings.HasPrefix(name, "watts_per_vcpu_"):
			key = "ccf.vcpu_" + strings.TrimPrefix(name, "watts_per_vcpu_") + "_w." + qual
		}
		if key == "" || !fs.Has(key) {
			continue // e.g. the 2014 grid factor and CCF region intensities, which the comparison does not use
		}
		if got := fs.Get(key).Value; got != MustDec(value) {
			t.Errorf("%s = %s; ../shared says %s for %s %s", key, got, value, name, qual)
		}
		checked++
	}
	if checked < 20 {
		t.Errorf("only %d factors checked against the reference", checked)
	}
	for _, f := range fs.Factors {
		if f.Source == "" || f.Year < 2012 || f.Unit == "" {
			t.Errorf("factor %s lacks a source, unit or year", f.Key)
		}
	}
}

func TestChartSVGIsValidXMLWithLabelsAndLegend(t *testing.T) {
	c := workedExample()
	c.CloudOptions[0].Name = "Hosted <R&B> \"SaaS\""
	res, err := Compare(c)
	if err != nil {
		t.Fatal(err)
	}
	svg := ChartSVG(res)
	d := xml.NewDecoder(bytes.NewReader(svg))
	var texts []string
	polylines := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML: %v", err)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			if v.Name.Local == "polyline" {
				polylines++
			}
		case xml.CharData:
			texts = append(texts, string(v))
		}
	}
	all := strings.Join(texts, "|")
	for _, want := range []string{"Year", "2025", "2029", "kgCO2e", "Hosted <R&B> \"SaaS\"", "IaaS virtual machines", "operational", "embodied"} {
		if !strings.Contains(all, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if polylines != len(res.Options) {
		t.Errorf("%d lines for %d options", polylines, len(res.Options))
	}
}

// BenchmarkCompare30x10 is a 30-option, 10-year comparison (target < 1 ms).
func BenchmarkCompare30x10(b *testing.B) {
	c := randomComparison(rand.New(rand.NewPCG(11, 12)), 29, 10)
	for b.Loop() {
		if _, err := Compare(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompare30x10Typical is the same size with the worked example's
// kind of figures (prices in pence, rates of whole tenths of a percent),
// where the exact arithmetic stays in int64 for most cells.
func BenchmarkCompare30x10Typical(b *testing.B) {
	c := workedExample()
	c.HorizonYears = 10
	base := c.CloudOptions
	c.CloudOptions = nil
	for i := range 29 {
		o := base[i%2]
		o.ID, o.Name = fmt.Sprintf("c%d", i), fmt.Sprintf("Cloud option %d", i)
		o.PriceMin, o.PriceMax = o.PriceMin+DecInt(int64(i))/100, nil
		c.CloudOptions = append(c.CloudOptions, o)
	}
	for b.Loop() {
		if _, err := Compare(c); err != nil {
			b.Fatal(err)
		}
	}
}
