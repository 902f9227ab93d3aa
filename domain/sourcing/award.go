package sourcing

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// MaxExportResults is the Digital Marketplace rule for direct award: a
// search's results may be exported (and the search thereby fixed as the
// record of the shortlist) only when it returns 30 services or fewer.
const MaxExportResults = 30

// SavedSearch is a buyer's search kept for the direct-award record.
type SavedSearch struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	Query     SearchQuery `json:"query"`
	CreatedBy string      `json:"createdBy"`
	CreatedAt time.Time   `json:"createdAt"`
	// Set when the results were exported; the search can no longer change.
	LockedAt    *time.Time `json:"lockedAt,omitempty"`
	ExportedIDs []string   `json:"exportedServiceIds,omitempty"`
	Outcome     *Outcome   `json:"outcome,omitempty"`
}

// Outcome results.
const (
	OutcomeAwarded      = "awarded"
	OutcomeCancelled    = "cancelled"
	OutcomeNoneSuitable = "none-suitable"
)

// Outcome records how a direct award ended.
type Outcome struct {
	Result             string    `json:"result"`
	ServiceID          string    `json:"serviceId,omitempty"`
	ContractValue      Money     `json:"contractValue,omitempty"` // pounds ex VAT, whole contract
	StartDate          string    `json:"startDate,omitempty"`     // YYYY-MM-DD
	EndDate            string    `json:"endDate,omitempty"`
	BuyingOrganisation string    `json:"buyingOrganisation,omitempty"`
	Reason             string    `json:"reason,omitempty"`
	RecordedBy         string    `json:"recordedBy"`
	RecordedAt         time.Time `json:"recordedAt"`
	// ComparisonID is the comparison the award rests on; JointProcurement
	// the joint procurement it is part of, when there is one.
	ComparisonID     string `json:"comparisonId,omitempty"`
	JointProcurement string `json:"jointProcurement,omitempty"`
	// SupplierSME and SupplierVCSE say whether the supplier is a small or
	// medium enterprise, or a voluntary or community sector enterprise,
	// as the Transparency Code's contracts register asks (the supplier's
	// Digital Marketplace declaration states its size).
	SupplierSME  *bool `json:"supplierSme,omitempty"`
	SupplierVCSE bool  `json:"supplierVcse,omitempty"`
}

// CheckRegisterFacts refuses an award bound for the contracts register
// (over the Code's threshold and not part of a joint procurement, whose
// award row lists it) without the supplier's SME status, which the
// register must state and a G-Cloud listing does not give.
func (o Outcome) CheckRegisterFacts(n AwardNotices) error {
	if o.Result != OutcomeAwarded || !n.ContractsRegister || o.JointProcurement != "" || o.SupplierSME != nil {
		return nil
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: "an award over £5,000 goes in the Transparency Code contracts register, which states whether the supplier is an SME",
		Fields: []domain.FieldProblem{{Field: "supplierSme", Problem: "is required: true or false, from the supplier's declaration of its size (micro, small and medium are SMEs)"}}}
}

// AwardNotices is what an awarded outcome triggers under the procurement
// rules in force on the day it was recorded.
type AwardNotices struct {
	RuleSet           string               `json:"ruleSet"`
	Regime            procurement.Regime   `json:"regime"`
	Notices           []procurement.Notice `json:"notices"`
	StandstillApplies bool                 `json:"standstillApplies"`
	// ContractsRegister is true when the award belongs in the Transparency
	// Code contracts register (over £5,000).
	ContractsRegister bool `json:"contractsRegister"`
}

// Notices applies the joint procurement register's dated rule set to an
// awarded G-Cloud call-off: its value decides the regime (Contracts Finder
// or Find a Tender notices), the framework route the standstill, and the
// Transparency Code threshold the contracts register. Outcomes without an
// award trigger nothing.
func (o Outcome) Notices(sets []procurement.RuleSet) (AwardNotices, error) {
	if o.Result != OutcomeAwarded {
		return AwardNotices{Notices: []procurement.Notice{}}, nil
	}
	rs, err := procurement.RuleSetAt(sets, procurement.DateOf(o.RecordedAt))
	if err != nil {
		return AwardNotices{}, err
	}
	// A one-party procurement by the buying organisation on the G-Cloud
	// route: Assess reads only its value and route for the notices.
	p := procurement.JointProcurement{Host: o.BuyingOrganisation, Route: procurement.RouteGCloudDirectAward,
		EstimatedValue: o.ContractValue, EstimatedValueIncVAT: procurement.IncVAT(o.ContractValue, rs.VAT)}
	a := procurement.Assess(p, procurement.Env{Rules: rs, Calendar: procurement.EnglandAndWales,
		Governance: procurement.SeedGovernance(), Now: o.RecordedAt})
	return AwardNotices{RuleSet: a.RuleSet, Regime: a.Regime, Notices: a.Notices, StandstillApplies: a.StandstillApplies,
		ContractsRegister: a.TransparencyCode}, nil
}

// NewSavedSearch validates and creates a saved search.
func NewSavedSearch(id, name string, q SearchQuery, by string, at time.Time) (SavedSearch, error) {
	var p domain.Problems
	if strings.TrimSpace(name) == "" || len(name) > 200 {
		p.Add("name", "is required, at most 200 characters")
	}
	if q.Keywords == "" && len(q.Lot) == 0 && len(q.Category) == 0 {
		p.Add("query", "needs keywords, a lot or a category: a search of the whole catalogue is not a shortlist")
	}
	if err := p.Err(); err != nil {
		return SavedSearch{}, err
	}
	return SavedSearch{ID: id, Name: strings.TrimSpace(name), Query: q, CreatedBy: by, CreatedAt: at.UTC()}, nil
}

