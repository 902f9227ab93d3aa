package sourcing

import (
	"math/big"
)

// Result is a computed comparison. Money is in pence-rounded pounds, energy
// in kWh and emissions in kgCO2e, both rounded to 3 decimals, per cell; every
// total is the sum of its rounded cells.
type Result struct {
	Title            string         `json:"title"`
	FactorSetVersion string         `json:"factorSetVersion"`
	HorizonYears     int            `json:"horizonYears"`
	StartYear        int            `json:"startYear"`
	DiscountRate     Dec            `json:"discountRate"`
	UsageHours       Dec            `json:"usageHoursPerYear"`
	Weights          Weights        `json:"weights"`
	BaselineID       string         `json:"baselineId,omitempty"`
	Years            []int          `json:"years"`
	Options          []OptionResult `json:"options"`
	Assumptions      []Assumption   `json:"assumptions"`
	Flags            []Flag         `json:"flags"`
	Method           string         `json:"method"`
}

// OptionResult is one option's yearly figures and summary.
type OptionResult struct {
	ID      string       `json:"id"`
	Name    string       `json:"name"`
	Kind    string       `json:"kind"` // gcloud or on-premise
	Years   []YearResult `json:"years"`
	Summary Summary      `json:"summary"`
}

// CostLine is one item of a year's cash cost.
type CostLine struct {
	Item   string `json:"item"`
	Amount Money  `json:"amount"`
}

// YearResult holds one option's figures for one year.
type YearResult struct {
	Year                 int        `json:"year"`
	Index                int        `json:"index"` // t: 0 for the start year
	Lines                []CostLine `json:"lines"`
	Cash                 Money      `json:"cash"`
	DiscountFactor       Dec        `json:"discountFactor"` // 1/(1+r)^t to 6 places, for display
	Discounted           Money      `json:"discounted"`
	CumulativeCash       Money      `json:"cumulativeCash"`
	CumulativeDiscounted Money      `json:"cumulativeDiscounted"`
	EnergyKWh            Dec        `json:"energyKwh"`
	GridFactor           Dec        `json:"gridFactorKgCO2ePerKwh"`
	OperationalKgCO2e    Dec        `json:"operationalKgCO2e"`
	EmbodiedKgCO2e       Dec        `json:"embodiedKgCO2e"`
}

// Summary is an option's whole-life figures, scores and rank.
type Summary struct {
	WholeLifeCost           Money      `json:"wholeLifeCost"` // nominal
	NPV                     Money      `json:"npv"`
	SavingVsBaseline        Money      `json:"savingVsBaseline"` // baseline NPV - this NPV
	SavingVsBaselineNominal Money      `json:"savingVsBaselineNominal"`
	BreakEvenYear           *int       `json:"breakEvenYear,omitempty"`
	EnergyKWh               Dec        `json:"energyKwh"`
	OperationalKgCO2e       Dec        `json:"operationalKgCO2e"`
	EmbodiedKgCO2e          Dec        `json:"embodiedKgCO2e"`
	TotalKgCO2e             Dec        `json:"totalKgCO2e"`
	EnvironmentalScore      Dec        `json:"environmentalScore"` // 0-100
	Quality                 Assessment `json:"quality"`
	SocialValue             Assessment `json:"socialValue"`
	PricePoints             Dec        `json:"pricePoints"`
	QualityPoints           Dec        `json:"qualityPoints"`
	SocialValuePoints       Dec        `json:"socialValuePoints"`
	EnvironmentPoints       Dec        `json:"environmentPoints"`
	BestValueScore          Dec        `json:"bestValueScore"`
	Rank                    int        `json:"rank"`
}

// Assumption is one input, default or factor that a figure rests on.
type Assumption struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Unit   string `json:"unit,omitempty"`
	Source string `json:"source"`
}

// Flag draws the reader's attention to something about the comparison.
type Flag struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

const fixed12 = 1_000_000_000_000

// rateTable caches (1+r)^t and 1/(1+r)^t as integers scaled by 10^12,
// computed exactly and rounded once, so the yearly figures need only int64
// arithmetic and match a spreadsheet to the penny.
type rateTable struct {
	horizon int
	grow    map[Dec][]int64
	disc    map[Dec][]int64
}

func newRateTable(horizon int) *rateTable {
	return &rateTable{horizon: horizon, grow: map[Dec][]int64{}, disc: map[Dec][]int64{}}
}

func (rt *rateTable) table(r Dec, inverse bool) []int64 {
	m := rt.grow
	if inverse {
		m = rt.disc
	}
	if t, ok := m[r]; ok {
		return t
	}
	out := make([]int64, rt.horizon)
	num, den := big.NewInt(1), big.NewInt(1)
	base, onePlus := big.NewInt(decScale), big.NewInt(decScale+int64(r))
	scale, q, rem := big.NewInt(fixed12), new(big.Int), new(big.Int)
	for t := range rt.horizon {
		a, b := num, den // value = a/b = ((1e6+r)/1e6)^t
		if inverse {
			a, b = den, num
		}
		q.Mul(a, scale)
		q.QuoRem(q, b, rem)
		if rem.Lsh(rem, 1).Cmp(b) >= 0 {
			q.Add(q, big.NewInt(1))
		}
		out[t] = q.Int64()
		num.Mul(num, onePlus)
		den.Mul(den, base)
	}
	m[r] = out
	return out
}

// apply scales v by a 10^12 factor, rounding half away from zero.
func apply(v Dec, f int64) Dec { return Dec(mulDiv(int64(v), f, fixed12)) }

func applyMoney(m Money, f int64) Money { return Money(mulDiv(int64(m), f, fixed12)) }

// product3 is round(a*b*c) to pence, exact: the three Decs each carry 10^6.
func product3(a, b, c Dec) Money {
	p := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(int64(b)))
	p.Mul(p, big.NewInt(int64(c)))
	d := big.NewInt(10_000_000_000_000_000) // 10^18 to pounds, 10^16 to pence
	neg := p.Sign() < 0
	p.Abs(p)
	q, r := new(big.Int).QuoRem(p, d, new(big.Int))
	if r.Lsh(r, 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return Money(q.Int64())
}
