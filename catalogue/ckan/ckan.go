// Package ckan answers the subset of CKAN's Action API (version 3) that the
// ckanext-harvest "ckan" harvester and CKAN clients use to copy a catalogue:
// package_search, package_show, package_list, organization_list,
// organization_show, license_list and status_show, with CKAN's field names,
// {help, success, result} envelope and error objects.
package ckan

import (
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// Shapes is the CKAN release whose Action API shapes (field names,
// envelope, errors) this package follows. councilapi is not CKAN: status_show
// says so rather than claiming a ckan_version.
const Shapes = "CKAN 2.10"

// Response is CKAN's envelope.
type Response struct {
	Help    string `json:"help"`
	Success bool   `json:"success"`
	Result  any    `json:"result,omitempty"`
	Error   *Error `json:"error,omitempty"`
}

// Error is CKAN's error object: a type, a message and, for validation
// errors, one list of messages per field.
type Error struct {
	Type    string              `json:"__type"`
	Message string              `json:"message,omitempty"`
	Fields  map[string][]string `json:"-"`
	Status  int                 `json:"-"`
}

// MarshalJSON flattens Fields into the object, as CKAN does.
func (e *Error) MarshalJSON() ([]byte, error) {
	m := map[string]any{"__type": e.Type}
	if e.Message != "" {
		m["message"] = e.Message
	}
	for k, v := range e.Fields {
		m[k] = v
	}
	return marshal(m)
}

func notFound(what string) *Error {
	return &Error{Type: "Not Found Error", Message: "Not found: " + what, Status: http.StatusNotFound}
}

func validation(field, msg string) *Error {
	return &Error{Type: "Validation Error", Fields: map[string][]string{field: {msg}}, Status: http.StatusConflict}
}

func searchError(msg string) *Error {
	return &Error{Type: "Search Query Error", Message: "Search Query is invalid: " + msg, Status: http.StatusConflict}
}

// Catalogue is what every action reads: the catalogue's index (whose
// entries' site-relative URLs are made absolute on BaseURL) and how the
// site describes itself.
type Catalogue struct {
	BaseURL     string
	Index       *index.Index
	Title       string
	Description string
	Version     string // councilapi's version, for status_show
}

// Params are an action's parameters, from the query string or a JSON body.
type Params map[string]string

// Actions lists the supported action names.
var Actions = []string{"package_search", "package_show", "package_list", "organization_list",
	"organization_show", "license_list", "status_show"}

// Help is the help URL CKAN puts in every response.
func Help(base, action string) string { return base + "/api/3/action/help_show?name=" + action }

// Call runs an action. ok is false for an unknown action name, which CKAN
// answers with a bare 400 string rather than an envelope.
func Call(cat Catalogue, action string, p Params) (result any, err *Error, ok bool) {
	switch action {
	case "package_search":
		r, err := Search(cat, p)
		return r, err, true
	case "package_show":
		r, err := show(cat, p)
		return r, err, true
	case "package_list":
		r, err := packageList(cat, p)
		return r, err, true
	case "organization_list":
		r, err := organizationList(cat, p)
		return r, err, true
	case "organization_show":
		r, err := organizationShow(cat, p)
		return r, err, true
	case "license_list":
		return Licences(), nil, true
	case "status_show":
		return status(cat), nil, true
	}
	return nil, nil, false
}

// Status is status_show's result: CKAN's site fields, then what answers
// and how much of the Action API it implements, so a client can tell. It
// has no ckan_version (this is not CKAN, and a version would invite clients
// to assume behaviour that is not there) and no extensions.
type Status struct {
	SiteTitle       string         `json:"site_title"`
	SiteDescription string         `json:"site_description"`
	SiteURL         string         `json:"site_url"`
	LocaleDefault   string         `json:"locale_default"`
	ErrorEmailsTo   *string        `json:"error_emails_to"`
	Extensions      []string       `json:"extensions"`
	Software        string         `json:"software"`
	SoftwareVersion string         `json:"software_version,omitempty"`
	APIVersion      int            `json:"api_version"`
	APIShapes       string         `json:"api_shapes"`
	Actions         []string       `json:"actions"`
	PackageSearch   SearchFeatures `json:"package_search"`
	NotImplemented  []string       `json:"not_implemented"`
}

// SearchFeatures lists what package_search understands.
type SearchFeatures struct {
	Parameters  []string `json:"parameters"`
	Fields      []string `json:"fields"`
	SortFields  []string `json:"sort_fields"`
	FacetFields []string `json:"facet_fields"`
	Query       string   `json:"query"`
}

func status(cat Catalogue) Status {
	sorts := slices.Sorted(maps.Keys(sortable))
	facets := slices.Sorted(maps.Keys(facetDims))
	return Status{SiteTitle: cat.Title, SiteDescription: cat.Description, SiteURL: cat.BaseURL, LocaleDefault: "en_GB",
		Extensions: []string{}, Software: "councilapi", SoftwareVersion: cat.Version, APIVersion: 3, APIShapes: Shapes,
		Actions: Actions,
		PackageSearch: SearchFeatures{
			Parameters: []string{"q", "fq", "sort", "rows", "start", "facet", "facet.field", "facet.limit", "facet.mincount",
				"include_deleted", "ext_bbox"},
			Fields: slices.Clone(fields), SortFields: sorts, FacetFields: facets,
			Query: "field:value terms (quoted phrases, * for any value), joined by spaces (AND) or OR, negated with -, " +
				"ranges [from TO to] on metadata_modified and metadata_created; bare words search title, keywords and description " +
				"(every word, as a word prefix) and rank by relevance",
		},
		NotImplemented: []string{"every action that writes (package_create, package_patch, …)", "resource, group, tag, user and activity actions",
			"private datasets and drafts", "the rest of Solr's query syntax (boosts, wildcards inside words, fuzzy and proximity search)",
			"ext_bbox ranking by overlap (matches are filtered, not ranked)"},
	}
}

// Timestamp writes a time as CKAN does: UTC, microseconds, no zone.
func Timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000") }

// find returns a published or withdrawn (deleted) dataset by id or name,
// with absolute URLs: a harvester asking after a dataset it copied learns
// that it was deleted.
func find(cat Catalogue, id string) (catalogue.Entry, bool) {
	it, ok := cat.Index.Get(id)
	if !ok {
		return catalogue.Entry{}, false
	}
	return it.Entry.OnBase(cat.BaseURL), true
}

func show(cat Catalogue, p Params) (any, *Error) {
	id := strings.TrimSpace(p["id"])
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	e, ok := find(cat, id)
	if !ok {
		return nil, notFound("dataset " + id)
	}
	return FromEntry(e, counts(cat)), nil
}

// natural reads a non-negative integer parameter.
func natural(p Params, name string, def int) (int, *Error) {
	v, ok := p[name]
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, validation(name, "Invalid integer")
	}
	if n < 0 {
		return 0, validation(name, "Must be a natural number")
	}
	return n, nil
}

