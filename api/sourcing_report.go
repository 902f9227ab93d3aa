package api

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain/sourcing"
)

//go:embed web/sourcing/report.html web/sourcing/report.css
var sourcingWeb embed.FS

var reportTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"gbp":    func(m sourcing.Money) string { return m.Display() },
	"kg":     appsrc.Kilograms,
	"points": func(d sourcing.Dec) string { return d.Fixed(1) },
	"pct":    appsrc.Percent,
}).ParseFS(sourcingWeb, "web/sourcing/report.html"))

var reportCSS = func() template.CSS {
	b, err := sourcingWeb.ReadFile("web/sourcing/report.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b)
}()

// reportPage is what the report template reads.
type reportPage struct {
	appsrc.Report
	CSS   template.CSS
	Chart template.HTML
}

// comparisonReport renders the decision report.
//
//	@Summary		Decision report of a comparison (HTML, prints on A4)
//	@Description	For a Cabinet/Executive or Joint ICT Committee paper: purpose, the officer's recommendation (with the justification when it is not the top-ranked option), options considered and rejected with every reason given, the cloud-by-default statement when the organisation's policy applies, financial and risk implications, environmental impact, whether it is a Key Decision (£50,000 or more), the chart and the assumptions with sources. The same view as GET: 404 unless the caller may read it, withheld fields marked as withheld.
//	@Tags			sourcing
//	@Produce		html
//	@Param			id	path		string	true	"comparison id"
//	@Success		200	{string}	string	"HTML"
//	@Failure		404	{object}	Problem
//	@Failure		422	{object}	Problem
//	@Router			/api/v1/comparisons/{id}/report [get]
func (a *sourcingAPI) comparisonReport(c echo.Context) error {
	rep, err := a.svc.ComparisonReport(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	// The SVG is our own output, its text escaped by ChartSVG; inlining it
	// (rather than an <img>) keeps the report one self-contained page that
	// prints with the chart.
	page := reportPage{Report: rep, CSS: reportCSS, Chart: template.HTML(rep.Chart)}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, page); err != nil {
		return err
	}
	return serveDocument(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b.Bytes())
}
