package api

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	appsrc "github.com/jointict/councilapi/app/sourcing"
)

// savedSearchView is a saved search as the API shows it, with links to its
// results, exports and outcome.
type savedSearchView struct {
	appsrc.SavedSearchView
	Links map[string]string `json:"links"`
}

func (a *sourcingAPI) savedView(c echo.Context, v appsrc.SavedSearchView) savedSearchView {
	base := a.s.baseURL(c) + "/api/v1/saved-searches/" + url.PathEscape(v.ID)
	return savedSearchView{SavedSearchView: v, Links: map[string]string{
		"self": base, "results": a.s.baseURL(c) + "/api/v1/services?" + v.QueryString,
		"exportCsv": base + "/export.csv", "exportXlsx": base + "/export.xlsx", "outcome": base + "/outcome"}}
}

// createSavedSearch saves a search.
//
//	@Summary	Save a search of the catalogue (officer)
//	@Tags		sourcing
//	@Accept		json
//	@Produce	json
//	@Param		search	body		appsrc.SavedSearchInput	true	"name and search parameters"
//	@Success	201		{object}	savedSearchView
//	@Failure	400		{object}	Problem
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/saved-searches [post]
func (a *sourcingAPI) createSavedSearch(c echo.Context) error {
	var in appsrc.SavedSearchInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.CreateSavedSearch(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	out := a.savedView(c, v)
	c.Response().Header().Set("Location", out.Links["self"])
	c.Response().Header().Set("ETag", v.Meta.ETag())
	return c.JSON(http.StatusCreated, out)
}

// listSavedSearches lists the caller's organisation's saved searches.
//
//	@Summary	List saved searches (officer: own organisation; admin: all or ?organisation=)
//	@Tags		sourcing
//	@Produce	json
//	@Param		organisation	query		string	false	"organisation id (admin)"
//	@Param		limit			query		int		false	"page size (1-500, default 50)"
//	@Param		offset			query		int		false	"items to skip"
//	@Success	200				{object}	listResponse[savedSearchView]
//	@Failure	401				{object}	Problem
//	@Failure	403				{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/saved-searches [get]
func (a *sourcingAPI) listSavedSearches(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	list, total, err := a.svc.ListSavedSearches(c.Request().Context(), actor(c),
		appsrc.SearchQueryFilter{Organisation: c.QueryParam("organisation"), Limit: limit, Offset: offset})
	if err != nil {
		return err
	}
	items := make([]savedSearchView, len(list))
	for i, v := range list {
		items[i] = a.savedView(c, v)
	}
	return c.JSON(http.StatusOK, listResponse[savedSearchView]{Items: items, Total: total, Limit: limit, Offset: offset,
		Links: a.s.pageLinks(c, limit, offset, total)})
}

// getSavedSearch reads a saved search.
//
//	@Summary		Get a saved search, with how many services it finds today
//	@Description	For the organisation's officers and admins, and, once its outcome links a joint procurement, the officers of that procurement's parties; 404 for anyone else.
//	@Tags			sourcing
//	@Produce		json
//	@Param			id	path		string	true	"saved search id"
//	@Success		200	{object}	savedSearchView
//	@Failure		404	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/saved-searches/{id} [get]
func (a *sourcingAPI) getSavedSearch(c echo.Context) error {
	v, err := a.svc.GetSavedSearch(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return withETag(c, v.Meta.ETag(), a.savedView(c, v))
}

// exportSavedSearchCSV exports the shortlist as CSV.
//
//	@Summary		Export a saved search's results as CSV (officer); the first export locks the search
//	@Description	Allowed when the search finds 30 services or fewer (409 otherwise). The file begins with the search's provenance as comment rows ("# Query terms: backup"; read it with a CSV reader that skips lines starting with #): the terms, every filter, when and by whom it was run, the number of results and the catalogue snapshot (import date, count, content hash). The first export fixes the shortlist: later downloads return the same bytes.
//	@Tags			sourcing
//	@Produce		text/csv
//	@Param			id	path		string	true	"saved search id"
//	@Success		200	{string}	string	"CSV: provenance comment rows, then supplier, service, description, price, unit, interval, URL, contact"
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/saved-searches/{id}/export.csv [get]
func (a *sourcingAPI) exportSavedSearchCSV(c echo.Context) error {
	sl, err := a.svc.Export(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return unavailableWhileLoading(c, err)
	}
	body, err := sl.CSV()
	if err != nil {
		return err
	}
	return sourcingAttachment(c, "shortlist-"+sl.Search.ID+".csv", "text/csv; charset=utf-8", body)
}

// exportSavedSearchXLSX exports the shortlist as a workbook.
//
//	@Summary		Export a saved search's results as XLSX (officer); the first export locks the search
//	@Description	Allowed when the search finds 30 services or fewer (409 otherwise). Sheets "Shortlist" and "Search" (the provenance: terms, every filter, when and by whom, results, catalogue snapshot).
//	@Tags			sourcing
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Param			id	path		string	true	"saved search id"
//	@Success		200	{file}		file
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/saved-searches/{id}/export.xlsx [get]
func (a *sourcingAPI) exportSavedSearchXLSX(c echo.Context) error {
	sl, err := a.svc.Export(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return unavailableWhileLoading(c, err)
	}
	body, err := sl.XLSX()
	if err != nil {
		return err
	}
	return sourcingAttachment(c, "shortlist-"+sl.Search.ID+".xlsx", sourcingXLSXType, body)
}

// recordOutcome records how the direct award ended.
//
//	@Summary		Record the outcome of an exported search (officer): awarded, cancelled or none-suitable
//	@Description	An award names one of the exported services and may link the decided comparison it rests on and a joint procurement; the answer's notices say what it triggers under the procurement rules in force (Transparency Code contracts register over £5,000, Contracts Finder / Find a Tender notices by value and route).
//	@Tags			sourcing
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string				true	"saved search id"
//	@Param			If-Match	header		string				false	"ETag from GET; 412 when stale"
//	@Param			outcome		body		appsrc.OutcomeInput	true	"awarded: serviceId, contractValue, startDate, endDate, buyingOrganisation; otherwise reason"
//	@Success		200			{object}	savedSearchView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/saved-searches/{id}/outcome [post]
func (a *sourcingAPI) recordOutcome(c echo.Context) error {
	id := c.Param("id")
	if err := a.svc.AuthorizeSearchChange(c.Request().Context(), actor(c), id); err != nil {
		return err
	}
	version, err := ifMatch(c, id)
	if err != nil {
		return err
	}
	var in appsrc.OutcomeInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	v, err := a.svc.RecordOutcome(c.Request().Context(), actor(c), id, version, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", v.Meta.ETag())
	return c.JSON(http.StatusOK, a.savedView(c, v))
}
