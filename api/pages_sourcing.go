package api

import (
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/money"
	"github.com/jointict/councilapi/domain/sourcing"
)

// The sourcing pages: the officers' way through G-Cloud sourcing without
// curl. Search the catalogue with the Digital Marketplace's filters, read
// a service, save a search, export its shortlist (which locks it, with
// the search's provenance), record the award's outcome; build a comparison
// of cloud and on-premise options in a form, read its results and chart,
// mark the recommendation, write the report text, take it from draft to
// decided to published, and print the Cabinet report.
//
// Every page reads and writes through the sourcing use cases with the
// signed-in officer as the actor, so it shows and allows exactly what the
// JSON API does: anything not published is private to the comparison's
// council (and a linked joint procurement's partners), and a page that may
// not be read answers 404 as the API does.

// sourcingPages holds what the sourcing pages share.
type sourcingPages struct {
	s *Server
}

// sourcingPath is where the sourcing pages live (the header's job link).
const sourcingPath = "/sourcing"

func (s *Server) sourcingPagesRoutes() {
	sp := &sourcingPages{s: s}
	sp.loadTemplates()
	e := s.Echo
	g := e.Group(sourcingPath, s.requireSignIn, sp.requireSourcing)
	g.GET("", sp.index)
	g.GET("/services", sp.search)
	g.GET("/services/:id", sp.service)
	g.GET("/searches", sp.searches)
	g.POST("/searches", sp.saveSearch)
	g.GET("/searches/:id", sp.savedSearch)
	g.POST("/searches/:id/export", sp.exportSearch)
	g.POST("/searches/:id/outcome", sp.recordOutcome)
	g.GET("/comparisons", sp.comparisons)
	g.GET("/comparisons/new", sp.newComparison)
	g.POST("/comparisons/new", sp.createComparison)
	g.GET("/comparisons/:id", sp.comparison)
	g.GET("/comparisons/:id/edit", sp.editComparison)
	g.POST("/comparisons/:id/edit", sp.saveComparison)
	g.POST("/comparisons/:id/recommendation", sp.saveRecommendation)
	g.GET("/comparisons/:id/report-text", sp.reportText)
	g.POST("/comparisons/:id/report-text", sp.saveReportText)
	g.POST("/comparisons/:id/decide", sp.decide)
	g.POST("/comparisons/:id/publish", sp.publish)
	g.POST("/comparisons/:id/exempt", sp.markExempt)
	g.GET("/comparisons/:id/report", sp.report)
}

// loadTemplates parses each sourcing page with the layout, the site's form
// partials (the error summary) and the sourcing partials
// (web/pages/sourcing/forms.partial.html: the inputs), replacing what the
// pages' loader made of it alone.
func (sp *sourcingPages) loadTemplates() {
	p := sp.s.pages
	const dir = "sourcing"
	files, err := fs.Glob(p.assets, dir+"/*.html")
	if err != nil {
		panic(err) // the pattern is valid
	}
	for _, f := range files {
		if strings.HasSuffix(f, ".partial.html") {
			continue
		}
		t := template.Must(template.New("layout.html").Funcs(pageFuncs).ParseFS(p.assets, "layout.html", "forms.partial.html", f, dir+"/*.partial.html"))
		p.tmpl[strings.TrimSuffix(f, ".html")] = t
	}
}

// requireSourcing admits the roles that may use the sourcing pages
// (officers and admins): anyone else signed in is told why not.
func (sp *sourcingPages) requireSourcing(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := authorize(c, domain.AreaSourcing, ""); err != nil {
			return sp.s.pages.errorPage(c, http.StatusForbidden, "the sourcing pages are for council officers: "+err.Error())
		}
		return next(c)
	}
}

// sourcingPage is what every sourcing page's template gets as Data: its
// own data and, on a refused form, the problems to show.
type sourcingPage struct {
	Form *pageForm
	Page any
}

// sourcingForm is a sourcing form showing values: the form its template
// draws, with no declared inputs (pages_forms_drawn.go).
func sourcingForm(values url.Values) *pageForm { return newForm("", values) }

// fieldLabel is a use case's field name as a person reads it in a list of
// problems: "cloudOptions[1].carbon.provider" is "cloud option 2, carbon
// provider".
func fieldLabel(field string) string {
	segs, ok := parsePath(field)
	if !ok {
		return field
	}
	var parts []string
	for i, s := range segs {
		switch {
		case s.index >= 0 && i > 0:
			parts[len(parts)-1] += fmt.Sprintf(" %d", s.index+1)
		case s.index < 0:
			parts = append(parts, words(s.name))
		}
	}
	return strings.Join(parts, ", ")
}

// words splits a camelCase name into words: "cloudOptions" is "cloud options".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r + ('a' - 'A'))
			continue
		}
		b.WriteRune(r)
	}
	return strings.TrimSuffix(b.String(), "s") // "cloud options 2" reads as "cloud option 2"
}

// render shows a sourcing page in the site layout with the sourcing style
// sheet (no script: every form works as plain HTML). A refused form's page
// answers with the refusal's status.
func (sp *sourcingPages) render(c echo.Context, status int, name, title string, crumbs []pageLink, form *pageForm, data any) error {
	if form != nil && !form.ok() {
		title = form.title(title)
		if status == http.StatusOK {
			status = form.Status
		}
	}
	p := sp.s.pages
	return p.render(c, status, "sourcing/"+name, page{Title: title, Crumbs: append([]pageLink{{sourcingPath, "Sourcing"}}, crumbs...),
		Styles: []string{assetURL(p.assets, "sourcing.css")},
		Data:   sourcingPage{Form: form, Page: data}})
}

