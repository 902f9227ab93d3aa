package api

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/jointict/councilapi/internal/testref"
)

// kin-openapi validates against the OGC fragments as published: OpenAPI 3.0
// YAML with nullable and cross-file references, which a plain JSON Schema
// validator would need converting first; and it validates our generated
// /api document with the same library.
func loadOGCSchemas(t *testing.T) (part1, part2 openapi3.Schemas) {
	t.Helper()
	dir := testref.Shared(t, "reference/ogcapi-features")
	const remote = "http://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/"
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		// Part 2 refers to Part 1 on schemas.opengis.net: read the local copy.
		s := u.String()
		if rest, ok := strings.CutPrefix(s, remote); ok {
			return os.ReadFile(filepath.Join(dir, "part1", rest))
		}
		return os.ReadFile(filepath.FromSlash(u.Path))
	}
	var docs [2]*openapi3.T
	for i, f := range []string{"part1/ogcapi-features-1.yaml", "part2/ogcapi-features-2.yaml"} {
		doc, err := loader.LoadFromFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		docs[i] = doc
	}
	return docs[0].Components.Schemas, docs[1].Components.Schemas
}

func TestOGCResponsesValidateAgainstOGCSchemas(t *testing.T) {
	part1, part2 := loadOGCSchemas(t)
	ts, _ := newOGCServer(t)
	for _, tc := range []struct {
		path   string
		schema *openapi3.SchemaRef
	}{
		{"/ogc", part1["landingPage"]},
		{"/ogc/conformance", part1["confClasses"]},
		{"/ogc/collections", part2["collections"]},
		{"/ogc/collections/trees", part2["collection"]},
		{"/ogc/collections/listed-buildings", part1["collection"]},
		{"/ogc/collections/trees/items?limit=50", part1["featureCollectionGeoJSON"]},
		{"/ogc/collections/listed-buildings/items?limit=300&crs=EPSG:27700", part1["featureCollectionGeoJSON"]},
		{"/ogc/collections/trees/items/T06522", part1["featureGeoJSON"]},
	} {
		if tc.schema == nil || tc.schema.Value == nil {
			t.Fatalf("%s: schema not loaded", tc.path)
		}
		r := ts.do("GET", tc.path, "", nil)
		var v any
		r.json(t, &v)
		if err := tc.schema.Value.VisitJSON(v); err != nil {
			t.Errorf("%s does not validate: %v", tc.path, err)
		}
	}
	var c map[string]any
	ts.do("GET", "/ogc/collections/trees", "", nil).json(t, &c)
	if c["storageCrs"] != "http://www.opengis.net/def/crs/EPSG/0/27700" {
		t.Errorf("storageCrs %v", c["storageCrs"])
	}

	raw := ts.do("GET", "/ogc/api", "", nil).Body
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("generated OpenAPI document is invalid: %v", err)
	}
}

func TestOGCGDALReadsEveryFeature(t *testing.T) {
	ogrinfo := testref.Tool(t, "ogrinfo", "gdal-bin")
	ogr2ogr := testref.Tool(t, "ogr2ogr", "gdal-bin")
	ts, _ := newOGCServer(t)
	src := "OAPIF:" + ts.URL + "/ogc"
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-so", src).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	for _, want := range []string{"Layer name: trees", "Feature Count: 15638", "Layer name: listed-buildings", "Feature Count: 265"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("ogrinfo output lacks %q:\n%s", want, out)
		}
	}
	dst := filepath.Join(t.TempDir(), "out.json")
	if out, err := exec.Command(ogr2ogr, "-f", "GeoJSON", dst, src, "trees").CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct{ Properties map[string]any }
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatal(err)
	}
	ids := map[any]bool{}
	for _, f := range fc.Features {
		ids[f.Properties["treeID"]] = true
	}
	if len(fc.Features) != 15638 || len(ids) != 15638 {
		t.Fatalf("ogr2ogr wrote %d features, %d distinct trees; want 15638", len(fc.Features), len(ids))
	}
}

func TestOGCOWSLibListsAndPages(t *testing.T) {
	py := testref.PythonModule(t, "owslib", "python3-owslib")
	ts, _ := newOGCServer(t)
	script := `
import sys
from owslib.ogcapi.features import Features
w = Features(sys.argv[1])
ids = sorted(c["id"] for c in w.collections()["collections"])
print("collections", ",".join(ids))
seen, offset = set(), 0
while True:
    page = w.collection_items("listed-buildings", limit=100, offset=offset)
    for f in page["features"]:
        seen.add(f["id"])
    if page["numberReturned"] < 100:
        break
    offset += 100
print("items", len(seen), page["numberMatched"])
`
	out, err := exec.Command(py, "-c", script, ts.URL+"/ogc").CombinedOutput()
	if err != nil {
		t.Fatalf("owslib: %v\n%s", err, out)
	}
	got := string(out)
	if !strings.Contains(got, "collections listed-buildings,trees") || !strings.Contains(got, "items 265 265") {
		t.Fatalf("owslib output:\n%s", got)
	}
}
