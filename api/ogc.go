package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/internal/negotiate"
)

// ogcService names the OGC API on its landing page and in its OpenAPI document.
var ogcService = ogc.Service{
	Title:       "councilapi OGC API – Features",
	Description: "Published spatial datasets of the councils as OGC API – Features (Part 1 core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS by reference), for QGIS, GDAL and INSPIRE download.",
}

// collectionStates is what a catalog that loads collections in the
// background (ogc.Registry) says of a collection it does not serve yet.
type collectionStates interface {
	State(ctx context.Context, id string) ogc.CollectionState
}

// ogcAPI serves OGC API – Features from a catalog. Every response is built
// from immutable collections, so it needs no locks of its own.
type ogcAPI struct {
	cat     ogc.Catalog
	baseURL func(echo.Context) string
	basemap ogc.Basemap
	bufs    sync.Pool
}

// RegisterOGC mounts OGC API – Features on g (the lead mounts it at /ogc).
// baseURL gives the absolute scheme://host prefix of links for a request;
// basemap is drawn under the HTML pages' maps (the zero value: none).
func RegisterOGC(g *echo.Group, cat ogc.Catalog, baseURL func(echo.Context) string, basemap ogc.Basemap) {
	a := &ogcAPI{cat: cat, baseURL: baseURL, basemap: basemap, bufs: sync.Pool{New: func() any { return new([]byte) }}}
	route := func(p string, h func(echo.Context, string) error) {
		g.GET(p, func(c echo.Context) error {
			// The API root is the request's route minus this route's own path,
			// so links are right wherever the group is mounted.
			return h(c, a.baseURL(c)+strings.TrimSuffix(strings.TrimSuffix(c.Path(), p), "/"))
		})
	}
	route("", a.landing)
	route("/", a.landing)
	route("/conformance", a.conformance)
	route("/api", a.openAPI)
	route("/collections", a.collections)
	route("/collections/:collectionId", a.collection)
	route("/collections/:collectionId/queryables", a.queryables)
	route("/collections/:collectionId/items", a.items)
	route("/collections/:collectionId/items/:featureId", a.feature)
	route(ogc.AssetsPath+"/:file", a.asset)
}

// ogcFormat picks JSON or HTML: f wins, then the Accept header, then JSON.
// JSON is offered first, so a client accepting both equally (*/* from
// curl, GDAL and OWSLib) gets JSON; a browser, naming text/html, gets HTML.
func ogcFormat(c echo.Context) ogc.Format {
	if f, err := ogc.ParseFormat(c.QueryParam(ogc.FormatParam)); err == nil {
		return f
	}
	m, ok := negotiate.ParseAccept(c.Request().Header.Get("Accept")).Best(ogcOffers...)
	if ok && ogcOffers[m.Offer] == ogc.MediaHTML {
		return ogc.FormatHTML
	}
	return ogc.FormatJSON
}

// ogcOffers are the types the OGC API's documents come in, JSON first.
var ogcOffers = []string{ogc.MediaJSON, ogc.MediaGeoJSON, ogc.MediaOpenAPI, ogc.MediaSchema, ogc.MediaHTML}

// send writes a body with its ETag, or 304 when the client has it already.
func (a *ogcAPI) send(c echo.Context, contentType string, body []byte, tag string) error {
	h := c.Response().Header()
	if tag == "" {
		tag = contentTag(body)
	}
	h.Set("ETag", tag)
	h.Add("Vary", "Accept")
	if notModified(c, tag) {
		return c.NoContent(http.StatusNotModified)
	}
	// A known length lets net/http send the page in one write rather than
	// chunked (the gzip middleware drops it when it compresses).
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
	return c.Blob(http.StatusOK, contentType, body)
}

func ogcJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only our own document types are encoded
	}
	return buf.Bytes()
}

// sendDoc answers with the JSON document or its HTML page.
func (a *ogcAPI) sendDoc(c echo.Context, base, jsonType string, doc any, page func() ogc.Page) error {
	if ogcFormat(c) == ogc.FormatHTML {
		body, err := a.renderHTML(page(), base)
		if err != nil {
			return err
		}
		return a.send(c, echo.MIMETextHTMLCharsetUTF8, body, "")
	}
	return a.send(c, jsonType, ogcJSON(doc), "")
}

