package api

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
)

//go:embed web/sourcing/report.html web/sourcing/report.css
var sourcingWeb embed.FS

var reportTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"gbp":    gbp,
	"kg":     func(d sourcing.Dec) string { return groupThousands(d.Fixed(0)) },
	"points": func(d sourcing.Dec) string { return d.Fixed(1) },
	"pct": func(d sourcing.Dec) string {
		return strings.TrimSuffix(strings.TrimRight(d.MulInt(100).Fixed(2), "0"), ".") + "%"
	},
	"inc": func(i int) int { return i + 1 },
}).ParseFS(sourcingWeb, "web/sourcing/report.html"))

var reportCSS = func() template.CSS {
	b, err := sourcingWeb.ReadFile("web/sourcing/report.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b)
}()

// keyDecisionThreshold is the spending at which an executive decision is a
// Key Decision under the councils' constitutions: £50,000.
const keyDecisionThreshold = sourcing.Money(5_000_000)

// reportOption is one row of "options considered".
type reportOption struct {
	sourcing.OptionResult
	Recommended bool
	Reason      string
	Baseline    bool
}

type reportData struct {
	CSS              template.CSS
	Chart            template.HTML
	Record           comparisonRecord
	Result           sourcing.Result
	OrganisationName string
	Date             string
	Purpose          string
	Options          []reportOption
	Top              sourcing.OptionResult
	Baseline         *sourcing.OptionResult
	KeyDecision      bool
	Threshold        string
	Risks            []string
	Environment      string
	Finance          string
	LastYear         int
}

// comparisonReport renders the decision report.
//
//	@Summary		Decision report of a comparison (HTML, prints on A4)
//	@Description	For a Cabinet/Executive or Joint ICT Committee paper: purpose, options considered and rejected with reasons, financial and risk implications, environmental impact, recommendation, whether it is a Key Decision (£50,000 or more), the chart and the assumptions with sources.
//	@Tags			sourcing
//	@Produce		html
//	@Param			id	path		string	true	"comparison id"
//	@Success		200	{string}	string	"HTML"
//	@Failure		404	{object}	Problem
//	@Router			/api/v1/comparisons/{id}/report [get]
func (a *sourcingAPI) comparisonReport(c echo.Context) error {
	_, cr, err := a.loadComparison(c)
	if err != nil {
		return err
	}
	orgName := cr.Organisation
	if rec, err := a.s.store.Get(c.Request().Context(), collOrganisations, cr.Organisation); err == nil {
		var o domain.Organisation
		if rec.Decode(&o) == nil && o.Name != "" {
			orgName = o.Name
		}
	}
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, buildReport(cr, orgName)); err != nil {
		return err
	}
	return c.HTMLBlob(http.StatusOK, b.Bytes())
}

func buildReport(cr comparisonRecord, orgName string) reportData {
	r := cr.Result
	d := reportData{CSS: reportCSS, Record: cr, Result: r, OrganisationName: orgName,
		Date: cr.CreatedAt.Format("2 January 2006"), Threshold: gbp(keyDecisionThreshold),
		LastYear: r.StartYear + r.HorizonYears - 1}
	// The SVG is our own output, its text escaped by ChartSVG; inlining it
	// (rather than an <img>) keeps the report one self-contained page that
	// prints with the chart.
	d.Chart = template.HTML(sourcing.ChartSVG(r))
	d.Top, _ = topRanked(r)
	for i := range r.Options {
		if r.Options[i].ID == r.BaselineID {
			d.Baseline = &r.Options[i]
		}
	}
	d.Purpose = cr.Purpose
	if d.Purpose == "" {
		d.Purpose = fmt.Sprintf("To decide how %s should provide “%s” for the %d years from %d to %d, comparing the G-Cloud services shortlisted with the council's own infrastructure on whole-life cost, carbon emissions and best value (most advantageous tender).",
			orgName, r.Title, r.HorizonYears, r.StartYear, d.LastYear)
	}
	for _, o := range byRank(r.Options) {
		ro := reportOption{OptionResult: o, Recommended: o.ID == d.Top.ID, Baseline: o.ID == r.BaselineID}
		if !ro.Recommended {
			ro.Reason = cr.RejectionReasons[o.ID]
			if ro.Reason == "" {
				ro.Reason = fmt.Sprintf("Ranked %d of %d: %s best-value points against %s for %s; NPV %s, %s than the recommended option.",
					o.Summary.Rank, len(r.Options), o.Summary.BestValueScore.Fixed(1), d.Top.Summary.BestValueScore.Fixed(1), d.Top.Name,
					gbp(o.Summary.NPV), moreOrLess(o.Summary.NPV-d.Top.Summary.NPV))
			}
		}
		d.Options = append(d.Options, ro)
	}
	d.KeyDecision = d.Top.Summary.WholeLifeCost >= keyDecisionThreshold
	d.Finance = financeText(r, d.Top, d.Baseline)
	d.Environment = environmentText(d.Top, d.Baseline)
	d.Risks = reportRisks(cr)
	return d
}

