package procurement

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// Create adds a procurement to the register in the pipeline state (an
// officer of the host authority). host defaults to the host authority.
func (s *Service) Create(ctx context.Context, a audit.Actor, decode Decode) (Procurement, error) {
	if err := a.Authorize(domain.AreaProcurement, ""); err != nil {
		return Procurement{}, err
	}
	var p procurement.JointProcurement
	if err := decode(&p); err != nil {
		return Procurement{}, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return Procurement{}, err
	}
	if p.Host == "" {
		if h, ok := hostOf(orgs); ok {
			p.Host = h.ID
		}
	}
	if err := a.Authorize(domain.AreaProcurement, p.Host); err != nil {
		return Procurement{}, err
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
		return Procurement{}, err
	}
	if err := s.checkRecord(ctx, nil, p, orgs); err != nil {
		return Procurement{}, err
	}
	now := s.now()
	p.ID, p.State, p.Created, p.Updated, p.Version = store.NewID(), procurement.StatePipeline, now, now, 1
	r := Record{JointProcurement: p}
	r.index()
	if err := s.release(&r, orgs, now); err != nil {
		return Procurement{}, err
	}
	m, err := s.procs.Insert(ctx, p.ID, r)
	if err != nil {
		return Procurement{}, err
	}
	s.published(ctx, a, "procurement.create", nil, r)
	return s.present(ctx, a, r, m, orgs, true)
}

// Get reads one procurement: pipeline entries only for their parties.
func (s *Service) Get(ctx context.Context, a audit.Actor, id string) (Procurement, error) {
	r, m, err := s.procs.Get(ctx, id)
	if err != nil {
		return Procurement{}, err
	}
	if !r.Public && !procurement.CanRead(a.Principal, r.JointProcurement) {
		return Procurement{}, store.ErrNotFound
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return Procurement{}, err
	}
	return s.present(ctx, a, r, m, orgs, true)
}

// Filter selects procurements in a listing; empty fields match everything.
type Filter struct {
	States  []procurement.State
	Routes  []procurement.Route
	Partner string // host or partner
	Text    string // lower-case words in reference, title, description or CPV codes
}

// Check reports values that are no state or route.
func (f Filter) Check() error {
	var pr domain.Problems
	for _, st := range f.States {
		if !slices.Contains(procurement.States, st) {
			pr.Add("state", "%q is not a state; use %s", st, join(procurement.States))
		}
	}
	for _, r := range f.Routes {
		if !slices.Contains(procurement.Routes, r) {
			pr.Add("route", "%q is not a route; use %s", r, join(procurement.Routes))
		}
	}
	if len(f.Text) > 200 {
		pr.Add("text", "must be at most 200 characters")
	}
	return pr.Err()
}

func join[T ~string](vs []T) string {
	out := ""
	for i, v := range vs {
		if i > 0 {
			out += ", "
		}
		out += string(v)
	}
	return out
}

// visibility restricts a query to what the actor may see: published
// procurements for everyone, pipeline entries for their parties' officers,
// everything for admins.
func visibility(a audit.Actor, q *store.Query) {
	switch a.Role {
	case domain.RoleAdmin:
	case domain.RoleOfficer:
		q.Any = []store.Filter{{Field: "parties", Op: store.Eq, Value: a.Organisation}, {Field: "public", Op: store.Eq, Value: true}}
	default:
		q.Filters = append(q.Filters, store.Filter{Field: "public", Op: store.Eq, Value: true})
	}
}

// List searches the register, most recently changed first.
func (s *Service) List(ctx context.Context, a audit.Actor, f Filter, limit, offset int) ([]Procurement, int64, error) {
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	q := store.Query{Sort: []store.Sort{{Field: "updated", Desc: true}}, Limit: limit, Offset: offset}
	if len(f.States) > 0 {
		q.Filters = append(q.Filters, store.Filter{Field: "state", Op: store.In, Values: anys(f.States)})
	}
	if len(f.Routes) > 0 {
		q.Filters = append(q.Filters, store.Filter{Field: "route", Op: store.In, Values: anys(f.Routes)})
	}
	if f.Partner != "" {
		q.Filters = append(q.Filters, store.Filter{Field: "parties", Op: store.Eq, Value: f.Partner})
	}
	if f.Text != "" {
		q.Filters = append(q.Filters, store.Filter{Field: "searchText", Op: store.Contains, Value: f.Text})
	}
	visibility(a, &q)
	found, total, err := s.procs.List(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return nil, 0, err
	}
	items := make([]Procurement, 0, len(found))
	for _, r := range found {
		// The stored version counts the record's writes, as the store's does.
		p, err := s.present(ctx, a, r, repo.Meta{ID: r.ID, Version: int64(r.Version)}, orgs, false)
		if err != nil {
			return nil, 0, err
		}
		items = append(items, p)
	}
	return items, total, nil
}

