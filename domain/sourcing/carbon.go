package sourcing

import ()

// Method is the published method of the comparison, returned with every
// result and printed in the README.
const Method = `Whole-life cost: for each option and year t = 0..horizon-1 the cash cost is the sum of its cost lines. ` +
	`Interval-priced G-Cloud services cost unit price x quantity x periods per year (Second, Minute and Hour prices use the usage hours per year, default 8,760; Day 365; Week 52; Month 12; Quarter 4; 6 months 2; Year 1); ` +
	`one-off prices are charged once per unit, in the year the unit is first needed. Quantities are a fixed quantity plus, for each demand driver, units per driver unit x the driver, which grows by (1+g)^t. ` +
	`Prices and running costs are at year-0 prices uplifted by (1+indexation)^t in the year they fall. Onboarding, one-off training, network changes and migration fall in year 0, parallel running in its first years and exit in the last year. ` +
	`Every option, cloud or on-premise, can carry staff (FTE x loaded cost per FTE), training, network and connectivity, migration, parallel running, retained on-premise costs, exit and named other lines with their source. ` +
	`On-premise hardware and installation are bought in year 0 and at every refresh; perpetual software licences are bought in year 0 and bought again (or upgraded, at the fraction given) at every refresh, with support each year as a share of the licence value; subscription licences are paid every year. ` +
	`Hardware retired at a refresh is sold for its residual value, and hardware in service at the end is valued straight-line between its cost and its residual value. ` +
	`Discounting follows the HM Treasury Green Book: year 0 is undiscounted and each cost line of year t is multiplied by 1/(1+r)^t (r default 3.5%); the net present value (NPV) is the sum of the discounted lines. ` +
	`Arithmetic is exact (rational numbers): growth, indexation and discount factors and the indexed unit price are never rounded; only cells are, money half away from zero to the penny, energy and emissions to 3 decimals, and totals are sums of rounded cells. ` +
	`Carbon: on-premise energy kWh = watts x 8,760 hours x PUE / 1000 (PUE default 1.58); cloud energy is the supplier's declared kWh or the Cloud Carbon Footprint estimate: ` +
	`(vCPUs x usage hours x (min W + utilisation x (max W - min W)) / 1000 + memory GB x usage hours x 0.000392 x memory replication + (SSD TB x 1.2 + HDD TB x 0.65) x 8,760 / 1000 x storage replication + network GB x 0.001) x provider PUE, ` +
	`with the CCF replication factors of the factor set (virtual-machine disks: AWS 2, Azure 3, GCP 1; memory 1) unless the option names a service or gives its own. ` +
	`Operational kgCO2e = kWh x the DESNZ UK grid factor for the calendar year; after the last published year, the factor set's named projection series (the nearest year the set has beyond it, flagged). ` +
	`Embodied kgCO2e per year: on-premise servers x 1,000 kgCO2e (or declared) / the declared life, else the refresh cycle, else the CCF 4-year life; cloud: declared, or 1,000 kgCO2e x vCPUs / host vCPUs x usage hours / (4 x 8,760). ` +
	`When asked, emissions are also valued at the factor set's Green Book carbon values (£ per tCO2e x kgCO2e / 1000, discounted like cash) and shown beside the cash figures, never added to them. ` +
	`Environmental score = 100 x lowest total kgCO2e / option total kgCO2e. ` +
	`Best value (most advantageous tender): price points = price weight x lowest NPV / option NPV; quality and social value points = weight x officer's score (0-100, with evidence) / 100; environment points = weight x environmental score / 100; ` +
	`the weights sum to 100 and the options are ranked by the sum of points (ties: lower NPV first). ` +
	`Saving = baseline (on-premise) NPV - option NPV; break-even year = first year from which the option's cumulative discounted cost stays at or below the baseline's.`

