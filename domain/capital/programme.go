// Package capital builds each partner's rolling five-year capital
// investment programme, by financial year: its share of approved sourcing
// comparisons and joint procurements, the estate refresh needs no
// procurement covers yet, and manual lines, split into capital and revenue
// and funded and unfunded. Reviews freeze versioned, dated snapshots that
// the current programme is compared with. It is pure: dates are inputs.
package capital

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/estate"
	"github.com/jointict/councilapi/domain/procurement"
)

// Years is the length of the rolling programme.
const Years = 5

// Kind is what money is spent on; it decides the default nature.
type Kind string

const (
	Hardware         Kind = "hardware"
	PerpetualLicence Kind = "perpetualLicence"
	Subscription     Kind = "subscription"
	Service          Kind = "service"
	Other            Kind = "other"
)

// Kinds lists the valid kinds.
var Kinds = []Kind{Hardware, PerpetualLicence, Subscription, Service, Other}

// Nature is capital or revenue.
type Nature string

const (
	Capital Nature = "capital"
	Revenue Nature = "revenue"
)

// DefaultNature: hardware and perpetual licences are assets the council
// owns (capital); subscriptions, services and anything else are revenue.
func (k Kind) DefaultNature() Nature {
	if k == Hardware || k == PerpetualLicence {
		return Capital
	}
	return Revenue
}

// CashLine is one kind of spend by financial year, before any share.
// Nature and Funded override the defaults for this line (a leased laptop
// estate is revenue; a bid not yet in the budget is unfunded).
type CashLine struct {
	ID          string                   `json:"id"`
	Description string                   `json:"description"`
	Kind        Kind                     `json:"kind"`
	Nature      Nature                   `json:"nature,omitempty"`
	Funded      *bool                    `json:"funded,omitempty"`
	Amounts     []procurement.YearAmount `json:"amounts"`
}

// Comparison is an approved sourcing comparison as its cash lines (the
// sourcing domain keeps its own model; this is what the programme needs).
// One linked to a joint procurement (its Comparison field) is shared like
// the procurement; otherwise it is wholly Organisation's.
type Comparison struct {
	ID             string           `json:"id"`
	Title          string           `json:"title"`
	Organisation   string           `json:"organisation"`
	ApprovedOn     procurement.Date `json:"approvedOn"`
	Lines          []CashLine       `json:"lines"`
	ReplacesAssets []string         `json:"replacesAssets,omitempty"`
}

// Plan is a joint procurement with its cash lines; without lines its
// contract cost by year (awards spread over their periods) is one line
// whose kind follows the category.
type Plan struct {
	Procurement procurement.JointProcurement `json:"procurement"`
	Lines       []CashLine                   `json:"lines,omitempty"`
}

// ManualLine is a line an officer adds for one organisation.
type ManualLine struct {
	Organisation string `json:"organisation"`
	CashLine
}

// Input is everything one organisation's programme is built from.
type Input struct {
	Organisation string               `json:"organisation"`
	Today        procurement.Date     `json:"today"`
	Comparisons  []Comparison         `json:"comparisons"`
	Plans        []Plan               `json:"plans"`
	Needs        []estate.RefreshNeed `json:"needs"`
	Manual       []ManualLine         `json:"manual"`
}

// Source says where a line comes from.
type Source string

const (
	FromComparison  Source = "comparison"
	FromProcurement Source = "procurement"
	FromEstate      Source = "estate"
	FromManual      Source = "manual"
)

// Line is one line of the programme: the organisation's amounts in each
// programme year.
type Line struct {
	ID          string                   `json:"id"`
	Source      Source                   `json:"source"`
	Ref         string                   `json:"ref"`
	Description string                   `json:"description"`
	Kind        Kind                     `json:"kind"`
	Nature      Nature                   `json:"nature"`
	Funded      bool                     `json:"funded"`
	Share       procurement.Percent      `json:"share"` // of the whole spend; 100.00 when wholly the organisation's
	Amounts     []procurement.YearAmount `json:"amounts"`
	Total       procurement.Pence        `json:"total"`
}

// Totals are one year's totals (Year 0 for the whole programme).
type Totals struct {
	Year     procurement.FinancialYear `json:"year,omitempty"`
	Capital  procurement.Pence         `json:"capital"`
	Revenue  procurement.Pence         `json:"revenue"`
	Funded   procurement.Pence         `json:"funded"`
	Unfunded procurement.Pence         `json:"unfunded"`
	Total    procurement.Pence         `json:"total"`
}

