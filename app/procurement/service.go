// Package procurement holds the joint procurement use cases: the register
// of procurements the host authority runs for the partners, their
// lifecycle, approvals and realised savings, the OCDS releases and the
// Transparency Code contracts register they publish, the approving bodies
// (governance), the partners' and committee's views, each organisation's
// ICT estate and its five-year capital investment programme with reviews.
// It knows nothing of HTTP: the api package parses requests, calls these
// use cases and writes the answers.
package procurement

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue/ocds"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/capital"
	"github.com/jointict/councilapi/domain/estate"
	"github.com/jointict/councilapi/domain/procurement"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// Collections of the joint procurement capability. Rule sets are not
// stored: they are the dated versions shipped in domain/procurement, with
// the per-organisation Key Decision thresholds from the configuration.
const (
	CollProcurements  = "procurements"
	CollReleases      = "ocds_releases"
	CollSettings      = "procurement_settings"
	CollGovernance    = "procurement_governance"
	CollAssets        = "estate_assets"
	CollCapitalInputs = "capital_comparisons"
	CollManualLines   = "capital_manual_lines"
	CollReviews       = "capital_reviews"
	collOrganisations = "organisations"
	// collComparisons is the sourcing capability's collection; a
	// procurement's linked comparison must exist there.
	collComparisons = "comparisons"
)

// Indexes are what the capability's collections need from the store.
var Indexes = []store.Index{
	{Collection: CollProcurements, Unique: []string{"reference"}, Fields: []string{"state", "parties", "public", "route", "updated", "ocid"}},
	{Collection: CollReleases, Fields: []string{"ocid", "date", "seq"}},
	{Collection: CollSettings},
	{Collection: CollGovernance},
	{Collection: CollAssets, Fields: []string{"organisation"}},
	{Collection: CollCapitalInputs, Fields: []string{"organisation"}},
	{Collection: CollManualLines, Fields: []string{"organisation"}},
	{Collection: CollReviews, Fields: []string{"organisation", "version"}},
}

// DefaultOCIDPrefix has the shape ocds.Config.Check demands but is not a
// registered prefix: set --ocid-prefix before publishing for real.
const DefaultOCIDPrefix = "ocds-jict00-"

// Config is what the capability needs to know about its deployment.
type Config struct {
	// OCIDPrefix is the registered Open Contracting ocid prefix (ocds-xxxxxx-).
	OCIDPrefix string
	// KeyDecisionThresholds overrides the £50,000 Key Decision threshold per
	// organisation: "bdc=75000,dddc=100000" (pounds).
	KeyDecisionThresholds string
	// Now is the clock the rules are applied with (time.Now when nil).
	Now func() time.Time
}

// Service is the joint procurement capability.
type Service struct {
	procs       repo.Repo[Record]
	releases    repo.Repo[releaseRecord]
	settings    repo.Repo[registerSettings]
	governance  repo.Repo[procurement.Governance]
	orgs        repo.Repo[domain.Organisation]
	comparisons repo.Repo[comparisonOwner]
	assets      repo.Repo[estate.Asset]
	cashInputs  repo.Repo[capital.Comparison]
	manual      repo.Repo[capital.ManualLine]
	reviews     repo.Repo[capital.Review]
	data        *opendata.Service
	audit       *audit.Log
	log         *slog.Logger

	prefix   string
	ruleSets []procurement.RuleSet
	cal      procurement.Calendar
	clock    func() time.Time
	confErr  error
	// registerMu orders register publications in this process, so a later
	// change's CSV is never uploaded before an earlier one's.
	registerMu sync.Mutex
	searches   repo.Repo[savedSearch]
	services   repo.Repo[ds.Service]
}

// New builds the capability over st; the contracts register is published
// through data. A malformed configuration is reported by Start.
func New(st store.Store, data *opendata.Service, al *audit.Log, log *slog.Logger, cfg Config) *Service {
	s := &Service{procs: repo.New[Record](st, CollProcurements), releases: repo.New[releaseRecord](st, CollReleases),
		settings: repo.New[registerSettings](st, CollSettings), governance: repo.New[procurement.Governance](st, CollGovernance),
		orgs: repo.New[domain.Organisation](st, collOrganisations), searches: repo.New[savedSearch](st, collSavedSearches),
		services: repo.New[ds.Service](st, collServices), comparisons: repo.New[comparisonOwner](st, collComparisons),
		assets: repo.New[estate.Asset](st, CollAssets), cashInputs: repo.New[capital.Comparison](st, CollCapitalInputs),
		manual: repo.New[capital.ManualLine](st, CollManualLines), reviews: repo.New[capital.Review](st, CollReviews),
		data: data, audit: al, log: log, cal: procurement.EnglandAndWales, clock: cfg.Now}
	if s.clock == nil {
		s.clock = time.Now
	}
	prefix, kd, err := parseConfig(cfg)
	s.prefix, s.confErr = prefix, err
	for _, rs := range procurement.DefaultRuleSets() {
		if len(kd) > 0 {
			rs.KeyDecisionByOrg = kd
		}
		s.ruleSets = append(s.ruleSets, rs)
	}
	return s
}

