package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// comparisonRequest is the body of POST /comparisons: the comparison's
// inputs and the words the decision report needs besides the figures.
type comparisonRequest struct {
	sourcing.Comparison
	// Organisation owns the comparison; officers may leave it out (their own), admins must give it.
	Organisation string `json:"organisation,omitempty"`
	// Purpose says what decision the comparison supports, for the report.
	Purpose string `json:"purpose,omitempty"`
	// Risks are the officer's risk notes, added to those the figures raise.
	Risks []string `json:"risks,omitempty"`
	// RejectionReasons gives, by option id, why an option is not recommended.
	RejectionReasons map[string]string `json:"rejectionReasons,omitempty"`
}

// comparisonRecord is a stored comparison. The result is computed once and
// stored with the inputs and the factor-set version it used; it is never
// recomputed, so what was decided on is what is shown, whatever later
// happens to the catalogue or the factors.
type comparisonRecord struct {
	ID               string              `json:"id"`
	Organisation     string              `json:"organisation"`
	CreatedBy        string              `json:"createdBy"`
	CreatedAt        time.Time           `json:"createdAt"`
	FactorSetVersion string              `json:"factorSetVersion"`
	Purpose          string              `json:"purpose,omitempty"`
	Risks            []string            `json:"risks,omitempty"`
	RejectionReasons map[string]string   `json:"rejectionReasons,omitempty"`
	Input            sourcing.Comparison `json:"input"`
	Result           sourcing.Result     `json:"result"`
}

// comparisonSummary is a comparison in a listing.
type comparisonSummary struct {
	ID               string    `json:"id"`
	Title            string    `json:"title"`
	Organisation     string    `json:"organisation"`
	CreatedAt        time.Time `json:"createdAt"`
	FactorSetVersion string    `json:"factorSetVersion"`
	Options          int       `json:"options"`
	Recommended      string    `json:"recommended"` // the top-ranked option's name
	RecommendedNPV   string    `json:"recommendedNpv"`
	Href             string    `json:"href"`
}

func validateReportNotes(req comparisonRequest) error {
	var p domain.Problems
	if len(req.Purpose) > 2000 {
		p.Add("purpose", "must be at most 2000 characters")
	}
	if len(req.Risks) > 20 {
		p.Add("risks", "must list at most 20 risks")
	}
	for i, r := range req.Risks {
		if len(r) == 0 || len(r) > 500 {
			p.Add(fmt.Sprintf("risks[%d]", i), "must be 1 to 500 characters")
		}
	}
	ids := map[string]bool{}
	for _, o := range req.CloudOptions {
		ids[o.ID] = true
	}
	for _, o := range req.OnPremOptions {
		ids[o.ID] = true
	}
	for id, reason := range req.RejectionReasons {
		if !ids[id] {
			p.Add("rejectionReasons."+id, "is not the id of an option of this comparison")
		}
		if len(reason) > 1000 {
			p.Add("rejectionReasons."+id, "must be at most 1000 characters")
		}
	}
	return p.Err()
}

// snapshotServices fills in the prices of cloud options that name a
// catalogue service without giving a price, from the catalogue as it is now.
// The snapshot is part of the stored input, so later price changes in the
// catalogue leave the comparison as decided.
func (a *sourcingAPI) snapshotServices(c *sourcing.Comparison) error {
	var p domain.Problems
	for i := range c.CloudOptions {
		o := &c.CloudOptions[i]
		if o.ServiceID == "" || o.PriceUnit != "" {
			continue
		}
		svc, ok := a.index.Get(o.ServiceID)
		if !ok {
			p.Add(fmt.Sprintf("cloudOptions[%d].serviceId", i), "no service %q is in the catalogue; import it, or give priceMin, priceUnit and priceInterval", o.ServiceID)
			continue
		}
		snap := sourcing.CloudOptionFromService(o.ID, svc)
		o.PriceMin, o.PriceMax, o.PriceUnit, o.PriceInterval = snap.PriceMin, snap.PriceMax, snap.PriceUnit, snap.PriceInterval
		if o.SupplierName == "" {
			o.SupplierName = snap.SupplierName
		}
		if o.Name == "" {
			o.Name = snap.Name
		}
		if o.PriceBasis == "" {
			o.PriceBasis = snap.PriceBasis
		}
	}
	return p.Err()
}

// createComparison computes and stores a comparison.
//
//	@Summary		Compare G-Cloud services with on-premise: whole-life cost, carbon and best value (officer)
//	@Description	Validates the inputs (every problem at once), computes per option and year the cash and discounted cost, energy and emissions, and the summary, score and rank, and stores inputs, result and the factor-set version. A cloud option that names a catalogue serviceId without priceUnit takes its price from the catalogue. The method is in the result's method member.
//	@Tags			sourcing
//	@Accept			json
//	@Produce		json
//	@Param			comparison	body		comparisonRequest	true	"inputs"
//	@Success		201			{object}	comparisonRecord
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/comparisons [post]
func (a *sourcingAPI) createComparison(c echo.Context) error {
	if err := authorize(c, domain.AreaSourcing, ""); err != nil {
		return err
	}
	var req comparisonRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	org, err := a.owningOrganisation(c, req.Organisation)
	if err != nil {
		return err
	}
	if err := validateReportNotes(req); err != nil {
		return err
	}
	input := req.Comparison
	if err := a.snapshotServices(&input); err != nil {
		return err
	}
	res, err := sourcing.Compare(input)
	if err != nil {
		return err
	}
	input.FactorSetVersion = res.FactorSetVersion
	rec := comparisonRecord{ID: store.NewID(), Organisation: org, CreatedBy: principal(c).KeyID, CreatedAt: a.now().UTC(),
		FactorSetVersion: res.FactorSetVersion, Purpose: req.Purpose, Risks: req.Risks, RejectionReasons: req.RejectionReasons,
		Input: input, Result: res}
	stored, err := a.s.store.Insert(c.Request().Context(), collComparisons, rec.ID, rec)
	if err != nil {
		return err
	}
	a.s.audit(c, "comparison.create", collComparisons, rec.ID, nil, rec)
	c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/comparisons/"+rec.ID)
	c.Response().Header().Set("ETag", etag(stored))
	return c.JSON(http.StatusCreated, rec)
}

