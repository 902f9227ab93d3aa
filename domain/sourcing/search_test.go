package sourcing

import "testing"

func TestSearchRankingAndSorting(t *testing.T) {
	a, b, c := validService(), validService(), validService()
	a.ID, a.ServiceName, a.ServiceDescription = "a", "Email archiving", "Keeps mail for years."
	b.ID, b.ServiceName, b.ServiceDescription = "b", "Payroll bureau", "Payroll with an archive of payslips and email support."
	c.ID, c.ServiceName, c.ServiceDescription = "c", "Planning portal", "Planning applications online."
	b.PriceMin, b.PriceInterval = MustDec("100"), "Year" // 100 a year
	a.PriceMin, a.PriceInterval = MustDec("10"), "Month" // 120 a year
	ix := NewIndex([]Service{a, b, c})
	res := ix.Search(SearchQuery{Keywords: "emails", Limit: 10})
	if res.Total != 2 || res.Hits[0].Service.ID != "a" || res.Hits[0].Score <= res.Hits[1].Score {
		t.Fatalf("a name match must outrank a description match: %+v", res.Hits)
	}
	res = ix.Search(SearchQuery{Keywords: "email", Sort: SortPrice, Limit: 10})
	if res.Hits[0].Service.ID != "b" || res.Hits[0].AnnualPrice != DecInt(100) {
		t.Fatalf("price sort uses the annual price: %+v", res.Hits)
	}
	res = ix.Search(SearchQuery{Sort: SortNameDesc, Limit: 2, Offset: 1})
	if res.Total != 3 || len(res.Hits) != 2 || res.Hits[0].Service.ID != "b" || res.Hits[1].Service.ID != "a" {
		t.Fatalf("name desc paging: %+v", res.Hits)
	}
}
