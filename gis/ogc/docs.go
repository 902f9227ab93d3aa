package ogc

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/gis/crs"
)

// Media types of the OGC API resources.
const (
	MediaJSON     = "application/json"
	MediaGeoJSON  = "application/geo+json"
	MediaHTML     = "text/html"
	MediaOpenAPI  = "application/vnd.oai.openapi+json;version=3.0"
	MediaSchema   = "application/schema+json"
	relCollection = "collection"
)

// Conformance classes this implementation declares.
var Conformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
	// Part 3: filtering with CQL2, and the queryables it names.
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
	"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
	"http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
	"http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
	"http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
	"http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
	"http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/array-functions",
	"http://www.opengis.net/spec/cql2/1.0/conf/property-property",
	"http://www.opengis.net/spec/cql2/1.0/conf/arithmetic",
	// sortby, as pygeoapi advertises it (OGC API – Records' sorting class).
	"http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting",
}

// Service describes the API as a whole for the landing page.
type Service struct {
	Title       string
	Description string
}

// LandingPage is the JSON of the API root.
type LandingPage struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Links       []Link `json:"links"`
}

// NewLandingPage lists the API's entry points; base is the absolute URL of
// the API root (e.g. https://host/ogc).
func NewLandingPage(s Service, base string) LandingPage {
	return LandingPage{Title: s.Title, Description: s.Description, Links: []Link{
		{Href: base + "?f=json", Rel: "self", Type: MediaJSON, Title: "This document"},
		{Href: base + "?f=html", Rel: "alternate", Type: MediaHTML, Title: "This document as HTML"},
		{Href: base + "/api", Rel: "service-desc", Type: MediaOpenAPI, Title: "The API definition (OpenAPI 3.0)"},
		{Href: base + "/api?f=html", Rel: "service-doc", Type: MediaHTML, Title: "The API documentation"},
		{Href: base + "/conformance", Rel: "conformance", Type: MediaJSON, Title: "Conformance classes implemented"},
		{Href: base + "/collections", Rel: "data", Type: MediaJSON, Title: "The feature collections"},
	}}
}

// ConformanceDoc is the JSON of /conformance.
type ConformanceDoc struct {
	ConformsTo []string `json:"conformsTo"`
	Links      []Link   `json:"links"`
}

// NewConformance lists the conformance classes.
func NewConformance(base string) ConformanceDoc {
	return ConformanceDoc{ConformsTo: Conformance, Links: selfLinks(base+"/conformance", MediaJSON)}
}

func selfLinks(href, typ string) []Link {
	return []Link{
		{Href: href + "?f=json", Rel: "self", Type: typ, Title: "This document"},
		{Href: href + "?f=html", Rel: "alternate", Type: MediaHTML, Title: "This document as HTML"},
	}
}

// CollectionDoc is the JSON of one collection (Part 1 plus Part 2's crs and
// storageCrs).
type CollectionDoc struct {
	ID          string     `json:"id"`
	Title       string     `json:"title,omitempty"`
	Description string     `json:"description,omitempty"`
	Keywords    []string   `json:"keywords,omitempty"`
	Links       []Link     `json:"links"`
	Extent      *ExtentDoc `json:"extent,omitempty"`
	ItemType    string     `json:"itemType"`
	CRS         []string   `json:"crs"`
	StorageCRS  string     `json:"storageCrs"`
	Updated     string     `json:"updated,omitempty"`
}

// ExtentDoc is the extent member of a collection.
type ExtentDoc struct {
	Spatial  *SpatialDoc  `json:"spatial,omitempty"`
	Temporal *TemporalDoc `json:"temporal,omitempty"`
}

// SpatialDoc is a spatial extent.
type SpatialDoc struct {
	BBox [][]float64 `json:"bbox"`
	CRS  string      `json:"crs"`
}

// TemporalDoc is a temporal extent; nil ends are open.
type TemporalDoc struct {
	Interval [][]*string `json:"interval"`
	TRS      string      `json:"trs"`
}

