package procurement

import (
	"context"
	"errors"
	"fmt"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// GovernanceID is the id of the one governance record (its ETags name it).
const GovernanceID = "governance"

// Governance is the approving bodies in force: the stored configuration,
// or the seed's bodies until an admin or the host first edits them. The
// meta's version is 0 while the seed is in force.
func (s *Service) Governance(ctx context.Context) (procurement.Governance, repo.Meta, error) {
	g, m, err := s.governance.Get(ctx, GovernanceID)
	if errors.Is(err, store.ErrNotFound) {
		return procurement.SeedGovernance(), repo.Meta{ID: GovernanceID}, nil
	}
	return g, m, err
}

// SetGovernance replaces the approving bodies (an admin, or an officer of
// the host authority). Every body must belong to a known council (or to
// none, for a joint body), and every decision already recorded must still
// name a body, so no approval loses its meaning. ifMatch is the client's
// If-Match version (0 when none was sent).
func (s *Service) SetGovernance(ctx context.Context, a audit.Actor, ifMatch int64, decode Decode) (procurement.Governance, repo.Meta, error) {
	if err := a.Authorize(domain.AreaProcurement, ""); err != nil {
		return procurement.Governance{}, repo.Meta{}, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return procurement.Governance{}, repo.Meta{}, err
	}
	host, _ := hostOf(orgs)
	if a.Role != domain.RoleAdmin && a.Organisation != host.ID {
		return procurement.Governance{}, repo.Meta{}, domain.Errorf(domain.CodeForbidden,
			"the approving bodies are configured by admins and the host authority's officers (%s); this key acts for %q", host.ID, a.Organisation)
	}
	var g procurement.Governance
	if err := decode(&g); err != nil {
		return g, repo.Meta{}, err
	}
	if err := g.Validate(); err != nil {
		return g, repo.Meta{}, err
	}
	var pr domain.Problems
	for i, b := range g.Bodies {
		if _, ok := orgs[b.Organisation]; b.Organisation != "" && !ok {
			pr.Add(fmt.Sprintf("bodies[%d].organisation", i), "no organisation has id %q; GET /api/v1/organisations lists them", b.Organisation)
		}
	}
	if err := pr.Err(); err != nil {
		return g, repo.Meta{}, err
	}
	if err := s.approvalsKeepTheirBodies(ctx, g); err != nil {
		return g, repo.Meta{}, err
	}
	before, m, err := s.Governance(ctx)
	if err != nil {
		return g, m, err
	}
	switch {
	case m.Version == 0 && ifMatch != 0:
		return g, m, store.ErrStale
	case m.Version == 0:
		m, err = s.governance.Insert(ctx, GovernanceID, g)
		if errors.Is(err, store.ErrExists) {
			err = repo.ErrBusy // another instance stored it first: the caller retries against it
		}
	default:
		before, _, m, err = s.governance.UpdateIf(ctx, GovernanceID, ifMatch, func(cur *procurement.Governance) error {
			*cur = g
			return nil
		})
	}
	if err != nil {
		return g, m, err
	}
	s.audit.Record(ctx, a, "procurement.governance", CollGovernance, GovernanceID, before, g)
	return g, m, nil
}

// approvalsKeepTheirBodies refuses a configuration that no longer has the
// body of a recorded decision.
func (s *Service) approvalsKeepTheirBodies(ctx context.Context, g procurement.Governance) error {
	e := &domain.Error{Code: domain.CodeConflict, Message: "recorded decisions name bodies this configuration removes; keep those bodies (rename them if need be)"}
	err := s.procs.Scan(ctx, nil, func(r Record, _ repo.Meta) error {
		for _, ap := range r.Approvals {
			if _, ok := g.BodyOf(ap); !ok {
				e.Fields = append(e.Fields, domain.FieldProblem{Field: "bodies",
					Problem: fmt.Sprintf("%s has a decision of %q recorded", r.Reference, ap.Key())})
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(e.Fields) > 0 {
		return e
	}
	return nil
}
