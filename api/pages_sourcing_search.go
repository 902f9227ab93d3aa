package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
)

// The G-Cloud search as a page. Its query is the JSON API's own
// (GET /api/v1/services): a saved search's results link opens here
// unchanged, and sourcing.ParseSearchQuery applies every rule. The form
// adds one thing a plain HTML form cannot say otherwise: for each filter,
// whether the ticked values are any-of (one occurrence, comma-separated)
// or all-of (one occurrence each), the Digital Marketplace's two ways.

// searchFilters are the filters the page offers, in the order shown.
var searchFilters = []struct {
	Name, Legend string
	Values       []string // nil: typed, comma-separated
}{
	{"lot", "Lot", sourcing.Lots},
	{"assurance", "Assurance", sourcing.AssuranceFilters},
	{"dataLocation", "Data location", []string{"uk", "eea", "other"}},
	{"category", "Category", nil},
	{"framework", "Framework", nil},
}

// matchParam is the page's own parameter saying how a filter's values
// combine: "lotMatch=all".
func matchParam(filter string) string { return filter + "Match" }

// apiSearchValues turns the page's query into the API's: for each filter
// whose match the form states, the ticked (or typed) values become one
// any-of occurrence or one occurrence each; a query without the match
// (a link in the API's own form) passes as it is. The page's paging
// becomes offset and limit.
func apiSearchValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if slices.Contains(sourcing.SearchParams, k) {
			out[k] = slices.Clone(v)
		}
	}
	for _, f := range searchFilters {
		var vals []string
		for _, occ := range q[f.Name] {
			for _, v := range strings.Split(occ, ",") {
				if v = strings.TrimSpace(v); v != "" {
					vals = append(vals, v)
				}
			}
		}
		switch q.Get(matchParam(f.Name)) {
		case "any":
			out.Del(f.Name)
			if len(vals) > 0 {
				out.Set(f.Name, strings.Join(vals, ","))
			}
		case "all":
			out[f.Name] = vals
			if len(vals) == 0 {
				out.Del(f.Name)
			}
		}
	}
	for _, k := range []string{"q", "priceMin", "priceMax", "sort", "includeExpired"} {
		if out.Get(k) == "" {
			out.Del(k)
		}
	}
	out.Del("offset")
	out.Del("limit")
	return out
}

// searchFilterView is a filter as the form draws it.
type searchFilterView struct {
	Name, Legend, MatchName string
	All                     bool // all-of; otherwise any-of
	Values                  []searchValue
	Typed                   string // the typed filters' values, comma-separated
	Typable                 bool
}

type searchValue struct {
	ID, Value, Text string
	Checked         bool
}

// filterValueText is how the Digital Marketplace names a filter's values.
var filterValueText = map[string]string{
	"cloud-hosting": "Cloud hosting", "cloud-software": "Cloud software", "cloud-support": "Cloud support",
	"iso-iec-27001": "ISO/IEC 27001", "csa-star": "CSA STAR", "pci": "PCI DSS", "iso-28000": "ISO 28000",
	"cyber-essentials": "Cyber Essentials", "cyber-essentials-plus": "Cyber Essentials Plus", "psn": "PSN", "hscn": "HSCN",
	"bs7858": "BS 7858 screened staff", "clearance-bpss": "BPSS-cleared staff", "clearance-sc": "SC-cleared staff",
	"clearance-dv": "DV-cleared staff", "uk": "UK", "eea": "EEA", "other": "Other",
}

type searchData struct {
	Q, PriceMin, PriceMax, Sort string
	IncludeExpired              bool
	Filters                     []searchFilterView
	Sorts                       []option
	Total                       int
	Hits                        []searchHit
	Paging                      pagination
	// Described is the query in words (the provenance's own wording).
	Described [][2]string
	// SaveQuery is the API query the "save this search" form saves.
	SaveQuery string
	Loading   bool
	// Admin readers name the council a saved search is for.
	Admin bool
}

type searchHit struct {
	Href, Name, Supplier, Lot, Description, Price, Closed string
}

const searchPageSize = 20

