package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/net/html"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/internal/testclock"
)

func TestSignInWithAKeyAndSignOut(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "bdc")
	v := newVisitor(t, ts)

	page := v.get("/signin")
	if page.Status != 200 || !strings.Contains(string(page.Body), `type="password"`) {
		t.Fatalf("sign-in page: %d\n%.1500s", page.Status, page.Body)
	}
	doc, _ := html.Parse(bytes.NewReader(page.Body))
	checkAccessible(t, "/signin", doc)
	pre := setCookie(page, "councilapi_signin")
	if pre == nil || !pre.HttpOnly || pre.SameSite != http.SameSiteLaxMode || pre.Path != "/" || pre.Secure {
		t.Fatalf("sign-in cookie: %+v", pre)
	}

	r := v.send("POST", "/signin", url.Values{"key": {officer}, "csrf": {v.csrf(page)}, "next": {"/datasets"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/datasets" {
		t.Fatalf("sign-in: %d %q", r.Status, r.Header.Get("Location"))
	}
	ck := setCookie(r, "councilapi_session")
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure || ck.MaxAge != 0 || !ck.Expires.IsZero() {
		t.Fatalf("session cookie: %+v", ck)
	}
	if gone := setCookie(r, "councilapi_signin"); gone == nil || gone.MaxAge >= 0 {
		t.Fatalf("the sign-in cookie is not cleared after sign-in: %+v", gone)
	}
	if strings.Contains(string(r.Body), ck.Value) {
		t.Fatal("the session secret is in the response body")
	}

	home := v.get("/")
	body := string(home.Body)
	for _, want := range []string{"Signed in as <strong>test officer</strong>", "Officer, Bolsover District Council",
		`href="/sourcing"`, `href="/procurement"`, `action="/signout"`} {
		if !strings.Contains(body, want) {
			t.Errorf("signed-in home page lacks %s", want)
		}
	}
	if strings.Contains(body, `href="/publishing"`) || strings.Contains(body, `href="/signin"`) {
		t.Error("an officer's header offers publishing or sign-in")
	}
	if cc := home.Header.Get("Cache-Control"); cc != "private, no-cache" {
		t.Errorf("signed-in page Cache-Control %q", cc)
	}
	doc, _ = html.Parse(bytes.NewReader(home.Body))
	checkAccessible(t, "/ signed in", doc)

	var me domain.Principal
	v.get("/api/v1/me").json(t, &me)
	if me.Role != domain.RoleOfficer || me.Organisation != "bdc" {
		t.Fatalf("/api/v1/me with the session: %+v", me)
	}
	created := auditOf(t, ts.Store, identity.CollSessions)
	if len(created) != 1 || created[0].Action != "session.create" || created[0].Actor != me.KeyID {
		t.Fatalf("audit of sign-in: %+v", created)
	}

	out := v.send("POST", "/signout", url.Values{"csrf": {v.csrf(home)}})
	if out.Status != http.StatusSeeOther || out.Header.Get("Location") != "/signin?signedout=key" {
		t.Fatalf("sign-out: %d %q", out.Status, out.Header.Get("Location"))
	}
	if n := sessionCount(t, ts.Store); n != 0 {
		t.Fatalf("%d sessions left after sign-out", n)
	}
	if after := auditOf(t, ts.Store, identity.CollSessions); len(after) != 2 || after[0].Action != "session.end" || after[0].Actor != me.KeyID {
		t.Fatalf("audit of sign-out: %+v", after)
	}
	if !strings.Contains(string(v.follow(out).Body), "You have signed out.") {
		t.Error("the sign-in page does not say the person signed out")
	}
	// The old cookie, replayed by hand, signs no one in.
	if r := ts.do("GET", "/api/v1/me", "", nil, "Cookie", "councilapi_session="+ck.Value); r.Status != 401 {
		t.Fatalf("a signed-out session's cookie: %d", r.Status)
	}
}

func TestSignInRefusesBadKeys(t *testing.T) {
	ts := newTestServer(t)
	revoked := ts.key(domain.RolePublisher, "dddc")
	var keys []domain.APIKey
	ts.do("GET", "/api/v1/keys", ts.Admin, nil).json(t, &struct {
		Items *[]domain.APIKey `json:"items"`
	}{&keys})
	for _, k := range keys {
		if k.Role == domain.RolePublisher {
			ts.do("DELETE", "/api/v1/keys/"+k.ID, ts.Admin, nil)
		}
	}
	v := newVisitor(t, ts)
	for _, tc := range []struct {
		key, want string
		status    int
	}{
		{"", "Enter your API key", 400},
		{"password123", "it starts with cak_", 400},
		{"cak_" + strings.Repeat("A", 43), "This API key is not known.", 401},
		{revoked, "This API key was revoked on", 401},
	} {
		r := v.send("POST", "/signin", url.Values{"key": {tc.key}, "csrf": {v.csrf(v.get("/signin"))}})
		body := string(r.Body)
		if r.Status != tc.status || !strings.Contains(body, tc.want) || !strings.Contains(body, "<title>Error: Sign in") ||
			!strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("key %q: %d, want %d with %q\n%.1200s", tc.key, r.Status, tc.status, tc.want, body)
		}
	}
	if n := sessionCount(t, ts.Store); n != 0 {
		t.Fatalf("%d sessions made by bad keys", n)
	}
}

