package ckan

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain/opendata"
)

// MaxRows is CKAN's default ckan.search.rows_max; larger requests are cut
// to it, as CKAN does, rather than refused.
const MaxRows = 1000

// SearchResult is package_search's result. Its packages are kept as the
// JSON each one encodes to (see packageJSON), so MarshalResponse can write
// a page of them without encoding them again.
type SearchResult struct {
	Count        int               `json:"count"`
	Sort         string            `json:"sort"`
	Results      []json.RawMessage `json:"results"`
	Facets       map[string]any    `json:"facets"`
	SearchFacets map[string]any    `json:"search_facets"`
}

// packageJSON is the package of an item as S2-compressed JSON, made once
// per version of the dataset (kept in the item's memo: a page of 100 is
// 0.4 MB of JSON) for the base URL, version of the publisher and
// publisher's package count it depends on.
func packageJSON(cat Catalogue, it index.Item, counts map[string]int) catalogue.Packed {
	key := strings.Join([]string{cat.BaseURL, it.PublisherStamp, strconv.Itoa(counts[it.Entry.Dataset.Publisher])}, "\x00")
	return catalogue.Memoise(it.Memo, "ckan-package", key, func() catalogue.Packed {
		return catalogue.Pack(json.Marshal(FromEntry(it.Entry.OnBase(cat.BaseURL), counts)))
	})
}

// MarshalResponse encodes a response as json.Marshal does (the same bytes),
// writing a package_search result's packages as they are kept: through
// encoding/json, a page of 100 already-encoded packages took 3.4 ms just
// to be checked again.
func MarshalResponse(resp Response) ([]byte, error) {
	sr, ok := resp.Result.(*SearchResult)
	if !ok || sr == nil || resp.Error != nil {
		return json.Marshal(resp)
	}
	size := 512
	for _, r := range sr.Results {
		size += len(r) + 1
	}
	b := make([]byte, 0, size)
	field := func(name string, v any) error {
		b = append(b, name...)
		enc, err := json.Marshal(v)
		b = append(b, enc...)
		return err
	}
	if err := field(`{"help":`, resp.Help); err != nil {
		return nil, err
	}
	b = append(b, `,"success":`...)
	b = strconv.AppendBool(b, resp.Success)
	b = append(b, `,"result":{"count":`...)
	b = strconv.AppendInt(b, int64(sr.Count), 10)
	if err := field(`,"sort":`, sr.Sort); err != nil {
		return nil, err
	}
	b = append(b, `,"results":[`...)
	for i, r := range sr.Results {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	b = append(b, ']')
	if err := field(`,"facets":`, sr.Facets); err != nil {
		return nil, err
	}
	if err := field(`,"search_facets":`, sr.SearchFacets); err != nil {
		return nil, err
	}
	return append(b, "}}"...), nil
}

// clause is one fq/q term: field:value, possibly negated, or a disjunction.
type clause struct {
	negate bool
	any    []term // OR of these
}

type term struct {
	field, value string
}

// tokens splits a Solr-style query on spaces, keeping [..] and {..} ranges
// and "quoted phrases" whole.
func tokens(q string) []string {
	var out []string
	var cur strings.Builder
	depth, quoted := 0, false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == '[' || r == '{'):
			depth++
		case !quoted && (r == ']' || r == '}'):
			depth--
		}
		if r == ' ' && depth <= 0 && !quoted {
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
			continue
		}
		cur.WriteRune(r)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// parseQuery reads the terms the ckan harvester and CKAN clients send:
