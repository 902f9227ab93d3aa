package procurement

import (
	"context"
	"errors"
	"fmt"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/capital"
	"github.com/jointict/councilapi/domain/estate"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// orgFilter selects the records of one organisation.
func orgFilter(org string) []store.Filter {
	return []store.Filter{{Field: "organisation", Op: store.Eq, Value: org}}
}

// ComparisonLines lists the cash profiles of org's approved sourcing
// comparisons, which its programme takes in full (or, when a joint
// procurement links the comparison, shared like the procurement).
func (s *Service) ComparisonLines(ctx context.Context, a audit.Actor, org string) ([]capital.Comparison, error) {
	if err := s.readsEstate(ctx, a, org); err != nil {
		return nil, err
	}
	cs, _, err := s.cashInputs.List(ctx, store.Query{Filters: orgFilter(org), Sort: []store.Sort{{Field: "id"}}})
	return cs, err
}

// SetComparisonLines stores the cash profile of org's sourcing comparison
// id: when it was approved, its cash lines and the estate assets it
// replaces. The comparison must exist and be org's.
func (s *Service) SetComparisonLines(ctx context.Context, a audit.Actor, org, id string, decode Decode) (capital.Comparison, error) {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return capital.Comparison{}, err
	}
	var c capital.Comparison
	if err := decode(&c); err != nil {
		return c, err
	}
	var pr domain.Problems
	if c.ID != "" && c.ID != id {
		pr.Add("id", "is the comparison's id, %s, given in the path; omit it", id)
	}
	if c.Organisation != "" && c.Organisation != org {
		pr.Add("organisation", "must be %s (or omitted)", org)
	}
	c.ID, c.Organisation = id, org
	switch owner, _, err := s.comparisons.Get(ctx, id); {
	case errors.Is(err, store.ErrNotFound):
		pr.Add("id", "no sourcing comparison has id %q; GET /api/v1/comparisons lists them", id)
	case err != nil:
		return c, err
	case owner.Organisation != org:
		pr.Add("id", "comparison %s is %s's, not %s's", id, owner.Organisation, org)
	}
	if c.ApprovedOn.After(s.today()) {
		pr.Add("approvedOn", "is %s, in the future; record the approval once it is given", c.ApprovedOn)
	}
	if err := checkCashLines(c.Lines); err != nil {
		pr = append(pr, prefixed(err, "lines")...)
	}
	for i, as := range c.ReplacesAssets {
		if _, _, err := s.assets.Get(ctx, AssetKey(org, as)); err != nil {
			pr.Add(fmt.Sprintf("replacesAssets[%d]", i), "%s's estate has no asset %q", org, as)
		}
	}
	if err := pr.Err(); err != nil {
		return c, err
	}
	before, err := upsert(ctx, s.cashInputs, id, c)
	if err != nil {
		return c, err
	}
	s.audit.Record(ctx, a, "capital.comparison", CollCapitalInputs, id, before, c)
	return c, nil
}

// prefixed returns a validation error's problems with their fields prefixed.
func prefixed(err error, prefix string) domain.Problems {
	var de *domain.Error
	if !errors.As(err, &de) {
		return domain.Problems{{Field: prefix, Problem: err.Error()}}
	}
	return domain.Problems(de.Fields).Prefix(prefix)
}

// upsert writes v as the record id, inserting it or replacing what is
// there; it returns what it replaced (nil when it inserted).
func upsert[T any](ctx context.Context, r repo.Repo[T], id string, v T) (any, error) {
	for range 2 { // a lost insert race becomes an update of the winner's record
		_, err := r.Insert(ctx, id, v)
		if err == nil {
			return nil, nil
		}
		if !errors.Is(err, store.ErrExists) {
			return nil, err
		}
		before, _, _, err := r.Update(ctx, id, func(cur *T) error {
			*cur = v
			return nil
		})
		if !errors.Is(err, store.ErrNotFound) {
			return before, err
		}
	}
	return nil, repo.ErrBusy
}

// DeleteComparisonLines takes a comparison's cash profile out of org's programme.
func (s *Service) DeleteComparisonLines(ctx context.Context, a audit.Actor, org, id string) error {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return err
	}
	return deleteOf(ctx, s, a, s.cashInputs, "capital.comparison.delete", id, func(c capital.Comparison) bool { return c.Organisation == org })
}