func TestSignInFormIsThrottledWithTheAPI(t *testing.T) {
	ts := newTestServer(t, Config{BodyLimit: 64 << 10, AuthFailures: AuthFailureLimit{PerMinute: 1, Burst: 2}})
	good := ts.key(domain.RoleOfficer, "bdc")
	v := newVisitor(t, ts)
	try := func(key string) response {
		return v.send("POST", "/signin", url.Values{"key": {key}, "csrf": {v.csrf(v.get("/signin"))}})
	}
	try("cak_" + strings.Repeat("A", 43))
	try("not-a-key")
	r := try(good)
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(r.Body), "Too many API keys that are not valid were tried from this address") {
		t.Fatalf("third try after two failures: %d\n%.1500s", r.Status, r.Body)
	}
	if n := sessionCount(t, ts.Store); n != 0 {
		t.Fatal("a throttled sign-in made a session")
	}
	// The API counts the same failures: the form's guesses throttle bearer use from this address.
	if r := ts.do("GET", "/api/v1/me", good, nil); r.Status != http.StatusTooManyRequests {
		t.Fatalf("bearer request from the throttled address: %d", r.Status)
	}
}

func TestSessionCookieIsSecureOverTLS(t *testing.T) {
	st := newTestStore(t)
	srv := startServer(t, Config{}, st)
	hs := httptest.NewTLSServer(srv.Echo)
	t.Cleanup(hs.Close)
	ts := &testServer{t: t, URL: hs.URL, Store: st, srv: srv}
	v := newVisitor(t, ts)
	v.http.Transport = hs.Client().Transport
	page := v.get("/signin")
	if pre := setCookie(page, "__Host-councilapi_signin"); pre == nil || !pre.Secure || !pre.HttpOnly {
		t.Fatalf("sign-in cookie over TLS: %+v", page.Header.Values("Set-Cookie"))
	}
	r := v.send("POST", "/signin", url.Values{"key": {ts.key(domain.RoleAdmin, "")}, "csrf": {v.csrf(page)}})
	ck := setCookie(r, "__Host-councilapi_session")
	if r.Status != 303 || ck == nil || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
		t.Fatalf("session cookie over TLS: %d %v", r.Status, r.Header.Values("Set-Cookie"))
	}
	if me := v.get("/api/v1/me"); me.Status != 200 {
		t.Fatalf("the __Host- session over TLS: %d", me.Status)
	}
	// A cookie without the prefix (as a plain-HTTP sibling could plant) is not read over TLS.
	req, _ := http.NewRequest("GET", hs.URL+"/api/v1/me", nil)
	req.Header.Set("Cookie", sessionCookie+"="+ck.Value)
	if res, err := hs.Client().Do(req); err != nil || res.StatusCode != 401 {
		t.Fatalf("an unprefixed cookie over TLS: %v %v", err, res.StatusCode)
	}

	// Behind a TLS-terminating proxy: --base-url https, or a trusted X-Forwarded-Proto.
	for _, tc := range []struct {
		cfg     Config
		proto   string
		secured bool
	}{
		{Config{BaseURL: "https://data.example.gov.uk"}, "", true},
		{Config{TrustProxy: true}, "https", true},
		{Config{}, "https", false}, // an untrusted header changes nothing
	} {
		srv := startServer(t, tc.cfg, st)
		hs := httptest.NewServer(srv.Echo)
		t.Cleanup(hs.Close)
		req, _ := http.NewRequest("GET", hs.URL+"/signin", nil)
		if tc.proto != "" {
			req.Header.Set("X-Forwarded-Proto", tc.proto)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		cookies := res.Cookies()
		if len(cookies) != 1 || cookies[0].Secure != tc.secured || strings.HasPrefix(cookies[0].Name, hostPrefix) != tc.secured {
			t.Errorf("%+v proto %q: cookies %v", tc.cfg, tc.proto, res.Header.Values("Set-Cookie"))
		}
	}
}

