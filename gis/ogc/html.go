package ogc

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"slices"
	"strings"

	"github.com/jointict/councilapi/gis/crs"
)

// Leaflet comes from the npm registry; go generate refreshes the two files
// the map needs (the rest of the package is not shipped). The page's own
// style sheet and scripts are files beside them, not inline, so the pages'
// Content-Security-Policy needs no exception for them.
//go:generate sh -c "npm install --no-save --prefix ../../.ci/node leaflet@1.9.4 && cp ../../.ci/node/node_modules/leaflet/dist/leaflet.js ../../.ci/node/node_modules/leaflet/dist/leaflet.css web/assets/"

//go:embed web/page.html web/assets
var webFS embed.FS

var pageTmpl = template.Must(template.ParseFS(webFS, "web/page.html"))

// Assets is the static files the HTML pages load (Leaflet), to be served
// under AssetsPath below the API root.
func Assets() fs.FS {
	sub, err := fs.Sub(webFS, "web/assets")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}

// AssetsPath is where the HTML pages expect Assets, below the API root.
const AssetsPath = "/assets"

// Page is what the HTML template shows.
type Page struct {
	Title, Description string
	Crumbs             []Link
	Facts              []Fact
	Columns            []string
	Rows               []Row
	Links              []Link
	Paging             string
	Map                bool
	GeoJSON            template.JS
	Assets             string
	// Basemap is drawn under the features of the map, when enabled.
	Basemap Basemap
}

// Basemap is a raster tile layer drawn beneath the features on the HTML
// maps. The zero value draws none, and the pages then load nothing from
// outside the server.
type Basemap struct {
	// URL is a tile URL template as Leaflet takes it:
	// https://tile.openstreetmap.org/{z}/{x}/{y}.png. {s} in the first label
	// of the host picks one of the subdomains a, b and c.
	URL string
	// Attribution is the text the tile provider requires on the map, shown
	// as plain text.
	Attribution string
	source      string
}

// basemapPlaceholders are the parts of a template Leaflet fills in.
var basemapPlaceholders = strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0", "{-y}", "0", "{r}", "")

// NewBasemap checks a tile URL template and its attribution. Both empty is
// no basemap.
func NewBasemap(tileURL, attribution string) (Basemap, error) {
	tileURL, attribution = strings.TrimSpace(tileURL), strings.TrimSpace(attribution)
	if tileURL == "" && attribution == "" {
		return Basemap{}, nil
	}
	const example = "e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	scheme, rest, ok := strings.Cut(tileURL, "://")
	host, _, _ := strings.Cut(rest, "/")
	filled, err := url.Parse(basemapPlaceholders.Replace(tileURL))
	switch {
	case tileURL == "":
		return Basemap{}, fmt.Errorf("a basemap attribution needs a tile URL template (%s)", example)
	case !ok || (scheme != "https" && scheme != "http") || err != nil || filled.Host == "" || filled.User != nil:
		return Basemap{}, fmt.Errorf("basemap tile URL %q must be an absolute http(s) URL template, %s", tileURL, example)
	case !strings.Contains(tileURL, "{z}") || !strings.Contains(tileURL, "{x}") ||
		!strings.Contains(tileURL, "{y}") && !strings.Contains(tileURL, "{-y}"):
		return Basemap{}, fmt.Errorf("basemap tile URL %q must contain {z}, {x} and {y}, %s", tileURL, example)
	case strings.ContainsAny(basemapPlaceholders.Replace(tileURL), "{}\"'\\ <>"):
		return Basemap{}, fmt.Errorf("basemap tile URL %q has a placeholder other than {s}, {z}, {x}, {y}, {-y} and {r}, or a quote or space", tileURL)
	case attribution == "":
		return Basemap{}, fmt.Errorf("basemap tiles need the attribution their provider requires, e.g. \"© OpenStreetMap contributors\"")
	case len(attribution) > 300:
		return Basemap{}, fmt.Errorf("the basemap attribution is %d characters; at most 300 fit on the map", len(attribution))
	}
	// The Content-Security-Policy names the tile host, so the pages may load
	// images from it and from nowhere else; {s} makes it a wildcard of the
	// host's parent, which a policy can only express as its first label.
	src := scheme + "://" + filled.Host
	if strings.ContainsAny(host, "{}") {
		first, parent, _ := strings.Cut(host, ".")
		if first != "{s}" || parent == "" || strings.ContainsAny(parent, "{}") {
			return Basemap{}, fmt.Errorf("basemap tile URL %q: {s} may only be the whole first label of the host, as in https://{s}.tile.example.org/{z}/{x}/{y}.png", tileURL)
		}
		src = scheme + "://*." + parent
	}
	return Basemap{URL: tileURL, Attribution: attribution, source: src}, nil
}

