package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/ckan"
	"github.com/jointict/councilapi/catalogue/datajson"
	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
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
	src     catalogueSource
	perPage int
	// makingParts is held while every dataset's DCAT part is made in the
	// background (see dcatParts).
	makingParts sync.Mutex
}

// catalogueSource is the catalogue's read model: the open data
// capability's index of published datasets (a fixture's in tests).
type catalogueSource interface {
	Catalogue() (*index.Index, error)
}

// routeAdder is what both *echo.Echo and *echo.Group offer.
type routeAdder interface {
	Add(method, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) *echo.Route
}

func (s *Server) harvestRoutes(src catalogueSource) {
	h := &harvestAPI{s: s, src: src, perPage: harvestPerPage}
	h.register(s.Echo)
	if base := strings.TrimRight(s.cfg.BaseURL, "/"); base != "" {
		// With the base URL known before any request, the DCAT parts are made
		// as soon as the catalogue is loaded, so a harvester's first walk
		// after a restart does not make them (its pages' p99 was 70-210 ms
		// at 20,000 datasets).
		s.starters = append(s.starters, func(ctx context.Context) error {
			go h.prepareParts(ctx, base)
			return nil
		})
	}
}

// prepareParts makes every dataset's DCAT part in each format for the
// default profile once the catalogue has loaded.
func (h *harvestAPI) prepareParts(ctx context.Context, base string) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		if ix, err := h.src.Catalogue(); err == nil {
			h.makingParts.Lock()
			defer h.makingParts.Unlock()
			t0 := time.Now()
			for _, f := range dcat.Formats {
				if !makeParts(ctx, ix, base, dcat.AP211, f) {
					return
				}
			}
			published, _, _ := ix.Summary(nil)
			h.s.log.Info("DCAT parts made", "published", published, "seconds", time.Since(t0).Seconds())
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// makeParts makes every item's part in f, a page of the index at a time;
// false when ctx ended first.
func makeParts(ctx context.Context, ix *index.Index, base string, prof dcat.Profile, f dcat.Format) bool {
	const batch = 500
	for offset := 0; ; offset += batch {
		if ctx.Err() != nil {
			return false
		}
		res := ix.Find(index.Query{Offset: offset, Limit: batch})
		for _, it := range res.Items {
			dcatPart(it, base, prof).Prepare(f)
		}
		if len(res.Items) < batch {
			return true
		}
	}
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

// buildStamp tells builds apart in ETags: a new release may write the same
// catalogue differently.
var buildStamp = func() string {
	stamp := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok {
		stamp = bi.Main.Version
		for _, st := range bi.Settings {
			if st.Key == "vcs.revision" || st.Key == "vcs.modified" {
				stamp += " " + st.Value
			}
		}
	}
	return stamp
}()

// catalogueTag is the ETag of a catalogue page: a hash of what the page
// is made from (the catalogue's content stamp, the base URL, the build and
// the request's own parts), so a revalidation is answered without
// building the page.
func catalogueTag(ix *index.Index, base string, parts ...string) string {
	h := sha256.New()
	for _, p := range append([]string{buildStamp, base, ix.ContentStamp()}, parts...) {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
}

// serveHarvest answers a harvest document with its ETag: 304 when the
// client has it (render is not called), else what render makes. Clients
// revalidate every time.
func serveHarvest(c echo.Context, tag, contentType string, render func() ([]byte, error)) error {
	return streamHarvest(c, tag, contentType, func(w io.Writer) error {
		body, err := render()
		if err != nil {
			return err
		}
		_, err = w.Write(body)
		return err
	})
}

// streamHarvest is serveHarvest for a body written straight to the
// response; write's error, if any, comes before it has written anything.
func streamHarvest(c echo.Context, tag, contentType string, write func(io.Writer) error) error {
	h := c.Response().Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", tag)
	if notModified(c, tag) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set(echo.HeaderContentType, contentType)
	return write(c.Response())
}

// requestKey is the request's path and query in a canonical order.
func requestKey(c echo.Context) string {
	return c.Request().URL.Path + "?" + c.QueryParams().Encode()
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

// entries makes a page's entries absolute on base.
func entries(res index.Result, base string) []catalogue.Entry {
	out := make([]catalogue.Entry, len(res.Items))
	for i, it := range res.Items {
		out[i] = it.Entry.OnBase(base)
	}
	return out
}

// dcatParts are the DCAT parts of a page's datasets (see dcat.Part), kept
// in each index item's memo for the base, profile and publisher they were
// made with. A page that has to make some of its parts starts the making
// of every dataset's part in f in the background (one catalogue at a time),
// so a harvester's first walk after a restart finds most pages made ahead
// of it: making a page's parts costs about twice what writing its whole
// graph did.
func (h *harvestAPI) dcatParts(ix *index.Index, res index.Result, base string, prof dcat.Profile, f dcat.Format) []*dcat.Part {
	parts := make([]*dcat.Part, len(res.Items))
	made := true
	for i, it := range res.Items {
		parts[i] = dcatPart(it, base, prof)
		made = made && parts[i].Ready(f)
	}
	if !made && h.makingParts.TryLock() {
		go func() {
			defer h.makingParts.Unlock()
			makeParts(context.Background(), ix, base, prof, f)
		}()
	}
	return parts
}

// dcatPart is an item's part, made when its memo has none for the base,
// profile and version of the publisher.
func dcatPart(it index.Item, base string, prof dcat.Profile) *dcat.Part {
	key := strings.Join([]string{base, prof.Token(), it.PublisherStamp}, "\x00")
	return catalogue.Memoise(it.Memo, "dcat", key, func() *dcat.Part { return dcat.NewPart(base, it.Entry, prof) })
}

// publishedPage is page n of the published datasets in id order.
func (h *harvestAPI) publishedPage(ix *index.Index, page int) index.Result {
	return ix.Find(index.Query{Offset: (page - 1) * h.perPage, Limit: h.perPage})
}

// profileParam picks the DCAT-AP profile: ?profile= (a token or URI), else
// the Accept-Profile header (W3C Content Negotiation by Profile), else
// 2.1.1. It says which in Content-Profile; inQuery says the choice must be
// kept in the page links.
func profileParam(c echo.Context) (prof dcat.Profile, inQuery bool, err error) {
	h := c.Response().Header()
	h.Add("Vary", "Accept-Profile")
	if v := c.QueryParam("profile"); v != "" {
		p, ok := dcat.ParseProfile(v)
		if !ok {
			var pr domain.Problems
			pr.Add("profile", "must be %s (the default) or %s, or the profile's URI", dcat.AP211.Token(), dcat.AP300.Token())
			return 0, false, pr.Err()
		}
		prof, inQuery = p, true
	} else {
		prof = dcat.NegotiateProfile(c.Request().Header.Get("Accept-Profile"))
	}
	h.Set("Content-Profile", "<"+prof.URI()+">")
	h.Add("Link", "<"+prof.URI()+`>; rel="profile"`)
	return prof, inQuery, nil
}

// catalog serves the paged DCAT catalogue in a fixed format, or (fixed ==
// nil) the format the Accept header prefers; with ?status=withdrawn, the
// withdrawn datasets as catalogue records (see dcat.WithdrawnGraph).
func (h *harvestAPI) catalog(fixed *dcat.Format) echo.HandlerFunc {
	return func(c echo.Context) error {
		page, err := pageParam(c)
		if err != nil {
			return err
		}
		withdrawn, err := statusParam(c)
		if err != nil {
			return err
		}
		prof, profInQuery, err := profileParam(c)
		if err != nil {
			return err
		}
		ix, err := h.src.Catalogue()
		if err != nil {
			return err
		}
		base := h.s.baseURL(c)
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
		keep := url.Values{}
		if withdrawn {
			keep.Set("status", string(opendata.StatusWithdrawn))
		}
		if profInQuery {
			keep.Set("profile", prof.Token())
		}
		pageURL := func(n int) string {
			q := url.Values{"page": {strconv.Itoa(n)}}
			maps.Copy(q, keep)
			return base + path + "?" + q.Encode()
		}
		tag := catalogueTag(ix, base, requestKey(c), f.Extension(), prof.Token())
		if !withdrawn {
			// A page of the published catalogue is written straight out
			// from its datasets' parts (see dcat.Part).
			return streamHarvest(c, tag, f.MediaType()+"; charset=utf-8", func(w io.Writer) error {
				cat := catalogInfo(base, ix.Organisations())
				cat.Profile = prof
				total, issued, modified := ix.Summary(nil)
				cat.Issued, cat.Modified = issued, modified
				res := h.publishedPage(ix, page)
				pg := dcat.Paging{Page: page, PerPage: h.perPage, Total: total, PageURL: pageURL}
				return dcat.WriteCatalogPage(w, cat, h.dcatParts(ix, res, base, prof, f), pg, f)
			})
		}
		return serveHarvest(c, tag, f.MediaType()+"; charset=utf-8", func() ([]byte, error) {
			cat := catalogInfo(base, ix.Organisations())
			cat.Profile = prof
			gone := []opendata.Status{opendata.StatusWithdrawn}
			total, _, modified := ix.Summary(gone)
			cat.Modified = modified
			res := ix.Find(index.Query{Statuses: gone, Offset: (page - 1) * h.perPage, Limit: h.perPage})
			return dcat.Encode(dcat.WithdrawnGraph(cat, entries(res, base), dcat.Paging{Page: page, PerPage: h.perPage,
				Total: total, PageURL: pageURL}), f)
		})
	}
}

// statusParam reads ?status=withdrawn (published, the default, otherwise).
func statusParam(c echo.Context) (withdrawn bool, err error) {
	switch v := c.QueryParam("status"); v {
	case "", string(opendata.StatusPublished):
		return false, nil
	case string(opendata.StatusWithdrawn):
		return true, nil
	}
	var p domain.Problems
	p.Add("status", "must be published (the default) or withdrawn (the withdrawn datasets as catalogue records)")
	return false, p.Err()
}

// gone is the answer for a withdrawn dataset's URI: 410, so a harvester
// re-reading a dataset it copied learns to delete it.
func gone(slug string) error {
	p := newProblem("not-found", "the dataset "+slug+" has been withdrawn by its publisher")
	p.Status, p.Title, p.Type = http.StatusGone, "Gone", "about:blank"
	return p
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
	prof, _, err := profileParam(c)
	if err != nil {
		return err
	}
	ix, err := h.src.Catalogue()
	if err != nil {
		return err
	}
	base := h.s.baseURL(c)
	it, ok := ix.Get(slug)
	switch {
	case !ok || it.Entry.Dataset.Slug != slug:
		return newProblem("not-found", "no published dataset has the slug "+slug)
	case it.Entry.Dataset.Status == opendata.StatusWithdrawn:
		return gone(slug)
	}
	e := it.Entry.OnBase(base)
	if negotiated {
		c.Response().Header().Add("Vary", "Accept")
		var html bool
		if f, html = dcat.Negotiate(c.Request().Header.Get("Accept")); html {
			return c.Redirect(http.StatusSeeOther, e.LandingPage)
		}
	}
	return serveHarvest(c, catalogueTag(ix, base, requestKey(c), f.Extension(), prof.Token()), f.MediaType()+"; charset=utf-8", func() ([]byte, error) {
		return dcat.Encode(dcat.DatasetGraph(base, e, prof), f)
	})
}

func (h *harvestAPI) dataJSON(c echo.Context) error {
	page, err := pageParam(c)
	if err != nil {
		return err
	}
	ix, err := h.src.Catalogue()
	if err != nil {
		return err
	}
	base := h.s.baseURL(c)
	return serveHarvest(c, catalogueTag(ix, base, requestKey(c)), "application/json; charset=utf-8", func() ([]byte, error) {
		res := h.publishedPage(ix, page)
		datasets := make([]catalogue.Packed, len(res.Items))
		for i, it := range res.Items {
			datasets[i] = datajson.KeptDataset(it, base)
		}
		return datajson.MarshalPage(base, datasets)
	})
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
	ix, err := h.src.Catalogue()
	if err != nil {
		return err
	}
	base := h.s.baseURL(c)
	cat := ckan.Catalogue{BaseURL: base, Index: ix, Title: catalogueTitle, Description: catalogueDescription, Version: h.s.cfg.Version}
	keys := slices.Sorted(maps.Keys(params))
	parts := []string{action}
	for _, k := range keys {
		parts = append(parts, k+"="+params[k])
	}
	tag := catalogueTag(ix, base, parts...)
	if notModified(c, tag) {
		c.Response().Header().Set("ETag", tag)
		return c.NoContent(http.StatusNotModified)
	}
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
	return serveHarvest(c, tag, "application/json; charset=utf-8", func() ([]byte, error) { return ckan.MarshalResponse(resp) })
}