// field:value clauses joined by spaces (AND) or OR, optionally negated with
// '-' or required with '+'; a bare word searches the text.
func parseQuery(q string) ([]clause, *Error) {
	var out []clause
	join := false
	for _, tok := range tokens(q) {
		switch tok {
		case "OR":
			join = true
			continue
		case "AND", "*:*":
			continue
		}
		neg := strings.HasPrefix(tok, "-")
		tok = strings.TrimLeft(tok, "+-")
		field, value, ok := strings.Cut(tok, ":")
		if !ok {
			field, value = "text", tok
		}
		value = strings.Trim(value, `"`)
		if !slices.Contains(fields, field) {
			return nil, searchError("undefined field " + field)
		}
		if field == "metadata_modified" || field == "metadata_created" {
			if _, err := parseRange("", value); err != nil {
				return nil, err
			}
		}
		t := term{field, value}
		if join && len(out) > 0 && !neg {
			out[len(out)-1].any = append(out[len(out)-1].any, t)
		} else {
			out = append(out, clause{negate: neg, any: []term{t}})
		}
		join = false
	}
	return out, nil
}

var fields = []string{"text", "name", "title", "id", "organization", "owner_org", "groups", "tags", "res_format",
	"license_id", "metadata_modified", "metadata_created", "dataset_type", "type", "state", "capacity"}

// parseRange reads [from TO to] (inclusive) or {from TO to} (exclusive);
// either end may be *. The times are what Python's isoformat() gives,
// with or without fractional seconds and a Z.
func parseRange(order, v string) (*index.Range, *Error) {
	if len(v) < 2 {
		return nil, searchError("bad range " + v)
	}
	open, close := v[0], v[len(v)-1]
	from, to, ok := strings.Cut(v[1:len(v)-1], " TO ")
	if !ok || (open != '[' && open != '{') || (close != ']' && close != '}') {
		return nil, searchError("bad range " + v + `: use [2026-01-01T00:00:00Z TO *]`)
	}
	r := &index.Range{Order: order, FromOpen: open == '{', ToOpen: close == '}', TruncateToMicrosec: true}
	bound := func(s string) (*time.Time, *Error) {
		if s = strings.TrimSpace(s); s == "*" {
			return nil, nil
		}
		t, err := parseTime(s)
		return &t, err
	}
	var err *Error
	if r.From, err = bound(from); err != nil {
		return nil, err
	}
	if r.To, err = bound(to); err != nil {
		return nil, err
	}
	return r, nil
}

func parseTime(s string) (time.Time, *Error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "Z")
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, searchError("cannot parse date " + s + ": use 2026-01-01T00:00:00Z")
}

// indexTerm is what a field:value term asks of the index.
func indexTerm(t term) index.Term {
	v := strings.ToLower(t.value)
	switch t.field {
	case "text":
		return index.Term{Text: t.value}
	case "title":
		return index.Term{Text: t.value, Fields: index.FieldTitle}
	case "name":
		if v == "*" {
			return index.Term{Every: true}
		}
		return index.Term{Slug: v}
	case "id":
		if v == "*" {
			return index.Term{Every: true}
		}
		return index.Term{ID: v}
	case "organization", "owner_org":
		return index.Term{Key: index.Key(index.DimPublisher, v)}
	case "tags":
		return index.Term{Key: index.Key(index.DimTag, v)}
	case "res_format":
		return index.Term{Key: index.Key(index.DimResFormat, v)}
	case "license_id":
		if l, ok := opendata.LookupLicence(t.value); ok {
			v = l.ID
		}
		return index.Term{Key: index.Key(index.DimLicence, v)}
	case "dataset_type", "type":
		return index.Term{Every: v == "dataset" || v == "*"}
	case "state":
		switch v {
		case "active":
			return index.Term{Key: index.Key(index.DimStatus, string(opendata.StatusPublished))}
		case "deleted":
			return index.Term{Key: index.Key(index.DimStatus, string(opendata.StatusWithdrawn))}
		}
		return index.Term{Every: v == "*"}
	case "capacity":
		return index.Term{Every: v == "public"}
	case "metadata_modified", "metadata_created":
		order := index.OrderCatalogueModified
		if t.field == "metadata_created" {
			order = index.OrderCatalogueIssued
		}
		r, _ := parseRange(order, t.value) // checked by parseQuery
		return index.Term{Range: r}
	case "groups":
		return index.Term{Key: index.Key(index.DimTheme, v)}
	}
	return index.Term{}
}

