package sourcing

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain/money"
	ds "github.com/jointict/councilapi/domain/sourcing"
)

// KeyDecisionThreshold is the spending at which an executive decision is a
// Key Decision under the councils' constitutions: £50,000.
const KeyDecisionThreshold = ds.Money(5_000_000)

// Report is what the decision report of a comparison says, built from the
// same view of the comparison the reader gets as JSON: a public reader's
// report never prints a withheld field.
type Report struct {
	Comparison       ComparisonView
	OrganisationName string
	// Date is the decision's date, or the comparison's while it is a draft.
	Date    string
	Purpose string
	// Decision is the officer's recommendation against the ranking, every
	// option with its reason, and the cloud-by-default check when the
	// policy applies. Nil when the recommended option itself is withheld.
	Decision               *ds.Decision
	RecommendationWithheld bool
	Baseline               *ds.OptionResult
	Policy                 ds.Policy
	// KeyDecision is true when the recommended option costs Threshold or
	// more (KeyDecisionOnCost) or the officer states that its effect on two
	// or more wards is significant.
	KeyDecision       bool
	KeyDecisionOnCost bool
	Threshold         ds.Money
	Risks             []string
	Finance           string
	Environment       string
	LastYear          int
	Chart             []byte
	// Sections are the rest of the councils' report template.
	Sections
}

// ComparisonReport gathers the decision report of a comparison.
func (s *Service) ComparisonReport(ctx context.Context, a audit.Actor, id string) (Report, error) {
	r, err := s.readComparison(ctx, a, id)
	if err != nil {
		return Report{}, err
	}
	view := r.view()
	policy := ds.Policy{}
	if r.rec.DecidedPolicy != nil {
		policy = *r.rec.DecidedPolicy
	} else if policy, err = s.Policy(ctx, r.rec.Organisation); err != nil {
		return Report{}, err
	}
	res := view.Result
	rep := Report{Comparison: view, OrganisationName: s.organisationName(ctx, r.rec.Organisation), Policy: policy,
		Date: r.rec.CreatedAt.Format("2 January 2006"), Threshold: KeyDecisionThreshold,
		LastYear: res.StartYear + res.HorizonYears - 1, Chart: ds.ChartSVG(res)}
	if d := r.rec.Decided; d != nil {
		rep.Date = d.At.Format("2 January 2006")
	}
	for i := range res.Options {
		if res.Options[i].ID == res.BaselineID {
			rep.Baseline = &res.Options[i]
		}
	}
	if rep.Decision, err = decisionOf(view, policy); err != nil {
		// A draft whose organisation has since changed its policy, say: the
		// problem names what the officer must add.
		return Report{}, unprocessable(err)
	}
	rep.RecommendationWithheld = rep.Decision == nil
	// Whether the spending is a Key Decision is a published fact (the
	// Forward Plan), so it is judged on the whole record even when the
	// recommended option's figures are withheld.
	if full, ok := r.rec.Recommendation.Recommended(r.rec.Result); ok {
		rep.KeyDecisionOnCost = full.Summary.WholeLifeCost >= KeyDecisionThreshold
	}
	rep.KeyDecision = rep.KeyDecisionOnCost || view.Report.SignificantInTwoOrMoreWards
	rep.Purpose = view.Purpose
	if rep.Purpose == "" {
		rep.Purpose = fmt.Sprintf("To decide how %s should provide “%s” for the %d years from %d to %d, comparing the G-Cloud services shortlisted with the council's own infrastructure on whole-life cost, carbon emissions and best value (most advantageous tender).",
			rep.OrganisationName, res.Title, res.HorizonYears, res.StartYear, rep.LastYear)
	}
	if rep.Decision != nil {
		rep.Finance = financeText(res, rep.Decision.Recommended, rep.Baseline)
		rep.Environment = environmentText(rep.Decision.Recommended, rep.Baseline)
	} else {
		withheld := "The recommended option is withheld as exempt information until it is released; its costs and emissions are not shown."
		rep.Finance, rep.Environment = withheld, withheld
	}
	rep.Risks = reportRisks(view.ComparisonRecord)
	sections(&rep, r.rec)
	return rep, nil
}

