package api

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/internal/browsertest"
	"github.com/jointict/councilapi/store"
)

// journey drives the officers' and publishers' pages in one Chromium tab
// as a person would: sign in, open pages, fill in and submit forms; each
// page is screenshotted, checked by axe-core and for sideways scrolling.
type journey struct {
	t     *testing.T
	b     *browsertest.Browser
	ts    *testServer
	width int
}

func newJourney(t *testing.T, ts *testServer) *journey {
	t.Helper()
	return &journey{t: t, b: browsertest.New(t), ts: ts}
}

// at sets the viewport width for what follows.
func (j *journey) at(width int) {
	j.width = width
	j.b.Width(width)
}

// signIn signs in with key on the sign-in page and lands on next.
func (j *journey) signIn(key, next string) {
	j.t.Helper()
	j.b.Do(chromedp.Navigate(j.ts.URL+"/signin?next="+next), chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), key), chromedp.Click(chromedp.CSS("form.signin button")),
		chromedp.WaitVisible(chromedp.CSS(".account")))
	j.b.WaitLocation(j.ts.URL + next)
}

func (j *journey) signOut() {
	j.t.Helper()
	j.b.Do(chromedp.Click(chromedp.CSS(".account button")))
	j.b.WaitLocation(j.ts.URL + "/signin?signedout")
}

// open navigates to path and waits for the main content.
func (j *journey) open(path string) {
	j.t.Helper()
	j.b.Do(chromedp.Navigate(j.ts.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
}

// follow clicks the main content's link to href and waits for waitFor.
func (j *journey) follow(href, waitFor string) {
	j.t.Helper()
	j.b.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`main a[href=%q]`, href))), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// look screenshots the page, runs axe-core on it and checks it fits.
func (j *journey) look(name string) {
	j.t.Helper()
	j.b.Screenshot(name)
	j.b.Accessible(name)
	j.b.FitsWidth(name)
}

// fill sets inputs, selects and text areas by their name.
func (j *journey) fill(values map[string]string) {
	j.t.Helper()
	for name, v := range values {
		// A script, not chromedp.SetValue, which refuses an empty value.
		if !browsertest.Eval[bool](j.b, fmt.Sprintf(`(function (el) { if (!el) { return false; } el.value = %q; return el.value === %[1]q; })(document.querySelector(%q))`,
			v, fmt.Sprintf(`[name=%q]`, name))) {
			j.t.Fatalf("at %dpx no input %s takes %q (at %s)", j.width, name, v, j.b.Location())
		}
	}
}

// choose ticks the radio or checkbox of name with value.
func (j *journey) choose(name, value string) {
	j.t.Helper()
	sel := fmt.Sprintf(`input[name=%q][value=%q]`, name, value)
	if !browsertest.Eval[bool](j.b, fmt.Sprintf(`document.querySelector(%q).checked`, sel)) {
		j.b.Do(chromedp.Click(chromedp.CSS(sel)))
	}
}

// submit clicks the submit button of the form that holds the input
// named by (or of the first form of the main content) and waits for
// something only the next page has.
func (j *journey) submit(form, waitFor string) {
	j.t.Helper()
	j.b.Do(chromedp.Click(chromedp.CSS(form+` button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// text is the visible text of the first element matching css.
func (j *journey) text(css string) string {
	j.t.Helper()
	return j.b.Text(css)
}

// expect fails when the element's text lacks any of want.
func (j *journey) expect(css string, want ...string) {
	j.t.Helper()
	got := j.text(css)
	for _, w := range want {
		if !strings.Contains(got, w) {
			j.t.Errorf("at %dpx %s says %q; want %q in it (at %s)", j.width, css, got, w, j.b.Location())
		}
	}
}

// value is an input's current value.
func (j *journey) value(name string) string {
	j.t.Helper()
	return browsertest.Eval[string](j.b, fmt.Sprintf(`document.querySelector('[name=%q]').value`, name))
}

// heldJobs is a store whose upload jobs wait to be claimed until the test
// releases them, so a page can be seen while its upload is queued.
type heldJobs struct {
	store.Store
	mu   sync.Mutex
	gate chan struct{}
}

// hold makes the next claims wait; release lets them through.
func (s *heldJobs) hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate = make(chan struct{})
}

func (s *heldJobs) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gate != nil {
		close(s.gate)
		s.gate = nil
	}
}

func (s *heldJobs) Update(ctx context.Context, coll, id string, expected int64, data any) (store.Record, error) {
	if coll == appod.CollJobs {
		s.mu.Lock()
		gate := s.gate
		s.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-ctx.Done():
				return store.Record{}, ctx.Err()
			}
		}
	}
	return s.Store.Update(ctx, coll, id, expected, data)
}
