package opendata

import (
	"context"
	"slices"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// Catalogue is the index of the published and withdrawn datasets every
// listing reads; until this instance has loaded it, listings would be
// partial (and harvesters delete what a listing leaves out), so the answer
// is "unavailable, retry".
func (s *Service) Catalogue() (*index.Index, error) {
	ix := s.cat.index()
	if !ix.Loaded() {
		return nil, &domain.Error{Code: domain.CodeUnavailable, Message: "the catalogue is still loading on this server; retry in a few seconds"}
	}
	return ix, nil
}

// Found is a dataset a search found, with the memo of its version in the
// catalogue index, where a listing keeps what it derives from the record
// (a fresh one for drafts, which the catalogue does not hold).
type Found struct {
	Record DatasetRecord
	Memo   *catalogue.Memo
}

// Search lists datasets matching q. Drafts are listed only to their
// publisher; by default only published datasets are listed.
func (s *Service) Search(ctx context.Context, a audit.Actor, q od.Query) ([]DatasetRecord, int64, error) {
	found, total, err := s.Find(ctx, a, q)
	out := make([]DatasetRecord, len(found))
	for i, f := range found {
		out[i] = f.Record
	}
	return out, total, err
}

// Find is Search with each dataset's memo.
func (s *Service) Find(ctx context.Context, a audit.Actor, q od.Query) ([]Found, int64, error) {
	if len(q.Status) == 0 {
		q.Status = []od.Status{od.StatusPublished}
	}
	if slices.Contains(q.Status, od.StatusDraft) {
		if len(q.Publisher) != 1 || !CanSeeDrafts(a, q.Publisher[0]) {
			return nil, 0, &domain.Error{Code: domain.CodeInvalid, Message: "drafts are listed only to their publisher",
				Fields: []domain.FieldProblem{{Field: "status", Problem: "draft needs a publisher key and publisher=<that key's organisation>"}}}
		}
		return s.searchWithDrafts(ctx, q)
	}
	ix, err := s.Catalogue()
	if err != nil {
		return nil, 0, err
	}
	return records(ix.Find(indexQuery(q)))
}

func records(res index.Result) ([]Found, int64, error) {
	out := make([]Found, len(res.Items))
	for i, it := range res.Items {
		out[i] = Found{Record: it.Record.(DatasetRecord), Memo: it.Memo}
	}
	return out, int64(res.Total), nil
}

// searchWithDrafts answers a publisher's search of their own drafts (and
// whatever else they asked for): their datasets of those statuses are read
// from the store and searched with an index of their own, so the filters
// and the ranking are the catalogue's.
func (s *Service) searchWithDrafts(ctx context.Context, q od.Query) ([]Found, int64, error) {
	statuses := make([]any, len(q.Status))
	for i, st := range q.Status {
		statuses[i] = string(st)
	}
	ix := index.New()
	err := s.datasets.Scan(ctx, []store.Filter{{Field: "status", Op: store.In, Values: statuses},
		{Field: "publisher", Op: store.Eq, Value: q.Publisher[0]}}, func(d DatasetRecord, _ repo.Meta) error {
		var cur CurrentVersion
		if d.Current != nil {
			cur = *d.Current
		}
		ix.Put(index.Item{Entry: entryOf(d, cur), Formats: d.Formats, Record: d})
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return records(ix.Find(indexQuery(q)))
}

// indexQuery is a dataset search as the index answers it. Relevance ranks
// by the text's score, then (and without text) newest modified first.
func indexQuery(q od.Query) index.Query {
	iq := index.Query{Statuses: q.Status, BBox: q.BBox, Offset: q.Offset, Limit: q.Limit}
	anyOf := func(dim string, values []string) {
		if len(values) == 0 {
			return
		}
		var c index.Clause
		for _, v := range values {
			c.Any = append(c.Any, index.Term{Key: index.Key(dim, v)})
		}
		iq.All = append(iq.All, c)
	}
	anyOf(index.DimPublisher, q.Publisher)
	anyOf(index.DimTheme, q.Theme)
	anyOf(index.DimLicence, q.Licence)
	anyOf(index.DimFormat, q.Format)
	if q.ModifiedSince != nil {
		iq.All = append(iq.All, index.Clause{Any: []index.Term{{Range: &index.Range{Order: index.OrderModified, From: q.ModifiedSince}}}})
	}
	if q.Q != "" {
		iq.All = append(iq.All, index.Clause{Any: []index.Term{{Text: q.Q}}})
	}
	switch q.Sort {
	case od.SortTitle, od.SortTitleDesc:
		iq.Sort = []index.Sort{{Order: index.OrderTitle, Desc: q.Sort == od.SortTitleDesc}}
	case od.SortModified, od.SortModifiedDesc:
		iq.Sort = []index.Sort{{Order: index.OrderModified, Desc: q.Sort == od.SortModifiedDesc}}
	case od.SortIssued, od.SortIssuedDesc:
		iq.Sort = []index.Sort{{Order: index.OrderIssued, Desc: q.Sort == od.SortIssuedDesc}}
	default:
		iq.Sort = []index.Sort{{Order: index.OrderModified, Desc: true}}
		if q.Q != "" {
			iq.Sort = append([]index.Sort{{Order: index.OrderScore, Desc: true}}, iq.Sort...)
		}
	}
	return iq
}

// Facets the catalogue's pages offer, in the order they show them.
var BrowseFacets = []string{index.DimPublisher, index.DimTheme, index.DimFormat, index.DimLicence}

// Browse is one page of the published catalogue for people.
type Browse struct {
	Datasets []DatasetRecord
	Total    int
	// Facets count, for each filter of BrowseFacets, the datasets each of
	// its values would find with every other filter kept.
	Facets map[string][]index.FacetCount
}

// Browse searches the published catalogue with the counts beside each
// filter value (q's statuses are ignored).
func (s *Service) Browse(ctx context.Context, q od.Query) (Browse, error) {
	ix, err := s.Catalogue()
	if err != nil {
		return Browse{}, err
	}
	q.Status = []od.Status{od.StatusPublished}
	iq := indexQuery(q)
	for _, dim := range BrowseFacets {
		iq.Facets = append(iq.Facets, index.FacetRequest{Dim: dim, Exclusive: true})
	}
	res := ix.Find(iq)
	b := Browse{Datasets: make([]DatasetRecord, len(res.Items)), Total: res.Total, Facets: res.Facets}
	for i, it := range res.Items {
		b.Datasets[i] = it.Record.(DatasetRecord)
	}
	return b, nil
}
