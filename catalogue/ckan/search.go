package ckan

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/dcat"
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
			if _, _, err := parseRange(value); err != nil {
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
func parseRange(v string) (lo, hi func(time.Time) bool, err *Error) {
	if len(v) < 2 {
		return nil, nil, searchError("bad range " + v)
	}
	open, close := v[0], v[len(v)-1]
	from, to, ok := strings.Cut(v[1:len(v)-1], " TO ")
	if !ok || (open != '[' && open != '{') || (close != ']' && close != '}') {
		return nil, nil, searchError("bad range " + v + `: use [2026-01-01T00:00:00Z TO *]`)
	}
	bound := func(s string, lower, inclusive bool) (func(time.Time) bool, *Error) {
		s = strings.TrimSpace(s)
		if s == "*" {
			return func(time.Time) bool { return true }, nil
		}
		t, err := parseTime(s)
		if err != nil {
			return nil, err
		}
		return func(x time.Time) bool {
			if lower {
				return x.After(t) || inclusive && x.Equal(t)
			}
			return x.Before(t) || inclusive && x.Equal(t)
		}, nil
	}
	if lo, err = bound(from, true, open == '['); err != nil {
		return nil, nil, err
	}
	if hi, err = bound(to, false, close == ']'); err != nil {
		return nil, nil, err
	}
	return lo, hi, nil
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

func matches(e catalogue.Entry, t term) bool {
	d := e.Dataset
	eq := func(s string) bool { return strings.EqualFold(s, t.value) || t.value == "*" }
	switch t.field {
	case "text":
		hay := strings.ToLower(d.Title + " " + d.Description + " " + strings.Join(d.Keywords, " ") + " " + d.Slug)
		for _, w := range strings.Fields(strings.ToLower(t.value)) {
			if !strings.Contains(hay, strings.Trim(w, "*")) {
				return false
			}
		}
		return true
	case "name":
		return eq(d.Slug)
	case "id":
		return eq(d.ID)
	case "title":
		return strings.Contains(strings.ToLower(d.Title), strings.ToLower(t.value))
	case "organization", "owner_org":
		return eq(e.Publisher.ID)
	case "tags":
		return slices.ContainsFunc(d.Keywords, eq)
	case "res_format":
		return slices.ContainsFunc(e.Distributions, func(x catalogue.Distribution) bool { return eq(x.Format) })
	case "license_id":
		return eq(d.Licence)
	case "dataset_type", "type":
		return eq("dataset")
	case "state":
		return eq("active")
	case "groups", "capacity":
		return t.value == "public" && t.field == "capacity"
	case "metadata_modified", "metadata_created":
		lo, hi, _ := parseRange(t.value)
		at := dcat.Modified(e)
		if t.field == "metadata_created" {
			at = dcat.Issued(e)
		}
		at = at.Truncate(time.Microsecond) // CKAN's precision
		return lo(at) && hi(at)
	}
	return false
}

var sortable = map[string]func(a, b catalogue.Entry) int{
	"id":   func(a, b catalogue.Entry) int { return cmp.Compare(a.Dataset.ID, b.Dataset.ID) },
	"name": func(a, b catalogue.Entry) int { return cmp.Compare(a.Dataset.Slug, b.Dataset.Slug) },
	"title_string": func(a, b catalogue.Entry) int {
		return cmp.Compare(strings.ToLower(a.Dataset.Title), strings.ToLower(b.Dataset.Title))
	},
	"metadata_modified": func(a, b catalogue.Entry) int { return dcat.Modified(a).Compare(dcat.Modified(b)) },
	"metadata_created":  func(a, b catalogue.Entry) int { return dcat.Issued(a).Compare(dcat.Issued(b)) },
	// Without relevance ranking every match scores the same.
	"score": func(a, b catalogue.Entry) int { return 0 },
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
	type key struct {
		f    func(a, b catalogue.Entry) int
		desc bool
	}
	var keys []key
	for _, part := range strings.Split(sortSpec, ",") {
		f := strings.Fields(part)
		if len(f) == 0 {
			continue
		}
		by, ok := sortable[f[0]]
		if !ok || len(f) > 2 || len(f) == 2 && f[1] != "asc" && f[1] != "desc" {
			return nil, searchError("cannot sort by " + strings.TrimSpace(part) + ": use e.g. \"metadata_modified desc\" or \"name asc\"")
		}
		keys = append(keys, key{by, len(f) == 2 && f[1] == "desc"})
	}
	var hits []catalogue.Entry
	for _, e := range cat.Entries {
		ok := true
		for _, c := range clauses {
			if slices.ContainsFunc(c.any, func(t term) bool { return matches(e, t) }) == c.negate {
				ok = false
				break
			}
		}
		if ok {
			hits = append(hits, e)
		}
	}
	slices.SortStableFunc(hits, func(a, b catalogue.Entry) int {
		for _, k := range keys {
			if c := k.f(a, b); c != 0 {
				if k.desc {
					return -c
				}
				return c
			}
		}
		return cmp.Compare(a.Dataset.ID, b.Dataset.ID)
	})
	n := counts(cat)
	res := &SearchResult{Count: len(hits), Sort: sortSpec, Results: []Package{}, Facets: map[string]any{},
		SearchFacets: map[string]any{}}
	lo := min(start, len(hits))
	for _, e := range hits[lo:min(len(hits), lo+rows)] {
		res.Results = append(res.Results, FromEntry(e, n))
	}
	return res, nil
}
