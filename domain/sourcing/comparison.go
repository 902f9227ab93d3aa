package sourcing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// Rates (discountRate, growthPerYear, indexation, licenceSupportRate,
// residualValue, utilisation) are fractions: 0.035 is 3.5%. Weights and
// scores are points out of 100. Amounts are pounds excluding VAT at year-0
// prices.

// Defaults of a comparison.
var (
	DefaultHorizonYears = 5
	DefaultDiscountRate = MustDec("0.035") // HM Treasury Green Book STPR, years 0-30
	DefaultWeights      = Weights{Price: DecInt(60), Quality: DecInt(20), SocialValue: DecInt(10), Environment: DecInt(10)}
)

// Price bases of a G-Cloud option.
const (
	BasisMin   = "min"
	BasisMax   = "max"
	BasisQuote = "quote"
)

// Comparison is the input of a whole-life cost and carbon comparison.
type Comparison struct {
	Title             string         `json:"title"`
	HorizonYears      int            `json:"horizonYears"`
	StartYear         int            `json:"startYear"`
	DiscountRate      *Dec           `json:"discountRate,omitempty"`
	UsageHoursPerYear *Dec           `json:"usageHoursPerYear,omitempty"`
	FactorSetVersion  string         `json:"factorSetVersion,omitempty"`
	Drivers           []DemandDriver `json:"drivers"`
	CloudOptions      []CloudOption  `json:"cloudOptions"`
	OnPremOptions     []OnPremOption `json:"onPremOptions"`
	BaselineID        string         `json:"baselineId,omitempty"` // an on-premise option; default the first
	Weights           *Weights       `json:"weights,omitempty"`
	// MonetiseEmissions values each year's emissions at the Green Book
	// carbon values of the factor set, shown beside the cash figures and
	// never added to them.
	MonetiseEmissions bool `json:"monetiseEmissions,omitempty"`
}

// DemandDriver is a quantity that drives cost, growing each year.
type DemandDriver struct {
	ID            string `json:"id"` // users, devices, instances, storageTB, transactions...
	Name          string `json:"name"`
	Unit          string `json:"unit"`
	BaseQuantity  Dec    `json:"baseQuantity"` // in year 0
	GrowthPerYear Dec    `json:"growthPerYear"`
}

// DriverQuantity bills PerUnit of the service's price unit per unit of a driver.
type DriverQuantity struct {
	Driver  string `json:"driver"`
	PerUnit Dec    `json:"perUnit"`
}

// Assessment is an officer's 0-100 score with the evidence for it.
type Assessment struct {
	Score    Dec    `json:"score"`
	Evidence string `json:"evidence"`
}

// Weights are the best-value (most advantageous tender) weights, summing to 100.
type Weights struct {
	Price       Dec `json:"price"`
	Quality     Dec `json:"quality"`
	SocialValue Dec `json:"socialValue"`
	Environment Dec `json:"environment"`
}

// CloudCarbon describes a cloud option's energy: a supplier's declared
// figures, or resources for the Cloud Carbon Footprint estimate.
type CloudCarbon struct {
	DeclaredKWhPerYear        *Dec   `json:"declaredKwhPerYear,omitempty"`
	DeclaredEmbodiedKgPerYear *Dec   `json:"declaredEmbodiedKgCO2ePerYear,omitempty"`
	Provider                  string `json:"provider,omitempty"` // aws, azure, gcp: the hosting behind the service
	VCPUs                     Dec    `json:"vcpus"`
	Utilisation               *Dec   `json:"utilisation,omitempty"`
	MemoryGB                  Dec    `json:"memoryGb"`
	SSDTB                     Dec    `json:"ssdTb"`
	HDDTB                     Dec    `json:"hddTb"`
	NetworkGBPerYear          Dec    `json:"networkGbPerYear"`
	HostVCPUs                 *Dec   `json:"hostVcpus,omitempty"`
	// StorageReplication and MemoryReplication multiply the storage and
	// memory energy by how many copies the provider keeps (Cloud Carbon
	// Footprint replication factors). Give a factor, or name one of the
	// factor set's ccf.replication.<provider>.<service> factors; the default
	// is the provider's virtual-machine disk factor for storage and 1 for
	// memory.
	StorageReplication        *Dec   `json:"storageReplication,omitempty"`
	StorageReplicationService string `json:"storageReplicationService,omitempty"`
	MemoryReplication         *Dec   `json:"memoryReplication,omitempty"`
	MemoryReplicationService  string `json:"memoryReplicationService,omitempty"`
}

