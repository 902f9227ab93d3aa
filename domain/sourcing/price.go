package sourcing

import "fmt"

// DefaultUsageHours is the hours per year a time-metered service is assumed to
// run (24 x 365) unless the comparison says otherwise.
var DefaultUsageHours = DecInt(8760)

// PeriodsPerYear is how many priceIntervals fall in a year. Second, Minute
// and Hour prices are charged for usage hours only (default 8,760: always
// on). The one-off interval "" has no periods: ok is true and periods is 0, and
// callers charge it once instead.
func PeriodsPerYear(interval string, usageHours Dec) (periods Dec, ok bool) {
	if usageHours <= 0 {
		usageHours = DefaultUsageHours
	}
	switch interval {
	case "":
		return 0, true
	case "Second":
		return usageHours.MulInt(3600), true
	case "Minute":
		return usageHours.MulInt(60), true
	case "Hour":
		return usageHours, true
	case "Day":
		return DecInt(365), true
	case "Week":
		return DecInt(52), true
	case "Month":
		return DecInt(12), true
	case "Quarter":
		return DecInt(4), true
	case "6 months":
		return DecInt(2), true
	case "Year":
		return DecInt(1), true
	}
	return 0, false
}

// AnnualPrice normalises a unit price to a price per unit per year, the key
// for sorting and comparing services with different intervals. A one-off
// price is taken as it stands (paid once, so once in the first year).
func AnnualPrice(price Dec, interval string, usageHours Dec) (Dec, error) {
	periods, ok := PeriodsPerYear(interval, usageHours)
	if !ok {
		return 0, fmt.Errorf("unknown priceInterval %q", interval)
	}
	if interval == "" {
		return price, nil
	}
	return price.Mul(periods), nil
}

// NormalisedPrice is the service's priceMin per unit per year at the default
// usage hours; the search index sorts and filters on it.
func (s Service) NormalisedPrice() Dec {
	p, err := AnnualPrice(s.PriceMin, s.PriceInterval, DefaultUsageHours)
	if err != nil {
		return s.PriceMin
	}
	return p
}
