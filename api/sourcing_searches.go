package api

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// savedSearch is the stored form of a saved search: the domain record, the
// organisation that owns it, the query as the buyer wrote it, and, once
// exported, the rows exactly as exported, so that the shortlist can be
// downloaded again unchanged however the catalogue moves on.
type savedSearch struct {
	sourcing.SavedSearch
	Organisation string               `json:"organisation"`
	QueryString  string               `json:"queryString"`
	ExportedRows []sourcing.ExportRow `json:"exportedRows,omitempty"`
}

// savedSearchView is a saved search as shown: with the number of services
// the search finds today and links to its results and exports.
type savedSearchView struct {
	savedSearch
	CurrentTotal int               `json:"currentTotal"`
	Links        map[string]string `json:"links"`
}

type savedSearchRequest struct {
	Name string `json:"name"`
	// Query holds the search parameters as in GET /api/v1/services, e.g. "q=backup&lot=cloud-hosting".
	Query string `json:"query"`
	// Organisation owns the search; officers may leave it out (their own), admins must give it.
	Organisation string `json:"organisation,omitempty"`
}

type outcomeRequest struct {
	Result             string         `json:"result"`
	ServiceID          string         `json:"serviceId,omitempty"`
	ContractValue      sourcing.Money `json:"contractValue,omitempty"`
	StartDate          string         `json:"startDate,omitempty"`
	EndDate            string         `json:"endDate,omitempty"`
	BuyingOrganisation string         `json:"buyingOrganisation,omitempty"`
	Reason             string         `json:"reason,omitempty"`
}

// owningOrganisation is the organisation a new record belongs to: the
// caller's own, or for an admin key (which has none) the one named.
func (a *sourcingAPI) owningOrganisation(c echo.Context, named string) (string, error) {
	org := named
	if org == "" {
		org = principal(c).Organisation
	}
	if org == "" {
		var p domain.Problems
		p.Add("organisation", "is required with an admin key: the id of the council the record belongs to, e.g. neddc")
		return "", p.Err()
	}
	if err := authorize(c, domain.AreaSourcing, org); err != nil {
		return "", err
	}
	if _, err := a.s.store.Get(c.Request().Context(), collOrganisations, org); errors.Is(err, store.ErrNotFound) {
		var p domain.Problems
		p.Add("organisation", "no organisation has id %q; GET /api/v1/organisations lists them", org)
		return "", p.Err()
	} else if err != nil {
		return "", err
	}
	return org, nil
}

// parseSavedQuery reads the query string of a saved search with the rules
// of GET /services, naming problems as query.<parameter>.
func parseSavedQuery(raw string) (sourcing.SearchQuery, string, error) {
	raw = strings.TrimPrefix(strings.TrimSpace(raw), "?")
	values, err := url.ParseQuery(raw)
	if err != nil {
		var p domain.Problems
		p.Add("query", "must be URL query parameters such as q=backup&lot=cloud-hosting")
		return sourcing.SearchQuery{}, "", p.Err()
	}
	// Paging is not part of what a shortlist is.
	values.Del("offset")
	values.Del("limit")
	q, err := sourcing.ParseSearchQuery(values)
	var de *domain.Error
	if errors.As(err, &de) {
		return q, "", domain.Problems(de.Fields).Prefix("query.").Err()
	}
	return q, values.Encode(), err
}

func (a *sourcingAPI) view(c echo.Context, ss savedSearch) savedSearchView {
	q := ss.Query
	q.Offset, q.Limit = 0, 1
	base := a.s.baseURL(c) + "/api/v1/saved-searches/" + url.PathEscape(ss.ID)
	return savedSearchView{savedSearch: ss, CurrentTotal: a.index.Search(q).Total, Links: map[string]string{
		"self": base, "results": a.s.baseURL(c) + "/api/v1/services?" + ss.QueryString,
		"exportCsv": base + "/export.csv", "exportXlsx": base + "/export.xlsx", "outcome": base + "/outcome"}}
}