func TestCSRFProtectsEveryCookieAuthenticatedWrite(t *testing.T) {
	ts := newTestServer(t)
	v := newVisitor(t, ts)
	v.signIn(ts.Admin)
	page := v.get("/")
	tok := v.csrf(page)
	other := newVisitor(t, ts)
	other.signIn(ts.key(domain.RoleAdmin, ""))
	otherTok := other.csrf(other.get("/"))

	refused := func(name string, r response, html bool) {
		t.Helper()
		if r.Status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403\n%.800s", name, r.Status, r.Body)
			return
		}
		if ct := r.Header.Get("Content-Type"); html != strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
	}
	// The sign-out form.
	refused("form post without a token", v.send("POST", "/signout", url.Values{}), true)
	refused("form post with another session's token", v.send("POST", "/signout", url.Values{"csrf": {otherTok}}), true)
	refused("form post with a garbled token", v.send("POST", "/signout", url.Values{"csrf": {tok[:20]}}), true)
	refused("cross-site form post", v.send("POST", "/signout", url.Values{"csrf": {tok}}, "Sec-Fetch-Site", "cross-site"), true)
	refused("form post from a sibling subdomain", v.send("POST", "/signout", url.Values{"csrf": {tok}}, "Sec-Fetch-Site", "same-site"), true)
	refused("old browser, foreign Origin", v.send("POST", "/signout", url.Values{"csrf": {tok}}, "Sec-Fetch-Site", "", "Origin", "http://evil.example"), true)
	refused("old browser, opaque Origin", v.send("POST", "/signout", url.Values{"csrf": {tok}}, "Sec-Fetch-Site", "", "Origin", "null"), true)
	if n := sessionCount(t, ts.Store); n != 2 {
		t.Fatalf("refused sign-outs ended sessions: %d left", n)
	}
	if body := string(v.send("POST", "/signout", url.Values{}).Body); !strings.Contains(body, "This form has expired or did not come from this site") {
		t.Errorf("the refusal page does not say why:\n%.1500s", body)
	}

	// A page script's JSON write with the cookie.
	org := func(short string) string {
		return `{"name":"` + short + ` District Council","shortName":"` + short + `","gssCode":"E0700` + map[string]string{"NWL": "0134", "CHB": "0034", "ERE": "0036"}[short] + `"}`
	}
	write := func(body string, headers ...string) response {
		return v.send("POST", "/api/v1/organisations", body, append([]string{"Content-Type", "application/json", "Accept", "application/json"}, headers...)...)
	}
	r := write(org("NWL"))
	if r.Status != 403 || r.problem(t).Type != "/problems/forbidden" {
		t.Fatalf("JSON write with the cookie and no token: %d %s", r.Status, r.Body)
	}
	if r := write(org("NWL"), csrfHeader, tok, "Sec-Fetch-Site", "cross-site"); r.Status != 403 {
		t.Fatalf("cross-site JSON write with a token: %d", r.Status)
	}
	if r := write(org("NWL"), csrfHeader, tok); r.Status != 201 {
		t.Fatalf("JSON write with the session's token: %d %s", r.Status, r.Body)
	}
	// Each page masks the token afresh; every mask is good.
	tok2 := v.csrf(v.get("/"))
	if tok2 == tok {
		t.Error("two pages carry the same token bytes (BREACH)")
	}
	if r := write(org("CHB"), csrfHeader, tok2, "Sec-Fetch-Site", "", "Origin", ts.URL); r.Status != 201 {
		t.Fatalf("JSON write from an old browser with its own Origin: %d %s", r.Status, r.Body)
	}
	var me domain.Principal
	v.get("/api/v1/me").json(t, &me)
	for _, e := range auditOf(t, ts.Store, collOrganisations) {
		if e.Action == "organisation.create" && e.Actor != me.KeyID {
			t.Errorf("a web write is audited as %q, want the session's key %q", e.Actor, me.KeyID)
		}
	}
	// Bearer keys work as before: not ambient, so no token is asked for.
	if r := ts.do("POST", "/api/v1/organisations", ts.Admin, org("ERE"), "Sec-Fetch-Site", "cross-site"); r.Status != 201 {
		t.Fatalf("bearer write: %d %s", r.Status, r.Body)
	}
}

