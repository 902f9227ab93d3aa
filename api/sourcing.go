package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
)

// importBodyLimit caps a catalogue import. The whole G-Cloud 14 catalogue
// as Digital Marketplace JSON is tens of megabytes; the general body limit
// (for hand-written JSON) would refuse it.
const importBodyLimit = 128 << 20

// sourcingAPI is the HTTP face of the sourcing capability: the G-Cloud
// catalogue, saved searches, comparisons and their documents.
type sourcingAPI struct {
	s   *Server
	svc *appsrc.Service
}

func (s *Server) sourcingRoutes(v1 *echo.Group) {
	a := &sourcingAPI{s: s, svc: s.app.Sourcing}
	// Every write checks the key's role at the route, before its body is
	// read; what depends on the record (its organisation, its state) is
	// checked by the use case, still before the body is decoded.
	write := []echo.MiddlewareFunc{s.authenticate, requireArea(domain.AreaSourcing)}

	v1.GET("/services", a.searchServices)
	v1.GET("/services/:id", a.getService)
	v1.POST("/services", a.createService, write...)
	v1.PATCH("/services/:id", a.patchService, write...)
	v1.POST("/services/import", a.importServices, write...)

	v1.POST("/saved-searches", a.createSavedSearch, write...)
	v1.GET("/saved-searches", a.listSavedSearches, write...)
	v1.GET("/saved-searches/:id", a.getSavedSearch, s.optionalAuth)
	v1.GET("/saved-searches/:id/export.csv", a.exportSavedSearchCSV, s.optionalAuth)
	v1.GET("/saved-searches/:id/export.xlsx", a.exportSavedSearchXLSX, s.optionalAuth)
	v1.POST("/saved-searches/:id/outcome", a.recordOutcome, write...)

	v1.POST("/comparisons", a.createComparison, write...)
	v1.GET("/comparisons", a.listComparisons, s.optionalAuth)
	v1.GET("/comparisons/:id", a.getComparison, s.optionalAuth)
	v1.PATCH("/comparisons/:id", a.patchComparison, write...)
	v1.DELETE("/comparisons/:id", a.deleteComparison, write...)
	v1.POST("/comparisons/:id/decide", a.decideComparison, write...)
	v1.POST("/comparisons/:id/publish", a.publishComparison, write...)
	v1.POST("/comparisons/:id/exempt", a.markExempt, write...)
	v1.POST("/comparisons/:id/release", a.releaseExempt, write...)
	v1.GET("/comparisons/:id/export.csv", a.exportComparisonCSV, s.optionalAuth)
	v1.GET("/comparisons/:id/export.xlsx", a.exportComparisonXLSX, s.optionalAuth)
	v1.GET("/comparisons/:id/chart.svg", a.comparisonChart, s.optionalAuth)
	v1.GET("/comparisons/:id/report", a.comparisonReport, s.optionalAuth)

	v1.GET("/sourcing-settings/:organisation", a.getSettings)
	v1.PUT("/sourcing-settings/:organisation", a.putSettings, write...)

	v1.GET("/factor-sets", a.listFactorSets)
	v1.GET("/factor-sets/:version", a.getFactorSet)
}

// unavailableWhileLoading tells a client when to retry a search that came
// while the index was still loading.
func unavailableWhileLoading(c echo.Context, err error) error {
	if domain.ErrorCode(err) == domain.CodeUnavailable {
		c.Response().Header().Set("Retry-After", "2")
	}
	return err
}

// searchServices searches the catalogue.
//
//	@Summary		Search G-Cloud services
//	@Description	Keywords are matched in name, description, features, benefits and supplier (all must occur) and ranked by relevance. Filters follow the Digital Marketplace: comma-separated values match any of them, a repeated parameter must match every occurrence. priceMin/priceMax bound the price per unit per year. Services whose framework has expired or been withdrawn today are left out unless includeExpired=true, which shows them with frameworkClosed set. 503 with Retry-After while the index loads after a start.
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
//	@Param			includeExpired	query		bool		false	"also show services on an expired or withdrawn framework, flagged (default false)"
//	@Param			sort			query		string		false	"relevance (default), price, -price, name, -name"
//	@Param			limit			query		int			false	"page size (1-100, default 20)"
//	@Param			offset			query		int			false	"results to skip (at most 10000)"
//	@Success		200				{object}	listResponse[sourcing.Hit]
//	@Failure		400				{object}	Problem
//	@Failure		503				{object}	Problem
//	@Router			/api/v1/services [get]
func (a *sourcingAPI) searchServices(c echo.Context) error {
	q, err := sourcing.ParseSearchQuery(c.QueryParams())
	if err != nil {
		return err
	}
	res, err := a.svc.Search(c.Request().Context(), q)
	if err != nil {
		return unavailableWhileLoading(c, err)
	}
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
	svc, m, err := a.svc.GetService(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return withETag(c, m.ETag(), svc)
}

// createService adds a service by hand.
//
//	@Summary		Add a G-Cloud service (officer)
//	@Description	The fields are those of a Digital Marketplace service record; see the import for each one. priceHistory is kept by the server.
//	@Tags			sourcing
//	@Accept			json
//	@Produce		json
//	@Param			service	body		sourcing.Service	true	"the service"
//	@Success		201		{object}	sourcing.Service
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/services [post]
func (a *sourcingAPI) createService(c echo.Context) error {
	var in sourcing.Service
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	svc, m, err := a.svc.CreateService(c.Request().Context(), actor(c), in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/services/"+url.PathEscape(svc.ID))
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusCreated, svc)
}

// patchService edits a service with a JSON merge patch.
//
//	@Summary	Edit a G-Cloud service (officer, JSON merge patch)
//	@Tags		sourcing
//	@Accept		json
//	@Produce	json
//	@Param		id			path		string			true	"service id"
//	@Param		If-Match	header		string			false	"ETag from GET; 412 when stale"
//	@Param		patch		body		sourcing.Service	true	"members to change (a JSON merge patch: the required marks are for the whole service)"
//	@Success	200			{object}	sourcing.Service
//	@Failure	400			{object}	Problem
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	404			{object}	Problem
//	@Failure	409			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/services/{id} [patch]
func (a *sourcingAPI) patchService(c echo.Context) error {
	id := c.Param("id")
	version, err := ifMatch(c, id)
	if err != nil {
		return err
	}
	raw, err := readPatch(c)
	if err != nil {
		return err
	}
	svc, m, err := a.svc.PatchService(c.Request().Context(), actor(c), id, version, raw)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusOK, svc)
}

