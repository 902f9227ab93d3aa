package sourcing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// ComparisonRecord is a stored comparison: the domain record, and the
// organisation's sourcing policy as it stood when the comparison was
// decided, so the decision report of a decided comparison does not change
// when the council later switches its policy.
type ComparisonRecord struct {
	ds.Record
	DecidedPolicy *ds.Policy `json:"decidedPolicy,omitempty"`
}

// ComparisonInput is the body of a new comparison, and the editable form of
// a draft that a PATCH merges into: the comparison's inputs and the
// officer's words and judgement.
type ComparisonInput struct {
	ds.Comparison
	// Organisation owns the comparison; officers may leave it out (their own), admins must give it.
	Organisation string `json:"organisation,omitempty"`
	// Purpose says what decision the comparison supports, for the report.
	Purpose string `json:"purpose,omitempty"`
	// Risks are the officer's risk notes, added to those the figures raise.
	Risks []string `json:"risks,omitempty"`
	ds.Recommendation
	// Report is the officer's text for the Cabinet or committee report,
	// section by section; frozen with the rest when the comparison is decided.
	Report ds.ReportText `json:"report,omitzero"`
	// JointProcurement links the comparison to a joint procurement its
	// organisation is party to; that procurement's partner officers may
	// then read the draft.
	JointProcurement string `json:"jointProcurement,omitempty"`
	// FrameworkOverride keeps options on an expired or withdrawn framework
	// in the comparison; the report states it.
	FrameworkOverride *OverrideInput `json:"frameworkOverride,omitempty"`
}

// OverrideInput is an officer's decision to keep options on a closed
// framework; the server records who made it and when.
type OverrideInput struct {
	Options []string `json:"options"`
	Reason  string   `json:"reason"`
}

// ComparisonView is a comparison as one reader may see it: the whole record for
// its organisation's officers, admins and linked partners, the public view
// (exempt fields withheld) for everyone else once it is published.
type ComparisonView struct {
	ComparisonRecord
	// Withheld lists what the public view leaves out and why (public readers only).
	Withheld []ds.Withheld `json:"withheld,omitempty"`
	// Access is what the reader may do with it.
	Access ds.Access `json:"access"`
	Meta   repo.Meta `json:"-"`
}

// IsWithheld reports whether the view withholds a field ("justification",
// "results.pricePoints" …), so a page or report prints "withheld" where the
// public projection left a zero.
func (v ComparisonView) IsWithheld(field string) bool {
	return slices.ContainsFunc(v.Withheld, func(w ds.Withheld) bool { return w.Field == field })
}

// ComparisonSummary is a comparison in a listing.
type ComparisonSummary struct {
	ID               string    `json:"id"`
	Title            string    `json:"title"`
	Organisation     string    `json:"organisation"`
	State            string    `json:"state"`
	CreatedAt        time.Time `json:"createdAt"`
	FactorSetVersion string    `json:"factorSetVersion"`
	Options          int       `json:"options"`
	// Recommended is the recommended option's name: the officer's choice,
	// or the top-ranked option when the officer named none.
	Recommended      string `json:"recommended"`
	RecommendedNPV   string `json:"recommendedNpv"`
	JointProcurement string `json:"jointProcurement,omitempty"`
}

// read is a comparison with what the reader may do with it.
type read struct {
	rec     ComparisonRecord
	meta    repo.Meta
	access  ds.Access
	parties []string
}

// readComparison loads a comparison and places the reader; a reader who may
// not see it gets 404, so a draft's existence is not disclosed.
func (s *Service) readComparison(ctx context.Context, a audit.Actor, id string) (read, error) {
	rec, m, err := s.comparisons.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return read{}, notFound("comparison", id)
	}
	if err != nil {
		return read{}, err
	}
	normalise(&rec)
	parties, err := s.parties(ctx, rec.JointProcurement)
	if err != nil {
		return read{}, err
	}
	acc := ds.AccessFor(principalOf(a), rec.Record, parties)
	if !acc.Read {
		return read{}, notFound("comparison", id)
	}
	return read{rec: rec, meta: m, access: acc, parties: parties}, nil
}

