package ckan

import (
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain/opendata"
)

// MaxRows is CKAN's default ckan.search.rows_max; larger requests are cut
// to it, as CKAN does, rather than refused.
const MaxRows = 1000

// SearchResult is package_search's result.
type SearchResult struct {
	Count        int            `json:"count"`
	Sort         string         `json:"sort"`
	Results      []Package      `json:"results"`
	Facets       map[string]any `json:"facets"`
	SearchFacets map[string]any `json:"search_facets"`
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
		return index.Term{Every: v == "active" || v == "*"}
	case "capacity":
		return index.Term{Every: v == "public"}
	case "metadata_modified", "metadata_created":
		order := index.OrderCatalogueModified
		if t.field == "metadata_created" {
			order = index.OrderCatalogueIssued
		}
		r, _ := parseRange(order, t.value) // checked by parseQuery
		return index.Term{Range: r}
	}
	return index.Term{} // groups: none yet
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
	res := &SearchResult{Count: found.Total, Sort: sortSpec, Results: []Package{}, Facets: map[string]any{},
		SearchFacets: map[string]any{}}
	for _, it := range found.Items {
		res.Results = append(res.Results, FromEntry(it.Entry.OnBase(cat.BaseURL), n))
	}
	return res, nil
}
