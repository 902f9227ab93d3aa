package api

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/internal/testref"
)

// loadInChromium opens a page in headless Chromium and returns the DOM after
// its scripts ran and the console messages, where Chromium reports every
// Content-Security-Policy violation.
func loadInChromium(t *testing.T, url string) (dom, console string) {
	t.Helper()
	chromium, args := testref.Chromium(t, 5000, "--enable-logging=stderr", "--v=0")
	var stderr bytes.Buffer
	cmd := exec.Command(chromium, append(args, "--dump-dom", url)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	var msgs []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, ":CONSOLE") {
			msgs = append(msgs, line)
		}
	}
	return string(out), strings.Join(msgs, "\n")
}

// TestPagesRenderUnderTheirPolicyInChromium loads a page of every kind in
// Chromium: none may break the policy (the console names any inline script,
// style or foreign load it blocked), and each must have rendered what its
// scripts and styles make.
func TestPagesRenderUnderTheirPolicyInChromium(t *testing.T) {
	testref.Tool(t, "chromium", "chromium")
	f := newPostureFixture(t, Config{})
	for _, tc := range []struct{ path, want string }{
		{"/datasets/" + f.spatial.Slug, "leaflet-container"}, // map.js fetched the features from the OGC API
		{"/ogc/collections/" + f.spatial.Slug + "/items?f=html", "leaflet-interactive"},
		{"/ogc/collections/" + f.spatial.Slug + "/items/" + f.featureID + "?f=html", "leaflet-interactive"},
		{"/", "Grit bins"},
		{"/api/v1/comparisons/" + f.comparison + "/report", "Key Decision"},
		{"/api/v1/comparisons/" + f.comparison + "/chart.svg", "<svg"},
		{"/api/v1/procurement-register.html", "Register of joint procurements"},
		{"/docs/", "opblock-tag"}, // Swagger UI rendered the operations
	} {
		dom, console := loadInChromium(t, f.ts.URL+tc.path)
		if strings.Contains(console, "Content Security Policy") || strings.Contains(console, "Refused to") {
			t.Errorf("%s breaks its policy:\n%s", tc.path, console)
		}
		if !strings.Contains(dom, tc.want) {
			t.Errorf("%s did not render %q; DOM starts:\n%.1500s", tc.path, tc.want, dom)
		}
	}
}

// TestBasemapIsOffByDefaultAndAllowedOnlyWhereConfigured: without a
// basemap no page names a tile host and the policy allows images from this
// server only; with one, both maps carry its template and attribution, the
// policy allows exactly its host, and Chromium draws its tiles under the
// features without a violation.
func TestBasemapIsOffByDefaultAndAllowedOnlyWhereConfigured(t *testing.T) {
	off := newPostureFixture(t, Config{})
	pages := []string{"/datasets/" + off.spatial.Slug, "/ogc/collections/" + off.spatial.Slug + "/items?f=html"}
	for _, p := range pages {
		r := off.ts.do("GET", p, "", nil, "Accept", browserAccept)
		if strings.Contains(string(r.Body), "data-tiles") {
			t.Errorf("%s has a basemap though none is configured", p)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data:;") {
			t.Errorf("%s: img-src allows more than this server: %q", p, csp)
		}
	}

	var tileRequests atomic.Int64
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tileRequests.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(onePixelPNG)
	}))
	t.Cleanup(tiles.Close)
	basemap, err := ogc.NewBasemap(tiles.URL+"/{z}/{x}/{y}.png", `Tiles © Example <b>Maps</b>`)
	if err != nil {
		t.Fatal(err)
	}
	on := newPostureFixture(t, Config{Basemap: basemap})
	for _, p := range []string{"/datasets/" + on.spatial.Slug, "/ogc/collections/" + on.spatial.Slug + "/items?f=html"} {
		r := on.ts.do("GET", p, "", nil, "Accept", browserAccept)
		body := string(r.Body)
		if !strings.Contains(body, `data-tiles="`+tiles.URL+`/{z}/{x}/{y}.png"`) || !strings.Contains(body, `data-attribution="Tiles © Example &lt;b&gt;Maps&lt;/b&gt;"`) {
			t.Errorf("%s does not carry the basemap:\n%s", p, body)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: "+tiles.URL+";") {
			t.Errorf("%s: img-src does not allow exactly the tile host %s: %q", p, tiles.URL, csp)
		}
	}
	if testref.Required() || hasChromium() {
		for _, p := range pages {
			p = strings.Replace(p, off.spatial.Slug, on.spatial.Slug, 1)
			before := tileRequests.Load()
			dom, console := loadInChromium(t, on.ts.URL+p)
			if strings.Contains(console, "Content Security Policy") {
				t.Errorf("%s: the basemap breaks the policy:\n%s", p, console)
			}
			if !strings.Contains(dom, "leaflet-tile") || tileRequests.Load() == before {
				t.Errorf("%s: Chromium loaded no tiles (%d requests); DOM starts:\n%.1500s", p, tileRequests.Load()-before, dom)
			}
			// The attribution is shown as text, its markup escaped.
			if !strings.Contains(dom, "Tiles © Example &lt;b&gt;Maps&lt;/b&gt;") {
				t.Errorf("%s: the attribution is not shown as text; DOM starts:\n%.3000s", p, dom)
			}
		}
	}
}

func hasChromium() bool {
	_, err := exec.LookPath("chromium")
	return err == nil
}

// onePixelPNG is a 1×1 grey PNG, a tile for the test tile server.
var onePixelPNG = func() []byte {
	img := image.NewGray(image.Rect(0, 0, 1, 1))
	img.Pix[0] = 0xcc
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err)
	}
	return b.Bytes()
}()
