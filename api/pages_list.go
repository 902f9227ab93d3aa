package api

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// listData is the home and search page.
type listData struct {
	Home    bool
	Q       string
	Sort    string
	Sorts   []option
	Facets  []facet
	Total   int
	Results []resultItem
	Paging  pagination
	Clear   string // URL of the search with every filter removed
	Chosen  []pageLink
}

type option struct {
	Value, Text string
	Selected    bool
}

// facet is one filter of the search with a count per value: how many
// datasets the search would find with that value ticked, all other filters
// kept.
type facet struct {
	Name, Legend string
	Values       []facetValue
}

type facetValue struct {
	Value, Text string
	Count       int
	Checked     bool
	ID          string
}

type resultItem struct {
	Href, Title, Publisher, PublisherHref, Snippet string
	Formats                                        []string
	Modified                                       time.Time
}

type pagination struct {
	Prev, Next string
	Pages      []pageNumber
	From, To   int
	Total      int    // of the whole list (the numbered pages' partial shows it)
	Label      string // what the numbered pages' navigation is called
}

type pageNumber struct {
	N       int
	Href    string
	Current bool
	Gap     bool
}

var pageSorts = []option{{opendata.SortRelevance, "Best match", false}, {opendata.SortModifiedDesc, "Recently updated", false},
	{opendata.SortTitle, "Title A to Z", false}, {opendata.SortTitleDesc, "Title Z to A", false},
	{opendata.SortIssuedDesc, "Recently published", false}}

// home serves / and /datasets: search and facets over the published
// catalogue, answered by the catalogue's index, which counts each filter's
// values with one bitset intersection per value.
func (p *pagesAPI) home(c echo.Context) error {
	params := c.QueryParams()
	if params.Has("status") {
		return p.queryProblem(c, &domain.Error{Code: domain.CodeInvalid, Message: "the catalogue shows published datasets only",
			Fields: []domain.FieldProblem{{Field: "status", Problem: "remove it; drafts are listed by the API to their publisher"}}})
	}
	q, err := opendata.ParseQuery(params)
	if err != nil {
		return p.queryProblem(c, err)
	}
	q.Status = []opendata.Status{opendata.StatusPublished}
	ix, err := p.s.app.OpenData.Catalogue()
	if err != nil {
		return err
	}
	tag := catalogueTag(ix, "", requestKey(c), "html", p.s.readerTag(c))
	if notModified(c, tag) {
		c.Response().Header().Set("ETag", tag)
		return c.NoContent(http.StatusNotModified)
	}
	found, err := p.s.app.OpenData.Browse(c.Request().Context(), q)
	if err != nil {
		return err
	}
	orgName := map[string]string{}
	for _, o := range ix.Organisations() {
		orgName[o.ID] = o.Name
	}
	data := listData{Home: c.Path() == "/" && len(params) == 0, Q: q.Q, Sort: q.Sort, Total: found.Total}
	for _, s := range pageSorts {
		s.Selected = s.Value == q.Sort
		data.Sorts = append(data.Sorts, s)
	}
	data.Facets = buildFacets(q, found.Facets, orgName)
	for _, d := range found.Datasets {
		data.Results = append(data.Results, resultItem{Href: "/datasets/" + d.Slug, Title: d.Title,
			Publisher: cmp.Or(orgName[d.Publisher], d.Publisher), PublisherHref: "/organisations/" + d.Publisher,
			Snippet: snippet(d.Description, 220), Formats: formatLabels(d.Formats), Modified: d.Modified})
	}
	data.Paging = paginate("/datasets", "Results pages", params, q, found.Total)
	data.Clear = "/datasets"
	if q.Q != "" {
		data.Clear += "?" + url.Values{"q": {q.Q}}.Encode()
	}
	for _, f := range data.Facets {
		for _, v := range f.Values {
			if v.Checked {
				data.Chosen = append(data.Chosen, pageLink{Href: withoutValue(params, f.Name, v.Value), Text: v.Text})
			}
		}
	}
	title := "Search open data"
	if !data.Home {
		title = "Datasets"
		if q.Q != "" {
			title = "Datasets matching “" + q.Q + "”"
		}
	}
	pg := page{Title: title, Data: data, Description: "Open data published by the councils: search and download datasets.",
		Alternates: []pageAlternate{{"/api/v1/datasets" + queryString(params), "application/json", "These results as JSON"}}}
	if !data.Home {
		pg.Crumbs = []pageLink{{"/", "Open data"}}
	}
	return p.renderTagged(c, http.StatusOK, "list", pg, tag)
}

