package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue/ocds"
	"github.com/jointict/councilapi/domain"
)

// releasePackagePage is a release package with the paging links the OCDS
// API guidance describes (links.next, links.prev).
type releasePackagePage struct {
	ocds.ReleasePackage
	Links map[string]string `json:"links,omitempty"`
}

// recordPackagePage is a record package with paging links.
type recordPackagePage struct {
	ocds.RecordPackage
	Links map[string]string `json:"links,omitempty"`
}

// ocdsConfig is the publication configuration: the host authority publishes.
func (a *procurementAPI) ocdsConfig(c echo.Context) (ocds.Config, error) {
	return a.svc.PackageConfig(c.Request().Context(), a.s.baseURL(c)+"/ocds")
}

// ocdsPaging reads page (from 1) and limit (1-1000, default 100).
func ocdsPaging(c echo.Context) (page, limit int, err error) {
	var pr domain.Problems
	page, limit = 1, 100
	if v := c.QueryParam("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			pr.Add("page", "must be a whole number from 1")
		}
	}
	if v := c.QueryParam("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			pr.Add("limit", "must be a whole number from 1 to 1000")
		}
	}
	return page, limit, pr.Err()
}

// ocdsLinks builds next/prev links keeping the other parameters.
func (a *procurementAPI) ocdsLinks(c echo.Context, page, limit int, total int64) map[string]string {
	u := a.s.baseURL(c) + c.Request().URL.Path
	at := func(n int) string {
		q := c.Request().URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("limit", strconv.Itoa(limit))
		return u + "?" + q.Encode()
	}
	links := map[string]string{}
	if int64(page*limit) < total {
		links["next"] = at(page + 1)
	}
	if page > 1 {
		links["prev"] = at(page - 1)
	}
	return links
}

func (a *procurementAPI) selfURI(c echo.Context) string {
	return a.s.baseURL(c) + c.Request().URL.RequestURI()
}

// latest is the publishedDate of a package: its newest release's date, so
// the same page is the same bytes until something is published.
func latest(rs []ocds.Release) time.Time {
	var t time.Time
	for _, r := range rs {
		if d, err := time.Parse(time.RFC3339, r.Date); err == nil && d.After(t) {
			t = d
		}
	}
	return t
}

// releases serves the release package.
//
//	@Summary		OCDS 1.1 release package of the joint procurement register
//	@Description	Every release as it was published (each is a snapshot, never rebuilt), oldest first; links.next pages on. since keeps releases dated at or after it. A package must hold at least one release, so a page with none is a 404 problem rather than an invalid package.
//	@Tags			ocds
//	@Produce		json
//	@Param			since	query		string	false	"RFC 3339 time or YYYY-MM-DD"
//	@Param			page	query		int		false	"page number from 1"
//	@Param			limit	query		int		false	"releases per page (1-1000, default 100)"
//	@Success		200		{object}	releasePackagePage
//	@Failure		400		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/ocds/releases [get]
func (a *procurementAPI) releases(c echo.Context) error {
	page, limit, err := ocdsPaging(c)
	if err != nil {
		return err
	}
	var since time.Time
	if v := c.QueryParam("since"); v != "" {
		if since, err = parseSince(v); err != nil {
			return err
		}
	}
	rels, total, err := a.svc.Releases(c.Request().Context(), since, limit, (page-1)*limit)
	if err != nil {
		return err
	}
	if len(rels) == 0 {
		return newProblem("not-found", "no releases match; an OCDS package needs at least one release (check since and page)")
	}
	cfg, err := a.ocdsConfig(c)
	if err != nil {
		return err
	}
	pkg := ocds.NewReleasePackage(cfg, a.selfURI(c), latest(rels), rels)
	return c.JSON(http.StatusOK, releasePackagePage{ReleasePackage: pkg, Links: a.ocdsLinks(c, page, limit, total)})
}

func parseSince(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, &domain.Error{Code: domain.CodeInvalid, Message: "since is not a date",
		Fields: []domain.FieldProblem{{Field: "since", Problem: "give an RFC 3339 time such as 2026-03-01T00:00:00Z or a date such as 2026-03-01"}}}
}

// records serves record packages, one record per published procurement.
//
//	@Summary		OCDS 1.1 record package: every release of each contracting process with its compiled release
//	@Description	Records are ordered by ocid; links.next pages on. An empty page is a 404 problem (a package needs at least one record).
//	@Tags			ocds
//	@Produce		json
//	@Param			page	query		int	false	"page number from 1"
//	@Param			limit	query		int	false	"records per page (1-1000, default 100)"
//	@Success		200		{object}	recordPackagePage
//	@Failure		400		{object}	Problem
//	@Failure		404		{object}	Problem
//	@Router			/ocds/records [get]
func (a *procurementAPI) records(c echo.Context) error {
	page, limit, err := ocdsPaging(c)
	if err != nil {
		return err
	}
	all, total, err := a.svc.RecordReleases(c.Request().Context(), limit, (page-1)*limit)
	if err != nil {
		return err
	}
	if len(all) == 0 {
		return newProblem("not-found", "no records on this page; an OCDS package needs at least one record")
	}
	return a.recordPackage(c, all, a.ocdsLinks(c, page, limit, total))
}

// record serves the record of one contracting process.
//
//	@Summary	OCDS 1.1 record package of one ocid, with its compiled release (OCDS merge)
//	@Tags		ocds
//	@Produce	json
//	@Param		ocid	path		string	true	"ocid, e.g. ocds-b5fd17-JICT-2026-004 (a / in a reference may be sent as is or as %2F)"
//	@Success	200		{object}	recordPackagePage
//	@Failure	404		{object}	Problem
//	@Router		/ocds/records/{ocid} [get]
func (a *procurementAPI) record(c echo.Context) error {
	ocid, err := url.PathUnescape(c.Param("*"))
	if err != nil || ocid == "" || strings.Contains(ocid, "..") {
		return newProblem("not-found", "no such ocid")
	}
	rels, err := a.svc.ReleasesOf(c.Request().Context(), ocid)
	if err != nil {
		return err
	}
	if len(rels) == 0 {
		return newProblem("not-found", "no contracting process has ocid "+ocid)
	}
	return a.recordPackage(c, rels, nil)
}

func (a *procurementAPI) recordPackage(c echo.Context, rels []ocds.Release, links map[string]string) error {
	cfg, err := a.ocdsConfig(c)
	if err != nil {
		return err
	}
	pkg, err := ocds.NewRecordPackage(cfg, a.selfURI(c), latest(rels), rels)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, recordPackagePage{RecordPackage: pkg, Links: links})
}
