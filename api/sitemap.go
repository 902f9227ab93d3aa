package api

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/audit"
	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// The site map: every page for people, listed by what it is for. /sitemap
// shows the pages the reader may open (a signed-in officer sees their
// council's pages too); /sitemap.xml lists the public ones for search
// engines (sitemaps.org). Each link carries the route it is an instance of
// (data-route), so a test can tell a page kind the map forgets.
//
// Pages with no parameters under a job's path (/sourcing, /procurement,
// /publishing) are listed from the router as they are registered; a page
// with parameters is listed by one of the section builders below, which
// know where its instances come from.

type sitemapPage struct {
	Href, Title string
	// Route is the route pattern the page is an instance of.
	Route string
	// Modified is when the page's content last changed, when known.
	Modified time.Time
	// Staff pages need a session; they are never in sitemap.xml.
	Staff bool
}

type sitemapSection struct {
	ID, Heading string
	Pages       []sitemapPage
	// Hidden counts the staff pages of the section the reader cannot see
	// (anonymous readers are invited to sign in).
	Hidden int
}

type sitemapData struct {
	Sections []sitemapSection
	SignIn   string // the sign-in link back to the site map; "" when signed in
}

func (s *Server) sitemapRoutes() {
	methods := []string{http.MethodGet, http.MethodHead}
	s.Echo.Match(methods, "/sitemap", s.sitemapPage)
	s.Echo.Match(methods, "/sitemap.xml", s.sitemapXML)
}

func (s *Server) sitemapPage(c echo.Context) error {
	ctx := c.Request().Context()
	datasets, err := s.sitemapAllDatasets(ctx)
	if err != nil {
		return err
	}
	sections, err := s.sitemap(ctx, actor(c), datasets)
	if err != nil {
		return err
	}
	d := sitemapData{Sections: sections}
	if _, in := signedIn(c); !in {
		d.SignIn = "/signin?" + url.Values{"next": {"/sitemap"}}.Encode()
	}
	return s.pages.render(c, http.StatusOK, "sitemap", page{Title: "Site map", Data: d,
		Description: "Every page of the councils' open data and ICT site.",
		Alternates:  []pageAlternate{{Href: "/sitemap.xml", Type: "application/xml", Title: "Site map for search engines"}}})
}

// sitemapURLSet is the sitemaps.org 0.9 document.
type sitemapURLSet struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

