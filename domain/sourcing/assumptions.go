package sourcing

import (
	"fmt"
	"strconv"
	"strings"
)

// assumptions lists every input default and factor the result used.
func (k *comp) assumptions() []Assumption {
	c := k.c
	a := []Assumption{
		{"Horizon", strconv.Itoa(c.HorizonYears), "years", "comparison input (default 5, the councils' capital plan)"},
		{"Start year (year 0)", strconv.Itoa(c.StartYear), "", "comparison input"},
		{"Discount rate", c.DiscountRate.String(), "fraction a year", "comparison input (default 0.035: HM Treasury Green Book social time preference rate)"},
		{"Discounting convention", "year 0 undiscounted; each cost line x 1/(1+r)^t, exact, then rounded to the penny", "", "HM Treasury Green Book (2022), discounting"},
		{"Usage hours per year", k.hours.String(), "hours", "comparison input (default 8,760: always on)"},
		{"Factor set", k.fs.Version, "", "councilapi versioned factor set"},
		{"Weights", fmt.Sprintf("price %s, quality %s, social value %s, environment %s", c.Weights.Price, c.Weights.Quality, c.Weights.SocialValue, c.Weights.Environment), "points of 100", "comparison input (default 60/20/10/10)"},
	}
	for _, d := range c.Drivers {
		a = append(a, Assumption{"Demand driver " + d.ID, fmt.Sprintf("%s in year 0, growing %s a year", d.BaseQuantity, d.GrowthPerYear), d.Unit, "comparison input"})
	}
	used := map[string]bool{"hours.year": true}
	for t := range k.horizon {
		used[k.fs.GridAt(c.StartYear+t).Key] = true
		if c.MonetiseEmissions {
			used[k.fs.CarbonValueAt(c.StartYear+t).Key] = true
		}
	}
	for _, o := range c.OnPremOptions {
		a = append(a, Assumption{o.Name + ": indexation", o.Indexation.String(), "fraction a year", "comparison input"})
		a = append(a, Assumption{o.Name + ": licences", k.licenceText(o), "", "comparison input"})
		if o.PUE == nil {
			used["pue.onprem"] = true
		}
		if o.EmbodiedKgPerServer == nil {
			used["ccf.embodied_server"] = true
		}
		life, basis := k.embodiedLife(o), "the refresh cycle"
		switch {
		case o.EmbodiedLifeYears > 0:
			basis = "declared life"
		case o.RefreshYears == 0:
			basis, used["ccf.embodied_life"] = "the CCF server life (the estate is not refreshed)", true
		}
		a = append(a, Assumption{o.Name + ": embodied emissions spread over", strconv.Itoa(life), "years", basis})
	}
	for _, o := range c.CloudOptions {
		a = append(a, Assumption{o.Name + ": price basis", o.PriceBasis, "", "comparison input; G-Cloud service " + o.ServiceID + " as snapshotted"})
		a = append(a, Assumption{o.Name + ": indexation", o.Indexation.String(), "fraction a year", "comparison input"})
		cc := o.Carbon
		if cc.DeclaredKWhPerYear != nil {
			a = append(a, Assumption{o.Name + ": energy", cc.DeclaredKWhPerYear.String(), "kWh a year", "declared by the supplier"})
		} else if cc.Provider != "" {
			for _, key := range []string{"pue." + cc.Provider, "ccf.vcpu_min_w." + cc.Provider, "ccf.vcpu_max_w." + cc.Provider, "ccf.memory", "ccf.ssd", "ccf.hdd", "ccf.network"} {
				used[key] = true
			}
			if cc.Utilisation == nil {
				used["ccf.cpu_utilisation"] = true
			}
			storage, memory := k.replication(cc)
			for _, r := range []struct {
				what string
				f    Factor
			}{{"storage", storage}, {"memory", memory}} {
				if k.fs.Has(r.f.Key) {
					used[r.f.Key] = true
				} else {
					a = append(a, Assumption{o.Name + ": " + r.what + " replication", r.f.Value.String(), "copies", r.f.Source})
				}
			}
		}
		if cc.DeclaredEmbodiedKgPerYear != nil {
			a = append(a, Assumption{o.Name + ": embodied emissions", cc.DeclaredEmbodiedKgPerYear.String(), "kgCO2e a year", "declared by the supplier"})
		} else if cc.VCPUs > 0 {
			used["ccf.embodied_server"], used["ccf.embodied_life"] = true, true
			if cc.HostVCPUs == nil {
				used["ccf.host_vcpus"] = true
			}
		}
	}
	for _, f := range k.fs.Factors {
		if used[f.Key] {
			a = append(a, Assumption{Name: f.Key, Value: f.Value.String(), Unit: f.Unit, Source: fmt.Sprintf("%s (%d)", f.Source, f.Year)})
		}
	}
	return a
}

