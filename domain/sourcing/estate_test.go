package sourcing

import (
	"testing"

	"github.com/jointict/councilapi/domain/estate"
	"github.com/jointict/councilapi/domain/money"
)

// The estate's servers, storage and network are the hardware bought again
// each (shortest) refresh cycle; software splits into one-off licences and
// subscriptions; laptops stay whichever option is chosen.
func TestAnOnPremiseOptionStartsFromTheEstate(t *testing.T) {
	assets := []estate.Asset{
		{ID: "hosts", Category: estate.Server, Quantity: 2, ReplacementCost: money.Pounds(12000), RefreshYears: 5, PowerWatts: 325},
		{ID: "san", Category: estate.Storage, Quantity: 1, ReplacementCost: money.Pounds(9000), RefreshYears: 4, PowerWatts: 200},
		{ID: "windows", Category: estate.Software, Quantity: 2, ReplacementCost: money.Pounds(900), Licence: estate.Perpetual},
		{ID: "backup", Category: estate.Software, Quantity: 1, ReplacementCost: money.Pounds(1500), Licence: estate.Subscription},
		{ID: "laptops", Category: estate.EndUserDevice, Quantity: 300, ReplacementCost: money.Pounds(700), PowerWatts: 20},
	}
	o := OnPremOptionFromEstate("onprem", "The estate as it is", assets)
	if o.Servers != 2 || o.HardwareCapex.String() != "33000" || o.RefreshYears != 4 || o.PowerWatts.String() != "850" ||
		o.LicencesOneOff.String() != "1800" || o.LicenceSubscriptionPerYear.String() != "1500" {
		t.Errorf("from the estate: %+v", o)
	}
}
