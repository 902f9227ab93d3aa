package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// Collections of the sourcing capability. On-premise options are part of a
// comparison's stored input, so they need no collection of their own.
const (
	collServices      = "gcloud_services"
	collSavedSearches = "saved_searches"
	collComparisons   = "comparisons"
)

var sourcingIndexes = []store.Index{
	{Collection: collServices, Fields: []string{"lot", "frameworkSlug", "supplierId"}},
	{Collection: collSavedSearches, Fields: []string{"organisation", "createdAt"}},
	{Collection: collComparisons, Fields: []string{"organisation", "createdAt"}},
}

// importBodyLimit caps a catalogue import. The whole G-Cloud 14 catalogue
// as Digital Marketplace JSON is tens of megabytes; the general body limit
// (for hand-written JSON) would refuse it.
const importBodyLimit = 128 << 20

// sourcingAPI serves the G-Cloud catalogue, saved searches and comparisons.
// The search index mirrors the gcloud_services collection: it is loaded at
// start and every service write updates the store first, then the index,
// so the index never shows what the store does not hold.
type sourcingAPI struct {
	s     *Server
	index *sourcing.Index
	now   func() time.Time
}

func (s *Server) sourcingRoutes(v1 *echo.Group) {
	a := &sourcingAPI{s: s, index: sourcing.NewIndex(nil), now: time.Now}
	s.starters = append(s.starters, a.load)

	v1.GET("/services", a.searchServices)
	v1.GET("/services/:id", a.getService)
	v1.POST("/services", a.createService, s.authenticate)
	v1.PATCH("/services/:id", a.patchService, s.authenticate)
	v1.POST("/services/import", a.importServices, s.authenticate)

	v1.POST("/saved-searches", a.createSavedSearch, s.authenticate)
	v1.GET("/saved-searches", a.listSavedSearches, s.authenticate)
	v1.GET("/saved-searches/:id", a.getSavedSearch, s.authenticate)
	v1.GET("/saved-searches/:id/export.csv", a.exportSavedSearchCSV, s.authenticate)
	v1.GET("/saved-searches/:id/export.xlsx", a.exportSavedSearchXLSX, s.authenticate)
	v1.POST("/saved-searches/:id/outcome", a.recordOutcome, s.authenticate)

	v1.POST("/comparisons", a.createComparison, s.authenticate)
	v1.GET("/comparisons", a.listComparisons)
	v1.GET("/comparisons/:id", a.getComparison)
	v1.GET("/comparisons/:id/export.csv", a.exportComparisonCSV)
	v1.GET("/comparisons/:id/export.xlsx", a.exportComparisonXLSX)
	v1.GET("/comparisons/:id/chart.svg", a.comparisonChart)
	v1.GET("/comparisons/:id/report", a.comparisonReport)

	v1.GET("/factor-sets", a.listFactorSets)
	v1.GET("/factor-sets/:version", a.getFactorSet)
}

// load builds the search index from the store.
func (a *sourcingAPI) load(ctx context.Context) error {
	var services []sourcing.Service
	err := a.s.store.Scan(ctx, collServices, nil, func(r store.Record) error {
		var svc sourcing.Service
		if err := r.Decode(&svc); err != nil {
			return fmt.Errorf("service %s: %w", r.ID, err)
		}
		services = append(services, svc)
		return nil
	})
	if err != nil {
		return fmt.Errorf("loading the G-Cloud catalogue: %w", err)
	}
	a.index = sourcing.NewIndex(services)
	return nil
}