// buildFacets lists, for each filter, its values with the number of
// datasets each would find with every other filter kept (counts from the
// index), plus the values ticked even when they find nothing.
func buildFacets(q opendata.Query, counts map[string][]index.FacetCount, orgName map[string]string) []facet {
	build := func(name, legend string, chosen []string, counted []index.FacetCount, text func(string) string) facet {
		f := facet{Name: name, Legend: legend}
		n := map[string]int{}
		for _, c := range counted {
			n[c.Value] = c.Count
		}
		for _, k := range chosen {
			if _, ok := n[k]; !ok {
				n[k] = 0
			}
		}
		for k, count := range n {
			f.Values = append(f.Values, facetValue{Value: k, Text: text(k), Count: count,
				Checked: slices.Contains(chosen, k), ID: "f-" + name + "-" + domIDPart(k)})
		}
		slices.SortFunc(f.Values, func(a, b facetValue) int {
			return cmp.Or(b.Count-a.Count, strings.Compare(a.Text, b.Text))
		})
		return f
	}
	return []facet{
		build("publisher", "Publisher", q.Publisher, counts[index.DimPublisher], func(s string) string { return cmp.Or(orgName[s], s) }),
		build("theme", "Theme", q.Theme, counts[index.DimTheme], themeTitle),
		build("format", "Format", q.Format, counts[index.DimFormat], formatLabel),
		build("licence", "Licence", q.Licence, counts[index.DimLicence], licenceTitle),
	}
}

func paginate(path, label string, params url.Values, q opendata.Query, total int) pagination {
	pg := pagination{From: q.Offset + 1, To: min(q.Offset+q.Limit, total), Total: total, Label: label}
	if total == 0 {
		pg.From = 0
	}
	pages := (total + q.Limit - 1) / q.Limit
	current := q.Offset/q.Limit + 1
	href := func(n int) string {
		v := url.Values{}
		for k, vals := range params {
			if k != "page" && k != "offset" {
				v[k] = vals
			}
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return path + queryString(v)
	}
	if pages <= 1 {
		return pg
	}
	if current > 1 {
		pg.Prev = href(current - 1)
	}
	if current < pages {
		pg.Next = href(current + 1)
	}
	// First, last and two either side of the current page; gaps between.
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < current-2 || n > current+2) {
			continue
		}
		if last != 0 && n > last+1 {
			pg.Pages = append(pg.Pages, pageNumber{Gap: true})
		}
		pg.Pages = append(pg.Pages, pageNumber{N: n, Href: href(n), Current: n == current})
		last = n
	}
	return pg
}

// withoutValue is the search URL with one filter value taken off (and
// paging reset, since the results change).
func withoutValue(params url.Values, name, value string) string {
	v := url.Values{}
	for k, vals := range params {
		if k == "page" || k == "offset" {
			continue
		}
		for _, occ := range vals {
			for _, x := range strings.Split(occ, ",") {
				if x = strings.TrimSpace(x); x != "" && !(k == name && canonical(name, x) == value) {
					v.Add(k, x)
				}
			}
		}
	}
	return "/datasets" + queryString(v)
}

func canonical(name, v string) string {
	switch name {
	case "theme":
		if t, ok := opendata.LookupTheme(v); ok {
			return t.Slug
		}
	case "licence":
		if l, ok := opendata.LookupLicence(v); ok {
			return l.ID
		}
	case "format":
		if f, ok := opendata.LookupFormat(v); ok {
			return f.Code
		}
	}
	return v
}

func queryString(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// domIDPart keeps letters and digits so a value can be part of an id.
func domIDPart(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}
