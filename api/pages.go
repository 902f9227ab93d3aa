package api

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/internal/negotiate"
	"github.com/jointict/councilapi/store"
)

// The catalogue's pages for people: templates, the style sheet and the map
// script are embedded so the binary serves them with no files beside it.
//
//go:embed web/pages
var pagesFS embed.FS

// pagesAssetsPath is where the style sheet and script are served; their
// URLs carry a hash of the content so browsers may cache them for long.
const pagesAssetsPath = "/static/pages"

// partialSuffix names the templates that are parts of pages, not pages.
const partialSuffix = ".partial.html"

// pagesAPI renders the open data catalogue as HTML: home and search,
// dataset landing pages and organisation pages. It reads through the
// datasets capability, so it shows exactly what the JSON API publishes.
type pagesAPI struct {
	s      *Server
	tmpl   map[string]*template.Template
	assets fs.FS
	cssURL string
	mapJS  string
	maps   *svgMapCache
}

func (s *Server) pagesRoutes() {
	p := newPagesAPI(s)
	s.pages = p
	e := s.Echo
	// HEAD too: link checkers and harvesters probe landing pages with it.
	methods := []string{http.MethodGet, http.MethodHead}
	e.Match(methods, "/", p.home)
	e.Match(methods, "/datasets", p.home)
	e.Match(methods, "/datasets/:slug", p.dataset)
	e.Match(methods, "/organisations/:id", p.organisation)
	e.Match(methods, pagesAssetsPath+"/:file", p.asset)
	e.Use(p.htmlErrors)
}

func newPagesAPI(s *Server) *pagesAPI {
	assets, err := fs.Sub(pagesFS, "web/pages")
	if err != nil {
		panic(err) // embedded above
	}
	p := &pagesAPI{s: s, assets: assets, tmpl: map[string]*template.Template{}, maps: newSVGMapCache(64),
		cssURL: assetURL(assets, "site.css"), mapJS: assetURL(assets, "map.js")}
	// Every template beside the layout is a page, named by its path without
	// .html: web/pages/signin.html is "signin", web/pages/sourcing/search.html
	// is "sourcing/search". A new page needs no registration here. Files
	// named *.partial.html are not pages: those at the top (the form
	// fields) go with every page, those in a directory with its pages.
	for _, pattern := range []string{"*.html", "*/*.html"} {
		files, err := fs.Glob(assets, pattern)
		if err != nil {
			panic(err) // the patterns are valid
		}
		for _, f := range files {
			if f == "layout.html" || strings.HasSuffix(f, partialSuffix) {
				continue
			}
			t := template.Must(template.New("layout.html").Funcs(pageFuncs).Funcs(workbenchFuncs).ParseFS(assets, "layout.html", f))
			partials := []string{"*" + partialSuffix}
			if dir := path.Dir(f); dir != "." {
				partials = append(partials, dir+"/*"+partialSuffix)
			}
			for _, pattern := range partials {
				if found, _ := fs.Glob(assets, pattern); len(found) > 0 {
					template.Must(t.ParseFS(assets, pattern))
				}
			}
			p.tmpl[strings.TrimSuffix(f, ".html")] = t
		}
	}
	return p
}

// assetURL names an embedded asset with a hash of its content, so a new
// build never meets a stale cached copy.
func assetURL(assets fs.FS, name string) string {
	b, err := fs.ReadFile(assets, name)
	if err != nil {
		panic(err) // embedded above
	}
	sum := sha256.Sum256(b)
	return pagesAssetsPath + "/" + name + "?v=" + hex.EncodeToString(sum[:6])
}

// page is what every template gets: the layout's fields plus the page's own.
// render fills in the site chrome (Site, Nav, User, Jobs, CSRF); a handler
// sets Title, Crumbs and Data.
type page struct {
	Title       string
	CSS         string
	Crumbs      []pageLink
	Alternates  []pageAlternate
	Description string // meta description
	Styles      []string
	Scripts     []string
	Data        any
	chrome
}

type pageLink struct{ Href, Text string }

type pageAlternate struct{ Href, Type, Title string }

// render writes a page with a content-hash ETag and answers 304 when the
// browser already has it: pages change whenever the data does, so the hash
// is the only validator that cannot go stale. The Content-Security-Policy
// and the headers around it come from securityHeaders, as for every page.
func (p *pagesAPI) render(c echo.Context, status int, name string, pg page) error {
	return p.renderTagged(c, status, name, pg, "")
}