// importServices upserts services from a Digital Marketplace JSON or CSV file.
//
//	@Summary		Import G-Cloud services (officer): JSON or CSV, upsert by id
//	@Description	Send {"services":[...]} as application/json, or a CSV file (text/csv) whose header row names the fields below; unknown fields and columns are ignored, so a whole Digital Marketplace export loads as it is. In CSV, list fields (serviceFeatures, serviceBenefits, serviceCategories, publicSectorNetworksTypes, securityGovernanceStandards, dataStorageAndProcessingLocations) hold their items separated by a vertical bar "|", and yes/no fields accept true/false, yes/no, y/n, 1/0 or empty (no). The file is read completely before anything is stored (at most 128 MiB); then good rows are stored even when others are rejected, and problems lists each bad row (the array position in JSON, the spreadsheet row in CSV, the header being row 1) and field. Price changes are added to each service's price history, with the file name from Content-Disposition as their source.
//	@Tags			sourcing
//	@Accept			json,text/csv
//	@Produce		json
//	@Param			catalogue	body		importDocument	true	"the catalogue as JSON, or as CSV with the same field names as columns"
//	@Success		200			{object}	appsrc.ImportReport
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		413			{object}	Problem
//	@Failure		415			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/services/import [post]
func (a *sourcingAPI) importServices(c echo.Context) error {
	r := c.Request()
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	format := map[string]string{"application/json": appsrc.ImportJSON, "text/csv": appsrc.ImportCSV}[mt]
	if format == "" {
		return newProblem("unsupported", "send the catalogue as application/json ({\"services\":[...]}) or text/csv")
	}
	if r.ContentLength > importBodyLimit {
		return newProblem("too-large", fmt.Sprintf("the file is %d bytes; an import may be at most %d", r.ContentLength, importBodyLimit))
	}
	// The whole file is read before it is parsed, so one cut off by the
	// limit is refused as a whole rather than half stored.
	file, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, importBodyLimit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return newProblem("too-large", fmt.Sprintf("an import may be at most %d bytes", importBodyLimit))
	}
	if err != nil {
		return err
	}
	rep, err := a.svc.Import(r.Context(), actor(c), format, bytes.NewReader(file), importName(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// importDocument is the JSON form of a catalogue import (CSV takes the same
// field names as columns).
type importDocument struct {
	Services []sourcing.Service `json:"services" validate:"required"`
}

func importName(c echo.Context) string {
	if _, params, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentDisposition)); err == nil && params["filename"] != "" {
		return params["filename"]
	}
	return "request " + c.Response().Header().Get(echo.HeaderXRequestID)
}

// getSettings reads an organisation's sourcing policy.
//
//	@Summary	Get an organisation's sourcing policy (cloud by default)
//	@Tags		sourcing
//	@Produce	json
//	@Param		organisation	path		string	true	"organisation id"
//	@Success	200				{object}	appsrc.Settings
//	@Failure	404				{object}	Problem
//	@Router		/api/v1/sourcing-settings/{organisation} [get]
func (a *sourcingAPI) getSettings(c echo.Context) error {
	st, m, err := a.svc.GetSettings(c.Request().Context(), c.Param("organisation"))
	if err != nil {
		return err
	}
	return withETag(c, m.ETag(), st)
}

// putSettings sets an organisation's sourcing policy.
//
//	@Summary		Set an organisation's sourcing policy (its officers, or an admin)
//	@Description	cloudFirst switches the "cloud by default" policy on: a comparison recommending an on-premise option then needs serviceReasons, and its report states the cost and carbon difference from the best-ranked cloud option. A comparison applies the policy in force when it is decided.
//	@Tags			sourcing
//	@Accept			json
//	@Produce		json
//	@Param			organisation	path		string					true	"organisation id"
//	@Param			If-Match		header		string					false	"ETag from GET; 412 when stale"
//	@Param			settings		body		appsrc.SettingsInput	true	"the policy"
//	@Success		200				{object}	appsrc.Settings
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Failure		412				{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/sourcing-settings/{organisation} [put]
func (a *sourcingAPI) putSettings(c echo.Context) error {
	org := c.Param("organisation")
	if err := authorize(c, domain.AreaSourcing, org); err != nil {
		return err
	}
	version, err := ifMatch(c, org)
	if err != nil {
		return err
	}
	var in appsrc.SettingsInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	st, m, err := a.svc.PutSettings(c.Request().Context(), actor(c), org, version, in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusOK, st)
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