// CloudOption is a G-Cloud service priced for the comparison. The price
// fields are a snapshot of the service, so a stored comparison does not move
// when the catalogue does.
type CloudOption struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ServiceID    string `json:"serviceId"`
	SupplierName string `json:"supplierName"`
	// FrameworkSlug and FrameworkExpiry are the service's framework as
	// snapshotted, checked by FrameworkProblems.
	FrameworkSlug   string           `json:"frameworkSlug,omitempty"`
	FrameworkExpiry string           `json:"frameworkExpiry,omitempty"`
	PriceMin        Dec              `json:"priceMin"`
	PriceMax        *Dec             `json:"priceMax,omitempty"`
	PriceUnit       string           `json:"priceUnit"`
	PriceInterval   string           `json:"priceInterval"`
	PriceBasis      string           `json:"priceBasis"` // min, max or quote
	QuotePrice      *Dec             `json:"quotePrice,omitempty"`
	FixedQuantity   Dec              `json:"fixedQuantity"`
	Quantities      []DriverQuantity `json:"quantities"`
	Onboarding      Dec              `json:"onboarding"` // one-off, year 0
	SharedCosts
	Indexation  Dec         `json:"indexation"`
	Carbon      CloudCarbon `json:"carbon"`
	Quality     Assessment  `json:"quality"`
	SocialValue Assessment  `json:"socialValue"`
}

// CloudOptionFromService snapshots a catalogue service into an option.
func CloudOptionFromService(id string, s Service) CloudOption {
	return CloudOption{ID: id, Name: s.ServiceName, ServiceID: s.ID, SupplierName: s.SupplierName,
		FrameworkSlug: s.FrameworkSlug, FrameworkExpiry: s.FrameworkExpiry,
		PriceMin: s.PriceMin, PriceMax: s.PriceMax, PriceUnit: s.PriceUnit, PriceInterval: s.PriceInterval,
		PriceBasis: BasisMin}
}

// Licence models of an on-premise option.
const (
	LicencePerpetual    = "perpetual"    // bought once, re-bought (or upgraded) at each refresh
	LicenceSubscription = "subscription" // paid every year
)

// OnPremOption is running the service on the council's own hardware.
type OnPremOption struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Servers       int    `json:"servers"`
	HardwareCapex Dec    `json:"hardwareCapex"` // per purchase of the whole estate
	RefreshYears  int    `json:"refreshYears"`  // 0: never refreshed within the horizon
	ResidualValue Dec    `json:"residualValue"` // fraction of capex recovered at the end of a refresh cycle
	Installation  Dec    `json:"installation"`  // per purchase
	// LicenceModel is perpetual (default) or subscription. Perpetual
	// licences cost LicencesOneOff in year 0 and LicencesOneOff x
	// LicenceRefreshFraction (default 1: bought again; less for upgrade
	// pricing) at each refresh, with support each year at
	// LicenceSupportRate of the licence value.
	LicenceModel               string `json:"licenceModel,omitempty"`
	LicencesOneOff             Dec    `json:"licencesOneOff"`
	LicenceRefreshFraction     *Dec   `json:"licenceRefreshFraction,omitempty"`
	LicenceSupportRate         Dec    `json:"licenceSupportRate"` // annual, fraction of the one-off licences
	LicenceSubscriptionPerYear Dec    `json:"licenceSubscriptionPerYear"`
	MaintenancePerYear         Dec    `json:"maintenancePerYear"`
	PowerWatts                 Dec    `json:"powerWatts"` // average draw of the estate
	PUE                        *Dec   `json:"pue,omitempty"`
	ElectricityPricePerKWh     Dec    `json:"electricityPricePerKwh"`
	SharedCosts
	FacilitiesPerYear   Dec  `json:"facilitiesPerYear"`
	BackupDRPerYear     Dec  `json:"backupDrPerYear"`
	EmbodiedKgPerServer *Dec `json:"embodiedKgCO2ePerServer,omitempty"`
	// EmbodiedLifeYears spreads the servers' embodied emissions; default
	// the refresh cycle, or the CCF server life when never refreshed.
	EmbodiedLifeYears int        `json:"embodiedLifeYears,omitempty"`
	Indexation        Dec        `json:"indexation"`
	Quality           Assessment `json:"quality"`
	SocialValue       Assessment `json:"socialValue"`
}

