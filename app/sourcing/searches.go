package sourcing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// SavedSearch is the stored form of a saved search: the domain record, the
// organisation that owns it, the query as the buyer wrote it and, once
// exported, the rows exactly as exported with the provenance of the search
// that made them, so the shortlist downloads again unchanged however the
// catalogue moves on.
type SavedSearch struct {
	ds.SavedSearch
	Organisation string               `json:"organisation"`
	QueryString  string               `json:"queryString"`
	ExportedRows []ds.ExportRow       `json:"exportedRows,omitempty"`
	Provenance   *ds.SearchProvenance `json:"provenance,omitempty"`
	Notices      *ds.AwardNotices     `json:"notices,omitempty"`
	Meta         repo.Meta            `json:"-"`
	Access       *SavedSearchAccess   `json:"-"`
}

// SavedSearchAccess is what the reader may do with a saved search.
type SavedSearchAccess struct {
	Full bool // its organisation's officers and admins
}

// SavedSearchView is a saved search with the number of services the search
// finds today.
type SavedSearchView struct {
	SavedSearch
	// CurrentTotal is absent while the search index loads after a start.
	CurrentTotal *int `json:"currentTotal,omitempty"`
}

// SavedSearchInput is the body of a new saved search.
type SavedSearchInput struct {
	// Name is the buyer's name for the search, at most 200 characters.
	Name string `json:"name"`
	// Query holds the search parameters as in GET /api/v1/services, e.g. "q=backup&lot=cloud-hosting".
	Query string `json:"query"`
	// Organisation owns the search; officers may leave it out (their own), admins must give it.
	Organisation string `json:"organisation,omitempty"`
}

// OutcomeInput is how a direct award ended.
type OutcomeInput struct {
	// Result is awarded, cancelled or none-suitable.
	Result string `json:"result"`
	// ServiceID is the exported service awarded.
	ServiceID string `json:"serviceId,omitempty"`
	// ContractValue is the whole contract's value in pounds excluding VAT.
	ContractValue ds.Money `json:"contractValue,omitempty"`
	StartDate     string   `json:"startDate,omitempty"` // YYYY-MM-DD
	EndDate       string   `json:"endDate,omitempty"`
	// BuyingOrganisation is who signs the call-off.
	BuyingOrganisation string `json:"buyingOrganisation,omitempty"`
	// Reason says why nothing was awarded (cancelled, none-suitable).
	Reason string `json:"reason,omitempty"`
	// ComparisonID is the decided comparison the award rests on.
	ComparisonID string `json:"comparisonId,omitempty"`
	// JointProcurement is the joint procurement the award is part of, if any.
	JointProcurement string `json:"jointProcurement,omitempty"`
	// SupplierSME says whether the supplier is a small or medium
	// enterprise; required for an award over £5,000 that is not part of a
	// joint procurement (the contracts register states it).
	SupplierSME *bool `json:"supplierSme,omitempty"`
	// SupplierVCSE says whether it is a voluntary or community sector enterprise.
	SupplierVCSE bool `json:"supplierVcse,omitempty"`
}

// parseSavedQuery reads the query string of a saved search with the rules
// of GET /services, naming problems as query.<parameter>.
func parseSavedQuery(raw string) (ds.SearchQuery, string, error) {
	raw = strings.TrimPrefix(strings.TrimSpace(raw), "?")
	values, err := url.ParseQuery(raw)
	if err != nil {
		var p domain.Problems
		p.Add("query", "must be URL query parameters such as q=backup&lot=cloud-hosting")
		return ds.SearchQuery{}, "", p.Err()
	}
	// Paging is not part of what a shortlist is.
	values.Del("offset")
	values.Del("limit")
	q, err := ds.ParseSearchQuery(values)
	var de *domain.Error
	if errors.As(err, &de) {
		return q, "", domain.Problems(de.Fields).Prefix("query.").Err()
	}
	return q, values.Encode(), err
}

