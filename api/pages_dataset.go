package api

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/audit"
	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/ogc"
)

// datasetData is a dataset's landing page: what DCAT and data.json give as
// its landingPage.
type datasetData struct {
	D          appod.DatasetRecord
	Org        domain.Organisation
	Licence    opendata.Licence
	Frequency  string
	Themes     []pageLink
	Keywords   []pageLink
	Downloads  []download
	Current    appod.VersionRecord
	Versions   []versionRow
	Preview    *preview
	Map        *svgMap
	MapLink    string
	ItemsURL   string // GeoJSON features for the interactive map
	Basemap    ogc.Basemap
	OGCLink    string
	Metadata   []pageAlternate
	Temporal   string
	Spatial    string
	Issued     *time.Time
	Tabular    bool
	RowsOrFeat string
}

type download struct {
	Href, Label, Format, MediaType, Size string
}

type versionRow struct {
	Number    int
	Published time.Time
	FileName  string
	Count     string
	Current   bool
	Downloads []download
}

type preview struct {
	Columns []opendata.Column
	Rows    [][]string
	Total   int64
}

// dataset serves /datasets/{slug}.
func (p *pagesAPI) dataset(c echo.Context) error {
	ctx := c.Request().Context()
	d, err := p.publishedBySlug(c, c.Param("slug"))
	if err != nil {
		return err
	}
	org, _, _ := p.s.app.OpenData.Organisation(ctx, d.Publisher)
	org.ID = d.Publisher
	data := datasetData{D: d, Org: org, Issued: d.Issued}
	data.Licence, _ = opendata.LookupLicence(d.Licence)
	if f, ok := opendata.LookupFrequency(d.UpdateFrequency); ok {
		data.Frequency = f.Title
	}
	for _, t := range d.Themes {
		data.Themes = append(data.Themes, pageLink{"/datasets?" + url.Values{"theme": {t}}.Encode(), themeTitle(t)})
	}
	for _, k := range d.Keywords {
		data.Keywords = append(data.Keywords, pageLink{"/datasets?" + url.Values{"q": {k}}.Encode(), k})
	}
	if t := d.Temporal; t != nil {
		switch {
		case t.Start != nil && t.End != nil:
			data.Temporal = ukDate(*t.Start) + " to " + ukDate(*t.End)
		case t.Start != nil:
			data.Temporal = "From " + ukDate(*t.Start)
		case t.End != nil:
			data.Temporal = "Until " + ukDate(*t.End)
		}
	}
	if s := d.Spatial; s != nil {
		switch {
		case s.Place != "" && s.GSSCode != "":
			data.Spatial = s.Place + " (" + s.GSSCode + ")"
		default:
			data.Spatial = cmp.Or(s.Place, s.GSSCode)
		}
	}

	vers, err := p.s.app.OpenData.PublishedVersions(ctx, d.ID)
	if err != nil {
		return err
	}
	base := "/datasets/" + d.Slug
	for _, v := range vers {
		row := versionRow{Number: v.Number, Published: v.Created, FileName: v.FileName, Current: v.Number == d.CurrentVersion,
			Count: countText(v)}
		if v.Published != nil {
			row.Published = *v.Published
		}
		for _, f := range v.Files {
			row.Downloads = append(row.Downloads, download{Href: base + "/versions/" + strconv.Itoa(v.Number) + "/data." + f.Ext,
				Label: fileLabel(f.Ext, v.Extent != nil), Format: formatLabel(f.Ext), MediaType: f.MediaType, Size: humanSize(f.Size)})
		}
		if row.Current {
			data.Current = v
			for _, f := range v.Files {
				data.Downloads = append(data.Downloads, download{Href: base + "/latest." + f.Ext,
					Label: fileLabel(f.Ext, v.Extent != nil), Format: formatLabel(f.Ext), MediaType: f.MediaType, Size: humanSize(f.Size)})
			}
		}
		data.Versions = append(data.Versions, row)
	}
	cur := data.Current
	data.RowsOrFeat = countText(cur)
	if len(cur.Preview) > 0 && len(cur.Columns) > 0 {
		data.Tabular = true
		data.Preview = &preview{Columns: cur.Columns, Rows: cur.Preview, Total: cur.RowCount}
	}
	if cur.Extent != nil {
		data.OGCLink = "/ogc/collections/" + url.PathEscape(d.Slug)
		data.MapLink = data.OGCLink + "/items?f=html"
		m, err := p.maps.get(ctx, p.s.app.OpenData, d.ID, cur.Number, *cur.Extent, cur.FeatureCount)
		if err != nil {
			p.s.log.Warn("dataset map not drawn", "dataset", d.ID, "err", err)
		}
		data.Map = m
		if m != nil {
			data.ItemsURL = data.OGCLink + "/items?f=json&limit=" + strconv.Itoa(mapMaxFeatures)
			data.Basemap = p.s.cfg.Basemap
		}
	}
	data.Metadata = []pageAlternate{
		{"/dataset/" + d.Slug + ".jsonld", "application/ld+json", "DCAT-AP (JSON-LD)"},
		{"/dataset/" + d.Slug + ".ttl", "text/turtle", "DCAT-AP (Turtle)"},
		{"/dataset/" + d.Slug + ".rdf", "application/rdf+xml", "DCAT-AP (RDF/XML)"},
	}
	if cur.Extent != nil && d.Inspire != nil && d.Inspire.FileIdentifier != "" {
		data.Metadata = append(data.Metadata, pageAlternate{"/inspire/records/" + d.Inspire.FileIdentifier + ".xml",
			"application/xml", "UK GEMINI 2.3 metadata record (ISO 19139)"})
	}
	data.Metadata = append(data.Metadata, pageAlternate{"/api/v1/datasets/" + d.ID, "application/json", "councilapi JSON"})
	pg := page{Title: d.Title, Data: data, Description: snippet(d.Description, 160), Alternates: data.Metadata,
		Crumbs: []pageLink{{"/", "Open data"}, {"/organisations/" + url.PathEscape(org.ID), cmp.Or(org.Name, org.ID)}}}
	if data.ItemsURL != "" {
		// Leaflet comes with the OGC API, mounted at /ogc.
		pg.Styles = []string{"/ogc" + ogc.AssetsPath + "/leaflet.css"}
		pg.Scripts = []string{"/ogc" + ogc.AssetsPath + "/leaflet.js", "/ogc" + ogc.AssetsPath + "/basemap.js", p.mapJS}
	}
	return p.render(c, http.StatusOK, "dataset", pg)
}