// createSavedSearch saves a search.
//
//	@Summary	Save a search of the catalogue (officer)
//	@Tags		sourcing
//	@Accept		json
//	@Produce	json
//	@Param		search	body		savedSearchRequest	true	"name and search parameters"
//	@Success	201		{object}	savedSearchView
//	@Failure	400		{object}	Problem
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/saved-searches [post]
func (a *sourcingAPI) createSavedSearch(c echo.Context) error {
	if err := authorize(c, domain.AreaSourcing, ""); err != nil {
		return err
	}
	var req savedSearchRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	org, err := a.owningOrganisation(c, req.Organisation)
	if err != nil {
		return err
	}
	q, qs, err := parseSavedQuery(req.Query)
	if err != nil {
		return err
	}
	ss, err := sourcing.NewSavedSearch(store.NewID(), req.Name, q, principal(c).KeyID, a.now())
	if err != nil {
		return err
	}
	rec := savedSearch{SavedSearch: ss, Organisation: org, QueryString: qs}
	stored, err := a.s.store.Insert(c.Request().Context(), collSavedSearches, ss.ID, rec)
	if err != nil {
		return err
	}
	a.s.audit(c, "saved-search.create", collSavedSearches, ss.ID, nil, rec)
	v := a.view(c, rec)
	c.Response().Header().Set("Location", v.Links["self"])
	c.Response().Header().Set("ETag", etag(stored))
	return c.JSON(http.StatusCreated, v)
}

// loadSavedSearch reads a saved search and checks the caller may see it:
// saved searches are working records of one council's buyers.
func (a *sourcingAPI) loadSavedSearch(c echo.Context) (store.Record, savedSearch, error) {
	var ss savedSearch
	rec, err := a.s.store.Get(c.Request().Context(), collSavedSearches, c.Param("id"))
	if err != nil {
		return rec, ss, err
	}
	if err := rec.Decode(&ss); err != nil {
		return rec, ss, err
	}
	return rec, ss, authorize(c, domain.AreaSourcing, ss.Organisation)
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
	if err := authorize(c, domain.AreaSourcing, ""); err != nil {
		return err
	}
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	org := principal(c).Organisation
	if org == "" {
		org = c.QueryParam("organisation")
	}
	q := store.Query{Sort: []store.Sort{{Field: "createdAt", Desc: true}}, Limit: limit, Offset: offset}
	if org != "" {
		q.Filters = []store.Filter{{Field: "organisation", Op: store.Eq, Value: org}}
	}
	page, err := a.s.store.List(c.Request().Context(), collSavedSearches, q)
	if err != nil {
		return err
	}
	items := make([]savedSearchView, 0, len(page.Records))
	for _, r := range page.Records {
		var ss savedSearch
		if err := r.Decode(&ss); err != nil {
			return err
		}
		items = append(items, a.view(c, ss))
	}
	return c.JSON(http.StatusOK, listResponse[savedSearchView]{Items: items, Total: page.Total, Limit: limit, Offset: offset,
		Links: a.s.pageLinks(c, limit, offset, page.Total)})
}

// getSavedSearch reads a saved search.
//
//	@Summary	Get a saved search, with how many services it finds today
//	@Tags		sourcing
//	@Produce	json
//	@Param		id	path		string	true	"saved search id"
//	@Success	200	{object}	savedSearchView
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/saved-searches/{id} [get]
func (a *sourcingAPI) getSavedSearch(c echo.Context) error {
	rec, ss, err := a.loadSavedSearch(c)
	if err != nil {
		return err
	}
	return withETag(c, etag(rec), a.view(c, ss))
}

// exportRows returns the shortlist of a saved search, locking it on the
// first export: the Digital Marketplace allows export (and with it a direct
// award) only for 30 results or fewer.
func (a *sourcingAPI) exportRows(c echo.Context) (savedSearch, []sourcing.ExportRow, error) {
	rec, ss, err := a.loadSavedSearch(c)
	if err != nil {
		return ss, nil, err
	}
	if ss.Locked() {
		return ss, ss.ExportedRows, nil
	}
	q := ss.Query
	q.Offset, q.Limit = 0, sourcing.MaxExportResults
	res := a.index.Search(q)
	before := ss
	if err := ss.Export(res, a.now()); err != nil {
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.CodeConflict && res.Total > sourcing.MaxExportResults {
			p := newProblem("conflict", fmt.Sprintf("this search finds %d services; only %d or fewer can be exported for a direct award, so narrow the search with more keywords or filters and save it again", res.Total, sourcing.MaxExportResults))
			p.Errors = de.Fields
			return ss, nil, p
		}
		return ss, nil, err
	}
	ss.ExportedRows = sourcing.ExportRows(res.Hits)
	if _, err := a.s.store.Update(c.Request().Context(), collSavedSearches, rec.ID, rec.Version, ss); err != nil {
		return ss, nil, err
	}
	a.s.audit(c, "saved-search.export", collSavedSearches, ss.ID, before, ss)
	return ss, ss.ExportedRows, nil
}