// decisionOf is the decision the view supports. A public view lacks the
// withheld fields: their text reads as withheld, and an option withheld as
// a whole (a supplier's quote) is left out, so when it is the option ranked
// first the remaining ones are judged as ranked among themselves and their
// reasons name only their own rank.
func decisionOf(view ComparisonView, policy ds.Policy) (*ds.Decision, error) {
	rec := view.Recommendation
	rec.RejectionReasons = maps.Clone(rec.RejectionReasons)
	res := view.Result
	for _, w := range view.Withheld {
		text := fmt.Sprintf("[Withheld: exempt information under paragraph %d of Schedule 12A to the Local Government Act 1972. %s]", w.Paragraph, w.Reason)
		switch w.Field {
		case "justification":
			rec.Justification = text
		case "serviceReasons":
			rec.ServiceReasons = text
		}
		if id, ok := strings.CutPrefix(w.Field, "rejectionReasons."); ok {
			if _, present := res.Option(id); present {
				if rec.RejectionReasons == nil {
					rec.RejectionReasons = map[string]string{}
				}
				rec.RejectionReasons[id] = text
			}
		}
	}
	if _, ok := rec.Recommended(res); !ok {
		return nil, nil
	}
	_, hasTop := res.TopRanked()
	ranks := map[string]int{}
	if !hasTop {
		res.Options = slices.Clone(res.Options)
		best := 0
		for i, o := range res.Options {
			ranks[o.ID] = o.Summary.Rank
			if o.Summary.Rank < res.Options[best].Summary.Rank {
				best = i
			}
		}
		res.Options[best].Summary.Rank = 1
	}
	d, err := rec.Decide(res, policy)
	if err != nil {
		return nil, err
	}
	if !hasTop {
		d.TopRanked, d.FollowsRank = ds.OptionResult{}, false
		d.Recommended.Summary.Rank = ranks[d.Recommended.ID]
		for i := range d.Options {
			o := &d.Options[i]
			o.Summary.Rank = ranks[o.ID]
			if !o.Recommended && !o.ReasonGiven {
				o.Reason = fmt.Sprintf("Ranked %d on best value.", o.Summary.Rank)
			}
		}
	}
	return &d, nil
}

func financeText(r ds.Result, rec ds.OptionResult, base *ds.OptionResult) string {
	s := rec.Summary
	t := fmt.Sprintf("The recommended option costs %s over the %d years (cash, at the indexation assumed), a net present value of %s at a discount rate of %s a year (HM Treasury Green Book). All figures exclude VAT.",
		s.WholeLifeCost.Display(), r.HorizonYears, s.NPV.Display(), Percent(r.DiscountRate))
	if base == nil || base.ID == rec.ID {
		return t
	}
	if s.SavingVsBaseline >= 0 {
		t += fmt.Sprintf(" Against keeping %s it saves %s in present value (%s in cash)", base.Name, s.SavingVsBaseline.Display(), s.SavingVsBaselineNominal.Display())
	} else {
		t += fmt.Sprintf(" It costs %s more in present value than keeping %s (%s in cash)", (-s.SavingVsBaseline).Display(), base.Name, (-s.SavingVsBaselineNominal).Display())
	}
	if s.BreakEvenYear != nil {
		t += fmt.Sprintf(", and breaks even in %d.", *s.BreakEvenYear)
	} else {
		t += ", and does not break even within the horizon."
	}
	return t
}

// Percent shows a fraction as a percentage: 0.035 is "3.5%".
func Percent(d ds.Dec) string {
	return strings.TrimSuffix(strings.TrimRight(d.MulInt(100).Fixed(2), "0"), ".") + "%"
}

