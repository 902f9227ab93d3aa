package estate

import (
	"sort"

	"github.com/jointict/councilapi/domain/procurement"
)

// Reason is why an asset needs replacing.
type Reason string

const (
	EndOfSupport Reason = "endOfSupport" // the vendor stops security updates
	EndOfLife    Reason = "endOfLife"    // the refresh cycle is over
)

// RefreshNeed is an asset that must be replaced, when and at what cost,
// with what an on-premise option of a sourcing comparison needs prefilled
// (hardware, licences, power, refresh cycle, server count).
type RefreshNeed struct {
	AssetID      string   `json:"assetId"`
	Organisation string   `json:"organisation"`
	Category     Category `json:"category"`
	Product      string   `json:"product"`
	Version      string   `json:"version,omitempty"`
	Quantity     int      `json:"quantity"`
	Reason       Reason   `json:"reason"`
	// Due is the date that drives the need; Year the financial year the
	// money is needed in (the current one when Due has passed).
	Due           procurement.Date          `json:"due"`
	Year          procurement.FinancialYear `json:"year"`
	Overdue       bool                      `json:"overdue"`
	EndOfSupport  procurement.Date          `json:"endOfSupport,omitzero"`
	SupportSource string                    `json:"supportSource,omitempty"`
	EndOfLife     procurement.Date          `json:"endOfLife,omitzero"`
	// Cost is Quantity times the replacement cost; it is split into
	// Hardware, perpetual Licences and yearly SubscriptionPerYear.
	Cost                procurement.Pence `json:"cost"`
	Hardware            procurement.Pence `json:"hardware"`
	Licences            procurement.Pence `json:"licences"`
	SubscriptionPerYear procurement.Pence `json:"subscriptionPerYear"`
	LicenceModel        LicenceModel      `json:"licence,omitempty"`
	// Capital reports spend that is capital (hardware, perpetual licences).
	Capital      bool `json:"capital"`
	PowerWatts   int  `json:"powerWatts"` // of all units
	RefreshYears int  `json:"refreshYears,omitempty"`
	Servers      int  `json:"servers"`
}

// DefaultHorizonMonths is how far ahead a need is raised: two years, the
// time a council needs to budget, procure and migrate.
const DefaultHorizonMonths = 24

// RefreshNeeds lists the assets whose end of support or of life falls on
// or before today plus horizonMonths, the earlier of the two deciding,
// ordered by due date then asset id.
func RefreshNeeds(assets []Asset, t SupportTable, today procurement.Date, horizonMonths int) []RefreshNeed {
	h := today.Time().AddDate(0, horizonMonths, 0)
	limit := procurement.NewDate(h.Year(), h.Month(), h.Day())
	out := []RefreshNeed{}
	for _, a := range assets {
		n, ok := a.need(t, today)
		if ok && !n.Due.After(limit) {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].AssetID < out[j].AssetID
	})
	return out
}

func (a Asset) need(t SupportTable, today procurement.Date) (RefreshNeed, bool) {
	eos, source, hasEOS := a.SupportEnd(t)
	eol, hasEOL := a.EndOfLife()
	if !hasEOS && !hasEOL {
		return RefreshNeed{}, false
	}
	n := RefreshNeed{AssetID: a.ID, Organisation: a.Organisation, Category: a.Category, Product: a.Product, Version: a.Version,
		Quantity: a.Quantity, EndOfSupport: eos, SupportSource: source, EndOfLife: eol, LicenceModel: a.Licence,
		PowerWatts: a.PowerWatts * a.Quantity, RefreshYears: a.RefreshYears}
	switch {
	case hasEOS && (!hasEOL || !eol.Before(eos)):
		n.Reason, n.Due = EndOfSupport, eos
	default:
		n.Reason, n.Due = EndOfLife, eol
	}
	n.Overdue = n.Due.Before(today)
	n.Year = procurement.FinancialYearOf(n.Due)
	if now := procurement.FinancialYearOf(today); n.Year < now {
		n.Year = now
	}
	n.Cost = a.ReplacementCost * procurement.Pence(a.Quantity)
	switch {
	case a.Category.Hardware():
		n.Hardware, n.Capital = n.Cost, true
	case a.Licence == Perpetual:
		n.Licences, n.Capital = n.Cost, true
	default:
		n.SubscriptionPerYear = n.Cost
	}
	if a.Category == Server {
		n.Servers = a.Quantity
	}
	return n, true
}