// normalise reads a comparison stored before the lifecycle existed as the
// draft it is treated as (visible to its organisation only).
func normalise(rec *ComparisonRecord) {
	if rec.State == "" {
		rec.State = ds.StateDraft
	}
}

// view is what the reader is shown.
func (r read) view() ComparisonView {
	if r.access.Full {
		return ComparisonView{ComparisonRecord: r.rec, Access: r.access, Meta: r.meta}
	}
	pub := r.rec.Record.Public()
	return ComparisonView{ComparisonRecord: ComparisonRecord{Record: pub.Record, DecidedPolicy: r.rec.DecidedPolicy},
		Withheld: pub.Withheld, Access: r.access, Meta: r.meta}
}

// AuthorizeComparisonChange answers, before a request body is read, whether
// the caller may change the comparison at all: 404 when it may not see it,
// 403 when it may see but not change it (a partner officer, or anyone on a
// published comparison of another council).
func (s *Service) AuthorizeComparisonChange(ctx context.Context, a audit.Actor, id string) error {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return err
	}
	r, err := s.readComparison(ctx, a, id)
	if err != nil {
		return err
	}
	return r.mayChange(a)
}

// mayChange admits the comparison's own officers and admins.
func (r read) mayChange(a audit.Actor) error {
	if r.access.Audience == ds.AudienceOwnOfficer || r.access.Audience == ds.AudienceAdmin {
		return nil
	}
	return domain.Errorf(domain.CodeForbidden, "only officers of %s and admins can change this comparison", r.rec.Organisation)
}

// GetComparison reads a comparison as the caller may see it.
func (s *Service) GetComparison(ctx context.Context, a audit.Actor, id string) (ComparisonView, error) {
	r, err := s.readComparison(ctx, a, id)
	if err != nil {
		return ComparisonView{}, err
	}
	return r.view(), nil
}

// computed is a validated, computed comparison ready to store.
type computed struct {
	input    ds.Comparison
	result   ds.Result
	override *ds.FrameworkOverride
	policy   ds.Policy
}

// compute validates the input, snapshots the catalogue services it names,
// computes the result and checks it against the frameworks as of today and
// the organisation's policy. prev is the override already recorded, kept
// with its author when the input repeats it.
func (s *Service) compute(ctx context.Context, a audit.Actor, org string, in ComparisonInput, prev *ds.FrameworkOverride) (computed, error) {
	if err := s.checkJointProcurement(ctx, "jointProcurement", in.JointProcurement, org); err != nil {
		return computed{}, err
	}
	if err := in.Report.Validate(); err != nil {
		return computed{}, err
	}
	input := in.Comparison
	if err := s.snapshotServices(ctx, &input); err != nil {
		return computed{}, err
	}
	res, err := ds.Compare(input)
	if err != nil {
		return computed{}, err
	}
	c := computed{input: input, result: res}
	if o := in.FrameworkOverride; o != nil {
		c.override = &ds.FrameworkOverride{Options: o.Options, Reason: o.Reason, By: actorName(a), At: s.now()}
		if prev != nil && slices.Equal(prev.Options, o.Options) && prev.Reason == o.Reason {
			c.override = prev
		}
	}
	problems, flags := ds.FrameworkProblems(input, s.now(), c.override)
	if err := problems.Err(); err != nil {
		return computed{}, unprocessable(err)
	}
	c.result.Flags = append(c.result.Flags, flags...)
	if c.policy, err = s.Policy(ctx, org); err != nil {
		return computed{}, err
	}
	if err := in.Recommendation.Validate(c.result, c.policy); err != nil {
		return computed{}, unprocessable(err)
	}
	return c, nil
}

