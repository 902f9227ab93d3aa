package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// uploadFile posts a file as multipart/form-data.
func (ts *testServer) uploadFile(key, datasetID, name string, content []byte, query string) response {
	ts.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/api/v1/datasets/"+datasetID+"/versions"+query, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// waitJob polls a job until it finishes.
func (ts *testServer) waitJob(key, jobID string) opendata.Job {
	ts.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var j opendata.Job
		ts.do("GET", "/api/v1/jobs/"+jobID, key, nil).json(ts.t, &j)
		if j.Done() {
			return j
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.t.Fatalf("job %s did not finish", jobID)
	return opendata.Job{}
}

func (ts *testServer) createDataset(key string, body map[string]any) datasetView {
	ts.t.Helper()
	if body["contactPoint"] == nil {
		body["contactPoint"] = map[string]string{"name": "Open data team", "email": "opendata@ne-derbyshire.gov.uk"}
	}
	r := ts.do("POST", "/api/v1/datasets", key, body)
	if r.Status != 201 {
		ts.t.Fatalf("create dataset: %d %s", r.Status, r.Body)
	}
	var d datasetView
	r.json(ts.t, &d)
	return d
}

func (ts *testServer) publishUpload(key, datasetID, name string, content []byte, query string) opendata.Job {
	ts.t.Helper()
	r := ts.uploadFile(key, datasetID, name, content, query)
	if r.Status != 202 {
		ts.t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var acc uploadAccepted
	r.json(ts.t, &acc)
	if acc.Version.State != opendata.VersionProcessing || acc.Job.ID == "" || r.Header.Get("Location") == "" {
		ts.t.Fatalf("upload accepted: %s", r.Body)
	}
	return ts.waitJob(key, acc.Job.ID)
}

// Windows-1252 bytes of a spend file: £ is 0xA3.
var spendCSV = []byte("Body name,Service area,Expenses type,Date,Transaction number,Amount,Supplier name\r\n" +
	"Bolsover District Council,ICT,Software licences,01/04/2026,BDC-0001,\"\xa31,250.00\",Civica UK Ltd\r\n" +
	"Bolsover District Council,ICT,Hardware,15/04/2026,BDC-0002,\xa3 980.50,XMA Ltd\r\n")

func TestTabularVersionPublishesAndDownloads(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "bdc")
	if r := ts.do("POST", "/api/v1/datasets", ts.key(domain.RoleOfficer, "bdc"), map[string]any{"title": "x", "description": "y"}); r.Status != 403 {
		t.Fatalf("officer creating a dataset: %d", r.Status)
	}
	d := ts.createDataset(pub, map[string]any{"title": "Spend over £500", "description": "Payments to suppliers over £500.",
		"keywords": []string{"spend", "transparency"}, "themes": []string{"government-spending"}, "updateFrequency": "monthly",
		"contactPoint": map[string]string{"name": "Finance", "email": "finance@bolsover.gov.uk"}})
	if d.Slug != "spend-over-500" || d.Status != opendata.StatusDraft || d.Licence != opendata.DefaultLicence {
		t.Fatalf("created %+v", d.Dataset)
	}
	// A draft is invisible to the public.
	if r := ts.do("GET", "/api/v1/datasets/"+d.ID, "", nil); r.Status != 404 {
		t.Fatalf("anonymous read of a draft: %d", r.Status)
	}
	job := ts.publishUpload(pub, d.ID, "spend-april.csv", spendCSV, "")
	if job.State != opendata.JobSucceeded || job.Progress != 100 {
		t.Fatalf("job %+v", job)
	}
	var v appod.VersionRecord
	ts.do("GET", "/api/v1/datasets/"+d.ID+"/versions/1", pub, nil).json(t, &v)
	if v.RowCount != 2 || v.State != opendata.VersionPublished || len(v.Columns) != 7 || v.Columns[5].Type != opendata.TypeDecimal && v.Columns[5].Type != opendata.TypeText {
		t.Fatalf("version 1: %+v", v.Version)
	}
	if r := ts.do("PATCH", "/api/v1/datasets/"+d.ID, pub, `{"status":"published"}`); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	r := ts.do("GET", "/datasets/spend-over-500/latest.csv", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), "£1,250.00") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("latest.csv: %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "spend-over-500-v1.csv") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	tag := r.Header.Get("ETag")
	if r := ts.do("GET", "/datasets/spend-over-500/latest.csv", "", nil, "If-None-Match", tag); r.Status != 304 {
		t.Fatalf("If-None-Match: %d", r.Status)
	}
	if r := ts.do("GET", "/datasets/spend-over-500/versions/1/data.csv", "", nil, "Range", "bytes=0-9"); r.Status != 206 || string(r.Body) != "Body name," {
		t.Fatalf("Range: %d %q", r.Status, r.Body)
	}
	var rows []map[string]any
	ts.do("GET", "/datasets/spend-over-500/latest.json", "", nil).json(t, &rows)
	if len(rows) != 2 || rows[1]["Supplier name"] != "XMA Ltd" || rows[0]["Date"] != "2026-04-01" {
		t.Fatalf("latest.json: %v", rows)
	}
	// A broken second version fails and changes nothing that readers see.
	bad := []byte("a,b\n1,2\n\"unclosed,3\n")
	if job := ts.publishUpload(pub, d.ID, "broken.csv", bad, ""); job.State != opendata.JobFailed || job.Error == "" {
		t.Fatalf("broken upload job: %+v", job)
	}
	var after datasetView
	ts.do("GET", "/api/v1/datasets/"+d.ID, "", nil).json(t, &after)
	if after.CurrentVersion != 1 {
		t.Fatalf("a failed version moved the dataset to %d", after.CurrentVersion)
	}
	if r := ts.do("GET", "/datasets/spend-over-500/versions/2/data.csv", "", nil); r.Status != 404 {
		t.Fatalf("failed version downloadable: %d", r.Status)
	}
	if r := ts.do("GET", "/datasets/spend-over-500/latest.csv", "", nil); r.Header.Get("ETag") != tag {
		t.Fatal("latest changed after a failed upload")
	}
	// A good third version replaces the first; the first stays downloadable.
	v3 := append([]byte(nil), spendCSV...)
	v3 = append(v3, []byte("Bolsover District Council,ICT,Support,30/04/2026,BDC-0003,600,Softcat plc\r\n")...)
	ts.publishUpload(pub, d.ID, "spend-april-v3.csv", v3, "")
	ts.do("GET", "/api/v1/datasets/"+d.ID, "", nil).json(t, &after)
	if after.CurrentVersion != 3 {
		t.Fatalf("current version %d, want 3", after.CurrentVersion)
	}
	if r := ts.do("GET", "/datasets/spend-over-500/versions/1/data.csv", "", nil); r.Status != 200 || r.Header.Get("ETag") != tag {
		t.Fatalf("version 1 after version 3: %d", r.Status)
	}
	var list listResponse[appod.VersionRecord]
	ts.do("GET", "/api/v1/datasets/"+d.ID+"/versions", "", nil).json(t, &list)
	if list.Total != 2 {
		t.Fatalf("public version list has %d, want the 2 published", list.Total)
	}
	// Withdrawn: kept, audited, downloads gone.
	if r := ts.do("DELETE", "/api/v1/datasets/"+d.ID, pub, nil); r.Status != 200 {
		t.Fatalf("withdraw: %d", r.Status)
	}
	if r := ts.do("GET", "/datasets/spend-over-500/latest.csv", "", nil); r.Status != 410 {
		t.Fatalf("download after withdrawal: %d", r.Status)
	}
	var audit listResponse[json.RawMessage]
	ts.do("GET", "/api/v1/audit?record="+d.ID, ts.Admin, nil).json(t, &audit)
	if audit.Total < 4 {
		t.Fatalf("audit of the dataset has %d entries", audit.Total)
	}
}

func TestTransparencyTemplateRejectsBadRows(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	d := ts.createDataset(pub, map[string]any{"title": "NEDDC spend", "description": "Spend over £500", "template": "spend-over-500"})
	bad := []byte("Organisation Name,Department,Purpose,Date,Transaction Number,Amount,Irrecoverable VAT,Beneficiary,Merchant Category\n" +
		"NEDDC,ICT,Licences,31/02/2026,N1,lots,0,Civica,Software\n")
	job := ts.publishUpload(pub, d.ID, "spend.csv", bad, "")
	if job.State != opendata.JobFailed || job.Report == nil || job.Report.Errors < 2 {
		t.Fatalf("template errors not reported: %+v", job)
	}
	cols := map[string]bool{}
	for _, p := range job.Report.Problems {
		cols[p.Column] = true
		if p.Row != 1 {
			t.Fatalf("problem on row %d, want 1: %+v", p.Row, p)
		}
	}
	if !cols["Date"] || !cols["Amount"] {
		t.Fatalf("report should name Date and Amount: %+v", job.Report.Problems)
	}
}

func TestUploadLimitAndFormatProblems(t *testing.T) {
	ts := newTestServer(t, Config{BodyLimit: 1 << 20, UploadLimit: 1000})
	pub := ts.key(domain.RolePublisher, "dddc")
	d := ts.createDataset(pub, map[string]any{"title": "Car parks", "description": "Car park locations"})
	if r := ts.uploadFile(pub, d.ID, "big.csv", bytes.Repeat([]byte("a,b\n"), 400), ""); r.Status != 413 {
		t.Fatalf("over the upload limit: %d %s", r.Status, r.Body)
	} else {
		r.problem(t)
	}
	if r := ts.uploadFile(pub, d.ID, "notes.docx", []byte("x"), ""); r.Status != 400 || r.problem(t).Errors[0].Field != "format" {
		t.Fatalf("unknown format: %d %s", r.Status, r.Body)
	}
	other := ts.key(domain.RolePublisher, "bdc")
	if r := ts.uploadFile(other, d.ID, "x.csv", []byte("a\n1\n"), ""); r.Status != 403 {
		t.Fatalf("another council's publisher: %d", r.Status)
	}
	var versions listResponse[appod.VersionRecord]
	ts.do("GET", "/api/v1/datasets/"+d.ID+"/versions", pub, nil).json(t, &versions)
	if versions.Total != 0 {
		t.Fatalf("rejected uploads left %d versions", versions.Total)
	}
}

func TestSpatialVersionFromEastingsNorthings(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	d := ts.createDataset(pub, map[string]any{"title": "Public toilets", "description": "Council-run public toilets",
		"inspire": map[string]any{"topicCategories": []string{"structure"}, "inspireThemes": []string{"us"}}})
	// Two OS test points (TP05-like values near Dronfield): eastings/northings in EPSG:27700.
	csvFile := []byte("name,easting,northing\nDronfield,435000,380000\nClay Cross,439000,363000\n")
	job := ts.publishUpload(pub, d.ID, "toilets.csv", csvFile, "")
	if job.State != opendata.JobSucceeded {
		t.Fatalf("spatial CSV: %+v", job)
	}
	var fc struct {
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]any
		}
	}
	ts.do("GET", "/datasets/"+d.Slug+"/versions/1/data.geojson", pub, nil).json(t, &fc)
	if len(fc.Features) != 2 {
		t.Fatalf("features: %d", len(fc.Features))
	}
	lon, lat := fc.Features[0].Geometry.Coordinates[0], fc.Features[0].Geometry.Coordinates[1]
	if lon < -1.48 || lon > -1.46 || lat < 53.30 || lat > 53.32 || fc.Features[0].Properties["name"] != "Dronfield" {
		t.Fatalf("first feature at %v,%v %v: not Dronfield in CRS84", lon, lat, fc.Features[0].Properties)
	}
	var dv datasetView
	ts.do("GET", "/api/v1/datasets/"+d.ID, pub, nil).json(t, &dv)
	if dv.Spatial == nil || dv.Spatial.BBox == nil || dv.Spatial.BBox.MinY < 53.1 || dv.Links["ogcapi"] == "" {
		t.Fatalf("extent not taken from the data: %+v %v", dv.Spatial, dv.Links)
	}
	r := ts.do("GET", "/datasets/"+d.Slug+"/latest.csv", pub, nil)
	if !strings.Contains(string(r.Body), "POINT(-1.476") || !strings.HasPrefix(string(r.Body), "id,wkt,name") {
		t.Fatalf("spatial CSV download: %s", r.Body)
	}
	// Outside the OSTN15 grid: rejected with the feature named, nothing published.
	far := []byte("name,easting,northing\nAtlantic,-900000,100\n")
	if job := ts.publishUpload(pub, d.ID, "far.csv", far, ""); job.State != opendata.JobFailed || job.Report == nil || job.Report.Errors == 0 {
		t.Fatalf("out-of-grid point: %+v", job)
	}
}