// searchServices searches the catalogue.
//
//	@Summary		Search G-Cloud services
//	@Description	Keywords are matched in name, description, features, benefits and supplier (all must occur) and ranked by relevance. Filters follow the Digital Marketplace: comma-separated values match any of them, a repeated parameter must match every occurrence. priceMin/priceMax bound the price per unit per year.
//	@Tags			sourcing
//	@Produce		json
//	@Param			q				query		string		false	"keywords"
//	@Param			lot				query		[]string	false	"cloud-hosting, cloud-software, cloud-support"	collectionFormat(multi)
//	@Param			category		query		[]string	false	"service category"								collectionFormat(multi)
//	@Param			assurance		query		[]string	false	"iso-iec-27001, csa-star, pci, iso-28000, cyber-essentials, cyber-essentials-plus, psn, hscn, bs7858, clearance-bpss, clearance-sc, clearance-dv"	collectionFormat(multi)
//	@Param			dataLocation	query		[]string	false	"uk, eea, other"								collectionFormat(multi)
//	@Param			framework		query		[]string	false	"framework slug, e.g. g-cloud-14"				collectionFormat(multi)
//	@Param			priceMin		query		string		false	"lowest price per unit per year (pounds ex VAT)"
//	@Param			priceMax		query		string		false	"highest price per unit per year (pounds ex VAT)"
//	@Param			sort			query		string		false	"relevance (default), price, -price, name, -name"
//	@Param			limit			query		int			false	"page size (1-100, default 20)"
//	@Param			offset			query		int			false	"results to skip (at most 10000)"
//	@Success		200				{object}	listResponse[sourcing.Hit]
//	@Failure		400				{object}	Problem
//	@Router			/api/v1/services [get]
func (a *sourcingAPI) searchServices(c echo.Context) error {
	q, err := sourcing.ParseSearchQuery(c.QueryParams())
	if err != nil {
		return err
	}
	res := a.index.Search(q)
	links := a.s.pageLinks(c, q.Limit, q.Offset, int64(res.Total))
	if q.Offset+q.Limit > sourcing.MaxOffset {
		delete(links, "next")
	}
	return c.JSON(http.StatusOK, listResponse[sourcing.Hit]{Items: res.Hits, Total: int64(res.Total),
		Limit: q.Limit, Offset: q.Offset, Links: links})
}

// getService reads one service with its price history.
//
//	@Summary	Get a G-Cloud service
//	@Tags		sourcing
//	@Produce	json
//	@Param		id	path		string	true	"service id"
//	@Success	200	{object}	sourcing.Service
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/services/{id} [get]
func (a *sourcingAPI) getService(c echo.Context) error {
	rec, err := a.s.store.Get(c.Request().Context(), collServices, c.Param("id"))
	if err != nil {
		return err
	}
	var svc sourcing.Service
	if err := rec.Decode(&svc); err != nil {
		return err
	}
	return withETag(c, etag(rec), svc)
}

