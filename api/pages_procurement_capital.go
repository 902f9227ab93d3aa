package api

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain/capital"
	"github.com/jointict/councilapi/domain/procurement"
)

// An organisation's five-year capital programme: the programme today, how
// it differs from the last approved review, the reviews, and the form that
// freezes the programme as the next review.

func (p *procurementPages) capitalRoutes(in []echo.MiddlewareFunc) {
	e := p.s.Echo
	e.GET("/procurement/capital/:org", p.capital, in...)
	e.GET("/procurement/capital/:org/review", p.reviewForm, in...)
	e.POST("/procurement/capital/:org/review", p.review, in...)
	e.GET("/procurement/capital/:org/reviews/:n", p.frozenReview, in...)
	e.GET("/procurement/capital/:org/lines/new", p.lineForm, in...)
	e.POST("/procurement/capital/:org/lines/new", p.lineForm, in...)
	e.GET("/procurement/capital/:org/lines/:line", p.lineForm, in...)
	e.POST("/procurement/capital/:org/lines/:line", p.lineForm, in...)
}

func capitalBase(org string) string { return "/procurement/capital/" + url.PathEscape(org) }

// capitalData is the programme page.
type capitalData struct {
	appproc.Programme
	Org     string
	Reviews []appproc.ReviewSummary
	Done    string
	// Downloads are the programme as CSV, XLSX and the committee's A4 page.
	CSV, XLSX, Printable string
}

func (p *procurementPages) capital(c echo.Context) error {
	ctx, org := c.Request().Context(), c.Param("org")
	prog, err := p.svc.Programme(ctx, actor(c), org, 0)
	if err != nil {
		return err
	}
	reviews, err := p.svc.Reviews(ctx, actor(c), org)
	if err != nil {
		return err
	}
	api := "/api/v1/organisations/" + url.PathEscape(org) + "/capital-programme"
	d := capitalData{Programme: prog, Org: org, Reviews: reviews, CSV: api + ".csv", XLSX: api + ".xlsx", Printable: api + ".html",
		Done: map[string]string{"review": "The programme is frozen as the approved review.", "line": "The line is saved."}[c.QueryParam("done")]}
	return p.s.renderWorkbench(c, 200, "procurement/capital", page{Title: prog.Name + ": capital programme", Crumbs: procurementCrumbs,
		Data: d})
}

var reviewInputs = []formInput{
	{Name: "approvedBy", Label: "Approved by", Hint: "Who approved it, e.g. the Joint ICT Committee or the Section 151 officer", Kind: "text"},
	{Name: "body", Label: "Where", Hint: "The meeting or decision, e.g. Joint ICT Committee, 2 December 2026", Kind: "text"},
	{Name: "minute", Label: "Minute", Hint: "The minute or decision record number", Kind: "text", Width: 20},
	{Name: "date", Label: "Date of the approval", Kind: "date"},
}

func (p *procurementPages) reviewForm(c echo.Context) error {
	org := c.Param("org")
	if _, err := p.svc.Reviews(c.Request().Context(), actor(c), org); err != nil {
		return err
	}
	return p.renderReview(c, org, newForm(c.Request().URL.Path, nil, reviewInputs...))
}

func (p *procurementPages) renderReview(c echo.Context, org string, f *pageForm) error {
	name := p.orgName(c, org)
	title := "Freeze the programme as approved"
	crumbs := append(append([]pageLink{}, procurementCrumbs...), pageLink{capitalBase(org), name + " capital programme"})
	return p.s.renderWorkbench(c, max(f.Status, 200), "workbench-form", page{Title: f.title(title), Crumbs: crumbs,
		Data: formData{Form: f, Submit: "Freeze the programme", Back: pageLink{capitalBase(org), "Back to the programme"},
			Intro: []string{"The programme as it stands today becomes the next approved review: a snapshot that cannot change, against which later programmes show their differences."}}})
}

func (p *procurementPages) review(c echo.Context) error {
	org := c.Param("org")
	f := posted(c, c.Request().URL.Path, reviewInputs...)
	in := appproc.ReviewInput{ApprovedBy: f.text("approvedBy"), Body: f.text("body"), Minute: f.text("minute"), Date: f.day("date")}
	if f.ok() {
		_, err := p.svc.Review(c.Request().Context(), actor(c), org, given(in))
		if err == nil {
			return seeOther(c, capitalBase(org)+"?done=review")
		}
		if !f.refused(err) {
			return err
		}
	}
	return p.renderReview(c, org, f)
}

// programmeLines is what the programme-lines partial lays out: a
// programme, and the council whose manual lines link to their forms ("" for
// a frozen review, whose lines no longer change).
type programmeLines struct {
	P   capital.Programme
	Org string
}

// reviewData is a frozen review's page.
type reviewData struct {
	Review capital.Review
	Org    string
}