// Kilograms shows a quantity rounded to whole units with thousands separators.
func Kilograms(d ds.Dec) string {
	digits := d.Fixed(0)
	if neg, ok := strings.CutPrefix(digits, "-"); ok {
		return "-" + money.GroupThousands(neg)
	}
	return money.GroupThousands(digits)
}

func environmentText(rec ds.OptionResult, base *ds.OptionResult) string {
	s := rec.Summary
	t := fmt.Sprintf("The recommended option is estimated to use %s kWh and emit %s kgCO2e over the horizon (%s operational, %s embodied in hardware), an environmental score of %s out of 100.",
		Kilograms(s.EnergyKWh), Kilograms(s.TotalKgCO2e), Kilograms(s.OperationalKgCO2e), Kilograms(s.EmbodiedKgCO2e), s.EnvironmentalScore.Fixed(1))
	if base != nil && base.ID != rec.ID && base.Summary.TotalKgCO2e > 0 {
		diff := base.Summary.TotalKgCO2e - s.TotalKgCO2e
		share := diff.MulInt(100).Div(base.Summary.TotalKgCO2e)
		if diff >= 0 {
			t += fmt.Sprintf(" That is %s kgCO2e (%s%%) less than %s.", Kilograms(diff), share.Fixed(0), base.Name)
		} else {
			t += fmt.Sprintf(" That is %s kgCO2e (%s%%) more than %s.", Kilograms(-diff), (-share).Fixed(0), base.Name)
		}
	}
	return t
}

// reportRisks gathers the officer's risk notes and those the inputs imply.
func reportRisks(c ComparisonRecord) []string {
	out := slices.Clone(c.Risks)
	for _, o := range c.Input.CloudOptions {
		switch o.PriceBasis {
		case ds.BasisMin:
			if o.PriceMax != nil && *o.PriceMax > o.PriceMin {
				out = append(out, fmt.Sprintf("%s is costed at its lowest published G-Cloud price (£%s per %s); the published range goes to £%s, so a quotation may cost more.",
					o.Name, unitPrice(o.PriceMin), strings.ToLower(o.PriceUnit), unitPrice(*o.PriceMax)))
			}
		case ds.BasisQuote:
			out = append(out, fmt.Sprintf("%s is costed at a quoted price that should be confirmed in the call-off contract.", o.Name))
		}
	}
	for _, f := range c.Result.Flags {
		if f.Code != "key-decision" { // the report has a section of its own for it
			out = append(out, sentence(f.Message))
		}
	}
	out = append(out, "Costs after year 0 rest on the indexation and demand growth assumed (see the assumptions); a change in either moves every option's figures.")
	return out
}

// sentence starts a flag's message, written to follow a code, with a capital.
func sentence(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// unitPrice shows a unit price with at least pence, keeping finer digits
// (G-Cloud prices may have up to five decimal places).
func unitPrice(d ds.Dec) string {
	if s := d.String(); strings.Contains(s, ".") && len(s)-strings.LastIndexByte(s, '.') > 3 {
		return s
	}
	return d.Fixed(2)
}

// ComparisonChart draws the comparison as the reader may see it (SVG).
func (s *Service) ComparisonChart(ctx context.Context, a audit.Actor, id string) ([]byte, error) {
	r, err := s.readComparison(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return ds.ChartSVG(r.view().Result), nil
}

// Comparison export formats.
const (
	ExportCSV  = "csv"
	ExportXLSX = "xlsx"
)

// ComparisonExport writes the figures of the comparison as the reader may
// see them, as CSV or XLSX.
func (s *Service) ComparisonExport(ctx context.Context, a audit.Actor, id, format string) ([]byte, error) {
	r, err := s.readComparison(ctx, a, id)
	if err != nil {
		return nil, err
	}
	res := r.view().Result
	var b bytes.Buffer
	switch format {
	case ExportCSV:
		err = ds.WriteComparisonCSV(&b, res)
	case ExportXLSX:
		err = ds.WriteComparisonXLSX(&b, res)
	default:
		err = fmt.Errorf("sourcing: no comparison export format %q", format)
	}
	return b.Bytes(), err
}
