package sourcing

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the worked example in README.md from the computed comparison")

func dp(s string) *Dec { d := MustDec(s); return &d }

// workedExample is a district council's Revenues and Benefits system: keep it
// on two refreshed hosts, move to a SaaS service, or lift it onto IaaS. Both
// cloud options carry the staff, training, network, migration, parallel
// running and retained costs a move really has, and the on-premise licences
// are bought again with the hardware at the year-4 refresh.
func workedExample() Comparison {
	return Comparison{
		Title: "Revenues and Benefits system hosting", HorizonYears: 5, StartYear: 2025,
		Drivers: []DemandDriver{{ID: "users", Name: "Named users", Unit: "users", BaseQuantity: DecInt(250), GrowthPerYear: MustDec("0.02")}},
		OnPremOptions: []OnPremOption{{
			ID: "onprem", Name: "On-premise (2 hosts)", Servers: 2, HardwareCapex: DecInt(24000), RefreshYears: 4,
			ResidualValue: MustDec("0.10"), Installation: DecInt(3000), LicencesOneOff: DecInt(18000),
			LicenceSupportRate: MustDec("0.20"), MaintenancePerYear: DecInt(2400), PowerWatts: DecInt(650),
			ElectricityPricePerKWh: MustDec("0.28"), SharedCosts: SharedCosts{StaffFTE: MustDec("0.3"), StaffCostPerFTE: DecInt(52000)},
			FacilitiesPerYear: DecInt(1800), BackupDRPerYear: DecInt(2500), Indexation: MustDec("0.03"),
			Quality:     Assessment{Score: DecInt(70), Evidence: "Known system; two outages in 2024 (ICT service report)"},
			SocialValue: Assessment{Score: DecInt(40), Evidence: "In-house apprenticeship on the infrastructure team"},
		}},
		CloudOptions: []CloudOption{{
			ID: "saas", Name: "Hosted R&B (SaaS)", ServiceID: "512345678901234", SupplierName: "Example Software Ltd",
			PriceMin: MustDec("9.50"), PriceMax: dp("12.00"), PriceUnit: "User", PriceInterval: "Month", PriceBasis: BasisMin,
			Quantities: []DriverQuantity{{Driver: "users", PerUnit: DecInt(1)}},
			Onboarding: DecInt(15000), Indexation: MustDec("0.03"),
			SharedCosts: SharedCosts{StaffFTE: MustDec("0.1"), StaffCostPerFTE: DecInt(52000), Training: DecInt(2500),
				Migration: DecInt(7000), ParallelRunningPerYear: DecInt(6000), ParallelRunningYears: 1,
				RetainedOnPremPerYear: DecInt(900), Exit: DecInt(5000),
				OtherCosts: []OtherCost{{Name: "Archive of the old system's data", Source: "Example Software Ltd quotation EX-2025-114 (archive tier)",
					Amount: DecInt(1200), Recurring: true, Year: 1}}},
			Carbon:      CloudCarbon{DeclaredKWhPerYear: dp("1200"), DeclaredEmbodiedKgPerYear: dp("150")},
			Quality:     Assessment{Score: DecInt(80), Evidence: "Clarification answers and reference site visit"},
			SocialValue: Assessment{Score: DecInt(60), Evidence: "Commitment to two local work placements a year"},
		}, {
			ID: "iaas", Name: "IaaS virtual machines", ServiceID: "498765432109876", SupplierName: "Example Hosting Ltd",
			PriceMin: MustDec("0.21"), PriceMax: dp("0.35"), PriceUnit: "Virtual machine", PriceInterval: "Hour", PriceBasis: BasisMin,
			FixedQuantity: DecInt(4), Onboarding: DecInt(8000), Indexation: MustDec("0.025"),
			SharedCosts: SharedCosts{StaffFTE: MustDec("0.25"), StaffCostPerFTE: DecInt(52000), Training: DecInt(1500),
				NetworkChanges: DecInt(2000), NetworkPerYear: DecInt(1800), Migration: DecInt(5000), Exit: DecInt(3000)},
			Carbon:      CloudCarbon{Provider: "aws", VCPUs: DecInt(8), MemoryGB: DecInt(32), SSDTB: DecInt(2), NetworkGBPerYear: DecInt(1200)},
			Quality:     Assessment{Score: DecInt(65), Evidence: "Council still runs the application; supplier runs the platform"},
			SocialValue: Assessment{Score: DecInt(50), Evidence: "Carbon reduction plan published (PPN 06/21)"},
		}},
		Weights: &Weights{Price: DecInt(60), Quality: DecInt(20), SocialValue: DecInt(10), Environment: DecInt(10)},
	}
}