// listComparisons lists stored comparisons, newest first.
//
//	@Summary	List comparisons, newest first
//	@Tags		sourcing
//	@Produce	json
//	@Param		organisation	query		string	false	"organisation id"
//	@Param		limit			query		int		false	"page size (1-500, default 50)"
//	@Param		offset			query		int		false	"items to skip"
//	@Success	200				{object}	listResponse[comparisonSummary]
//	@Failure	400				{object}	Problem
//	@Router		/api/v1/comparisons [get]
func (a *sourcingAPI) listComparisons(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	q := store.Query{Sort: []store.Sort{{Field: "createdAt", Desc: true}}, Limit: limit, Offset: offset}
	if org := c.QueryParam("organisation"); org != "" {
		q.Filters = []store.Filter{{Field: "organisation", Op: store.Eq, Value: org}}
	}
	page, err := a.s.store.List(c.Request().Context(), collComparisons, q)
	if err != nil {
		return err
	}
	items := make([]comparisonSummary, 0, len(page.Records))
	for _, r := range page.Records {
		var cr comparisonRecord
		if err := r.Decode(&cr); err != nil {
			return err
		}
		s := comparisonSummary{ID: cr.ID, Title: cr.Result.Title, Organisation: cr.Organisation, CreatedAt: cr.CreatedAt,
			FactorSetVersion: cr.FactorSetVersion, Options: len(cr.Result.Options),
			Href: a.s.baseURL(c) + "/api/v1/comparisons/" + url.PathEscape(cr.ID)}
		if top, ok := topRanked(cr.Result); ok {
			s.Recommended, s.RecommendedNPV = top.Name, top.Summary.NPV.String()
		}
		items = append(items, s)
	}
	return c.JSON(http.StatusOK, listResponse[comparisonSummary]{Items: items, Total: page.Total, Limit: limit, Offset: offset,
		Links: a.s.pageLinks(c, limit, offset, page.Total)})
}

func topRanked(r sourcing.Result) (sourcing.OptionResult, bool) {
	for _, o := range r.Options {
		if o.Summary.Rank == 1 {
			return o, true
		}
	}
	return sourcing.OptionResult{}, false
}

func (a *sourcingAPI) loadComparison(c echo.Context) (store.Record, comparisonRecord, error) {
	var cr comparisonRecord
	rec, err := a.s.store.Get(c.Request().Context(), collComparisons, c.Param("id"))
	if err != nil {
		return rec, cr, err
	}
	return rec, cr, rec.Decode(&cr)
}

// getComparison reads a stored comparison exactly as it was computed.
//
//	@Summary	Get a comparison: inputs, result, factor-set version
//	@Tags		sourcing
//	@Produce	json
//	@Param		id	path		string	true	"comparison id"
//	@Success	200	{object}	comparisonRecord
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/comparisons/{id} [get]
func (a *sourcingAPI) getComparison(c echo.Context) error {
	rec, cr, err := a.loadComparison(c)
	if err != nil {
		return err
	}
	return withETag(c, etag(rec), cr)
}

// exportComparisonCSV exports the figures as CSV.
//
//	@Summary		Export a comparison as CSV: per option per year, then the summary
//	@Description	Two tables separated by an empty line: the yearly figures of every option, then one summary row per option.
//	@Tags			sourcing
//	@Produce		text/csv
//	@Param			id	path		string	true	"comparison id"
//	@Success		200	{string}	string	"CSV"
//	@Failure		404	{object}	Problem
//	@Router			/api/v1/comparisons/{id}/export.csv [get]
func (a *sourcingAPI) exportComparisonCSV(c echo.Context) error {
	_, cr, err := a.loadComparison(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := sourcing.WriteComparisonCSV(&b, cr.Result); err != nil {
		return err
	}
	return sourcingAttachment(c, "comparison-"+cr.ID+".csv", "text/csv; charset=utf-8", b.Bytes())
}

// exportComparisonXLSX exports the figures as a workbook.
//
//	@Summary	Export a comparison as XLSX: sheets Years, Summary and Assumptions
//	@Tags		sourcing
//	@Produce	application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Param		id	path		string	true	"comparison id"
//	@Success	200	{file}		file
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/comparisons/{id}/export.xlsx [get]
func (a *sourcingAPI) exportComparisonXLSX(c echo.Context) error {
	_, cr, err := a.loadComparison(c)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := sourcing.WriteComparisonXLSX(&b, cr.Result); err != nil {
		return err
	}
	return sourcingAttachment(c, "comparison-"+cr.ID+".xlsx", sourcingXLSXType, b.Bytes())
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
	rec, cr, err := a.loadComparison(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(rec))
	return c.Blob(http.StatusOK, "image/svg+xml", sourcing.ChartSVG(cr.Result))
}