func anys[T ~string](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Patch edits a procurement with a JSON merge patch. The host's officers
// edit every descriptive field; a partner's officers only their own
// baseline and driver count. ifMatch is the client's If-Match version (0
// when none was sent): a stale one changes nothing.
func (s *Service) Patch(ctx context.Context, a audit.Actor, id string, ifMatch int64, decode Decode) (Procurement, error) {
	if _, _, err := s.load(ctx, a, id); err != nil {
		return Procurement{}, err
	}
	var raw json.RawMessage
	if err := decode(&raw); err != nil {
		return Procurement{}, err
	}
	if _, err := patch.Members(raw); err != nil {
		return Procurement{}, err
	}
	orgs, err := s.organisations(ctx)
	if err != nil {
		return Procurement{}, err
	}
	return s.write(ctx, a, "procurement.update", id, ifMatch, orgs, func(r *Record) error {
		before := r.JointProcurement
		var next procurement.JointProcurement
		if err := patch.Apply(before, raw, &next); err != nil {
			return err
		}
		if err := procurement.CheckEdit(a.Principal, before, next); err != nil {
			return err
		}
		if err := s.checkRecord(ctx, r, next, orgs); err != nil {
			return err
		}
		r.JointProcurement = next
		return nil
	})
}

// checkRecord validates what the service checks beyond the domain: that
// the parties and the linked sourcing comparison exist, and that a
// published procurement keeps its reference, which its ocid is made of.
func (s *Service) checkRecord(ctx context.Context, before *Record, p procurement.JointProcurement, orgs map[string]domain.Organisation) error {
	var pr domain.Problems
	if err := p.ValidateAt(s.today()); err != nil {
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
		if _, _, err := s.comparisons.Get(ctx, p.Comparison); errors.Is(err, store.ErrNotFound) {
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

// write changes the stored procurement id with change (retrying from a
// fresh read when another writer got there first; at the client's version
// ifMatch when it is not 0), then publishes what the change makes public:
// its OCDS release (part of the same document, so nothing published is
// lost), the audit entry and the contracts register.
func (s *Service) write(ctx context.Context, a audit.Actor, action, id string, ifMatch int64, orgs map[string]domain.Organisation,
	change func(*Record) error) (Procurement, error) {
	cur, _, err := s.procs.Get(ctx, id)
	if err != nil {
		return Procurement{}, err
	}
	// A release that a crash or a failed write cut off is written before
	// the record moves on to the next one.
	if err := s.writeRelease(ctx, cur); err != nil {
		return Procurement{}, err
	}
	now := s.now()
	before, after, m, err := s.procs.UpdateIf(ctx, id, ifMatch, func(r *Record) error {
		moves := len(r.History)
		if err := change(r); err != nil {
			return err
		}
		r.Updated = now
		r.Version++
		r.index()
		// A release is dated by its change: a move by its own time (the
		// notice's publication, the signature), any other change by now.
		at := now
		if n := len(r.History); n > moves {
			at = r.History[n-1].At
		}
		return s.release(r, orgs, at)
	})
	if err != nil {
		return Procurement{}, err
	}
	// The release of the record replaced is repeated too, in case another
	// writer's was cut off between our read and our write.
	for _, r := range []Record{before, after} {
		if err := s.writeRelease(context.WithoutCancel(ctx), r); err != nil {
			s.log.Error("writing an OCDS release failed; the next change or restart repeats it", "procurement", id, "err", err)
		}
	}
	s.published(ctx, a, action, &before, after)
	return s.present(ctx, a, after, m, orgs, true)
}

// published records a write in the audit log and republishes the
// contracts register, which every change may alter.
func (s *Service) published(ctx context.Context, a audit.Actor, action string, before *Record, after Record) {
	var prev any
	if before != nil {
		prev = before.JointProcurement
	}
	s.audit.Record(ctx, a, action, CollProcurements, after.ID, prev, after.JointProcurement)
	if err := s.publishRegister(context.WithoutCancel(ctx)); err != nil {
		s.log.Error("publishing the contracts register failed", "err", err)
	}
}
