package api

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/app/audit"
	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/internal/testref"
	"github.com/jointict/councilapi/store/sqlite"
)

// TestFourFormatsPublishTheSameFeatures is the acceptance test for
// spatial ingest: the Trafford listed buildings, converted to British
// National Grid as a zipped Shapefile, a GeoPackage, a CSV of eastings and
// northings and a WFS 2.0 GetFeature response (GML 3.2), each published
// through the upload API, give the same features: same count, same property
// values, and positions within 1 cm of each other and of the National Grid
// coordinates in the files (so OSTN15 there and back loses nothing).
//
// ogr2ogr's own 27700 conversion is a Helmert approximation (Debian's PROJ
// has no OSTN15 grid), metres off the truth; that does not matter here, as
// all four files carry the same National Grid coordinates.
func TestFourFormatsPublishTheSameFeatures(t *testing.T) {
	ogr := testref.Tool(t, "ogr2ogr", "gdal-bin")
	src := testref.Shared(t, "data/trafford/trafford_listed_buildings.geojson")
	dir := t.TempDir()
	convert := func(args ...string) {
		t.Helper()
		args = append([]string{"-t_srs", "EPSG:27700"}, append(args, src)...)
		if out, err := exec.Command(ogr, args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr %v: %v\n%s", args, err, out)
		}
	}
	shpDir := filepath.Join(dir, "shp")
	if err := os.Mkdir(shpDir, 0o755); err != nil {
		t.Fatal(err)
	}
	convert("-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", filepath.Join(shpDir, "listed_buildings.shp"))
	convert("-f", "GPKG", filepath.Join(dir, "listed_buildings.gpkg"))
	convert("-f", "CSV", "-lco", "GEOMETRY=AS_XY", filepath.Join(dir, "ogr.csv"))
	convert("-f", "GML", "-dsco", "FORMAT=GML3.2", filepath.Join(dir, "ogr.gml"))

	csvFile, grid := eastingsNorthingsCSV(t, filepath.Join(dir, "ogr.csv"))
	uploads := []struct{ name, file string }{
		{"listed_buildings.zip", "shapefile"},
		{"listed_buildings.gpkg", "geopackage"},
		{"listed_buildings.csv", "csv"},
		{"listed_buildings.gml", "wfs"},
	}
	contents := [][]byte{
		zipFiles(t, shpDir),
		readBytes(t, filepath.Join(dir, "listed_buildings.gpkg")),
		csvFile,
		wfsFeatureCollection(t, readBytes(t, filepath.Join(dir, "ogr.gml")), len(grid)),
	}

	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	var published []map[string]publishedFeature
	for i, u := range uploads {
		d := ts.createDataset(pub, map[string]any{"title": "Listed buildings (" + u.file + ")",
			"description": "Listed buildings in Trafford, uploaded as " + u.file,
			"inspire":     map[string]any{"topicCategories": []string{"structure"}, "inspireThemes": []string{"ps"}}})
		job := ts.publishUpload(pub, d.ID, u.name, contents[i], "")
		if job.State != opendata.JobSucceeded {
			t.Fatalf("%s: job %s: %s (report %+v)", u.file, job.State, job.Error, job.Report)
		}
		r := ts.do("GET", "/datasets/"+d.Slug+"/versions/1/data.geojson", pub, nil)
		if r.Status != 200 {
			t.Fatalf("%s: GeoJSON download: %d %s", u.file, r.Status, r.Body)
		}
		published = append(published, publishedByKey(t, u.file, r))
	}

	if len(published[0]) != len(grid) {
		t.Fatalf("%s published %d features, the files hold %d", uploads[0].file, len(published[0]), len(grid))
	}
	for key, want := range grid {
		for i, fs := range published {
			f, ok := fs[key]
			if !ok {
				t.Errorf("%s: no published feature %s", uploads[i].file, key)
				continue
			}
			if d := math.Hypot(f.grid[0]-want[0], f.grid[1]-want[1]); d > 0.01 {
				t.Errorf("%s feature %s: published at %.3f m from its National Grid position in the file", uploads[i].file, key, d)
			}
		}
	}
	for i, fs := range published[1:] {
		other := uploads[i+1].file
		if len(fs) != len(published[0]) {
			t.Errorf("%s published %d features, %s %d", other, len(fs), uploads[0].file, len(published[0]))
		}
		for key, want := range published[0] {
			got, ok := fs[key]
			if !ok {
				continue // reported above
			}
			if d := math.Hypot(got.grid[0]-want.grid[0], got.grid[1]-want.grid[1]); d > 0.01 {
				t.Errorf("feature %s: %s is %.3f m from %s", key, other, d, uploads[0].file)
			}
			if got.values != want.values {
				t.Errorf("feature %s properties differ:\n%-10s %s\n%-10s %s", key, uploads[0].file, want.values, other, got.values)
			}
		}
	}
}

