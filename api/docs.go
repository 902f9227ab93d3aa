package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
	swaggerfiles "github.com/swaggo/files/v2"

	"github.com/jointict/councilapi/api/docs"
)

// swaggerInitializer points Swagger UI at our own document. The online
// validator's badge is off: it is an image from validator.swagger.io, which
// the pages' Content-Security-Policy does not allow, and it would send the
// document's URL to a third party.
const swaggerInitializer = `window.onload = function() {
  window.ui = SwaggerUIBundle({
    url: "../openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
};
`

// swaggerLogoStyle is the one inline style element of Swagger UI: its
// standalone preset draws the logo as an SVG holding this style sheet. The
// pages' policy allows it by its hash (contentSecurityPolicy).
const swaggerLogoStyle = ".logo_small_svg__cls-2{fill:#fff}.logo_small_svg__cls-3{fill:#85ea2d}"

func (s *Server) docsRoutes() {
	e := s.Echo
	e.GET("/openapi.json", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/vnd.oai.openapi+json;version=3.1", docs.OpenAPI)
	})
	files := http.StripPrefix("/docs/", http.FileServer(http.FS(swaggerfiles.FS)))
	e.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/docs/") })
	e.GET("/docs/swagger-initializer.js", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "text/javascript; charset=utf-8", []byte(swaggerInitializer))
	})
	e.GET("/docs/*", echo.WrapHandler(files))
}