// Validate returns every problem with the comparison's input.
func (c Comparison) Validate() error {
	var p domain.Problems
	if strings.TrimSpace(c.Title) == "" {
		p.Add("title", "is required")
	}
	if c.HorizonYears != 0 && (c.HorizonYears < 1 || c.HorizonYears > 30) {
		p.Add("horizonYears", "must be 1 to 30 years (default 5, the capital plan)")
	}
	if c.StartYear < 2000 || c.StartYear > 2100 {
		p.Add("startYear", "must be the calendar year of year 0, such as 2026")
	}
	rangeCheck(&p, "discountRate", c.DiscountRate, "0", "0.2", "a fraction such as 0.035 for 3.5%")
	if c.UsageHoursPerYear != nil && (*c.UsageHoursPerYear <= 0 || *c.UsageHoursPerYear > DecInt(8784)) {
		p.Add("usageHoursPerYear", "must be more than 0 and at most 8784")
	}
	fs, _ := LookupFactorSet(CurrentFactorSetVersion)
	if c.FactorSetVersion != "" {
		var ok bool
		if fs, ok = LookupFactorSet(c.FactorSetVersion); !ok {
			p.Add("factorSetVersion", "must be one of %s", strings.Join(FactorSetVersions(), ", "))
			fs, _ = LookupFactorSet(CurrentFactorSetVersion)
		}
	}
	if c.MonetiseEmissions && !fs.HasCarbonValues() {
		p.Add("monetiseEmissions", "needs a factor set with Green Book carbon values (carbonvalue.YYYY); factor set %s has none, use %s", fs.Version, CurrentFactorSetVersion)
	}
	drivers := map[string]bool{}
	for i, d := range c.Drivers {
		f := fmt.Sprintf("drivers[%d].", i)
		if d.ID == "" || drivers[d.ID] {
			p.Add(f+"id", "is required and must be unique")
		}
		drivers[d.ID] = true
		if d.BaseQuantity < 0 || d.BaseQuantity > DecInt(1_000_000_000) {
			p.Add(f+"baseQuantity", "must be 0 to 1000000000")
		}
		rangeCheck(&p, f+"growthPerYear", &d.GrowthPerYear, "-0.5", "1", "a fraction such as 0.05 for 5% a year")
	}
	ids := map[string]bool{}
	optID := func(f, id string) {
		if strings.TrimSpace(id) == "" || ids[id] {
			p.Add(f+"id", "is required and must be unique across all options")
		}
		ids[id] = true
	}
	if len(c.CloudOptions)+len(c.OnPremOptions) == 0 {
		p.Add("cloudOptions", "at least one option is needed")
	}
	horizon := c.HorizonYears
	if horizon < 1 || horizon > 30 {
		horizon = DefaultHorizonYears
	}
	for i, o := range c.CloudOptions {
		f := fmt.Sprintf("cloudOptions[%d].", i)
		optID(f, o.ID)
		o.validate(&p, f, drivers)
		o.Carbon.validateReplication(&p, f+"carbon.", fs)
		o.SharedCosts.validate(&p, f, horizon)
	}
	for i, o := range c.OnPremOptions {
		f := fmt.Sprintf("onPremOptions[%d].", i)
		optID(f, o.ID)
		o.validate(&p, f)
		o.SharedCosts.validate(&p, f, horizon)
	}
	if c.BaselineID != "" && !slices.ContainsFunc(c.OnPremOptions, func(o OnPremOption) bool { return o.ID == c.BaselineID }) {
		p.Add("baselineId", "must be the id of an on-premise option")
	}
	if c.Weights != nil {
		w := *c.Weights
		for _, x := range []nv{{"price", w.Price}, {"quality", w.Quality}, {"socialValue", w.SocialValue}, {"environment", w.Environment}} {
			if x.v < 0 || x.v > DecInt(100) {
				p.Add("weights."+x.n, "must be 0 to 100")
			}
		}
		if sum := w.Price + w.Quality + w.SocialValue + w.Environment; sum != DecInt(100) {
			p.Add("weights", "price %s + quality %s + socialValue %s + environment %s = %s; the four weights must sum to 100",
				w.Price, w.Quality, w.SocialValue, w.Environment, sum)
		}
	}
	return p.Err()
}