// Enabled reports whether there is a basemap to draw.
func (b Basemap) Enabled() bool { return b.URL != "" }

// Source is the tile host as a Content-Security-Policy source expression
// (https://tile.example.org, or https://*.tile.example.org for {s}).
func (b Basemap) Source() string { return b.source }

// Fact is one name/value line of a page.
type Fact struct{ Name, Value string }

// Row is one table row; the first cell may link.
type Row struct{ Cells []Cell }

// Cell is one table cell.
type Cell struct{ Text, Href string }

// RenderHTML writes a page.
func RenderHTML(p Page, base string) ([]byte, error) {
	p.Assets = base + AssetsPath
	p.Crumbs = append([]Link{{Href: base + "?f=html", Title: "OGC API"}}, p.Crumbs...)
	var buf bytes.Buffer
	err := pageTmpl.Execute(&buf, p)
	return buf.Bytes(), err
}

// LandingHTML is the landing page as HTML.
func LandingHTML(l LandingPage) Page {
	return Page{Title: l.Title, Description: l.Description, Links: l.Links}
}

// ConformanceHTML lists the conformance classes.
func ConformanceHTML(d ConformanceDoc) Page {
	p := Page{Title: "Conformance", Columns: []string{"Conformance class"}, Links: d.Links}
	for _, c := range d.ConformsTo {
		p.Rows = append(p.Rows, Row{Cells: []Cell{{Text: c, Href: c}}})
	}
	return p
}

// CollectionsHTML lists the collections.
func CollectionsHTML(d CollectionsDoc, base string) Page {
	p := Page{Title: "Collections", Columns: []string{"Collection", "Title", "Description"}, Links: d.Links}
	for _, c := range d.Collections {
		p.Rows = append(p.Rows, Row{Cells: []Cell{
			{Text: c.ID, Href: base + "/collections/" + url.PathEscape(c.ID) + "?f=html"}, {Text: c.Title}, {Text: c.Description}}})
	}
	return p
}

// CollectionHTML describes one collection.
func CollectionHTML(d CollectionDoc, base string) Page {
	p := Page{Title: orID(d.Title, d.ID), Description: d.Description, Links: d.Links,
		Crumbs: []Link{{Href: base + "/collections?f=html", Title: "Collections"}}}
	p.Facts = append(p.Facts, Fact{"Id", d.ID}, Fact{"Storage CRS", d.StorageCRS}, Fact{"CRSs offered", strings.Join(d.CRS, ", ")})
	if len(d.Keywords) > 0 {
		p.Facts = append(p.Facts, Fact{"Keywords", strings.Join(d.Keywords, ", ")})
	}
	if d.Extent != nil && d.Extent.Spatial != nil {
		p.Facts = append(p.Facts, Fact{"Bounding box (CRS84)", fmt.Sprint(d.Extent.Spatial.BBox[0])})
	}
	if d.Updated != "" {
		p.Facts = append(p.Facts, Fact{"Updated", d.Updated})
	}
	return p
}

// QueryablesHTML lists the filterable properties.
func QueryablesHTML(c *Collection, base string) Page {
	p := Page{Title: "Queryables of " + titleOr(c), Columns: []string{"Property", "Type"},
		Description: "Filter items with ?property=value; values must match exactly.",
		Crumbs:      collectionCrumbs(c, base)}
	for _, q := range c.queryables() {
		p.Rows = append(p.Rows, Row{Cells: []Cell{{Text: q.Name}, {Text: q.Type}}})
	}
	return p
}

