package sourcing

import (
	"cmp"
	"slices"
)

// Kinds of option.
const (
	KindGCloud = "gcloud"
	KindOnPrem = "on-premise"
)

// comp carries what every option's computation shares.
type comp struct {
	c       Comparison
	fs      *FactorSet
	pow     *powers
	hours   Dec
	horizon int
	drivers map[string][]exact // exact quantity by year
}

// Compare validates the input and computes the comparison.
func Compare(c Comparison) (Result, error) {
	if err := c.Validate(); err != nil {
		return Result{}, err
	}
	c = c.withDefaults()
	fs, _ := LookupFactorSet(c.FactorSetVersion)
	k := &comp{c: c, fs: fs, pow: newPowers(c.HorizonYears), hours: *c.UsageHoursPerYear,
		horizon: c.HorizonYears, drivers: map[string][]exact{}}
	for _, d := range c.Drivers {
		g := k.pow.growth(d.GrowthPerYear)
		q := make([]exact, k.horizon)
		for t := range q {
			q[t] = mul(rat(d.BaseQuantity), g[t])
		}
		k.drivers[d.ID] = q
	}
	res := Result{Title: c.Title, FactorSetVersion: fs.Version, HorizonYears: c.HorizonYears, StartYear: c.StartYear,
		DiscountRate: *c.DiscountRate, UsageHours: k.hours, Weights: *c.Weights, BaselineID: c.BaselineID,
		Method: Method}
	for t := range k.horizon {
		res.Years = append(res.Years, c.StartYear+t)
	}
	for _, o := range c.OnPremOptions {
		res.Options = append(res.Options, k.finish(KindOnPrem, o.ID, o.Name, k.onPremYears(o), o.Quality, o.SocialValue))
	}
	for _, o := range c.CloudOptions {
		res.Options = append(res.Options, k.finish(KindGCloud, o.ID, o.Name, k.cloudYears(o), o.Quality, o.SocialValue))
	}
	score(&res)
	res.Assumptions = k.assumptions()
	res.Flags = k.flags(res)
	return res, nil
}

func (c Comparison) withDefaults() Comparison {
	if c.HorizonYears == 0 {
		c.HorizonYears = DefaultHorizonYears
	}
	if c.DiscountRate == nil {
		r := DefaultDiscountRate
		c.DiscountRate = &r
	}
	if c.UsageHoursPerYear == nil {
		h := DefaultUsageHours
		c.UsageHoursPerYear = &h
	}
	if c.FactorSetVersion == "" {
		c.FactorSetVersion = CurrentFactorSetVersion
	}
	if c.Weights == nil {
		w := DefaultWeights
		c.Weights = &w
	}
	if c.BaselineID == "" && len(c.OnPremOptions) > 0 {
		c.BaselineID = c.OnPremOptions[0].ID
	}
	return c
}

// yearDraft is a year's figures before discounting: rounded money lines and
// exact energy and embodied emissions.
type yearDraft struct {
	lineSet
	kwh, embd exact
}

func (k *comp) cloudYears(o CloudOption) []yearDraft {
	price := o.PriceMin
	switch o.PriceBasis {
	case BasisMax:
		if o.PriceMax != nil {
			price = *o.PriceMax
		}
	case BasisQuote:
		price = *o.QuotePrice
	}
	periods, _ := PeriodsPerYear(o.PriceInterval, k.hours)
	idx := k.pow.growth(o.Indexation)
	kwh, embodied := k.cloudEnergy(o.Carbon)
	out := make([]yearDraft, k.horizon)
	bought := exactZero // units already charged a one-off price
	for t := range out {
		y := &out[t]
		qty := rat(o.FixedQuantity)
		for _, q := range o.Quantities {
			qty = add(qty, mul(rat(q.PerUnit), k.drivers[q.Driver][t]))
		}
		// The indexed unit price is not rounded: price x (1+i)^t x quantity
		// x periods is one exact product, rounded once to the penny.
		unit := mul(rat(price), idx[t])
		if o.PriceInterval == "" {
			if compare(qty, bought) > 0 {
				y.put(LineService, "Service (one-off)", mul(unit, sub(qty, bought)))
				bought = qty
			}
		} else {
			y.put(LineService, "Service charges", mul(unit, qty, rat(periods)))
		}
		if t == 0 {
			y.put(LineOnboarding, "Onboarding", rat(o.Onboarding))
		}
		k.sharedLines(&y.lineSet, o.SharedCosts, t, idx[t])
		y.kwh, y.embd = kwh, embodied
	}
	return out
}

