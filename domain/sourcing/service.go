package sourcing

import (
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Lots of the G-Cloud framework (G-Cloud 12 onwards).
const (
	LotHosting  = "cloud-hosting"
	LotSoftware = "cloud-software"
	LotSupport  = "cloud-support"
)

// Lots lists the lot slugs in the Digital Marketplace's order.
var Lots = []string{LotHosting, LotSoftware, LotSupport}

// PriceUnits are the priceUnit values of the G-Cloud 12/13 schemas.
var PriceUnits = []string{"Unit", "Person", "Licence", "User", "Device", "Instance", "Server",
	"Virtual machine", "Transaction", "Megabyte", "Gigabyte", "Terabyte"}

// PriceIntervals are the priceInterval values; "" means a one-off price.
var PriceIntervals = []string{"", "Second", "Minute", "Hour", "Day", "Week", "Month", "Quarter", "6 months", "Year"}

// DataLocations are the dataStorageAndProcessingLocations values. The schemas
// still list privacy_shield, which the CJEU struck down in 2020 (Schrems II);
// it is accepted on import so old records load, and filtered like "other".
var DataLocations = []string{"uk", "eea", "other", "privacy_shield"}

// Clearance enumerations from the schemas.
var (
	GovernmentClearances = []string{"dv", "sc", "bpss", "none"}
	StaffScreening       = []string{"staff_screening_to_bs7858_2012", "staff_screening_not_bs7858_2012", "none"}
	GovernanceStandards  = []string{"csa_ccm", "iso_iec_27001", "other"}
	PublicSectorNetworks = []string{"psn", "pnn", "hscn", "janet", "scotland_wide_area_network", "other"}
)

// Supplier is the supplier's registration and buyer contact. Embedded in
// Service, its fields appear flat in JSON as they do in the Digital
// Marketplace's service records (supplierId, supplierName). The
// validate:"required" tags document, for the OpenAPI document, what
// Service.Validate requires.
type Supplier struct {
	// SupplierID is the Digital Marketplace supplier id (a number there; text here).
	SupplierID string `json:"supplierId"`
	// SupplierName is the supplier's trading name.
	SupplierName string `json:"supplierName" validate:"required"`
	// CompaniesHouseNumber is the supplier's company registration number.
	CompaniesHouseNumber string `json:"companiesHouseNumber,omitempty"`
	// DUNSNumber is the supplier's Dun & Bradstreet number.
	DUNSNumber string `json:"dunsNumber,omitempty"`
	// ContactName, ContactEmail and ContactPhone are the buyers' contact;
	// the e-mail must be an address when given.
	ContactName  string `json:"contactName,omitempty"`
	ContactEmail string `json:"contactEmail,omitempty"`
	ContactPhone string `json:"contactPhone,omitempty"`
	// Website is the supplier's web site.
	Website string `json:"website,omitempty"`
}

// Service is one G-Cloud service, with the Digital Marketplace's field names.
type Service struct {
	// ID is the Digital Marketplace service id: 1-64 letters, digits, '.', '_' or '-'.
	ID string `json:"id" validate:"required" example:"512345678901234"`
	// FrameworkSlug is the G-Cloud framework the service is listed on, g-cloud-NN.
	FrameworkSlug string `json:"frameworkSlug" validate:"required" example:"g-cloud-14"`
	// Lot is cloud-hosting, cloud-software or cloud-support ("lotSlug" is read too).
	Lot string `json:"lot" validate:"required" example:"cloud-software"`
	Supplier
	// ServiceName is the service's name, at most 100 characters.
	ServiceName string `json:"serviceName" validate:"required"`
	// ServiceDescription is at most 500 characters.
	ServiceDescription string `json:"serviceDescription" validate:"required"`
	// ServiceFeatures and ServiceBenefits are up to 10 items of at most 100 characters each.
	ServiceFeatures []string `json:"serviceFeatures,omitempty"`
	ServiceBenefits []string `json:"serviceBenefits,omitempty"`
	// ServiceCategories are the lot's categories the service is listed
	// under; at least one for cloud-hosting and cloud-software.
	ServiceCategories []string `json:"serviceCategories,omitempty"`

	// PriceMin is the lowest price in pounds excluding VAT, per PriceUnit
	// per PriceInterval (0 to 1,000,000,000; a leading "£" is accepted).
	PriceMin Dec `json:"priceMin" validate:"required" example:"9.50"`
	// PriceMax is the highest price, at least PriceMin; absent when the price is fixed.
	PriceMax *Dec `json:"priceMax,omitempty" example:"12.00"`
	// PriceUnit is Unit, Person, Licence, User, Device, Instance, Server,
	// Virtual machine, Transaction, Megabyte, Gigabyte or Terabyte.
	PriceUnit string `json:"priceUnit" validate:"required" example:"User"`
	// PriceInterval is Second, Minute, Hour, Day, Week, Month, Quarter,
	// 6 months or Year; empty for a one-off price.
	PriceInterval string `json:"priceInterval" example:"Month"`

	// The assurance flags the search's assurance filter reads.
	StandardsISOIEC27001 bool `json:"standardsISOIEC27001"`
	StandardsCSASTAR     bool `json:"standardsCSASTAR"`
	StandardsPCI         bool `json:"standardsPCI"`
	StandardsISO28000    bool `json:"standardsISO28000"`
	CyberEssentials      bool `json:"cyberEssentials"`
	CyberEssentialsPlus  bool `json:"cyberEssentialsPlus"`
	// PublicSectorNetworksTypes: psn, pnn, hscn, janet, scotland_wide_area_network, other.
	PublicSectorNetworksTypes []string `json:"publicSectorNetworksTypes,omitempty"`
	// GovernmentSecurityClearances: dv, sc, bpss or none.
	GovernmentSecurityClearances string `json:"governmentSecurityClearances,omitempty"`
	// StaffSecurityClearanceChecks: staff_screening_to_bs7858_2012, staff_screening_not_bs7858_2012 or none.
	StaffSecurityClearanceChecks string `json:"staffSecurityClearanceChecks,omitempty"`
	// SecurityGovernanceStandards: csa_ccm, iso_iec_27001, other.
	SecurityGovernanceStandards []string `json:"securityGovernanceStandards,omitempty"`

	// DataStorageAndProcessingLocations: uk, eea, other (privacy_shield is
	// read and searched as other); at least one outside cloud-support.
	DataStorageAndProcessingLocations []string `json:"dataStorageAndProcessingLocations,omitempty"`
	EnergyEfficientDatacentres        bool     `json:"energyEfficientDatacentres"`
	// ServiceDefinitionDocumentURL is the absolute http(s) URL of the service definition document.
	ServiceDefinitionDocumentURL string `json:"serviceDefinitionDocumentURL" validate:"required" example:"https://example.co.uk/service-definition.pdf"`
	// FrameworkExpiry, YYYY-MM-DD, overrides the framework's known end date
	// (searches leave out services whose framework has ended).
	FrameworkExpiry string `json:"frameworkExpiry,omitempty" example:"2026-10-28"`

	// PriceHistory is kept by the server: every price the service has
	// carried, with when and from which import or officer; leave it out.
	PriceHistory []PriceHistoryEntry `json:"priceHistory,omitempty" readonly:"true"`
} //	@name	sourcing.Service (the OpenAPI name: app/sourcing, also package sourcing, has a Service type too)

// PriceHistoryEntry records a price a service carried from a moment on.
type PriceHistoryEntry struct {
	PriceMin      Dec       `json:"priceMin"`
	PriceMax      *Dec      `json:"priceMax,omitempty"`
	PriceUnit     string    `json:"priceUnit"`
	PriceInterval string    `json:"priceInterval"`
	From          time.Time `json:"from"`
	Source        string    `json:"source"` // "import:<file>" or "officer:<user>"
}

var (
	frameworkRe = regexp.MustCompile(`^g-cloud-\d{1,2}$`)
	serviceIDRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// maxPrice keeps every price far inside Dec's range when multiplied by
// quantities and periods; no G-Cloud unit price approaches it.
var maxPrice = DecInt(1_000_000_000)

// Validate returns every field problem at once.
func (s Service) Validate() error {
	var p domain.Problems
	if !serviceIDRe.MatchString(s.ID) {
		p.Add("id", "is required: 1-64 letters, digits, '.', '_' or '-', as the Digital Marketplace service id")
	}
	if !frameworkRe.MatchString(s.FrameworkSlug) {
		p.Add("frameworkSlug", "must be a G-Cloud framework slug such as g-cloud-13")
	}
	if !slices.Contains(Lots, s.Lot) {
		p.Add("lot", "must be one of %s", strings.Join(Lots, ", "))
	}
	if strings.TrimSpace(s.SupplierName) == "" {
		p.Add("supplierName", "is required")
	}
	if s.ContactEmail != "" {
		if _, err := mail.ParseAddress(s.ContactEmail); err != nil {
			p.Add("contactEmail", "must be an e-mail address")
		}
	}
	if strings.TrimSpace(s.ServiceName) == "" || len(s.ServiceName) > 100 {
		p.Add("serviceName", "is required, at most 100 characters")
	}
	if strings.TrimSpace(s.ServiceDescription) == "" || len(s.ServiceDescription) > 500 {
		p.Add("serviceDescription", "is required, at most 500 characters")
	}
	checkList(&p, "serviceFeatures", s.ServiceFeatures, 10, 100)
	checkList(&p, "serviceBenefits", s.ServiceBenefits, 10, 100)
	if s.Lot != LotSupport && len(s.ServiceCategories) == 0 {
		p.Add("serviceCategories", "needs at least one category for the %s lot", s.Lot)
	}
	if dup := firstDuplicate(s.ServiceCategories); dup != "" {
		p.Add("serviceCategories", "lists %q twice", dup)
	}
	validatePrice(&p, "", s.PriceMin, s.PriceMax, s.PriceUnit, s.PriceInterval)
	if s.GovernmentSecurityClearances != "" && !slices.Contains(GovernmentClearances, s.GovernmentSecurityClearances) {
		p.Add("governmentSecurityClearances", "must be one of %s", strings.Join(GovernmentClearances, ", "))
	}
	if s.StaffSecurityClearanceChecks != "" && !slices.Contains(StaffScreening, s.StaffSecurityClearanceChecks) {
		p.Add("staffSecurityClearanceChecks", "must be one of %s", strings.Join(StaffScreening, ", "))
	}
	checkEnum(&p, "securityGovernanceStandards", s.SecurityGovernanceStandards, GovernanceStandards)
	checkEnum(&p, "publicSectorNetworksTypes", s.PublicSectorNetworksTypes, PublicSectorNetworks)
	checkEnum(&p, "dataStorageAndProcessingLocations", s.DataStorageAndProcessingLocations, DataLocations)
	if s.Lot != LotSupport && len(s.DataStorageAndProcessingLocations) == 0 {
		p.Add("dataStorageAndProcessingLocations", "needs at least one of uk, eea, other")
	}
	if u, err := url.Parse(s.ServiceDefinitionDocumentURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.Add("serviceDefinitionDocumentURL", "must be an absolute http(s) URL of the service definition document")
	}
	if s.FrameworkExpiry != "" {
		if _, err := time.Parse(time.DateOnly, s.FrameworkExpiry); err != nil {
			p.Add("frameworkExpiry", "must be a date as YYYY-MM-DD")
		}
	}
	return p.Err()
}

func validatePrice(p *domain.Problems, prefix string, lo Dec, hi *Dec, unit, interval string) {
	if lo < 0 || lo > maxPrice {
		p.Add(prefix+"priceMin", "must be between 0 and 1000000000 pounds excluding VAT")
	}
	if hi != nil && *hi < lo {
		p.Add(prefix+"priceMax", "must be at least priceMin (%s)", lo)
	}
	if hi != nil && *hi > maxPrice {
		p.Add(prefix+"priceMax", "must be at most 1000000000 pounds excluding VAT")
	}
	if !slices.Contains(PriceUnits, unit) {
		p.Add(prefix+"priceUnit", "must be one of %s", strings.Join(PriceUnits, ", "))
	}
	if !slices.Contains(PriceIntervals, interval) {
		p.Add(prefix+"priceInterval", "must be empty (one-off) or one of %s", strings.Join(PriceIntervals[1:], ", "))
	}
}

func checkList(p *domain.Problems, field string, items []string, maxItems, maxLen int) {
	if len(items) > maxItems {
		p.Add(field, "has %d items; at most %d are allowed", len(items), maxItems)
	}
	for i, it := range items {
		if strings.TrimSpace(it) == "" || len(it) > maxLen {
			p.Add(field, "item %d must be 1-%d characters", i+1, maxLen)
		}
	}
}

func checkEnum(p *domain.Problems, field string, got, allowed []string) {
	for _, v := range got {
		if !slices.Contains(allowed, v) {
			p.Add(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
	}
	if dup := firstDuplicate(got); dup != "" {
		p.Add(field, "lists %q twice", dup)
	}
}

func firstDuplicate(items []string) string {
	for i, a := range items {
		if slices.Contains(items[i+1:], a) {
			return a
		}
	}
	return ""
}

// MaxPrice is priceMax when given, else priceMin.
func (s Service) MaxPrice() Dec {
	if s.PriceMax != nil {
		return *s.PriceMax
	}
	return s.PriceMin
}

func samePrice(a, b Service) bool {
	return a.PriceMin == b.PriceMin && a.MaxPrice() == b.MaxPrice() &&
		a.PriceUnit == b.PriceUnit && a.PriceInterval == b.PriceInterval
}

// Merge is the upsert rule: incoming replaces existing, keeping existing's
// price history and appending an entry when the price changed (or when there
// was no history yet). existing is nil for a new service.
func Merge(existing *Service, incoming Service, at time.Time, source string) Service {
	out := incoming
	out.PriceHistory = nil
	if existing != nil {
		out.PriceHistory = slices.Clone(existing.PriceHistory)
	}
	if existing == nil || len(out.PriceHistory) == 0 || !samePrice(*existing, incoming) {
		out.PriceHistory = append(out.PriceHistory, PriceHistoryEntry{
			PriceMin: incoming.PriceMin, PriceMax: incoming.PriceMax, PriceUnit: incoming.PriceUnit,
			PriceInterval: incoming.PriceInterval, From: at.UTC(), Source: source,
		})
	}
	return out
}
