package sourcing

import (
	"fmt"
	"strings"
)

// Policy is an organisation's sourcing policy, a setting the caller reads
// from the organisation and passes in.
type Policy struct {
	// CloudFirst is a "cloud by default" strategy (North West
	// Leicestershire's ICT strategy sets one): an on-premise recommendation
	// must state the cost and service benefit that justifies it.
	CloudFirst bool `json:"cloudFirst"`
}

// CloudFirstCheck is the justification of an on-premise recommendation
// under a cloud-by-default policy, computed from the comparison: the NPV and
// emissions against the best-ranked cloud option, and the officer's service
// reasons.
type CloudFirstCheck struct {
	Recommended string `json:"recommended"` // option id
	BestCloud   string `json:"bestCloud,omitempty"`
	// NPVBenefit is the best cloud option's NPV minus the recommendation's:
	// positive when on-premise costs less.
	NPVBenefit Money `json:"npvBenefit"`
	// CarbonBenefitKgCO2e is the best cloud option's whole-life emissions
	// minus the recommendation's: positive when on-premise emits less.
	CarbonBenefitKgCO2e Dec    `json:"carbonBenefitKgCO2e"`
	ServiceReasons      string `json:"serviceReasons"`
	Statement           string `json:"statement"`
}

// CheckCloudFirst returns the check when the policy is on and the
// recommended option is on-premise, and nil otherwise.
func CheckCloudFirst(r Result, recommended OptionResult, serviceReasons string, policy Policy) *CloudFirstCheck {
	if !policy.CloudFirst || recommended.Kind != KindOnPrem {
		return nil
	}
	c := &CloudFirstCheck{Recommended: recommended.ID, ServiceReasons: strings.TrimSpace(serviceReasons)}
	var best *OptionResult
	for i := range r.Options {
		o := &r.Options[i]
		if o.Kind == KindGCloud && (best == nil || o.Summary.Rank < best.Summary.Rank) {
			best = o
		}
	}
	if best == nil {
		c.Statement = fmt.Sprintf("The council's cloud-by-default policy applies, but the comparison includes no cloud option to set against %s. Service reasons: %s",
			recommended.Name, c.ServiceReasons)
		return c
	}
	c.BestCloud = best.ID
	c.NPVBenefit = best.Summary.NPV - recommended.Summary.NPV
	c.CarbonBenefitKgCO2e = best.Summary.TotalKgCO2e - recommended.Summary.TotalKgCO2e
	cost := fmt.Sprintf("costs %s less in present value than %s, the best-ranked cloud option", c.NPVBenefit.Display(), best.Name)
	if c.NPVBenefit < 0 {
		cost = fmt.Sprintf("costs %s more in present value than %s, the best-ranked cloud option", (-c.NPVBenefit).Display(), best.Name)
	}
	carbon := fmt.Sprintf("emits %s kgCO2e less over the horizon", c.CarbonBenefitKgCO2e.Fixed(0))
	if c.CarbonBenefitKgCO2e < 0 {
		carbon = fmt.Sprintf("emits %s kgCO2e more over the horizon", (-c.CarbonBenefitKgCO2e).Fixed(0))
	}
	c.Statement = fmt.Sprintf("The council's cloud-by-default policy applies: %s is on-premise. It %s and %s. Service reasons: %s",
		recommended.Name, cost, carbon, c.ServiceReasons)
	return c
}