// publishedFeature is one feature of a published GeoJSON download, with
// its position back in National Grid metres and its properties in a form
// every format can agree on.
type publishedFeature struct {
	grid   orb.Point
	values string
}

// publishedByKey keys a published FeatureCollection by list entry number.
// One listing can be several points (gate piers): the key then carries the
// occurrence, since every format keeps the file's feature order.
func publishedByKey(t *testing.T, what string, r response) map[string]publishedFeature {
	t.Helper()
	var fc struct {
		Type     string
		Features []struct {
			Geometry struct {
				Type        string
				Coordinates []float64
			}
			Properties map[string]any
		}
	}
	r.json(t, &fc)
	if fc.Type != "FeatureCollection" {
		t.Fatalf("%s: download is a %q, not a FeatureCollection", what, fc.Type)
	}
	out := map[string]publishedFeature{}
	seen := map[string]int{}
	for i, f := range fc.Features {
		if f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 {
			t.Fatalf("%s feature %d: geometry %+v, want a 2D Point", what, i, f.Geometry)
		}
		lon, lat := f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]
		if lon < -2.6 || lon > -2.2 || lat < 53.3 || lat > 53.5 {
			t.Fatalf("%s feature %d at %v,%v: not longitude, latitude in Trafford", what, i, lon, lat)
		}
		p, err := crs.TransformPoint(orb.Point{lon, lat}, crs.CRS84, crs.EPSG27700)
		if err != nil {
			t.Fatalf("%s feature %d: %v", what, i, err)
		}
		props := map[string]string{}
		for name, v := range f.Properties {
			if s := comparable(v); s != "" {
				// Shapefile field names stop at 10 characters.
				props[strings.ToLower(name[:min(len(name), 10)])] = s
			}
		}
		entry := props["listentry"]
		if entry == "" {
			t.Fatalf("%s feature %d has no ListEntry: %v", what, i, f.Properties)
		}
		key := fmt.Sprintf("%s#%d", entry, seen[entry])
		seen[entry]++
		names := make([]string, 0, len(props))
		for n := range props {
			names = append(names, n)
		}
		slices.Sort(names)
		var values strings.Builder
		for _, n := range names {
			fmt.Fprintf(&values, "%s=%s; ", n, props[n])
		}
		out[key] = publishedFeature{grid: p, values: values.String()}
	}
	return out
}

var isoDatePrefix = regexp.MustCompile(`^(\d{4})[-/](\d{2})[-/](\d{2})`)

// comparable spells a property value the same whichever format carried it:
// a DBF date has no time and a CSV date uses slashes; numbers kept as text
// by one format are numbers in another; a DBF numeric keeps 15 digits.
// Empty and null are the same absence.
func comparable(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(v, 'g', 12, 64)
	case bool:
		return strconv.FormatBool(v)
	case string:
		// XML and encoding/csv both read a CRLF inside a value as LF.
		s := strings.ReplaceAll(strings.TrimSpace(v), "\r\n", "\n")
		if m := isoDatePrefix.FindStringSubmatch(s); m != nil {
			return m[1] + "-" + m[2] + "-" + m[3]
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return strconv.FormatFloat(f, 'g', 12, 64)
		}
		return s
	}
	return fmt.Sprint(v)
}

// eastingsNorthingsCSV turns ogr2ogr's GEOMETRY=AS_XY output into the kind
// of spreadsheet a council exports (easting and northing columns first) and
// returns the National Grid position of every row, keyed as publishedByKey
// keys features.
func eastingsNorthingsCSV(t *testing.T, path string) ([]byte, map[string]orb.Point) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	entry := slices.Index(header, "ListEntry")
	if header[0] != "X" || header[1] != "Y" || entry < 0 {
		t.Fatalf("ogr2ogr CSV header %v: want X, Y first and a ListEntry column", header)
	}
	header[0], header[1] = "easting", "northing"
	grid := map[string]orb.Point{}
	seen := map[string]int{}
	for _, row := range rows[1:] {
		x, errX := strconv.ParseFloat(row[0], 64)
		y, errY := strconv.ParseFloat(row[1], 64)
		if errX != nil || errY != nil {
			t.Fatalf("ogr2ogr CSV row %v: coordinates are not numbers", row)
		}
		key := fmt.Sprintf("%s#%d", comparable(row[entry]), seen[row[entry]])
		seen[row[entry]]++
		grid[key] = orb.Point{x, y}
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return out.Bytes(), grid
}