// deleteOf removes the record id of a repository when owned says it is the
// organisation's, recording the deletion.
func deleteOf[T any](ctx context.Context, s *Service, a audit.Actor, r repo.Repo[T], action, id string, owned func(T) bool) error {
	v, m, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	if !owned(v) {
		return store.ErrNotFound
	}
	if err := r.Delete(ctx, id, m.Version); err != nil {
		if errors.Is(err, store.ErrStale) {
			return repo.ErrBusy
		}
		return err
	}
	s.audit.Record(ctx, a, action, r.Collection(), id, v, nil)
	return nil
}

func manualKey(org, id string) string { return org + ":" + id }

// ManualLines lists the lines officers added to org's programme.
func (s *Service) ManualLines(ctx context.Context, a audit.Actor, org string) ([]capital.ManualLine, error) {
	if err := s.readsEstate(ctx, a, org); err != nil {
		return nil, err
	}
	ls, _, err := s.manual.List(ctx, store.Query{Filters: orgFilter(org), Sort: []store.Sort{{Field: "id"}}})
	return ls, err
}

// SetManualLine adds or replaces the manual line id of org's programme.
func (s *Service) SetManualLine(ctx context.Context, a audit.Actor, org, id string, decode Decode) (capital.ManualLine, error) {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return capital.ManualLine{}, err
	}
	var cl capital.CashLine
	if err := decode(&cl); err != nil {
		return capital.ManualLine{}, err
	}
	if cl.ID == "" {
		cl.ID = id
	}
	var pr domain.Problems
	if cl.ID != id {
		pr.Add("id", "is the line's id, %s, given in the path; omit it", id)
	}
	if err := cl.Validate(); err != nil {
		pr = append(pr, prefixed(err, "")...)
	}
	if err := pr.Err(); err != nil {
		return capital.ManualLine{}, err
	}
	line := capital.ManualLine{Organisation: org, CashLine: cl}
	before, err := upsert(ctx, s.manual, manualKey(org, id), line)
	if err != nil {
		return line, err
	}
	s.audit.Record(ctx, a, "capital.manualLine", CollManualLines, manualKey(org, id), before, line)
	return line, nil
}

// DeleteManualLine removes a manual line of org's programme.
func (s *Service) DeleteManualLine(ctx context.Context, a audit.Actor, org, id string) error {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return err
	}
	return deleteOf(ctx, s, a, s.manual, "capital.manualLine.delete", manualKey(org, id), func(l capital.ManualLine) bool { return l.Organisation == org })
}

// Programme is one organisation's five-year capital investment programme
// as the service shows it: the current programme, its last approved review
// and the differences from it.
type Programme struct {
	capital.View
	Name          string `json:"name"`
	Title         string `json:"title"`
	HorizonMonths int    `json:"horizonMonths"`
	// ReviewProblems name stored reviews that no longer match their digest
	// and are left out.
	ReviewProblems []string `json:"reviewProblems,omitempty"`
}

// Programme builds org's programme today from its share of approved
// comparisons and joint procurements, its estate's refresh needs within
// horizonMonths that nothing replaces yet, and its manual lines.
func (s *Service) Programme(ctx context.Context, a audit.Actor, org string, horizonMonths int) (Programme, error) {
	if err := s.readsEstate(ctx, a, org); err != nil {
		return Programme{}, err
	}
	h, err := checkHorizon(horizonMonths)
	if err != nil {
		return Programme{}, err
	}
	cur, name, err := s.build(ctx, org, h)
	if err != nil {
		return Programme{}, err
	}
	reviews, err := s.orgReviews(ctx, org)
	if err != nil {
		return Programme{}, err
	}
	var good []capital.Review
	var problems []string
	for _, r := range reviews {
		if err := r.Verify(); err != nil {
			problems = append(problems, err.Error())
			continue
		}
		good = append(good, r)
	}
	years := cur.Years
	title := fmt.Sprintf("%s: capital investment programme %s to %s", name, years[0], years[len(years)-1])
	return Programme{View: capital.NewView(cur, good), Name: name, Title: title, HorizonMonths: h, ReviewProblems: problems}, nil
}

// build computes org's programme today.
func (s *Service) build(ctx context.Context, org string, horizon int) (capital.Programme, string, error) {
	o, err := s.knownOrg(ctx, org)
	if err != nil {
		return capital.Programme{}, "", err
	}
	today := s.today()
	recs, err := s.all(ctx)
	if err != nil {
		return capital.Programme{}, "", err
	}
	plans := make([]capital.Plan, len(recs))
	for i, r := range recs {
		plans[i] = capital.Plan{Procurement: r.JointProcurement, Lines: r.CashLines}
	}
	comparisons, _, err := s.cashInputs.List(ctx, store.Query{})
	if err != nil {
		return capital.Programme{}, "", err
	}
	assets, err := s.orgAssets(ctx, org)
	if err != nil {
		return capital.Programme{}, "", err
	}
	manual, _, err := s.manual.List(ctx, store.Query{Filters: orgFilter(org), Sort: []store.Sort{{Field: "id"}}})
	if err != nil {
		return capital.Programme{}, "", err
	}
	prog := capital.Build(capital.Input{Organisation: org, Today: today, Comparisons: comparisons, Plans: plans,
		Needs: estate.RefreshNeeds(assets, estate.DefaultSupportTable(), today, horizon), Manual: manual})
	return prog, o.Name, nil
}

