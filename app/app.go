// Package app wires the application layer: the use cases of each
// capability over one store, the change feed that keeps every instance's
// derived state current, and the background job runner. main builds an App
// and hands it to the HTTP adapter (package api).
package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/events"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/app/inspire"
	"github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store"
)

// Config is what the application layer needs to know about its deployment.
type Config struct {
	// BaseURL, when set, is the public URL prefix for absolute links; the
	// INSPIRE records' fingerprints depend on it.
	BaseURL string
	// UploadLimit caps one uploaded dataset file, in bytes.
	UploadLimit int64
	// FeedPoll is the longest time between two reads of the change feed.
	FeedPoll time.Duration
	// JobLease is how long an instance's claim on a job holds unrenewed.
	JobLease time.Duration
	// JobWorkers is how many uploads this instance processes at once.
	JobWorkers int
	// MaxFeatures caps the features of one spatial upload (0: the default).
	MaxFeatures int
	// CoordinateDecimals is how many decimal places of a degree published
	// coordinates keep (0: opendata.DefaultCoordinateDecimals).
	CoordinateDecimals int
	// Procurement is the joint procurement capability's configuration
	// (ocid prefix, Key Decision thresholds).
	Procurement procurement.Config
	// Sessions sets the web pages' session lifetimes and the mapping of
	// OpenID Connect claims to roles and organisations.
	Sessions identity.SessionConfig
}

// App is the application layer of one server instance.
type App struct {
	Store    store.Store
	Audit    *audit.Log
	Bus      *events.Bus
	OGC      *ogc.Registry
	Identity *identity.Service
	// Sessions are the web pages' sign-ins.
	Sessions *identity.Sessions
	OpenData *opendata.Service
	Inspire  *inspire.Service
	// Procurement is joint procurement, the ICT estate and the capital programmes.
	Procurement *procurement.Service
	// Sourcing is the G-Cloud catalogue, saved searches and comparisons.
	Sourcing *sourcing.Service

	log *slog.Logger
}

// New builds every capability over st. Call Start before serving.
func New(cfg Config, st store.Store, log *slog.Logger) *App {
	a := &App{Store: st, Audit: audit.New(st, log), OGC: ogc.NewRegistry(), log: log}
	a.Bus = events.New(st, log, events.Options{Poll: cfg.FeedPoll})
	a.Identity = identity.New(st, a.Audit)
	a.Sessions = identity.NewSessions(a.Identity, cfg.Sessions)
	a.OpenData = opendata.New(st, a.Bus, a.Audit, a.OGC, log,
		opendata.Config{UploadLimit: cfg.UploadLimit, Workers: cfg.JobWorkers, JobLease: cfg.JobLease,
			MaxFeatures: cfg.MaxFeatures, CoordinateDecimals: cfg.CoordinateDecimals})
	a.Inspire = inspire.New(st, a.OpenData, a.Audit, log, cfg.BaseURL)
	a.Bus.Subscribe(a.Inspire)
	a.Procurement = procurement.New(st, a.OpenData, a.Audit, log, cfg.Procurement)
	a.Bus.Subscribe(a.Procurement.CallOffConsumer())
	a.Sourcing = sourcing.New(st, a.Bus, a.Audit, log, sourcing.Config{})
	return a
}

// Start begins tailing the change feed (derived state loads in the
// background; see Ready) and processing jobs.
func (a *App) Start(ctx context.Context) error {
	if err := a.Procurement.Start(ctx); err != nil {
		return err
	}
	if err := a.Bus.Start(ctx); err != nil {
		return err
	}
	a.OpenData.Start(ctx)
	return nil
}

// Instance is this process's id, as written in the leases of the jobs it
// processes.
func (a *App) Instance() string { return a.OpenData.Instance() }

// Stop ends background work.
func (a *App) Stop() {
	a.OpenData.Stop()
	a.Sourcing.Stop()
	a.Bus.Stop()
}

// Readiness says whether this instance serves everything it should: the
// store answers and every piece of derived state has loaded. Detail names
// what is not ready (a consumer still loading, collections being built).
type Readiness struct {
	Ready  bool              `json:"ready"`
	Detail map[string]string `json:"detail,omitempty"`
}

// Ready checks the store and the derived state.
func (a *App) Ready(ctx context.Context) Readiness {
	r := Readiness{Ready: true, Detail: map[string]string{}}
	if err := a.Store.Ping(ctx); err != nil {
		r.Ready = false
		r.Detail["store"] = "does not answer: " + err.Error()
	}
	for name, st := range a.Bus.Status() {
		if st != "ready" {
			r.Ready = false
			r.Detail[name] = st
		}
	}
	for _, c := range a.OGC.Pending(ctx) {
		r.Ready = false
		if c.Err != nil {
			r.Detail["ogc-collection "+c.ID] = "failed: " + c.Err.Error()
		} else {
			r.Detail["ogc-collection "+c.ID] = "loading since " + c.Since.UTC().Format(time.RFC3339)
		}
	}
	// What keeps publication incomplete is reported without making the
	// instance unready: it serves everything else correctly.
	for k, v := range a.Procurement.Readiness(ctx) {
		r.Detail[k] = v
	}
	if len(r.Detail) == 0 {
		r.Detail = nil
	}
	return r
}

// Indexes lists what every collection needs; Prepare applies it.
var Indexes = slices.Concat(
	identity.Indexes,
	opendata.Indexes,
	inspire.Indexes,
	procurement.Indexes,
	sourcing.Indexes,
)

// Prepare creates indexes and seeds a fresh store; safe on every start and
// from several instances at once.
func Prepare(ctx context.Context, st store.Store, extra []store.Index) error {
	if err := st.EnsureIndexes(ctx, slices.Concat(Indexes, extra)); err != nil {
		return err
	}
	page, err := st.List(ctx, identity.CollOrganisations, store.Query{Limit: 1})
	if err != nil {
		return err
	}
	if page.Total > 0 {
		return nil
	}
	al := audit.New(st, slog.Default())
	for _, o := range domain.SeedOrganisations() {
		if _, err := st.Insert(ctx, identity.CollOrganisations, o.ID, o); err != nil && err != store.ErrExists {
			return fmt.Errorf("seeding %s: %w", o.ShortName, err)
		}
		al.Record(ctx, audit.System, "organisation.seed", identity.CollOrganisations, o.ID, nil, o)
	}
	return nil
}
