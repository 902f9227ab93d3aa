package procurement

import (
	"context"
	"errors"
	"sync"

	"github.com/jointict/councilapi/app/events"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain/procurement"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// The sourcing capability's collections the register reads: an awarded
// G-Cloud call-off recorded on a saved search is a contract like a joint
// procurement's award.
const (
	collSavedSearches = "saved_searches"
	collServices      = "gcloud_services"
)

// savedSearch is what the register reads of a saved search.
type savedSearch struct {
	ds.SavedSearch
	ExportedRows []ds.ExportRow `json:"exportedRows,omitempty"`
}

// callOffRows are the register rows of the awarded G-Cloud call-offs.
func (s *Service) callOffRows(ctx context.Context, rs procurement.RuleSet) ([][]string, error) {
	orgs, err := s.organisations(ctx)
	if err != nil {
		return nil, err
	}
	var rows [][]string
	err = s.searches.Scan(ctx, nil, func(ss savedSearch, _ repo.Meta) error {
		if !isAward(ss) {
			return nil
		}
		c := ds.CallOff{SearchID: ss.ID, SearchName: ss.Name, Outcome: *ss.Outcome}
		// The buyer may be named by its organisation id (as the pages
		// choose it); the register names the council.
		if o, ok := orgs[c.Outcome.BuyingOrganisation]; ok {
			c.Outcome.BuyingOrganisation = o.Name
		}
		for _, r := range ss.ExportedRows {
			if r.ServiceID == ss.Outcome.ServiceID {
				c.Service = r
			}
		}
		svc, _, err := s.services.Get(ctx, ss.Outcome.ServiceID)
		switch {
		case err == nil:
			c.SupplierRegistration = svc.CompaniesHouseNumber
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		// A service gone from the catalogue since the award keeps its
		// row: the contract stands; only the registration number is lost.
		if row, ok := c.RegisterRow(rs); ok {
			rows = append(rows, row)
		}
		return nil
	})
	return rows, err
}

// CallOffConsumer republishes the contracts register when an outcome is
// recorded on a saved search, through whichever instance recorded it (the
// change feed brings it to every instance; the register's digest keeps all
// but the first from uploading the same file again).
func (s *Service) CallOffConsumer() events.Consumer {
	return &callOffFeed{s: s, awarded: map[string]bool{}}
}

// callOffFeed knows which saved searches carry an awarded outcome, so a
// change to any other (a shortlist edited, a search renamed) costs one
// read and no rebuild of the register.
type callOffFeed struct {
	s       *Service
	mu      sync.Mutex
	awarded map[string]bool // saved search id -> its outcome is an award
}

func (f *callOffFeed) Name() string          { return "contracts-register-call-offs" }
func (f *callOffFeed) Collections() []string { return []string{collSavedSearches} }

// Load publishes the register as the store has it, which also catches an
// outcome recorded while no instance was running.
func (f *callOffFeed) Load(ctx context.Context) error {
	awarded := map[string]bool{}
	err := f.s.searches.Scan(ctx, nil, func(ss savedSearch, _ repo.Meta) error {
		if isAward(ss) {
			awarded[ss.ID] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.awarded = awarded
	f.mu.Unlock()
	return f.republish(ctx)
}

// Apply republishes when a changed search is an award, or was one (its
// outcome changed or it was deleted): only those have register rows.
func (f *callOffFeed) Apply(ctx context.Context, changes []store.Change) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	touched := false
	for _, c := range changes {
		ss, _, err := f.s.searches.Get(ctx, c.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		now := err == nil && isAward(ss)
		if now || f.awarded[c.ID] {
			touched = true
		}
		if now {
			f.awarded[c.ID] = true
		} else {
			delete(f.awarded, c.ID)
		}
	}
	if !touched {
		return nil
	}
	return f.republish(ctx)
}

func isAward(ss savedSearch) bool { return ss.Outcome != nil && ss.Outcome.Result == ds.OutcomeAwarded }

// republish reports a register that cannot be published (a host without
// the contact it needs) in the log and in /readyz's register detail, as a
// procurement write does, rather than failing the feed: retrying would not
// mend it.
func (f *callOffFeed) republish(ctx context.Context) error {
	if err := f.s.publishRegister(ctx); err != nil {
		f.s.log.Error("publishing the contracts register failed", "err", err)
	}
	return nil
}
