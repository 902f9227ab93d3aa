package ocds

import (
	"fmt"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// Tags are the release tags for a change that left p in its current state;
// prev is the state of the previous release ("" for the first), which makes
// a second release at the same stage an update.
func Tags(p procurement.JointProcurement, prev procurement.State) []string {
	stage := func(s procurement.State) string {
		switch s {
		case procurement.StatePipeline, procurement.StatePlanning, "":
			return "planning"
		case procurement.StateTender, procurement.StateEvaluation:
			return "tender"
		case procurement.StateAwardDecision:
			return "award"
		case procurement.StateContractSigned:
			return "contract"
		}
		return "implementation"
	}
	if p.State == procurement.StateCancelled {
		switch cancelledFrom(p) {
		case procurement.StateAwardDecision:
			return []string{"awardCancellation"}
		case procurement.StateContractSigned, procurement.StateLive:
			return []string{"contractTermination"}
		}
		return []string{"tenderCancellation"}
	}
	s := stage(p.State)
	if prev != "" && stage(prev) == s {
		return []string{s + "Update"}
	}
	return []string{s}
}

func cancelledFrom(p procurement.JointProcurement) procurement.State {
	for i := len(p.History) - 1; i >= 0; i-- {
		if p.History[i].To == procurement.StateCancelled {
			return p.History[i].From
		}
	}
	return ""
}

// Change is the change a release publishes.
type Change struct {
	// Seq is the change's number within the contracting process, from 1.
	Seq int
	// At is when the change happened: a move's own time (the notice's
	// publication, the signature), or the time of an edit.
	At time.Time
	// PrevState and PrevDate are the state and date of the previous
	// release of the process; zero for the first.
	PrevState procurement.State
	PrevDate  string
}

// ReleaseDate dates a release by its change, but always later than the
// previous release of the same ocid, so that the releases of a process
// are strictly ordered and the merge never depends on a tie-break. A
// change dated at or before the previous release (a move recorded after
// a later edit was published, or two changes within one second) is dated
// one second after it.
func ReleaseDate(at time.Time, prev string) string {
	at = at.UTC().Truncate(time.Second)
	if p, err := time.Parse(time.RFC3339, prev); err == nil && !at.After(p) {
		at = p.Add(time.Second)
	}
	return ts(at)
}

// NewRelease describes p as it stands after the change ch. orgs resolves
// organisation ids.
func NewRelease(p procurement.JointProcurement, orgs map[string]domain.Organisation, cfg Config, ch Change) (Release, error) {
	for _, o := range p.Parties() {
		if _, ok := orgs[o]; !ok {
			return Release{}, domain.Errorf(domain.CodeNotFound, "organisation %q of %s is unknown", o, p.Reference)
		}
	}
	ocid := cfg.OCID(p)
	tags := Tags(p, ch.PrevState)
	at := ch.At
	r := Release{
		OCID: ocid, ID: ReleaseID(ocid, ch.Seq, tags[0]), Date: ReleaseDate(ch.At, ch.PrevDate), Tag: tags,
		InitiationType: "tender", Language: "en",
	}
	host := orgs[p.Host]
	r.Parties = append(r.Parties, council(host, "buyer", "procuringEntity"))
	for _, o := range p.Partners {
		r.Parties = append(r.Parties, council(orgs[o], "buyer"))
	}
	hostRef := &OrgRef{ID: partyID(host), Name: host.Name}
	r.Buyer = hostRef
	r.Planning = &Planning{
		Rationale: fmt.Sprintf("Joint procurement by %s as host authority on behalf of %s.", host.Name, partnerNames(p, orgs)),
		Budget:    &Budget{Description: "Estimated whole-life value excluding VAT", Amount: gbp(p.EstimatedValue)},
	}
	r.Tender = &Tender{
		ID: p.Reference, Title: p.Title, Description: p.Description, Status: tenderStatus(p),
		ProcuringEntity: hostRef, Items: items(p), Value: gbp(p.EstimatedValue),
		ProcurementMethod: method(p.Route), ProcurementMethodDetails: routeDetails(p),
		MainProcurementCategory: string(p.Category), Documents: documents(p.Documents), Milestones: milestones(p.Milestones),
	}
	if !awarded(p) {
		return r, nil
	}
	for _, a := range p.Awards {
		sup := supplierParty(a)
		r.Parties = append(r.Parties, sup)
		r.Awards = append(r.Awards, AwardOut{
			ID: a.ID, Title: p.Title, Status: awardStatus(p), Date: ts(awardDate(p, at)), Value: gbp(a.Value),
			Suppliers: []OrgRef{{ID: sup.ID, Name: sup.Name}}, ContractPeriod: period(a.Start, a.End),
		})
		if !signed(p) {
			continue
		}
		c := Contract{ID: a.ID + "-contract", AwardID: a.ID, Title: p.Title, Status: contractStatus(p),
			Period: period(a.Start, a.End), Value: gbp(a.Value), DateSigned: day(a.Signed)}
		if !a.Review.IsZero() {
			c.Milestones = []Milestone{{ID: "review", Title: "Contract review", Type: "reporting", DueDate: day(a.Review), Status: "scheduled"}}
		}
		if p.State == procurement.StateLive || p.State == procurement.StateClosed {
			c.Implementation = &Implementation{Milestones: []Milestone{{ID: "go-live", Title: "Service live", Type: "delivery", DateMet: ts(liveAt(p, at)), Status: "met"}}}
		}
		r.Contracts = append(r.Contracts, c)
	}
	return r, nil
}

// partyID is the council's org-id ("GB-LAE-NED"), or its local id when
// it has none (IdentifierProblems reports those).
func partyID(o domain.Organisation) string {
	if id, ok := CouncilIdentifier(o); ok {
		return id.Scheme + "-" + id.ID
	}
	return o.ID
}

// council is a council's party; the GSS code rides in details for users
// who join on ONS geography.
func council(o domain.Organisation, roles ...string) Party {
	p := Party{ID: partyID(o), Name: o.Name, Roles: roles}
	if id, ok := CouncilIdentifier(o); ok {
		p.Identifier = &id
	}
	if o.GSSCode != "" {
		p.Details = map[string]any{"gssCode": o.GSSCode}
	}
	return p
}

func supplierParty(a procurement.Award) Party {
	scale := "large"
	if a.Supplier.SME {
		scale = "sme"
	}
	p := Party{Name: a.Supplier.Name, Roles: []string{"supplier"}, Details: map[string]any{"scale": scale, "vcse": a.Supplier.VCSE}}
	if a.Supplier.CompaniesHouse != "" {
		p.ID = "GB-COH-" + a.Supplier.CompaniesHouse
		p.Identifier = &Identifier{Scheme: "GB-COH", ID: a.Supplier.CompaniesHouse, LegalName: a.Supplier.Name}
	} else {
		p.ID = "supplier-" + a.ID
	}
	return p
}

func partnerNames(p procurement.JointProcurement, orgs map[string]domain.Organisation) string {
	names := make([]string, len(p.Partners))
	for i, o := range p.Partners {
		names[i] = orgs[o].Name
	}
	return strings.Join(names, " and ")
}

func items(p procurement.JointProcurement) []Item {
	if len(p.CPV) == 0 {
		return nil
	}
	it := Item{ID: "1", Description: p.Title, Classification: &Classification{Scheme: "CPV", ID: cpv8(p.CPV[0])}}
	for _, c := range p.CPV[1:] {
		it.AdditionalClassifications = append(it.AdditionalClassifications, Classification{Scheme: "CPV", ID: cpv8(c)})
	}
	return []Item{it}
}

// cpv8 drops the control digit: OCDS publishers (Contracts Finder, Find a
// Tender) give the eight-digit code.
func cpv8(c string) string { code, _, _ := strings.Cut(c, "-"); return code }

func documents(ls []procurement.Link) []Document {
	var out []Document
	for _, l := range ls {
		out = append(out, Document{ID: l.ID, DocumentType: l.Type, Title: l.Title, URL: l.URL})
	}
	return out
}

func milestones(ms []procurement.Milestone) []Milestone {
	var out []Milestone
	for _, m := range ms {
		o := Milestone{ID: m.ID, Title: m.Title, Type: m.Type, DueDate: day(m.Due), DateMet: day(m.Met), Status: "scheduled"}
		if !m.Met.IsZero() {
			o.Status = "met"
		}
		out = append(out, o)
	}
	return out
}

func period(start, end procurement.Date) *Period {
	if start.IsZero() && end.IsZero() {
		return nil
	}
	return &Period{StartDate: day(start), EndDate: day(end)}
}

// method maps a route to the OCDS method codelist: G-Cloud direct award is a
// single supplier without competition; call-offs and the competitive
// flexible procedure restrict who may bid; quotations invite a few suppliers.
func method(r procurement.Route) string {
	switch r {
	case procurement.RouteOpen:
		return "open"
	case procurement.RouteCompetitiveFlexible, procurement.RouteFrameworkCallOff:
		return "selective"
	case procurement.RouteGCloudDirectAward:
		return "direct"
	}
	return "limited"
}

func routeDetails(p procurement.JointProcurement) string {
	s := p.Route.Label()
	if p.Framework != "" {
		s += ": " + p.Framework
		if p.Lot != "" {
			s += ", " + p.Lot
		}
	}
	return s
}

func awarded(p procurement.JointProcurement) bool {
	switch p.State {
	case procurement.StateAwardDecision, procurement.StateContractSigned, procurement.StateLive, procurement.StateClosed:
		return true
	case procurement.StateCancelled:
		f := cancelledFrom(p)
		return f == procurement.StateAwardDecision || f == procurement.StateContractSigned || f == procurement.StateLive
	}
	return false
}

func signed(p procurement.JointProcurement) bool {
	switch p.State {
	case procurement.StateContractSigned, procurement.StateLive, procurement.StateClosed:
		return true
	case procurement.StateCancelled:
		f := cancelledFrom(p)
		return f == procurement.StateContractSigned || f == procurement.StateLive
	}
	return false
}

func tenderStatus(p procurement.JointProcurement) string {
	switch p.State {
	case procurement.StatePipeline, procurement.StatePlanning, "":
		return "planning"
	case procurement.StateTender, procurement.StateEvaluation:
		return "active"
	case procurement.StateCancelled:
		if !awarded(p) {
			return "cancelled"
		}
	}
	return "complete"
}

func awardStatus(p procurement.JointProcurement) string {
	switch {
	case p.State == procurement.StateAwardDecision:
		return "pending"
	case p.State == procurement.StateCancelled && !signed(p):
		return "cancelled"
	}
	return "active"
}

func contractStatus(p procurement.JointProcurement) string {
	if p.State == procurement.StateClosed || p.State == procurement.StateCancelled {
		return "terminated"
	}
	return "active"
}

// awardDate and liveAt are the times of the transitions into those states.
func awardDate(p procurement.JointProcurement, fallback time.Time) time.Time {
	return transitionAt(p, procurement.StateAwardDecision, fallback)
}

func liveAt(p procurement.JointProcurement, fallback time.Time) time.Time {
	return transitionAt(p, procurement.StateLive, fallback)
}

func transitionAt(p procurement.JointProcurement, s procurement.State, fallback time.Time) time.Time {
	for i := len(p.History) - 1; i >= 0; i-- {
		if p.History[i].To == s {
			return p.History[i].At
		}
	}
	return fallback
}