// renderHTML writes a page with the configured basemap under its map.
func (a *ogcAPI) renderHTML(p ogc.Page, base string) ([]byte, error) {
	p.Basemap = a.basemap
	return ogc.RenderHTML(p, base)
}

func (a *ogcAPI) landing(c echo.Context, base string) error {
	if err := ogc.CheckParams(c.QueryParams()); err != nil {
		return err
	}
	d := ogc.NewLandingPage(ogcService, base)
	return a.sendDoc(c, base, ogc.MediaJSON, d, func() ogc.Page { return ogc.LandingHTML(d) })
}

func (a *ogcAPI) conformance(c echo.Context, base string) error {
	if err := ogc.CheckParams(c.QueryParams()); err != nil {
		return err
	}
	d := ogc.NewConformance(base)
	return a.sendDoc(c, base, ogc.MediaJSON, d, func() ogc.Page { return ogc.ConformanceHTML(d) })
}

func (a *ogcAPI) openAPI(c echo.Context, base string) error {
	if err := ogc.CheckParams(c.QueryParams()); err != nil {
		return err
	}
	d := ogc.OpenAPI(ogcService, a.cat.Collections(c.Request().Context()), base, "1.0.0")
	return a.sendDoc(c, base, ogc.MediaOpenAPI, d, func() ogc.Page { return ogc.OpenAPIHTML(d) })
}

func (a *ogcAPI) collections(c echo.Context, base string) error {
	if err := ogc.CheckParams(c.QueryParams()); err != nil {
		return err
	}
	d := ogc.NewCollections(a.cat.Collections(c.Request().Context()), base)
	return a.sendDoc(c, base, ogc.MediaJSON, d, func() ogc.Page { return ogc.CollectionsHTML(d, base) })
}

func (a *ogcAPI) lookup(c echo.Context) (*ogc.Collection, error) {
	id := c.Param("collectionId")
	col, ok := a.cat.Collection(c.Request().Context(), id)
	if ok {
		return col, nil
	}
	// A published collection whose index is still opening (after a restart,
	// or on another instance just after publication) is 503, never 404: a
	// client retrying shortly gets it.
	if reg, ok := a.cat.(collectionStates); ok {
		switch st := reg.State(c.Request().Context(), id); st.Availability {
		case ogc.Loading:
			c.Response().Header().Set("Retry-After", "1")
			return nil, newProblem("unavailable", fmt.Sprintf("collection %q is published and its index is loading (since %s); retry in a second",
				id, st.Since.UTC().Format(time.RFC3339)))
		case ogc.Failed:
			c.Response().Header().Set("Retry-After", "30")
			return nil, newProblem("unavailable", fmt.Sprintf("collection %q is published but its index could not be loaded: %v", id, st.Err))
		}
	}
	return nil, newProblem("not-found", fmt.Sprintf("no collection %q; GET /collections lists them", id))
}

func (a *ogcAPI) collection(c echo.Context, base string) error {
	col, err := a.lookup(c)
	if err != nil {
		return err
	}
	if err := ogc.CheckParams(c.QueryParams()); err != nil {
		return err
	}
	d := ogc.NewCollectionDoc(col, base)
	return a.sendDoc(c, base, ogc.MediaJSON, d, func() ogc.Page { return ogc.CollectionHTML(d, base) })
}

func (a *ogcAPI) queryables(c echo.Context, base string) error {
	col, err := a.lookup(c)
	if err != nil {
		return err
	}
	if err := ogc.CheckParams(c.QueryParams()); err != nil {
		return err
	}
	return a.sendDoc(c, base, ogc.MediaSchema, ogc.QueryablesDoc(col, base), func() ogc.Page { return ogc.QueryablesHTML(col, base) })
}

