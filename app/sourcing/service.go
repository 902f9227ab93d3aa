// Package sourcing holds the G-Cloud sourcing use cases: the catalogue and
// its search index (derived state fed by the change feed), saved searches
// with their locked shortlists and award outcomes, and comparisons of cloud
// and on-premise options through their lifecycle (draft, decided,
// published, exempt fields released), with the decision report each one
// supports. It knows nothing of HTTP: package api parses requests, calls
// these use cases and writes the answers.
package sourcing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/events"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// Collections of the sourcing capability. On-premise options are part of a
// comparison's stored input, so they need no collection of their own.
const (
	CollServices       = "gcloud_services"
	CollSavedSearches  = "saved_searches"
	CollComparisons    = "comparisons"
	CollSettings       = "sourcing_settings"
	CollIndexSnapshots = "sourcing_index_snapshots"
	collOrganisations  = "organisations"
	// collProcurements is the joint procurement capability's collection: a
	// comparison or an award may link one, and its parties' officers may
	// then read the comparison.
	collProcurements = "procurements"
)

// Indexes are what the sourcing collections need from the store.
var Indexes = []store.Index{
	{Collection: CollServices, Fields: []string{"lot", "frameworkSlug", "supplierId"}},
	{Collection: CollSavedSearches, Fields: []string{"organisation", "createdAt"}},
	{Collection: CollComparisons, Fields: []string{"organisation", "createdAt", "state", "jointProcurement"}},
	{Collection: CollSettings},
	{Collection: CollIndexSnapshots},
}

// Config tunes the capability.
type Config struct {
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
	// SnapshotEvery writes a new search index snapshot once this many
	// catalogue changes have been applied since the last one (default 500);
	// SnapshotQuiet writes one after this long without changes (default 30 s).
	// Together they bound what a restart replays from the change feed.
	SnapshotEvery int
	SnapshotQuiet time.Duration
}

// Service is the sourcing capability.
type Service struct {
	st           store.Store
	services     repo.Repo[ds.Service]
	searches     repo.Repo[SavedSearch]
	comparisons  repo.Repo[ComparisonRecord]
	settings     repo.Repo[Settings]
	orgs         repo.Repo[domain.Organisation]
	procurements repo.Repo[procurement.JointProcurement]
	snapshots    repo.Repo[indexSnapshot]
	audit        *audit.Log
	bus          *events.Bus
	log          *slog.Logger
	cfg          Config
	ruleSets     []procurement.RuleSet

	index *catalogueIndex

	// background work (index snapshots), stopped by Stop
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds the capability over st and subscribes its search index to bus.
func New(st store.Store, bus *events.Bus, al *audit.Log, log *slog.Logger, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SnapshotEvery <= 0 {
		cfg.SnapshotEvery = 500
	}
	if cfg.SnapshotQuiet <= 0 {
		cfg.SnapshotQuiet = 30 * time.Second
	}
	s := &Service{st: st, services: repo.New[ds.Service](st, CollServices), searches: repo.New[SavedSearch](st, CollSavedSearches),
		comparisons: repo.New[ComparisonRecord](st, CollComparisons), settings: repo.New[Settings](st, CollSettings),
		orgs: repo.New[domain.Organisation](st, collOrganisations), procurements: repo.New[procurement.JointProcurement](st, collProcurements),
		snapshots: repo.New[indexSnapshot](st, CollIndexSnapshots), audit: al, bus: bus, log: log, cfg: cfg,
		ruleSets: procurement.DefaultRuleSets()}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.index = newCatalogueIndex(s)
	bus.Subscribe(s.index)
	return s
}

// Stop ends background work (a snapshot being written finishes first).
func (s *Service) Stop() {
	s.cancel()
	s.index.stopTimer()
	s.wg.Wait()
}

// now is the time stamps are taken at: whole seconds in UTC, so stored
// RFC 3339 text compares in time order.
func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// sync waits until this instance's search index reflects the writes made
// so far, so a service just imported is found by the next search here.
func (s *Service) sync(ctx context.Context) { s.bus.AfterWrite(ctx) }

// owningOrganisation is the organisation a new record belongs to: the
// caller's own, or for an admin key (which has none) the one named.
func (s *Service) owningOrganisation(ctx context.Context, a audit.Actor, named string) (string, error) {
	org := named
	if org == "" {
		org = a.Organisation
	}
	if org == "" {
		var p domain.Problems
		p.Add("organisation", "is required with an admin key: the id of the council the record belongs to, e.g. neddc")
		return "", p.Err()
	}
	if err := a.Authorize(domain.AreaSourcing, org); err != nil {
		return "", err
	}
	if _, _, err := s.orgs.Get(ctx, org); errors.Is(err, store.ErrNotFound) {
		var p domain.Problems
		p.Add("organisation", "no organisation has id %q; GET /api/v1/organisations lists them", org)
		return "", p.Err()
	} else if err != nil {
		return "", err
	}
	return org, nil
}

// organisationName is the organisation's name for documents, or its id.
func (s *Service) organisationName(ctx context.Context, id string) string {
	if o, _, err := s.orgs.Get(ctx, id); err == nil && o.Name != "" {
		return o.Name
	}
	return id
}

// parties are the organisations of a joint procurement, nil when id is
// empty or names none.
func (s *Service) parties(ctx context.Context, id string) ([]string, error) {
	if id == "" {
		return nil, nil
	}
	jp, _, err := s.procurements.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return jp.Parties(), nil
}

// checkJointProcurement validates a link to a joint procurement: it must
// exist and org must be one of its parties.
func (s *Service) checkJointProcurement(ctx context.Context, field, id, org string) error {
	if id == "" {
		return nil
	}
	jp, _, err := s.procurements.Get(ctx, id)
	var p domain.Problems
	switch {
	case errors.Is(err, store.ErrNotFound):
		p.Add(field, "no joint procurement has id %q; GET /api/v1/procurements lists them", id)
	case err != nil:
		return err
	case !jp.IsParty(org):
		p.Add(field, "%s (%s) is a procurement of %v; %s is not a party to it", jp.Reference, id, jp.Parties(), org)
	}
	return p.Err()
}

// principalOf is the caller for the domain's access rules: nil when
// anonymous.
func principalOf(a audit.Actor) *domain.Principal {
	if a.Anonymous() {
		return nil
	}
	return &a.Principal
}

// unprocessable re-codes validation problems that a well-formed request
// gets from what the server computed (the recommendation against the
// ranking, frameworks against today) as 422.
func unprocessable(err error) error {
	var de *domain.Error
	if errors.As(err, &de) && de.Code == domain.CodeInvalid {
		out := *de
		out.Code = domain.CodeUnprocessable
		out.Message = "the request contradicts the comparison as computed"
		return &out
	}
	return err
}

func notFound(what, id string) error {
	return &domain.Error{Code: domain.CodeNotFound, Message: fmt.Sprintf("no %s has id %q", what, id)}
}

// actorName says who acted, for records people read (a provenance row).
func actorName(a audit.Actor) string {
	if a.Organisation != "" {
		return fmt.Sprintf("%s key %s (%s)", a.Role, a.KeyID, a.Organisation)
	}
	return fmt.Sprintf("%s key %s", a.Role, a.KeyID)
}
