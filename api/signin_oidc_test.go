package api

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/internal/testoidc"
	"github.com/jointict/councilapi/store"
)

var joBloggs = map[string]any{"sub": "entra-oid-1", "name": "Jo Bloggs", "preferred_username": "jo.bloggs@bolsover.gov.uk",
	"roles": []string{"CouncilAPI.Officer"}, "groups": []string{"grp-unrelated", "grp-bdc"}}

func newOIDCServer(t *testing.T) (*testServer, *testoidc.Provider) {
	t.Helper()
	return newOIDCServerOn(t, newTestStore(t))
}

// newOIDCServerOn is newOIDCServer over a store the test made.
func newOIDCServerOn(t *testing.T, st store.Store) (*testServer, *testoidc.Provider) {
	t.Helper()
	prov := testoidc.New(t, "councilapi-test", "test-client-secret")
	ts := newTestServerOn(t, Config{BodyLimit: 64 << 10, OIDC: OIDC{Issuer: prov.Issuer, ClientID: prov.ClientID,
		ClientSecret: prov.ClientSecret, Label: "your council Microsoft account"}},
		app.Config{Sessions: identity.SessionConfig{Claims: testoidc.EntraMapping}}, st)
	prov.RegisterRedirect(ts.URL + oidcCallbackPath)
	return ts, prov
}

// oidcToCallback starts an OpenID Connect sign-in and follows it to the
// provider, returning the provider's redirect back to councilapi (not yet
// visited) and the authorization request's parameters.
func oidcToCallback(t *testing.T, v *visitor, next string) (callback string, authz url.Values) {
	t.Helper()
	start := v.get("/signin/oidc?" + url.Values{"next": {next}}.Encode())
	if start.Status != http.StatusSeeOther {
		t.Fatalf("start: %d\n%.1000s", start.Status, start.Body)
	}
	to, _ := url.Parse(start.Header.Get("Location"))
	back := v.get(to.String())
	if back.Status != http.StatusFound {
		t.Fatalf("provider: %d %s", back.Status, back.Body)
	}
	return back.Header.Get("Location"), to.Query()
}

