package api

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/identity"
)

// The web pages' sessions. A person exchanges an API key (or an OpenID
// Connect sign-in) for a session on /signin; the browser then holds only a
// random session secret in an HttpOnly cookie, and the store holds the
// session record under the secret's SHA-256. sessionAuth, run for every
// request, turns the cookie back into the principal that actor(c) and
// authorize(c, …) read, exactly as a bearer key does for the JSON API.

const (
	sessionCookie = "councilapi_session"
	// signinCookie binds a sign-in in progress (the key form's CSRF token,
	// the OpenID Connect state) to the browser that started it.
	signinCookie = "councilapi_signin"
	// hostPrefix makes the browser refuse the cookie unless it is Secure,
	// for Path=/ and without Domain: a sibling subdomain cannot plant one.
	hostPrefix = "__Host-"
	sessionKey = "session"
)

// secure reports whether the browser reached us over TLS (directly, per
// --base-url, or per a trusted proxy's X-Forwarded-Proto).
func (s *Server) secure(c echo.Context) bool { return strings.HasPrefix(s.baseURL(c), "https://") }

// cookieName is the name of a cookie over this connection: __Host- over
// TLS, so a cookie set over plain HTTP is never read on an HTTPS request.
func (s *Server) cookieName(c echo.Context, base string) string {
	if s.secure(c) {
		return hostPrefix + base
	}
	return base
}

// setCookie sets an HttpOnly, SameSite=Lax, Path=/ cookie; maxAge 0 makes
// it last until the browser closes, negative deletes it.
func (s *Server) setCookie(c echo.Context, base, value string, maxAge int) {
	c.SetCookie(&http.Cookie{Name: s.cookieName(c, base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure(c), SameSite: http.SameSiteLaxMode})
}

func (s *Server) cookie(c echo.Context, base string) string {
	ck, err := c.Cookie(s.cookieName(c, base))
	if err != nil {
		return ""
	}
	return ck.Value
}

// sessionAuth authenticates a browser by its session cookie. Requests with
// an Authorization header are the JSON API's and pass untouched. A session
// never authenticates a request from another origin's page (another site
// or a sibling subdomain) other than a top-level navigation, where a link
// followed from e-mail shows the person's own page in their own tab; a
// state-changing request it authenticates must pass the CSRF check,
// whether a form post or a JSON write from a page's script.
func (s *Server) sessionAuth(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		// Style sheets and scripts are the same for everyone: no store read.
		if r.Header.Get(echo.HeaderAuthorization) != "" || strings.HasPrefix(r.URL.Path, pagesAssetsPath+"/") {
			return next(c)
		}
		secret := s.cookie(c, sessionCookie)
		if secret == "" {
			return next(c)
		}
		unsafe := !safeMethod(r.Method)
		if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			if unsafe {
				return errCrossSite
			}
			if r.Header.Get("Sec-Fetch-Mode") != "navigate" {
				return next(c) // as an anonymous request
			}
		}
		sess, err := s.app.Sessions.Resume(r.Context(), secret)
		var ended *identity.SessionEnded
		if errors.As(err, &ended) {
			s.setCookie(c, sessionCookie, "", -1)
			c.Set(sessionEndedKey, ended.Code)
			return next(c)
		}
		if err != nil {
			return err
		}
		if unsafe {
			if err := s.checkCSRF(c, sess.CSRF); err != nil {
				return err
			}
		}
		c.Set(principalKey, sess.Principal)
		c.Set(sessionKey, sess)
		return next(c)
	}
}

// sessionEndedKey holds why a presented session cookie no longer works
// (an identity.SessionEnded code).
const sessionEndedKey = "session-ended"

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// signedIn returns the browser's session, when it has one.
func signedIn(c echo.Context) (identity.Session, bool) {
	sess, ok := c.Get(sessionKey).(identity.Session)
	return sess, ok
}

// requireSignIn guards the officers' and publishers' pages: without a
// session a browser is sent to the sign-in page, which returns it here
// afterwards; other clients get 401. Routes: e.GET("/sourcing", h, s.requireSignIn).
func (s *Server) requireSignIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := signedIn(c); ok {
			return next(c)
		}
		r := c.Request()
		if !wantsHTML(r) && !isFormPost(r) {
			return newProblem("unauthorized", "this page needs a signed-in session: sign in at /signin")
		}
		back := r.URL.Path
		if safeMethod(r.Method) {
			back = r.URL.RequestURI()
		}
		q := url.Values{"next": {back}}
		if code, _ := c.Get(sessionEndedKey).(string); code != "" {
			q.Set("ended", code)
		}
		return c.Redirect(http.StatusSeeOther, "/signin?"+q.Encode())
	}
}

// localPath accepts only a path on this site as a place to return to, so
// the sign-in page cannot be made to send people elsewhere.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}
