// Package browsertest drives the pages in headless Chromium for tests, over
// the DevTools protocol (chromedp): fill and submit forms as a person
// would, at a desktop or a phone width, save screenshots as test artefacts,
// and run axe-core in the page to find accessibility failures.
//
// Tests skip without Chromium or axe-core, and fail instead when
// COUNCILAPI_REQUIRE_TOOLS=1 (CI), like every test of an external tool.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jointict/councilapi/internal/testref"
)

// Widths are the two the pages are tested at: a desktop and a small phone.
var Widths = []int{1280, 360}

// Browser is one headless Chromium tab with its own profile (cookies).
type Browser struct {
	t     testing.TB
	ctx   context.Context
	width int
	dir   string
	axe   string
}

// New starts Chromium for the test; it closes with the test.
func New(t testing.TB) *Browser {
	t.Helper()
	bin := testref.Tool(t, "chromium", "chromium")
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
		// This machine's closed network: no background connections.
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("hide-scrollbars", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser, whose life is that of the
	// context it runs in: this one, not a timeout of one call.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return &Browser{t: t, ctx: ctx, width: 1280, dir: ArtefactDir(t)}
}

// ArtefactDir is where a test's screenshots and accessibility reports go:
// $COUNCILAPI_ARTEFACTS/<test>, by default scripts/out/browser/<test>
// (git-ignored), so they outlive the test for people to look at.
func ArtefactDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv("COUNCILAPI_ARTEFACTS")
	if root == "" {
		root = filepath.Join(testref.ModuleRoot(t), "scripts", "out", "browser")
	}
	dir := filepath.Join(root, regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(t.Name(), "_"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Do runs actions in the tab, failing the test on an error or after 30 s.
func (b *Browser) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("chromium: %v (at %s)", err, b.Location())
	}
}

// Eval evaluates a script in the page (awaiting a promise) into T.
func Eval[T any](b *Browser, script string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("chromium: evaluating %.80q: %v", script, err)
	}
	return v
}

// TryEval is Eval for a page that may be navigating: an error (the page
// went away mid-evaluation) is ok=false, not a failure.
func TryEval[T any](b *Browser, script string) (v T, ok bool) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](script))
	return v, err == nil
}

// Location is the tab's URL.
func (b *Browser) Location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// WaitLocation waits until the tab's URL starts with prefix (after a form
// submission or redirects that no element marks).
func (b *Browser) WaitLocation(prefix string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.HasPrefix(b.Location(), prefix) {
		if time.Now().After(deadline) {
			b.t.Fatalf("chromium: still at %s, waiting for %s", b.Location(), prefix)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Do(chromedp.WaitReady(chromedp.CSS("body")))
}

// Text is the visible text of the first element matching a CSS selector.
func (b *Browser) Text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("chromium: text of %s: %v (at %s)", css, err, b.Location())
	}
	return strings.Join(strings.Fields(s), " ")
}

// Width sets the viewport to a desktop or, below 600 px, a phone (mobile
// emulation: the page's viewport meta tag applies, as on a phone).
func (b *Browser) Width(w int) {
	b.t.Helper()
	b.width = w
	if w < 600 {
		b.Do(chromedp.EmulateViewport(int64(w), 780, chromedp.EmulateMobile))
	} else {
		b.Do(chromedp.EmulateViewport(int64(w), 900))
	}
}

// Screenshot saves the whole page as <name>-<width>.png and returns its path.
func (b *Browser) Screenshot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("chromium: screenshot: %v", err)
	}
	path := filepath.Join(b.dir, fmt.Sprintf("%s-%d.png", name, b.width))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return path
}

// FitsWidth fails the test when the page is wider than the viewport (a
// phone would scroll sideways).
func (b *Browser) FitsWidth(name string) {
	b.t.Helper()
	w := Eval[[2]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if w[0] > w[1] {
		b.t.Errorf("%s at %dpx: the page is %dpx wide in a %dpx viewport (sideways scrolling)", name, b.width, w[0], w[1])
	}
}

// Violation is one axe-core rule a page breaks.
type Violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// Accessible runs axe-core (WCAG 2.2 A and AA rules and best practice) on
// the page, or on the part a CSS selector names, saves the report as
// <name>-<width>.axe.json, and fails the test for every serious or
// critical violation. It returns all violations found.
func (b *Browser) Accessible(name string, within ...string) []Violation {
	b.t.Helper()
	if b.axe == "" {
		b.axe = testref.Axe(b.t)
	}
	Eval[chromedp.Void](b, b.axe+"\n;undefined")
	ctx := "document"
	if len(within) > 0 {
		raw, _ := json.Marshal(within)
		ctx = "{include: " + string(raw) + "}"
	}
	vs := Eval[[]Violation](b, `axe.run(`+ctx+`, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`)
	report, _ := json.MarshalIndent(vs, "", "  ")
	_ = os.WriteFile(filepath.Join(b.dir, fmt.Sprintf("%s-%d.axe.json", name, b.width)), report, 0o644)
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Errorf("%s at %dpx: axe %s (%s): %s at %v", name, b.width, v.ID, v.Impact, v.Help, v.Nodes)
		} else {
			b.t.Logf("%s at %dpx: axe %s (%s): %s at %v", name, b.width, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	return vs
}