// CreateSavedSearch saves a search for the caller's organisation.
func (s *Service) CreateSavedSearch(ctx context.Context, a audit.Actor, in SavedSearchInput) (SavedSearchView, error) {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return SavedSearchView{}, err
	}
	org, err := s.owningOrganisation(ctx, a, in.Organisation)
	if err != nil {
		return SavedSearchView{}, err
	}
	q, qs, err := parseSavedQuery(in.Query)
	if err != nil {
		return SavedSearchView{}, err
	}
	ss, err := ds.NewSavedSearch(store.NewID(), in.Name, q, a.KeyID, s.now())
	if err != nil {
		return SavedSearchView{}, err
	}
	rec := SavedSearch{SavedSearch: ss, Organisation: org, QueryString: qs}
	m, err := s.searches.Insert(ctx, ss.ID, rec)
	if err != nil {
		return SavedSearchView{}, err
	}
	s.audit.Record(ctx, a, "saved-search.create", CollSavedSearches, ss.ID, nil, rec)
	rec.Meta, rec.Access = m, &SavedSearchAccess{Full: true}
	return s.savedView(rec), nil
}

// savedView adds today's total to a saved search. The search is read and
// written whether or not the index has loaded, so an answer never fails
// for want of the total.
func (s *Service) savedView(ss SavedSearch) SavedSearchView {
	v := SavedSearchView{SavedSearch: ss}
	if ix, err := s.index.current(); err == nil {
		q := ss.Query
		q.Offset, q.Limit, q.AsOf = 0, 1, s.now()
		total := ix.Search(q).Total
		v.CurrentTotal = &total
	}
	return v
}

// readSearch loads a saved search for a reader: its organisation's officers
// and admins, and, once its outcome links a joint procurement, the officers
// of that procurement's parties. Anyone else gets 404: saved searches are
// working records of one council's buyers and are never published.
func (s *Service) readSearch(ctx context.Context, a audit.Actor, id string) (SavedSearch, error) {
	ss, m, err := s.searches.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return ss, notFound("saved search", id)
	}
	if err != nil {
		return ss, err
	}
	ss.Meta = m
	switch {
	case a.Authorize(domain.AreaSourcing, ss.Organisation) == nil:
		ss.Access = &SavedSearchAccess{Full: true}
		return ss, nil
	case !a.Anonymous() && a.Role == domain.RoleOfficer && ss.Outcome != nil && ss.Outcome.JointProcurement != "":
		parties, err := s.parties(ctx, ss.Outcome.JointProcurement)
		if err != nil {
			return ss, err
		}
		if slices.Contains(parties, a.Organisation) {
			ss.Access = &SavedSearchAccess{}
			return ss, nil
		}
	}
	return SavedSearch{}, notFound("saved search", id)
}

// AuthorizeSearchChange answers, before a request body is read, whether the
// caller may change the saved search.
func (s *Service) AuthorizeSearchChange(ctx context.Context, a audit.Actor, id string) error {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return err
	}
	ss, err := s.readSearch(ctx, a, id)
	if err != nil {
		return err
	}
	if !ss.Access.Full {
		return domain.Errorf(domain.CodeForbidden, "only officers of %s and admins can change this saved search", ss.Organisation)
	}
	return nil
}

// GetSavedSearch reads a saved search with how many services it finds today.
func (s *Service) GetSavedSearch(ctx context.Context, a audit.Actor, id string) (SavedSearchView, error) {
	ss, err := s.readSearch(ctx, a, id)
	if err != nil {
		return SavedSearchView{}, err
	}
	return s.savedView(ss), nil
}

// SearchQueryFilter filters a listing of saved searches.
type SearchQueryFilter struct {
	Organisation string // admins only; officers see their own
	Limit        int
	Offset       int
}

