// Package ocdstest validates OCDS output against the official OCDS 1.1
// JSON Schemas in ../shared/reference/ocds, for the tests of every package
// that publishes OCDS.
package ocdstest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/jointict/councilapi/internal/testref"
)

const base = "https://standard.open-contracting.org/schema/1__1__5/"

// Schemas compiles the release, release package and record package
// schemas (draft-04), or skips the test when ../shared is absent.
func Schemas(t testing.TB) *jsonschema.Compiler {
	t.Helper()
	dir := testref.Shared(t, "reference/ocds")
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	for _, f := range []string{"release-schema.json", "release-package-schema.json", "record-package-schema.json"} {
		fh, err := os.Open(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(base+f, doc); err != nil {
			t.Fatal(err)
		}
	}
	// The record package schema refers to the versioned release schema,
	// which is not in ../shared; records here carry no versionedRelease, so
	// an empty schema stands in for it.
	if err := c.AddResource(base+"versioned-release-validation-schema.json", map[string]any{}); err != nil {
		t.Fatal(err)
	}
	return c
}

// Check validates v (a value, or JSON bytes) against one of the schemas
// ("release-schema.json", "release-package-schema.json",
// "record-package-schema.json") and returns the validation error.
func Check(t testing.TB, c *jsonschema.Compiler, schema string, v any) error {
	t.Helper()
	sch, err := c.Compile(base + schema)
	if err != nil {
		t.Fatal(err)
	}
	b, ok := v.([]byte)
	if !ok {
		if b, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return sch.Validate(inst)
}

// Validate reports a test error when v does not validate.
func Validate(t testing.TB, c *jsonschema.Compiler, schema string, v any) {
	t.Helper()
	if err := Check(t, c, schema, v); err != nil {
		t.Errorf("%s invalid: %v", schema, err)
	}
}
