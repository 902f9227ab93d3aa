package api

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/ckan"
	"github.com/jointict/councilapi/catalogue/datajson"
	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/domain"
)

// harvestPerPage is the page size of the DCAT catalogue and data.json, well
// under ckanext-dcat's 50 MB download limit.
const harvestPerPage = 100

const (
	catalogueTitle       = "Joint ICT Service open data"
	catalogueDescription = "Open data published by the councils of the Joint ICT Service: datasets, their versions and downloads."
)

// harvestAPI serves what data.gov.uk's CKAN harvesters read: DCAT-AP
// (Turtle, JSON-LD, RDF/XML), data.json and a CKAN Action API subset. These
// follow external standards, so they stay out of the OpenAPI document.
type harvestAPI struct {
	s       *Server
	src     catalogue.Source
	perPage int
}

// routeAdder is what both *echo.Echo and *echo.Group offer.
type routeAdder interface {
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

func (s *Server) harvestRoutes(src catalogue.Source) {
	(&harvestAPI{s: s, src: src, perPage: harvestPerPage}).register(s.Echo)
}

func (h *harvestAPI) register(r routeAdder) {
	// ckanext-dcat sends HEAD before GET, so every document answers both.
	get := func(path string, fn echo.HandlerFunc) {
		r.Add(http.MethodGet, path, fn)
		r.Add(http.MethodHead, path, fn)
	}
	get("/catalog", h.catalog(nil))
	for _, f := range dcat.Formats {
		get("/catalog."+f.Extension(), h.catalog(&f))
	}
	get("/dataset/:slug", h.dataset)
	get("/data.json", h.dataJSON)
	r.Add(http.MethodGet, "/api/3/action/:action", h.ckanAction)
	r.Add(http.MethodPost, "/api/3/action/:action", h.ckanAction)
}

// pageParam reads ?page=N (1-based, default 1).
func pageParam(c echo.Context) (int, error) {
	v := c.QueryParam("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		var p domain.Problems
		p.Add("page", "must be a whole number, 1 or more")
		return 0, p.Err()
	}
	return n, nil
}

// serveHarvest writes a harvest document; clients revalidate every time,
// and unchanged content answers 304.
func serveHarvest(c echo.Context, contentType string, body []byte) error {
	c.Response().Header().Set("Cache-Control", "no-cache")
	return serveDocument(c, http.StatusOK, contentType, body)
}

func (h *harvestAPI) load(c echo.Context) (string, []catalogue.Entry, []domain.Organisation, error) {
	base := h.s.baseURL(c)
	ctx := c.Request().Context()
	entries, err := h.src.Published(ctx, base)
	if err != nil {
		return "", nil, nil, err
	}
	orgs, err := h.src.Organisations(ctx)
	return base, entries, orgs, err
}

func catalogInfo(base string, orgs []domain.Organisation) dcat.Catalog {
	cat := dcat.Catalog{BaseURL: base, Title: catalogueTitle, Description: catalogueDescription,
		Homepage: base + "/datasets"}
	for i, o := range orgs {
		if i == 0 || o.Host {
			cat.Publisher = o
		}
		if o.Host {
			break
		}
	}
	return cat
}

// catalog serves the paged DCAT catalogue in a fixed format, or (fixed ==
// nil) the format the Accept header prefers.
func (h *harvestAPI) catalog(fixed *dcat.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		page, err := pageParam(c)
		if err != nil {
			return err
		}
		base, entries, orgs, err := h.load(c)
		if err != nil {
			return err
		}
		var f dcat.Format
		path := "/catalog"
		if fixed != nil {
			f = *fixed
			path += "." + f.Extension()
		} else {
			c.Response().Header().Add("Vary", "Accept")
			var html bool
			if f, html = dcat.Negotiate(c.Request().Header.Get("Accept")); html {
				return c.Redirect(http.StatusSeeOther, base+"/datasets")
			}
		}
		g := dcat.CatalogGraph(catalogInfo(base, orgs), entries, dcat.Paging{Page: page, PerPage: h.perPage,
			PageURL: func(n int) string { return base + path + "?page=" + strconv.Itoa(n) }})
		body, err := dcat.Encode(g, f)
		if err != nil {
			return err
		}
		return serveHarvest(c, f.MediaType()+"; charset=utf-8", body)
	}
}

