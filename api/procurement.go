package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/catalogue/ocds"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// Collections of the joint procurement capability. Rule sets are not
// stored: they are the dated versions shipped in domain/procurement, with
// the per-organisation Key Decision thresholds from the environment.
const (
	collProcurements = "procurements"
	collReleases     = "ocds_releases"
	collProcSettings = "procurement_settings"
)

var procurementIndexes = []store.Index{
	{Collection: collProcurements, Unique: []string{"reference"}, Fields: []string{"state", "parties", "public", "route", "updated", "ocid"}},
	{Collection: collReleases, Fields: []string{"ocid", "date", "seq"}},
}

// DefaultOCIDPrefix has the shape ocds.Config.Check demands but is not a
// registered prefix: set --ocid-prefix before publishing for real.
const DefaultOCIDPrefix = "ocds-jict00-"

// procurementSettings checks the capability's configuration: the ocid
// prefix and per-organisation Key Decision thresholds ("bdc=75000,dddc=100000", pounds).
func procurementSettings(cfg Config) (prefix string, keyDecisions map[string]procurement.Pence, err error) {
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

// procurementDoc is a procurement as stored: the domain record plus what
// the service keeps for listing and publication. LastRelease is the OCDS
// release of the latest published change; it is written here first and then
// to ocds_releases under an id made of ocid and sequence number, so when the
// second write fails the next write (or the next start) repeats it without
// ever duplicating it.
type procurementDoc struct {
	procurement.JointProcurement
	PartyIDs      []string          `json:"parties"`
	SearchText    string            `json:"searchText"`
	Public        bool              `json:"public"`
	OCID          string            `json:"ocid,omitempty"`
	Releases      int               `json:"releases"`
	ReleasedState procurement.State `json:"releasedState,omitempty"`
	LastRelease   *ocds.Release     `json:"lastRelease,omitempty"`
}

func (d *procurementDoc) index() {
	d.PartyIDs = d.Parties()
	d.SearchText = strings.ToLower(strings.Join(append([]string{d.Reference, d.Title, d.Description}, d.CPV...), " "))
}

// procurementView is a procurement as the API shows it.
type procurementView struct {
	procurement.JointProcurement
	OCID string `json:"ocid,omitempty"`
	// Published is true once the procurement has left the pipeline: from
	// then on it is in the public register and the OCDS feed.
	Published bool              `json:"published"`
	Links     map[string]string `json:"links"`
}

// procurementAPI is the joint procurement capability.
type procurementAPI struct {
	s        *Server
	prefix   string
	ruleSets []procurement.RuleSet
	cal      procurement.Calendar
	gov      procurement.Governance
	confErr  error
	// registerMu orders register publications in this process, so a later
	// change's CSV is never uploaded before an earlier one's.
	registerMu sync.Mutex
}

func (s *Server) procurementRoutes(v1 *echo.Group, e *echo.Echo) {
	a := &procurementAPI{s: s, cal: procurement.EnglandAndWales, gov: procurement.SeedGovernance()}
	prefix, kd, err := procurementSettings(s.cfg)
	a.prefix, a.confErr = prefix, err
	for _, rs := range procurement.DefaultRuleSets() {
		if len(kd) > 0 {
			rs.KeyDecisionByOrg = kd
		}
		a.ruleSets = append(a.ruleSets, rs)
	}
	s.starters = append(s.starters, a.start)

	v1.POST("/procurements", a.create, s.authenticate)
	v1.GET("/procurements", a.list, s.optionalAuth)
	v1.GET("/procurements/:id", a.get, s.optionalAuth)
	v1.PATCH("/procurements/:id", a.patch, s.authenticate)
	v1.POST("/procurements/:id/transitions", a.transition, s.authenticate)
	v1.POST("/procurements/:id/approvals", a.approve, s.authenticate)
	v1.POST("/procurements/:id/realised-savings", a.realisedSaving, s.authenticate)
	v1.GET("/procurements/:id/assessment", a.assessment, s.authenticate)
	v1.GET("/procurements/:id/shares", a.shares, s.authenticate)

	e.GET("/ocds/releases", a.releases)
	e.GET("/ocds/records", a.records)
	e.GET("/ocds/records/*", a.record)
	e.GET("/contracts-register.csv", a.serveRegister)
}

// start refuses a malformed configuration and repeats release writes that
// a crash cut off.
func (a *procurementAPI) start(ctx context.Context) error {
	if a.confErr != nil {
		return a.confErr
	}
	return a.s.store.Scan(ctx, collProcurements, nil, func(r store.Record) error {
		var d procurementDoc
		if err := r.Decode(&d); err != nil {
			return fmt.Errorf("procurement %s: %w", r.ID, err)
		}
		return a.writeRelease(ctx, d)
	})
}

func (a *procurementAPI) load(ctx context.Context, id string) (procurementDoc, store.Record, error) {
	rec, err := a.s.store.Get(ctx, collProcurements, id)
	if err != nil {
		return procurementDoc{}, rec, err
	}
	var d procurementDoc
	return d, rec, rec.Decode(&d)
}

// env is what the lifecycle rules depend on, with the clock at now.
func (a *procurementAPI) env(rs procurement.RuleSet) procurement.Env {
	return procurement.Env{Rules: rs, Calendar: a.cal, Governance: a.gov, Now: time.Now()}
}

// rules is the rule set in force on day.
func (a *procurementAPI) rules(day procurement.Date) (procurement.RuleSet, error) {
	return procurement.RuleSetAt(a.ruleSets, day)
}

func (a *procurementAPI) organisations(ctx context.Context) (map[string]domain.Organisation, error) {
	page, err := a.s.store.List(ctx, collOrganisations, store.Query{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]domain.Organisation, len(page.Records))
	for _, r := range page.Records {
		var o domain.Organisation
		if err := r.Decode(&o); err != nil {
			return nil, err
		}
		out[o.ID] = o
	}
	return out, nil
}

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

// view shows the whole record to those who may read it and the published
// register entry to everyone else: without baselines, approvals, realised
// savings, the sourcing comparison or the keys that made each move.
func (a *procurementAPI) view(c echo.Context, d procurementDoc, rec store.Record) procurementView {
	p := d.JointProcurement
	p.Version = int(rec.Version)
	if !procurement.CanRead(principal(c), p) {
		p.Baseline, p.Approvals, p.RealisedSavings, p.Comparison = nil, nil, nil, ""
		h := make([]procurement.TransitionRecord, len(p.History))
		for i, t := range p.History {
			t.By = ""
			h[i] = t
		}
		p.History = h
	}
	base := a.s.baseURL(c)
	links := map[string]string{"self": base + "/api/v1/procurements/" + p.ID}
	if procurement.CanRead(principal(c), p) {
		links["assessment"] = links["self"] + "/assessment"
		links["shares"] = links["self"] + "/shares"
	}
	if d.OCID != "" {
		links["ocdsRecord"] = base + "/ocds/records/" + d.OCID
	}
	return procurementView{JointProcurement: p, OCID: d.OCID, Published: d.Public, Links: links}
}

// checkRecord validates what the service checks beyond the domain: that
// the parties and the linked sourcing comparison exist, and that a
// published procurement keeps its reference, which its ocid is made of.
func (a *procurementAPI) checkRecord(ctx context.Context, before *procurementDoc, p procurement.JointProcurement, orgs map[string]domain.Organisation) error {
	var pr domain.Problems
	if err := p.Validate(); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) {
			return err
		}
		pr = append(pr, de.Fields...)
	}
	if p.Host != "" {
		if _, ok := orgs[p.Host]; !ok {
			pr.Add("host", "no organisation has id %q; GET /api/v1/organisations lists them", p.Host)
		}
	}
	for i, o := range p.Partners {
		if _, ok := orgs[o]; !ok && o != "" {
			pr.Add(fmt.Sprintf("partners[%d]", i), "no organisation has id %q; GET /api/v1/organisations lists them", o)
		}
	}
	if p.Comparison != "" && (before == nil || before.Comparison != p.Comparison) {
		if _, err := a.s.store.Get(ctx, collComparisons, p.Comparison); errors.Is(err, store.ErrNotFound) {
			pr.Add("comparison", "no sourcing comparison has id %q; GET /api/v1/comparisons lists them", p.Comparison)
		} else if err != nil {
			return err
		}
	}
	if before != nil && before.Public && p.Reference != before.Reference {
		pr.Add("reference", "is fixed once the procurement is published, because its ocid %s is made of it", before.OCID)
	}
	return pr.Err()
}