// ListSavedSearches lists the caller's organisation's saved searches (all,
// or one organisation's, for an admin), newest first.
func (s *Service) ListSavedSearches(ctx context.Context, a audit.Actor, f SearchQueryFilter) ([]SavedSearchView, int64, error) {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return nil, 0, err
	}
	org := a.Organisation
	if org == "" {
		org = f.Organisation
	}
	q := store.Query{Sort: []store.Sort{{Field: "createdAt", Desc: true}}, Limit: f.Limit, Offset: f.Offset}
	if org != "" {
		q.Filters = []store.Filter{{Field: "organisation", Op: store.Eq, Value: org}}
	}
	list, total, err := s.searches.List(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	out := make([]SavedSearchView, 0, len(list))
	for _, ss := range list {
		ss.Access = &SavedSearchAccess{Full: true}
		out = append(out, s.savedView(ss))
	}
	return out, total, nil
}

// Shortlist is an exported saved search: the rows and the provenance the
// files begin with.
type Shortlist struct {
	Search     SavedSearch
	Rows       []ds.ExportRow
	Provenance ds.SearchProvenance
}

// Export returns the shortlist of a saved search, locking it on the first
// export: the Digital Marketplace allows export (and with it a direct
// award) only for 30 results or fewer. The first export records the rows
// and the search's provenance (terms, filters, time, who, the catalogue
// snapshot); later downloads return exactly those.
func (s *Service) Export(ctx context.Context, a audit.Actor, id string) (Shortlist, error) {
	ss, err := s.readSearch(ctx, a, id)
	if err != nil {
		return Shortlist{}, err
	}
	if ss.Locked() {
		return ss.shortlist(), nil
	}
	if !ss.Access.Full {
		return Shortlist{}, domain.Errorf(domain.CodeForbidden, "the first export locks the search: only officers of %s and admins can make it", ss.Organisation)
	}
	ix, err := s.index.current()
	if err != nil {
		return Shortlist{}, err
	}
	catalogue := s.index.catalogue()
	at := s.now()
	before, after, _, err := s.searches.Update(ctx, id, func(cur *SavedSearch) error {
		if cur.Locked() {
			return repo.Unchanged // exported meanwhile: serve that export
		}
		q := cur.Query
		q.Offset, q.Limit, q.AsOf = 0, ds.MaxExportResults, at
		res := ix.Search(q)
		if err := cur.Export(res, at); err != nil {
			var de *domain.Error
			if errors.As(err, &de) && de.Code == domain.CodeConflict && res.Total > ds.MaxExportResults {
				return &domain.Error{Code: domain.CodeConflict, Fields: de.Fields,
					Message: fmt.Sprintf("this search finds %d services; only %d or fewer can be exported for a direct award, so narrow the search with more keywords or filters and save it again", res.Total, ds.MaxExportResults)}
			}
			return err
		}
		cur.ExportedRows = ds.ExportRows(res.Hits)
		cur.Provenance = &ds.SearchProvenance{SavedSearch: cur.ID + " " + cur.Name, Query: q, RunAt: at, RunBy: actorName(a),
			Results: res.Total, Catalogue: catalogue}
		return nil
	})
	if err != nil {
		return Shortlist{}, err
	}
	if !before.Locked() {
		s.audit.Record(ctx, a, "saved-search.export", CollSavedSearches, id, before, after)
	}
	after.Access = ss.Access
	return after.shortlist(), nil
}

// shortlist is the export of a locked search. A search exported before
// provenance was recorded gets what is known of it: terms, filters, when,
// by whom and how many; its catalogue snapshot is unknown.
func (ss SavedSearch) shortlist() Shortlist {
	sl := Shortlist{Search: ss, Rows: ss.ExportedRows}
	if ss.Provenance != nil {
		sl.Provenance = *ss.Provenance
	} else {
		sl.Provenance = ds.SearchProvenance{SavedSearch: ss.ID + " " + ss.Name, Query: ss.Query, RunAt: *ss.LockedAt,
			RunBy: "key " + ss.CreatedBy, Results: len(ss.ExportedRows)}
	}
	return sl
}