func (k *comp) onPremYears(o OnPremOption) []yearDraft {
	idx := k.pow.growth(o.Indexation)
	kwh, embodied := k.onPremEnergy(o)
	refresh := o.RefreshYears
	if refresh == 0 {
		refresh = k.horizon + 1
	}
	rebuy := frac(1, 1)
	if o.LicenceRefreshFraction != nil {
		rebuy = rat(*o.LicenceRefreshFraction)
	}
	out := make([]yearDraft, k.horizon)
	for t := range out {
		y := &out[t]
		ix := func(d Dec) exact { return mul(rat(d), idx[t]) }
		if t%refresh == 0 {
			y.put(LineHardware, "Hardware", ix(o.HardwareCapex))
			y.put(LineInstallation, "Installation", ix(o.Installation))
			switch {
			case t == 0:
				y.put(LineLicence, "Software licences", rat(o.LicencesOneOff))
			case o.LicenceModel != LicenceSubscription:
				// Perpetual licences are bought again (or upgraded) with the
				// new hardware: the supported versions rarely outlive it.
				y.put(LineLicence, "Software licences (at refresh)", mul(ix(o.LicencesOneOff), rebuy))
			}
		}
		y.put(LineLicenceSupport, "Licence support", mul(ix(o.LicencesOneOff), rat(o.LicenceSupportRate)))
		y.put(LineSubscription, "Licence subscription", ix(o.LicenceSubscriptionPerYear))
		y.put(LineMaintenance, "Maintenance", ix(o.MaintenancePerYear))
		y.put(LineElectricity, "Electricity", mul(kwh, rat(o.ElectricityPricePerKWh), idx[t]))
		y.put(LineFacilities, "Facilities and rack", ix(o.FacilitiesPerYear))
		y.put(LineBackupDR, "Backup and DR", ix(o.BackupDRPerYear))
		k.sharedLines(&y.lineSet, o.SharedCosts, t, idx[t])
		y.kwh, y.embd = kwh, embodied
	}
	// Residual value: hardware retired at a refresh is sold for the residual
	// fraction in that year; hardware still in service at the end of the
	// horizon is valued straight-line between its cost and its residual.
	for p := 0; p < k.horizon; p += refresh {
		paid := mul(rat(o.HardwareCapex), idx[p])
		residual := mul(paid, rat(o.ResidualValue))
		end := p + refresh
		if end < k.horizon {
			out[end].put(LineResidual, "Residual value (sold at refresh)", neg(residual))
			continue
		}
		if o.RefreshYears == 0 || o.ResidualValue == 0 {
			continue
		}
		used := mul(sub(paid, residual), frac(int64(k.horizon-p), int64(o.RefreshYears)))
		value := sub(paid, used)
		out[k.horizon-1].put(LineResidual, "Residual value (in service at horizon end)", neg(value))
	}
	return out
}

