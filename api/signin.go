package api

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
)

// signinAPI is the sign-in page: an API key exchanged for a session, or
// OpenID Connect through the council's identity provider; and sign-out.
type signinAPI struct {
	s    *Server
	oidc *oidcClient // nil when OpenID Connect is not configured
}

// signinLifetime is how long the sign-in cookie (the key form's CSRF
// secret and the browser's binding to an OpenID Connect sign-in) lasts.
const signinLifetime = 2 * 60 * 60

func (s *Server) signinRoutes(v1 *echo.Group) {
	a := &signinAPI{s: s}
	if s.cfg.OIDC.Enabled() {
		a.oidc = newOIDCClient(s.cfg.OIDC)
	}
	e := s.Echo
	e.Use(s.sessionAuth)
	e.GET("/signin", a.page)
	e.POST("/signin", a.signInWithKey)
	e.POST("/signout", a.signOut)
	if a.oidc != nil {
		e.GET("/signin/oidc", a.oidcStart)
		e.GET(oidcCallbackPath, a.oidcCallback)
	}
	v1.GET("/sessions", s.listSessions, s.authenticate)
	v1.DELETE("/sessions/:id", s.revokeSession, s.authenticate, requireArea(domain.AreaAdmin))
}

// signinData is what the sign-in page shows.
type signinData struct {
	Next string
	// Notice is a message that is not an error (signed out, session ended).
	Notice string
	// ProviderSignOut offers to sign out of the identity provider too.
	ProviderSignOut string
	// Error is the error summary's message; KeyError is the key field's.
	Error    string
	KeyError string
	OIDC     string // the provider's label; "" without OpenID Connect
	OIDCHref string
	// Lifetime says how long a sign-in lasts.
	Lifetime string
}

func (a *signinAPI) render(c echo.Context, status int, d signinData) error {
	d.Next = localPath(d.Next)
	d.Lifetime = a.s.app.Sessions.Lifetime()
	if a.oidc != nil {
		d.OIDC = a.oidc.cfg.Label
		d.OIDCHref = "/signin/oidc"
		if d.Next != "/" {
			d.OIDCHref += "?" + url.Values{"next": {d.Next}}.Encode()
		}
	}
	if _, in := signedIn(c); !in {
		a.signinCookie(c, false)
	}
	title := "Sign in"
	if d.Error != "" || d.KeyError != "" {
		title = "Error: " + title
	}
	return a.s.pages.render(c, status, "signin", page{Title: title, Data: d})
}

// signinCookie returns the browser's sign-in secret, setting a new one
// when it has none (or fresh is asked for, after a failed check).
func (a *signinAPI) signinCookie(c echo.Context, fresh bool) string {
	if v, _ := c.Get(signinCookie).(string); v != "" && !fresh {
		return v
	}
	v := a.s.cookie(c, signinCookie)
	if v == "" || fresh {
		v = identity.RandomSecret()
		a.s.setCookie(c, signinCookie, v, signinLifetime)
	}
	c.Set(signinCookie, v)
	return v
}

// page shows the sign-in form, or where a signed-in person is going.
func (a *signinAPI) page(c echo.Context) error {
	q := c.QueryParams()
	next := localPath(q.Get("next"))
	_, in := signedIn(c)
	if in && q.Get("next") != "" {
		return c.Redirect(http.StatusSeeOther, next)
	}
	d := signinData{Next: next}
	switch {
	case in: // still signed in: say nothing of having signed out
	case q.Has("signedout"):
		d.Notice = "You have signed out."
		if q.Get("signedout") == identity.ViaOIDC && a.oidc != nil {
			d.ProviderSignOut = a.oidc.providerSignOut(c.Request().Context(), a.s.baseURL(c)+"/signin?signedout=1")
		}
	case q.Get("ended") != "":
		d.Notice = sentence(a.s.app.Sessions.EndedReason(q.Get("ended")))
	}
	return a.render(c, http.StatusOK, d)
}

// signInWithKey exchanges the key in the form for a session.
func (a *signinAPI) signInWithKey(c echo.Context) error {
	r := c.Request()
	if _, in := signedIn(c); !in {
		// No session yet: the form's token is the sign-in cookie's.
		if err := a.s.checkCSRF(c, a.s.cookie(c, signinCookie)); err != nil {
			a.signinCookie(c, true)
			return a.render(c, http.StatusForbidden, signinData{Next: r.PostFormValue("next"),
				Error: "This sign-in form had expired or did not come from this site. Enter your API key again."})
		}
	}
	d := signinData{Next: r.PostFormValue("next")}
	key := strings.TrimSpace(r.PostFormValue("key"))
	if key == "" {
		d.KeyError = "Enter your API key"
		return a.render(c, http.StatusBadRequest, d)
	}
	// Keys tried on the form are throttled with those sent to the API.
	attempt, err := a.s.beginAuthentication(c, key)
	if err != nil {
		d.Error = "Too many API keys that are not valid were tried from this address. Wait " +
			c.Response().Header().Get("Retry-After") + " seconds, then try again."
		return a.render(c, http.StatusTooManyRequests, d)
	}
	if !strings.HasPrefix(key, identity.KeyPrefix) {
		a.s.authenticated(c, attempt, true)
		d.KeyError = "Enter a councilapi API key: it starts with " + identity.KeyPrefix
		return a.render(c, http.StatusBadRequest, d)
	}
	sess, secret, err := a.s.app.Sessions.SignInWithKey(r.Context(), key, client(c))
	var un *identity.Unauthenticated
	a.s.authenticated(c, attempt, errors.As(err, &un))
	if un != nil {
		d.KeyError = sentence(un.Reason)
		return a.render(c, http.StatusUnauthorized, d)
	}
	if err != nil {
		return err
	}
	return a.begin(c, sess, secret, d.Next)
}

