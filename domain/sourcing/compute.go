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
	rates   *rateTable
	hours   Dec
	horizon int
	drivers map[string][]Dec // quantity by year
}

// Compare validates the input and computes the comparison.
func Compare(c Comparison) (Result, error) {
	if err := c.Validate(); err != nil {
		return Result{}, err
	}
	c = c.withDefaults()
	fs, _ := LookupFactorSet(c.FactorSetVersion)
	k := &comp{c: c, fs: fs, rates: newRateTable(c.HorizonYears), hours: *c.UsageHoursPerYear,
		horizon: c.HorizonYears, drivers: map[string][]Dec{}}
	for _, d := range c.Drivers {
		g := k.rates.table(d.GrowthPerYear, false)
		q := make([]Dec, k.horizon)
		for t := range q {
			q[t] = apply(d.BaseQuantity, g[t])
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

// yearDraft is a year's figures before discounting.
type yearDraft struct {
	lines     []CostLine
	kwh, embd Dec
}

func (y *yearDraft) add(item string, m Money) {
	if m != 0 {
		y.lines = append(y.lines, CostLine{Item: item, Amount: m})
	}
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
	idx := k.rates.table(o.Indexation, false)
	kwh, embodied := k.cloudEnergy(o.Carbon)
	out := make([]yearDraft, k.horizon)
	var bought Dec // units already charged a one-off price
	for t := range out {
		y := &out[t]
		qty := o.FixedQuantity
		for _, q := range o.Quantities {
			qty += q.PerUnit.Mul(k.drivers[q.Driver][t])
		}
		unit := apply(price, idx[t])
		if o.PriceInterval == "" {
			if qty > bought {
				y.add("Service (one-off)", product3(unit, qty-bought, DecInt(1)))
				bought = qty
			}
		} else {
			y.add("Service charges", product3(unit, qty, periods))
		}
		if t == 0 {
			y.add("Onboarding", ToMoney(o.Onboarding))
		}
		if t == k.horizon-1 {
			y.add("Exit", ToMoney(apply(o.Exit, idx[t])))
		}
		y.kwh, y.embd = kwh, embodied
	}
	return out
}

func (k *comp) onPremYears(o OnPremOption) []yearDraft {
	idx := k.rates.table(o.Indexation, false)
	pue := k.fs.Get("pue.onprem").Value
	if o.PUE != nil {
		pue = *o.PUE
	}
	hours := k.fs.Get("hours.year").Value
	kwh := o.PowerWatts.Mul(hours).Mul(pue).Div(DecInt(1000)).Round(3)
	perServer := k.fs.Get("ccf.embodied_server").Value
	if o.EmbodiedKgPerServer != nil {
		perServer = *o.EmbodiedKgPerServer
	}
	life := int64(o.EmbodiedLifeYears)
	if life == 0 {
		life = int64(k.fs.Get("ccf.embodied_life").Value / decScale)
	}
	embodied := perServer.MulInt(int64(o.Servers)).Div(DecInt(life)).Round(3)
	refresh := o.RefreshYears
	if refresh == 0 {
		refresh = k.horizon + 1
	}
	out := make([]yearDraft, k.horizon)
	ix := func(d Dec, t int) Money { return ToMoney(apply(d, idx[t])) }
	for t := range out {
		y := &out[t]
		if t%refresh == 0 {
			y.add("Hardware", ix(o.HardwareCapex, t))
			y.add("Installation", ix(o.Installation, t))
		}
		if t == 0 {
			y.add("Software licences", ToMoney(o.LicencesOneOff))
		}
		y.add("Licence support", ix(o.LicencesOneOff.Mul(o.LicenceSupportRate), t))
		y.add("Maintenance", ix(o.MaintenancePerYear, t))
		y.add("Electricity", ToMoney(apply(kwh.Mul(o.ElectricityPricePerKWh), idx[t])))
		y.add("Staff", ix(o.StaffFTE.Mul(o.StaffCostPerFTE), t))
		y.add("Facilities and rack", ix(o.FacilitiesPerYear, t))
		y.add("Backup and DR", ix(o.BackupDRPerYear, t))
		y.kwh, y.embd = kwh, embodied
	}
	// Residual value: hardware retired at a refresh is sold for the residual
	// fraction in that year; hardware still in service at the end of the
	// horizon is valued straight-line between its cost and its residual.
	for p := 0; p < k.horizon; p += refresh {
		paid := apply(o.HardwareCapex, idx[p])
		residual := paid.Mul(o.ResidualValue)
		end := p + refresh
		if end < k.horizon {
			out[end].add("Residual value (sold at refresh)", -ToMoney(residual))
			continue
		}
		if o.RefreshYears == 0 || o.ResidualValue == 0 {
			continue
		}
		age := int64(k.horizon - p)
		value := paid - (paid - residual).MulInt(age).Div(DecInt(int64(o.RefreshYears)))
		out[k.horizon-1].add("Residual value (in service at horizon end)", -ToMoney(value))
	}
	return out
}

// finish discounts, accumulates and adds carbon to an option's years.
func (k *comp) finish(kind, id, name string, drafts []yearDraft, q, sv Assessment) OptionResult {
	disc := k.rates.table(*k.c.DiscountRate, true)
	o := OptionResult{ID: id, Name: name, Kind: kind, Years: make([]YearResult, len(drafts))}
	var cumCash, cumDisc Money
	s := &o.Summary
	for t, d := range drafts {
		var cash Money
		for _, l := range d.lines {
			cash += l.Amount
		}
		grid := k.fs.Grid(k.c.StartYear + t).Value
		y := YearResult{Year: k.c.StartYear + t, Index: t, Lines: d.lines, Cash: cash,
			DiscountFactor: Dec(mulDiv(disc[t], 1, fixed12/decScale)), Discounted: applyMoney(cash, disc[t]),
			EnergyKWh: d.kwh.Round(3), GridFactor: grid, OperationalKgCO2e: d.kwh.Mul(grid).Round(3), EmbodiedKgCO2e: d.embd.Round(3)}
		if y.Lines == nil {
			y.Lines = []CostLine{}
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