// facetDims maps the facet fields CKAN clients ask for to the index's.
var facetDims = map[string]string{
	"organization": index.DimPublisher,
	"owner_org":    index.DimPublisher,
	"tags":         index.DimTag,
	"res_format":   index.DimResFormat,
	"license_id":   index.DimLicence,
	"groups":       index.DimTheme,
}

// facetRequest reads facet.field (a JSON list, as CKAN takes it),
// facet.limit (default 50, CKAN's search.facets.limit; -1 for all) and
// facet.mincount (default 1).
func facetRequest(p Params) (fields []string, limit, mincount int, err *Error) {
	limit, mincount = 50, 1
	if raw := strings.TrimSpace(p["facet.field"]); raw != "" && !falsy(p["facet"]) {
		if json.Unmarshal([]byte(raw), &fields) != nil {
			return nil, 0, 0, validation("facet.field", "Not a list: give a JSON list such as [\"organization\",\"tags\"]")
		}
		for _, f := range fields {
			if _, ok := facetDims[f]; !ok {
				return nil, 0, 0, searchError("cannot facet on " + f + ": use organization, tags, res_format, license_id or groups")
			}
		}
	}
	if v := strings.TrimSpace(p["facet.limit"]); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < -1 {
			return nil, 0, 0, validation("facet.limit", "Invalid integer")
		}
		limit = n
	}
	if v := strings.TrimSpace(p["facet.mincount"]); v != "" {
		n, convErr := strconv.Atoi(v)
		if convErr != nil || n < 0 {
			return nil, 0, 0, validation("facet.mincount", "Invalid integer")
		}
		mincount = max(n, 1)
	}
	return fields, limit, mincount, nil
}

// bboxParam reads ckanext-spatial's ext_bbox: minx,miny,maxx,maxy in WGS84.
func bboxParam(p Params) (*opendata.BBox, *Error) {
	v := strings.TrimSpace(p["ext_bbox"])
	if v == "" {
		return nil, nil
	}
	parts := strings.Split(v, ",")
	var f [4]float64
	ok := len(parts) == 4
	for i := 0; ok && i < 4; i++ {
		var err error
		f[i], err = strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
		ok = err == nil
	}
	b := opendata.BBox{MinX: f[0], MinY: f[1], MaxX: f[2], MaxY: f[3]}
	if !ok || b.MinX < -180 || b.MaxX > 180 || b.MinY < -90 || b.MaxY > 90 || b.MinX > b.MaxX || b.MinY > b.MaxY {
		return nil, searchError("Wrong bounding box provided: ext_bbox is minx,miny,maxx,maxy in WGS84 degrees, e.g. -1.6,53.1,-1.2,53.3")
	}
	return &b, nil
}

var sortable = map[string]string{
	"id":                index.OrderID,
	"name":              index.OrderSlug,
	"title_string":      index.OrderTitleLower,
	"metadata_modified": index.OrderCatalogueModified,
	"metadata_created":  index.OrderCatalogueIssued,
	"score":             index.OrderScore,
}