// wfsFeatureCollection rewraps ogr2ogr's GML 3.2 as a WFS 2.0 GetFeature
// response: a wfs:FeatureCollection of wfs:member elements with the
// numberMatched/numberReturned/timeStamp attributes, and no collection-level
// gml:boundedBy (which the WFS 2.0 schema does not allow there), so the CRS
// has to come from the geometries' srsName as it does with GeoServer.
func wfsFeatureCollection(t *testing.T, ogrGML []byte, n int) []byte {
	t.Helper()
	s := string(ogrGML)
	open := strings.Index(s, "<ogr:FeatureCollection")
	end := strings.Index(s, "<ogr:featureMember>")
	if open < 0 || end < 0 || !strings.Contains(s, `xmlns:gml="http://www.opengis.net/gml/3.2"`) {
		t.Fatalf("ogr2ogr GML 3.2 output not as expected:\n%.600s", s)
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"`+
		` xmlns:ogr="http://ogr.maptools.org/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`+
		` numberMatched="%d" numberReturned="%d" timeStamp="2026-04-01T09:00:00Z">`+"\n  ", n, n)
	body := s[end:strings.LastIndex(s, "</ogr:FeatureCollection>")]
	body = strings.ReplaceAll(body, "<ogr:featureMember>", "<wfs:member>")
	body = strings.ReplaceAll(body, "</ogr:featureMember>", "</wfs:member>")
	b.WriteString(body)
	b.WriteString("</wfs:FeatureCollection>\n")
	if got := strings.Count(b.String(), "<wfs:member>"); got != n {
		t.Fatalf("WFS response has %d members, want %d", got, n)
	}
	return []byte(b.String())
}

