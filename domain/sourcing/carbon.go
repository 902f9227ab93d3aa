package sourcing

import (
	"fmt"
	"strconv"
)

// Method is the published method of the comparison, returned with every
// result and printed in the README.
const Method = `Whole-life cost: for each option and year t = 0..horizon-1 the cash cost is the sum of its cost lines, each rounded to the penny. ` +
	`Interval-priced G-Cloud services cost unit price x quantity x periods per year (Second, Minute and Hour prices use the usage hours per year, default 8,760; Day 365; Week 52; Month 12; Quarter 4; 6 months 2; Year 1); ` +
	`one-off prices are charged once per unit, in the year the unit is first needed. Quantities are a fixed quantity plus, for each demand driver, units per driver unit x the driver, which grows by (1+g)^t. ` +
	`Prices and running costs are at year-0 prices uplifted by (1+indexation)^t in the year they fall. Onboarding falls in year 0 and exit in the last year. ` +
	`On-premise hardware and installation are bought in year 0 and at every refresh; hardware retired at a refresh is sold for its residual value, and hardware in service at the end is valued straight-line between its cost and its residual value. ` +
	`Discounting follows the HM Treasury Green Book: year 0 is undiscounted and year t is multiplied by 1/(1+r)^t (r default 3.5%); the net present value (NPV) is the sum of the discounted years. ` +
	`Growth, indexation and discount factors are exact to 12 decimal places; every money cell is rounded half away from zero to the penny and totals are sums of rounded cells. ` +
	`Carbon: on-premise energy kWh = watts x 8,760 hours x PUE / 1000 (PUE default 1.58); cloud energy is the supplier's declared kWh or the Cloud Carbon Footprint estimate: ` +
	`(vCPUs x usage hours x (min W + utilisation x (max W - min W)) / 1000 + memory GB x usage hours x 0.000392 + (SSD TB x 1.2 + HDD TB x 0.65) x 8,760 / 1000 + network GB x 0.001) x provider PUE. ` +
	`Operational kgCO2e = kWh x the DESNZ UK grid factor for the calendar year (the nearest published year outside the set). ` +
	`Embodied kgCO2e per year: on-premise servers x 1,000 kgCO2e (or declared) / 4-year life (or declared); cloud: declared, or 1,000 kgCO2e x vCPUs / host vCPUs x usage hours / (4 x 8,760). ` +
	`Environmental score = 100 x lowest total kgCO2e / option total kgCO2e. ` +
	`Best value (most advantageous tender): price points = price weight x lowest NPV / option NPV; quality and social value points = weight x officer's score (0-100, with evidence) / 100; environment points = weight x environmental score / 100; ` +
	`the weights sum to 100 and the options are ranked by the sum of points (ties: lower NPV first). ` +
	`Saving = baseline (on-premise) NPV - option NPV; break-even year = first year from which the option's cumulative discounted cost stays at or below the baseline's.`

// cloudEnergy returns a cloud option's yearly kWh and embodied kgCO2e.
func (k *comp) cloudEnergy(cc CloudCarbon) (kwh, embodied Dec) {
	hours, fullYear := k.hours, k.fs.Get("hours.year").Value
	if cc.DeclaredKWhPerYear != nil {
		kwh = *cc.DeclaredKWhPerYear
	} else if cc.Provider != "" {
		util := k.fs.Get("ccf.cpu_utilisation").Value
		if cc.Utilisation != nil {
			util = *cc.Utilisation
		}
		lo := k.fs.Get("ccf.vcpu_min_w." + cc.Provider).Value
		hi := k.fs.Get("ccf.vcpu_max_w." + cc.Provider).Value
		watts := lo + util.Mul(hi-lo)
		compute := cc.VCPUs.Mul(hours).Mul(watts).Div(DecInt(1000))
		memory := cc.MemoryGB.Mul(hours).Mul(k.fs.Get("ccf.memory").Value)
		storage := (cc.SSDTB.Mul(k.fs.Get("ccf.ssd").Value) + cc.HDDTB.Mul(k.fs.Get("ccf.hdd").Value)).Mul(fullYear).Div(DecInt(1000))
		network := cc.NetworkGBPerYear.Mul(k.fs.Get("ccf.network").Value)
		kwh = (compute + memory + storage + network).Mul(k.fs.Get("pue." + cc.Provider).Value)
	}
	if cc.DeclaredEmbodiedKgPerYear != nil {
		embodied = *cc.DeclaredEmbodiedKgPerYear
	} else if cc.VCPUs > 0 {
		host := k.fs.Get("ccf.host_vcpus").Value
		if cc.HostVCPUs != nil {
			host = *cc.HostVCPUs
		}
		life := k.fs.Get("ccf.embodied_life").Value
		embodied = k.fs.Get("ccf.embodied_server").Value.Mul(cc.VCPUs).Div(host).Mul(hours).Div(life.Mul(fullYear))
	}
	return kwh.Round(3), embodied.Round(3)
}

// assumptions lists every input default and factor the result used.
func (k *comp) assumptions() []Assumption {
	c := k.c
	a := []Assumption{
		{"Horizon", strconv.Itoa(c.HorizonYears), "years", "comparison input (default 5, the councils' capital plan)"},
		{"Start year (year 0)", strconv.Itoa(c.StartYear), "", "comparison input"},
		{"Discount rate", c.DiscountRate.String(), "fraction a year", "comparison input (default 0.035: HM Treasury Green Book social time preference rate)"},
		{"Discounting convention", "year 0 undiscounted; factor 1/(1+r)^t", "", "HM Treasury Green Book (2022), discounting"},
		{"Usage hours per year", k.hours.String(), "hours", "comparison input (default 8,760: always on)"},
		{"Factor set", k.fs.Version, "", "councilapi versioned factor set"},
		{"Weights", fmt.Sprintf("price %s, quality %s, social value %s, environment %s", c.Weights.Price, c.Weights.Quality, c.Weights.SocialValue, c.Weights.Environment), "points of 100", "comparison input (default 60/20/10/10)"},
	}
	for _, d := range c.Drivers {
		a = append(a, Assumption{"Demand driver " + d.ID, fmt.Sprintf("%s in year 0, growing %s a year", d.BaseQuantity, d.GrowthPerYear), d.Unit, "comparison input"})
	}
	used := map[string]bool{"hours.year": true}
	for t := range k.horizon {
		used[k.fs.Grid(c.StartYear+t).Key] = true
	}
	for _, o := range c.OnPremOptions {
		a = append(a, Assumption{o.Name + ": indexation", o.Indexation.String(), "fraction a year", "comparison input"})
		if o.PUE == nil {
			used["pue.onprem"] = true
		}
		if o.EmbodiedKgPerServer == nil {
			used["ccf.embodied_server"] = true
		}
		if o.EmbodiedLifeYears == 0 {
			used["ccf.embodied_life"] = true
		}
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

func (k *comp) flags(res Result) []Flag {
	flags := []Flag{}
	if k.c.Weights.SocialValue < DecInt(10) {
		flags = append(flags, Flag{"social-value-weight", fmt.Sprintf("social value is weighted %s%%; PPN 06/20 (carried on by PPN 002, 2025) requires at least 10%% in central government procurements and is good practice for councils", k.c.Weights.SocialValue)})
	}
	for t := range k.horizon {
		if y := k.c.StartYear + t; k.fs.Grid(y).Year != y {
			flags = append(flags, Flag{"grid-factor-year", fmt.Sprintf("no DESNZ grid factor for %d in factor set %s; the %d factor is used", y, k.fs.Version, k.fs.Grid(y).Year)})
		}
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