func TestOIDCSignInAndSignOut(t *testing.T) {
	ts, prov := newOIDCServer(t)
	prov.SignInAs(joBloggs)
	v := newVisitor(t, ts)
	page := string(v.get("/signin").Body)
	if !strings.Contains(page, `href="/signin/oidc"`) || !strings.Contains(page, "Sign in with your council Microsoft account") {
		t.Fatalf("the sign-in page offers no OpenID Connect button:\n%.2000s", page)
	}
	callback, authz := oidcToCallback(t, v, "/procurement?year=2026")
	if authz.Get("code_challenge_method") != "S256" || len(authz.Get("code_challenge")) != 43 || authz.Get("client_id") != prov.ClientID ||
		authz.Get("redirect_uri") != ts.URL+oidcCallbackPath || authz.Get("state") == "" || authz.Get("nonce") == "" ||
		authz.Get("state") == authz.Get("nonce") || !strings.Contains(authz.Get("scope"), "openid") {
		t.Fatalf("authorization request: %v", authz)
	}
	v.site = "cross-site" // the provider's page sends the browser back
	r := v.get(callback)
	v.site = "same-origin"
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/procurement?year=2026" {
		t.Fatalf("callback: %d %q\n%.1500s", r.Status, r.Header.Get("Location"), r.Body)
	}
	home := string(v.get("/").Body)
	if !strings.Contains(home, "Signed in as <strong>Jo Bloggs</strong>") || !strings.Contains(home, "Officer, Bolsover District Council") {
		t.Fatalf("header after OpenID Connect sign-in:\n%.2500s", home)
	}
	var list struct{ Items []identity.Session }
	ts.do("GET", "/api/v1/sessions", ts.Admin, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Via != identity.ViaOIDC || list.Items[0].Principal.KeyID != "oidc:entra-oid-1" ||
		list.Items[0].Email != "jo.bloggs@bolsover.gov.uk" {
		t.Fatalf("session: %+v", list.Items)
	}
	if e := auditOf(t, ts.Store, identity.CollSessions); len(e) != 1 || e[0].Actor != "oidc:entra-oid-1" || e[0].ActorOrg != "bdc" {
		t.Fatalf("audit of the sign-in: %+v", e)
	}
	if p, _ := ts.Store.List(context.Background(), identity.CollSignInFlows, store.Query{}); p.Total != 0 {
		t.Fatalf("%d sign-in flows left after use", p.Total)
	}
	// The provider's answer works once.
	if r := newVisitorLike(v).get(callback); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "expired or was already used") {
		t.Fatalf("a replayed callback: %d\n%.1000s", r.Status, r.Body)
	}

	out := v.send("POST", "/signout", url.Values{"csrf": {v.csrf(v.get("/"))}})
	if out.Header.Get("Location") != "/signin?signedout=oidc" {
		t.Fatalf("sign-out: %d %q", out.Status, out.Header.Get("Location"))
	}
	signedOut := string(v.follow(out).Body)
	link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(prov.Issuer) + `/logout[^"]*)"`).FindStringSubmatch(signedOut)
	if link == nil || !strings.Contains(signedOut, "Sign out of your council Microsoft account too") {
		t.Fatalf("no offer to sign out of the provider:\n%.2000s", signedOut)
	}
	logout, _ := url.Parse(html.UnescapeString(link[1]))
	if logout.Query().Get("client_id") != prov.ClientID || logout.Query().Get("post_logout_redirect_uri") != ts.URL+"/signin?signedout=1" {
		t.Fatalf("provider sign-out link: %s", logout)
	}
	if r := v.follow(v.get(logout.String())); r.Status != 200 || prov.Logouts() != 1 || !strings.Contains(string(r.Body), "You have signed out.") {
		t.Fatalf("provider sign-out: %d, %d logouts", r.Status, prov.Logouts())
	}
}

// newVisitorLike is the same browser (cookies) without its history.
func newVisitorLike(v *visitor) *visitor {
	c := *v
	return &c
}

func TestOIDCRefusesIDTokensThatDoNotValidate(t *testing.T) {
	ts, prov := newOIDCServer(t)
	prov.SignInAs(joBloggs)
	cases := map[string]func(p *testoidc.Provider){
		"wrong audience": func(p *testoidc.Provider) {
			p.Tamper(func(c map[string]any) { c["aud"] = "another-app" })
		},
		"expired": func(p *testoidc.Provider) {
			p.Tamper(func(c map[string]any) {
				c["iat"], c["exp"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-10*time.Minute).Unix()
			})
		},
		"signed with a key the provider does not publish": func(p *testoidc.Provider) { p.SignWithForeignKey(true) },
		"another sign-in's nonce": func(p *testoidc.Provider) {
			p.Tamper(func(c map[string]any) { c["nonce"] = identity.RandomSecret() })
		},
		"no nonce": func(p *testoidc.Provider) {
			p.Tamper(func(c map[string]any) { delete(c, "nonce") })
		},
		"another issuer": func(p *testoidc.Provider) {
			p.Tamper(func(c map[string]any) { c["iss"] = "https://login.example.com/other-tenant/v2.0" })
		},
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			spoil(prov)
			defer func() { prov.Tamper(nil); prov.SignWithForeignKey(false) }()
			v := newVisitor(t, ts)
			before := sessionCount(t, ts.Store)
			callback, _ := oidcToCallback(t, v, "/")
			r := v.get(callback)
			if r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "Your sign-in could not be verified") {
				t.Fatalf("%d\n%.1500s", r.Status, r.Body)
			}
			if setCookie(r, sessionCookie) != nil || sessionCount(t, ts.Store) != before {
				t.Fatal("a session was started")
			}
		})
	}
	// The same provider, unspoilt, signs in: the refusals were the tokens'.
	v := newVisitor(t, ts)
	callback, _ := oidcToCallback(t, v, "/")
	if r := v.get(callback); r.Status != http.StatusSeeOther {
		t.Fatalf("a good token after the bad ones: %d\n%.1000s", r.Status, r.Body)
	}
}