func TestCSRFTokenInAMultipartUpload(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "bdc")
	d := ts.createDataset(pub, map[string]any{"title": "Car parks", "description": "Council car parks"})
	v := newVisitor(t, ts)
	v.signIn(pub)
	tok := v.csrf(v.get("/"))
	upload := func(fields ...string) response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		for i := 0; i+1 < len(fields); i += 2 {
			if fields[i] == "file" {
				fw, _ := mw.CreateFormFile("file", "parks.csv")
				fw.Write([]byte(fields[i+1]))
			} else {
				mw.WriteField(fields[i], fields[i+1])
			}
		}
		mw.Close()
		return v.send("POST", "/api/v1/datasets/"+d.ID+"/versions", body.Bytes(), "Content-Type", mw.FormDataContentType(), "Accept", "application/json")
	}
	big := "car park,spaces\n" + strings.Repeat("Bakewell,120\n", 20000) // past the peek limit
	if r := upload("file", big); r.Status != 403 {
		t.Fatalf("upload without a token: %d %s", r.Status, r.Body)
	}
	if r := upload("file", big, "csrf", tok); r.Status != 403 {
		t.Fatalf("upload with the token after the file (not first): %d %s", r.Status, r.Body)
	}
	r := upload("csrf", tok, "file", big)
	if r.Status != 202 {
		t.Fatalf("upload with the token first: %d %s", r.Status, r.Body)
	}
	var acc uploadAccepted
	r.json(t, &acc)
	if j := ts.waitJob(pub, acc.Job.ID); j.State != opendata.JobSucceeded {
		t.Fatalf("upload job: %+v", j)
	}
	var ver opendata.Version
	ts.do("GET", "/api/v1/datasets/"+d.ID+"/versions/1", pub, nil).json(t, &ver)
	sum := sha256.Sum256([]byte(big))
	if ver.SHA256 != hex.EncodeToString(sum[:]) || ver.RowCount != 20000 {
		t.Fatalf("the body replayed after reading the token is not the file sent: %+v", ver)
	}
	var me domain.Principal
	v.get("/api/v1/me").json(t, &me)
	if ver.CreatedBy != me.KeyID {
		t.Fatalf("version created by %q, want the session's key %q", ver.CreatedBy, me.KeyID)
	}
}

func TestSignInFormIsProtectedAgainstLoginCSRF(t *testing.T) {
	ts := newTestServer(t)
	attackerKey := ts.key(domain.RoleOfficer, "bdc")
	victim := newVisitor(t, ts)
	attacker := newVisitor(t, ts)
	attackerTok := attacker.csrf(attacker.get("/signin"))
	victim.get("/signin")
	for name, r := range map[string]response{
		"no token, no cookie":             newVisitor(t, ts).send("POST", "/signin", url.Values{"key": {attackerKey}}),
		"another browser's token":         victim.send("POST", "/signin", url.Values{"key": {attackerKey}, "csrf": {attackerTok}}),
		"cross-site post with good token": attacker.send("POST", "/signin", url.Values{"key": {attackerKey}, "csrf": {attackerTok}}, "Sec-Fetch-Site", "cross-site"),
	} {
		if r.Status != 403 || !strings.Contains(string(r.Body), "This sign-in form had expired") {
			t.Errorf("%s: %d\n%.800s", name, r.Status, r.Body)
		}
	}
	if n := sessionCount(t, ts.Store); n != 0 {
		t.Fatalf("login CSRF made %d sessions", n)
	}
}

func TestASessionNeverAuthenticatesACrossSiteRequest(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "bdc")
	draft := ts.createDataset(pub, map[string]any{"title": "Unannounced depot closures", "description": "Draft"})
	v := newVisitor(t, ts)
	v.signIn(pub)
	path := "/api/v1/datasets/" + draft.ID
	for _, tc := range []struct {
		site, mode string
		status     int
	}{
		{"same-origin", "cors", 200},
		{"cross-site", "cors", 404},     // another site's fetch(…, {credentials: "include"})
		{"cross-site", "no-cors", 404},  // another site's <script src> or <img>
		{"same-site", "cors", 404},      // a sibling subdomain's fetch
		{"cross-site", "navigate", 200}, // a link followed from e-mail: the person's own tab
	} {
		r := v.get(path, "Sec-Fetch-Site", tc.site, "Sec-Fetch-Mode", tc.mode, "Accept", "application/json")
		if r.Status != tc.status {
			t.Errorf("GET a draft, %s %s: %d, want %d", tc.site, tc.mode, r.Status, tc.status)
		}
	}
	tok := v.csrf(v.get("/"))
	r := v.send("PATCH", path, `{"title":"Renamed"}`, "Content-Type", "application/merge-patch+json", csrfHeader, tok,
		"Sec-Fetch-Site", "cross-site", "Accept", "application/json")
	if r.Status != 403 || !strings.Contains(r.problem(t).Detail, "another site") {
		t.Fatalf("cross-site PATCH with the cookie and token: %d %s", r.Status, r.Body)
	}
}

