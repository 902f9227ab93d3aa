package api

import (
	"bytes"
	"html/template"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue/csw"
)

// inspireAPI serves the GEMINI records of app/inspire: single documents, a
// Web Accessible Folder and CSW 2.0.2.
type inspireAPI struct {
	s *Server
}

func (s *Server) inspireRoutes() {
	a := &inspireAPI{s: s}
	e := s.Echo
	e.GET("/inspire/records/:file", a.record)
	e.GET("/inspire/waf", func(c echo.Context) error {
		// The folder's links are relative, so they need the trailing slash.
		return c.Redirect(http.StatusMovedPermanently, "/inspire/waf/")
	})
	e.GET("/inspire/waf/", a.waf)
	e.GET("/inspire/waf/:file", a.record)
	e.GET("/csw", a.csw)
	e.POST("/csw", a.csw)
}

// record serves one GEMINI document, {fileIdentifier}.xml.
func (a *inspireAPI) record(c echo.Context) error {
	fileID, ok := strings.CutSuffix(c.Param("file"), ".xml")
	if !ok {
		return newProblem("not-found", "INSPIRE records are served as {fileIdentifier}.xml")
	}
	set, err := a.s.app.Inspire.Records(c.Request().Context(), a.s.baseURL(c))
	if err != nil {
		return err
	}
	rec, ok := set.Find(fileID)
	if !ok {
		return newProblem("not-found", "no published spatial dataset or service has a complete GEMINI record with file identifier "+fileID+
			"; a dataset's geminiMissing (GET /api/v1/datasets/{id}) names what its record still lacks")
	}
	c.Response().Header().Set("Last-Modified", rec.Modified.Format(http.TimeFormat))
	return c.Blob(http.StatusOK, "application/xml; charset=UTF-8", rec.XML)
}

var wafPage = template.Must(template.New("waf").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>INSPIRE metadata records (UK GEMINI 2.3)</title>
<style>body{font-family:system-ui,sans-serif;color:#0b0c0c;max-width:60rem;margin:2rem auto;padding:0 1rem}a{color:#1d4f91}</style>
</head>
<body>
<main>
<h1>INSPIRE metadata records</h1>
<p>UK GEMINI 2.3 records of the published spatial datasets and their download service, for harvesting as a Web Accessible Folder. The same records are served by the <a href="{{.CSW}}">CSW 2.0.2 catalogue</a>.</p>
<ul>
{{range .Records}}<li><a href="{{.Identifier}}.xml">{{.Identifier}}.xml</a> {{.Title}}</li>
{{end}}</ul>
</main>
</body>
</html>
`))

// waf lists every complete record as a plain link with a bare file name,
// which is what the gemini-waf harvester follows.
func (a *inspireAPI) waf(c echo.Context) error {
	base := a.s.baseURL(c)
	set, err := a.s.app.Inspire.Records(c.Request().Context(), base)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := wafPage.Execute(&buf, map[string]any{"Records": set.Records, "CSW": base + "/csw"}); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, buf.Bytes())
}

// csw answers CSW 2.0.2 requests (KVP GET, XML POST) over the same records.
func (a *inspireAPI) csw(c echo.Context) error {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return newProblem("too-large", "the request body could not be read: "+err.Error())
	}
	base := a.s.baseURL(c)
	cat := a.s.app.Inspire.Catalogue(c.Request().Context(), base)
	status, ctype, out := csw.Handle(c.Request().Context(), cat, base+"/csw", c.Request().Method, c.QueryParams(), body)
	return c.Blob(status, ctype, out)
}
