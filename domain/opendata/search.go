package opendata

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Sort orders of a dataset search.
const (
	SortRelevance    = "relevance" // best match first; newest modified first without q
	SortTitle        = "title"
	SortTitleDesc    = "-title"
	SortModified     = "modified"
	SortModifiedDesc = "-modified"
	SortIssued       = "issued"
	SortIssuedDesc   = "-issued"
)

// SortOrders lists the accepted sort values.
var SortOrders = []string{SortRelevance, SortTitle, SortTitleDesc, SortModified, SortModifiedDesc, SortIssued, SortIssuedDesc}

// Paging limits of a dataset search.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	MaxOffset    = 10_000
)

// Query is a parsed dataset search. Within one filter the values are
// alternatives (any may match); different filters must all match.
type Query struct {
	Q             string     `json:"q,omitempty"` // words to find in title, description and keywords
	Publisher     []string   `json:"publisher,omitempty"`
	Theme         []string   `json:"theme,omitempty"`
	Licence       []string   `json:"licence,omitempty"`
	Format        []string   `json:"format,omitempty"` // Format codes
	Status        []Status   `json:"status,omitempty"` // empty means published only
	BBox          *BBox      `json:"bbox,omitempty"`   // datasets whose spatial bbox intersects it
	ModifiedSince *time.Time `json:"modifiedSince,omitempty"`
	Sort          string     `json:"sort"`
	Offset        int        `json:"offset"`
	Limit         int        `json:"limit"`
}

// SearchParams names the query parameters ParseQuery reads.
var SearchParams = []string{"q", "publisher", "theme", "licence", "format", "status", "bbox", "modifiedSince",
	"sort", "offset", "limit", "page"}

// ParseQuery reads URL query values into a Query, reporting every bad
// parameter at once. Unknown parameters are refused so that a misspelt
// filter cannot silently widen the results. page (1-based) is accepted as an
// alternative to offset, as CKAN and data.json harvesters page that way.
func ParseQuery(v url.Values) (Query, error) {
	var p domain.Problems
	q := Query{Q: strings.TrimSpace(v.Get("q")), Sort: v.Get("sort"), Limit: DefaultLimit}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if !slices.Contains(SearchParams, k) {
			p.Add(k, "is not a search parameter; use one of %s", strings.Join(SearchParams, ", "))
		}
	}
	if len(q.Q) > 500 {
		p.Add("q", "must be at most 500 characters")
	}
	list := func(name string, canon func(string) (string, bool), hint string) []string {
		var out []string
		for _, occ := range v[name] {
			for _, val := range strings.Split(occ, ",") {
				if val = strings.TrimSpace(val); val == "" {
					continue
				}
				if canon != nil {
					c, ok := canon(val)
					if !ok {
						p.Add(name, "%q is not known; use %s", val, hint)
						continue
					}
					val = c
				}
				if !slices.Contains(out, val) {
					out = append(out, val)
				}
			}
		}
		return out
	}
	q.Publisher = list("publisher", nil, "")
	q.Theme = list("theme", func(s string) (string, bool) { t, ok := LookupTheme(s); return t.Slug, ok },
		"one of "+strings.Join(ThemeSlugs(), ", "))
	q.Licence = list("licence", func(s string) (string, bool) { l, ok := LookupLicence(s); return l.ID, ok },
		"one of "+strings.Join(LicenceIDs(), ", "))
	q.Format = list("format", func(s string) (string, bool) { f, ok := LookupFormat(s); return f.Code, ok },
		"a format such as csv, json, geojson or gpkg")
	for _, s := range list("status", func(s string) (string, bool) {
		return s, slices.Contains([]string{"draft", "published", "withdrawn"}, s)
	}, "draft, published or withdrawn") {
		q.Status = append(q.Status, Status(s))
	}
	if s := v.Get("bbox"); s != "" {
		q.BBox = parseBBox(s, &p)
	}
	if s := v.Get("modifiedSince"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t, err = time.Parse(time.DateOnly, s)
		}
		if err != nil {
			p.Add("modifiedSince", "must be a date (2024-04-01) or an RFC 3339 time (2024-04-01T09:00:00Z)")
		} else {
			t = t.UTC()
			q.ModifiedSince = &t
		}
	}
	integer := func(name string, def, lo, hi int) int {
		s := v.Get(name)
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			p.Add(name, "must be a whole number from %d to %d", lo, hi)
			return def
		}
		return n
	}
	q.Limit = integer("limit", DefaultLimit, 1, MaxLimit)
	q.Offset = integer("offset", 0, 0, MaxOffset)
	if v.Has("page") {
		if v.Has("offset") {
			p.Add("page", "give page or offset, not both")
		} else if page := integer("page", 1, 1, MaxOffset/q.Limit+1); page > 1 {
			q.Offset = (page - 1) * q.Limit
		}
	}
	if q.Sort == "" {
		q.Sort = SortRelevance
	}
	if !slices.Contains(SortOrders, q.Sort) {
		p.Add("sort", "must be one of %s", strings.Join(SortOrders, ", "))
	}
	return q, p.Err()
}

func parseBBox(s string, p *domain.Problems) *BBox {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		p.Add("bbox", "must be four numbers minLon,minLat,maxLon,maxLat (CRS84), e.g. -1.6,53.1,-1.2,53.3")
		return nil
	}
	var f [4]float64
	for i, part := range parts {
		n, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil {
			p.Add("bbox", "%q is not a number", part)
			return nil
		}
		f[i] = n
	}
	b := BBox{f[0], f[1], f[2], f[3]}
	if bp := b.problems(); len(bp) > 0 {
		*p = append(*p, bp...)
		return nil
	}
	return &b
}

// Matches reports whether a dataset passes the query's filters (not q,
// which the store's text index ranks). formats are the format codes of the
// dataset's published versions. It lets an in-memory store and the contract
// tests agree on the filter rules.
func (q Query) Matches(d Dataset, formats []string) bool {
	statuses := q.Status
	if len(statuses) == 0 {
		statuses = []Status{StatusPublished}
	}
	anyOf := func(want, have []string) bool {
		if len(want) == 0 {
			return true
		}
		for _, h := range have {
			if slices.Contains(want, h) {
				return true
			}
		}
		return false
	}
	switch {
	case !slices.Contains(statuses, d.Status),
		!anyOf(q.Publisher, []string{d.Publisher}),
		!anyOf(q.Theme, d.Themes),
		!anyOf(q.Licence, []string{d.Licence}),
		!anyOf(q.Format, formats),
		q.ModifiedSince != nil && d.Modified.Before(*q.ModifiedSince),
		q.BBox != nil && (d.Spatial == nil || d.Spatial.BBox == nil || !q.BBox.Intersects(*d.Spatial.BBox)):
		return false
	}
	return true
}

// Terms splits q into the lower-case words every matching dataset must
// contain in its title, description or keywords.
func (q Query) Terms() []string {
	return strings.FieldsFunc(strings.ToLower(q.Q), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
}

// MatchesText reports whether every term of q occurs in the dataset's
// title, description or keywords (as a word prefix), the rule a simple store
// applies; a store with a ranked index should match at least these.
func (q Query) MatchesText(d Dataset) bool {
	terms := q.Terms()
	if len(terms) == 0 {
		return true
	}
	words := Query{Q: d.Title + " " + d.Description + " " + strings.Join(d.Keywords, " ")}.Terms()
	for _, t := range terms {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, t) }) {
			return false
		}
	}
	return true
}
