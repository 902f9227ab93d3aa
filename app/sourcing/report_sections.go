package sourcing

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	ds "github.com/jointict/councilapi/domain/sourcing"
)

// The Cabinet or committee report follows the councils' report template
// (North East Derbyshire's, as in report PW/01/15/NB): purpose; report
// details; conclusions and reasons for the recommendation; consultation and
// equality impact; alternative options and reasons for rejection;
// implications (finance and risk, legal including data protection, human
// resources); numbered recommendations; decision information; document
// information; and whether the report is public or exempt. Each section is
// filled from the comparison and from the officer's report text; what the
// figures say is stated here, what only the officer can say is theirs.

// Alternative is one option considered and rejected, for the report's
// prose section.
type Alternative struct {
	ds.ConsideredOption
	Of int // how many options were ranked
}

// Appendix is one appendix of the report.
type Appendix struct {
	Label, Title string
}

// Sections are the report template's sections beyond purpose, finance
// text and risks (Report carries those).
type Sections struct {
	// Text is the officer's text as the reader may see it.
	Text ds.ReportText
	// MeetingDate is the meeting's date in words, "" when not given.
	MeetingDate string
	// Exempt lists the exempt information this report prints (to the
	// officers who may read it before it is released); Public is true when
	// it prints none, which a public reader's report never does.
	Exempt     []ds.ExemptField
	Paragraphs string // of Schedule 12A the exempt information falls under, "3" or "3 and 4"
	Public     bool
	// Alternatives are the options considered and rejected, by rank.
	Alternatives []Alternative
	// FinanceOption is the option the financial years are of (the
	// recommendation); FinanceYears its cash by financial year, capital and
	// revenue; FinanceTotal their sum.
	FinanceOption string
	FinanceYears  []ds.FinanceYear
	FinanceTotal  ds.FinanceYear
	// Legal and HumanResources are what the comparison itself says for
	// those implications, before the officer's words.
	Legal          []string
	HumanResources []string
	// Recommendations are numbered: the officer's, or one stated from the
	// recommended option.
	Recommendations []string
	// KeyDecisionReason says why the decision is or is not a Key Decision.
	KeyDecisionReason string
	WardsAffected     string
	Appendices        []Appendix
	BackgroundPapers  []string
}

// sections fills the template's sections of rep, whose decision,
// baseline, Key Decision and view are already set.
func sections(rep *Report, full ComparisonRecord) {
	view := rep.Comparison
	sec := &rep.Sections
	sec.Text = view.Report
	if d, err := time.Parse(time.DateOnly, sec.Text.MeetingDate); err == nil {
		sec.MeetingDate = d.Format("2 January 2006")
	}
	if view.Access.Full {
		var paras []int
		for _, e := range full.Exempt {
			if e.Withheld() {
				sec.Exempt = append(sec.Exempt, e)
				if !slices.Contains(paras, e.Paragraph) {
					paras = append(paras, e.Paragraph)
				}
			}
		}
		slices.Sort(paras)
		sec.Paragraphs = joinAnd(paras)
	}
	sec.Public = len(sec.Exempt) == 0
	if d := rep.Decision; d != nil {
		for _, o := range d.Options {
			if !o.Recommended {
				sec.Alternatives = append(sec.Alternatives, Alternative{ConsideredOption: o, Of: len(d.Options)})
			}
		}
		sec.FinanceOption = d.Recommended.Name
		sec.FinanceYears = ds.FinancialYears(d.Recommended)
		sec.FinanceTotal = ds.FinanceTotal(sec.FinanceYears)
		sec.Legal = legalFacts(view.ComparisonRecord, d.Recommended)
		sec.HumanResources = staffFacts(view.ComparisonRecord, d.Recommended, rep.Baseline)
	}
	sec.Recommendations = slices.Clone(sec.Text.Recommendations)
	if len(sec.Recommendations) == 0 {
		sec.Recommendations = statedRecommendations(rep)
	}
	sec.KeyDecisionReason = keyDecisionReason(rep)
	sec.WardsAffected = sec.Text.WardsAffected
	if strings.TrimSpace(sec.WardsAffected) == "" {
		sec.WardsAffected = "All"
	}
	sec.Appendices = []Appendix{{"A", "Options appraisal: each option's figures, reasons and chart"}, {"B", "Assumptions and sources"}}
	for i, a := range sec.Text.Appendices {
		sec.Appendices = append(sec.Appendices, Appendix{Label: string(rune('C' + i)), Title: a})
	}
	sec.BackgroundPapers = append(slices.Clone(sec.Text.BackgroundPapers),
		fmt.Sprintf("Sourcing comparison %s, “%s”, computed with factor set %s (its CSV and XLSX exports hold every figure)",
			view.ID, view.Result.Title, view.FactorSetVersion))
}