// save writes p as the next version of the stored procurement (or inserts
// it when rec is nil), then its OCDS release, the audit entry and the
// contracts register. The procurement is written first: its release is
// part of that document, so nothing published can be lost.
func (a *procurementAPI) save(c echo.Context, action string, before procurementDoc, rec *store.Record, expected int64, p procurement.JointProcurement) (procurementDoc, store.Record, error) {
	ctx := c.Request().Context()
	if rec != nil {
		if err := a.writeRelease(ctx, before); err != nil {
			return before, *rec, err
		}
	}
	t := now()
	p.Updated = t
	p.Version = int(expected) + 1
	after := before
	after.JointProcurement = p
	after.index()
	// A release is dated by its change: a move by its own time (the
	// notice's publication, the signature), any other change by now.
	changed := t
	if n := len(p.History); n > len(before.History) {
		changed = p.History[n-1].At
	}
	if err := a.release(ctx, &after, changed); err != nil {
		return before, store.Record{}, err
	}
	var stored store.Record
	var err error
	if rec == nil {
		stored, err = a.s.store.Insert(ctx, collProcurements, p.ID, after)
	} else {
		stored, err = a.s.store.Update(ctx, collProcurements, p.ID, expected, after)
	}
	if err != nil {
		return before, store.Record{}, err
	}
	if err := a.writeRelease(context.WithoutCancel(ctx), after); err != nil {
		a.s.log.Error("writing an OCDS release failed; the next change or restart repeats it", "procurement", p.ID, "err", err)
	}
	var prev any
	if rec != nil {
		prev = before.JointProcurement
	}
	a.s.audit(c, action, collProcurements, p.ID, prev, after.JointProcurement)
	if err := a.publishRegister(context.WithoutCancel(ctx)); err != nil {
		a.s.log.Error("publishing the contracts register failed", "err", err)
	}
	return after, stored, nil
}