func sourcingAttachment(c echo.Context, name, mediaType string, body []byte) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	return c.Blob(http.StatusOK, mediaType, body)
}

const sourcingXLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// exportSavedSearchCSV exports the shortlist as CSV.
//
//	@Summary		Export a saved search's results as CSV (officer); locks the search
//	@Description	Allowed when the search finds 30 services or fewer (409 otherwise). The first export fixes the shortlist: later downloads return the same rows.
//	@Tags			sourcing
//	@Produce		text/csv
//	@Param			id	path		string	true	"saved search id"
//	@Success		200	{string}	string	"CSV: supplier, service, description, price, unit, interval, URL, contact"
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/saved-searches/{id}/export.csv [get]
func (a *sourcingAPI) exportSavedSearchCSV(c echo.Context) error {
	ss, rows, err := a.exportRows(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := sourcing.WriteCSV(&b, rows); err != nil {
		return err
	}
	return sourcingAttachment(c, "shortlist-"+ss.ID+".csv", "text/csv; charset=utf-8", b.Bytes())
}

// exportSavedSearchXLSX exports the shortlist as a workbook.
//
//	@Summary		Export a saved search's results as XLSX (officer); locks the search
//	@Description	Allowed when the search finds 30 services or fewer (409 otherwise). The first export fixes the shortlist: later downloads return the same rows.
//	@Tags			sourcing
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Param			id	path		string	true	"saved search id"
//	@Success		200	{file}		file
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		404	{object}	Problem
//	@Failure		409	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/saved-searches/{id}/export.xlsx [get]
func (a *sourcingAPI) exportSavedSearchXLSX(c echo.Context) error {
	ss, rows, err := a.exportRows(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	title := fmt.Sprintf("%s (G-Cloud shortlist exported %s)", ss.Name, ss.LockedAt.Format(time.DateOnly))
	if err := sourcing.WriteXLSX(&b, title, rows); err != nil {
		return err
	}
	return sourcingAttachment(c, "shortlist-"+ss.ID+".xlsx", sourcingXLSXType, b.Bytes())
}

// recordOutcome records how the direct award ended.
//
//	@Summary	Record the outcome of an exported search (officer): awarded, cancelled or none-suitable
//	@Tags		sourcing
//	@Accept		json
//	@Produce	json
//	@Param		id			path		string			true	"saved search id"
//	@Param		If-Match	header		string			false	"ETag from GET; 412 when stale"
//	@Param		outcome		body		outcomeRequest	true	"awarded: serviceId, contractValue, startDate, endDate, buyingOrganisation; otherwise reason"
//	@Success	200			{object}	savedSearchView
//	@Failure	400			{object}	Problem
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	404			{object}	Problem
//	@Failure	409			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/saved-searches/{id}/outcome [post]
func (a *sourcingAPI) recordOutcome(c echo.Context) error {
	if err := authorize(c, domain.AreaSourcing, ""); err != nil {
		return err
	}
	var req outcomeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	rec, ss, err := a.loadSavedSearch(c)
	if err != nil {
		return err
	}
	version, err := expectedVersion(c, rec)
	if err != nil {
		return err
	}
	before := ss
	o := sourcing.Outcome{Result: req.Result, ServiceID: req.ServiceID, ContractValue: req.ContractValue,
		StartDate: req.StartDate, EndDate: req.EndDate, BuyingOrganisation: req.BuyingOrganisation, Reason: req.Reason,
		RecordedBy: principal(c).KeyID, RecordedAt: a.now().UTC()}
	if err := ss.RecordOutcome(o); err != nil {
		return err
	}
	updated, err := a.s.store.Update(c.Request().Context(), collSavedSearches, rec.ID, version, ss)
	if err != nil {
		return err
	}
	a.s.audit(c, "saved-search.outcome", collSavedSearches, ss.ID, before, ss)
	c.Response().Header().Set("ETag", etag(updated))
	return c.JSON(http.StatusOK, a.view(c, ss))
}
