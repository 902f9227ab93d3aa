package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/catalogue/datajson"
	od "github.com/jointict/councilapi/domain/opendata"
)

// What each harvest format says of a dataset: DCAT-AP, data.json, CKAN's
// package_show, the GEMINI record and the OGC API collection. Each is asked
// of this server's own route, anonymously, as a harvester asks it, so the
// page shows exactly what is served and never a second rendering of it.

// harvestExcerptLines bounds each excerpt; the link gives the whole.
const harvestExcerptLines = 60

// harvestView is one format's answer for the dataset.
type harvestView struct {
	ID, Title, About string
	// Href is the document's address, for the link.
	Href   string
	Status int
	// Excerpt is the start of the document, or of the dataset's part of it.
	Excerpt string
	// Cut says lines were left out of the excerpt.
	Cut bool
	// Absent says why the format has nothing for this dataset.
	Absent string
}

type harvestData struct {
	D appod.DatasetRecord
	// Listed says the dataset is published with a version, so harvesters see it.
	Listed  bool
	Formats []harvestView
	Version int64
}

func (p *publishingPages) harvest(c echo.Context) error {
	d, version, err := p.load(c)
	if err != nil {
		return err
	}
	data := harvestData{D: d, Version: version, Listed: d.Status == od.StatusPublished && d.CurrentVersion > 0}
	if data.Listed {
		slug := url.PathEscape(d.Slug)
		data.Formats = []harvestView{
			p.fetch(c, harvestView{ID: "dcat", Title: "DCAT-AP (Turtle)", Href: "/dataset/" + slug + ".ttl",
				About: "What data.gov.uk's DCAT harvester and other catalogues read; also as JSON-LD and RDF/XML. The prefixes are left out here."}, withoutPrefixes),
			p.dataJSON(c, d),
			p.fetch(c, harvestView{ID: "ckan", Title: "CKAN API: package_show", Href: "/api/3/action/package_show?id=" + url.QueryEscape(d.Slug),
				About: "What a CKAN harvester stores of the dataset."}, indentJSON),
		}
		if d.IsSpatial() && d.Inspire.FileIdentifier != "" {
			data.Formats = append(data.Formats,
				p.gemini(c, d),
				p.fetch(c, harvestView{ID: "ogc", Title: "OGC API – Features collection", Href: "/ogc/collections/" + slug + "?f=json",
					About: "The collection the data's features are served from."}, indentJSON))
		} else {
			data.Formats = append(data.Formats,
				harvestView{ID: "gemini", Title: "UK GEMINI 2.3 record", Absent: "Only spatial datasets have a GEMINI record."},
				harvestView{ID: "ogc", Title: "OGC API – Features collection", Absent: "Only spatial datasets are served as an OGC API collection."})
		}
	}
	return p.s.renderWorkbench(c, 200, "publishing/harvest", page{Title: d.Title + ": what harvesters see", Crumbs: datasetCrumbs(d), Data: data})
}

// gemini is the dataset's GEMINI record, or what keeps it from being
// served.
func (p *publishingPages) gemini(c echo.Context, d appod.DatasetRecord) harvestView {
	v := p.fetch(c, harvestView{ID: "gemini", Title: "UK GEMINI 2.3 record", Href: "/inspire/records/" + url.PathEscape(d.Inspire.FileIdentifier) + ".xml",
		About: "The INSPIRE metadata record, also in the web accessible folder and the CSW catalogue."}, nil)
	if v.Status == http.StatusNotFound {
		if missing := p.s.app.Inspire.Missing(c.Request().Context(), d, p.s.baseURL(c)); len(missing) > 0 {
			v.Absent = "The record is not served until it has every mandatory element; it lacks " + strings.Join(missing, ", ") + "."
			v.Href = ""
		}
	}
	return v
}

// fetch asks this server for v.Href as an anonymous harvester and keeps
// the start of the answer, reshaped by shape when given.
func (p *publishingPages) fetch(c echo.Context, v harvestView, shape func([]byte) []byte) harvestView {
	status, body := p.s.serveInternally(c, v.Href)
	v.Status = status
	if status != http.StatusOK {
		v.Absent = "The document answered " + strconv.Itoa(status) + " " + http.StatusText(status) + "."
		return v
	}
	if shape != nil {
		body = shape(body)
	}
	v.Excerpt, v.Cut = excerpt(string(body), harvestExcerptLines)
	return v
}

// dataJSON is the dataset's object of data.json: the catalogue index's
// entry for it, written as data.json writes each entry of its pages
// (datajson.FromEntry), rather than paging through data.json to find it.
func (p *publishingPages) dataJSON(c echo.Context, d appod.DatasetRecord) harvestView {
	v := harvestView{ID: "datajson", Title: "data.json (Project Open Data 1.1)", Href: "/data.json",
		About: "The catalogue as data.json; this is the dataset's entry in it."}
	v.Absent = "data.json does not list the dataset yet."
	if d.Status != od.StatusPublished {
		return v
	}
	ix, err := p.s.app.OpenData.Catalogue()
	if err != nil {
		return v
	}
	it, ok := ix.Get(d.ID)
	if !ok {
		return v
	}
	raw, err := json.MarshalIndent(datajson.FromEntry(it.Entry.OnBase(p.s.baseURL(c))), "", "  ")
	if err != nil {
		return v
	}
	v.Absent, v.Status = "", http.StatusOK
	v.Excerpt, v.Cut = excerpt(string(raw), harvestExcerptLines)
	return v
}

// withoutPrefixes drops a Turtle document's prefix lines, which say
// nothing of the dataset.
func withoutPrefixes(b []byte) []byte {
	var out []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if !bytes.HasPrefix(line, []byte("@prefix ")) && (len(out) > 0 || len(bytes.TrimSpace(line)) > 0) {
			out = append(out, line...)
		}
	}
	return out
}

func indentJSON(b []byte) []byte {
	var out bytes.Buffer
	if json.Indent(&out, b, "", "  ") != nil {
		return b
	}
	return out.Bytes()
}

// excerpt is the first n lines of s, and whether any were left out.
func excerpt(s string, n int) (string, bool) {
	lines := strings.SplitAfterN(s, "\n", n+1)
	if len(lines) <= n {
		return s, false
	}
	return strings.Join(lines[:n], ""), true
}

// serveInternally answers a GET of target through this server's routes as
// an anonymous client on the same host would get it, without a network
// round trip: what a harvester is served, not a copy of how it is made.
func (s *Server) serveInternally(c echo.Context, target string) (int, []byte) {
	from := c.Request()
	r, err := http.NewRequestWithContext(from.Context(), http.MethodGet, target, nil)
	if err != nil {
		return http.StatusBadRequest, nil
	}
	r.Host, r.TLS, r.RemoteAddr = from.Host, from.TLS, from.RemoteAddr
	for _, h := range []string{"X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-For"} {
		if v := from.Header.Get(h); v != "" {
			r.Header.Set(h, v)
		}
	}
	w := &bufferedResponse{header: http.Header{}}
	s.Echo.ServeHTTP(w, r)
	return w.status, w.body.Bytes()
}

// bufferedResponse keeps an internal answer in memory.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *bufferedResponse) Header() http.Header { return w.header }

func (w *bufferedResponse) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *bufferedResponse) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}
