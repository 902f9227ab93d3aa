package api

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

// TestSwaggerUIRendersInChromium loads /docs in headless Chromium and checks
// that Swagger UI rendered our operations from /openapi.json, which proves
// the OpenAPI 3.1 document is one Swagger UI can display. A screenshot is left
// in the test's temp dir (COUNCILAPI_KEEP_SCREENSHOT=path copies it) to look at.
func TestSwaggerUIRendersInChromium(t *testing.T) {
	chromium, args := testref.Chromium(t, 15000)
	ts := newTestServer(t)
	out, err := exec.Command(chromium, append(args, "--dump-dom", ts.URL+"/docs/")...).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	for _, want := range []string{"opblock-tag", "/api/v1/organisations", "councilapi", "OAS 3.1"} {
		if !strings.Contains(dom, want) {
			t.Fatalf("Swagger UI did not render %q; DOM starts:\n%.2000s", want, dom)
		}
	}
	shot := filepath.Join(t.TempDir(), "docs.png")
	cmd := exec.Command(chromium, append(args, "--window-size=1280,1600", "--screenshot="+shot, ts.URL+"/docs/")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if keep := os.Getenv("COUNCILAPI_KEEP_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(keep, b, 0o644)
	}
}