// begin gives the browser its new session and sends it on. A session the
// browser held before ends: one browser, one person.
func (a *signinAPI) begin(c echo.Context, sess identity.Session, secret, next string) error {
	if old, in := signedIn(c); in {
		_ = a.s.app.Sessions.SignOut(c.Request().Context(), actor(c), old.ID)
	}
	a.s.setCookie(c, sessionCookie, secret, 0)
	a.s.setCookie(c, signinCookie, "", -1)
	return c.Redirect(http.StatusSeeOther, localPath(next))
}

// signOut ends the browser's session. Without one (already signed out,
// or another site's form, which SameSite keeps the cookie from) there is
// nothing to end.
func (a *signinAPI) signOut(c echo.Context) error {
	sess, in := signedIn(c)
	if !in {
		return c.Redirect(http.StatusSeeOther, "/signin?signedout=1")
	}
	if err := a.s.app.Sessions.SignOut(c.Request().Context(), actor(c), sess.ID); err != nil {
		return err
	}
	a.s.setCookie(c, sessionCookie, "", -1)
	return c.Redirect(http.StatusSeeOther, "/signin?"+url.Values{"signedout": {sess.Via}}.Encode())
}

// oidcStart sends the browser to the identity provider.
func (a *signinAPI) oidcStart(c echo.Context) error {
	ctx := c.Request().Context()
	next := localPath(c.QueryParam("next"))
	binding := a.signinCookie(c, false)
	state, nonce, verifier := identity.RandomSecret(), identity.RandomSecret(), oauth2.GenerateVerifier()
	to, err := a.oidc.authURL(ctx, a.redirectURL(c), state, nonce, verifier)
	if err != nil {
		a.s.log.Warn("OpenID Connect provider unavailable", "err", err)
		return a.render(c, http.StatusServiceUnavailable, signinData{Next: next,
			Error: "Signing in with " + a.oidc.cfg.Label + " is not possible just now: the sign-in service does not answer. Try again in a few minutes, or sign in with an API key."})
	}
	if err := a.s.app.Sessions.StartFlow(ctx, state, binding, nonce, verifier, next); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// oidcCallback takes the provider's answer: the sign-in must be this
// browser's and unused, the code must redeem (with the PKCE verifier), the
// ID token must validate and carry the nonce, and the claims must map to a
// role and organisation.
func (a *signinAPI) oidcCallback(c echo.Context) error {
	ctx := c.Request().Context()
	q := c.QueryParams()
	flow, err := a.s.app.Sessions.TakeFlow(ctx, q.Get("state"), a.s.cookie(c, signinCookie))
	var un *identity.Unauthenticated
	if errors.As(err, &un) {
		return a.render(c, http.StatusBadRequest, signinData{Error: sentence(un.Reason)})
	}
	if err != nil {
		return err
	}
	d := signinData{Next: flow.Next}
	if e := q.Get("error"); e != "" {
		a.s.log.Info("OpenID Connect sign-in not completed", "error", e, "description", q.Get("error_description"))
		d.Error = "Signing in with " + a.oidc.cfg.Label + " did not finish (the sign-in service said “" + e + "”). Try again."
		return a.render(c, http.StatusUnauthorized, d)
	}
	claims, err := a.oidc.redeem(ctx, a.redirectURL(c), q.Get("code"), flow.Verifier, flow.Nonce)
	if err != nil {
		a.s.log.Warn("OpenID Connect sign-in refused", "err", err, "request_id", requestID(c))
		d.Error = "Your sign-in could not be verified, so you have not been signed in. Try again; if it keeps failing, tell your ICT service desk (reference " + requestID(c) + ")."
		return a.render(c, http.StatusUnauthorized, d)
	}
	sess, secret, err := a.s.app.Sessions.SignInWithClaims(ctx, claims, client(c))
	var refused *identity.Refused
	if errors.As(err, &refused) {
		a.s.log.Info("OpenID Connect user refused", "who", refused.Who, "reason", refused.Reason)
		d.Error = "You signed in as " + cmp.Or(refused.Who, "someone this service does not know") + ", but " + refused.Reason + "."
		return a.render(c, http.StatusForbidden, d)
	}
	if err != nil {
		return err
	}
	return a.begin(c, sess, secret, flow.Next)
}

func (a *signinAPI) redirectURL(c echo.Context) string {
	if a.oidc.cfg.RedirectURL != "" {
		return a.oidc.cfg.RedirectURL
	}
	return a.s.baseURL(c) + oidcCallbackPath
}

func client(c echo.Context) identity.Client {
	return identity.Client{UserAgent: c.Request().UserAgent(), Address: c.RealIP(), RequestID: requestID(c)}
}

func requestID(c echo.Context) string { return c.Response().Header().Get(echo.HeaderXRequestID) }

// sentence starts a reason with a capital and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