// parseConfig checks the ocid prefix and the per-organisation Key Decision
// thresholds ("bdc=75000,dddc=100000", pounds).
func parseConfig(cfg Config) (prefix string, keyDecisions map[string]procurement.Pence, err error) {
	prefix = strings.TrimSpace(cfg.OCIDPrefix)
	if prefix == "" {
		prefix = DefaultOCIDPrefix
	}
	check := ocds.Config{Prefix: prefix, PublisherName: "check", BaseURI: "https://check"}
	if err := check.Check(); err != nil {
		return "", nil, fmt.Errorf("--ocid-prefix %q: %w", prefix, err)
	}
	keyDecisions = map[string]procurement.Pence{}
	for _, item := range strings.Split(cfg.KeyDecisionThresholds, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		org, amount, ok := strings.Cut(item, "=")
		v, perr := procurement.ParsePence(amount)
		if !ok || perr != nil || v <= 0 || strings.TrimSpace(org) == "" {
			return "", nil, fmt.Errorf("--key-decision-thresholds: %q must be organisation=pounds, e.g. bdc=75000", item)
		}
		keyDecisions[strings.TrimSpace(org)] = v
	}
	return prefix, keyDecisions, nil
}

// Start refuses a malformed configuration and repeats the release writes
// that a crash cut off.
func (s *Service) Start(ctx context.Context) error {
	if s.confErr != nil {
		return s.confErr
	}
	return s.procs.Scan(ctx, nil, func(r Record, _ repo.Meta) error { return s.writeRelease(ctx, r) })
}

// OCIDPrefix is the configured ocid prefix.
func (s *Service) OCIDPrefix() string { return s.prefix }

// now is the time stamps are taken at: whole seconds in UTC, so stored
// RFC 3339 text compares in time order.
func (s *Service) now() time.Time { return s.clock().UTC().Truncate(time.Second) }

func (s *Service) today() procurement.Date { return procurement.DateOf(s.clock()) }

// rules is the rule set in force on day.
func (s *Service) rules(day procurement.Date) (procurement.RuleSet, error) {
	return procurement.RuleSetAt(s.ruleSets, day)
}

// env is what the lifecycle rules depend on, with the rules in force on
// day (the day of a move; today otherwise).
func (s *Service) env(ctx context.Context, day procurement.Date) (procurement.Env, error) {
	rs, err := s.rules(day)
	if err != nil {
		return procurement.Env{}, err
	}
	gov, _, err := s.Governance(ctx)
	if err != nil {
		return procurement.Env{}, err
	}
	return procurement.Env{Rules: rs, Calendar: s.cal, Governance: gov, Now: s.clock()}, nil
}

// organisations are every council, by id.
func (s *Service) organisations(ctx context.Context) (map[string]domain.Organisation, error) {
	list, _, err := s.orgs.List(ctx, store.Query{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Organisation, len(list))
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

// hostOf is the host authority: the first organisation marked host, by id.
func hostOf(orgs map[string]domain.Organisation) (domain.Organisation, bool) {
	ids := make([]string, 0, len(orgs))
	for id := range orgs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if orgs[id].Host {
			return orgs[id], true
		}
	}
	return domain.Organisation{}, false
}

// Readiness names what keeps the capability from publishing everything it
// should, for /readyz's detail: the contracts register dataset (the host
// lacks what publication needs) and councils OCDS cannot identify. These
// do not make the instance unready: it serves everything else correctly.
func (s *Service) Readiness(ctx context.Context) map[string]string {
	orgs, err := s.organisations(ctx)
	if err != nil {
		return nil // the store check reports it
	}
	out := map[string]string{}
	if pr := procurement.RegisterPublicationProblems(hostOf(orgs)); len(pr) > 0 {
		out["contracts-register"] = strings.Join(pr, "; ")
	}
	ids := make([]string, 0, len(orgs))
	for id := range orgs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if pr := ocds.IdentifierProblems(ids, orgs); len(pr) > 0 {
		out["ocds-identifiers"] = strings.Join(pr, "; ")
	}
	return out
}

// comparisonOwner is what the capability reads of a sourcing comparison:
// that it exists and whose it is.
type comparisonOwner struct {
	Organisation string `json:"organisation"`
}

// Decode reads the caller's input into v. Use cases call it only once the
// actor is authorised, so a key without the right to act learns nothing
// from the problems of its input.
type Decode func(v any) error

// readsOrg reports whether the actor may read org's private data (its
// estate, programme and partner view): its own officers and admins.
func readsOrg(a audit.Actor, org string) error {
	switch {
	case a.Role == domain.RoleAdmin:
		return nil
	case a.Role == domain.RoleOfficer && a.Organisation == org:
		return nil
	case a.Anonymous():
		return domain.Errorf(domain.CodeUnauthorized, "the data of %s is private: send the API key of one of its officers", org)
	}
	return domain.Errorf(domain.CodeForbidden, "the data of %s is read by its own officers and admins; this key acts for %q", org, a.Organisation)
}

// knownOrg reports an organisation that does not exist as not found.
func (s *Service) knownOrg(ctx context.Context, org string) (domain.Organisation, error) {
	o, _, err := s.orgs.Get(ctx, org)
	if err != nil {
		return o, domain.Errorf(domain.CodeNotFound, "no organisation has id %q; GET /api/v1/organisations lists them", org)
	}
	return o, nil
}
