package procurement

import (
	"context"
	"strings"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue/ocds"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/capital"
	"github.com/jointict/councilapi/domain/procurement"
)

// Record is a procurement as stored: the domain record plus what the
// service keeps for listing, publication and the capital programme.
// LastRelease is the OCDS release of the latest published change; it is
// written here first and then to ocds_releases under an id made of ocid
// and sequence number, so when the second write fails the next write (or
// the next start) repeats it without ever duplicating it.
type Record struct {
	procurement.JointProcurement
	PartyIDs      []string          `json:"parties"`
	SearchText    string            `json:"searchText"`
	Public        bool              `json:"public"`
	OCID          string            `json:"ocid,omitempty"`
	Releases      int               `json:"releases"`
	ReleasedState procurement.State `json:"releasedState,omitempty"`
	LastRelease   *ocds.Release     `json:"lastRelease,omitempty"`
	// CashLines are the procurement's spend by kind and financial year,
	// before shares, for the partners' capital programmes.
	CashLines []capital.CashLine `json:"cashLines,omitempty"`
}

func (r *Record) index() {
	r.PartyIDs = r.Parties()
	r.SearchText = strings.ToLower(strings.Join(append([]string{r.Reference, r.Title, r.Description}, r.CPV...), " "))
}

// Procurement is a procurement as one reader may see it: the whole record
// for the parties' officers and admins, the published register entry for
// everyone else (without baselines, approvals, realised savings, the
// sourcing comparison, cash lines or the keys that made each move).
type Procurement struct {
	procurement.JointProcurement
	OCID string `json:"ocid,omitempty"`
	// Published is true once the procurement has left the pipeline: from
	// then on it is in the public register and the OCDS feed.
	Published bool `json:"published"`
	// Full is true when the reader sees the whole record.
	Full bool `json:"-"`
	// Assessment is where the procurement stands against the rules today
	// (single answers to the parties' officers and admins).
	Assessment *procurement.Assessment `json:"assessment,omitempty"`
	// RegisterProblems say what keeps the contracts register from being
	// published as the host's open data dataset.
	RegisterProblems []string `json:"registerProblems,omitempty"`
	// IdentifierProblems name the parties OCDS cannot identify.
	IdentifierProblems []string  `json:"identifierProblems,omitempty"`
	Meta               repo.Meta `json:"-"`
}

// present shows r to the actor; assess adds the assessment for full readers.
func (s *Service) present(ctx context.Context, a audit.Actor, r Record, m repo.Meta, orgs map[string]domain.Organisation, assess bool) (Procurement, error) {
	p := r.JointProcurement
	p.Version = int(m.Version)
	out := Procurement{OCID: r.OCID, Published: r.Public, Full: procurement.CanRead(a.Principal, p), Meta: m}
	if !out.Full {
		p.Baseline, p.Approvals, p.RealisedSavings, p.Comparison = nil, nil, nil, ""
		h := make([]procurement.TransitionRecord, len(p.History))
		for i, t := range p.History {
			t.By = ""
			h[i] = t
		}
		p.History = h
	}
	out.JointProcurement = p
	out.RegisterProblems = procurement.RegisterPublicationProblems(hostOf(orgs))
	out.IdentifierProblems = ocds.IdentifierProblems(p.Parties(), orgs)
	if assess && out.Full {
		env, err := s.env(ctx, s.today())
		if err != nil {
			return out, err
		}
		as := procurement.Assess(r.JointProcurement, env)
		out.Assessment = &as
	}
	return out, nil
}

// load reads a procurement for one of its parties' writes: the role first
// (403 for publisher keys), then the organisation (403 for a council that
// is not a party).
func (s *Service) load(ctx context.Context, a audit.Actor, id string) (Record, repo.Meta, error) {
	if err := a.Authorize(domain.AreaProcurement, ""); err != nil {
		return Record{}, repo.Meta{}, err
	}
	r, m, err := s.procs.Get(ctx, id)
	if err != nil {
		return r, m, err
	}
	if !procurement.CanRead(a.Principal, r.JointProcurement) {
		return r, m, domain.Errorf(domain.CodeForbidden, "this key's organisation is not a party to %s", r.Reference)
	}
	return r, m, nil
}

// readable reads a procurement for the parties' own views (assessment,
// shares, cash lines).
func (s *Service) readable(ctx context.Context, a audit.Actor, id string) (Record, repo.Meta, error) {
	r, m, err := s.procs.Get(ctx, id)
	if err != nil {
		return r, m, err
	}
	if !procurement.CanRead(a.Principal, r.JointProcurement) {
		if !r.Public && a.Role != domain.RoleAdmin {
			return Record{}, repo.Meta{}, domain.Errorf(domain.CodeNotFound, "no such record")
		}
		return r, m, domain.Errorf(domain.CodeForbidden, "this is shown to the parties' officers; this key's organisation is not a party to %s", r.Reference)
	}
	return r, m, nil
}
