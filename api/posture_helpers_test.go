package api

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// postureFixture is a server with something behind every kind of page: a
// published spatial dataset (its page, map, OGC collection, feature and
// GEMINI record), a published table, and a sourcing comparison (its decision
// report and chart).
type postureFixture struct {
	ts         *testServer
	spatial    datasetView
	tabular    datasetView
	comparison string
	featureID  string
}

func newPostureFixture(t *testing.T, cfg Config) postureFixture {
	t.Helper()
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 64 << 10
	}
	ts := newTestServer(t, cfg)
	ned := ts.key(domain.RolePublisher, "neddc")
	f := postureFixture{ts: ts, spatial: ts.publishSpatial(ned, spatialMetadata("Grit bins", "tn", "transportation"), 3)}
	f.tabular = ts.createDataset(ned, map[string]any{"title": "Car park tariffs", "description": "Charges per hour at each car park."})
	if j := ts.publishUpload(ned, f.tabular.ID, "tariffs.csv", []byte("car park,pence\nDronfield,120\n"), ""); j.State != opendata.JobSucceeded {
		t.Fatalf("tariffs upload: %+v", j)
	}
	if r := ts.do("PATCH", "/api/v1/datasets/"+f.tabular.ID, ned, `{"status":"published"}`); r.Status != 200 {
		t.Fatalf("publish tariffs: %d %s", r.Status, r.Body)
	}
	officer := ts.key(domain.RoleOfficer, "neddc")
	f.comparison = ts.postWorkedExample(officer, nil).ID
	ts.decideAndPublish(officer, f.comparison) // the report and chart are public once published
	var items struct {
		Features []struct {
			ID json.RawMessage `json:"id"`
		} `json:"features"`
	}
	ts.do("GET", "/ogc/collections/"+f.spatial.Slug+"/items?limit=1", "", nil).json(t, &items)
	if len(items.Features) != 1 {
		t.Fatalf("the spatial dataset has no OGC API features")
	}
	f.featureID = strings.Trim(string(items.Features[0].ID), `"`)
	return f
}

// routeParam matches a path parameter in Echo (:id, *) or OpenAPI ({id}) form.
var routeParam = regexp.MustCompile(`:[A-Za-z]+|\{[A-Za-z]+\}|\*$`)

// concrete fills a route template with the fixture's values, so the walk
// reaches real pages; a parameter it has no value for becomes "none", which
// reaches the route's not-found answer (an HTML page for browsers).
func (f postureFixture) concrete(template string) string {
	known := map[string]string{
		"/datasets/:slug/:file":              "/datasets/" + f.spatial.Slug + "/latest.csv",
		"/inspire/records/:file":             "/inspire/records/" + f.spatial.Inspire.FileIdentifier + ".xml",
		"/inspire/waf/:file":                 "/inspire/waf/" + f.spatial.Inspire.FileIdentifier + ".xml",
		"/static/pages/:file":                "/static/pages/site.css",
		"/ogc/assets/:file":                  "/ogc/assets/leaflet.js",
		"/docs/*":                            "/docs/index.html",
		"/organisations/:id":                 "/organisations/neddc",
		"/api/v1/organisations/:id":          "/api/v1/organisations/neddc",
		"/api/v1/datasets/:id":               "/api/v1/datasets/" + f.spatial.ID,
		"/api/v1/datasets/:id/versions":      "/api/v1/datasets/" + f.spatial.ID + "/versions",
		"/api/v1/datasets/:id/versions/:n":   "/api/v1/datasets/" + f.spatial.ID + "/versions/1",
		"/api/v1/comparisons/{id}/report":    "/api/v1/comparisons/" + f.comparison + "/report",
		"/api/v1/comparisons/{id}/chart.svg": "/api/v1/comparisons/" + f.comparison + "/chart.svg",
		"/api/v1/comparisons/:id/report":     "/api/v1/comparisons/" + f.comparison + "/report",
		"/api/v1/comparisons/:id/chart.svg":  "/api/v1/comparisons/" + f.comparison + "/chart.svg",
		"/api/v1/comparisons/:id":            "/api/v1/comparisons/" + f.comparison,
	}
	if p, ok := known[template]; ok {
		return p
	}
	if rest, ok := strings.CutPrefix(template, "/api/v1/organisations/"); ok && routeParam.MatchString(rest) {
		// An organisation's pages: the fixture's council.
		_, rest, _ = strings.Cut(rest, "/")
		template = "/api/v1/organisations/neddc/" + rest
	}
	byName := map[string]string{"slug": f.spatial.Slug, "collectionId": f.spatial.Slug, "featureId": url.PathEscape(f.featureID)}
	return routeParam.ReplaceAllStringFunc(template, func(m string) string {
		if v, ok := byName[strings.Trim(m, ":{}")]; ok {
			return v
		}
		return "none"
	})
}