// The worked example lives in the README between these markers; the text
// between them is generated from workedExample() and checked here, so the
// published figures cannot drift from the engine.
const (
	readmePath        = "../../README.md"
	readmeBegin       = "<!-- sourcing-worked-example:begin (generated: go test ./domain/sourcing -run WorkedExample -update) -->"
	readmeEnd         = "<!-- sourcing-worked-example:end -->"
	readmeSectionHead = "## Sourcing: the best-value method and a worked example"
)

func TestWorkedExampleReproducesREADME(t *testing.T) {
	res, err := Compare(workedExample())
	if err != nil {
		t.Fatal(err)
	}
	got := renderWorkedExample(workedExample(), res)
	raw, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	b, e := strings.Index(readme, readmeBegin), strings.Index(readme, readmeEnd)
	if *update {
		if b < 0 || e < b {
			t.Fatalf("README.md lacks the markers %q and %q under %q", readmeBegin, readmeEnd, readmeSectionHead)
		}
		readme = readme[:b+len(readmeBegin)] + "\n" + got + readme[e:]
		if err := os.WriteFile(readmePath, []byte(readme), 0o644); err != nil {
			t.Fatal(err)
		}
		b, e = strings.Index(readme, readmeBegin), strings.Index(readme, readmeEnd)
	}
	if b < 0 || e < b || !strings.Contains(readme[:b], readmeSectionHead) {
		t.Fatalf("README.md lacks the section %q with the markers %q ... %q", readmeSectionHead, readmeBegin, readmeEnd)
	}
	want := readme[b+len(readmeBegin)+1 : e]
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("README.md worked example, line %d of the section differs:\n doc: %s\n now: %s\n(run go test ./domain/sourcing -run WorkedExample -update after checking the change is intended)", i+1, wl[i], gl[i])
			}
		}
		t.Fatalf("README.md worked example has %d lines, the computation %d", len(wl), len(gl))
	}
}

// TestWorkedExampleByHand checks the headline figures against arithmetic done
// independently of the engine, so the document cannot drift into a wrong
// engine's output.
func TestWorkedExampleByHand(t *testing.T) {
	res, err := Compare(workedExample())
	if err != nil {
		t.Fatal(err)
	}
	saas := res.Options[1]
	// Year 0: 250 users x £9.50 x 12 = £28,500 + onboarding £15,000 + staff
	// 0.1 x £52,000 = £5,200 + training £2,500 + migration £7,000 + parallel
	// running £6,000 + retained on-premise £900 = £65,100.
	if got := saas.Years[0].Cash; got != 6_510_000 {
		t.Errorf("SaaS year 0 cash = %s, want 65100.00", got)
	}
	// Year 1: 255 users x £9.785 x 12 = £29,942.10; staff £5,356; retained
	// £927; archive £1,236: £37,461.10. Discounted line by line / 1.035:
	// 28,929.565.. -> 28,929.57; 5,174.879.. -> 5,174.88; 895.652.. -> 895.65;
	// 1,194.202.. -> 1,194.20; sum £36,194.30.
	if got := saas.Years[1].Cash; got != 3_746_110 {
		t.Errorf("SaaS year 1 cash = %s, want 37461.10", got)
	}
	if got := saas.Years[1].Discounted; got != 3_619_430 {
		t.Errorf("SaaS year 1 discounted = %s, want 36194.30", got)
	}
	iaas := res.Options[2]
	// 4 VMs x £0.21 x 8,760 h = £7,358.40 + £8,000 onboarding + staff 0.25 x
	// £52,000 = £13,000 + training £1,500 + network changes £2,000 + network
	// £1,800 + migration £5,000 = £38,658.40.
	if got := iaas.Years[0].Cash; got != 3_865_840 {
		t.Errorf("IaaS year 0 cash = %s, want 38658.40", got)
	}
	// CCF: 8 vCPU x 8760 h x (0.74 + 0.5 x 2.76) W / 1000 = 148.5696 kWh; memory
	// 32 x 8760 x 0.000392 = 109.88544; SSD 2 x 1.2 x 8760 / 1000 = 21.024,
	// x AWS EBS replication 2 = 42.048; network 1.2; sum 301.70304 x PUE
	// 1.135 = 342.4329504 kWh.
	if got := iaas.Years[0].EnergyKWh; got != MustDec("342.433") {
		t.Errorf("IaaS kWh = %s, want 342.433", got)
	}
	onprem := res.Options[0]
	// 650 W x 8760 h x 1.58 / 1000 = 8996.52 kWh; x 0.177 = 1592.38404 kg.
	if got := onprem.Years[0].EnergyKWh; got != MustDec("8996.52") {
		t.Errorf("on-premise kWh = %s, want 8996.52", got)
	}
	if got := onprem.Years[0].OperationalKgCO2e; got != MustDec("1592.384") {
		t.Errorf("on-premise operational = %s, want 1592.384", got)
	}
	// 2026 is past the last published DESNZ year: the projection's 0.1516.
	if y := onprem.Years[1]; y.GridFactor != MustDec("0.1516") || y.GridFactorSource != GridProjected {
		t.Errorf("2026 grid factor = %s (%s), want the projected 0.1516", y.GridFactor, y.GridFactorSource)
	}
	// Licences re-bought with the hardware at the year-4 refresh:
	// £18,000 x 1.03^4 (1.12550881) = £20,259.15858 -> £20,259.16.
	if got := lineAmount(onprem.Years[4], LineLicence); got != 2_025_916 {
		t.Errorf("licence re-buy in 2029 = %s, want 20259.16", got)
	}
	// Embodied: 2 servers x 1,000 kg over the 4-year refresh cycle = 500 kg a year.
	if got := onprem.Years[0].EmbodiedKgCO2e; got != DecInt(500) {
		t.Errorf("on-premise embodied = %s a year, want 500", got)
	}
}