// renderTagged is render with an ETag known before rendering (a catalogue
// page's, from the catalogue's content stamp); "" takes the content hash.
func (p *pagesAPI) renderTagged(c echo.Context, status int, name string, pg page, tag string) error {
	pg.CSS = p.cssURL
	pg.chrome = p.s.chromeFor(c)
	t, ok := p.tmpl[name]
	if !ok {
		return fmt.Errorf("no page template %q under web/pages", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, pg); err != nil {
		return err
	}
	h := c.Response().Header()
	// A signed-in page names its reader: no shared cache may keep it.
	if pg.User != nil {
		h.Set("Cache-Control", "private, no-cache")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if !slices.Contains(h.Values("Vary"), "Cookie") {
		h.Add("Vary", "Cookie")
	}
	if tag == "" || status != http.StatusOK {
		return serveDocument(c, status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
	}
	h.Set("ETag", tag)
	return c.Blob(status, echo.MIMETextHTMLCharsetUTF8, buf.Bytes())
}

func (p *pagesAPI) asset(c echo.Context) error {
	name := c.Param("file")
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
	ct := types[path.Ext(name)]
	b, err := fs.ReadFile(p.assets, name)
	if err != nil || ct == "" {
		return newProblem("not-found", "no such asset")
	}
	h := c.Response().Header()
	if c.QueryParam("v") != "" {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	return c.Blob(http.StatusOK, ct, b)
}

// wantsHTML reports whether the client prefers HTML to JSON: browsers name
// text/html first; API clients send JSON types, */* or nothing, and a
// client that takes HTML only through a wildcard gets JSON.
func wantsHTML(r *http.Request) bool {
	m, ok := negotiate.ParseAccept(r.Header.Get("Accept")).Best("text/html", "application/xhtml+xml", "application/json", ProblemContentType)
	return ok && m.Offer < 2 && m.Specificity >= negotiate.Exact
}

// htmlErrors turns "not found" and "gone" into an HTML page for browsers,
// wherever they happen outside the JSON API, so a mistyped link shows a page
// with a way back rather than a JSON document; and a refused form post
// (CSRF, role) into a page saying why. Other clients keep getting problem
// JSON from the error handler.
func (p *pagesAPI) htmlErrors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		r := c.Request()
		if err == nil || c.Response().Committed || strings.HasPrefix(r.URL.Path, "/api/") {
			return err
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if prob := toProblem(err); prob.Status == http.StatusForbidden && (isFormPost(r) || wantsHTML(r)) {
				return p.errorPage(c, prob.Status, prob.Detail)
			}
			return err
		}
		varyAccept(c) // the error's form depends on Accept; caches must know
		if !wantsHTML(r) {
			return err
		}
		prob := toProblem(err)
		if prob.Status != http.StatusNotFound && prob.Status != http.StatusGone && prob.Status != http.StatusForbidden {
			return err
		}
		return p.errorPage(c, prob.Status, prob.Detail)
	}
}

func varyAccept(c echo.Context) {
	h := c.Response().Header()
	if !slices.Contains(h.Values("Vary"), "Accept") {
		h.Add("Vary", "Accept")
	}
}

type errorData struct {
	Status  int
	Heading string
	Detail  string
	Fields  []domain.FieldProblem
}

func (p *pagesAPI) errorPage(c echo.Context, status int, detail string, fields ...domain.FieldProblem) error {
	varyAccept(c)
	d := errorData{Status: status, Detail: detail, Fields: fields}
	switch status {
	case http.StatusNotFound:
		d.Heading = "Page not found"
		if detail == "no such record" || detail == "no resource at this URL" {
			d.Detail = ""
		}
	case http.StatusGone:
		d.Heading = "This dataset has been withdrawn"
	case http.StatusForbidden:
		d.Heading = "You cannot do this"
	default:
		d.Heading = "There is a problem with your search"
	}
	if d.Detail != "" {
		d.Detail = strings.ToUpper(d.Detail[:1]) + d.Detail[1:]
	}
	return p.render(c, status, "error", page{Title: d.Heading, Data: d,
		Crumbs: []pageLink{{"/", "Open data"}}})
}

// queryProblem shows a bad search as an HTML error summary for browsers and
// as problem JSON for everyone else.
func (p *pagesAPI) queryProblem(c echo.Context, err error) error {
	var de *domain.Error
	if !wantsHTML(c.Request()) || !errors.As(err, &de) {
		return err
	}
	return p.errorPage(c, http.StatusBadRequest, de.Message, de.Fields...)
}

// publishedBySlug finds a dataset anyone may see: published, or withdrawn
// (shown as gone). Page routes take no API key, so bySlug hides every draft.
func (p *pagesAPI) publishedBySlug(c echo.Context, slug string) (appod.DatasetRecord, error) {
	d, err := p.s.app.OpenData.BySlug(c.Request().Context(), actor(c), slug)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return d, newProblem("not-found", "there is no dataset at this address")
	case err != nil:
		return d, err
	case d.Status == opendata.StatusWithdrawn:
		gone := newProblem("not-found", "its publisher has withdrawn this dataset; its files are no longer available")
		gone.Status, gone.Title, gone.Type = http.StatusGone, "Gone", "about:blank"
		return d, gone
	case d.Status != opendata.StatusPublished || d.CurrentVersion == 0:
		return d, newProblem("not-found", "there is no dataset at this address")
	}
	return d, nil
}