// pageTag is the weak ETag of a features response: the index content, the
// collection metadata in its links, and everything in the request that
// shapes the body. Weak, because timeStamp differs between responses.
func pageTag(col *ogc.Collection, base, query string, f ogc.Format) string {
	// FNV-1a over the parts, each ended by a zero byte, without building
	// them into a string: the tag is computed for every page served.
	h := uint64(14695981039346656037)
	add := func(s string) {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * 1099511628211
		}
		h *= 1099511628211 // the zero byte
	}
	addInt := func(n int64) {
		var num [20]byte
		for _, c := range strconv.AppendInt(num[:0], n, 10) {
			h = (h ^ uint64(c)) * 1099511628211
		}
		h *= 1099511628211
	}
	add(col.ID)
	add(col.Title)
	addInt(col.Updated.UnixNano())
	addInt(int64(f))
	add(base)
	add(query)
	tag := make([]byte, 0, 64)
	tag = append(tag, `W/"`...)
	tag = append(tag, col.Features.ETag()...)
	tag = append(tag, '-')
	tag = strconv.AppendUint(tag, h, 16)
	return string(append(tag, '"'))
}

func (a *ogcAPI) items(c echo.Context, base string) error {
	col, err := a.lookup(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	req, err := ogc.ParseItems(q, col)
	if err != nil {
		return err
	}
	f := ogcFormat(c)
	tag := pageTag(col, base, c.Request().URL.RawQuery, f)
	if notModified(c, tag) {
		c.Response().Header().Set("ETag", tag)
		return c.NoContent(http.StatusNotModified)
	}
	res := col.Features.Search(req.Query)
	links := ogc.ItemsLinks(col, base, q, req, res.Matched)
	bp := a.bufs.Get().(*[]byte)
	defer a.bufs.Put(bp)
	body, err := col.Features.AppendItems((*bp)[:0], res, req.CRS, links, time.Now())
	if err != nil {
		return err
	}
	*bp = body
	c.Response().Header().Set("Content-Crs", "<"+req.CRS.URI()+">")
	if f == ogc.FormatHTML {
		page, err := ogc.ItemsHTML(col, base, body, req.CRS, links)
		if err != nil {
			return err
		}
		html, err := a.renderHTML(page, base)
		if err != nil {
			return err
		}
		return a.send(c, echo.MIMETextHTMLCharsetUTF8, html, tag)
	}
	return a.send(c, ogc.MediaGeoJSON, body, tag)
}

func (a *ogcAPI) feature(c echo.Context, base string) error {
	col, err := a.lookup(c)
	if err != nil {
		return err
	}
	id := c.Param("featureId")
	q := c.QueryParams()
	if err := ogc.CheckParams(q, "crs"); err != nil {
		return err
	}
	to := crs.CRS84
	if v := q.Get("crs"); v != "" {
		if to, err = crs.Parse(v); err != nil {
			return newProblem("invalid", "invalid query parameter crs: must be one of "+strings.Join(crs.Allowed(), ", "))
		}
	}
	o, ok := col.Features.Lookup(id)
	if !ok {
		return newProblem("not-found", fmt.Sprintf("collection %q has no feature %q", col.ID, id))
	}
	links := ogc.FeatureLinks(col, base, id, q)
	body, err := col.Features.AppendFeature(nil, o, to, links)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Crs", "<"+to.URI()+">")
	if ogcFormat(c) == ogc.FormatHTML {
		page, err := ogc.FeatureHTML(col, base, id, body, to == crs.CRS84, links)
		if err != nil {
			return err
		}
		html, err := a.renderHTML(page, base)
		if err != nil {
			return err
		}
		return a.send(c, echo.MIMETextHTMLCharsetUTF8, html, "")
	}
	return a.send(c, ogc.MediaGeoJSON, body, "")
}

func (a *ogcAPI) asset(c echo.Context, _ string) error {
	name := c.Param("file")
	body, err := fs.ReadFile(ogc.Assets(), name)
	if err != nil || strings.Contains(name, "/") {
		return newProblem("not-found", "no such asset")
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=86400")
	return a.send(c, mime.TypeByExtension(path.Ext(name)), body, "")
}