// CollectionsDoc is the JSON of /collections.
type CollectionsDoc struct {
	Links       []Link          `json:"links"`
	Collections []CollectionDoc `json:"collections"`
	CRS         []string        `json:"crs"`
}

// NewCollections describes every collection.
func NewCollections(cs []*Collection, base string) CollectionsDoc {
	d := CollectionsDoc{Links: selfLinks(base+"/collections", MediaJSON), Collections: []CollectionDoc{}, CRS: crs.Allowed()}
	for _, c := range cs {
		d.Collections = append(d.Collections, NewCollectionDoc(c, base))
	}
	return d
}

// NewCollectionDoc describes one collection with its links: items in both
// formats, licence, metadata record and bulk downloads.
func NewCollectionDoc(c *Collection, base string) CollectionDoc {
	href := base + "/collections/" + url.PathEscape(c.ID)
	d := CollectionDoc{ID: c.ID, Title: c.Title, Description: c.Description, Keywords: c.Keywords,
		ItemType: "feature", CRS: crs.Allowed(), StorageCRS: c.storageCRS().URI()}
	d.Links = append(selfLinks(href, MediaJSON),
		Link{Href: href + "/items?f=json", Rel: "items", Type: MediaGeoJSON, Title: "The features as GeoJSON"},
		Link{Href: href + "/items?f=html", Rel: "items", Type: MediaHTML, Title: "The features as HTML with a map"},
		Link{Href: href + "/queryables", Rel: "http://www.opengis.net/def/rel/ogc/1.0/queryables", Type: MediaSchema, Title: "The properties items can be filtered on"},
	)
	if c.License.Href != "" {
		l := c.License
		l.Rel = "license"
		d.Links = append(d.Links, l)
	}
	if c.DescribedBy != "" {
		d.Links = append(d.Links, Link{Href: absolute(base, c.DescribedBy), Rel: "describedby", Type: "application/vnd.iso.19139+xml", Title: "ISO 19139 metadata record"})
	}
	for _, e := range c.Enclosures {
		e.Rel = "enclosure"
		e.Href = absolute(base, e.Href)
		d.Links = append(d.Links, e)
	}
	if !c.Updated.IsZero() {
		d.Updated = timeStamp(c.Updated)
	}
	var ext ExtentDoc
	if b, ok := c.spatialExtent(); ok {
		ext.Spatial = &SpatialDoc{BBox: [][]float64{{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}}, CRS: crs.CRS84.URI()}
	}
	if t := c.Extent.Temporal; !t[0].IsZero() || !t[1].IsZero() {
		iv := []*string{timePtr(t[0]), timePtr(t[1])}
		ext.Temporal = &TemporalDoc{Interval: [][]*string{iv}, TRS: "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"}
	}
	if ext.Spatial != nil || ext.Temporal != nil {
		d.Extent = &ext
	}
	return d
}

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timeStamp(t)
	return &s
}

// QueryablesDoc is the JSON Schema (2020-12) of the properties a filter,
// a property query parameter or sortby may name: each with its type, the
// temporal property as a date-time in the primary-instant role and the
// geometry in the primary-geometry role, as OGC API – Features Part 3 and
// Part 5 describe them.
func QueryablesDoc(c *Collection, base string) map[string]any {
	props := map[string]any{
		GeometryQueryable: map[string]any{"title": "Geometry", "format": "geometry-any", "x-ogc-role": "primary-geometry"},
	}
	for _, q := range c.queryables() {
		p := map[string]any{"type": q.Type}
		if q.Title != "" {
			p["title"] = q.Title
		}
		props[q.Name] = p
	}
	if t := c.TemporalProperty; t != "" {
		p, _ := props[t].(map[string]any)
		if p == nil {
			p = map[string]any{}
			props[t] = p
		}
		p["type"], p["format"], p["x-ogc-role"] = "string", "date-time", "primary-instant"
	}
	return map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  base + "/collections/" + url.PathEscape(c.ID) + "/queryables",
		"type":                 "object",
		"title":                c.Title,
		"properties":           props,
		"additionalProperties": false,
	}
}