func fileLabel(ext string, spatial bool) string {
	if ext == "csv" && spatial {
		return "CSV with WKT geometry"
	}
	return formatLabel(ext)
}

func countText(v appod.VersionRecord) string {
	switch {
	case v.FeatureCount > 0:
		return thousands(v.FeatureCount) + plural(v.FeatureCount, " feature", " features")
	case v.RowCount > 0:
		return thousands(v.RowCount) + plural(v.RowCount, " row", " rows")
	}
	return ""
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// organisationData is a council's page.
type organisationData struct {
	Org      domain.Organisation
	Total    int
	Datasets []resultItem
	More     bool   // more than the page lists
	Search   string // the catalogue search for this publisher
}

// organisation serves /organisations/{id}: the council and what it publishes.
func (p *pagesAPI) organisation(c echo.Context) error {
	ctx := c.Request().Context()
	org, _, err := p.s.app.OpenData.Organisation(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	const shown = 50
	q := opendata.Query{Publisher: []string{org.ID}, Status: []opendata.Status{opendata.StatusPublished},
		Sort: opendata.SortTitle, Limit: shown}
	docs, total, err := p.s.app.OpenData.Search(ctx, audit.Actor{}, q)
	if err != nil {
		return err
	}
	data := organisationData{Org: org, Total: int(total), More: total > shown,
		Search: "/datasets?" + url.Values{"publisher": {org.ID}}.Encode()}
	for _, d := range docs {
		data.Datasets = append(data.Datasets, resultItem{Href: "/datasets/" + d.Slug, Title: d.Title,
			Snippet: snippet(d.Description, 220), Formats: formatLabels(d.Formats), Modified: d.Modified})
	}
	return p.render(c, http.StatusOK, "organisation", page{Title: org.Name, Data: data,
		Description: "Open data published by " + org.Name,
		Crumbs:      []pageLink{{"/", "Open data"}},
		Alternates:  []pageAlternate{{"/api/v1/organisations/" + org.ID, "application/json", org.Name + " as JSON"}}})
}