// Locked reports whether the search was exported.
func (s SavedSearch) Locked() bool { return s.LockedAt != nil }

// UpdateQuery changes the search before export.
func (s *SavedSearch) UpdateQuery(q SearchQuery) error {
	if s.Locked() {
		return domain.Errorf(domain.CodeConflict, "the search was exported on %s and is the record of the shortlist; save a new search instead", s.LockedAt.Format(time.DateOnly))
	}
	s.Query = q
	return nil
}

// Export checks the result count and locks the search to the services
// exported. Re-exporting a locked search is allowed only with the same
// services, so the files can be downloaded again but never differ.
func (s *SavedSearch) Export(res SearchResult, at time.Time) error {
	if res.Total > MaxExportResults {
		return &domain.Error{Code: domain.CodeConflict,
			Message: "only a search with 30 results or fewer can be exported for direct award; refine it with keywords or filters",
			Fields:  []domain.FieldProblem{{Field: "total", Problem: "is " + strconv.Itoa(res.Total) + "; at most 30"}}}
	}
	if res.Total == 0 {
		return domain.Errorf(domain.CodeConflict, "the search has no results to export")
	}
	if len(res.Hits) != res.Total {
		return domain.Errorf(domain.CodeInvalid, "export needs all %d results on one page, not %d", res.Total, len(res.Hits))
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.Service.ID
	}
	if s.Locked() {
		if !slices.Equal(ids, s.ExportedIDs) {
			return domain.Errorf(domain.CodeConflict, "the search was exported on %s; the catalogue has changed since, so the shortlist is read from the exported record", s.LockedAt.Format(time.DateOnly))
		}
		return nil
	}
	t := at.UTC()
	s.LockedAt, s.ExportedIDs = &t, ids
	return nil
}

// RecordOutcome validates and records the outcome of an exported search.
func (s *SavedSearch) RecordOutcome(o Outcome) error {
	if !s.Locked() {
		return domain.Errorf(domain.CodeConflict, "export the search results before recording an outcome")
	}
	if s.Outcome != nil {
		return domain.Errorf(domain.CodeConflict, "an outcome (%s) was already recorded on %s", s.Outcome.Result, s.Outcome.RecordedAt.Format(time.DateOnly))
	}
	var p domain.Problems
	switch o.Result {
	case OutcomeAwarded:
		if !slices.Contains(s.ExportedIDs, o.ServiceID) {
			p.Add("serviceId", "must be one of the %d exported services", len(s.ExportedIDs))
		}
		if o.ContractValue <= 0 {
			p.Add("contractValue", "must be a positive amount in pounds excluding VAT")
		}
		start, errS := time.Parse(time.DateOnly, o.StartDate)
		end, errE := time.Parse(time.DateOnly, o.EndDate)
		if errS != nil {
			p.Add("startDate", "must be a date as YYYY-MM-DD")
		}
		if errE != nil {
			p.Add("endDate", "must be a date as YYYY-MM-DD")
		}
		if errS == nil && errE == nil && !end.After(start) {
			p.Add("endDate", "must be after startDate")
		}
		if strings.TrimSpace(o.BuyingOrganisation) == "" {
			p.Add("buyingOrganisation", "is required")
		}
		if o.Reason != "" {
			p.Add("reason", "is only for cancelled or none-suitable outcomes")
		}
	case OutcomeCancelled, OutcomeNoneSuitable:
		if strings.TrimSpace(o.Reason) == "" {
			p.Add("reason", "is required: say why no contract was awarded")
		}
		if o.ServiceID != "" || o.ContractValue != 0 {
			p.Add("serviceId", "must be empty when nothing was awarded")
		}
	default:
		p.Add("result", "must be awarded, cancelled or none-suitable")
	}
	if err := p.Err(); err != nil {
		return err
	}
	s.Outcome = &o
	return nil
}

// CallOff is an awarded G-Cloud call-off as the contracts register lists
// it: the outcome, the service as it was exported with the shortlist, and
// what the register needs that the shortlist does not hold.
type CallOff struct {
	SearchID, SearchName string
	Outcome              Outcome
	Service              ExportRow
	// SupplierRegistration is the supplier's Companies House number from
	// the catalogue ("" when the supplier gave none).
	SupplierRegistration string
}

// RegisterRow is the call-off's row of the Transparency Code contracts
// register (procurement.RegisterHeader), or false when it has none: an
// outcome other than an award, a value the rule set keeps out of the
// register, or a call-off that is part of a joint procurement (whose own
// award row lists the contract, so it would otherwise be listed twice).
// The SME and VCSE status are the officer's (CheckRegisterFacts); the
// non-recoverable VAT, which a G-Cloud listing does not state either, is
// left empty.
func (c CallOff) RegisterRow(rs procurement.RuleSet) ([]string, bool) {
	o := c.Outcome
	if o.Result != OutcomeAwarded || o.JointProcurement != "" {
		return nil, false
	}
	if !rs.TransparencyCode.Met(o.ContractValue, procurement.IncVAT(o.ContractValue, rs.VAT)) {
		return nil, false
	}
	title := c.Service.Service
	if title == "" {
		title = c.SearchName
	}
	desc := "G-Cloud call-off of service " + o.ServiceID + ", awarded from the shortlist “" + c.SearchName + "”"
	return []string{
		"GC/" + c.SearchID, title, o.BuyingOrganisation, desc,
		c.Service.Supplier, c.SupplierRegistration, o.ContractValue.String(), "",
		o.StartDate, o.EndDate, "", procurement.RouteGCloudDirectAward.Label(), yesNo(o.SupplierSME != nil && *o.SupplierSME), yesNo(o.SupplierVCSE), "",
	}, true
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}