func (k *comp) licenceText(o OnPremOption) string {
	if o.LicenceModel == LicenceSubscription {
		return fmt.Sprintf("subscription %s a year", o.LicenceSubscriptionPerYear)
	}
	frac := "1 (bought again)"
	if o.LicenceRefreshFraction != nil {
		frac = o.LicenceRefreshFraction.String()
	}
	when := "at each refresh"
	if o.RefreshYears == 0 {
		when = "(no refresh within the horizon)"
	}
	return fmt.Sprintf("perpetual %s, x %s %s; support %s a year", o.LicencesOneOff, frac, when, o.LicenceSupportRate)
}

func (k *comp) flags(res Result) []Flag {
	flags := []Flag{}
	if k.c.Weights.SocialValue < DecInt(10) {
		flags = append(flags, Flag{"social-value-weight", fmt.Sprintf("social value is weighted %s%%; PPN 06/20 (carried on by PPN 002, 2025) requires at least 10%% in central government procurements and is good practice for councils", k.c.Weights.SocialValue)})
	}
	var projected []string
	for t := range k.horizon {
		y := k.c.StartYear + t
		g := k.fs.GridAt(y)
		switch g.Basis {
		case GridProjected:
			projected = append(projected, strconv.Itoa(y))
		case GridNearest:
			flags = append(flags, Flag{"grid-factor-year", fmt.Sprintf("no DESNZ grid factor or projection for %d in factor set %s; the %d factor (%s) is used", y, k.fs.Version, g.Year, g.Key)})
		}
		if k.c.MonetiseEmissions {
			if cv := k.fs.CarbonValueAt(y); cv.Year != y {
				flags = append(flags, Flag{"carbon-value-year", fmt.Sprintf("no carbon value for %d in factor set %s; the %d value is used", y, k.fs.Version, cv.Year)})
			}
		}
	}
	if len(projected) > 0 {
		flags = append(flags, Flag{"grid-factor-projected", fmt.Sprintf("grid factors for %s are projected, not published: %s", strings.Join(projected, ", "), k.fs.ProjectionSource())})
	}
	outside := func(name string, s SharedCosts) {
		for _, o := range s.OtherCosts {
			if o.Year >= k.horizon {
				flags = append(flags, Flag{"cost-outside-horizon", fmt.Sprintf("%s: %q starts in year %d, after the %d-year horizon, so it is not counted", name, o.Name, o.Year, k.horizon)})
			}
		}
	}
	for _, o := range k.c.OnPremOptions {
		outside(o.Name, o.SharedCosts)
	}
	for _, o := range k.c.CloudOptions {
		outside(o.Name, o.SharedCosts)
	}
	for _, o := range k.c.CloudOptions {
		if o.Carbon.DeclaredKWhPerYear == nil && o.Carbon.Provider == "" {
			flags = append(flags, Flag{"no-carbon-data", o.Name + " has neither a declared energy figure nor resources to estimate one: its operational emissions are counted as zero"})
		}
	}
	for _, o := range res.Options {
		if o.Summary.Rank == 1 && o.Summary.WholeLifeCost >= 5_000_000 {
			flags = append(flags, Flag{"key-decision", fmt.Sprintf("the top-ranked option (%s) costs £%s over the horizon: £50,000 or more makes it a Key Decision", o.Name, o.Summary.WholeLifeCost)})
		}
	}
	return flags
}