// snapshotServices fills in the price and framework of cloud options that
// name a catalogue service without giving them, from the catalogue as it is
// now. The snapshot is part of the stored input, so later changes to the
// catalogue leave the comparison as decided.
func (s *Service) snapshotServices(ctx context.Context, c *ds.Comparison) error {
	var p domain.Problems
	for i := range c.CloudOptions {
		o := &c.CloudOptions[i]
		if o.ServiceID == "" || o.PriceUnit != "" && o.FrameworkSlug != "" {
			continue
		}
		svc, _, err := s.services.Get(ctx, o.ServiceID)
		if errors.Is(err, store.ErrNotFound) {
			if o.PriceUnit == "" {
				p.Add(fmt.Sprintf("cloudOptions[%d].serviceId", i), "no service %q is in the catalogue; import it, or give priceMin, priceUnit and priceInterval", o.ServiceID)
			}
			continue
		}
		if err != nil {
			return err
		}
		snap := ds.CloudOptionFromService(o.ID, svc)
		if o.PriceUnit == "" {
			o.PriceMin, o.PriceMax, o.PriceUnit, o.PriceInterval = snap.PriceMin, snap.PriceMax, snap.PriceUnit, snap.PriceInterval
		}
		if o.FrameworkSlug == "" {
			o.FrameworkSlug, o.FrameworkExpiry = snap.FrameworkSlug, snap.FrameworkExpiry
		}
		if o.SupplierName == "" {
			o.SupplierName = snap.SupplierName
		}
		if o.Name == "" {
			o.Name = snap.Name
		}
		if o.PriceBasis == "" {
			o.PriceBasis = snap.PriceBasis
		}
	}
	return p.Err()
}

// CreateComparison computes and stores a comparison as a draft.
func (s *Service) CreateComparison(ctx context.Context, a audit.Actor, in ComparisonInput) (ComparisonView, error) {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return ComparisonView{}, err
	}
	org, err := s.owningOrganisation(ctx, a, in.Organisation)
	if err != nil {
		return ComparisonView{}, err
	}
	c, err := s.compute(ctx, a, org, in, nil)
	if err != nil {
		return ComparisonView{}, err
	}
	rec, err := ds.NewRecord(store.NewID(), org, a.KeyID, s.now(), c.input, c.result, in.Purpose, in.Risks, in.Recommendation, c.policy)
	if err != nil {
		return ComparisonView{}, err
	}
	rec.JointProcurement, rec.FrameworkOverride, rec.Report = in.JointProcurement, c.override, in.Report
	stored := ComparisonRecord{Record: rec}
	m, err := s.comparisons.Insert(ctx, rec.ID, stored)
	if err != nil {
		return ComparisonView{}, err
	}
	s.audit.Record(ctx, a, "comparison.create", CollComparisons, rec.ID, nil, stored)
	return ComparisonView{ComparisonRecord: stored, Access: ds.AccessFor(principalOf(a), rec, nil), Meta: m}, nil
}

// editable is the draft in the form a PATCH merges into.
func editable(rec ComparisonRecord) ComparisonInput {
	in := ComparisonInput{Comparison: rec.Input, Purpose: rec.Purpose, Risks: rec.Risks, Recommendation: rec.Recommendation,
		Report: rec.Report, JointProcurement: rec.JointProcurement}
	if o := rec.FrameworkOverride; o != nil {
		in.FrameworkOverride = &OverrideInput{Options: o.Options, Reason: o.Reason}
	}
	return in
}

// PatchComparison edits a draft with a JSON merge patch over its editable
// form (ComparisonInput) and recomputes it; ifMatch is the version the
// client read (0: the latest).
func (s *Service) PatchComparison(ctx context.Context, a audit.Actor, id string, ifMatch int64, raw json.RawMessage) (ComparisonView, error) {
	return s.revise(ctx, a, id, ifMatch, func(cur ComparisonInput) (ComparisonInput, error) {
		var next ComparisonInput
		err := patch.Apply(cur, raw, &next)
		return next, err
	})
}