func TestOIDCRefusesPeopleWithoutARoleOrCouncil(t *testing.T) {
	ts, prov := newOIDCServer(t)
	for _, tc := range []struct {
		name   string
		person map[string]any
		status int
		want   string
	}{
		{"no role", map[string]any{"sub": "s1", "name": "Sam Smith", "roles": []string{"Payroll.User"}, "groups": []string{"grp-bdc"}},
			403, "You signed in as Sam Smith, but your account has no councilapi role"},
		{"no council", map[string]any{"sub": "s2", "name": "Ali Khan", "roles": []string{"CouncilAPI.Publisher"}, "groups": []string{"grp-elsewhere"}},
			403, "You signed in as Ali Khan, but your account is not linked to a council"},
		{"cancelled at the provider", nil, 401, "did not finish"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prov.SignInAs(tc.person)
			v := newVisitor(t, ts)
			callback, _ := oidcToCallback(t, v, "/")
			r := v.get(callback)
			if r.Status != tc.status || !strings.Contains(html.UnescapeString(string(r.Body)), tc.want) {
				t.Fatalf("%d, want %d with %q\n%.2000s", r.Status, tc.status, tc.want, r.Body)
			}
			if sessionCount(t, ts.Store) != 0 {
				t.Fatal("a session was started")
			}
		})
	}
	// An admin needs no council.
	prov.SignInAs(map[string]any{"sub": "a1", "name": "ICT Admin", "roles": []string{"CouncilAPI.Admin", "CouncilAPI.Officer"}})
	v := newVisitor(t, ts)
	callback, _ := oidcToCallback(t, v, "/")
	if r := v.get(callback); r.Status != http.StatusSeeOther {
		t.Fatalf("admin: %d\n%.1000s", r.Status, r.Body)
	}
	if home := string(v.get("/").Body); !strings.Contains(home, "Admin, every organisation") || !strings.Contains(home, `href="/publishing"`) {
		t.Fatalf("admin's header:\n%.2000s", home)
	}
}

func TestOIDCAnswerIsAcceptedOnlyInTheBrowserThatAsked(t *testing.T) {
	ts, prov := newOIDCServer(t)
	prov.SignInAs(map[string]any{"sub": "attacker", "name": "Mallory", "roles": []string{"CouncilAPI.Officer"}, "groups": []string{"grp-bdc"}})
	attacker := newVisitor(t, ts)
	callback, _ := oidcToCallback(t, attacker, "/")
	// The attacker sends the victim the link back with the attacker's code.
	victim := newVisitor(t, ts)
	victim.get("/signin")
	if r := victim.get(callback); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "started in another browser") {
		t.Fatalf("victim: %d\n%.1500s", r.Status, r.Body)
	}
	if sessionCount(t, ts.Store) != 0 {
		t.Fatal("the victim was signed in to the attacker's account")
	}
	if r := attacker.get(callback); r.Status != http.StatusSeeOther {
		t.Fatalf("the browser that asked: %d", r.Status)
	}
}

func TestOIDCProviderDownIsSaidPlainly(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	ts := newTestServer(t, Config{BodyLimit: 64 << 10, OIDC: OIDC{Issuer: down.URL, ClientID: "x"}})
	v := newVisitor(t, ts)
	r := v.get("/signin/oidc")
	if r.Status != http.StatusServiceUnavailable || !strings.Contains(string(r.Body), "the sign-in service does not answer") ||
		!strings.Contains(string(r.Body), `type="password"`) {
		t.Fatalf("%d\n%.1500s", r.Status, r.Body)
	}
}
