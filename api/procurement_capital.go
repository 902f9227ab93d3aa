package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain/capital"
)

func (a *procurementAPI) capitalRoutes(v1 *echo.Group) {
	auth := a.s.authenticate
	const base = "/organisations/:id/capital-programme"
	v1.GET(base, a.programme, auth)
	v1.GET(base+".csv", a.programmeCSV, auth)
	v1.GET(base+".xlsx", a.programmeXLSX, auth)
	v1.GET(base+".html", a.programmePage, auth)
	v1.GET(base+"/reviews", a.reviews, auth)
	v1.POST(base+"/reviews", a.review, auth)
	v1.GET(base+"/reviews/:version", a.storedReview, auth)
	v1.GET(base+"/comparisons", a.comparisonLines, auth)
	v1.PUT(base+"/comparisons/:comparison", a.setComparisonLines, auth)
	v1.DELETE(base+"/comparisons/:comparison", a.deleteComparisonLines, auth)
	v1.GET(base+"/lines", a.manualLines, auth)
	v1.PUT(base+"/lines/:line", a.setManualLine, auth)
	v1.DELETE(base+"/lines/:line", a.deleteManualLine, auth)
}

func (a *procurementAPI) loadProgramme(c echo.Context) (appproc.Programme, error) {
	h, err := horizon(c)
	if err != nil {
		return appproc.Programme{}, err
	}
	return a.svc.Programme(c.Request().Context(), actor(c), c.Param("id"), h)
}