// OpenAPIHTML documents the API from its OpenAPI document.
func OpenAPIHTML(doc map[string]any) Page {
	p := Page{Title: "API definition", Columns: []string{"Path", "Summary", "Parameters"},
		Description: "The OpenAPI 3.0 document is at ?f=json (application/vnd.oai.openapi+json;version=3.0)."}
	paths, _ := doc["paths"].(map[string]any)
	keys := make([]string, 0, len(paths))
	for k := range paths {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		op, _ := paths[k].(map[string]any)["get"].(map[string]any)
		var names []string
		for _, prm := range op["parameters"].([]any) {
			m := prm.(map[string]any)
			if r, ok := m["$ref"].(string); ok {
				names = append(names, r[strings.LastIndex(r, "/")+1:])
			} else {
				names = append(names, fmt.Sprint(m["name"]))
			}
		}
		p.Rows = append(p.Rows, Row{Cells: []Cell{{Text: "GET " + k}, {Text: fmt.Sprint(op["summary"])}, {Text: strings.Join(names, ", ")}}})
	}
	return p
}

// ItemsHTML shows a page of features on a map and in a table. page is the
// GeoJSON the JSON representation would have returned.
func ItemsHTML(c *Collection, base string, page []byte, to crs.CRS, links []Link) (Page, error) {
	var fc struct {
		NumberMatched  int `json:"numberMatched"`
		NumberReturned int `json:"numberReturned"`
		Features       []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(page, &fc); err != nil {
		return Page{}, err
	}
	p := Page{Title: "Features of " + titleOr(c), Links: links, Crumbs: collectionCrumbs(c, base),
		Paging: fmt.Sprintf("%d of %d matching features.", fc.NumberReturned, fc.NumberMatched)}
	names := map[string]bool{}
	for _, f := range fc.Features {
		for k := range f.Properties {
			names[k] = true
		}
	}
	cols := slices.Sorted(func(yield func(string) bool) {
		for k := range names {
			if !yield(k) {
				return
			}
		}
	})
	p.Columns = append([]string{"id"}, cols...)
	for _, f := range fc.Features {
		r := Row{Cells: []Cell{{Text: f.ID, Href: base + "/collections/" + url.PathEscape(c.ID) + "/items/" + url.PathEscape(f.ID) + "?f=html"}}}
		for _, k := range cols {
			v := f.Properties[k]
			if v == nil {
				r.Cells = append(r.Cells, Cell{})
			} else {
				r.Cells = append(r.Cells, Cell{Text: fmt.Sprint(v)})
			}
		}
		p.Rows = append(p.Rows, r)
	}
	// The map draws in longitude/latitude, whatever CRS the table is in.
	if to == crs.CRS84 {
		p.Map, p.GeoJSON = true, scriptJSON(page)
	}
	return p, nil
}

// FeatureHTML shows one feature.
func FeatureHTML(c *Collection, base, id string, feature []byte, showMap bool, links []Link) (Page, error) {
	var f struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(feature, &f); err != nil {
		return Page{}, err
	}
	p := Page{Title: id, Links: links, Crumbs: append(collectionCrumbs(c, base),
		Link{Href: base + "/collections/" + url.PathEscape(c.ID) + "/items?f=html", Title: "Items"})}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range f.Properties {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		p.Facts = append(p.Facts, Fact{k, fmt.Sprint(f.Properties[k])})
	}
	if showMap {
		p.Map, p.GeoJSON = true, scriptJSON(feature)
	}
	return p, nil
}

func collectionCrumbs(c *Collection, base string) []Link {
	return []Link{{Href: base + "/collections?f=html", Title: "Collections"},
		{Href: base + "/collections/" + url.PathEscape(c.ID) + "?f=html", Title: titleOr(c)}}
}

func orID(title, id string) string {
	if title != "" {
		return title
	}
	return id
}

// scriptJSON makes JSON safe inside a script element: "<" cannot start
// "</script>" once written as the equivalent JSON escape.
func scriptJSON(b []byte) template.JS {
	return template.JS(bytes.ReplaceAll(b, []byte("<"), []byte(`\u003c`)))
}
