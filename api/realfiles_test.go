package api

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/internal/geomtest"
	"github.com/jointict/councilapi/internal/testref"
)

// These tests publish the kind of file a council's INSPIRE download service
// really writes (WFS 2.0 GML 3.2, EPSG:4258 latitude/longitude, every
// feature carrying the layer name as its gml:id, a MultiSurface with a
// zero-area sliver member) through the API, and read the collection back
// with GDAL's OGC API client, comparing with GDAL's own reading of the file
// after the same repairs (ogr2ogr -makevalid).

func traffordConservationAreas(t *testing.T) []geomtest.Named {
	t.Helper()
	areas := geomtest.TraffordConservationAreas(t)
	if len(areas) < 12 {
		t.Fatalf("only %d conservation areas in the shared data", len(areas))
	}
	return areas[:12]
}

// councilWFS writes features as a GeoServer-style WFS 2.0 response with
// the given srsName, positions latitude first, every gml:id the same, and a
// collapsed sliver (four positions on one point) added to feature 2.
func councilWFS(features []geomtest.Named, srsName string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ps="http://inspire.ec.europa.eu/schemas/ps/4.0" numberMatched="unknown" numberReturned="` + fmt.Sprint(len(features)) + `">`)
	pos := func(r orb.Ring) string {
		parts := make([]string, len(r))
		for i, p := range r {
			parts[i] = fmt.Sprintf("%.12f %.12f", p[1], p[0])
		}
		return strings.Join(parts, " ")
	}
	for i, f := range features {
		var polys []orb.Polygon
		switch g := f.Geom.(type) {
		case orb.Polygon:
			polys = []orb.Polygon{g}
		case orb.MultiPolygon:
			polys = g
		}
		if i == 2 {
			p := polys[0][0][0]
			polys = append(polys, orb.Polygon{orb.Ring{p, p, p, p}})
		}
		fmt.Fprintf(&b, `<wfs:member><ps:ProtectedSite gml:id="ProtectedSite"><ps:siteName>%s</ps:siteName><ps:geometry><gml:MultiSurface srsName="%s">`, f.Name, srsName)
		for _, poly := range polys {
			b.WriteString(`<gml:surfaceMember><gml:Polygon>`)
			for k, ring := range poly {
				tag := "interior"
				if k == 0 {
					tag = "exterior"
				}
				fmt.Fprintf(&b, `<gml:%s><gml:LinearRing><gml:posList>%s</gml:posList></gml:LinearRing></gml:%s>`, tag, pos(ring), tag)
			}
			b.WriteString(`</gml:Polygon></gml:surfaceMember>`)
		}
		b.WriteString(`</gml:MultiSurface></ps:geometry></ps:ProtectedSite></wfs:member>`)
	}
	b.WriteString(`</wfs:FeatureCollection>`)
	return []byte(b.String())
}

func TestCouncilWFSExportPublishesWithEveryRepairReported(t *testing.T) {
	ogr2ogr := testref.Tool(t, "ogr2ogr", "gdal-bin")
	areas := traffordConservationAreas(t)
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	gml := councilWFS(areas, "urn:ogc:def:crs:EPSG::4258")
	d := ts.createDataset(pub, spatialMetadata("Conservation areas", "ps", "environment"))
	job := ts.publishUpload(pub, d.ID, "conservation-areas.gml", gml, "")
	if job.State != opendata.JobSucceeded {
		t.Fatalf("job %s: %s %+v", job.State, job.Error, job.Report)
	}
	var sawIDs, sawSliver bool
	for _, p := range job.Report.Problems {
		sawIDs = sawIDs || p.Column == "id" && strings.Contains(p.Message, "ProtectedSite")
		sawSliver = sawSliver || p.Row == 3 && strings.Contains(p.Message, "dropped polygon 1") && strings.Contains(p.Message, "zero area")
	}
	if !sawIDs || !sawSliver {
		t.Errorf("the report must name the repeated gml:id rule and the sliver dropped from feature 3: %+v", job.Report.Problems)
	}
	if job.Counts.Warnings != job.Report.Warnings || int(job.Report.Warnings) != len(job.Report.Problems) {
		t.Errorf("counts.warnings %d, report.warnings %d, %d problems listed", job.Counts.Warnings, job.Report.Warnings, len(job.Report.Problems))
	}
	if r := ts.do("PATCH", "/api/v1/datasets/"+d.ID, pub, `{"status":"published"}`); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}

	// Coordinates keep 8 decimal places of a degree (about a millimetre).
	download := ts.do("GET", "/datasets/"+d.Slug+"/latest.geojson", "", nil).Body
	if long := regexp.MustCompile(`-?\d+\.\d{9,}`).Find(download); long != nil {
		t.Errorf("the GeoJSON download has a coordinate with more than 8 decimals: %s", long)
	}
	if !regexp.MustCompile(`-2\.\d{6,8}[,\]]`).Match(download) {
		t.Errorf("the GeoJSON download has no coordinate to 6-8 decimals: %.300s", download)
	}

	// What GDAL reads from the OGC API equals GDAL's own reading of the file
	// after the same repairs.
	src := filepath.Join(t.TempDir(), "areas.gml")
	if err := os.WriteFile(src, gml, 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string]orb.Geometry{}
	for _, f := range geomtest.OGR(t, src, "-makevalid") {
		want[fmt.Sprint(f.Properties["siteName"])] = f.Geometry
	}
	got := filepath.Join(t.TempDir(), "oapif.geojson")
	if out, err := exec.Command(ogr2ogr, "-f", "GeoJSON", "-lco", "COORDINATE_PRECISION=15", got,
		"OAPIF:"+ts.URL+"/ogc/collections/"+d.Slug).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr OAPIF: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(got)
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != len(areas) {
		t.Fatalf("GDAL read %d features from the OGC API, want %d", len(fc.Features), len(areas))
	}
	for _, f := range fc.Features {
		name := fmt.Sprint(f.Properties["siteName"])
		w, ok := want[name]
		if !ok {
			t.Fatalf("feature %q is not in the file", name)
		}
		if diff := geomtest.Diff(orb.MultiPolygon(geomtest.Polygons(f.Geometry)), orb.MultiPolygon(geomtest.Polygons(w)), 1e-6); diff != "" {
			t.Errorf("%s: published geometry differs from GDAL's -makevalid reading: %s", name, diff)
		}
		if b := f.Geometry.Bound(); b.Min[0] < -2.6 || b.Max[0] > -2.1 || b.Min[1] < 53.3 || b.Max[1] > 53.5 {
			t.Errorf("%s is at %v, not in Trafford", name, b)
		}
	}
}

// TestAxisSwappedExportStopsUntilTheOrderIsConfirmed: the same file whose
// srsName says EPSG:4258 (read longitude first, as GDAL does) but whose
// positions are still latitude first lands off Somalia; the job stops
// before publishing and names the parameter that confirms the order, and
// uploading again with it publishes in Trafford.
func TestAxisSwappedExportStopsUntilTheOrderIsConfirmed(t *testing.T) {
	areas := traffordConservationAreas(t)
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	gml := councilWFS(areas, "EPSG:4258")
	d := ts.createDataset(pub, spatialMetadata("Conservation areas", "ps", "environment"))
	job := ts.publishUpload(pub, d.ID, "conservation-areas.gml", gml, "")
	if job.State != opendata.JobFailed || !strings.Contains(job.Error, "axisOrder=latlon") {
		t.Fatalf("an axis-swapped file: job %s %q, want failed naming axisOrder=latlon", job.State, job.Error)
	}
	var v datasetView
	ts.do("GET", "/api/v1/datasets/"+d.ID, pub, nil).json(t, &v)
	if v.CurrentVersion != 0 {
		t.Fatalf("the refused file became version %d", v.CurrentVersion)
	}
	job = ts.publishUpload(pub, d.ID, "conservation-areas.gml", gml, "?axisOrder=latlon")
	if job.State != opendata.JobSucceeded {
		t.Fatalf("with axisOrder=latlon: %s %q", job.State, job.Error)
	}
	ts.do("GET", "/api/v1/datasets/"+d.ID, pub, nil).json(t, &v)
	if b := v.Spatial.BBox; b == nil || b.MinX < -2.6 || b.MaxX > -2.1 || b.MinY < 53.3 || b.MaxY > 53.5 {
		t.Fatalf("published extent %+v is not Trafford's", v.Spatial.BBox)
	}
}