// programme is an organisation's five-year capital investment programme.
//
//	@Summary		An organisation's five-year capital investment programme (its officers and admins)
//	@Description	By financial year (April to March) for the five years from the current one: its share of approved comparisons and of joint procurements (by their cash lines, or their awards spread over the contract), its estate's refresh needs within the horizon that no procurement or comparison replaces (unfunded), and manual lines; totals per year, capital and revenue, funded and unfunded; the last approved review and the differences from it. Also as .csv, .xlsx (with a Changes sheet) and a printable A4 page (.html) for the Joint ICT Committee.
//	@Tags			capital programme
//	@Produce		json
//	@Param			id				path		string	true	"organisation id"
//	@Param			horizonMonths	query		int		false	"refresh-need horizon, 1-120 months (default 24)"
//	@Success		200				{object}	appproc.Programme
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/organisations/{id}/capital-programme [get]
func (a *procurementAPI) programme(c echo.Context) error {
	p, err := a.loadProgramme(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// programmeCSV is the programme as CSV.
//
//	@Summary	The capital programme as CSV: one row per line, then capital, revenue, funded, unfunded and overall totals
//	@Tags		capital programme
//	@Produce	text/csv
//	@Param		id				path		string	true	"organisation id"
//	@Param		horizonMonths	query		int		false	"refresh-need horizon in months"
//	@Success	200				{string}	string	"CSV"
//	@Failure	401				{object}	Problem
//	@Failure	403				{object}	Problem
//	@Failure	404				{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme.csv [get]
func (a *procurementAPI) programmeCSV(c echo.Context) error {
	p, err := a.loadProgramme(c)
	if err != nil {
		return err
	}
	b, err := capital.CSV(p.Programme)
	if err != nil {
		return err
	}
	return csvDocument(c, p.Programme.Organisation+"-capital-programme.csv", b)
}

// programmeXLSX is the programme as a workbook.
//
//	@Summary	The capital programme as XLSX: sheet Programme with numeric amounts, sheet Changes with the differences from the last review
//	@Tags		capital programme
//	@Produce	application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Param		id				path		string	true	"organisation id"
//	@Param		horizonMonths	query		int		false	"refresh-need horizon in months"
//	@Success	200				{string}	string	"XLSX"
//	@Failure	401				{object}	Problem
//	@Failure	403				{object}	Problem
//	@Failure	404				{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme.xlsx [get]
func (a *procurementAPI) programmeXLSX(c echo.Context) error {
	p, err := a.loadProgramme(c)
	if err != nil {
		return err
	}
	b, err := capital.XLSX(p.Programme, p.Title, p.Differences)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+p.Programme.Organisation+`-capital-programme.xlsx"`)
	return serveDocument(c, http.StatusOK, xlsxType, b)
}

// programmePage is the programme as a printable page.
//
//	@Summary	The capital programme as a printable A4 page (HTML) for the Joint ICT Committee
//	@Tags		capital programme
//	@Produce	html
//	@Param		id				path		string	true	"organisation id"
//	@Param		horizonMonths	query		int		false	"refresh-need horizon in months"
//	@Success	200				{string}	string	"HTML"
//	@Failure	401				{object}	Problem
//	@Failure	403				{object}	Problem
//	@Failure	404				{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme.html [get]
func (a *procurementAPI) programmePage(c echo.Context) error {
	p, err := a.loadProgramme(c)
	if err != nil {
		return err
	}
	return printable(c, "programme.html", p)
}

// reviews lists the programme's reviews.
//
//	@Summary	The programme's approved reviews, oldest first, each with whether its snapshot still matches its digest
//	@Tags		capital programme
//	@Produce	json
//	@Param		id	path		string	true	"organisation id"
//	@Success	200	{array}		appproc.ReviewSummary
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme/reviews [get]
func (a *procurementAPI) reviews(c echo.Context) error {
	rs, err := a.svc.Reviews(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rs)
}

// review freezes the programme.
//
//	@Summary		Record an approved review: freeze the current programme as the next immutable version
//	@Description	Who approved it, where (Joint Management Team, ICT Shared Service Committee), the minute and the day (not in the future, not before the last review). The snapshot is never changed: there is no operation to edit or delete a review, and one altered in the store is refused when read. The programme then shows its differences from it; the next review is due a year later.
//	@Tags			capital programme
//	@Accept			json
//	@Produce		json
//	@Param			id		path		string				true	"organisation id"
//	@Param			review	body		appproc.ReviewInput	true	"the approval"
//	@Success		201		{object}	capital.Review
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/organisations/{id}/capital-programme/reviews [post]
func (a *procurementAPI) review(c echo.Context) error {
	org := c.Param("id")
	r, err := a.svc.Review(c.Request().Context(), actor(c), org, input(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/organisations/"+org+"/capital-programme/reviews/"+strconv.Itoa(r.Version))
	return c.JSON(http.StatusCreated, r)
}

// storedReview reads one review with its snapshot.
//
//	@Summary	One approved review with its frozen snapshot
//	@Tags		capital programme
//	@Produce	json
//	@Param		id		path		string	true	"organisation id"
//	@Param		version	path		int		true	"review version from 1"
//	@Success	200		{object}	capital.Review
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Failure	404		{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme/reviews/{version} [get]
func (a *procurementAPI) storedReview(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("version"))
	if err != nil || n < 1 {
		return newProblem("not-found", "a review version is a whole number from 1")
	}
	r, err := a.svc.StoredReview(c.Request().Context(), actor(c), c.Param("id"), n)
	if errors.Is(err, appproc.ErrAltered) {
		a.s.log.Error("a stored capital programme review no longer matches its digest", "organisation", c.Param("id"), "version", n, "err", err)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// comparisonLines lists the comparisons' cash profiles.
//
//	@Summary	Cash profiles of the organisation's approved sourcing comparisons, as its programme takes them
//	@Tags		capital programme
//	@Produce	json
//	@Param		id	path		string	true	"organisation id"
//	@Success	200	{array}		capital.Comparison
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme/comparisons [get]
func (a *procurementAPI) comparisonLines(c echo.Context) error {
	cs, err := a.svc.ComparisonLines(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cs)
}

// setComparisonLines stores a comparison's cash profile.
//
//	@Summary		Set the cash profile of an approved sourcing comparison (its organisation's officers and admins)
//	@Description	The comparison (a sourcing comparison of this organisation) enters the programme once approvedOn is given, with its cash lines, and takes the refresh needs of the assets it replaces (replacesAssets) out of it. A comparison linked to a joint procurement is shared like the procurement.
//	@Tags			capital programme
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string				true	"organisation id"
//	@Param			comparison	path		string				true	"sourcing comparison id"
//	@Param			profile		body		capital.Comparison	true	"approval date, cash lines, assets replaced"
//	@Success		200			{object}	capital.Comparison
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/organisations/{id}/capital-programme/comparisons/{comparison} [put]
func (a *procurementAPI) setComparisonLines(c echo.Context) error {
	cp, err := a.svc.SetComparisonLines(c.Request().Context(), actor(c), c.Param("id"), c.Param("comparison"), input(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cp)
}

// deleteComparisonLines removes a comparison's cash profile.
//
//	@Summary	Take a comparison's cash profile out of the programme
//	@Tags		capital programme
//	@Param		id			path	string	true	"organisation id"
//	@Param		comparison	path	string	true	"sourcing comparison id"
//	@Success	204
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme/comparisons/{comparison} [delete]
func (a *procurementAPI) deleteComparisonLines(c echo.Context) error {
	if err := a.svc.DeleteComparisonLines(c.Request().Context(), actor(c), c.Param("id"), c.Param("comparison")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// manualLines lists the manual lines.
//
//	@Summary	The lines officers added to the programme by hand
//	@Tags		capital programme
//	@Produce	json
//	@Param		id	path		string	true	"organisation id"
//	@Success	200	{array}		capital.ManualLine
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme/lines [get]
func (a *procurementAPI) manualLines(c echo.Context) error {
	ls, err := a.svc.ManualLines(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ls)
}

// setManualLine adds or replaces a manual line.
//
//	@Summary		Add or replace a manual line of the programme (its organisation's officers and admins)
//	@Description	Unfunded unless funded is true; capital or revenue by kind unless nature says otherwise.
//	@Tags			capital programme
//	@Accept			json
//	@Produce		json
//	@Param			id		path		string				true	"organisation id"
//	@Param			line	path		string				true	"line id"
//	@Param			body	body		capital.CashLine	true	"the line"
//	@Success		200		{object}	capital.ManualLine
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/organisations/{id}/capital-programme/lines/{line} [put]
func (a *procurementAPI) setManualLine(c echo.Context) error {
	l, err := a.svc.SetManualLine(c.Request().Context(), actor(c), c.Param("id"), c.Param("line"), input(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, l)
}

// deleteManualLine removes a manual line.
//
//	@Summary	Remove a manual line of the programme
//	@Tags		capital programme
//	@Param		id		path	string	true	"organisation id"
//	@Param		line	path	string	true	"line id"
//	@Success	204
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/capital-programme/lines/{line} [delete]
func (a *procurementAPI) deleteManualLine(c echo.Context) error {
	if err := a.svc.DeleteManualLine(c.Request().Context(), actor(c), c.Param("id"), c.Param("line")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