// refused shows the page of a form again with the problems of err; any
// error that is not about the input is returned for the error pages.
func (sp *sourcingPages) refused(err error, values url.Values, show func(*pageForm) error) error {
	f := sourcingForm(values)
	if !f.refused(err) {
		return err
	}
	return show(f)
}

// submitted runs a posted form: act does the use case with the form's
// values; if it accepts, the browser goes to the page act names,
// otherwise again shows the form's page with the problems beside their
// inputs.
func (sp *sourcingPages) submitted(c echo.Context, act func(url.Values) (next string, err error), again func(*pageForm) error) error {
	values, err := c.FormParams()
	if err != nil {
		return err
	}
	next, err := act(values)
	if err != nil {
		return sp.refused(err, values, again)
	}
	return seeOther(c, next)
}

func comparisonPath(id string) string { return sourcingPath + "/comparisons/" + url.PathEscape(id) }
func searchPath(id string) string     { return sourcingPath + "/searches/" + url.PathEscape(id) }
func servicePath(id string) string    { return sourcingPath + "/services/" + url.PathEscape(id) }

// indexData is the sourcing home page.
type indexData struct {
	Comparisons []comparisonRow
	Searches    []savedRow
	Total       int64
}

func (sp *sourcingPages) index(c echo.Context) error {
	ctx, who := c.Request().Context(), actor(c)
	list, total, err := sp.s.app.Sourcing.ListComparisons(ctx, who, appsrc.ComparisonQuery{Limit: 5})
	if err != nil {
		return err
	}
	searches, _, err := sp.s.app.Sourcing.ListSavedSearches(ctx, who, appsrc.SearchQueryFilter{Limit: 5})
	if err != nil {
		return err
	}
	d := indexData{Total: total}
	for _, s := range list {
		d.Comparisons = append(d.Comparisons, comparisonRowOf(s))
	}
	for _, s := range searches {
		d.Searches = append(d.Searches, savedRowOf(s))
	}
	return sp.render(c, http.StatusOK, "index", "Sourcing", nil, nil, d)
}

// comparisonRow is a comparison in a list.
type comparisonRow struct {
	Href, Title, Organisation, State, Created, Recommended, NPV string
	Options                                                     int
}

func comparisonRowOf(s appsrc.ComparisonSummary) comparisonRow {
	r := comparisonRow{Href: comparisonPath(s.ID), Title: s.Title, Organisation: s.Organisation, State: s.State,
		Created: ukDate(s.CreatedAt), Recommended: s.Recommended, Options: s.Options}
	if m, err := money.Parse(s.RecommendedNPV); err == nil && s.RecommendedNPV != "" {
		r.NPV = m.Display()
	}
	return r
}

// comparisonsData is the list of comparisons.
type comparisonsData struct {
	Rows   []comparisonRow
	States []option
	Total  int64
	Paging pagination
}

func (sp *sourcingPages) comparisons(c echo.Context) error {
	q := c.QueryParams()
	state := q.Get("state")
	const limit = 50
	pageNo := pageNumberOf(q)
	list, total, err := sp.s.app.Sourcing.ListComparisons(c.Request().Context(), actor(c),
		appsrc.ComparisonQuery{State: state, Limit: limit, Offset: (pageNo - 1) * limit})
	if err != nil {
		return err
	}
	d := comparisonsData{Total: total, Paging: prevNext(sourcingPath+"/comparisons", q, pageNo, limit, int(total))}
	for _, s := range list {
		d.Rows = append(d.Rows, comparisonRowOf(s))
	}
	for _, st := range []string{"", sourcing.StateDraft, sourcing.StateDecided, sourcing.StatePublished} {
		text := st
		if st == "" {
			text = "all"
		}
		d.States = append(d.States, option{Value: st, Text: text, Selected: st == state})
	}
	return sp.render(c, http.StatusOK, "comparisons", "Comparisons", nil, nil, d)
}

// pageNumberOf reads ?page=, 1 when absent or wrong.
func pageNumberOf(q url.Values) int {
	var n int
	if _, err := fmt.Sscan(q.Get("page"), &n); err != nil || n < 1 {
		return 1
	}
	return n
}

// prevNext is the paging of a list: previous and next links and which
// items are shown.
func prevNext(base string, q url.Values, pageNo, limit, total int) pagination {
	pg := pagination{From: (pageNo-1)*limit + 1, To: min(pageNo*limit, total)}
	if total == 0 {
		pg.From = 0
	}
	href := func(n int) string {
		v := url.Values{}
		for k, vals := range q {
			if k != "page" {
				v[k] = vals
			}
		}
		if n > 1 {
			v.Set("page", fmt.Sprint(n))
		}
		return base + queryString(v)
	}
	if pageNo > 1 {
		pg.Prev = href(pageNo - 1)
	}
	if pageNo*limit < total {
		pg.Next = href(pageNo + 1)
	}
	return pg
}

// report serves the Cabinet report to the signed-in officer: the same
// document as the API's, so what they print is what the API gives.
func (sp *sourcingPages) report(c echo.Context) error {
	return sp.s.serveReport(c, c.Param("id"))
}