func TestRequireSignIn(t *testing.T) {
	c := testclock.At(time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC))
	ts := newTestServerWith(t, Config{BodyLimit: 64 << 10}, app.Config{Sessions: identity.SessionConfig{Idle: 30 * time.Minute, Now: c.Now}})
	ts.srv.Echo.GET("/test/private", func(c echo.Context) error {
		return c.String(http.StatusOK, "private page for "+principal(c).KeyID)
	}, ts.srv.requireSignIn)
	v := newVisitor(t, ts)
	r := v.get("/test/private?tab=2")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin?next=%2Ftest%2Fprivate%3Ftab%3D2" {
		t.Fatalf("anonymous: %d %q", r.Status, r.Header.Get("Location"))
	}
	if r := v.get("/test/private", "Accept", "application/json"); r.Status != 401 {
		t.Fatalf("anonymous JSON client: %d", r.Status)
	}
	page := v.follow(r)
	if !strings.Contains(string(page.Body), "you are signed out after 30 minutes without activity, and 12 hours after signing in") {
		t.Errorf("the sign-in page does not say how long a sign-in lasts")
	}
	if !strings.Contains(string(page.Body), `name="next" value="/test/private?tab=2"`) {
		t.Fatalf("the sign-in form does not keep where to return:\n%.1500s", page.Body)
	}
	r = v.send("POST", "/signin", url.Values{"key": {ts.key(domain.RoleOfficer, "neddc")}, "csrf": {v.csrf(page)}, "next": {"/test/private?tab=2"}})
	if r.Header.Get("Location") != "/test/private?tab=2" {
		t.Fatalf("after sign-in: %q", r.Header.Get("Location"))
	}
	if r := v.follow(r); r.Status != 200 || !strings.Contains(string(r.Body), "private page for") {
		t.Fatalf("signed in: %d %s", r.Status, r.Body)
	}
	c.Add(31 * time.Minute)
	r = v.get("/test/private")
	if r.Status != 303 || r.Header.Get("Location") != "/signin?ended=idle&next=%2Ftest%2Fprivate" {
		t.Fatalf("after 31 idle minutes: %d %q", r.Status, r.Header.Get("Location"))
	}
	if ck := setCookie(r, sessionCookie); ck == nil || ck.MaxAge >= 0 {
		t.Error("an ended session's cookie is not cleared")
	}
	if body := string(v.follow(r).Body); !strings.Contains(body, "You were signed out after 30 minutes without activity") {
		t.Errorf("the sign-in page does not say why:\n%.1500s", body)
	}
}

func TestSignInReturnsOnlyToThisSite(t *testing.T) {
	for in, want := range map[string]string{
		"/procurement?year=2026": "/procurement?year=2026", "": "/", "//evil.example/x": "/", `/\evil.example`: "/",
		"https://evil.example/": "/", "javascript:alert(1)": "/", "/ok\r\nSet-Cookie: x": "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionsWorkOnEveryInstanceAndAdminsRevokeThem(t *testing.T) {
	ts := newTestServer(t)
	b := startServer(t, Config{}, ts.Store)
	hsB := httptest.NewServer(b.Echo)
	t.Cleanup(hsB.Close)
	v := newVisitor(t, ts)
	v.signIn(ts.key(domain.RoleOfficer, "bdc"))
	onB := func() int {
		req, _ := http.NewRequest("GET", hsB.URL+"/api/v1/me", nil)
		req.Header.Set("Cookie", sessionCookie+"="+v.cookie(sessionCookie))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := onB(); s != 200 {
		t.Fatalf("a session from instance A on instance B: %d", s)
	}
	var list struct{ Items []identity.Session }
	ts.do("GET", "/api/v1/sessions", ts.Admin, nil).json(t, &list)
	if len(list.Items) != 1 || list.Items[0].Via != "key" || list.Items[0].Name != "test officer" || list.Items[0].CSRF != "" {
		t.Fatalf("admin's list: %+v", list.Items)
	}
	if r := v.get("/api/v1/sessions", "Accept", "application/json"); r.Status != 403 {
		t.Fatalf("an officer listing sessions: %d", r.Status)
	}
	if r := ts.do("DELETE", "/api/v1/sessions/"+list.Items[0].ID, ts.Admin, nil); r.Status != 200 {
		t.Fatalf("revoke: %d %s", r.Status, r.Body)
	}
	if s := onB(); s != 401 {
		t.Fatalf("a revoked session on instance B: %d", s)
	}
	if e := auditOf(t, ts.Store, identity.CollSessions); e[0].Action != "session.revoke" {
		t.Fatalf("audit: %+v", e[0])
	}
}
