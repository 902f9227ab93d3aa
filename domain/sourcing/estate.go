package sourcing

import (
	"github.com/jointict/councilapi/domain/estate"
	"github.com/jointict/councilapi/domain/money"
)

// OnPremOptionFromEstate starts an on-premise option from the council's
// estate register: keeping what it runs and replacing it like for like.
// Servers, storage and network are the hardware (end-user devices stay
// whichever option is chosen, so they are left out), bought again every
// refresh cycle (the shortest one given); perpetual software is the
// one-off licences, subscriptions the yearly subscription; the power is
// the hardware's average draw. What the register does not know
// (maintenance, facilities, electricity price, assessments) the officer
// fills in.
func OnPremOptionFromEstate(id, name string, assets []estate.Asset) OnPremOption {
	o := OnPremOption{ID: id, Name: name}
	var capex, oneOff, subscription money.Amount
	var watts int64
	for _, a := range assets {
		cost := a.ReplacementCost * money.Amount(a.Quantity)
		switch {
		case a.Category == estate.EndUserDevice:
			continue
		case a.Category == estate.Software && a.Licence == estate.Subscription:
			subscription += cost
		case a.Category == estate.Software:
			oneOff += cost
		default:
			capex += cost
			watts += int64(a.PowerWatts) * int64(a.Quantity)
			if a.Category == estate.Server {
				o.Servers += a.Quantity
			}
			if a.RefreshYears > 0 && (o.RefreshYears == 0 || a.RefreshYears < o.RefreshYears) {
				o.RefreshYears = a.RefreshYears
			}
		}
	}
	o.HardwareCapex, o.LicencesOneOff, o.LicenceSubscriptionPerYear = amountDec(capex), amountDec(oneOff), amountDec(subscription)
	o.PowerWatts = Dec(watts * decScale)
	return o
}

// amountDec is an amount of money as a decimal of pounds.
func amountDec(a money.Amount) Dec { return MustDec(a.String()) }