// Programme is one organisation's five-year programme.
type Programme struct {
	Organisation string                      `json:"organisation"`
	Built        procurement.Date            `json:"built"`
	Years        []procurement.FinancialYear `json:"years"`
	Lines        []Line                      `json:"lines"`
	ByYear       []Totals                    `json:"byYear"`
	Total        Totals                      `json:"total"`
	// Problems name inputs left out and why (no cash profile, incomplete shares).
	Problems []string `json:"problems"`
}

// Build computes in.Organisation's programme for the five financial years
// from the one containing in.Today. Amounts outside them are left out.
func Build(in Input) Programme {
	org := in.Organisation
	first := procurement.FinancialYearOf(in.Today)
	pg := Programme{Organisation: org, Built: in.Today, Lines: []Line{}, ByYear: []Totals{}, Problems: []string{}}
	for i := 0; i < Years; i++ {
		pg.Years = append(pg.Years, first+procurement.FinancialYear(i))
	}
	covered := map[string]bool{}
	linked := map[string]bool{}
	for _, pl := range in.Plans {
		p := pl.Procurement
		if p.Comparison != "" {
			linked[p.Comparison] = true
		}
		if !p.IsParty(org) || p.State == procurement.StateCancelled || p.State == procurement.StateClosed {
			continue
		}
		for _, a := range p.ReplacesAssets {
			covered[a] = true
		}
		lines := pl.Lines
		if len(lines) == 0 {
			lines = linkedLines(p, in.Comparisons)
		}
		if len(lines) == 0 {
			years, ok := p.Commitments()
			if !ok {
				pg.Problems = append(pg.Problems, fmt.Sprintf("procurement %s has no cash lines and no award with contract dates, so it is not in the programme", p.Reference))
				continue
			}
			lines = []CashLine{{ID: "contract", Description: p.Title, Kind: categoryKind(p.Category), Amounts: years}}
			if p.Category == procurement.Works {
				lines[0].Nature = Capital
			}
		}
		share, err := p.ShareOfYears(org, []procurement.YearAmount{{Amount: procurement.Pence(procurement.Hundred)}})
		if err != nil {
			pg.Problems = append(pg.Problems, fmt.Sprintf("procurement %s: cost shares are incomplete, so %s's share is unknown: %v", p.Reference, org, err))
			continue
		}
		funded := committed(p.State)
		for _, cl := range lines {
			amounts, _ := p.ShareOfYears(org, cl.Amounts)
			pg.add(cl, FromProcurement, p.Reference, procurement.Percent(share[0].Amount), amounts, funded)
		}
	}
	for _, c := range in.Comparisons {
		if linked[c.ID] || c.Organisation != org {
			continue
		}
		if c.ApprovedOn.IsZero() || c.ApprovedOn.After(in.Today) {
			pg.Problems = append(pg.Problems, fmt.Sprintf("comparison %s is not approved, so it is not in the programme", c.ID))
			continue
		}
		for _, a := range c.ReplacesAssets {
			covered[a] = true
		}
		for _, cl := range c.Lines {
			pg.add(cl, FromComparison, c.ID, procurement.Hundred, cl.Amounts, true)
		}
	}
	for _, n := range in.Needs {
		if n.Organisation != org || covered[n.AssetID] {
			continue
		}
		cl := needLine(n, pg.Years)
		pg.add(cl, FromEstate, n.AssetID, procurement.Hundred, cl.Amounts, false)
	}
	for _, m := range in.Manual {
		if m.Organisation == org {
			pg.add(m.CashLine, FromManual, m.ID, procurement.Hundred, m.Amounts, false)
		}
	}
	pg.total()
	return pg
}

// linkedLines are the lines of the comparison a procurement came from.
func linkedLines(p procurement.JointProcurement, cs []Comparison) []CashLine {
	for _, c := range cs {
		if c.ID == p.Comparison && !c.ApprovedOn.IsZero() {
			return c.Lines
		}
	}
	return nil
}

func categoryKind(c procurement.Category) Kind {
	switch c {
	case procurement.Goods:
		return Hardware
	case procurement.Services:
		return Service
	}
	return Other
}

