package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/catalogue"
	od "github.com/jointict/councilapi/domain/opendata"
)

// list searches the catalogue.
//
//	@Summary	Search datasets
//	@Tags		open data
//	@Produce	json
//	@Param		q				query		string	false	"words in title, description or keywords (all must appear)"
//	@Param		publisher		query		string	false	"organisation id; comma-separated = any of"
//	@Param		theme			query		string	false	"data.gov.uk theme slug; comma-separated = any of"
//	@Param		licence			query		string	false	"licence id"
//	@Param		format			query		string	false	"download format: csv, json, geojson"
//	@Param		bbox			query		string	false	"minLon,minLat,maxLon,maxLat (CRS84): datasets whose extent intersects"
//	@Param		modifiedSince	query		string	false	"RFC 3339 date or time"
//	@Param		status			query		string	false	"published (default), withdrawn, or draft (their publisher only)"
//	@Param		sort			query		string	false	"relevance (default), title, -title, modified, -modified, issued, -issued"
//	@Param		limit			query		int		false	"page size (1-100, default 20)"
//	@Param		offset			query		int		false	"items to skip"
//	@Success	200				{object}	listResponse[datasetView]
//	@Header		200				{string}	ETag	"of the catalogue and the request; 304 on If-None-Match (not for drafts)"
//	@Failure	400				{object}	Problem
//	@Router		/api/v1/datasets [get]
func (a *datasetsAPI) list(c echo.Context) error {
	q, err := od.ParseQuery(c.QueryParams())
	if err != nil {
		return err
	}
	base := a.s.baseURL(c)
	if !slices.Contains(q.Status, od.StatusDraft) {
		// Published and withdrawn datasets are the catalogue's, the same for
		// every reader: the page's tag is known without searching.
		ix, err := a.svc.Catalogue()
		if err != nil {
			return err
		}
		tag := catalogueTag(ix, base, requestKey(c), "api")
		c.Response().Header().Set("ETag", tag)
		if notModified(c, tag) {
			return c.NoContent(http.StatusNotModified)
		}
	}
	found, total, err := a.svc.Find(c.Request().Context(), actor(c), q)
	if err != nil {
		return err
	}
	items := make([]catalogue.Packed, len(found))
	for i, f := range found {
		items[i] = a.keptView(c, f, base)
	}
	body, err := marshalList(listResponse[catalogue.Packed]{Items: items, Total: total, Limit: q.Limit, Offset: q.Offset,
		Links: a.s.pageLinks(c, q.Limit, q.Offset, total)})
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body)
}

// keptView is a found dataset's view as JSON, kept in the dataset's memo
// for the base URL and GEMINI status it depends on: encoding a page of 100
// views was a third of a search's time at 20,000 datasets.
func (a *datasetsAPI) keptView(c echo.Context, f appod.Found, base string) catalogue.Packed {
	var missing []string
	if f.Record.IsSpatial() {
		missing = a.s.app.Inspire.Missing(c.Request().Context(), f.Record, base)
	}
	key := base + "\x00" + strings.Join(missing, "\x00")
	return catalogue.Memoise(f.Memo, "api-dataset", key, func() catalogue.Packed {
		return catalogue.Pack(json.Marshal(viewOf(f.Record, base, missing)))
	})
}

// marshalList writes a list of kept JSON items as encoding/json's Encoder
// writes the same list (what c.JSON sends), each item decoded into the
// body and not checked again.
func marshalList(resp listResponse[catalogue.Packed]) ([]byte, error) {
	size := 256
	for _, it := range resp.Items {
		size += it.Len() + 1
	}
	b := append(make([]byte, 0, size), `{"items":[`...)
	for i, it := range resp.Items {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = it.AppendTo(b); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"total":`...)
	b = strconv.AppendInt(b, resp.Total, 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(resp.Limit), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, int64(resp.Offset), 10)
	if len(resp.Links) > 0 {
		links, err := json.Marshal(resp.Links)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"links":`...), links...)
	}
	return append(b, "}\n"...), nil
}