func byRank(opts []sourcing.OptionResult) []sourcing.OptionResult {
	out := make([]sourcing.OptionResult, len(opts))
	copy(out, opts)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Summary.Rank < out[j-1].Summary.Rank; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func moreOrLess(diff sourcing.Money) string {
	if diff < 0 {
		return gbp(-diff) + " less"
	}
	return gbp(diff) + " more"
}

func financeText(r sourcing.Result, top sourcing.OptionResult, base *sourcing.OptionResult) string {
	s := top.Summary
	t := fmt.Sprintf("The recommended option costs %s over the %d years (cash, at the indexation assumed), a net present value of %s at a discount rate of %s a year (HM Treasury Green Book). All figures exclude VAT.",
		gbp(s.WholeLifeCost), r.HorizonYears, gbp(s.NPV), strings.TrimSuffix(strings.TrimRight(r.DiscountRate.MulInt(100).Fixed(2), "0"), ".")+"%")
	if base == nil || base.ID == top.ID {
		return t
	}
	if s.SavingVsBaseline >= 0 {
		t += fmt.Sprintf(" Against keeping %s it saves %s in present value (%s in cash)", base.Name, gbp(s.SavingVsBaseline), gbp(s.SavingVsBaselineNominal))
	} else {
		t += fmt.Sprintf(" It costs %s more in present value than keeping %s (%s in cash)", gbp(-s.SavingVsBaseline), base.Name, gbp(-s.SavingVsBaselineNominal))
	}
	if s.BreakEvenYear != nil {
		t += fmt.Sprintf(", and breaks even in %d.", *s.BreakEvenYear)
	} else {
		t += ", and does not break even within the horizon."
	}
	return t
}

func environmentText(top sourcing.OptionResult, base *sourcing.OptionResult) string {
	s := top.Summary
	t := fmt.Sprintf("The recommended option is estimated to use %s kWh and emit %s kgCO2e over the horizon (%s operational, %s embodied in hardware), an environmental score of %s out of 100.",
		groupThousands(s.EnergyKWh.Fixed(0)), groupThousands(s.TotalKgCO2e.Fixed(0)), groupThousands(s.OperationalKgCO2e.Fixed(0)), groupThousands(s.EmbodiedKgCO2e.Fixed(0)), s.EnvironmentalScore.Fixed(1))
	if base != nil && base.ID != top.ID && base.Summary.TotalKgCO2e > 0 {
		diff := base.Summary.TotalKgCO2e - s.TotalKgCO2e
		share := diff.MulInt(100).Div(base.Summary.TotalKgCO2e)
		if diff >= 0 {
			t += fmt.Sprintf(" That is %s kgCO2e (%s%%) less than %s.", groupThousands(diff.Fixed(0)), share.Fixed(0), base.Name)
		} else {
			t += fmt.Sprintf(" That is %s kgCO2e (%s%%) more than %s.", groupThousands((-diff).Fixed(0)), (-share).Fixed(0), base.Name)
		}
	}
	return t
}

// reportRisks gathers the officer's risk notes and those the inputs imply.
func reportRisks(cr comparisonRecord) []string {
	out := append([]string(nil), cr.Risks...)
	for _, o := range cr.Input.CloudOptions {
		switch o.PriceBasis {
		case sourcing.BasisMin:
			if o.PriceMax != nil && *o.PriceMax > o.PriceMin {
				out = append(out, fmt.Sprintf("%s is costed at its lowest published G-Cloud price (£%s per %s); the published range goes to £%s, so a quotation may cost more.",
					o.Name, unitPrice(o.PriceMin), strings.ToLower(o.PriceUnit), unitPrice(*o.PriceMax)))
			}
		case sourcing.BasisQuote:
			out = append(out, fmt.Sprintf("%s is costed at a quoted price that should be confirmed in the call-off contract.", o.Name))
		}
	}
	var gridYears []string
	for _, f := range cr.Result.Flags {
		switch f.Code {
		case "grid-factor-year":
			gridYears = append(gridYears, f.Message)
		case "key-decision":
		default:
			out = append(out, f.Message)
		}
	}
	if len(gridYears) > 0 {
		out = append(out, fmt.Sprintf("Emissions for %d of the %d years use the latest published DESNZ grid factor in factor set %s, as later years are not yet published; the grid is expected to decarbonise, so later emissions are likely overstated.",
			len(gridYears), cr.Result.HorizonYears, cr.FactorSetVersion))
	}
	out = append(out, "Costs after year 0 rest on the indexation and demand growth assumed (see the assumptions); a change in either moves every option's figures.")
	return out
}

// unitPrice shows a unit price with at least pence, keeping finer digits
// (G-Cloud prices may have up to five decimal places).
func unitPrice(d sourcing.Dec) string {
	if s := d.String(); len(s)-strings.LastIndexByte(s, '.') > 3 && strings.Contains(s, ".") {
		return s
	}
	return d.Fixed(2)
}

// gbp formats an amount as £1,234.56 (or −£1,234.56).
func gbp(m sourcing.Money) string {
	s := m.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	out := "£" + groupThousands(whole) + "." + frac
	if neg {
		return "−" + out
	}
	return out
}

func groupThousands(digits string) string {
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}
