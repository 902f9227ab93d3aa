package api

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
)

// CSRF protection of the pages' forms (and of a page script's JSON writes).
//
// A synchronizer token tied to the session: each session record holds a
// random secret, and every form carries it (the layout's {{template "csrf" $}}).
// It is checked against the store's copy, so nothing in the browser alone
// can produce a valid one, and it dies with the session on sign-out; a
// signed double-submit cookie would need a signing key shared by every
// instance and stay valid after sign-out. Before sign-in, the sign-in form
// has no session: its token is a random secret in the HttpOnly sign-in
// cookie (__Host- over TLS, so a sibling subdomain cannot plant one), which
// protects against being signed in to someone else's account.
//
// Defence in depth: Sec-Fetch-Site must say same-origin (or, from browsers
// too old to send it, Origin must name this site), and the session cookie
// is SameSite=Lax, so other sites' forms do not carry it at all.
//
// Each page gets the secret XORed with a fresh random pad, so a compressed
// page never repeats it byte for byte (BREACH).

const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
	// csrfPeekLimit bounds how much of a multipart body is read to find the
	// token in its first part (a file upload streams past it untouched).
	csrfPeekLimit = 64 << 10
)

var (
	errCSRF = &Problem{Type: "/problems/forbidden", Title: problemTypes["forbidden"].title, Status: http.StatusForbidden,
		Detail: "this form has expired or did not come from this site's own page: go back, reload the page and submit it again"}
	errCrossSite = &Problem{Type: "/problems/forbidden", Title: problemTypes["forbidden"].title, Status: http.StatusForbidden,
		Detail: "a signed-in session is not accepted on a request from another site; use this site's own pages"}
)

// csrfToken is the token a page's forms carry: the session's, or before
// sign-in the sign-in cookie's ("" when there is neither: such a page has
// no form that changes anything).
func (s *Server) csrfToken(c echo.Context) string {
	if sess, ok := signedIn(c); ok {
		return maskToken(sess.CSRF)
	}
	if pre, _ := c.Get(signinCookie).(string); pre != "" {
		return maskToken(pre)
	}
	return maskToken(s.cookie(c, signinCookie))
}

// checkCSRF refuses a state-changing request whose origin is not this site
// or whose token does not match secret.
func (s *Server) checkCSRF(c echo.Context, secret string) error {
	if !s.sameOrigin(c) {
		return errCrossSite
	}
	r := c.Request()
	tok := r.Header.Get(csrfHeader)
	if tok == "" {
		tok = formToken(r)
	}
	if secret == "" || !tokenMatches(tok, secret) {
		return errCSRF
	}
	return nil
}

// sameOrigin reports whether a browser says the request comes from this
// site's own pages. Requests from other clients carry neither header and
// rely on the token alone.
func (s *Server) sameOrigin(c echo.Context) bool {
	r := c.Request()
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin":
		return true
	case "":
	default: // same-site (a sibling subdomain), cross-site, none
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || o == "null" {
		return false
	}
	self, err := url.Parse(s.baseURL(c))
	return err == nil && strings.EqualFold(u.Host, self.Host)
}

// formToken reads the csrf field of a form post. In a multipart form it
// must be the first part (the layout's hidden field comes first in the
// form): only that part is read, and the body is replayed whole for the
// handler, so an upload is not buffered to find the token.
func formToken(r *http.Request) string {
	mt, params, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	switch mt {
	case echo.MIMEApplicationForm:
		return r.PostFormValue(csrfField)
	case echo.MIMEMultipartForm:
		var seen bytes.Buffer
		body := r.Body
		mr := multipart.NewReader(io.TeeReader(io.LimitReader(body, csrfPeekLimit), &seen), params["boundary"])
		tok := ""
		if part, err := mr.NextPart(); err == nil && part.FormName() == csrfField {
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			tok = string(b)
		}
		r.Body = replayedBody{Reader: io.MultiReader(bytes.NewReader(seen.Bytes()), body), Closer: body}
		return tok
	}
	return ""
}

type replayedBody struct {
	io.Reader
	io.Closer
}

// maskToken returns pad || pad XOR secret, base64url.
func maskToken(secret string) string {
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(raw) == 0 {
		return ""
	}
	out := make([]byte, 2*len(raw))
	pad := out[:len(raw)]
	_, _ = rand.Read(pad)
	for i := range raw {
		out[len(raw)+i] = pad[i] ^ raw[i]
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// tokenMatches unmasks tok and compares it with secret in constant time.
func tokenMatches(tok, secret string) bool {
	want, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(want) == 0 {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(tok))
	if err != nil || len(got) != 2*len(want) {
		return false
	}
	n := len(want)
	for i := range n {
		got[n+i] ^= got[i]
	}
	return subtle.ConstantTimeCompare(got[n:], want) == 1
}

// isFormPost reports a browser form submission.
func isFormPost(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	return mt == echo.MIMEApplicationForm || mt == echo.MIMEMultipartForm
}
