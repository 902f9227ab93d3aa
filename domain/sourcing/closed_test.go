package sourcing_test

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/jointict/councilapi/domain/sourcing"
)

// TestClosedFrameworksFromFacetsAgreeWithEachService: the search leaves out
// exactly the services whose own framework status is closed on the day,
// whether the framework table or the service's recorded expiry decides it,
// also after changes and a snapshot round trip.
func TestClosedFrameworksFromFacetsAgreeWithEachService(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	services := genServices(1500, 8)
	for i := range services {
		services[i].FrameworkSlug = []string{"g-cloud-12", "g-cloud-13", "g-cloud-14", "g-cloud-15", "g-cloud-99"}[r.IntN(5)]
		services[i].FrameworkExpiry = []string{"", "", "", "2025-06-30", "2026-12-31", "2027-03-31"}[r.IntN(6)]
	}
	ix := sourcing.NewIndex(services[:1200])
	for _, s := range services[1200:] {
		ix.Upsert(s)
	}
	for _, s := range services[:100] {
		s.FrameworkExpiry = "2024-01-01"
		ix.Upsert(s)
		services[slices.IndexFunc(services, func(x sourcing.Service) bool { return x.ID == s.ID })] = s
	}
	loaded := roundTrip(t, ix)
	for _, day := range []string{"2022-01-01", "2024-11-08", "2024-11-09", "2025-07-01", "2026-10-29", "2027-01-01", "2028-01-01"} {
		at, _ := time.Parse(time.DateOnly, day)
		var want []string
		for _, s := range services {
			if !s.FrameworkStatusOn(at).Closed() {
				want = append(want, s.ID)
			}
		}
		sort.Strings(want)
		for name, index := range map[string]*sourcing.Index{"built": ix, "loaded": loaded} {
			q := sourcing.SearchQuery{Sort: sourcing.SortName, Limit: sourcing.MaxLimit, AsOf: at}
			var got []string
			total := index.Search(q).Total
			for q.Offset = 0; q.Offset < total; q.Offset += sourcing.MaxLimit {
				for _, h := range index.Search(q).Hits {
					got = append(got, h.Service.ID)
				}
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s index on %s: %d services open, want %d", name, day, len(got), len(want))
			}
		}
	}
}