// dataset serves /dataset/{slug}[.ttl|.jsonld|.rdf]: the dataset's URI,
// which dereferences to its description, or for a browser to its page.
func (h *harvestAPI) dataset(c echo.Context) error {
	slug := c.Param("slug")
	var f dcat.Format
	negotiated := true
	if i := strings.LastIndexByte(slug, '.'); i > 0 {
		var ok bool
		if f, ok = dcat.FormatFromExtension(slug[i+1:]); !ok {
			return newProblem("not-found", fmt.Sprintf("no representation .%s; use .ttl, .jsonld or .rdf", slug[i+1:]))
		}
		slug, negotiated = slug[:i], false
	}
	base, entries, _, err := h.load(c)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Dataset.Slug != slug {
			continue
		}
		if negotiated {
			c.Response().Header().Add("Vary", "Accept")
			var html bool
			if f, html = dcat.Negotiate(c.Request().Header.Get("Accept")); html {
				return c.Redirect(http.StatusSeeOther, e.LandingPage)
			}
		}
		body, err := dcat.Encode(dcat.DatasetGraph(base, e), f)
		if err != nil {
			return err
		}
		return serveHarvest(c, f.MediaType()+"; charset=utf-8", body)
	}
	return newProblem("not-found", "no published dataset has the slug "+slug)
}

func (h *harvestAPI) dataJSON(c echo.Context) error {
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	base, entries, _, err := h.load(c)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(datajson.Build(base, entries, page, h.perPage), "", " ")
	if err != nil {
		return err
	}
	return serveHarvest(c, "application/json; charset=utf-8", body)
}

// ckanParams merges the query string and, for POST, the JSON body object,
// writing numbers and booleans as CKAN reads them from a query string.
func ckanParams(c echo.Context) (ckan.Params, error) {
	p := ckan.Params{}
	for k, v := range c.QueryParams() {
		p[k] = v[0]
	}
	r := c.Request()
	if r.Method != http.MethodPost || r.ContentLength == 0 {
		return p, nil
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(raw)) == "" {
		return p, nil
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, fmt.Errorf("JSON Error: %v", err)
	}
	for k, v := range body {
		switch x := v.(type) {
		case string:
			p[k] = x
		case float64:
			if x == math.Trunc(x) {
				p[k] = strconv.FormatInt(int64(x), 10)
			} else {
				p[k] = strconv.FormatFloat(x, 'f', -1, 64)
			}
		case bool:
			p[k] = strconv.FormatBool(x)
		case nil:
		default:
			b, _ := json.Marshal(x)
			p[k] = string(b)
		}
	}
	return p, nil
}

func (h *harvestAPI) ckanAction(c echo.Context) error {
	action := c.Param("action")
	params, err := ckanParams(c)
	if err != nil {
		return c.JSON(http.StatusBadRequest, "Bad request - "+err.Error())
	}
	base, entries, orgs, err := h.load(c)
	if err != nil {
		return err
	}
	cat := ckan.Catalogue{BaseURL: base, Entries: entries, Organisations: orgs, Title: catalogueTitle,
		Description: catalogueDescription}
	result, cerr, ok := ckan.Call(cat, action, params)
	if !ok {
		return c.JSON(http.StatusBadRequest, "Bad request - Action name not known: "+action)
	}
	resp := ckan.Response{Help: ckan.Help(base, action)}
	if cerr != nil {
		resp.Error = cerr
		return c.JSON(cerr.Status, resp)
	}
	resp.Success, resp.Result = true, result
	body, err := json.Marshal(resp)
	if err != nil {
		return err
	}
	return serveHarvest(c, "application/json; charset=utf-8", body)
}