// createService adds a service by hand.
//
//	@Summary	Add a G-Cloud service (officer)
//	@Tags		sourcing
//	@Accept		json
//	@Produce	json
//	@Param		service	body		sourcing.Service	true	"the service; priceHistory is kept by the server"
//	@Success	201		{object}	sourcing.Service
//	@Failure	400		{object}	Problem
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Failure	409		{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/services [post]
func (a *sourcingAPI) createService(c echo.Context) error {
	if err := authorize(c, domain.AreaSourcing, ""); err != nil {
		return err
	}
	var in sourcing.Service
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if len(in.PriceHistory) > 0 {
		return serverKeptHistory()
	}
	if err := in.Validate(); err != nil {
		return err
	}
	svc := sourcing.Merge(nil, in, a.now(), "officer:"+principal(c).KeyID)
	rec, err := a.s.store.Insert(c.Request().Context(), collServices, svc.ID, svc)
	if errors.Is(err, store.ErrExists) {
		return &domain.Error{Code: domain.CodeConflict, Message: "a service with this id exists; PATCH it or import it to update",
			Fields: []domain.FieldProblem{{Field: "id", Problem: "is already in the catalogue"}}}
	}
	if err != nil {
		return err
	}
	a.index.Upsert(svc)
	a.s.audit(c, "service.create", collServices, svc.ID, nil, svc)
	c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/services/"+url.PathEscape(svc.ID))
	c.Response().Header().Set("ETag", etag(rec))
	return c.JSON(http.StatusCreated, svc)
}

func serverKeptHistory() error {
	return &domain.Error{Code: domain.CodeInvalid, Message: "the price history is kept by the server",
		Fields: []domain.FieldProblem{{Field: "priceHistory", Problem: "must be left out; change priceMin, priceMax, priceUnit or priceInterval and the server records the change"}}}
}

// patchService edits a service with a JSON merge patch.
//
//	@Summary	Edit a G-Cloud service (officer, JSON merge patch)
//	@Tags		sourcing
//	@Accept		json
//	@Produce	json
//	@Param		id			path		string				true	"service id"
//	@Param		If-Match	header		string				false	"ETag from GET; 412 when stale"
//	@Param		patch		body		sourcing.Service	true	"members to change"
//	@Success	200			{object}	sourcing.Service
//	@Failure	400			{object}	Problem
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	404			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/services/{id} [patch]
func (a *sourcingAPI) patchService(c echo.Context) error {
	if err := authorize(c, domain.AreaSourcing, ""); err != nil {
		return err
	}
	ctx := c.Request().Context()
	patch, err := readPatch(c)
	if err != nil {
		return err
	}
	var touches map[string]json.RawMessage
	if err := json.Unmarshal(patch, &touches); err == nil {
		if _, ok := touches["priceHistory"]; ok {
			return serverKeptHistory()
		}
	}
	rec, err := a.s.store.Get(ctx, collServices, c.Param("id"))
	if err != nil {
		return err
	}
	version, err := expectedVersion(c, rec)
	if err != nil {
		return err
	}
	var before, patched sourcing.Service
	if err := rec.Decode(&before); err != nil {
		return err
	}
	merged, err := mergePatch(rec.Data, patch)
	if err != nil {
		return err
	}
	if err := strictDecode(merged, &patched); err != nil {
		return err
	}
	if patched.ID != before.ID {
		var p domain.Problems
		p.Add("id", "cannot be changed")
		return p.Err()
	}
	if err := patched.Validate(); err != nil {
		return err
	}
	after := sourcing.Merge(&before, patched, a.now(), "officer:"+principal(c).KeyID)
	updated, err := a.s.store.Update(ctx, collServices, rec.ID, version, after)
	if err != nil {
		return err
	}
	a.index.Upsert(after)
	a.s.audit(c, "service.update", collServices, rec.ID, before, after)
	c.Response().Header().Set("ETag", etag(updated))
	return c.JSON(http.StatusOK, after)
}

// importReport is the answer to an import: what happened to each row.
type importReport struct {
	Rows      int                      `json:"rows"`
	Created   int                      `json:"created"`
	Updated   int                      `json:"updated"`
	Unchanged int                      `json:"unchanged"`
	Rejected  int                      `json:"rejected"`
	Problems  []sourcing.ImportProblem `json:"problems"`
}

// importServices upserts services from a Digital Marketplace JSON or CSV file.
//
//	@Summary		Import G-Cloud services (officer): JSON or CSV, upsert by id
//	@Description	Send {"services":[...]} as application/json or a CSV file (text/csv) whose header row names the Digital Marketplace fields. Good rows are stored even when others are rejected; problems lists each bad row and field. Price changes are added to each service's price history. A filename in Content-Disposition is recorded as the source of the prices.
//	@Tags			sourcing
//	@Accept			json,text/csv
//	@Produce		json
//	@Param			file	body		string	true	"the catalogue file"
//	@Success		200		{object}	importReport
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		413		{object}	Problem
//	@Failure		415		{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/services/import [post]
func (a *sourcingAPI) importServices(c echo.Context) error {
	if err := authorize(c, domain.AreaSourcing, ""); err != nil {
		return err
	}
	r := c.Request()
	if r.ContentLength > importBodyLimit {
		return newProblem("too-large", fmt.Sprintf("the file is %d bytes; an import may be at most %d", r.ContentLength, importBodyLimit))
	}
	body := http.MaxBytesReader(c.Response(), r.Body, importBodyLimit)
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	var parsed sourcing.ImportResult
	var err error
	switch mt {
	case "application/json":
		parsed, err = sourcing.ParseJSON(body)
	case "text/csv":
		parsed, err = sourcing.ParseCSV(body)
	default:
		return newProblem("unsupported", "send the catalogue as application/json ({\"services\":[...]}) or text/csv")
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return newProblem("too-large", fmt.Sprintf("an import may be at most %d bytes", importBodyLimit))
	}
	if err != nil {
		return err
	}
	source := "import:" + importName(c)
	rep := importReport{Rows: parsed.Rows, Problems: parsed.Problems}
	for i, in := range parsed.Services {
		outcome, err := a.upsert(c, in, source)
		if err != nil {
			if c.Request().Context().Err() != nil {
				return err
			}
			rep.Problems = append(rep.Problems, sourcing.ImportProblem{Row: a.rowOf(parsed, i, mt), ServiceID: in.ID,
				Problem: "not stored: " + toProblem(err).Detail})
			continue
		}
		switch outcome {
		case "created":
			rep.Created++
		case "updated":
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	rejected := map[int]bool{}
	for _, p := range rep.Problems {
		rejected[p.Row] = true
	}
	rep.Rejected = len(rejected)
	slices.SortStableFunc(rep.Problems, func(x, y sourcing.ImportProblem) int { return x.Row - y.Row })
	return c.JSON(http.StatusOK, rep)
}

// rowOf finds the file row of the i-th good service, for reporting a store
// failure against the row the officer can find.
func (a *sourcingAPI) rowOf(parsed sourcing.ImportResult, i int, mt string) int {
	bad := map[int]bool{}
	for _, p := range parsed.Problems {
		bad[p.Row] = true
	}
	first := 1
	if mt == "text/csv" {
		first = 2
	}
	n := -1
	for row := first; ; row++ {
		if !bad[row] {
			n++
			if n == i {
				return row
			}
		}
	}
}

func importName(c echo.Context) string {
	if _, params, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentDisposition)); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	return "request " + c.Response().Header().Get(echo.HeaderXRequestID)
}

// upsert stores one imported service, keeping its price history, and reports
// created, updated or unchanged. A concurrent edit between read and write is
// retried once against the new version.
func (a *sourcingAPI) upsert(c echo.Context, in sourcing.Service, source string) (string, error) {
	ctx := c.Request().Context()
	for attempt := 0; ; attempt++ {
		rec, err := a.s.store.Get(ctx, collServices, in.ID)
		if errors.Is(err, store.ErrNotFound) {
			svc := sourcing.Merge(nil, in, a.now(), source)
			if _, err := a.s.store.Insert(ctx, collServices, svc.ID, svc); err != nil {
				if errors.Is(err, store.ErrExists) && attempt == 0 {
					continue
				}
				return "", err
			}
			a.index.Upsert(svc)
			a.s.audit(c, "service.import", collServices, svc.ID, nil, svc)
			return "created", nil
		}
		if err != nil {
			return "", err
		}
		var before sourcing.Service
		if err := rec.Decode(&before); err != nil {
			return "", err
		}
		after := sourcing.Merge(&before, in, a.now(), source)
		if string(mustJSON(after)) == string(mustJSON(before)) {
			return "unchanged", nil
		}
		if _, err := a.s.store.Update(ctx, collServices, in.ID, rec.Version, after); err != nil {
			if errors.Is(err, store.ErrStale) && attempt == 0 {
				continue
			}
			return "", err
		}
		a.index.Upsert(after)
		a.s.audit(c, "service.import", collServices, in.ID, before, after)
		return "updated", nil
	}
}

// factorSetSummary lists a factor set without its figures.
type factorSetSummary struct {
	Version string `json:"version"`
	Current bool   `json:"current"`
	Factors int    `json:"factors"`
	Href    string `json:"href"`
}

// listFactorSets lists the carbon and energy factor sets.
//
//	@Summary	List carbon and energy factor sets (versions are immutable)
//	@Tags		sourcing
//	@Produce	json
//	@Success	200	{object}	listResponse[factorSetSummary]
//	@Router		/api/v1/factor-sets [get]
func (a *sourcingAPI) listFactorSets(c echo.Context) error {
	versions := sourcing.FactorSetVersions()
	items := make([]factorSetSummary, 0, len(versions))
	for _, v := range versions {
		fs, _ := sourcing.LookupFactorSet(v)
		items = append(items, factorSetSummary{Version: v, Current: v == sourcing.CurrentFactorSetVersion,
			Factors: len(fs.Factors), Href: a.s.baseURL(c) + "/api/v1/factor-sets/" + url.PathEscape(v)})
	}
	return c.JSON(http.StatusOK, listResponse[factorSetSummary]{Items: items, Total: int64(len(items)), Limit: len(items)})
}

// getFactorSet shows every factor of a set with its source and year.
//
//	@Summary	Get a factor set: each factor with value, unit, year and source
//	@Tags		sourcing
//	@Produce	json
//	@Param		version	path		string	true	"factor set version, e.g. uk-2025.1"
//	@Success	200		{object}	sourcing.FactorSet
//	@Failure	404		{object}	Problem
//	@Router		/api/v1/factor-sets/{version} [get]
func (a *sourcingAPI) getFactorSet(c echo.Context) error {
	fs, ok := sourcing.LookupFactorSet(c.Param("version"))
	if !ok {
		p := newProblem("not-found", "no factor set has this version")
		p.Allowed = sourcing.FactorSetVersions()
		return p
	}
	// Versions never change, so caches may keep them.
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return withETag(c, `"factors-`+fs.Version+`"`, fs)
}
