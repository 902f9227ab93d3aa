package procurement

import (
	"context"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// PartnerSummary is what one council spends through the joint service,
// with the council's name for the printable page.
type PartnerSummary struct {
	procurement.PartnerView
	Name  string           `json:"name"`
	Today procurement.Date `json:"today"`
}

// Partner is org's view of every joint procurement it is party to: its
// share, baseline and realised savings and commitments per financial year
// (its own officers and admins: baselines and savings are private).
func (s *Service) Partner(ctx context.Context, a audit.Actor, org string) (PartnerSummary, error) {
	o, err := s.knownOrg(ctx, org)
	if err != nil {
		return PartnerSummary{}, err
	}
	if err := readsOrg(a, org); err != nil {
		return PartnerSummary{}, err
	}
	recs, _, err := s.procs.List(ctx, store.Query{Filters: []store.Filter{{Field: "parties", Op: store.Eq, Value: org}}})
	if err != nil {
		return PartnerSummary{}, err
	}
	return PartnerSummary{PartnerView: procurement.PartnerSummary(org, domainOf(recs)), Name: o.Name, Today: s.today()}, nil
}

func domainOf(recs []Record) []procurement.JointProcurement {
	out := make([]procurement.JointProcurement, len(recs))
	for i, r := range recs {
		out[i] = r.JointProcurement
	}
	return out
}

// RegisterView is the host's register of joint procurements as filtered.
type RegisterView struct {
	Host    string                      `json:"host"`
	Filter  procurement.RegisterFilter  `json:"filter"`
	Entries []procurement.RegisterEntry `json:"entries"`
	Today   procurement.Date            `json:"today"`
	// Names are the organisations' names by id, for the printable page.
	Names map[string]string `json:"-"`
}

// Register is the host's register of every joint procurement the actor
// may see (published ones for everyone, pipeline entries for their
// parties' officers), filtered by partner, state, route and financial year.
func (s *Service) Register(ctx context.Context, a audit.Actor, f procurement.RegisterFilter) (RegisterView, error) {
	if err := (Filter{States: f.States, Routes: f.Routes}).Check(); err != nil {
		return RegisterView{}, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return RegisterView{}, err
	}
	if _, ok := orgs[f.Partner]; f.Partner != "" && !ok {
		var pr domain.Problems
		pr.Add("partner", "no organisation has id %q; GET /api/v1/organisations lists them", f.Partner)
		return RegisterView{}, pr.Err()
	}
	q := store.Query{}
	visibility(a, &q)
	recs, _, err := s.procs.List(ctx, q)
	if err != nil {
		return RegisterView{}, err
	}
	host, _ := hostOf(orgs)
	names := map[string]string{}
	for id, o := range orgs {
		names[id] = o.Name
	}
	return RegisterView{Host: host.ID, Filter: f, Entries: procurement.JointRegister(domainOf(recs), f), Today: s.today(), Names: names}, nil
}