func TestDatasetSearch(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "bdc")
	for i, title := range []string{"Council tax bands", "Car park tariffs", "Tree preservation orders"} {
		d := ts.createDataset(pub, map[string]any{"title": title, "description": fmt.Sprintf("Dataset %d of Bolsover", i),
			"themes": []string{[]string{"government", "transport", "environment"}[i]}})
		ts.publishUpload(pub, d.ID, "data.csv", []byte("a,b\n1,2\n"), "")
		ts.do("PATCH", "/api/v1/datasets/"+d.ID, pub, `{"status":"published"}`)
	}
	var list listResponse[datasetView]
	ts.do("GET", "/api/v1/datasets?q=park", "", nil).json(t, &list)
	if list.Total != 1 || list.Items[0].Title != "Car park tariffs" {
		t.Fatalf("q=park: %d", list.Total)
	}
	ts.do("GET", "/api/v1/datasets?theme=environment,transport&sort=title", "", nil).json(t, &list)
	if list.Total != 2 || list.Items[0].Title != "Car park tariffs" {
		t.Fatalf("themes any-of: %d", list.Total)
	}
	ts.do("GET", "/api/v1/datasets?format=csv&limit=2", "", nil).json(t, &list)
	if list.Total != 3 || len(list.Items) != 2 || list.Links["next"] == "" {
		t.Fatalf("paging: total %d items %d", list.Total, len(list.Items))
	}
	if r := ts.do("GET", "/api/v1/datasets?colour=red", "", nil); r.Status != 400 || r.problem(t).Errors[0].Field != "colour" {
		t.Fatalf("unknown parameter: %d", r.Status)
	}
}