// ReplaceComparison edits a draft by replacing its editable form whole
// (as a page's form does, which shows every field) and recomputes it;
// ifMatch is the version the client read (0: the latest).
func (s *Service) ReplaceComparison(ctx context.Context, a audit.Actor, id string, ifMatch int64, in ComparisonInput) (ComparisonView, error) {
	return s.revise(ctx, a, id, ifMatch, func(ComparisonInput) (ComparisonInput, error) { return in, nil })
}

// Editable is the comparison in the form an edit replaces or patches.
func (v ComparisonView) Editable() ComparisonInput { return editable(v.ComparisonRecord) }

// revise edits a draft: edit turns its editable form into the next one,
// which is validated and recomputed.
func (s *Service) revise(ctx context.Context, a audit.Actor, id string, ifMatch int64, edit func(ComparisonInput) (ComparisonInput, error)) (ComparisonView, error) {
	at := s.now()
	return s.change(ctx, a, id, ifMatch, "comparison.update", func(cur *ComparisonRecord) error {
		if cur.State != ds.StateDraft {
			// Only a draft can be revised: the domain says why, and what can be done instead.
			return cur.Revise(cur.Input, cur.Result, cur.Purpose, cur.Risks, cur.Recommendation, ds.Policy{}, at)
		}
		next, err := edit(editable(*cur))
		if err != nil {
			return err
		}
		if next.Organisation != "" && next.Organisation != cur.Organisation {
			var p domain.Problems
			p.Add("organisation", "cannot be changed; start a comparison for %s instead", next.Organisation)
			return p.Err()
		}
		c, err := s.compute(ctx, a, cur.Organisation, next, cur.FrameworkOverride)
		if err != nil {
			return err
		}
		if err := cur.Revise(c.input, c.result, next.Purpose, next.Risks, next.Recommendation, c.policy, at); err != nil {
			return err
		}
		cur.JointProcurement, cur.FrameworkOverride, cur.Report = next.JointProcurement, c.override, next.Report
		return nil
	})
}

// change applies fn to a comparison for its own officers and admins,
// against the version the client read (ifMatch, 0 for the latest), and
// audits it as action.
func (s *Service) change(ctx context.Context, a audit.Actor, id string, ifMatch int64, action string, fn func(*ComparisonRecord) error) (ComparisonView, error) {
	if err := s.AuthorizeComparisonChange(ctx, a, id); err != nil {
		return ComparisonView{}, err
	}
	before, after, m, err := s.comparisons.UpdateIf(ctx, id, ifMatch, func(cur *ComparisonRecord) error {
		normalise(cur)
		return fn(cur)
	})
	if err != nil {
		return ComparisonView{}, err
	}
	s.audit.Record(ctx, a, action, CollComparisons, id, before, after)
	parties, err := s.parties(ctx, after.JointProcurement)
	if err != nil {
		return ComparisonView{}, err
	}
	return read{rec: after, meta: m, access: ds.AccessFor(principalOf(a), after.Record, parties)}.view(), nil
}

// DeleteComparison deletes a draft; decided comparisons are records.
func (s *Service) DeleteComparison(ctx context.Context, a audit.Actor, id string, ifMatch int64) error {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return err
	}
	r, err := s.readComparison(ctx, a, id)
	if err != nil {
		return err
	}
	if err := r.mayChange(a); err != nil {
		return err
	}
	if err := r.rec.CheckDelete(); err != nil {
		return err
	}
	if ifMatch != 0 && ifMatch != r.meta.Version {
		return store.ErrStale
	}
	if err := s.comparisons.Delete(ctx, id, r.meta.Version); errors.Is(err, store.ErrStale) && ifMatch == 0 {
		return repo.ErrBusy // changed between the read and the delete; the client may retry
	} else if err != nil {
		return err
	}
	s.audit.Record(ctx, a, "comparison.delete", CollComparisons, id, r.rec, nil)
	return nil
}