// lineAmount sums a year's lines of one kind.
func lineAmount(y YearResult, kind string) Money {
	var m Money
	for _, l := range y.Lines {
		if l.Kind == kind {
			m += l.Amount
		}
	}
	return m
}

func renderWorkedExample(c Comparison, r Result) string {
	var b strings.Builder
	p := func(f string, a ...any) { fmt.Fprintf(&b, f+"\n", a...) }
	p("### The method")
	p("")
	p("%s", r.Method)
	p("")
	p("### Worked example: %s", r.Title)
	p("")
	p("Generated from `workedExample()` in `domain/sourcing/worked_example_test.go`: `go test ./domain/sourcing -run WorkedExample`")
	p("recomputes every figure below and fails if any differs, and `go test ./api -run SourcingWorkedExample` posts the request")
	p("below to `POST /api/v1/comparisons` and checks the response against these tables. Amounts are pounds excluding VAT;")
	p("rates are fractions.")
	p("")
	p("#### Inputs")
	p("")
	p("- Horizon %d years from %d (year 0), discount rate %s, usage hours %s a year, factor set `%s`.", r.HorizonYears, r.StartYear, r.DiscountRate, r.UsageHours, r.FactorSetVersion)
	p("- Weights: price %s, quality %s, social value %s, environment %s.", r.Weights.Price, r.Weights.Quality, r.Weights.SocialValue, r.Weights.Environment)
	for _, d := range c.Drivers {
		p("- Demand driver `%s`: %s %s in year 0, growing %s a year.", d.ID, d.BaseQuantity, d.Unit, d.GrowthPerYear)
	}
	for _, o := range c.OnPremOptions {
		p("- **%s** (baseline): %d servers; hardware %s every %d years, residual value %s, installation %s; licences %s; maintenance %s, facilities %s, backup/DR %s a year; %s; %s W average draw, PUE %s, electricity £%s/kWh; indexation %s; embodied %s kgCO2e per server spread over %s years (the refresh cycle).",
			o.Name, o.Servers, o.HardwareCapex, o.RefreshYears, o.ResidualValue, o.Installation, (&comp{}).licenceText(o),
			o.MaintenancePerYear, o.FacilitiesPerYear, o.BackupDRPerYear, sharedText(o.SharedCosts), o.PowerWatts, "1.58 (default)",
			o.ElectricityPricePerKWh, o.Indexation, "1000 (CCF default)", fmt.Sprint(o.RefreshYears))
	}
	for _, o := range c.CloudOptions {
		q := "fixed " + o.FixedQuantity.String()
		for _, dq := range o.Quantities {
			q += fmt.Sprintf(" + %s per %s", dq.PerUnit, dq.Driver)
		}
		var carbon string
		if o.Carbon.DeclaredKWhPerYear != nil {
			carbon = "declared " + o.Carbon.DeclaredKWhPerYear.String() + " kWh and " + o.Carbon.DeclaredEmbodiedKgPerYear.String() + " kgCO2e embodied a year"
		} else {
			carbon = fmt.Sprintf("CCF estimate on %s: %s vCPUs, %s GB memory, %s TB SSD (replication: the factor set's default), %s GB network a year", o.Carbon.Provider, o.Carbon.VCPUs, o.Carbon.MemoryGB, o.Carbon.SSDTB, o.Carbon.NetworkGBPerYear)
		}
		p("- **%s** (G-Cloud %s, %s): £%s to £%s per %s per %s, basis %s; quantity %s; onboarding %s; %s; indexation %s; %s.",
			o.Name, o.ServiceID, o.SupplierName, o.PriceMin, o.PriceMax, o.PriceUnit, o.PriceInterval, o.PriceBasis, q, o.Onboarding, sharedText(o.SharedCosts), o.Indexation, carbon)
	}
	p("")
	p("The same inputs as the body of `POST /api/v1/comparisons`:")
	p("")
	p("```json")
	var req strings.Builder
	enc := json.NewEncoder(&req)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		panic(err)
	}
	b.WriteString(req.String())
	p("```")
	p("")
	p("#### Year by year")
	for _, o := range r.Options {
		p("")
		p("##### %s (%s)", o.Name, o.Kind)
		p("")
		p("| Year | t | Cost lines | Cash | Discount factor | Discounted | Cumulative cash | Cumulative discounted | kWh | Grid kgCO2e/kWh | Operational kgCO2e | Embodied kgCO2e |")
		p("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, y := range o.Years {
			var lines []string
			for _, l := range y.Lines {
				lines = append(lines, l.Item+" "+l.Amount.String())
			}
			p("| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |", y.Year, y.Index, strings.Join(lines, "; "), y.Cash,
				y.DiscountFactor.Fixed(6), y.Discounted, y.CumulativeCash, y.CumulativeDiscounted, y.EnergyKWh.Fixed(3), y.GridFactor, y.OperationalKgCO2e.Fixed(3), y.EmbodiedKgCO2e.Fixed(3))
		}
	}
	p("")
	p("#### Summary")
	p("")
	p("| Option | Whole-life cost | NPV | Saving vs baseline (NPV) | Saving (nominal) | Break-even | kWh | Total kgCO2e | Env. score | Price pts | Quality pts | Social value pts | Environment pts | Best value | Rank |")
	p("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, o := range r.Options {
		s := o.Summary
		be := "-"
		if s.BreakEvenYear != nil {
			be = fmt.Sprint(*s.BreakEvenYear)
		}
		p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |", o.Name, s.WholeLifeCost, s.NPV, s.SavingVsBaseline, s.SavingVsBaselineNominal, be,
			s.EnergyKWh.Fixed(3), s.TotalKgCO2e.Fixed(3), s.EnvironmentalScore.Fixed(6), s.PricePoints.Fixed(6), s.QualityPoints.Fixed(6), s.SocialValuePoints.Fixed(6), s.EnvironmentPoints.Fixed(6), s.BestValueScore.Fixed(6), s.Rank)
	}
	p("")
	p("#### Flags")
	p("")
	for _, f := range r.Flags {
		p("- `%s`: %s", f.Code, f.Message)
	}
	p("")
	p("#### Assumptions and factors")
	p("")
	p("| Name | Value | Unit | Source |")
	p("|---|---|---|---|")
	for _, a := range r.Assumptions {
		p("| %s | %s | %s | %s |", a.Name, a.Value, a.Unit, a.Source)
	}
	return b.String()
}

