package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue/ocds"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
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
	orgs, err := a.organisations(c.Request().Context())
	if err != nil {
		return ocds.Config{}, err
	}
	host, _ := hostOf(orgs)
	return ocds.Config{Prefix: a.prefix, PublisherName: host.Name, PublisherURI: host.Website,
		BaseURI: a.s.baseURL(c) + "/ocds"}, nil
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

func decodeReleases(recs []store.Record) ([]ocds.Release, error) {
	out := make([]ocds.Release, 0, len(recs))
	for _, r := range recs {
		var d releaseDoc
		if err := r.Decode(&d); err != nil {
			return nil, err
		}
		out = append(out, d.Release)
	}
	return out, nil
}

// releasesOf returns the stored releases of one ocid in the order made.
func (a *procurementAPI) releasesOf(ctx context.Context, ocid string) ([]ocds.Release, error) {
	page, err := a.s.store.List(ctx, collReleases, store.Query{Filters: []store.Filter{{Field: "ocid", Op: store.Eq, Value: ocid}},
		Sort: []store.Sort{{Field: "seq"}}})
	if err != nil {
		return nil, err
	}
	return decodeReleases(page.Records)
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
	q := store.Query{Sort: []store.Sort{{Field: "date"}}, Offset: (page - 1) * limit, Limit: limit}
	if v := c.QueryParam("since"); v != "" {
		since, err := parseSince(v)
		if err != nil {
			return err
		}
		q.Filters = append(q.Filters, store.Filter{Field: "date", Op: store.Gte, Value: since.UTC().Format(time.RFC3339)})
	}
	res, err := a.s.store.List(c.Request().Context(), collReleases, q)
	if err != nil {
		return err
	}
	if len(res.Records) == 0 {
		return newProblem("not-found", "no releases match; an OCDS package needs at least one release (check since and page)")
	}
	rels, err := decodeReleases(res.Records)
	if err != nil {
		return err
	}
	cfg, err := a.ocdsConfig(c)
	if err != nil {
		return err
	}
	pkg := ocds.NewReleasePackage(cfg, a.selfURI(c), latest(rels), rels)
	return c.JSON(http.StatusOK, releasePackagePage{ReleasePackage: pkg, Links: a.ocdsLinks(c, page, limit, res.Total)})
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
	ctx := c.Request().Context()
	res, err := a.s.store.List(ctx, collProcurements, store.Query{Filters: []store.Filter{{Field: "public", Op: store.Eq, Value: true}},
		Sort: []store.Sort{{Field: "ocid"}}, Offset: (page - 1) * limit, Limit: limit})
	if err != nil {
		return err
	}
	var all []ocds.Release
	for _, r := range res.Records {
		var d procurementDoc
		if err := r.Decode(&d); err != nil {
			return err
		}
		rels, err := a.releasesOf(ctx, d.OCID)
		if err != nil {
			return err
		}
		all = append(all, rels...)
	}
	if len(all) == 0 {
		return newProblem("not-found", "no records on this page; an OCDS package needs at least one record")
	}
	return a.recordPackage(c, all, a.ocdsLinks(c, page, limit, res.Total))
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
	rels, err := a.releasesOf(c.Request().Context(), ocid)
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

// release adds the OCDS release of the change to d when the procurement is
// published and the release says something the previous one did not.
// Pipeline entries are internal ideas and publish nothing; the move to
// planning (preliminary market engagement, a public notice) is the first
// release.
func (a *procurementAPI) release(ctx context.Context, d *procurementDoc, at time.Time) error {
	public := d.Public || (d.State != procurement.StatePipeline && d.State != procurement.StateCancelled && d.State != "")
	if !public {
		return nil
	}
	orgs, err := a.organisations(ctx)
	if err != nil {
		return err
	}
	host, _ := hostOf(orgs)
	cfg := ocds.Config{Prefix: a.prefix, PublisherName: host.Name}
	ch := ocds.Change{Seq: d.Releases + 1, At: at, PrevState: d.ReleasedState}
	if d.LastRelease != nil {
		ch.PrevDate = d.LastRelease.Date
	}
	r, err := ocds.NewRelease(d.JointProcurement, orgs, cfg, ch)
	if err != nil {
		return err
	}
	if d.LastRelease != nil && sameContent(*d.LastRelease, r) {
		return nil
	}
	d.Public, d.OCID, d.Releases, d.ReleasedState, d.LastRelease = true, r.OCID, d.Releases+1, d.State, &r
	return nil
}

// sameContent compares two releases without what names a release rather
// than the process (id, date, tag).
func sameContent(a, b ocds.Release) bool {
	a.ID, a.Date, a.Tag = "", "", nil
	b.ID, b.Date, b.Tag = "", "", nil
	return reflect.DeepEqual(mustJSON(a), mustJSON(b))
}

// releaseDoc is one immutable stored OCDS release.
type releaseDoc struct {
	OCID          string       `json:"ocid"`
	ReleaseID     string       `json:"releaseId"`
	Seq           int          `json:"seq"`
	Date          string       `json:"date"`
	Tag           []string     `json:"tag"`
	ProcurementID string       `json:"procurementId"`
	Release       ocds.Release `json:"release"`
}

func releaseRecordID(ocid string, seq int) string { return fmt.Sprintf("%s.%06d", ocid, seq) }

// writeRelease stores d's last release once; a repeat finds it there.
func (a *procurementAPI) writeRelease(ctx context.Context, d procurementDoc) error {
	r := d.LastRelease
	if r == nil {
		return nil
	}
	doc := releaseDoc{OCID: r.OCID, ReleaseID: r.ID, Seq: d.Releases, Date: r.Date, Tag: r.Tag, ProcurementID: d.ID, Release: *r}
	_, err := a.s.store.Insert(ctx, collReleases, releaseRecordID(r.OCID, d.Releases), doc)
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}
