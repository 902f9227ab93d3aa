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
	out, _ := exec.Command(node, script,
		filepath.Join(dir, "dcat-ap_2.1.1_shacl_shapes.ttl"),
		filepath.Join(dir, "dcat-ap_2.1.1_shacl_range.ttl"),
		filepath.Join(dir, "dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl"),
		"--", data).CombinedOutput()
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