// finish discounts, accumulates and adds carbon to an option's years.
func (k *comp) finish(kind, id, name string, drafts []yearDraft, q, sv Assessment) OptionResult {
	disc := k.pow.discount(*k.c.DiscountRate)
	o := OptionResult{ID: id, Name: name, Kind: kind, Years: make([]YearResult, len(drafts))}
	var cumCash, cumDisc Money
	var valueSum, valueNPV Money
	s := &o.Summary
	for t, d := range drafts {
		y := YearResult{Year: k.c.StartYear + t, Index: t, Lines: d.lines, DiscountFactor: decCell(disc[t], 6)}
		for i := range y.Lines {
			l := &y.Lines[i]
			l.Discounted = cell(mul(moneyExact(l.Amount), disc[t]))
			y.Cash += l.Amount
			y.Discounted += l.Discounted
		}
		if y.Lines == nil {
			y.Lines = []CostLine{}
		}
		grid := k.fs.GridAt(y.Year)
		y.GridFactor, y.GridFactorSource = grid.Value, grid.Basis
		y.EnergyKWh = decCell(d.kwh, 3)
		operational := mul(d.kwh, rat(grid.Value))
		y.OperationalKgCO2e = decCell(operational, 3)
		y.EmbodiedKgCO2e = decCell(d.embd, 3)
		if k.c.MonetiseEmissions {
			// £ per tonne x kg / 1000, from the exact emissions.
			cv := k.fs.CarbonValueAt(y.Year)
			v := cell(mul(add(operational, d.embd), rat(cv.Value), frac(1, 1000)))
			vd := cell(mul(moneyExact(v), disc[t]))
			y.EmissionsValue, y.EmissionsValueDiscounted = &v, &vd
			valueSum += v
			valueNPV += vd
		}
		cumCash += y.Cash
		cumDisc += y.Discounted
		y.CumulativeCash, y.CumulativeDiscounted = cumCash, cumDisc
		o.Years[t] = y
		s.EnergyKWh += y.EnergyKWh
		s.OperationalKgCO2e += y.OperationalKgCO2e
		s.EmbodiedKgCO2e += y.EmbodiedKgCO2e
	}
	s.WholeLifeCost, s.NPV = cumCash, cumDisc
	s.TotalKgCO2e = s.OperationalKgCO2e + s.EmbodiedKgCO2e
	s.Quality, s.SocialValue = q, sv
	if k.c.MonetiseEmissions {
		s.EmissionsValue, s.EmissionsValueNPV = &valueSum, &valueNPV
	}
	return o
}

// score fills savings, break-even, environmental and best-value scores and ranks.
func score(res *Result) {
	var base *OptionResult
	lowestNPV, lowestKg := Money(0), Dec(-1)
	for i := range res.Options {
		o := &res.Options[i]
		if o.ID == res.BaselineID {
			base = o
		}
		if i == 0 || o.Summary.NPV < lowestNPV {
			lowestNPV = o.Summary.NPV
		}
		if lowestKg < 0 || o.Summary.TotalKgCO2e < lowestKg {
			lowestKg = o.Summary.TotalKgCO2e
		}
	}
	w := res.Weights
	for i := range res.Options {
		o := &res.Options[i]
		s := &o.Summary
		if base != nil {
			s.SavingVsBaseline = base.Summary.NPV - s.NPV
			s.SavingVsBaselineNominal = base.Summary.WholeLifeCost - s.WholeLifeCost
			if o != base {
				s.BreakEvenYear = breakEven(base.Years, o.Years)
			}
		}
		s.EnvironmentalScore = DecInt(100)
		if s.TotalKgCO2e > 0 {
			s.EnvironmentalScore = Dec(mulDiv(int64(lowestKg), 100*decScale, int64(s.TotalKgCO2e)))
		}
		// An option that costs nothing (or is paid to be taken) gets the full
		// price weight; others get it in proportion to the cheapest.
		s.PricePoints = w.Price
		if s.NPV > 0 && lowestNPV > 0 {
			s.PricePoints = Dec(mulDiv(int64(w.Price), int64(lowestNPV), int64(s.NPV)))
		}
		s.QualityPoints = Dec(mulDiv(int64(w.Quality), int64(s.Quality.Score), 100*decScale))
		s.SocialValuePoints = Dec(mulDiv(int64(w.SocialValue), int64(s.SocialValue.Score), 100*decScale))
		s.EnvironmentPoints = Dec(mulDiv(int64(w.Environment), int64(s.EnvironmentalScore), 100*decScale))
		s.BestValueScore = s.PricePoints + s.QualityPoints + s.SocialValuePoints + s.EnvironmentPoints
	}
	order := make([]int, len(res.Options))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		sa, sb := res.Options[a].Summary, res.Options[b].Summary
		if c := cmp.Compare(sb.BestValueScore, sa.BestValueScore); c != 0 {
			return c
		}
		return cmp.Compare(sa.NPV, sb.NPV)
	})
	for r, i := range order {
		res.Options[i].Summary.Rank = r + 1
	}
}

// breakEven is the first year from which the option's cumulative discounted
// cost stays at or below the baseline's to the end of the horizon.
func breakEven(base, opt []YearResult) *int {
	year := -1
	for t := len(opt) - 1; t >= 0; t-- {
		if opt[t].CumulativeDiscounted > base[t].CumulativeDiscounted {
			break
		}
		year = opt[t].Year
	}
	if year < 0 {
		return nil
	}
	return &year
}
