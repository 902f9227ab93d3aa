package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

// measureScript records, after layout, how wide the document is against the
// viewport; the test injects it so the pages themselves carry no script.
const measureScript = `<script>addEventListener("load", function () {
  var d = document.documentElement;
  d.setAttribute("data-scroll-width", d.scrollWidth);
  d.setAttribute("data-viewport-width", window.innerWidth);
});</script>`

// TestPagesFitAPhoneInChromium renders the pages at 360 CSS pixels wide in
// headless Chromium and checks nothing makes the document wider than the
// viewport (no horizontal scrolling on a phone). With
// COUNCILAPI_PAGES_SCREENSHOTS=dir it also leaves 1280px and 360px
// screenshots there to look at.
func TestPagesFitAPhoneInChromium(t *testing.T) {
	chromium := testref.Tool(t, "chromium", "chromium")
	f := newPagesFixture(t)
	target, _ := url.Parse(f.ts.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	// A proxy in front of the server adds the measuring script to pages.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("measure") == "" {
			proxy.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		q.Del("measure")
		req, _ := http.NewRequest("GET", f.ts.URL+r.URL.Path+queryString(q), nil)
		req.Header.Set("Accept", r.Header.Get("Accept"))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(res.StatusCode)
		io.WriteString(w, strings.Replace(string(b), "</body>", measureScript+"</body>", 1))
	}))
	t.Cleanup(front.Close)
	_, args := testref.Chromium(t, 5000, "--hide-scrollbars")
	widths := regexp.MustCompile(`data-scroll-width="(\d+)" data-viewport-width="(\d+)"`)
	pages := map[string]string{"home": "/", "search": "/datasets?format=csv", "tabular": "/datasets/" + f.spend.Slug,
		"spatial": "/datasets/" + f.toilets.Slug, "organisation": "/organisations/bdc", "escaped": "/datasets/" + f.xss.Slug,
		"notfound": "/datasets/no-such-dataset", "badquery": "/datasets?licence=mine&colour=red"}
	for name, path := range pages {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		out, err := exec.Command(chromium, append(args, "--window-size=360,800", "--dump-dom", front.URL+path+sep+"measure=1")...).Output()
		if err != nil {
			t.Fatalf("chromium %s: %v", name, err)
		}
		m := widths.FindStringSubmatch(string(out))
		if m == nil {
			t.Fatalf("%s: the measuring script did not run; DOM starts:\n%.1500s", name, out)
		}
		if name == "spatial" && !strings.Contains(string(out), "leaflet-container") {
			t.Errorf("spatial page: Leaflet did not replace the static map; DOM:\n%.3000s", out)
		}
		if m[1] != m[2] {
			t.Errorf("%s at 360px: document is %spx wide in a %spx viewport (horizontal scrolling)", name, m[1], m[2])
		}
	}
	dir := os.Getenv("COUNCILAPI_PAGES_SCREENSHOTS")
	if dir == "" {
		return
	}
	for name, path := range pages {
		for _, size := range []string{"1280,1800", "360,2400"} {
			shot := filepath.Join(dir, name+"-"+strings.Split(size, ",")[0]+".png")
			cmd := exec.Command(chromium, append(args, "--window-size="+size, "--screenshot="+shot, f.ts.URL+path)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("screenshot: %v\n%s", err, out)
			}
		}
	}
}