func (p *procurementPages) frozenReview(c echo.Context) error {
	org := c.Param("org")
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		return newProblem("not-found", "review numbers are whole numbers")
	}
	r, err := p.svc.StoredReview(c.Request().Context(), actor(c), org, n)
	if err != nil {
		return err
	}
	name := p.orgName(c, org)
	crumbs := append(append([]pageLink{}, procurementCrumbs...), pageLink{capitalBase(org), name + " capital programme"})
	return p.s.renderWorkbench(c, 200, "procurement/review", page{Title: fmt.Sprintf("%s: capital programme review %d", name, r.Version),
		Crumbs: crumbs, Data: reviewData{Review: r, Org: org}})
}

// lineInputs is the form of a line an officer adds to the programme: an
// amount for each of its years.
func lineInputs(years []procurement.FinancialYear, editing bool) []formInput {
	var kinds []option
	for _, k := range capital.Kinds {
		kinds = append(kinds, option{Value: string(k), Text: kindNames[k]})
	}
	var in []formInput
	if !editing {
		in = append(in, formInput{Name: "id", Label: "Line id", Hint: "A short id without spaces, e.g. wifi-refresh", Kind: "text", Width: 20})
	}
	in = append(in,
		formInput{Name: "description", Label: "Description", Kind: "text"},
		formInput{Name: "kind", Label: "What the money is spent on", Kind: "select", Options: kinds},
		formInput{Name: "nature", Label: "Capital or revenue", Kind: "radios", Options: []option{{Value: "", Text: "As the kind says (hardware and perpetual licences are capital)", Selected: true},
			{Value: string(capital.Capital), Text: "Capital"}, {Value: string(capital.Revenue), Text: "Revenue"}}},
		formInput{Name: "funded", Label: "The line is funded", Hint: "Leave unticked for a bid not yet approved", Kind: "checkbox"})
	for _, y := range years {
		in = append(in, formInput{Name: "amount." + y.String(), Label: "Amount in " + y.String(), Kind: "money", Section: "Amounts by financial year"})
	}
	return in
}

var kindNames = map[capital.Kind]string{capital.Hardware: "Hardware", capital.PerpetualLicence: "Perpetual licences",
	capital.Subscription: "Subscriptions", capital.Service: "Services", capital.Other: "Other"}

// lineForm shows or saves a manual line: /lines/new adds one, /lines/{id}
// edits it.
func (p *procurementPages) lineForm(c echo.Context) error {
	ctx, org, id := c.Request().Context(), c.Param("org"), c.Param("line")
	prog, err := p.svc.Programme(ctx, actor(c), org, 0)
	if err != nil {
		return err
	}
	years := prog.Programme.Years
	f := newForm(c.Request().URL.Path, url.Values{"funded": {"yes"}}, lineInputs(years, id != "")...)
	if c.Request().Method == http.MethodPost {
		f = posted(c, c.Request().URL.Path, lineInputs(years, id != "")...)
		cl := capital.CashLine{ID: cmp.Or(id, f.text("id")), Description: f.text("description"), Kind: capital.Kind(f.text("kind")),
			Nature: capital.Nature(f.text("nature"))}
		funded := f.yes("funded")
		cl.Funded = &funded
		for _, y := range years {
			if amount := f.money("amount." + y.String()); amount != 0 {
				cl.Amounts = append(cl.Amounts, procurement.YearAmount{Year: y, Amount: amount})
			}
		}
		if f.ok() {
			_, err := p.svc.SetManualLine(ctx, actor(c), org, cl.ID, given(cl))
			if err == nil {
				return seeOther(c, capitalBase(org)+"?done=line")
			}
			if !f.refused(err) {
				return err
			}
		}
	} else if id != "" {
		lines, err := p.svc.ManualLines(ctx, actor(c), org)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(lines, func(l capital.ManualLine) bool { return l.ID == id })
		if i < 0 {
			return newProblem("not-found", "the programme has no line "+id+" an officer added")
		}
		l := lines[i]
		f.Values = url.Values{"description": {l.Description}, "kind": {string(l.Kind)}, "nature": {string(l.Nature)}}
		if l.Funded == nil || *l.Funded {
			f.Values.Set("funded", "yes")
		}
		for _, a := range l.Amounts {
			f.Values.Set("amount."+a.Year.String(), a.Amount.String())
		}
	}
	name := p.orgName(c, org)
	title := "Add a line to the programme"
	if id != "" {
		title = "Line " + id
	}
	crumbs := append(append([]pageLink{}, procurementCrumbs...), pageLink{capitalBase(org), name + " capital programme"})
	return p.s.renderWorkbench(c, max(f.Status, 200), "workbench-form", page{Title: f.title(title), Crumbs: crumbs,
		Data: formData{Form: f, Submit: "Save the line", Back: pageLink{capitalBase(org), "Back to the programme"},
			Intro: []string{"A line the comparisons, procurements and estate do not give: a bid, a project or a known cost, by financial year."}}})
}