// sitemapIndex is the sitemaps.org 0.9 index of sitemap files.
type sitemapIndex struct {
	XMLName  xml.Name         `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []sitemapFileRef `xml:"sitemap"`
}

type sitemapFileRef struct {
	Loc string `xml:"loc"`
}

// sitemapFileSize is how many URLs one sitemap.xml file lists at most:
// the sitemaps.org limit (tests make it small).
var sitemapFileSize = 50_000

// sitemapXML lists the public pages, as anyone would see them: the site's
// other pages, then every published dataset by title. When they fit in one
// file, /sitemap.xml is that file; otherwise it is a sitemap index of the
// files /sitemap.xml?page=1, 2, … of sitemapFileSize URLs each, which a
// crawler reads one by one. Only the datasets of the file asked for are
// read from the catalogue index.
func (s *Server) sitemapXML(c echo.Context) error {
	ctx := c.Request().Context()
	sections, err := s.sitemap(ctx, audit.Actor{}, nil)
	if err != nil {
		return err
	}
	var others []sitemapPage
	for _, sec := range sections {
		others = append(others, sec.Pages...)
	}
	_, datasets, err := s.sitemapDatasets(ctx, 0, 0)
	if err != nil {
		return err
	}
	size := sitemapFileSize
	files := max(1, (len(others)+datasets+size-1)/size)
	base := s.baseURL(c)
	var doc any
	if c.QueryParam("page") == "" && files > 1 {
		idx := sitemapIndex{}
		for n := 1; n <= files; n++ {
			idx.Sitemaps = append(idx.Sitemaps, sitemapFileRef{Loc: base + "/sitemap.xml?page=" + strconv.Itoa(n)})
		}
		doc = idx
	} else {
		n := 1
		if v := c.QueryParam("page"); v != "" {
			if n, err = strconv.Atoi(v); err != nil || n < 1 || n > files {
				return &domain.Error{Code: domain.CodeNotFound, Message: fmt.Sprintf("the site map has files 1 to %d", files),
					Fields: []domain.FieldProblem{{Field: "page", Problem: fmt.Sprintf("must be a whole number from 1 to %d", files)}}}
			}
		}
		// File n lists URLs lo to hi of the others followed by the datasets.
		lo, hi := (n-1)*size, n*size
		pages := others[min(lo, len(others)):min(hi, len(others))]
		if hi > len(others) {
			from := max(lo, len(others))
			ds, _, err := s.sitemapDatasets(ctx, from-len(others), hi-from)
			if err != nil {
				return err
			}
			pages = append(slices.Clip(pages), ds...)
		}
		set := sitemapURLSet{URLs: []sitemapURL{}}
		for _, p := range pages {
			u := sitemapURL{Loc: base + p.Href}
			if !p.Modified.IsZero() {
				u.LastMod = p.Modified.UTC().Format(time.RFC3339)
			}
			set.URLs = append(set.URLs, u)
		}
		doc = set
	}
	b, err := xml.MarshalIndent(doc, "", " ")
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return serveDocument(c, http.StatusOK, "application/xml; charset=UTF-8", append([]byte(xml.Header), b...))
}

// sitemap lists the pages a may open, by section, with these datasets'
// pages in the open data section.
func (s *Server) sitemap(ctx context.Context, a audit.Actor, datasets []sitemapPage) ([]sitemapSection, error) {
	open, err := s.sitemapOpenData(ctx, datasets)
	if err != nil {
		return nil, err
	}
	out := []sitemapSection{open}
	for _, build := range []func(context.Context, audit.Actor) (sitemapSection, error){
		s.sitemapMaps, s.sitemapSourcing, s.sitemapProcurement, s.sitemapPublishing,
	} {
		sec, err := build(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	out = s.sitemapJobRoutes(out, a)
	out = append(out, sitemapSection{ID: "more", Heading: "Metadata, the API and this site", Pages: []sitemapPage{
		{Href: "/inspire/waf/", Title: "INSPIRE metadata records (web accessible folder)", Route: "/inspire/waf/"},
		{Href: "/docs/", Title: "API documentation", Route: "/docs/*"},
		{Href: "/sitemap", Title: "Site map", Route: "/sitemap"},
		{Href: "/signin", Title: "Sign in", Route: "/signin"},
	}})
	return slices.DeleteFunc(out, func(sec sitemapSection) bool { return len(sec.Pages) == 0 && sec.Hidden == 0 }), nil
}

// sitemapOpenData is the open data section: the catalogue's own pages,
// these datasets and every publisher.
func (s *Server) sitemapOpenData(ctx context.Context, datasets []sitemapPage) (sitemapSection, error) {
	sec := sitemapSection{ID: "open-data", Heading: "Open data", Pages: []sitemapPage{
		{Href: "/", Title: "Home", Route: "/"},
		{Href: "/datasets", Title: "Find datasets", Route: "/datasets"},
	}}
	sec.Pages = append(sec.Pages, datasets...)
	orgs, err := s.app.OpenData.Organisations(ctx)
	if err != nil {
		return sec, err
	}
	for _, o := range orgs {
		sec.Pages = append(sec.Pages, sitemapPage{Href: "/organisations/" + o.ID, Title: o.Name, Route: "/organisations/:id"})
	}
	return sec, nil
}

// sitemapDatasets lists limit published datasets by title from offset, and
// how many there are, from the catalogue index (a search counting no
// facets; limit 0 only counts).
func (s *Server) sitemapDatasets(ctx context.Context, offset, limit int) ([]sitemapPage, int, error) {
	found, total, err := s.app.OpenData.Search(ctx, audit.Actor{}, opendata.Query{Sort: opendata.SortTitle, Offset: offset, Limit: limit})
	if err != nil {
		return nil, 0, err
	}
	out := make([]sitemapPage, len(found))
	for i, d := range found {
		out[i] = sitemapPage{Href: "/datasets/" + d.Slug, Title: d.Title, Route: "/datasets/:slug", Modified: d.Modified}
	}
	return out, int(total), nil
}

// sitemapAllDatasets lists every published dataset by title, a sitemap
// file's worth at a time.
func (s *Server) sitemapAllDatasets(ctx context.Context) ([]sitemapPage, error) {
	var out []sitemapPage
	for {
		page, total, err := s.sitemapDatasets(ctx, len(out), sitemapFileSize)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) == 0 || len(out) >= total {
			return out, nil
		}
	}
}

// sitemapMaps lists the OGC API's HTML pages: each collection, its
// features, its queryables and its first feature (the others are linked
// from the features page).
func (s *Server) sitemapMaps(ctx context.Context, _ audit.Actor) (sitemapSection, error) {
	sec := sitemapSection{ID: "maps", Heading: "Maps and features (OGC API – Features)", Pages: []sitemapPage{
		{Href: "/ogc/", Title: "OGC API – Features", Route: "/ogc/"},
		{Href: "/ogc/collections", Title: "Collections", Route: "/ogc/collections"},
		{Href: "/ogc/conformance", Title: "Conformance", Route: "/ogc/conformance"},
		{Href: "/ogc/api", Title: "OGC API definition", Route: "/ogc/api"},
	}}
	for _, col := range s.app.OGC.Collections(ctx) {
		base := "/ogc/collections/" + url.PathEscape(col.ID)
		sec.Pages = append(sec.Pages,
			sitemapPage{Href: base, Title: col.Title, Route: "/ogc/collections/:collectionId", Modified: col.Updated},
			sitemapPage{Href: base + "/items", Title: col.Title + ": features", Route: "/ogc/collections/:collectionId/items", Modified: col.Updated},
			sitemapPage{Href: base + "/queryables", Title: col.Title + ": queryable properties", Route: "/ogc/collections/:collectionId/queryables"})
		if col.Features != nil && col.Features.Len() > 0 {
			sec.Pages = append(sec.Pages, sitemapPage{Href: base + "/items/" + url.PathEscape(col.Features.ID(0)),
				Title: col.Title + ": first feature", Route: "/ogc/collections/:collectionId/items/:featureId"})
		}
	}
	return sec, nil
}

// sitemapSourcing lists the decision report of each comparison the
// reader may read: published ones to everyone, drafts and decided ones to
// their council's officers (and the linked procurement's partners).
func (s *Server) sitemapSourcing(ctx context.Context, a audit.Actor) (sitemapSection, error) {
	sec := sitemapSection{ID: "sourcing", Heading: "Sourcing"}
	for offset := 0; ; {
		page, total, err := s.app.Sourcing.ListComparisons(ctx, a, appsrc.ComparisonQuery{Limit: 100, Offset: offset})
		if err != nil {
			return sec, err
		}
		for _, c := range page {
			sec.Pages = append(sec.Pages, sitemapPage{Href: "/api/v1/comparisons/" + url.PathEscape(c.ID) + "/report",
				Title: c.Title + ": decision report (printable)", Route: "/api/v1/comparisons/:id/report", Staff: c.State != "published"})
			sec.Pages = append(sec.Pages, sourcingComparisonPages(a, c)...)
		}
		offset += len(page)
		if len(page) == 0 || int64(offset) >= total {
			return s.sitemapSourcingPages(ctx, a, sec)
		}
	}
}

// sitemapProcurement lists the register, public, and each council's
// printable pages, to its own officers and admins.
func (s *Server) sitemapProcurement(ctx context.Context, a audit.Actor) (sitemapSection, error) {
	sec := sitemapSection{ID: "joint-procurement", Heading: "Joint procurement", Pages: []sitemapPage{
		{Href: "/api/v1/procurement-register.html", Title: "Register of joint procurements (printable)", Route: "/api/v1/procurement-register.html"},
	}}
	orgs, err := s.app.OpenData.Organisations(ctx)
	if err != nil {
		return sec, err
	}
	for _, o := range orgs {
		if a.Authorize(domain.AreaProcurement, o.ID) != nil {
			if a.Anonymous() {
				sec.Hidden += 2 // a signed-in reader's other councils are not theirs to see
			}
			continue
		}
		base := "/api/v1/organisations/" + o.ID
		sec.Pages = append(sec.Pages,
			sitemapPage{Href: base + "/joint-procurements.html", Title: o.Name + ": joint procurements (printable)",
				Route: "/api/v1/organisations/:id/joint-procurements.html", Staff: true},
			sitemapPage{Href: base + "/capital-programme.html", Title: o.Name + ": capital programme (printable)",
				Route: "/api/v1/organisations/:id/capital-programme.html", Staff: true})
	}
	return sec, s.sitemapProcurementPages(ctx, a, &sec)
}

// sitemapJobRoutes adds the pages registered under each job's path that
// take no parameters, to the job's section (made if need be), for readers
// who may do the job.
func (s *Server) sitemapJobRoutes(secs []sitemapSection, a audit.Actor) []sitemapSection {
	listed := map[string]bool{}
	for _, sec := range secs {
		for _, p := range sec.Pages {
			listed[p.Route] = true
		}
	}
	for _, j := range jobs {
		if j.Area == "" {
			continue // the public job's pages are listed by sitemapOpenData
		}
		var paths []string
		for _, r := range s.Echo.Routes() {
			if r.Method == http.MethodGet && (r.Path == j.Path || strings.HasPrefix(r.Path, j.Path+"/")) &&
				!strings.ContainsAny(r.Path, ":*") && !listed[r.Path] && !slices.Contains(paths, r.Path) {
				paths = append(paths, r.Path)
			}
		}
		if len(paths) == 0 {
			continue
		}
		slices.Sort(paths)
		i := slices.IndexFunc(secs, func(sec sitemapSection) bool { return sec.Heading == j.Text })
		if i < 0 {
			secs = append(secs, sitemapSection{ID: strings.Trim(j.Path, "/"), Heading: j.Text})
			i = len(secs) - 1
		}
		if a.Authorize(j.Area, "") != nil {
			if a.Anonymous() {
				secs[i].Hidden += len(paths)
			}
			continue
		}
		for _, p := range paths {
			secs[i].Pages = append(secs[i].Pages, sitemapPage{Href: p, Title: routeTitle(j, p), Route: p, Staff: true})
		}
	}
	return secs
}

// routeTitle names a job's page from its path: "/sourcing/saved-searches"
// is "Sourcing: saved searches".
func routeTitle(j job, path string) string {
	rest := strings.Trim(strings.TrimPrefix(path, j.Path), "/")
	if rest == "" {
		return j.Text
	}
	words := strings.NewReplacer("-", " ", "/", ": ").Replace(rest)
	return j.Text + ": " + words
}