// cloudEnergy returns a cloud option's exact yearly kWh and embodied kgCO2e.
func (k *comp) cloudEnergy(cc CloudCarbon) (kwh, embodied exact) {
	hours, fullYear := rat(k.hours), rat(k.fs.Get("hours.year").Value)
	f := func(key string) exact { return rat(k.fs.Get(key).Value) }
	kwh, embodied = exactZero, exactZero
	if cc.DeclaredKWhPerYear != nil {
		kwh = rat(*cc.DeclaredKWhPerYear)
	} else if cc.Provider != "" {
		util := f("ccf.cpu_utilisation")
		if cc.Utilisation != nil {
			util = rat(*cc.Utilisation)
		}
		lo, hi := f("ccf.vcpu_min_w."+cc.Provider), f("ccf.vcpu_max_w."+cc.Provider)
		watts := add(lo, mul(util, sub(hi, lo)))
		perKW := frac(1, 1000)
		compute := mul(rat(cc.VCPUs), hours, watts, perKW)
		storageRep, memoryRep := k.replication(cc)
		memory := mul(rat(cc.MemoryGB), hours, f("ccf.memory"), rat(memoryRep.Value))
		storage := mul(add(mul(rat(cc.SSDTB), f("ccf.ssd")), mul(rat(cc.HDDTB), f("ccf.hdd"))), fullYear, perKW, rat(storageRep.Value))
		network := mul(rat(cc.NetworkGBPerYear), f("ccf.network"))
		kwh = mul(add(compute, memory, storage, network), f("pue."+cc.Provider))
	}
	if cc.DeclaredEmbodiedKgPerYear != nil {
		embodied = rat(*cc.DeclaredEmbodiedKgPerYear)
	} else if cc.VCPUs > 0 {
		host := f("ccf.host_vcpus")
		if cc.HostVCPUs != nil {
			host = rat(*cc.HostVCPUs)
		}
		share := quo(mul(rat(cc.VCPUs), hours), mul(host, f("ccf.embodied_life"), fullYear))
		embodied = mul(f("ccf.embodied_server"), share)
	}
	return kwh, embodied
}

// replication returns the storage and memory replication factors an option
// uses: its own, a named CCF service factor, or the factor set's default.
// A factor set without replication factors (uk-2025.1) replicates nothing.
func (k *comp) replication(cc CloudCarbon) (storage, memory Factor) {
	pick := func(own *Dec, service, defaultKey string) Factor {
		switch {
		case own != nil:
			return Factor{Key: "option", Value: *own, Source: "comparison input"}
		case service != "":
			return k.fs.Get("ccf.replication." + cc.Provider + "." + service)
		case k.fs.Has(defaultKey):
			return k.fs.Get(defaultKey)
		}
		return Factor{Key: "none", Value: DecInt(1), Source: "factor set " + k.fs.Version + " has no replication factors"}
	}
	return pick(cc.StorageReplication, cc.StorageReplicationService, "ccf.replication.storage."+cc.Provider),
		pick(cc.MemoryReplication, cc.MemoryReplicationService, "ccf.replication.memory")
}

// onPremEnergy returns an on-premise option's exact yearly kWh and embodied
// kgCO2e. The servers' embodied emissions are spread over the years they
// serve: the declared life, else the refresh cycle (a server replaced every
// five years carries a fifth of its manufacture each year), else, when the
// estate is never refreshed, the CCF server life.
func (k *comp) onPremEnergy(o OnPremOption) (kwh, embodied exact) {
	pue := k.fs.Get("pue.onprem").Value
	if o.PUE != nil {
		pue = *o.PUE
	}
	kwh = mul(rat(o.PowerWatts), rat(k.fs.Get("hours.year").Value), rat(pue), frac(1, 1000))
	perServer := k.fs.Get("ccf.embodied_server").Value
	if o.EmbodiedKgPerServer != nil {
		perServer = *o.EmbodiedKgPerServer
	}
	embodied = mul(rat(perServer), ratInt(int64(o.Servers)), frac(1, int64(k.embodiedLife(o))))
	return kwh, embodied
}

// embodiedLife is the years an on-premise option's embodied emissions are
// spread over, and where that figure comes from.
func (k *comp) embodiedLife(o OnPremOption) int {
	switch {
	case o.EmbodiedLifeYears > 0:
		return o.EmbodiedLifeYears
	case o.RefreshYears > 0:
		return o.RefreshYears
	}
	return int(k.fs.Get("ccf.embodied_life").Value / decScale)
}