// ItemsLinks are the links of an items page: self, alternate, next and prev
// (keeping every other parameter) and the collection. It runs on every
// items request, so the hrefs are written once into one buffer: the other
// parameters are encoded as url.Values.Encode would, and each link adds
// its own f and offset.
func ItemsLinks(c *Collection, base string, q url.Values, r ItemsRequest, matched int) []Link {
	href := base + "/collections/" + url.PathEscape(c.ID)
	var keysArr [8]string
	keys := keysArr[:0]
	for k := range q {
		if k != "f" && k != "offset" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	prefix := make([]byte, 0, len(href)+64)
	prefix = append(prefix, href...)
	prefix = append(prefix, "/items?"...)
	for _, k := range keys {
		for _, v := range q[k] {
			prefix = appendQueryEscape(prefix, k)
			prefix = append(prefix, '=')
			prefix = appendQueryEscape(prefix, v)
			prefix = append(prefix, '&')
		}
	}
	type at struct {
		offset int
		format string
	}
	hrefs := []at{{r.Offset, "json"}, {r.Offset, "html"}}
	links := make([]Link, 0, 5)
	links = append(links, Link{Rel: "self", Type: MediaGeoJSON, Title: "This page"},
		Link{Rel: "alternate", Type: MediaHTML, Title: "This page as HTML"})
	if r.Offset+r.Limit < matched {
		hrefs = append(hrefs, at{r.Offset + r.Limit, "json"})
		links = append(links, Link{Rel: "next", Type: MediaGeoJSON, Title: "Next page"})
	}
	if r.Offset > 0 {
		hrefs = append(hrefs, at{max(r.Offset-r.Limit, 0), "json"})
		links = append(links, Link{Rel: "prev", Type: MediaGeoJSON, Title: "Previous page"})
	}
	var sb strings.Builder
	sb.Grow(len(hrefs) * (len(prefix) + 24))
	ends := make([]int, len(hrefs))
	var num [20]byte
	for i, h := range hrefs {
		sb.Write(prefix)
		sb.WriteString("f=")
		sb.WriteString(h.format)
		if h.offset > 0 {
			sb.WriteString("&offset=")
			sb.Write(strconv.AppendInt(num[:0], int64(h.offset), 10))
		}
		ends[i] = sb.Len()
	}
	all, start := sb.String(), 0
	for i, end := range ends {
		links[i].Href, start = all[start:end], end
	}
	return append(links, Link{Href: href + "?f=json", Rel: relCollection, Type: MediaJSON, Title: c.Title})
}

// appendQueryEscape escapes s as url.QueryEscape does: unreserved bytes
// (RFC 3986) stay, a space becomes "+", every other byte %XX.
func appendQueryEscape(dst []byte, s string) []byte {
	const upperHex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9', b == '-', b == '_', b == '.', b == '~':
			dst = append(dst, b)
		case b == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', upperHex[b>>4], upperHex[b&15])
		}
	}
	return dst
}

// FeatureLinks are the links of a single feature.
func FeatureLinks(c *Collection, base, featureID string, q url.Values) []Link {
	href := base + "/collections/" + url.PathEscape(c.ID)
	self := href + "/items/" + url.PathEscape(featureID)
	extra := ""
	if v := q.Get("crs"); v != "" {
		extra = "&crs=" + url.QueryEscape(v)
	}
	return []Link{
		{Href: self + "?f=json" + extra, Rel: "self", Type: MediaGeoJSON, Title: "This feature"},
		{Href: self + "?f=html" + extra, Rel: "alternate", Type: MediaHTML, Title: "This feature as HTML"},
		{Href: href + "?f=json", Rel: relCollection, Type: MediaJSON, Title: c.Title},
	}
}

// absolute resolves a server-relative href ("/datasets/...") against the
// origin of base, since collections are built without a request to hand.
func absolute(base, href string) string {
	if !strings.HasPrefix(href, "/") {
		return href
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return href
	}
	return u.Scheme + "://" + u.Host + href
}
