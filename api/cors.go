package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
)

// CORS lets a web map or a notebook on another origin read what anyone may
// read here: the open data API, the OGC API, the harvest documents, the
// catalogue services and the downloads. It is deliberately narrow:
//
//   - only GET and HEAD, and only of the public resources below;
//   - never for a request that carries credentials (Authorization or a
//     cookie): a key is for a server or a desktop tool, and a page on
//     another origin must not be able to act with one;
//   - Access-Control-Allow-Origin is "*", never an echoed origin, and never
//     with Allow-Credentials, so a browser never attaches cookies.
//
// Everything else answers without CORS headers and the browser refuses to
// hand the response to the other origin's script.

// corsExposed are the response headers a cross-origin script may read:
// paging (Link), caching (ETag), the CRS of OGC API features, ranges of
// downloads, where a redirect or a created record is, and the request id to
// quote when reporting a problem.
var corsExposed = strings.Join([]string{"ETag", "Link", "Content-Crs", "X-Request-Id", "Content-Length",
	"Content-Range", "Location", "Retry-After"}, ", ")

// corsRequestHeaders are the headers a cross-origin read may send beyond
// the CORS-safelisted ones: conditional and range requests, and the
// Content-Type some clients attach even to a GET. Authorization is not
// among them, on purpose.
var corsRequestHeaders = []string{"accept", "accept-language", "content-language", "content-type",
	"cache-control", "if-none-match", "if-modified-since", "range"}

// publicPaths are the subtrees anyone may read without a key; publicFiles
// are single documents.
var (
	publicPaths = []string{"/api/v1", "/api/3/action", "/ogc", "/dataset", "/datasets", "/csw", "/inspire",
		"/ocds", "/problems"}
	publicFiles = []string{"/data.json", "/openapi.json", "/catalog", "/contracts-register.csv"}
)

// isPublicPath reports whether a path is under a public resource: the
// subtree itself, anything below it, or a catalogue document
// (/catalog.ttl, /catalog.jsonld, ...).
func isPublicPath(p string) bool {
	for _, prefix := range publicPaths {
		if p == prefix || strings.HasPrefix(p, prefix+"/") {
			return true
		}
	}
	return slices.Contains(publicFiles, p) || strings.HasPrefix(p, "/catalog.")
}

// hasCredentials reports whether the browser sent something that
// identifies the caller.
func hasCredentials(r *http.Request) bool {
	return r.Header.Get(echo.HeaderAuthorization) != "" || r.Header.Get("Cookie") != ""
}

func (s *Server) cors(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if !isPublicPath(r.URL.Path) {
			return next(c)
		}
		h := c.Response().Header()
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			// CORS headers go only to browsers' cross-origin reads (they send
			// Origin), so a cache in front must keep the two answers apart.
			h.Add(echo.HeaderVary, echo.HeaderOrigin)
			if r.Header.Get(echo.HeaderOrigin) != "" && !hasCredentials(r) {
				h.Set(echo.HeaderAccessControlAllowOrigin, "*")
				h.Set(echo.HeaderAccessControlExposeHeaders, corsExposed)
			}
			return next(c)
		case http.MethodOptions:
			if r.Header.Get(echo.HeaderOrigin) == "" || r.Header.Get(echo.HeaderAccessControlRequestMethod) == "" {
				return next(c) // not a preflight
			}
			h.Add(echo.HeaderVary, echo.HeaderOrigin)
			h.Add(echo.HeaderVary, echo.HeaderAccessControlRequestMethod)
			h.Add(echo.HeaderVary, echo.HeaderAccessControlRequestHeaders)
			if !preflightAllowed(r) {
				// Answered without CORS headers: the browser refuses the request.
				return next(c)
			}
			h.Set(echo.HeaderAccessControlAllowOrigin, "*")
			h.Set(echo.HeaderAccessControlAllowMethods, "GET, HEAD")
			h.Set(echo.HeaderAccessControlAllowHeaders, strings.Join(corsRequestHeaders, ", "))
			// Two hours: the most Chromium honours.
			h.Set(echo.HeaderAccessControlMaxAge, "7200")
			return c.NoContent(http.StatusNoContent)
		}
		return next(c)
	}
}

// preflightAllowed accepts a preflight for a read that sends only the
// headers above: a request that wants to send Authorization, or to write,
// is refused.
func preflightAllowed(r *http.Request) bool {
	if m := r.Header.Get(echo.HeaderAccessControlRequestMethod); m != http.MethodGet && m != http.MethodHead {
		return false
	}
	for _, v := range r.Header.Values(echo.HeaderAccessControlRequestHeaders) {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name != "" && !slices.Contains(corsRequestHeaders, name) {
				return false
			}
		}
	}
	return true
}
