package api

import (
	"net/url"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
)

// An organisation's five-year capital programme: the programme today, how
// it differs from the last approved review, the reviews, and the form that
// freezes the programme as the next review.

func (p *procurementPages) capitalRoutes(in []echo.MiddlewareFunc) {
	e := p.s.Echo
	e.GET("/procurement/capital/:org", p.capital, in...)
	e.GET("/procurement/capital/:org/review", p.reviewForm, in...)
	e.POST("/procurement/capital/:org/review", p.review, in...)
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
		Done: map[string]string{"review": "The programme is frozen as the approved review."}[c.QueryParam("done")]}
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