// DecisionInput records the decision taken on a draft.
type DecisionInput struct {
	// Decision says what was decided, e.g. "Approve a 3-year call-off of IaaS virtual machines".
	Decision string `json:"decision"`
	// Reference is the minute or decision record number.
	Reference string `json:"reference,omitempty"`
	// By is who took the decision: a committee, or an officer under delegated powers.
	By string `json:"by"`
	// At is when it was taken (default now).
	At *time.Time `json:"at,omitempty"`
}

// Decide freezes a draft as the record of a decision. The recommendation
// is checked against the ranking and the organisation's policy, and every
// option's framework against today, before anything else.
func (s *Service) Decide(ctx context.Context, a audit.Actor, id string, ifMatch int64, in DecisionInput) (ComparisonView, error) {
	at := s.now()
	if in.At != nil {
		at = *in.At
	}
	return s.change(ctx, a, id, ifMatch, "comparison.decide", func(cur *ComparisonRecord) error {
		d := ds.DecisionRecord{Decision: in.Decision, Reference: in.Reference, By: in.By, At: at}
		if cur.State != ds.StateDraft {
			return cur.Decide(d, ds.Policy{}, nil) // the domain's refusal, naming what can be done
		}
		policy, err := s.Policy(ctx, cur.Organisation)
		if err != nil {
			return err
		}
		problems, flags := ds.FrameworkProblems(cur.Input, s.now(), cur.FrameworkOverride)
		if err := problems.Err(); err != nil {
			return unprocessable(err)
		}
		if err := cur.Recommendation.Validate(cur.Result, policy); err != nil {
			return unprocessable(err)
		}
		for _, f := range flags {
			if !slices.Contains(cur.Result.Flags, f) {
				cur.Result.Flags = append(cur.Result.Flags, f)
			}
		}
		if err := cur.Decide(d, policy, nil); err != nil {
			return err
		}
		cur.DecidedPolicy = &policy
		return nil
	})
}

// Publish makes a decided comparison public, its exempt fields withheld.
func (s *Service) Publish(ctx context.Context, a audit.Actor, id string, ifMatch int64) (ComparisonView, error) {
	stamp := ds.Stamp{By: actorName(a), At: s.now()}
	return s.change(ctx, a, id, ifMatch, "comparison.publish", func(cur *ComparisonRecord) error { return cur.Publish(stamp) })
}

// ExemptInput marks a field exempt information.
type ExemptInput struct {
	// Field is purpose, risks, justification, serviceReasons, rejectionReasons.<option id> or options.<option id>.
	Field string `json:"field"`
	// Paragraph of LGA 1972 Schedule 12A Part 1 (default 3: a person's financial or business affairs).
	Paragraph int `json:"paragraph,omitempty"`
	// Reason says why the public interest in withholding outweighs that in disclosing.
	Reason string `json:"reason"`
}

// MarkExempt withholds a field of a draft or decided comparison from the
// public view once it is published.
func (s *Service) MarkExempt(ctx context.Context, a audit.Actor, id string, ifMatch int64, in ExemptInput) (ComparisonView, error) {
	return s.change(ctx, a, id, ifMatch, "comparison.exempt", func(cur *ComparisonRecord) error {
		return cur.MarkExempt(ds.ExemptField{Field: in.Field, Paragraph: in.Paragraph, Reason: in.Reason})
	})
}

// ReleaseInput names exempt fields to disclose.
type ReleaseInput struct {
	Fields []string `json:"fields"`
}

// Release discloses exempt fields of a published comparison, e.g. after award.
func (s *Service) Release(ctx context.Context, a audit.Actor, id string, ifMatch int64, in ReleaseInput) (ComparisonView, error) {
	stamp := ds.Stamp{By: actorName(a), At: s.now()}
	return s.change(ctx, a, id, ifMatch, "comparison.release", func(cur *ComparisonRecord) error { return cur.Release(in.Fields, stamp) })
}