func window[T any](items []T, p Params) ([]T, *Error) {
	offset, err := natural(p, "offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := natural(p, "limit", len(items))
	if err != nil {
		return nil, err
	}
	lo := min(offset, len(items))
	return items[lo:min(len(items), lo+limit)], nil
}

// packageList names the published datasets in name order; only the
// window asked for is read.
func packageList(cat Catalogue, p Params) (any, *Error) {
	offset, err := natural(p, "offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := natural(p, "limit", math.MaxInt32)
	if err != nil {
		return nil, err
	}
	names := []string{}
	if limit == 0 {
		return names, nil
	}
	res := cat.Index.Find(index.Query{Sort: []index.Sort{{Order: index.OrderSlug}}, Offset: offset, Limit: limit})
	for _, it := range res.Items {
		names = append(names, it.Entry.Dataset.Slug)
	}
	return names, nil
}

// counts gives each organisation's number of published datasets.
func counts(cat Catalogue) map[string]int {
	res := cat.Index.Find(index.Query{Facets: []index.FacetRequest{{Dim: index.DimPublisher}}})
	n := map[string]int{}
	for _, c := range res.Facets[index.DimPublisher] {
		n[c.Value] = c.Count
	}
	return n
}

func organizationList(cat Catalogue, p Params) (any, *Error) {
	orgs := cat.Index.Organisations()
	slices.SortFunc(orgs, func(a, b domain.Organisation) int { return strings.Compare(a.ID, b.ID) })
	if strings.HasPrefix(p["sort"], "title") || strings.HasPrefix(p["sort"], "display_name") {
		slices.SortStableFunc(orgs, func(a, b domain.Organisation) int { return strings.Compare(a.Name, b.Name) })
	}
	if strings.HasSuffix(p["sort"], " desc") {
		slices.Reverse(orgs)
	}
	orgs, err := window(orgs, p)
	if err != nil {
		return nil, err
	}
	if !truthy(p["all_fields"]) {
		names := make([]string, len(orgs))
		for i, o := range orgs {
			names[i] = o.ID
		}
		return names, nil
	}
	n := counts(cat)
	out := make([]Organization, len(orgs))
	for i, o := range orgs {
		out[i] = FromOrganisation(cat.BaseURL, o, n[o.ID])
	}
	return out, nil
}

func organizationShow(cat Catalogue, p Params) (any, *Error) {
	id := strings.TrimSpace(p["id"])
	if id == "" {
		return nil, validation("id", "Missing value")
	}
	n := counts(cat)
	for _, o := range cat.Index.Organisations() {
		if o.ID == id || strings.EqualFold(o.ShortName, id) {
			org := FromOrganisation(cat.BaseURL, o, n[o.ID])
			if truthy(p["include_datasets"]) {
				pk := []Package{}
				res := cat.Index.Find(index.Query{All: []index.Clause{{Any: []index.Term{{Key: index.Key(index.DimPublisher, o.ID)}}}},
					Limit: 1000})
				for _, it := range res.Items {
					pk = append(pk, FromEntry(it.Entry.OnBase(cat.BaseURL), n))
				}
				org.Packages = pk
			}
			return org, nil
		}
	}
	return nil, notFound("organization " + id)
}

func falsy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "false", "0", "no", "off":
		return true
	}
	return false
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true
	}
	return false
}

// License is one entry of license_list.
type License = opendata.Licence

// Licences is the licence list in CKAN's shape.
func Licences() []License { return slices.Clone(opendata.Licences) }
