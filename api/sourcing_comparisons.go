package api

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	appsrc "github.com/jointict/councilapi/app/sourcing"
)

// comparisonView is a comparison as the API shows it, with its links.
type comparisonView struct {
	appsrc.ComparisonView
	Links map[string]string `json:"links"`
}

// comparisonSummaryView is a comparison in a listing.
type comparisonSummaryView struct {
	appsrc.ComparisonSummary
	Href string `json:"href"`
}

func (a *sourcingAPI) comparisonView(c echo.Context, cmp appsrc.ComparisonView) comparisonView {
	base := a.s.baseURL(c) + "/api/v1/comparisons/" + url.PathEscape(cmp.ID)
	links := map[string]string{"self": base, "report": base + "/report", "chart": base + "/chart.svg",
		"exportCsv": base + "/export.csv", "exportXlsx": base + "/export.xlsx"}
	if cmp.JointProcurement != "" && cmp.Access.Full {
		links["jointProcurement"] = a.s.baseURL(c) + "/api/v1/procurements/" + url.PathEscape(cmp.JointProcurement)
	}
	return comparisonView{ComparisonView: cmp, Links: links}
}

// comparisonTag is the ETag of what the reader is shown: the public view of
// a version differs from the whole record, so it has a tag of its own.
func comparisonTag(cmp appsrc.ComparisonView) string {
	if cmp.Access.Full {
		return cmp.Meta.ETag()
	}
	return `"` + cmp.Meta.ID + "-" + strconv.FormatInt(cmp.Meta.Version, 10) + `-public"`
}

// answerComparison writes a changed comparison with its ETag.
func (a *sourcingAPI) answerComparison(c echo.Context, status int, cmp appsrc.ComparisonView, err error) error {
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", comparisonTag(cmp))
	return c.JSON(status, a.comparisonView(c, cmp))
}

// createComparison computes and stores a comparison as a draft.
//
//	@Summary		Compare G-Cloud services with on-premise: whole-life cost, carbon and best value (officer); starts a draft
//	@Description	Validates the inputs (every problem at once), computes per option and year the cash and discounted cost, energy and emissions, and the summary, score and rank, and stores inputs, result and the factor-set version as a draft visible to the organisation's officers, admins and the officers of a linked joint procurement's parties. A cloud option that names a catalogue serviceId without priceUnit takes its price (and framework) from the catalogue. 422 when the officer's recommendation contradicts the ranking (a rejection reason on the top-ranked option without another recommendedOption; a recommendedOption other than the top-ranked without a justification; an on-premise recommendation without serviceReasons under the organisation's cloud-by-default policy) or an option's framework has expired or been withdrawn without a frameworkOverride naming it.
//	@Tags			sourcing
//	@Accept			json
//	@Produce		json
//	@Param			comparison	body		appsrc.ComparisonInput	true	"inputs, notes and recommendation"
//	@Success		201			{object}	comparisonView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/comparisons [post]
func (a *sourcingAPI) createComparison(c echo.Context) error {
	var in appsrc.ComparisonInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cmp, err := a.svc.CreateComparison(c.Request().Context(), actor(c), in)
	if err == nil {
		c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/comparisons/"+url.PathEscape(cmp.ID))
	}
	return a.answerComparison(c, http.StatusCreated, cmp, err)
}

