package api

import (
	"crypto/sha256"
	"encoding/base64"
	"mime"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/gis/ogc"
)

// Every HTML page and SVG image this server sends, whichever handler made
// it (the open data pages, the OGC API's HTML, the decision report, Swagger
// UI under /docs, error pages, chart.svg), carries one Content-Security-
// Policy and the headers around it. They are set in one place, at the
// moment the response's headers are written, because only then is its
// Content-Type known.

// contentSecurityPolicy allows scripts, styles, fonts and fetches from this
// server only, and no inline script at all: the pages' scripts are files.
// Three inline style elements are allowed by their hashes: those of the
// decision report and of the procurement committee pages (each is saved and
// e-mailed as one file for committee papers) and the one in Swagger UI's
// logo.
// Images may also be data: URIs (Swagger UI's icons) and, when a basemap is
// configured, tiles from that one host.
func contentSecurityPolicy(basemap ogc.Basemap) string {
	img := "img-src 'self' data:"
	if basemap.Enabled() {
		img += " " + basemap.Source()
	}
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' " + cspHash(string(reportCSS)) + " " + cspHash(string(printCSS)) + " " + cspHash(swaggerLogoStyle),
		img,
		"connect-src 'self'",
		"font-src 'self'",
		"form-action 'self'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
	}, "; ")
}

// cspHash is the CSP source expression allowing one inline element whose
// text is exactly content.
func cspHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// isDocument reports whether a response of this Content-Type is rendered
// by a browser as a document that can run script or be framed.
func isDocument(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	return mt == "text/html" || mt == "application/xhtml+xml" || mt == "image/svg+xml"
}

// securityHeaders sets, on every response, X-Content-Type-Options (so a
// download served as text/csv is never sniffed into HTML), and on every
// document the CSP, frame-ancestors' older spelling X-Frame-Options, and a
// Referrer-Policy that sends other sites (such as a tile server, whose
// usage policy asks for it) the origin only, never the page's path and query.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		res := c.Response()
		res.Before(func() {
			h := res.Header()
			h.Set(echo.HeaderXContentTypeOptions, "nosniff")
			if isDocument(h.Get(echo.HeaderContentType)) {
				h.Set(echo.HeaderContentSecurityPolicy, s.csp)
				h.Set(echo.HeaderXFrameOptions, "DENY")
				h.Set(echo.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
			}
		})
		return next(c)
	}
}