// zipFiles zips a Shapefile's sidecar files (.shp, .shx, .dbf, .prj, .cpg).
func zipFiles(t *testing.T, dir string) []byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(readBytes(t, filepath.Join(dir, e.Name()))); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkPublishCSVPoints profiles the publishing path scripts/bench-publish
// times (upload, job, publish, OGC API index) on BENCH_POINTS generated
// National Grid points (default 200,000), in process so that
//
//	go test ./api/ -run '^$' -bench PublishCSVPoints -benchtime 1x -cpuprofile cpu.out
//
// sees every step.
func BenchmarkPublishCSVPoints(b *testing.B) {
	n := 200_000
	if s := os.Getenv("BENCH_POINTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	var file bytes.Buffer
	file.WriteString("asset_ref,kind,height_m,surveyed,easting,northing\n")
	for i := range n {
		fmt.Fprintf(&file, "NED-%d,%s,%.2f,2024-%02d-%02d,%.2f,%.2f\n", i+1, []string{"bench", "bin", "lamp column", "tree"}[i%4],
			0.5+float64(i%1500)/100, 1+i%12, 1+i%28, 200000+float64(i*7919%400000)+0.25, 100000+float64(i*104729%500000)+0.75)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := Prepare(ctx, st); err != nil {
		b.Fatal(err)
	}
	srv := startServer(b, Config{BodyLimit: 64 << 10}, st)
	hs := httptest.NewServer(srv.Echo)
	defer hs.Close()
	_, key, err := srv.app.Identity.CreateKey(ctx, audit.CLI, domain.RolePublisher, "neddc", "bench")
	if err != nil {
		b.Fatal(err)
	}
	call := func(method, path, contentType string, body io.Reader, out any) int {
		req, _ := http.NewRequest(method, hs.URL+path, body)
		req.Header.Set("Authorization", "Bearer "+key)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		if out != nil && res.StatusCode < 300 {
			if err := json.Unmarshal(raw, out); err != nil {
				b.Fatalf("%s %s: %v", method, path, err)
			}
		}
		return res.StatusCode
	}
	b.ResetTimer()
	for i := range b.N {
		var d datasetView
		call("POST", "/api/v1/datasets", "application/json", strings.NewReader(fmt.Sprintf(`{"title":"Street assets %d",
			"description":"Generated","contactPoint":{"name":"GIS","email":"gis@ne-derbyshire.gov.uk"},
			"inspire":{"topicCategories":["structure"],"inspireThemes":["us"]}}`, i)), &d)
		var acc uploadAccepted
		if s := call("POST", "/api/v1/datasets/"+d.ID+"/versions?filename=points.csv", "text/csv", bytes.NewReader(file.Bytes()), &acc); s != 202 {
			b.Fatalf("upload: %d", s)
		}
		for {
			var j opendata.Job
			call("GET", "/api/v1/jobs/"+acc.Job.ID, "", nil, &j)
			if j.State == opendata.JobFailed {
				b.Fatalf("job failed: %s", j.Error)
			}
			if j.Done() {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if s := call("PATCH", "/api/v1/datasets/"+d.ID, "application/json", strings.NewReader(`{"status":"published"}`), nil); s != 200 {
			b.Fatalf("publish: %d", s)
		}
		for {
			var page struct{ NumberMatched int }
			if call("GET", "/ogc/collections/"+d.Slug+"/items?limit=1&f=json", "", nil, &page) == 200 {
				if page.NumberMatched != n {
					b.Fatalf("numberMatched %d, want %d", page.NumberMatched, n)
				}
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

// TestSpatialPublishIndexMatchesRebuild: the OGC API index built by the
// upload job (used at publication) must equal the one built from the
// GeoJSON download at start-up, and the CSV written in the same pass must
// carry every property, including one that first appears late, and
// features without geometry.
func TestSpatialPublishIndexMatchesRebuild(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	d := ts.createDataset(pub, map[string]any{"title": "Community assets", "description": "Assets of community value",
		"inspire": map[string]any{"topicCategories": []string{"society"}, "inspireThemes": []string{"us"}}})
	v1 := `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"a","geometry":{"type":"Point","coordinates":[-1.47,53.3]},"properties":{"name":"Fish & Chips <Dronfield>","height":3.0}},
{"type":"Feature","id":"b","geometry":null,"properties":{"name":"No location yet","survey":{"by":"GIS","year":2024}}},
{"type":"Feature","id":"c","geometry":{"type":"Polygon","coordinates":[[[-1.5,53.2],[-1.4,53.2],[-1.4,53.3],[-1.5,53.2]]]},"properties":{"name":"Park","listed":true}}]}`
	if job := ts.publishUpload(pub, d.ID, "assets.geojson", []byte(v1), ""); job.State != opendata.JobSucceeded {
		t.Fatalf("v1: %+v", job)
	}
	if r := ts.do("PATCH", "/api/v1/datasets/"+d.ID, pub, `{"status":"published"}`); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	checkIndex := func(version, want int) {
		t.Helper()
		c, ok := ts.srv.app.OGC.Collection(context.Background(), d.Slug)
		if !ok || c.Features.Len() != want {
			t.Fatalf("v%d: collection %v with %d features, want %d", version, ok, c.Features.Len(), want)
		}
		rebuilt, err := ts.srv.app.OpenData.IndexFromDownload(context.Background(), d.ID, version)
		if err != nil {
			t.Fatal(err)
		}
		if rebuilt.ETag() != c.Features.ETag() {
			t.Errorf("v%d: index built while publishing differs from the one rebuilt from the download", version)
		}
	}
	checkIndex(1, 3)

	r := ts.do("GET", "/datasets/"+d.Slug+"/versions/1/data.csv", pub, nil)
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("CSV download (%v): %q", err, r.Body)
	}
	header := rows[0]
	if !slices.Equal(header[:2], []string{"id", "wkt"}) || len(header) != 6 {
		t.Fatalf("CSV header %v: want id, wkt and the 4 properties", header)
	}
	cell := func(row int, col string) string { return rows[row][slices.Index(header, col)] }
	if cell(1, "wkt") != "POINT(-1.47 53.3)" || cell(2, "wkt") != "" || !strings.HasPrefix(cell(3, "wkt"), "POLYGON((") {
		t.Errorf("CSV geometries: %v", rows)
	}
	if cell(1, "listed") != "" || cell(3, "listed") != "true" || cell(2, "survey") != `{"by":"GIS","year":2024}` || cell(1, "name") != "Fish & Chips <Dronfield>" {
		t.Errorf("CSV properties: %v", rows)
	}
	var v appod.VersionRecord
	ts.do("GET", "/api/v1/datasets/"+d.ID+"/versions/1", pub, nil).json(t, &v)
	for i, p := range v.Props {
		if header[i+2] != p.Name {
			t.Errorf("property %d is %q in the version, column %q in the CSV", i, p.Name, header[i+2])
		}
	}

	// A new version of a published dataset is served as soon as its job ends.
	v2 := strings.Replace(v1, `"id":"c"`, `"id":"c2"`, 1)
	v2 = strings.TrimSuffix(v2, "]}") + `,{"type":"Feature","id":"d","geometry":{"type":"Point","coordinates":[-1.4,53.25]},"properties":{"name":"Hall"}}]}`
	if job := ts.publishUpload(pub, d.ID, "assets.geojson", []byte(v2), ""); job.State != opendata.JobSucceeded {
		t.Fatalf("v2: %+v", job)
	}
	checkIndex(2, 4)
}