func TestDownloadsAreGzippedOnRequest(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "bdc")
	d := ts.createDataset(pub, map[string]any{"title": "Bin collection days", "description": "Collection day per street"})
	var csv bytes.Buffer
	csv.WriteString("street,day\n")
	for i := range 2000 {
		fmt.Fprintf(&csv, "Street %d,%s\n", i, []string{"Monday", "Tuesday", "Wednesday"}[i%3])
	}
	ts.publishUpload(pub, d.ID, "bins.csv", csv.Bytes(), "")
	plain := ts.do("GET", "/datasets/"+d.Slug+"/latest.csv", pub, nil)
	r := ts.do("GET", "/datasets/"+d.Slug+"/latest.csv", pub, nil, "Accept-Encoding", "gzip")
	if r.Header.Get("Content-Encoding") != "gzip" || len(r.Body) >= len(plain.Body)/2 {
		t.Fatalf("gzip: encoding %q, %d bytes vs %d plain", r.Header.Get("Content-Encoding"), len(r.Body), len(plain.Body))
	}
	zr, err := gzip.NewReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain.Body) {
		t.Fatal("gzipped download differs from the plain one")
	}
	// A range addresses the plain bytes, so it is never gzipped.
	ranged := ts.do("GET", "/datasets/"+d.Slug+"/latest.csv", pub, nil, "Accept-Encoding", "gzip", "Range", "bytes=0-10")
	if ranged.Status != 206 || ranged.Header.Get("Content-Encoding") != "" || string(ranged.Body) != "street,day\n" {
		t.Fatalf("range with gzip accepted: %d %q %q", ranged.Status, ranged.Header.Get("Content-Encoding"), ranged.Body)
	}
}

func TestDatasetSlugsAreUnique(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "dddc")
	first := ts.createDataset(pub, map[string]any{"title": "Car parks", "description": "Car parks in the Dales"})
	second := ts.createDataset(pub, map[string]any{"title": "Car parks", "description": "Another list"})
	if first.Slug != "car-parks" || second.Slug != "car-parks-2" {
		t.Fatalf("derived slugs %q and %q", first.Slug, second.Slug)
	}
	r := ts.do("POST", "/api/v1/datasets", pub, map[string]any{"title": "Parking", "description": "x", "slug": "car-parks",
		"contactPoint": map[string]string{"email": "data@derbyshiredales.gov.uk"}})
	if r.Status != 409 || r.problem(t).Errors[0].Field != "slug" {
		t.Fatalf("explicit duplicate slug: %d %s", r.Status, r.Body)
	}
}
