package gcloudbench

import (
	"reflect"
	"slices"
	"testing"

	"github.com/jointict/councilapi/domain/sourcing"
)

// The benchmarks and the search tests rely on the generated catalogue
// being one the import would accept, the same for the same seed, and
// varied enough that each search filter selects some services and not all.
func TestServicesAreValidRepeatableAndVaried(t *testing.T) {
	services := Services(2000, 7, "g-cloud-13", "g-cloud-14")
	for _, s := range services {
		if err := s.Validate(); err != nil {
			t.Fatalf("service %s is not valid: %v", s.ID, err)
		}
	}
	if again := Services(2000, 7, "g-cloud-13", "g-cloud-14"); !reflect.DeepEqual(again, services) {
		t.Error("the same seed made another catalogue")
	}
	count := func(pred func(sourcing.Service) bool) int {
		n := 0
		for _, s := range services {
			if pred(s) {
				n++
			}
		}
		return n
	}
	for what, n := range map[string]int{
		"on G-Cloud 14":          count(func(s sourcing.Service) bool { return s.FrameworkSlug == "g-cloud-14" }),
		"in the hosting lot":     count(func(s sourcing.Service) bool { return s.Lot == sourcing.LotHosting }),
		"ISO/IEC 27001":          count(func(s sourcing.Service) bool { return s.StandardsISOIEC27001 }),
		"Cyber Essentials Plus":  count(func(s sourcing.Service) bool { return s.CyberEssentialsPlus }),
		"filed under Payroll":    count(func(s sourcing.Service) bool { return slices.Contains(s.ServiceCategories, "Payroll") }),
		"priced by the hour":     count(func(s sourcing.Service) bool { return s.PriceInterval == "Hour" }),
		"holding data in the UK": count(func(s sourcing.Service) bool { return s.DataStorageAndProcessingLocations[0] == "uk" }),
	} {
		if n == 0 || n == len(services) {
			t.Errorf("%d of %d services are %s: a filter on it would select none or all", n, len(services), what)
		}
	}
	for _, s := range Catalogue(100) {
		if s.FrameworkSlug != "g-cloud-15" {
			t.Fatalf("benchmark service %s is on %s, which closes", s.ID, s.FrameworkSlug)
		}
	}
}
