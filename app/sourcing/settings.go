package sourcing

import (
	"context"
	"errors"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// Settings is an organisation's sourcing policy, stored under the
// organisation's id. An organisation without settings has every policy off.
type Settings struct {
	Organisation string `json:"organisation"`
	ds.Policy
	UpdatedBy string    `json:"updatedBy,omitempty"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`
}

// SettingsInput is what an officer or admin sets.
type SettingsInput struct {
	// CloudFirst switches the "cloud by default" policy on: an on-premise
	// recommendation must then state the service reasons that justify it,
	// and the report sets out the cost and carbon difference from the best
	// cloud option.
	CloudFirst bool `json:"cloudFirst"`
}

// Policy is the organisation's sourcing policy.
func (s *Service) Policy(ctx context.Context, org string) (ds.Policy, error) {
	st, _, err := s.settings.Get(ctx, org)
	if errors.Is(err, store.ErrNotFound) {
		return ds.Policy{}, nil
	}
	return st.Policy, err
}

// GetSettings reads an organisation's sourcing settings. A policy is the
// council's published strategy, so anyone may read it.
func (s *Service) GetSettings(ctx context.Context, org string) (Settings, repo.Meta, error) {
	if _, _, err := s.orgs.Get(ctx, org); errors.Is(err, store.ErrNotFound) {
		return Settings{}, repo.Meta{}, notFound("organisation", org)
	} else if err != nil {
		return Settings{}, repo.Meta{}, err
	}
	st, m, err := s.settings.Get(ctx, org)
	if errors.Is(err, store.ErrNotFound) {
		return Settings{Organisation: org}, repo.Meta{ID: org}, nil
	}
	return st, m, err
}

// PutSettings sets an organisation's sourcing policy (its officers or an
// admin); ifMatch is the version the client read (0: the latest).
func (s *Service) PutSettings(ctx context.Context, a audit.Actor, org string, ifMatch int64, in SettingsInput) (Settings, repo.Meta, error) {
	if err := a.Authorize(domain.AreaSourcing, org); err != nil {
		return Settings{}, repo.Meta{}, err
	}
	if _, _, err := s.orgs.Get(ctx, org); errors.Is(err, store.ErrNotFound) {
		return Settings{}, repo.Meta{}, notFound("organisation", org)
	} else if err != nil {
		return Settings{}, repo.Meta{}, err
	}
	next := Settings{Organisation: org, Policy: ds.Policy{CloudFirst: in.CloudFirst}, UpdatedBy: a.KeyID, UpdatedAt: s.now()}
	before, after, m, err := s.settings.UpdateIf(ctx, org, ifMatch, func(cur *Settings) error {
		if cur.Policy == next.Policy {
			return repo.Unchanged
		}
		*cur = next
		return nil
	})
	if errors.Is(err, store.ErrNotFound) && ifMatch == 0 {
		if m, err = s.settings.Insert(ctx, org, next); err == nil {
			s.audit.Record(ctx, a, "sourcing-settings.update", CollSettings, org, nil, next)
			return next, m, nil
		}
		if errors.Is(err, store.ErrExists) {
			return Settings{}, repo.Meta{}, repo.ErrBusy // set by another request meanwhile
		}
	}
	if err != nil {
		return Settings{}, repo.Meta{}, err
	}
	if before != after {
		s.audit.Record(ctx, a, "sourcing-settings.update", CollSettings, org, before, after)
	}
	return after, m, nil
}
