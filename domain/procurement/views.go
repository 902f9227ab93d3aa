package procurement

import (
	"io"
	"slices"
	"sort"
	"strings"
)

// PartnerProcurement is one joint procurement as one party sees it.
type PartnerProcurement struct {
	ID        string `json:"id"`
	Reference string `json:"reference"`
	Title     string `json:"title"`
	State     State  `json:"state"`
	Route     Route  `json:"route"`
	Host      string `json:"host"`
	// Percent and ShareOfCost are the party's part of the contract cost
	// (awarded values plus irrecoverable VAT, the estimate before award).
	Percent          Percent      `json:"percent"`
	ShareOfCost      Pence        `json:"shareOfCost"`
	BaselineAnnual   Pence        `json:"baselineAnnual"`
	BaselineOverTerm Pence        `json:"baselineOverTerm"`
	Saving           Pence        `json:"saving"` // baseline over the term minus the share; negative is an extra cost
	Realised         Pence        `json:"realised"`
	Commitments      []YearAmount `json:"commitments"`
	// Problem says why figures are missing (incomplete shares, no contract dates).
	Problem string `json:"problem,omitempty"`
}

// PartnerTotals add up a party's procurements.
type PartnerTotals struct {
	ShareOfCost      Pence        `json:"shareOfCost"`
	BaselineOverTerm Pence        `json:"baselineOverTerm"`
	Saving           Pence        `json:"saving"`
	Realised         Pence        `json:"realised"`
	Commitments      []YearAmount `json:"commitments"`
}

// PartnerView is what one council spends through the joint service.
type PartnerView struct {
	Organisation string               `json:"organisation"`
	Procurements []PartnerProcurement `json:"procurements"`
	Totals       PartnerTotals        `json:"totals"`
}

// PartnerSummary is org's view of every procurement of ps it is party to
// (cancelled ones included, at no cost once cancelled before award),
// ordered by reference.
func PartnerSummary(org string, ps []JointProcurement) PartnerView {
	v := PartnerView{Organisation: org, Procurements: []PartnerProcurement{}, Totals: PartnerTotals{Commitments: []YearAmount{}}}
	for _, p := range sortedByReference(ps) {
		if !p.IsParty(org) {
			continue
		}
		pp := PartnerProcurement{ID: p.ID, Reference: p.Reference, Title: p.Title, State: p.State, Route: p.Route, Host: p.Host,
			BaselineAnnual: p.Baseline[org], Commitments: []YearAmount{}}
		if sv, err := p.Savings(); err != nil {
			pp.Problem = err.Error()
		} else {
			for _, s := range sv.Parties {
				if s.Organisation == org {
					pp.ShareOfCost, pp.BaselineOverTerm, pp.Saving, pp.Realised = s.CostOverTerm, s.BaselineOverTerm, s.Saving, s.Realised
				}
			}
			sh, _ := p.SharesOf(Pence(Hundred))
			for _, s := range sh {
				if s.Organisation == org {
					pp.Percent = Percent(s.Amount)
				}
			}
			if years, ok := p.Commitments(); ok {
				pp.Commitments, _ = p.ShareOfYears(org, years)
			} else if len(p.Awards) > 0 {
				pp.Problem = "the awards have no contract start and end dates, so commitments by year are unknown"
			}
		}
		v.Procurements = append(v.Procurements, pp)
		v.Totals.ShareOfCost += pp.ShareOfCost
		v.Totals.BaselineOverTerm += pp.BaselineOverTerm
		v.Totals.Saving += pp.Saving
		v.Totals.Realised += pp.Realised
		v.Totals.Commitments = AddYears(v.Totals.Commitments, pp.Commitments)
	}
	return v
}

func sortedByReference(ps []JointProcurement) []JointProcurement {
	out := slices.Clone(ps)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Reference < out[j].Reference })
	return out
}

// RegisterFilter selects joint procurements for the committee's register;
// an empty field matches everything.
type RegisterFilter struct {
	Partner string  `json:"partner,omitempty"` // host or partner
	States  []State `json:"states,omitempty"`
	Routes  []Route `json:"routes,omitempty"`
	// Year keeps procurements with commitments in that financial year, or,
	// for those without contract dates yet, created in it.
	Year FinancialYear `json:"year,omitempty"`
}

// Matches reports whether p passes the filter.
func (f RegisterFilter) Matches(p JointProcurement) bool {
	if f.Partner != "" && !p.IsParty(f.Partner) {
		return false
	}
	if len(f.States) > 0 && !slices.Contains(f.States, p.State) {
		return false
	}
	if len(f.Routes) > 0 && !slices.Contains(f.Routes, p.Route) {
		return false
	}
	if f.Year != 0 {
		years, ok := p.Commitments()
		if !ok {
			return FinancialYearOf(DateOf(p.Created)) == f.Year
		}
		return slices.ContainsFunc(years, func(y YearAmount) bool { return y.Year == f.Year && y.Amount != 0 })
	}
	return true
}

