package api

import (
	"bytes"
	"context"
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/audit"
	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/domain/sourcing"
)

//go:embed web/sourcing/report.html web/sourcing/report.css
var sourcingWeb embed.FS

var reportTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"gbp":    func(m sourcing.Money) string { return m.Display() },
	"kg":     appsrc.Kilograms,
	"points": func(d sourcing.Dec) string { return d.Fixed(1) },
	"pct":    appsrc.Percent,
	"paras":  paragraphs,
	"inc":    func(i int) int { return i + 1 },
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
	// Split is the recommended option's cash by financial year shared
	// between the partners of the linked joint procurement; nil when the
	// comparison links none.
	Split *partnerSplit
}

// partnerSplit is the per-partner table of the financial implications.
type partnerSplit struct {
	Reference string
	Partners  []splitPartner
	Years     []splitYear
	Total     splitYear
	// Problem says why the split cannot be shown (the share basis is
	// incomplete, or the reader may not see the procurement).
	Problem string
}

type splitPartner struct {
	Name    string
	Percent procurement.Percent
}

type splitYear struct {
	Year    procurement.FinancialYear
	Amounts []sourcing.Money
	Total   sourcing.Money
}

// comparisonReport renders the decision report.
//
//	@Summary		Cabinet or committee report of a comparison (HTML, prints on A4)
//	@Description	Follows the councils' report template: purpose; report details; conclusions and reasons for the recommendation (the cloud-by-default statement when the organisation's policy applies); consultation and equality impact; alternative options and reasons for rejection; implications (finance and risk by financial year with capital and revenue, and per partner when linked to a joint procurement; legal including data protection; human resources; environmental); numbered recommendations; decision information (Key Decision: £50,000 or more, or significant in two or more wards; wards affected; corporate plan priorities); document information (appendices, background papers, author, contact); and "This report is public" or the exempt paragraph of Schedule 12A. Sections are filled from the comparison and from the officer's report text. Appendix A has the figures and the chart, Appendix B the assumptions with sources. The same view as GET: 404 unless the caller may read it, withheld fields marked as withheld.
//	@Tags			sourcing
//	@Produce		html
//	@Param			id	path		string	true	"comparison id"
//	@Success		200	{string}	string	"HTML"
//	@Failure		404	{object}	Problem
//	@Failure		422	{object}	Problem
//	@Router			/api/v1/comparisons/{id}/report [get]
func (a *sourcingAPI) comparisonReport(c echo.Context) error {
	return a.s.serveReport(c, c.Param("id"))
}

// serveReport writes the report of a comparison as the caller may see it:
// one self-contained document (style inlined, chart inlined), so it prints
// the same from the server, a saved file or an e-mail attachment.
func (s *Server) serveReport(c echo.Context, id string) error {
	ctx, who := c.Request().Context(), actor(c)
	rep, err := s.app.Sourcing.ComparisonReport(ctx, who, id)
	if err != nil {
		return err
	}
	// The SVG is our own output, its text escaped by ChartSVG; inlining it
	// (rather than an <img>) keeps the report one self-contained page that
	// prints with the chart.
	page := reportPage{Report: rep, CSS: reportCSS, Chart: template.HTML(rep.Chart)}
	if jp := rep.Comparison.JointProcurement; jp != "" && rep.Comparison.Access.Full && rep.Decision != nil {
		page.Split = s.partnerSplit(ctx, who, jp, rep.FinanceYears)
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, page); err != nil {
		return err
	}
	return serveDocument(c, http.StatusOK, echo.MIMETextHTMLCharsetUTF8, b.Bytes())
}

// partnerSplit shares each financial year's cash between the parties of
// the joint procurement, by the procurement's own share basis, to the
// penny (the largest remainder, as the register splits its costs).
func (s *Server) partnerSplit(ctx context.Context, who audit.Actor, id string, years []sourcing.FinanceYear) *partnerSplit {
	out := &partnerSplit{Reference: id}
	if p, err := s.app.Procurement.Get(ctx, who, id); err == nil && p.Reference != "" {
		out.Reference = p.Reference
	}
	sh, err := s.app.Procurement.Shares(ctx, who, id)
	if err != nil {
		out.Problem = "The split between the partners cannot be shown: " + strings.TrimSuffix(err.Error(), ".") + "."
		return out
	}
	orgs := make([]string, len(sh.Shares))
	weights := make([]int64, len(sh.Shares))
	for i, x := range sh.Shares {
		orgs[i], weights[i] = x.Organisation, int64(x.Percent)
		name := x.Organisation
		if o, _, err := s.app.Identity.Organisation(ctx, x.Organisation); err == nil && o.Name != "" {
			name = o.Name
		}
		out.Partners = append(out.Partners, splitPartner{Name: name, Percent: x.Percent})
	}
	out.Total.Amounts = make([]sourcing.Money, len(orgs))
	for _, y := range years {
		row := splitYear{Year: y.Year, Amounts: procurement.Allocate(y.Total, orgs, weights), Total: y.Total}
		for i, v := range row.Amounts {
			out.Total.Amounts[i] += v
		}
		out.Total.Total += y.Total
		out.Years = append(out.Years, row)
	}
	return out
}
