// Package estate is the ICT estate register of each organisation: what it
// runs (servers, storage, network, end-user devices, software), when each
// asset was bought, what replacing it costs, and when its vendor stops
// supporting it. Assets past or near the end of support or of their
// refresh cycle become refresh needs, which feed the capital programme
// and, later, the on-premise options of a sourcing comparison. It is pure:
// dates are inputs, files are bytes.
package estate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// Category is what kind of asset it is.
type Category string

const (
	Server        Category = "server"
	Storage       Category = "storage"
	Network       Category = "network"
	EndUserDevice Category = "endUserDevice"
	Software      Category = "software"
)

// Categories lists the valid categories.
var Categories = []Category{Server, Storage, Network, EndUserDevice, Software}

// Hardware reports a physical asset (everything but software).
func (c Category) Hardware() bool { return c != Software }

// LicenceModel is how software is paid for.
type LicenceModel string

const (
	Perpetual    LicenceModel = "perpetual"    // bought once: capital
	Subscription LicenceModel = "subscription" // paid every year: revenue
)

// Asset is one line of the estate register: Quantity identical units.
type Asset struct {
	ID           string           `json:"id"`
	Organisation string           `json:"organisation"`
	Category     Category         `json:"category"`
	Product      string           `json:"product"`
	Version      string           `json:"version,omitempty"`
	Vendor       string           `json:"vendor,omitempty"`
	Quantity     int              `json:"quantity"`
	Acquired     procurement.Date `json:"acquired,omitzero"`
	// ReplacementCost is the cost of replacing one unit today, excluding
	// VAT: for subscription software, a year's subscription.
	ReplacementCost procurement.Pence `json:"replacementCost"`
	// RefreshYears is the economic life after which the asset is replaced
	// even if still supported (0: only end of support decides).
	RefreshYears int `json:"refreshYears,omitempty"`
	// EndOfSupport is the officer's date, overriding the shipped table.
	EndOfSupport procurement.Date `json:"endOfSupport,omitzero"`
	Licence      LicenceModel     `json:"licence,omitempty"`
	// PowerWatts is the average draw of one unit.
	PowerWatts int    `json:"powerWatts,omitempty"`
	Location   string `json:"location,omitempty"`
	Notes      string `json:"notes,omitempty"`
}

var assetID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// Validate reports every problem with the asset.
func (a Asset) Validate() error { return a.problems().Err() }

func (a Asset) problems() domain.Problems {
	var pr domain.Problems
	if !assetID.MatchString(a.ID) {
		pr.Add("id", "must be a short id of letters, digits, '_', '.' or '-', e.g. srv-fs01")
	}
	if strings.TrimSpace(a.Organisation) == "" {
		pr.Add("organisation", "is required: the organisation whose estate it is")
	}
	if !slices.Contains(Categories, a.Category) {
		pr.Add("category", "must be one of server, storage, network, endUserDevice, software")
	}
	if strings.TrimSpace(a.Product) == "" || len(a.Product) > 200 {
		pr.Add("product", "is required, e.g. \"Windows Server 2003\" or \"Dell PowerEdge R710\", at most 200 characters")
	}
	if a.Quantity < 1 || a.Quantity > 1_000_000 {
		pr.Add("quantity", "must be a whole number of units from 1 to 1000000")
	}
	if a.ReplacementCost < 0 {
		pr.Add("replacementCost", "must not be negative")
	}
	if a.RefreshYears < 0 || a.RefreshYears > 30 {
		pr.Add("refreshYears", "must be 0 to 30 years")
	}
	if a.PowerWatts < 0 || a.PowerWatts > 100_000 {
		pr.Add("powerWatts", "must be the average draw of one unit in watts, 0 to 100000")
	}
	switch {
	case a.Category == Software && a.Licence != Perpetual && a.Licence != Subscription:
		pr.Add("licence", "software is perpetual or subscription")
	case a.Category != Software && a.Licence != "":
		pr.Add("licence", "is given only for software")
	}
	if a.RefreshYears > 0 && a.Acquired.IsZero() {
		pr.Add("acquired", "give the acquisition date, from which the %d-year refresh cycle runs", a.RefreshYears)
	}
	return pr
}

// SupportEnd is the asset's end of support and where the date comes from:
// the officer's override, else the shipped table; ok is false when neither
// knows the product.
func (a Asset) SupportEnd(t SupportTable) (end procurement.Date, source string, ok bool) {
	if !a.EndOfSupport.IsZero() {
		return a.EndOfSupport, "officer", true
	}
	if e, found := t.Lookup(a.Product, a.Version); found {
		return e.EndOfSupport, fmt.Sprintf("%s (table %s)", e.Source, t.Version), true
	}
	return procurement.Date{}, "", false
}

// EndOfLife is the end of the refresh cycle: acquisition plus RefreshYears.
func (a Asset) EndOfLife() (procurement.Date, bool) {
	if a.RefreshYears == 0 || a.Acquired.IsZero() {
		return procurement.Date{}, false
	}
	t := a.Acquired.Time().AddDate(a.RefreshYears, 0, 0)
	return procurement.NewDate(t.Year(), t.Month(), t.Day()), true
}