// sharedText describes an option's shared cost lines for the README.
func sharedText(s SharedCosts) string {
	var parts []string
	add := func(f string, a ...any) { parts = append(parts, fmt.Sprintf(f, a...)) }
	if s.StaffFTE > 0 {
		add("staff %s FTE x %s a year", s.StaffFTE, s.StaffCostPerFTE)
	}
	for _, x := range []struct {
		n string
		v Dec
	}{{"training %s one-off", s.Training}, {"training %s a year", s.TrainingPerYear}, {"network changes %s one-off", s.NetworkChanges},
		{"network and connectivity %s a year", s.NetworkPerYear}, {"migration %s", s.Migration}, {"retained on-premise costs %s a year", s.RetainedOnPremPerYear}, {"exit %s", s.Exit}} {
		if x.v > 0 {
			add(x.n, x.v)
		}
	}
	if s.ParallelRunningYears > 0 {
		add("parallel running %s a year for %d year(s)", s.ParallelRunningPerYear, s.ParallelRunningYears)
	}
	for _, o := range s.OtherCosts {
		when := fmt.Sprintf("in year %d", o.Year)
		if o.Recurring {
			when = fmt.Sprintf("a year from year %d", o.Year)
		}
		add("%s %s %s (source: %s)", o.Name, o.Amount, when, o.Source)
	}
	if len(parts) == 0 {
		return "no other costs"
	}
	return strings.Join(parts, ", ")
}