// CSV writes the shortlist, its provenance as leading comment rows.
func (sl Shortlist) CSV() ([]byte, error) {
	var b bytes.Buffer
	err := ds.WriteShortlistCSV(&b, &sl.Provenance, sl.Rows)
	return b.Bytes(), err
}

// XLSX writes the shortlist as a workbook with a "Search" sheet of its provenance.
func (sl Shortlist) XLSX() ([]byte, error) {
	var b bytes.Buffer
	title := fmt.Sprintf("%s (G-Cloud shortlist exported %s)", sl.Search.Name, sl.Search.LockedAt.Format("2006-01-02"))
	err := ds.WriteShortlistXLSX(&b, title, &sl.Provenance, sl.Rows)
	return b.Bytes(), err
}

// RecordOutcome records how the direct award of an exported search ended,
// with the comparison it rests on and the notices an award triggers.
func (s *Service) RecordOutcome(ctx context.Context, a audit.Actor, id string, ifMatch int64, in OutcomeInput) (SavedSearchView, error) {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return SavedSearchView{}, err
	}
	ss, err := s.readSearch(ctx, a, id)
	if err != nil {
		return SavedSearchView{}, err
	}
	if !ss.Access.Full {
		return SavedSearchView{}, domain.Errorf(domain.CodeForbidden, "only officers of %s and admins can record the outcome", ss.Organisation)
	}
	if err := s.checkOutcomeLinks(ctx, a, ss.Organisation, in); err != nil {
		return SavedSearchView{}, err
	}
	at := s.now()
	o := ds.Outcome{Result: in.Result, ServiceID: in.ServiceID, ContractValue: in.ContractValue, StartDate: in.StartDate,
		EndDate: in.EndDate, BuyingOrganisation: in.BuyingOrganisation, Reason: in.Reason, RecordedBy: a.KeyID, RecordedAt: at,
		ComparisonID: in.ComparisonID, JointProcurement: in.JointProcurement, SupplierSME: in.SupplierSME, SupplierVCSE: in.SupplierVCSE}
	notices, err := o.Notices(s.ruleSets)
	if err != nil {
		return SavedSearchView{}, err
	}
	if err := o.CheckRegisterFacts(notices); err != nil {
		return SavedSearchView{}, err
	}
	before, after, m, err := s.searches.UpdateIf(ctx, id, ifMatch, func(cur *SavedSearch) error {
		if err := cur.RecordOutcome(o); err != nil {
			return err
		}
		cur.Notices = &notices
		return nil
	})
	if err != nil {
		return SavedSearchView{}, err
	}
	s.audit.Record(ctx, a, "saved-search.outcome", CollSavedSearches, id, before, after)
	after.Meta, after.Access = m, &SavedSearchAccess{Full: true}
	return s.savedView(after), nil
}

// checkOutcomeLinks checks the comparison an outcome rests on (one of the
// organisation's, decided or published) and the joint procurement it is
// part of (one the organisation is party to).
func (s *Service) checkOutcomeLinks(ctx context.Context, a audit.Actor, org string, in OutcomeInput) error {
	var p domain.Problems
	if in.ComparisonID != "" {
		r, err := s.readComparison(ctx, a, in.ComparisonID)
		switch {
		case domain.ErrorCode(err) == domain.CodeNotFound || err == nil && r.rec.Organisation != org:
			p.Add("comparisonId", "no comparison of %s has id %q", org, in.ComparisonID)
		case err != nil:
			return err
		case !r.access.RecordAward:
			p.Add("comparisonId", "comparison %s is a %s; decide it before recording an award that rests on it", in.ComparisonID, r.rec.State)
		}
	}
	if err := s.checkJointProcurement(ctx, "jointProcurement", in.JointProcurement, org); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) {
			return err
		}
		p = append(p, de.Fields...)
	}
	return p.Err()
}