func (sp *sourcingPages) search(c echo.Context) error {
	q := c.QueryParams()
	values := apiSearchValues(q)
	pageNo := pageNumberOf(q)
	values.Set("limit", strconv.Itoa(searchPageSize))
	values.Set("offset", strconv.Itoa(min((pageNo-1)*searchPageSize, sourcing.MaxOffset)))
	d := searchData{Q: q.Get("q"), PriceMin: q.Get("priceMin"), PriceMax: q.Get("priceMax"), Sort: q.Get("sort"),
		IncludeExpired: q.Get("includeExpired") == "true", Admin: actor(c).Role == domain.RoleAdmin}
	parsed, err := sourcing.ParseSearchQuery(values)
	form := sourcingForm(q)
	if err != nil && !form.refused(err) {
		return err
	}
	d.Filters = searchFilterViews(parsed)
	for _, s := range [][2]string{{"relevance", "Relevance"}, {"price", "Lowest price"}, {"-price", "Highest price"}, {"name", "Name A to Z"}, {"-name", "Name Z to A"}} {
		d.Sorts = append(d.Sorts, option{Value: s[0], Text: s[1], Selected: s[0] == parsed.Sort})
	}
	if err == nil {
		res, err := sp.s.app.Sourcing.Search(c.Request().Context(), parsed)
		switch {
		case domain.ErrorCode(err) == domain.CodeUnavailable:
			c.Response().Header().Set("Retry-After", "2")
			d.Loading = true
		case err != nil:
			return err
		default:
			d.Total = res.Total
			for _, h := range res.Hits {
				d.Hits = append(d.Hits, searchHitOf(h))
			}
			d.Paging = prevNext(sourcingPath+"/services", q, pageNo, searchPageSize, min(res.Total, sourcing.MaxOffset+searchPageSize))
		}
		saved := apiSearchValues(q)
		d.SaveQuery = saved.Encode()
		d.Described = describeQuery(parsed)
	}
	status := http.StatusOK
	if d.Loading {
		status = http.StatusServiceUnavailable
	}
	return sp.render(c, status, "search", "Search G-Cloud", nil, form, d)
}

// describeQuery is the query in words, as the export's provenance says it.
func describeQuery(q sourcing.SearchQuery) [][2]string {
	var out [][2]string
	for _, row := range (sourcing.SearchProvenance{Query: q}).Rows() {
		switch row[0] {
		case "Query terms", "Lot", "Category", "Assurance", "Data location", "Framework", "Price from", "Price to":
			out = append(out, row)
		}
	}
	return out
}

func searchFilterViews(q sourcing.SearchQuery) []searchFilterView {
	byName := map[string]sourcing.Filter{"lot": q.Lot, "assurance": q.Assurance, "dataLocation": q.DataLocation,
		"category": q.Category, "framework": q.Framework}
	var out []searchFilterView
	for _, f := range searchFilters {
		chosen := byName[f.Name]
		var flat []string
		for _, occ := range chosen {
			flat = append(flat, occ...)
		}
		v := searchFilterView{Name: f.Name, Legend: f.Legend, MatchName: matchParam(f.Name), All: len(chosen) > 1,
			Typable: f.Values == nil, Typed: strings.Join(flat, ", ")}
		for _, val := range f.Values {
			text := filterValueText[val]
			if text == "" {
				text = val
			}
			v.Values = append(v.Values, searchValue{ID: "f-" + f.Name + "-" + val, Value: val, Text: text, Checked: slices.Contains(flat, val)})
		}
		out = append(out, v)
	}
	return out
}

func searchHitOf(h sourcing.Hit) searchHit {
	s := h.Service
	out := searchHit{Href: servicePath(s.ID), Name: s.ServiceName, Supplier: s.SupplierName, Lot: s.Lot,
		Description: snippet(s.ServiceDescription, 200), Price: servicePrice(s)}
	if h.FrameworkClosed != nil {
		state := "expired"
		if h.FrameworkClosed.Withdrawn {
			state = "withdrawn"
		}
		out.Closed = fmt.Sprintf("%s has %s: no call-off can be made under it", s.FrameworkSlug, state)
	}
	return out
}

// servicePrice is a service's price as the Digital Marketplace shows it.
func servicePrice(s sourcing.Service) string {
	p := "£" + s.PriceMin.Fixed(2)
	if s.PriceMax != nil && *s.PriceMax != s.PriceMin {
		p += " to £" + s.PriceMax.Fixed(2)
	}
	p += " a " + strings.ToLower(s.PriceUnit)
	if s.PriceInterval != "" {
		p += " a " + strings.ToLower(s.PriceInterval)
	}
	return p
}

type serviceData struct {
	Service sourcing.Service
	Price   string
	Compare string
}