// statedRecommendations is the report's recommendation when the officer
// has worded none: approve the recommended option at its cost.
func statedRecommendations(rep *Report) []string {
	body := cmp.Or(strings.TrimSpace(rep.Sections.Text.Meeting), "the decision maker")
	d := rep.Decision
	if d == nil {
		return []string{fmt.Sprintf("That %s approves the recommended option, which is withheld from this report as exempt information until it is released.", body)}
	}
	res := rep.Comparison.Result
	return []string{
		fmt.Sprintf("That %s approves %s for %s over the %d years from %d to %d, at a whole-life cost of %s excluding VAT (net present value %s).",
			body, d.Recommended.Name, res.Title, res.HorizonYears, res.StartYear, rep.LastYear,
			d.Recommended.Summary.WholeLifeCost.Display(), d.Recommended.Summary.NPV.Display()),
		fmt.Sprintf("That %s notes the options considered and rejected, and the reasons for rejecting them (section 4 and Appendix A).", body),
	}
}

func keyDecisionReason(rep *Report) string {
	var why []string
	if rep.KeyDecisionOnCost {
		why = append(why, fmt.Sprintf("the recommended option's whole-life cost is %s or more", rep.Threshold.Display()))
	}
	if rep.Sections.Text.SignificantInTwoOrMoreWards {
		why = append(why, "its effect on communities in two or more wards is significant")
	}
	if len(why) == 0 {
		return fmt.Sprintf("No: the recommended option's whole-life cost is below %s and its effect on communities in two or more wards is not significant.", rep.Threshold.Display())
	}
	return "Yes: " + strings.Join(why, ", and ") + "."
}

// legalFacts states the route to contract the recommended option takes.
func legalFacts(c ComparisonRecord, rec ds.OptionResult) []string {
	var out []string
	i := slices.IndexFunc(c.Input.CloudOptions, func(o ds.CloudOption) bool { return o.ID == rec.ID })
	if i < 0 {
		return nil
	}
	o := c.Input.CloudOptions[i]
	fw := o.FrameworkSlug
	until := o.FrameworkExpiry
	if f, ok := ds.LookupFramework(o.FrameworkSlug); ok {
		fw = fmt.Sprintf("%s (Crown Commercial Service agreement %s)", f.Name, f.Reference)
		until = cmp.Or(until, f.Expiry)
	}
	t := fmt.Sprintf("%s is a G-Cloud service", rec.Name)
	if o.SupplierName != "" {
		t += " of " + o.SupplierName
	}
	if fw != "" {
		t += " on " + fw
	}
	t += ": the council would award a call-off contract under the framework's terms, by direct award from a shortlist kept with its search terms and filters, without a further competition"
	if until != "" {
		t += fmt.Sprintf("; call-offs can be made under the framework until %s", until)
	}
	out = append(out, t+".")
	return out
}

// staffFacts states the council staff each side of the recommendation assumes.
func staffFacts(c ComparisonRecord, rec ds.OptionResult, base *ds.OptionResult) []string {
	staff := func(id string) (ds.SharedCosts, bool) {
		for _, o := range c.Input.CloudOptions {
			if o.ID == id {
				return o.SharedCosts, true
			}
		}
		for _, o := range c.Input.OnPremOptions {
			if o.ID == id {
				return o.SharedCosts, true
			}
		}
		return ds.SharedCosts{}, false
	}
	describe := func(name string, s ds.SharedCosts) string {
		if s.StaffFTE == 0 {
			return fmt.Sprintf("%s assumes no council staff time costed to it", name)
		}
		return fmt.Sprintf("%s assumes %s full-time equivalent posts at a loaded cost of £%s a post a year", name, s.StaffFTE.String(), s.StaffCostPerFTE.Fixed(2))
	}
	r, ok := staff(rec.ID)
	if !ok {
		return nil
	}
	t := describe("The recommended option, "+rec.Name+",", r)
	if base != nil && base.ID != rec.ID {
		if b, ok := staff(base.ID); ok {
			t += "; " + describe("keeping "+base.Name, b)
		}
	}
	return []string{t + "."}
}

func joinAnd(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = fmt.Sprint(n)
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}
