package api

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/jointict/councilapi/domain/opendata"
)

// spatialMetadata is a dataset with every item GEMINI 2.3 asks of the
// publisher; edit returns a copy to change.
func spatialMetadata(title, theme, topic string, edit ...func(m, inspire map[string]any)) map[string]any {
	inspire := map[string]any{
		"topicCategories":   []string{topic},
		"inspireThemes":     []string{theme},
		"lineage":           "Surveyed by the council's street scene officers with hand-held GPS and checked against OS MasterMap before publication.",
		"referenceSystem":   "EPSG:27700",
		"spatialResolution": map[string]any{"equivalentScale": 10000},
		"conformity": []map[string]any{{"specification": "Commission Regulation (EU) No 1089/2010",
			"date": "2010-12-08", "result": "notEvaluated"}},
	}
	m := map[string]any{
		"title": title,
		"description": title + " across North East Derbyshire, one point per site with its reference and the " +
			"ward it is in. Positions are British National Grid eastings and northings, published in WGS84 as well.",
		"keywords":        []string{"street scene", "North East Derbyshire"},
		"updateFrequency": "monthly",
		"temporal":        map[string]any{"start": "2024-04-01T00:00:00Z"},
		"inspire":         inspire,
	}
	for _, e := range edit {
		e(m, inspire)
	}
	return m
}

// publishSpatial creates, uploads (eastings/northings CSV) and publishes a
// dataset through the API, as a publisher would.
func (ts *testServer) publishSpatial(key string, body map[string]any, points int) datasetView {
	ts.t.Helper()
	d := ts.createDataset(key, body)
	csv := "ref,easting,northing\n"
	for i := range points {
		csv += fmt.Sprintf("P%d,%d,%d\n", i+1, 435000+i*900, 370000+i*700)
	}
	if job := ts.publishUpload(key, d.ID, d.Slug+".csv", []byte(csv), ""); job.State != opendata.JobSucceeded {
		ts.t.Fatalf("upload %s: %+v", d.Slug, job)
	}
	r := ts.do("PATCH", "/api/v1/datasets/"+d.ID, key, `{"status":"published"}`)
	if r.Status != 200 {
		ts.t.Fatalf("publish %s: %d %s", d.Slug, r.Status, r.Body)
	}
	var v datasetView
	r.json(ts.t, &v)
	return v
}

var (
	wafLink   = regexp.MustCompile(`<a href="([^"]+)">`)
	dateStamp = regexp.MustCompile(`<gmd:dateStamp>\s*<gco:Date>([^<]+)</gco:Date>`)
)

// wafFiles lists the .xml links of the WAF page.
func (ts *testServer) wafFiles(t *testing.T) []string {
	t.Helper()
	r := ts.do("GET", "/inspire/waf/", "", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/html; charset=UTF-8" {
		t.Fatalf("WAF: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	var files []string
	for _, m := range wafLink.FindAllStringSubmatch(string(r.Body), -1) {
		if href := m[1]; regexp.MustCompile(`\.xml$`).MatchString(href) {
			files = append(files, href)
		}
	}
	slices.Sort(files)
	return files
}

// stampOf fetches a record and returns its dateStamp.
func (ts *testServer) stampOf(t *testing.T, fileID string) string {
	t.Helper()
	r := ts.do("GET", "/inspire/records/"+fileID+".xml", "", nil)
	if r.Status != 200 {
		t.Fatalf("record %s: %d %s", fileID, r.Status, r.Body)
	}
	m := dateStamp.FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("record %s has no dateStamp", fileID)
	}
	return string(m[1])
}