// ComparisonQuery filters a listing of comparisons.
type ComparisonQuery struct {
	Organisation string
	State        string
	Limit        int
	Offset       int
}

// ListComparisons lists the comparisons the caller may read, newest first:
// published ones for everyone; drafts and decided ones to their
// organisation's officers, to admins, and to the officers of the parties to
// the joint procurement a comparison links to.
func (s *Service) ListComparisons(ctx context.Context, a audit.Actor, q ComparisonQuery) ([]ComparisonSummary, int64, error) {
	sq := store.Query{Sort: []store.Sort{{Field: "createdAt", Desc: true}}, Limit: q.Limit, Offset: q.Offset}
	if q.Organisation != "" {
		sq.Filters = append(sq.Filters, store.Filter{Field: "organisation", Op: store.Eq, Value: q.Organisation})
	}
	switch q.State {
	case "":
	case ds.StateDraft, ds.StateDecided, ds.StatePublished:
		sq.Filters = append(sq.Filters, store.Filter{Field: "state", Op: store.Eq, Value: q.State})
	default:
		var p domain.Problems
		p.Add("state", "must be %s, %s or %s", ds.StateDraft, ds.StateDecided, ds.StatePublished)
		return nil, 0, p.Err()
	}
	p := principalOf(a)
	linked := map[string][]string{} // joint procurement id -> parties, for the caller's partner drafts
	switch {
	case p != nil && p.Role == domain.RoleAdmin:
	case p != nil && p.Role == domain.RoleOfficer:
		var err error
		if linked, err = s.partyTo(ctx, p.Organisation); err != nil {
			return nil, 0, err
		}
		sq.Any = []store.Filter{{Field: "organisation", Op: store.Eq, Value: p.Organisation},
			{Field: "state", Op: store.Eq, Value: ds.StatePublished}}
		if len(linked) > 0 {
			ids := make([]any, 0, len(linked))
			for id := range linked {
				ids = append(ids, id)
			}
			sq.Any = append(sq.Any, store.Filter{Field: "jointProcurement", Op: store.In, Values: ids})
		}
	default:
		sq.Filters = append(sq.Filters, store.Filter{Field: "state", Op: store.Eq, Value: ds.StatePublished})
	}
	recs, total, err := s.comparisons.List(ctx, sq)
	if err != nil {
		return nil, 0, err
	}
	out := make([]ComparisonSummary, 0, len(recs))
	for _, rec := range recs {
		normalise(&rec)
		parties := linked[rec.JointProcurement]
		if p != nil && p.Role == domain.RoleAdmin {
			parties = nil // admins read everything; no need to look the procurement up
		}
		acc := ds.AccessFor(p, rec.Record, parties)
		if !acc.Listable() {
			// The query and the rule disagree only for a record written
			// meanwhile; the rule wins.
			continue
		}
		out = append(out, summaryOf(read{rec: rec, access: acc}.view()))
	}
	return out, total, nil
}

// partyTo lists the joint procurements org is a party to, with their
// parties, reading the domain's host and partners.
func (s *Service) partyTo(ctx context.Context, org string) (map[string][]string, error) {
	jps, _, err := s.procurements.List(ctx, store.Query{Any: []store.Filter{{Field: "host", Op: store.Eq, Value: org},
		{Field: "partners", Op: store.Eq, Value: org}}})
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, jp := range jps {
		if jp.IsParty(org) {
			out[jp.ID] = jp.Parties()
		}
	}
	return out, nil
}

func summaryOf(c ComparisonView) ComparisonSummary {
	s := ComparisonSummary{ID: c.ID, Title: c.Result.Title, Organisation: c.Organisation, State: c.State, CreatedAt: c.CreatedAt,
		FactorSetVersion: c.FactorSetVersion, Options: len(c.Result.Options), JointProcurement: c.JointProcurement}
	if o, ok := c.Recommendation.Recommended(c.Result); ok {
		s.Recommended, s.RecommendedNPV = o.Name, o.Summary.NPV.String()
	}
	return s
}