// RegisterEntry is one line of the host's register of joint procurements.
type RegisterEntry struct {
	ID             string       `json:"id"`
	Reference      string       `json:"reference"`
	Title          string       `json:"title"`
	Host           string       `json:"host"`
	Partners       []string     `json:"partners"`
	State          State        `json:"state"`
	Route          Route        `json:"route"`
	EstimatedValue Pence        `json:"estimatedValue"`
	ContractCost   Pence        `json:"contractCost"`
	Suppliers      []string     `json:"suppliers"`
	Start          Date         `json:"start,omitzero"`
	End            Date         `json:"end,omitzero"`
	Shares         []Share      `json:"shares"`
	Commitments    []YearAmount `json:"commitments"`
	Problem        string       `json:"problem,omitempty"`
}

// JointRegister lists the procurements of ps that pass f, by reference.
func JointRegister(ps []JointProcurement, f RegisterFilter) []RegisterEntry {
	out := []RegisterEntry{}
	for _, p := range sortedByReference(ps) {
		if !f.Matches(p) {
			continue
		}
		e := RegisterEntry{ID: p.ID, Reference: p.Reference, Title: p.Title, Host: p.Host, Partners: p.Partners, State: p.State,
			Route: p.Route, EstimatedValue: p.EstimatedValue, ContractCost: p.ContractCost(), Suppliers: []string{},
			Shares: []Share{}, Commitments: []YearAmount{}}
		for _, a := range p.Awards {
			e.Suppliers = append(e.Suppliers, a.Supplier.Name)
			if !a.Start.IsZero() && (e.Start.IsZero() || a.Start.Before(e.Start)) {
				e.Start = a.Start
			}
			if a.End.After(e.End) {
				e.End = a.End
			}
		}
		if sh, err := p.SharesOf(e.ContractCost); err != nil {
			e.Problem = err.Error()
		} else {
			e.Shares = sh
		}
		if years, ok := p.Commitments(); ok {
			e.Commitments = years
		}
		out = append(out, e)
	}
	return out
}

// JointRegisterHeader is the column list of the register's CSV.
var JointRegisterHeader = []string{"Reference", "Title", "Host", "Partners", "State", "Route", "Estimated value",
	"Contract cost", "Suppliers", "Start date", "End date", "Shares", "Commitments by financial year"}

// WriteJointRegisterCSV writes entries as CSV; shares and commitments are
// "org 33.34% 1000.00" and "2026/27 1000.00" items separated by "; ".
func WriteJointRegisterCSV(w io.Writer, entries []RegisterEntry) error {
	rows := make([][]string, len(entries))
	for i, e := range entries {
		var shares []string
		for _, s := range e.Shares {
			shares = append(shares, s.Organisation+" "+s.Percent.String()+"% "+s.Amount.String())
		}
		rows[i] = []string{e.Reference, e.Title, e.Host, strings.Join(e.Partners, "; "), string(e.State), e.Route.Label(),
			e.EstimatedValue.String(), e.ContractCost.String(), strings.Join(e.Suppliers, "; "), e.Start.String(), e.End.String(),
			strings.Join(shares, "; "), yearsText(e.Commitments)}
	}
	return WriteSafeCSV(w, JointRegisterHeader, rows)
}

// PartnerHeader is the column list of a partner view's CSV.
var PartnerHeader = []string{"Reference", "Title", "State", "Route", "Host", "Share %", "Share of cost", "Baseline per year",
	"Baseline over term", "Planned saving", "Realised saving", "Commitments by financial year", "Problem"}

// WritePartnerCSV writes a partner view as CSV with a total row.
func WritePartnerCSV(w io.Writer, v PartnerView) error {
	var rows [][]string
	for _, p := range v.Procurements {
		rows = append(rows, []string{p.Reference, p.Title, string(p.State), p.Route.Label(), p.Host, p.Percent.String(),
			p.ShareOfCost.String(), p.BaselineAnnual.String(), p.BaselineOverTerm.String(), p.Saving.String(), p.Realised.String(),
			yearsText(p.Commitments), p.Problem})
	}
	t := v.Totals
	rows = append(rows, []string{"Total", "", "", "", "", "", t.ShareOfCost.String(), "", t.BaselineOverTerm.String(),
		t.Saving.String(), t.Realised.String(), yearsText(t.Commitments), ""})
	return WriteSafeCSV(w, PartnerHeader, rows)
}

// yearsText is "2026/27 1000.00; 2027/28 2000.00".
func yearsText(ys []YearAmount) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = y.Year.String() + " " + y.Amount.String()
	}
	return strings.Join(s, "; ")
}