// committed reports a procurement whose approvals were given: from the
// award decision on, its money is in the councils' budgets.
func committed(s procurement.State) bool {
	return s == procurement.StateAwardDecision || s == procurement.StateContractSigned || s == procurement.StateLive
}

// needLine is a refresh need as a cash line: the replacement's cost in the
// need's year, or a subscription every year from it.
func needLine(n estate.RefreshNeed, years []procurement.FinancialYear) CashLine {
	desc := "Replace " + strings.TrimSpace(n.Product+" "+n.Version)
	if n.Reason == estate.EndOfSupport {
		desc += fmt.Sprintf(" (%d, support ended %s)", n.Quantity, n.EndOfSupport)
	} else {
		desc += fmt.Sprintf(" (%d, refresh cycle ends %s)", n.Quantity, n.EndOfLife)
	}
	cl := CashLine{ID: "refresh", Description: desc}
	switch {
	case n.Category.Hardware():
		cl.Kind, cl.Amounts = Hardware, []procurement.YearAmount{{Year: n.Year, Amount: n.Hardware}}
	case n.LicenceModel == estate.Perpetual:
		cl.Kind, cl.Amounts = PerpetualLicence, []procurement.YearAmount{{Year: n.Year, Amount: n.Licences}}
	default:
		cl.Kind = Subscription
		for _, y := range years {
			if y >= n.Year {
				cl.Amounts = append(cl.Amounts, procurement.YearAmount{Year: y, Amount: n.SubscriptionPerYear})
			}
		}
	}
	return cl
}

// add puts a line in the programme with its amounts laid on the
// programme's years; a line with nothing in them is left out.
func (pg *Programme) add(cl CashLine, src Source, ref string, share procurement.Percent, amounts []procurement.YearAmount, funded bool) {
	l := Line{ID: string(src) + ":" + ref + ":" + cl.ID, Source: src, Ref: ref, Description: cl.Description, Kind: cl.Kind,
		Nature: cl.Nature, Funded: funded, Share: share}
	if src == FromEstate {
		l.ID = string(src) + ":" + ref
	}
	if l.Nature == "" {
		l.Nature = cl.Kind.DefaultNature()
	}
	if cl.Funded != nil {
		l.Funded = *cl.Funded
	}
	nonZero := false
	for _, y := range pg.Years {
		var v procurement.Pence
		for _, a := range amounts {
			if a.Year == y {
				v += a.Amount
			}
		}
		l.Amounts = append(l.Amounts, procurement.YearAmount{Year: y, Amount: v})
		l.Total += v
		nonZero = nonZero || v != 0
	}
	if nonZero {
		pg.Lines = append(pg.Lines, l)
	}
}

func (pg *Programme) total() {
	pg.ByYear = make([]Totals, len(pg.Years))
	for i, y := range pg.Years {
		pg.ByYear[i].Year = y
	}
	pg.Total = Totals{}
	for _, l := range pg.Lines {
		for i, a := range l.Amounts {
			pg.ByYear[i].add(l, a.Amount)
			pg.Total.add(l, a.Amount)
		}
	}
}

func (t *Totals) add(l Line, v procurement.Pence) {
	t.Total += v
	if l.Nature == Capital {
		t.Capital += v
	} else {
		t.Revenue += v
	}
	if l.Funded {
		t.Funded += v
	} else {
		t.Unfunded += v
	}
}

// Validate checks a cash line an officer enters.
func (cl CashLine) Validate() error {
	var pr domain.Problems
	if strings.TrimSpace(cl.ID) == "" || strings.ContainsAny(cl.ID, ": ") {
		pr.Add("id", "is required: a short id without spaces or ':'")
	}
	if strings.TrimSpace(cl.Description) == "" {
		pr.Add("description", "is required")
	}
	if !slices.Contains(Kinds, cl.Kind) {
		pr.Add("kind", "must be one of hardware, perpetualLicence, subscription, service, other")
	}
	if cl.Nature != "" && cl.Nature != Capital && cl.Nature != Revenue {
		pr.Add("nature", "must be capital or revenue (or omitted for the kind's default)")
	}
	for i, a := range cl.Amounts {
		if a.Year == 0 {
			pr.Add(fmt.Sprintf("amounts[%d].year", i), "give the financial year, e.g. 2027/28")
		}
	}
	return pr.Err()
}
