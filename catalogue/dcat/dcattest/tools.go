package dcattest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

// Isomorphic parses each file with python3-rdflib (format names as rdflib
// knows them: "turtle", "json-ld", "xml") and fails unless all describe the
// same graph, up to blank node labels. It returns the number of triples.
func Isomorphic(t *testing.T, files, formats []string) int {
	t.Helper()
	py := testref.PythonModule(t, "rdflib", "python3-rdflib")
	script := `
import sys, rdflib
from rdflib.compare import isomorphic, to_isomorphic, graph_diff
g = [rdflib.Graph().parse(p, format=f) for p, f in zip(sys.argv[1::2], sys.argv[2::2])]
print(len(g[0]))
for other in g[1:]:
    if len(other) != len(g[0]) or not isomorphic(g[0], other):
        _, a, b = graph_diff(to_isomorphic(g[0]), to_isomorphic(other))
        print("only in first:", sorted(a)[:5], "only in other:", sorted(b)[:5])
        sys.exit(1)
`
	args := []string{"-c", script}
	for i := range files {
		args = append(args, files[i], formats[i])
	}
	out, err := exec.Command(py, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("rdflib: the serialisations differ or do not parse: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	n, _ := strconv.Atoi(lines[len(lines)-1])
	if n == 0 {
		t.Fatalf("rdflib parsed no triples: %s", out)
	}
	return n
}

var countRe = regexp.MustCompile(`violations=(\d+)`)

// SHACL211 validates data (Turtle, JSON-LD or RDF/XML by extension) against
// the DCAT-AP 2.1.1 shapes, range and vocabulary shapes in ../shared with
// ../shared/conformance/shacl.mjs and fails on any violation. CI sets
// COUNCILAPI_SHACL to an installed shacl.mjs; otherwise scripts/shacl-setup
// installs one under .ci/tmp/shacl, and without either the test skips.
func SHACL211(t *testing.T, data string) {
	t.Helper()
	dir := testref.Shared(t, "reference/dcat-ap")
	shacl(t, data, filepath.Join(dir, "dcat-ap_2.1.1_shacl_shapes.ttl"),
		filepath.Join(dir, "dcat-ap_2.1.1_shacl_range.ttl"),
		filepath.Join(dir, "dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl"))
}

// SHACL300 is SHACL211 against the DCAT-AP 3.0.0 shapes.
func SHACL300(t *testing.T, data string) {
	t.Helper()
	shacl(t, data, filepath.Join(testref.Shared(t, "reference/dcat-ap"), "dcat-ap_3.0.0_shacl.ttl"))
}

func shacl(t *testing.T, data string, shapes ...string) {
	t.Helper()
	node := testref.Tool(t, "node", "nodejs")
	script := os.Getenv("COUNCILAPI_SHACL")
	if script == "" {
		script = filepath.Join(testref.ModuleRoot(t), ".ci", "tmp", "shacl", "shacl.mjs")
		if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "rdf-validate-shacl")); err != nil {
			if testref.Required() {
				t.Fatal("COUNCILAPI_SHACL is unset and scripts/shacl-setup has not been run")
			}
			t.Skip("SHACL validator not installed: run scripts/shacl-setup (or set COUNCILAPI_SHACL)")
		}
	}
	out, _ := exec.Command(node, append(append([]string{script}, shapes...), "--", data)...).CombinedOutput()
	m := countRe.FindSubmatch(out)
	if m == nil {
		t.Fatalf("the SHACL validator did not run on %s:\n%s", filepath.Base(data), out)
	}
	total, _ := strconv.Atoi(string(m[1]))
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "- ") {
			t.Errorf("SHACL violation in %s: %s", filepath.Base(data), l)
		}
	}
	if total != 0 {
		t.Errorf("%s: %d violations, want 0", filepath.Base(data), total)
	}
	t.Logf("%s: %s", filepath.Base(data), strings.TrimSpace(string(m[0])))
}

// POD11 validates data.json documents against the Project Open Data 1.1
// JSON Schemas in ../shared (draft-04, with python3-jsonschema) and fails on
// any error. bureauCode and programCode are dropped from the dataset
// schema's required members: they are US federal agency codes, which
// councils do not have (see package datajson).
func POD11(t *testing.T, files ...string) {
	t.Helper()
	dir := testref.Shared(t, "reference/pod-1.1")
	py := testref.PythonModule(t, "jsonschema", "python3-jsonschema")
	script := `
import json, os, sys
from jsonschema import Draft4Validator, RefResolver
schemas = {}
for f in os.listdir(sys.argv[1]):
    if f.endswith('.json'):
        s = json.load(open(os.path.join(sys.argv[1], f)))
        schemas[s['id'].rstrip('#')] = s
base = 'https://project-open-data.cio.gov/v1.1/schema/'
ds = schemas[base + 'dataset.json']
ds['required'] = [r for r in ds['required'] if r not in ('bureauCode', 'programCode')]
store = {}
for k, v in schemas.items():
    store[k] = v
    store[k + '#'] = v
cat = schemas[base + 'catalog.json']
v = Draft4Validator(cat, resolver=RefResolver(base_uri=base + 'catalog.json', referrer=cat, store=store))
n = 0
for p in sys.argv[2:]:
    for e in v.iter_errors(json.load(open(p))):
        best = e
        while best.context:
            best = sorted(best.context, key=lambda x: len(x.path))[-1]
        n += 1
        if n <= 20:
            print('- %s %s: %s' % (os.path.basename(p), '/'.join(str(x) for x in best.absolute_path), best.message[:200]))
print('errors=%d' % n)
`
	out, _ := exec.Command(py, append([]string{"-W", "ignore", "-c", script, dir}, files...)...).CombinedOutput()
	m := regexp.MustCompile(`errors=(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("the POD 1.1 validator did not run:\n%s", out)
	}
	if string(m[1]) != "0" {
		t.Errorf("data.json fails the Project Open Data 1.1 schema (%s errors):\n%s", m[1], out)
	}
}
