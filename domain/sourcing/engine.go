package sourcing

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

// CostLine is one item of a year's cash cost, with its present value: each
// line is discounted and rounded on its own, so the discounted column adds
// up line by line and the NPV moves by exactly the discounted lines that
// are added or removed.
type CostLine struct {
	Kind       string `json:"kind"` // LineStaff, LineLicence, ...
	Item       string `json:"item"`
	Source     string `json:"source,omitempty"` // for other lines: where the figure comes from
	Amount     Money  `json:"amount"`
	Discounted Money  `json:"discounted"`
}

// YearResult holds one option's figures for one year.
type YearResult struct {
	Year                 int        `json:"year"`
	Index                int        `json:"index"` // t: 0 for the start year
	Lines                []CostLine `json:"lines"`
	Cash                 Money      `json:"cash"`
	DiscountFactor       Dec        `json:"discountFactor"` // 1/(1+r)^t to 6 places, for display; lines use it exactly
	Discounted           Money      `json:"discounted"`     // the sum of the lines' discounted amounts
	CumulativeCash       Money      `json:"cumulativeCash"`
	CumulativeDiscounted Money      `json:"cumulativeDiscounted"`
	EnergyKWh            Dec        `json:"energyKwh"`
	GridFactor           Dec        `json:"gridFactorKgCO2ePerKwh"`
	OperationalKgCO2e    Dec        `json:"operationalKgCO2e"`
	EmbodiedKgCO2e       Dec        `json:"embodiedKgCO2e"`
	// GridFactorSource says whether the grid factor is published or projected.
	GridFactorSource string `json:"gridFactorSource"`
	// EmissionsValue is the year's emissions at the Green Book carbon value,
	// when the comparison monetises emissions; never part of Cash.
	EmissionsValue           *Money `json:"emissionsValue,omitempty"`
	EmissionsValueDiscounted *Money `json:"emissionsValueDiscounted,omitempty"`
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
	// EmissionsValue and EmissionsValueNPV monetise the emissions (nominal and
	// discounted) when asked; they are shown beside the cash figures and never
	// enter the NPV or the best-value score.
	EmissionsValue    *Money `json:"emissionsValue,omitempty"`
	EmissionsValueNPV *Money `json:"emissionsValueNpv,omitempty"`
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
