package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/browsertest"
	"github.com/jointict/councilapi/internal/testref"
)

// TestSignInInChromium signs in with an API key and through the test
// OpenID Connect provider in headless Chromium, at a desktop and a phone
// width: the sign-in page, the signed-in home page with its header, and
// sign-out, each screenshotted and checked by axe-core.
func TestSignInInChromium(t *testing.T) {
	testref.Axe(t) // skip before starting anything without it
	ts, prov := newOIDCServer(t)
	_, key, err := ts.srv.app.Identity.CreateKey(context.Background(), audit.CLI, domain.RoleOfficer, "bdc", "Sam Patel (procurement)")
	if err != nil {
		t.Fatal(err)
	}
	prov.SignInAs(joBloggs)
	b := browsertest.New(t)
	for _, w := range browsertest.Widths {
		b.Width(w)
		b.Do(chromedp.Navigate(ts.URL + "/"))
		if h := b.Text(".jobs"); !strings.Contains(h, "Sourcing") || !strings.Contains(h, "Joint procurement") || !strings.Contains(h, "Council staff") {
			t.Errorf("at %dpx the anonymous home page does not lead to the staff's jobs: %q", w, h)
		}
		b.Screenshot("home-anonymous")
		b.Accessible("home-anonymous")

		b.Do(chromedp.Click(chromedp.CSS(`.site-header a[href="/signin"]`)), chromedp.WaitVisible(chromedp.CSS("#key")))
		b.Screenshot("signin")
		b.Accessible("signin")
		b.FitsWidth("sign-in page")

		// A mistyped key: the error summary and the field say so.
		b.Do(chromedp.SendKeys(chromedp.CSS("#key"), "cak_notakey"), chromedp.Click(chromedp.CSS("form.signin button")),
			chromedp.WaitVisible(chromedp.CSS(".error-summary")))
		if e := b.Text("#key-error"); !strings.Contains(e, "This API key is not known") {
			t.Errorf("at %dpx the key error says %q", w, e)
		}
		b.Screenshot("signin-error")
		b.Accessible("signin-error")

		// The key.
		b.Do(chromedp.SendKeys(chromedp.CSS("#key"), key), chromedp.Click(chromedp.CSS("form.signin button")),
			chromedp.WaitVisible(chromedp.CSS(".account")))
		if who := b.Text(".account"); !strings.Contains(who, "Signed in as Sam Patel (procurement)") || !strings.Contains(who, "Officer, Bolsover District Council") {
			t.Errorf("at %dpx the header says %q", w, who)
		}
		if nav := b.Text(`.site-header nav`); !strings.Contains(nav, "Sourcing") || !strings.Contains(nav, "Joint procurement") || strings.Contains(nav, "Sign in") {
			t.Errorf("at %dpx the signed-in navigation is %q", w, nav)
		}
		b.Screenshot("home-signed-in")
		b.Accessible("home-signed-in")
		b.Accessible("header", ".site-header")
		b.FitsWidth("signed-in home page")

		b.Do(chromedp.Click(chromedp.CSS(".account button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
		if n := b.Text(".notice"); !strings.Contains(n, "You have signed out.") {
			t.Errorf("at %dpx after sign-out: %q", w, n)
		}

		// The council's identity provider.
		b.Do(chromedp.Click(chromedp.CSS("a.button")), chromedp.WaitVisible(chromedp.CSS(".account")))
		if who := b.Text(".account"); !strings.Contains(who, "Signed in as Jo Bloggs") {
			t.Errorf("at %dpx after OpenID Connect sign-in the header says %q", w, who)
		}
		b.Screenshot("home-oidc")
		b.Accessible("home-oidc")
		b.Do(chromedp.Click(chromedp.CSS(".account button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
		if n := b.Text(".notice"); !strings.Contains(n, "Sign out of your council Microsoft account too") {
			t.Errorf("at %dpx after OpenID Connect sign-out: %q", w, n)
		}
		b.Screenshot("signed-out-oidc")
		b.Accessible("signed-out-oidc")
	}
	var created, ended int
	for _, e := range auditOf(t, ts.Store, identity.CollSessions) {
		switch e.Action {
		case "session.create":
			created++
		case "session.end":
			ended++
		}
	}
	if created != 4 || ended != 4 || sessionCount(t, ts.Store) != 0 {
		t.Fatalf("audit: %d sign-ins, %d sign-outs, %d sessions left; want 4, 4, 0", created, ended, sessionCount(t, ts.Store))
	}
}

// TestAnotherSiteCannotUseTheSessionInChromium signs in, then visits a page
// on another site (localhost is another site than 127.0.0.1) that posts a
// form to councilapi and fetches its private JSON with credentials. The
// browser sends the session cookie with neither; the session survives.
func TestAnotherSiteCannotUseTheSessionInChromium(t *testing.T) {
	ts := newTestServer(t)
	var mu sync.Mutex
	seen := map[string]string{} // request -> its Cookie header
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("probe") {
			mu.Lock()
			seen[r.Method+" "+r.URL.Path] = r.Header.Get("Cookie")
			mu.Unlock()
		}
		ts.srv.Echo.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><title>Prize draw</title>
<form method="post" action="%[1]s/signout?probe=1"><input type="hidden" name="csrf" value="guess"></form>
<p id="read">pending</p>
<script>
fetch(%[1]q + "/api/v1/me?probe=1", {credentials: "include"})
  .then(r => r.text()).then(t => { document.getElementById("read").textContent = "read: " + t; })
  .catch(e => { document.getElementById("read").textContent = "blocked"; })
  .finally(() => document.forms[0].submit());
</script>`, front.URL)
	}))
	t.Cleanup(evil.Close)
	evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)

	b := browsertest.New(t)
	b.Do(chromedp.Navigate(front.URL+"/signin"), chromedp.SendKeys(chromedp.CSS("#key"), ts.key(domain.RolePublisher, "neddc")),
		chromedp.Click(chromedp.CSS("form.signin button")), chromedp.WaitVisible(chromedp.CSS(".account")))
	b.Do(chromedp.Navigate(evilURL), chromedp.WaitVisible(chromedp.CSS("main, h1, .account, p")))
	// The form submission lands on councilapi's answer.
	b.WaitLocation(front.URL + "/")
	if browsertest.Eval[bool](b, `document.querySelector(".notice") !== null`) {
		t.Errorf("the page after the other site's sign-out form says %q while the session lives", b.Text(".notice"))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, req := range []string{"GET /api/v1/me", "POST /signout"} {
		c, ok := seen[req]
		if !ok {
			t.Fatalf("the other site's page did not send %s (saw %v)", req, seen)
		}
		if strings.Contains(c, sessionCookie) {
			t.Errorf("the browser sent the session cookie with the other site's %s", req)
		}
	}
	if n := sessionCount(t, ts.Store); n != 1 {
		t.Fatalf("the other site's form ended the session: %d left", n)
	}
	b.Do(chromedp.Navigate(front.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".account")))
}