func (o CloudOption) validate(p *domain.Problems, f string, drivers map[string]bool) {
	if strings.TrimSpace(o.Name) == "" {
		p.Add(f+"name", "is required")
	}
	validatePrice(p, f, o.PriceMin, o.PriceMax, o.PriceUnit, o.PriceInterval)
	switch o.PriceBasis {
	case BasisMin, BasisMax:
	case BasisQuote:
		if o.QuotePrice == nil || *o.QuotePrice < 0 || *o.QuotePrice > maxPrice {
			p.Add(f+"quotePrice", "is required for the quote basis: the quoted unit price in pounds excluding VAT")
		}
	default:
		p.Add(f+"priceBasis", "must be min, max or quote")
	}
	inBounds(p, f+"fixedQuantity", o.FixedQuantity)
	for j, q := range o.Quantities {
		if !drivers[q.Driver] {
			p.Add(fmt.Sprintf("%squantities[%d].driver", f, j), "must be the id of a demand driver")
		}
		if q.PerUnit < 0 || q.PerUnit > DecInt(1_000_000) {
			p.Add(fmt.Sprintf("%squantities[%d].perUnit", f, j), "must be 0 to 1000000")
		}
	}
	inBounds(p, f+"onboarding", o.Onboarding)
	rangeCheck(p, f+"indexation", &o.Indexation, "-0.1", "0.5", "a fraction such as 0.03 for 3% a year")
	cc := o.Carbon
	if cc.DeclaredKWhPerYear == nil && (cc.VCPUs > 0 || cc.MemoryGB > 0) && !slices.Contains([]string{"aws", "azure", "gcp"}, cc.Provider) {
		p.Add(f+"carbon.provider", "must be aws, azure or gcp to estimate energy with the Cloud Carbon Footprint method, or give declaredKwhPerYear")
	}
	for _, x := range []nv{{"vcpus", cc.VCPUs}, {"memoryGb", cc.MemoryGB}, {"ssdTb", cc.SSDTB}, {"hddTb", cc.HDDTB}, {"networkGbPerYear", cc.NetworkGBPerYear}} {
		inBounds(p, f+"carbon."+x.n, x.v)
	}
	rangeCheck(p, f+"carbon.utilisation", cc.Utilisation, "0", "1", "a fraction such as 0.5")
	if cc.DeclaredKWhPerYear != nil {
		inBounds(p, f+"carbon.declaredKwhPerYear", *cc.DeclaredKWhPerYear)
	}
	if cc.DeclaredEmbodiedKgPerYear != nil {
		inBounds(p, f+"carbon.declaredEmbodiedKgCO2ePerYear", *cc.DeclaredEmbodiedKgPerYear)
	}
	if cc.HostVCPUs != nil && (*cc.HostVCPUs <= 0 || *cc.HostVCPUs < cc.VCPUs) {
		p.Add(f+"carbon.hostVcpus", "must be positive and at least vcpus")
	}
	rangeCheck(p, f+"carbon.storageReplication", cc.StorageReplication, "1", "10", "how many copies the provider keeps, such as 3")
	rangeCheck(p, f+"carbon.memoryReplication", cc.MemoryReplication, "1", "10", "how many copies the provider keeps, such as 2")
	assess(p, f+"quality", o.Quality)
	assess(p, f+"socialValue", o.SocialValue)
}

func (cc CloudCarbon) validateReplication(p *domain.Problems, f string, fs *FactorSet) {
	for _, r := range []struct {
		field, service string
		own            *Dec
	}{{"storageReplicationService", cc.StorageReplicationService, cc.StorageReplication}, {"memoryReplicationService", cc.MemoryReplicationService, cc.MemoryReplication}} {
		if r.service == "" {
			continue
		}
		if r.own != nil {
			p.Add(f+r.field, "give a replication factor or a service, not both")
		}
		if !fs.Has(prefixReplication + cc.Provider + "." + r.service) {
			var known []string
			for _, x := range fs.Factors {
				if rest, ok := strings.CutPrefix(x.Key, prefixReplication+cc.Provider+"."); ok {
					known = append(known, rest)
				}
			}
			p.Add(f+r.field, "must be a Cloud Carbon Footprint service of provider %q in factor set %s: %s", cc.Provider, fs.Version, strings.Join(known, ", "))
		}
	}
}