// writable loads a procurement for a write: the role first (403 for
// publisher keys), then the organisation (403 for a non-party officer).
func (a *procurementAPI) writable(c echo.Context) (procurementDoc, store.Record, error) {
	if err := authorize(c, domain.AreaProcurement, ""); err != nil {
		return procurementDoc{}, store.Record{}, err
	}
	d, rec, err := a.load(c.Request().Context(), c.Param("id"))
	if err != nil {
		return d, rec, err
	}
	if !procurement.CanRead(principal(c), d.JointProcurement) {
		return d, rec, domain.Errorf(domain.CodeForbidden, "this key's organisation is not a party to %s", d.Reference)
	}
	return d, rec, nil
}

func (a *procurementAPI) respond(c echo.Context, status int, d procurementDoc, rec store.Record) error {
	c.Response().Header().Set("ETag", etag(rec))
	if status == http.StatusCreated {
		c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/procurements/"+d.ID)
	}
	return c.JSON(status, a.view(c, d, rec))
}

// create adds a procurement to the register in the pipeline state.
//
//	@Summary		Create a joint procurement (officer of the host authority)
//	@Description	Starts in the pipeline state, which is internal: the procurement is published (register, OCDS) when it moves to planning. host defaults to the host authority. Approvals, state and history are recorded through their own operations.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			procurement	body		procurement.JointProcurement	true	"the procurement"
//	@Success		201			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements [post]
func (a *procurementAPI) create(c echo.Context) error {
	if err := authorize(c, domain.AreaProcurement, ""); err != nil {
		return err
	}
	var p procurement.JointProcurement
	if err := decodeJSON(c, &p); err != nil {
		return err
	}
	ctx := c.Request().Context()
	orgs, err := a.organisations(ctx)
	if err != nil {
		return err
	}
	if p.Host == "" {
		if h, ok := hostOf(orgs); ok {
			p.Host = h.ID
		}
	}
	if err := authorize(c, domain.AreaProcurement, p.Host); err != nil {
		return err
	}
	var pr domain.Problems
	if p.ID != "" {
		pr.Add("id", "is assigned by the service; omit it")
	}
	if p.State != "" && p.State != procurement.StatePipeline {
		pr.Add("state", "a procurement starts in pipeline; move it with POST /api/v1/procurements/{id}/transitions")
	}
	if len(p.History) > 0 || len(p.RealisedSavings) > 0 || len(p.Approvals) > 0 || !p.StandstillEnds.IsZero() || !p.DetailsNoticeDue.IsZero() {
		pr.Add("history", "history, approvals, realised savings and lifecycle dates are recorded through their own operations; omit them")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	if err := a.checkRecord(ctx, nil, p, orgs); err != nil {
		return err
	}
	p.ID, p.State, p.Created = store.NewID(), procurement.StatePipeline, now()
	d, rec, err := a.save(c, "procurement.create", procurementDoc{}, nil, 0, p)
	if err != nil {
		return err
	}
	return a.respond(c, http.StatusCreated, d, rec)
}

// patch edits a procurement with a JSON merge patch.
//
//	@Summary		Edit a joint procurement (JSON merge patch)
//	@Description	The host's officers edit every descriptive field; a partner's officers only their own baseline, driver count and Cabinet approval. If-Match is checked when sent; otherwise the version just read is used. A stale version is 412 and changes nothing.
//	@Tags			procurement
//	@Accept			json
//	@Produce		json
//	@Param			id			path		string							true	"procurement id"
//	@Param			If-Match	header		string							false	"ETag from GET; 412 when stale"
//	@Param			patch		body		procurement.JointProcurement	true	"members to change"
//	@Success		200			{object}	procurementView
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		404			{object}	Problem
//	@Failure		409			{object}	Problem
//	@Failure		412			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/procurements/{id} [patch]
func (a *procurementAPI) patch(c echo.Context) error {
	patch, err := readPatch(c)
	if err != nil {
		return err
	}
	before, rec, err := a.writable(c)
	if err != nil {
		return err
	}
	version, err := expectedVersion(c, rec)
	if err != nil {
		return err
	}
	cur := before.JointProcurement
	cur.Version = int(rec.Version)
	merged, err := mergePatch(mustJSON(cur), patch)
	if err != nil {
		return err
	}
	var p procurement.JointProcurement
	if err := strictDecode(merged, &p); err != nil {
		return err
	}
	if err := procurement.CheckEdit(principal(c), cur, p); err != nil {
		return err
	}
	ctx := c.Request().Context()
	orgs, err := a.organisations(ctx)
	if err != nil {
		return err
	}
	if err := a.checkRecord(ctx, &before, p, orgs); err != nil {
		return err
	}
	d, stored, err := a.save(c, "procurement.update", before, &rec, version, p)
	if err != nil {
		return err
	}
	return a.respond(c, http.StatusOK, d, stored)
}