func reviewKey(org string, version int) string { return fmt.Sprintf("%s.%06d", org, version) }

func (s *Service) orgReviews(ctx context.Context, org string) ([]capital.Review, error) {
	rs, _, err := s.reviews.List(ctx, store.Query{Filters: orgFilter(org), Sort: []store.Sort{{Field: "version"}}})
	return rs, err
}

// ReviewInput is the approval of a programme: who, where, the minute and
// the day.
type ReviewInput struct {
	ApprovedBy string           `json:"approvedBy"`
	Body       string           `json:"body"`
	Minute     string           `json:"minute,omitempty"`
	Date       procurement.Date `json:"date" swaggertype:"string" example:"2026-12-02"`
	// HorizonMonths is the refresh-need horizon of the programme frozen
	// (default 24, as the programme shown by default).
	HorizonMonths int `json:"horizonMonths,omitempty"`
}

// Review freezes org's current programme as its next approved review: an
// immutable, versioned snapshot with who approved it and where, against
// which later programmes show their differences.
func (s *Service) Review(ctx context.Context, a audit.Actor, org string, decode Decode) (capital.Review, error) {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return capital.Review{}, err
	}
	var in ReviewInput
	if err := decode(&in); err != nil {
		return capital.Review{}, err
	}
	h, err := checkHorizon(in.HorizonMonths)
	if err != nil {
		return capital.Review{}, err
	}
	cur, _, err := s.build(ctx, org, h)
	if err != nil {
		return capital.Review{}, err
	}
	previous, err := s.orgReviews(ctx, org)
	if err != nil {
		return capital.Review{}, err
	}
	r, err := capital.Freeze(cur, previous, in.ApprovedBy, in.Body, in.Minute, in.Date, s.today())
	if err != nil {
		return r, err
	}
	key := reviewKey(org, r.Version)
	if _, err := s.reviews.Insert(ctx, key, r); errors.Is(err, store.ErrExists) {
		return r, domain.Errorf(domain.CodeConflict, "review %d of %s was frozen by another request just now; read it and review again if need be", r.Version, org)
	} else if err != nil {
		return r, err
	}
	s.audit.Record(ctx, a, "capital.review", CollReviews, key, nil, r)
	return r, nil
}

// ReviewSummary is a stored review without its snapshot, and whether it
// still matches its digest.
type ReviewSummary struct {
	capital.ReviewSummary
	Digest   string `json:"digest"`
	Verified bool   `json:"verified"`
}

// Reviews lists org's reviews, oldest first.
func (s *Service) Reviews(ctx context.Context, a audit.Actor, org string) ([]ReviewSummary, error) {
	if err := s.readsEstate(ctx, a, org); err != nil {
		return nil, err
	}
	rs, err := s.orgReviews(ctx, org)
	if err != nil {
		return nil, err
	}
	out := make([]ReviewSummary, len(rs))
	for i, r := range rs {
		out[i] = ReviewSummary{ReviewSummary: capital.ReviewSummary{Version: r.Version, Date: r.Date, ApprovedBy: r.ApprovedBy, Body: r.Body, Minute: r.Minute},
			Digest: r.Digest, Verified: r.Verify() == nil}
	}
	return out, nil
}

// ErrAltered is wrapped by the error of reading a review whose snapshot no
// longer matches its digest: the store was changed behind the service.
var ErrAltered = errors.New("review altered after it was frozen")

// StoredReview reads one review of org with its snapshot, refusing one
// that was altered after it was frozen.
func (s *Service) StoredReview(ctx context.Context, a audit.Actor, org string, version int) (capital.Review, error) {
	if err := s.readsEstate(ctx, a, org); err != nil {
		return capital.Review{}, err
	}
	r, _, err := s.reviews.Get(ctx, reviewKey(org, version))
	if err != nil {
		return r, err
	}
	if err := r.Verify(); err != nil {
		return capital.Review{}, fmt.Errorf("%w: %v", ErrAltered, err)
	}
	return r, nil
}