// Search runs package_search: q and fq filter, sort orders (ties broken by
// id, so paging with start/rows never repeats or skips a dataset), rows
// (default 10, at most MaxRows) and start page.
func Search(cat Catalogue, p Params) (*SearchResult, *Error) {
	rows, err := natural(p, "rows", 10)
	if err != nil {
		return nil, err
	}
	rows = min(rows, MaxRows)
	start, err := natural(p, "start", 0)
	if err != nil {
		return nil, err
	}
	var clauses []clause
	for _, q := range []string{p["q"], p["fq"]} {
		c, err := parseQuery(q)
		if err != nil {
			return nil, err
		}
		clauses = append(clauses, c...)
	}
	sortSpec := p["sort"]
	if strings.TrimSpace(sortSpec) == "" {
		sortSpec = "score desc, metadata_modified desc"
	}
	q := index.Query{Offset: start, Limit: rows}
	if q.BBox, err = bboxParam(p); err != nil {
		return nil, err
	}
	facets, facetLimit, mincount, err := facetRequest(p)
	if err != nil {
		return nil, err
	}
	for _, f := range facets {
		q.Facets = append(q.Facets, index.FacetRequest{Dim: facetDims[f]})
	}
	// Withdrawn datasets are CKAN's deleted ones: listed with
	// include_deleted, or when a clause asks for state:deleted.
	if truthy(p["include_deleted"]) || slices.ContainsFunc(clauses, func(c clause) bool {
		return !c.negate && slices.ContainsFunc(c.any, func(t term) bool { return t.field == "state" && strings.EqualFold(t.value, "deleted") })
	}) {
		q.Statuses = []opendata.Status{opendata.StatusPublished, opendata.StatusWithdrawn}
	}
	for _, part := range strings.Split(sortSpec, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		by, ok := sortable[f[0]]
		if !ok || len(f) > 2 || len(f) == 2 && f[1] != "asc" && f[1] != "desc" {
			return nil, searchError("cannot sort by " + strings.TrimSpace(part) + ": use e.g. \"metadata_modified desc\" or \"name asc\"")
		}
		q.Sort = append(q.Sort, index.Sort{Order: by, Desc: len(f) == 2 && f[1] == "desc"})
	}
	for _, c := range clauses {
		ic := index.Clause{}
		for _, t := range c.any {
			ic.Any = append(ic.Any, indexTerm(t))
		}
		if c.negate {
			q.Not = append(q.Not, ic)
		} else {
			q.All = append(q.All, ic)
		}
	}
	found := cat.Index.Find(q)
	n := counts(cat)
	res := &SearchResult{Count: found.Total, Sort: sortSpec, Results: []json.RawMessage{}, Facets: map[string]any{},
		SearchFacets: map[string]any{}}
	// The page's packages are decoded into one array: fewer, larger
	// allocations keep the collector's work down on a large catalogue.
	packed := make([]catalogue.Packed, len(found.Items))
	size := 0
	for i, it := range found.Items {
		packed[i] = packageJSON(cat, it, n)
		size += packed[i].Len()
	}
	slab := make([]byte, 0, size)
	for i, p := range packed {
		start := len(slab)
		var err error
		if slab, err = p.AppendTo(slab); err != nil {
			return nil, &Error{Type: "Internal Server Error", Message: "package " + found.Items[i].Entry.Dataset.Slug + ": " + err.Error(),
				Status: http.StatusInternalServerError}
		}
		res.Results = append(res.Results, slab[start:len(slab):len(slab)])
	}
	for _, f := range facets {
		counts := map[string]int{}
		items := []FacetItem{}
		for _, c := range found.Facets[facetDims[f]] {
			if c.Count < mincount || facetLimit >= 0 && len(items) >= facetLimit {
				continue
			}
			name := c.Label
			counts[name] = c.Count
			items = append(items, FacetItem{Name: name, DisplayName: facetDisplayName(cat, f, c.Value, name), Count: c.Count})
		}
		res.Facets[f] = counts
		res.SearchFacets[f] = SearchFacet{Title: f, Items: items}
	}
	return res, nil
}

// SearchFacet is one field of search_facets.
type SearchFacet struct {
	Title string      `json:"title"`
	Items []FacetItem `json:"items"`
}

// FacetItem is a value of a facet with its count.
type FacetItem struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	Count       int    `json:"count"`
}

// facetDisplayName is what CKAN shows for a facet value: an organisation's
// or group's title, a licence's title, otherwise the value.
func facetDisplayName(cat Catalogue, field, value, name string) string {
	switch field {
	case "organization", "owner_org":
		if o, ok := cat.Index.Organisation(value); ok && o.Name != "" {
			return o.Name
		}
	case "groups":
		if th, ok := opendata.LookupTheme(value); ok {
			return th.Title
		}
	case "license_id":
		if l, ok := opendata.LookupLicence(value); ok {
			return l.Title
		}
	}
	return name
}