// listComparisons lists the comparisons the caller may read, newest first.
//
//	@Summary		List comparisons, newest first
//	@Description	Without a key, published comparisons only (their public view). An officer also sees the drafts and decided comparisons of their organisation and those linked to a joint procurement their organisation is party to; an admin sees all.
//	@Tags			sourcing
//	@Produce		json
//	@Param			organisation	query		string	false	"organisation id"
//	@Param			state			query		string	false	"draft, decided or published"
//	@Param			limit			query		int		false	"page size (1-500, default 50)"
//	@Param			offset			query		int		false	"items to skip"
//	@Success		200				{object}	listResponse[comparisonSummaryView]
//	@Failure		400				{object}	Problem
//	@Router			/api/v1/comparisons [get]
func (a *sourcingAPI) listComparisons(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	list, total, err := a.svc.ListComparisons(c.Request().Context(), actor(c), appsrc.ComparisonQuery{
		Organisation: c.QueryParam("organisation"), State: c.QueryParam("state"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	items := make([]comparisonSummaryView, len(list))
	for i, s := range list {
		items[i] = comparisonSummaryView{ComparisonSummary: s, Href: a.s.baseURL(c) + "/api/v1/comparisons/" + url.PathEscape(s.ID)}
	}
	return c.JSON(http.StatusOK, listResponse[comparisonSummaryView]{Items: items, Total: total, Limit: limit, Offset: offset,
		Links: a.s.pageLinks(c, limit, offset, total)})
}

// getComparison reads a comparison exactly as it was computed.
//
//	@Summary		Get a comparison: inputs, result, factor-set version, recommendation and lifecycle
//	@Description	404 unless the caller may read it: a published comparison is public, less its exempt fields not yet released (listed in withheld); drafts and decided comparisons are for the organisation's officers, admins and the officers of a linked joint procurement's parties.
//	@Tags			sourcing
//	@Produce		json
//	@Param			id	path		string	true	"comparison id"
//	@Success		200	{object}	comparisonView
//	@Failure		404	{object}	Problem
//	@Router			/api/v1/comparisons/{id} [get]
func (a *sourcingAPI) getComparison(c echo.Context) error {
	cmp, err := a.svc.GetComparison(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return withETag(c, comparisonTag(cmp), a.comparisonView(c, cmp))
}

// beforeComparisonChange checks, before the body is read, that the caller
// may change the comparison, and reads its If-Match.
func (a *sourcingAPI) beforeComparisonChange(c echo.Context) (string, int64, error) {
	id := c.Param("id")
	if err := a.svc.AuthorizeComparisonChange(c.Request().Context(), actor(c), id); err != nil {
		return "", 0, err
	}
	version, err := ifMatch(c, id)
	return id, version, err
}

// patchComparison edits a draft.
//
//	@Summary		Edit a draft comparison (officer, JSON merge patch over its inputs and notes); it is recomputed
//	@Description	Only drafts can be edited (409 otherwise, naming what can be done). The same 422 rules as creation apply.
//	@Tags			sourcing
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string					true	"comparison id"
//	@Param			If-Match	header		string					false	"ETag from GET; 412 when stale"
//	@Param			patch		body		appsrc.ComparisonInput	true	"members to change"
//	@Success		200			{object}	comparisonView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/comparisons/{id} [patch]
func (a *sourcingAPI) patchComparison(c echo.Context) error {
	id, version, err := a.beforeComparisonChange(c)
	if err != nil {
		return err
	}
	raw, err := readPatch(c)
	if err != nil {
		return err
	}
	cmp, err := a.svc.PatchComparison(c.Request().Context(), actor(c), id, version, raw)
	return a.answerComparison(c, http.StatusOK, cmp, err)
}

// deleteComparison deletes a draft.
//
//	@Summary	Delete a draft comparison (officer); decided comparisons are records and stay
//	@Tags		sourcing
//	@Param		id			path	string	true	"comparison id"
//	@Param		If-Match	header	string	false	"ETag from GET; 412 when stale"
//	@Success	204
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Failure	409	{object}	Problem
//	@Failure	412	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/comparisons/{id} [delete]
func (a *sourcingAPI) deleteComparison(c echo.Context) error {
	id, version, err := a.beforeComparisonChange(c)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteComparison(c.Request().Context(), actor(c), id, version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// decideComparison records the decision on a draft.
//
//	@Summary		Decide a draft comparison (officer): inputs, results and factor set are frozen
//	@Description	Records the decision, who took it and when, and the organisation's policy in force. 422 when the recommendation contradicts the ranking or policy, or an option's framework has closed by today without an override.
//	@Tags			sourcing
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string					true	"comparison id"
//	@Param			If-Match	header		string					false	"ETag from GET; 412 when stale"
//	@Param			decision	body		appsrc.DecisionInput	true	"the decision"
//	@Success		200			{object}	comparisonView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Failure		422			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/comparisons/{id}/decide [post]
func (a *sourcingAPI) decideComparison(c echo.Context) error {
	id, version, err := a.beforeComparisonChange(c)
	if err != nil {
		return err
	}
	var in appsrc.DecisionInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cmp, err := a.svc.Decide(c.Request().Context(), actor(c), id, version, in)
	return a.answerComparison(c, http.StatusOK, cmp, err)
}

// publishComparison publishes a decided comparison.
//
//	@Summary	Publish a decided comparison (officer): public from now on, less its exempt fields
//	@Tags		sourcing
//	@Produce	json
//	@Param		id			path		string	true	"comparison id"
//	@Param		If-Match	header		string	false	"ETag from GET; 412 when stale"
//	@Success	200			{object}	comparisonView
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	404			{object}	Problem
//	@Failure	409			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/comparisons/{id}/publish [post]
func (a *sourcingAPI) publishComparison(c echo.Context) error {
	id, version, err := a.beforeComparisonChange(c)
	if err != nil {
		return err
	}
	cmp, err := a.svc.Publish(c.Request().Context(), actor(c), id, version)
	return a.answerComparison(c, http.StatusOK, cmp, err)
}

// markExempt withholds a field from the public view.
//
//	@Summary		Mark a field of a draft or decided comparison exempt information (officer)
//	@Description	The field is withheld from the public view, report, chart and exports once published, until released: purpose, risks, justification, serviceReasons, rejectionReasons.<option id>, or options.<option id> (the whole option: a supplier's quote). Paragraph of LGA 1972 Schedule 12A, default 3.
//	@Tags			sourcing
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string				true	"comparison id"
//	@Param			If-Match	header		string				false	"ETag from GET; 412 when stale"
//	@Param			exempt		body		appsrc.ExemptInput	true	"the field and why"
//	@Success		200			{object}	comparisonView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/comparisons/{id}/exempt [post]
func (a *sourcingAPI) markExempt(c echo.Context) error {
	id, version, err := a.beforeComparisonChange(c)
	if err != nil {
		return err
	}
	var in appsrc.ExemptInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cmp, err := a.svc.MarkExempt(c.Request().Context(), actor(c), id, version, in)
	return a.answerComparison(c, http.StatusOK, cmp, err)
}

// releaseExempt discloses exempt fields.
//
//	@Summary	Release exempt fields of a published comparison (officer), e.g. after award
//	@Tags		sourcing
//	@Accept		json
//	@Produce	json
//	@Param		id			path		string				true	"comparison id"
//	@Param		If-Match	header		string				false	"ETag from GET; 412 when stale"
//	@Param		release		body		appsrc.ReleaseInput	true	"the fields to release"
//	@Success	200			{object}	comparisonView
//	@Failure	400			{object}	Problem
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	404			{object}	Problem
//	@Failure	409			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/comparisons/{id}/release [post]
func (a *sourcingAPI) releaseExempt(c echo.Context) error {
	id, version, err := a.beforeComparisonChange(c)
	if err != nil {
		return err
	}
	var in appsrc.ReleaseInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cmp, err := a.svc.Release(c.Request().Context(), actor(c), id, version, in)
	return a.answerComparison(c, http.StatusOK, cmp, err)
}

// exportComparisonCSV exports the figures as CSV.
//
//	@Summary		Export a comparison as CSV: per option per year, then the summary
//	@Description	Two tables separated by an empty line: the yearly figures of every option, then one summary row per option. The same view as GET: 404 unless the caller may read it, exempt options left out of a public reader's file.
//	@Tags			sourcing
//	@Produce		text/csv
//	@Param			id	path		string	true	"comparison id"
//	@Success		200	{string}	string	"CSV"
//	@Failure		404	{object}	Problem
//	@Router			/api/v1/comparisons/{id}/export.csv [get]
func (a *sourcingAPI) exportComparisonCSV(c echo.Context) error {
	body, err := a.svc.ComparisonExport(c.Request().Context(), actor(c), c.Param("id"), appsrc.ExportCSV)
	if err != nil {
		return err
	}
	return sourcingAttachment(c, "comparison-"+c.Param("id")+".csv", "text/csv; charset=utf-8", body)
}

// exportComparisonXLSX exports the figures as a workbook.
//
//	@Summary		Export a comparison as XLSX: sheets Years, Summary and Assumptions
//	@Description	The same view as GET: 404 unless the caller may read it, exempt options left out of a public reader's file.
//	@Tags			sourcing
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Param			id	path		string	true	"comparison id"
//	@Success		200	{file}		file
//	@Failure		404	{object}	Problem
//	@Router			/api/v1/comparisons/{id}/export.xlsx [get]
func (a *sourcingAPI) exportComparisonXLSX(c echo.Context) error {
	body, err := a.svc.ComparisonExport(c.Request().Context(), actor(c), c.Param("id"), appsrc.ExportXLSX)
	if err != nil {
		return err
	}
	return sourcingAttachment(c, "comparison-"+c.Param("id")+".xlsx", sourcingXLSXType, body)
}

// comparisonChart draws the comparison.
//
//	@Summary	Chart of a comparison (SVG): cumulative discounted cost by year, emissions by option
//	@Tags		sourcing
//	@Produce	image/svg+xml
//	@Param		id	path		string	true	"comparison id"
//	@Success	200	{string}	string	"SVG"
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/comparisons/{id}/chart.svg [get]
func (a *sourcingAPI) comparisonChart(c echo.Context) error {
	svg, err := a.svc.ComparisonChart(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return serveDocument(c, http.StatusOK, "image/svg+xml", svg)
}

func sourcingAttachment(c echo.Context, name, mediaType string, body []byte) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	return serveDocument(c, http.StatusOK, mediaType, body)
}

const sourcingXLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
