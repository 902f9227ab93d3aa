package api

import (
	"bytes"
	"context"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue/csw"
	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// inspireAPI serves UK GEMINI 2.3 records of the published spatial datasets
// and their download service, the way data.gov.uk harvests them: single
// documents, a Web Accessible Folder and CSW 2.0.2.
type inspireAPI struct {
	s *Server

	// The record set is built once per change rather than per request: a
	// harvest fetches every record in turn (GetRecordById, WAF), and building
	// the set costs about 1 ms per dataset. A dataset change bumps gen; the
	// age limit bounds staleness from edits no hook reports (an
	// organisation's name or contact) and moves dates across midnight.
	mu    sync.Mutex
	gen   uint64
	cache map[string]cachedSet // by base URL
}

type cachedSet struct {
	set inspireSet
	gen uint64
	at  time.Time
}

const inspireCacheAge = time.Minute

func (a *inspireAPI) cachedRecords(ctx context.Context, base string) (inspireSet, error) {
	a.mu.Lock()
	c, ok := a.cache[base]
	gen := a.gen
	a.mu.Unlock()
	if ok && c.gen == gen && time.Since(c.at) < inspireCacheAge {
		return c.set, nil
	}
	set, err := a.records(ctx, base)
	if err != nil {
		return set, err
	}
	a.mu.Lock()
	if a.cache == nil {
		a.cache = map[string]cachedSet{}
	}
	a.cache[base] = cachedSet{set: set, gen: gen, at: time.Now()}
	a.mu.Unlock()
	return set, nil
}

func (s *Server) inspireRoutes() {
	a := &inspireAPI{s: s}
	s.inspire = a
	e := s.Echo
	e.GET("/inspire/records/:file", a.record)
	e.GET("/inspire/waf", func(c echo.Context) error {
		// The folder's links are relative, so they need the trailing slash.
		return c.Redirect(http.StatusMovedPermanently, "/inspire/waf/")
	})
	e.GET("/inspire/waf/", a.waf)
	e.GET("/inspire/waf/:file", a.record)
	e.GET("/csw", a.csw)
	e.POST("/csw", a.csw)
	s.datasets.hooks = append(s.datasets.hooks, a.onChange)
}

// record serves one GEMINI document, {fileIdentifier}.xml.
func (a *inspireAPI) record(c echo.Context) error {
	fileID, ok := strings.CutSuffix(c.Param("file"), ".xml")
	if !ok {
		return newProblem("not-found", "INSPIRE records are served as {fileIdentifier}.xml")
	}
	set, err := a.cachedRecords(c.Request().Context(), a.s.baseURL(c))
	if err != nil {
		return err
	}
	rec, ok := set.find(fileID)
	if !ok {
		return newProblem("not-found", "no published spatial dataset or service has a complete GEMINI record with file identifier "+fileID+
			"; a dataset's geminiMissing (GET /api/v1/datasets/{id}) names what its record still lacks")
	}
	c.Response().Header().Set("Last-Modified", rec.Modified.Format(http.TimeFormat))
	return c.Blob(http.StatusOK, "application/xml; charset=UTF-8", rec.XML)
}

var wafPage = template.Must(template.New("waf").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>INSPIRE metadata records (UK GEMINI 2.3)</title>
<style>body{font-family:system-ui,sans-serif;color:#0b0c0c;max-width:60rem;margin:2rem auto;padding:0 1rem}a{color:#1d4f91}</style>
</head>
<body>
<main>
<h1>INSPIRE metadata records</h1>
<p>UK GEMINI 2.3 records of the published spatial datasets and their download service, for harvesting as a Web Accessible Folder. The same records are served by the <a href="{{.CSW}}">CSW 2.0.2 catalogue</a>.</p>
<ul>
{{range .Records}}<li><a href="{{.Identifier}}.xml">{{.Identifier}}.xml</a> {{.Title}}</li>
{{end}}</ul>
</main>
</body>
</html>
`))

// waf lists every complete record as a plain link with a bare file name,
// which is what the gemini-waf harvester follows.
func (a *inspireAPI) waf(c echo.Context) error {
	base := a.s.baseURL(c)
	set, err := a.cachedRecords(c.Request().Context(), base)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := wafPage.Execute(&buf, map[string]any{"Records": set.records, "CSW": base + "/csw"}); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// csw answers CSW 2.0.2 requests (KVP GET, XML POST) over the same records.
func (a *inspireAPI) csw(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return newProblem("too-large", "the request body could not be read: "+err.Error())
	}
	base := a.s.baseURL(c)
	cat := &inspireCatalogue{a: a, base: base, provider: "Council open data service"}
	if orgs, err := a.s.catalogueSource.Organisations(c.Request().Context()); err == nil {
		for _, o := range orgs {
			if o.Host {
				cat.provider, cat.contact = o.Name, o.Contact
			}
		}
	}
	status, ctype, out := csw.Handle(c.Request().Context(), cat, base+"/csw", c.Request().Method, c.QueryParams(), body)
	return c.Blob(status, ctype, out)
}

// inspireCatalogue adapts the served records to the CSW engine.
type inspireCatalogue struct {
	a        *inspireAPI
	base     string
	provider string // the host authority, which runs the service for its partners
	contact  domain.Contact
}

func (cat *inspireCatalogue) Records(ctx context.Context) ([]csw.Record, error) {
	set, err := cat.a.cachedRecords(ctx, cat.base)
	if err != nil {
		return nil, err
	}
	out := make([]csw.Record, len(set.records))
	for i, r := range set.records {
		out[i] = r.Record
	}
	return out, nil
}

func (cat *inspireCatalogue) ServiceInfo() csw.ServiceInfo {
	return csw.ServiceInfo{
		Title:        "Council spatial data catalogue (CSW)",
		Abstract:     "UK GEMINI 2.3 discovery metadata for the councils' published spatial datasets and their OGC API - Features download service.",
		Keywords:     []string{"INSPIRE", "UK GEMINI", "spatial data", "open data"},
		Provider:     cat.provider,
		ProviderSite: cat.base + "/",
		ContactName:  cat.contact.Name,
		ContactEmail: cat.contact.Email,
	}
}

// onChange keeps a dataset's metadata date in step with its edits: run when
// a version is published or the metadata changes, it moves the date to the
// day of the change rather than the day of the next harvest.
// invalidate makes the next read rebuild the record set.
func (a *inspireAPI) invalidate() {
	a.mu.Lock()
	a.gen++
	a.mu.Unlock()
}

func (a *inspireAPI) onChange(ctx context.Context, d datasetDoc) error {
	a.invalidate()
	if !d.IsSpatial() || d.Status != opendata.StatusPublished || d.CurrentVersion == 0 {
		return nil
	}
	base := a.fingerprintBase()
	rec, err := a.draftRecord(ctx, d, base)
	if err != nil || rec.BBox.IsZero() || len(gemini.Missing(rec)) > 0 {
		return err
	}
	stamps := map[string]store.Record{}
	if r, err := a.s.store.Get(ctx, collInspireRecords, rec.FileIdentifier); err == nil {
		stamps[r.ID] = r
	}
	_, err = a.stamp(ctx, stamps, rec.FileIdentifier, d.ID, gemini.Fingerprint(rec))
	return err
}

// draftRecord is the record the dataset has (or would have once published)
// on base, its metadata date today.
func (a *inspireAPI) draftRecord(ctx context.Context, d datasetDoc, base string) (gemini.DatasetRecord, error) {
	var org domain.Organisation
	if rec, err := a.s.store.Get(ctx, collOrganisations, d.Publisher); err == nil {
		if err := rec.Decode(&org); err != nil {
			return gemini.DatasetRecord{}, err
		}
	}
	entry, err := a.s.datasets.entry(ctx, base, d, org)
	if err != nil {
		return gemini.DatasetRecord{}, err
	}
	src, err := a.sourceCRS(ctx, d.ID, d.CurrentVersion)
	if err != nil {
		return gemini.DatasetRecord{}, err
	}
	rec := datasetRecord(entry, src, base)
	rec.MetadataDate = today()
	return rec, nil
}

// geminiMissing names, in GEMINI's words, what the dataset's record lacks:
// the same check that keeps a record out of WAF and CSW, so a publisher sees
// it before publishing. Without a published version the data format,
// resource locator and bounding box are missing, since they come from the data.
func (s *Server) geminiMissing(c echo.Context, d datasetDoc) []string {
	ctx := c.Request().Context()
	a := &inspireAPI{s: s}
	rec, err := a.draftRecord(ctx, d, s.baseURL(c))
	if err != nil {
		s.log.Error("GEMINI status", "dataset", d.ID, "err", err)
		return d.GeminiMissing()
	}
	missing := gemini.Missing(rec)
	if st, err := s.store.Get(ctx, collInspireRecords, rec.FileIdentifier); err == nil {
		var cur inspireStamp
		if st.Decode(&cur) == nil && cur.DatasetID != d.ID && !slices.Contains(missing, gemini.ItemFileIdentifier) {
			missing = append(missing, gemini.ItemFileIdentifier)
		}
	}
	return missing
}