func (o OnPremOption) validate(p *domain.Problems, f string) {
	if strings.TrimSpace(o.Name) == "" {
		p.Add(f+"name", "is required")
	}
	if o.Servers < 1 || o.Servers > 100_000 {
		p.Add(f+"servers", "must be 1 to 100000")
	}
	if o.RefreshYears < 0 || o.RefreshYears > 30 {
		p.Add(f+"refreshYears", "must be 0 (no refresh) to 30")
	}
	rangeCheck(p, f+"residualValue", &o.ResidualValue, "0", "1", "a fraction of the hardware cost such as 0.1")
	rangeCheck(p, f+"licenceSupportRate", &o.LicenceSupportRate, "0", "1", "a fraction such as 0.2 for 20% a year")
	rangeCheck(p, f+"licenceRefreshFraction", o.LicenceRefreshFraction, "0", "1", "the share of the licence value paid again at each refresh: 1 to re-buy, less for upgrade pricing")
	switch o.LicenceModel {
	case "", LicencePerpetual:
		if o.LicenceSubscriptionPerYear != 0 {
			p.Add(f+"licenceSubscriptionPerYear", "is for the subscription licence model; set licenceModel to subscription, or give licencesOneOff")
		}
	case LicenceSubscription:
		if o.LicencesOneOff != 0 || o.LicenceRefreshFraction != nil {
			p.Add(f+"licencesOneOff", "is for perpetual licences; a subscription is licenceSubscriptionPerYear")
		}
	default:
		p.Add(f+"licenceModel", "must be perpetual or subscription")
	}
	rangeCheck(p, f+"indexation", &o.Indexation, "-0.1", "0.5", "a fraction such as 0.03 for 3% a year")
	rangeCheck(p, f+"pue", o.PUE, "1", "3", "a power usage effectiveness such as 1.58")
	for _, x := range []nv{{"hardwareCapex", o.HardwareCapex}, {"installation", o.Installation},
		{"licencesOneOff", o.LicencesOneOff}, {"maintenancePerYear", o.MaintenancePerYear}, {"powerWatts", o.PowerWatts},
		{"electricityPricePerKwh", o.ElectricityPricePerKWh}, {"licenceSubscriptionPerYear", o.LicenceSubscriptionPerYear},
		{"facilitiesPerYear", o.FacilitiesPerYear}, {"backupDrPerYear", o.BackupDRPerYear}} {
		inBounds(p, f+x.n, x.v)
	}
	if o.EmbodiedKgPerServer != nil {
		inBounds(p, f+"embodiedKgCO2ePerServer", *o.EmbodiedKgPerServer)
	}
	if o.EmbodiedLifeYears < 0 || o.EmbodiedLifeYears > 30 {
		p.Add(f+"embodiedLifeYears", "must be 1 to 30 (default the refresh cycle; 4, the Cloud Carbon Footprint server life, when never refreshed)")
	}
	assess(p, f+"quality", o.Quality)
	assess(p, f+"socialValue", o.SocialValue)
}

// inBounds bounds an amount or quantity so that products stay exact in Dec.
func inBounds(p *domain.Problems, field string, v Dec) {
	if v < 0 || v > DecInt(1_000_000_000) {
		p.Add(field, "must be 0 to 1000000000")
	}
}

func rangeCheck(p *domain.Problems, field string, v *Dec, lo, hi, hint string) {
	if v != nil && (*v < MustDec(lo) || *v > MustDec(hi)) {
		p.Add(field, "must be %s to %s: %s", lo, hi, hint)
	}
}

func assess(p *domain.Problems, field string, a Assessment) {
	if a.Score < 0 || a.Score > DecInt(100) {
		p.Add(field+".score", "must be 0 to 100")
	}
	if a.Score > 0 && strings.TrimSpace(a.Evidence) == "" {
		p.Add(field+".evidence", "is required: say what the score rests on (tender answers, references, demonstrations)")
	}
}

// nv is a named value, for checking fields in a fixed order.
type nv struct {
	n string
	v Dec
}