func (sp *sourcingPages) service(c echo.Context) error {
	svc, _, err := sp.s.app.Sourcing.GetService(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	d := serviceData{Service: svc, Price: servicePrice(svc),
		Compare: sourcingPath + "/comparisons/new?" + url.Values{"service": {svc.ID}}.Encode()}
	return sp.render(c, http.StatusOK, "service", svc.ServiceName, []pageLink{{sourcingPath + "/services", "Search G-Cloud"}}, nil, d)
}

// savedRow is a saved search in a list.
type savedRow struct {
	Href, Name, Created, Status string
}

func savedRowOf(v appsrc.SavedSearchView) savedRow {
	r := savedRow{Href: searchPath(v.ID), Name: v.Name, Created: ukDate(v.CreatedAt), Status: "open"}
	switch {
	case v.Outcome != nil:
		r.Status = "outcome recorded: " + v.Outcome.Result
	case v.LockedAt != nil:
		r.Status = "exported " + ukDate(*v.LockedAt) + " (locked)"
	}
	return r
}

func (sp *sourcingPages) searches(c echo.Context) error {
	list, total, err := sp.s.app.Sourcing.ListSavedSearches(c.Request().Context(), actor(c), appsrc.SearchQueryFilter{Limit: 100})
	if err != nil {
		return err
	}
	d := struct {
		Rows  []savedRow
		Total int64
	}{Total: total}
	for _, v := range list {
		d.Rows = append(d.Rows, savedRowOf(v))
	}
	return sp.render(c, http.StatusOK, "searches", "Saved searches", nil, nil, d)
}

func (sp *sourcingPages) saveSearch(c echo.Context) error {
	return sp.submitted(c, func(values url.Values) (string, error) {
		v, err := sp.s.app.Sourcing.CreateSavedSearch(c.Request().Context(), actor(c),
			appsrc.SavedSearchInput{Name: values.Get("name"), Query: values.Get("query"), Organisation: values.Get("organisation")})
		return searchPath(v.ID), err
	}, func(f *pageForm) error {
		return sp.render(c, http.StatusOK, "save-search", "Save this search",
			[]pageLink{{sourcingPath + "/services?" + f.Value("query"), "Search G-Cloud"}}, f, nil)
	})
}

// savedSearchData is a saved search's page: its query in words, its
// lock and provenance once exported, the shortlist and the outcome form.
type savedSearchData struct {
	View       appsrc.SavedSearchView
	Results    string
	Described  [][2]string
	Provenance [][2]string
	Rows       []sourcing.ExportRow
	CSV, XLSX  string
	CanExport  bool
	CanRecord  bool
	Outcome    *sourcing.Outcome
	// SupplierSME is the outcome's answer in words ("" when not given).
	SupplierSME    string
	Version        int64
	OutcomeResults []string
}

func (sp *sourcingPages) savedSearch(c echo.Context) error {
	return sp.showSavedSearch(c, c.Param("id"), nil)
}

func (sp *sourcingPages) showSavedSearch(c echo.Context, id string, form *pageForm) error {
	v, err := sp.s.app.Sourcing.GetSavedSearch(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	api := "/api/v1/saved-searches/" + url.PathEscape(v.ID)
	d := savedSearchData{View: v, Results: sourcingPath + "/services?" + v.QueryString, Described: describeQuery(v.Query),
		CSV: api + "/export.csv", XLSX: api + "/export.xlsx", Outcome: v.Outcome, Version: v.Meta.Version,
		OutcomeResults: []string{sourcing.OutcomeAwarded, sourcing.OutcomeCancelled, sourcing.OutcomeNoneSuitable}}
	if o := v.Outcome; o != nil && o.SupplierSME != nil {
		d.SupplierSME = map[bool]string{true: "yes", false: "no"}[*o.SupplierSME]
	}
	full := v.Access != nil && v.Access.Full
	if v.LockedAt != nil {
		sl, err := sp.s.app.Sourcing.Export(c.Request().Context(), actor(c), id)
		if err != nil {
			return err
		}
		d.Provenance, d.Rows = sl.Provenance.Rows(), sl.Rows
		d.CanRecord = full && v.Outcome == nil
	} else {
		d.CanExport = full
	}
	if form == nil {
		form = sourcingForm(nil)
	}
	return sp.render(c, http.StatusOK, "saved-search", v.Name, []pageLink{{sourcingPath + "/searches", "Saved searches"}}, form, d)
}

func (sp *sourcingPages) exportSearch(c echo.Context) error {
	id := c.Param("id")
	return sp.submitted(c, func(url.Values) (string, error) {
		next := searchPath(id)
		_, err := sp.s.app.Sourcing.Export(c.Request().Context(), actor(c), id)
		return next, err
	}, func(f *pageForm) error { return sp.showSavedSearch(c, id, f) })
}

func (sp *sourcingPages) recordOutcome(c echo.Context) error {
	id := c.Param("id")
	return sp.submitted(c, func(values url.Values) (string, error) {
		next := searchPath(id)
		var in appsrc.OutcomeInput
		if err := decodeForm(values, &in).Err(); err != nil {
			return next, err
		}
		_, err := sp.s.app.Sourcing.RecordOutcome(c.Request().Context(), actor(c), id, formVersion(values), in)
		return next, err
	}, func(f *pageForm) error { return sp.showSavedSearch(c, id, f) })
}
