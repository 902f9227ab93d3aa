package opendata

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// catalogueFeed keeps this instance's catalogue index (every published and
// withdrawn dataset, and the organisations) in step with the store through
// the change feed, so every instance answers every listing alike. A change
// re-reads the one record it names; a Load builds a new index beside the
// one being served and swaps it in whole.
type catalogueFeed struct {
	s  *Service
	ix atomic.Pointer[index.Index]
}

func newCatalogueFeed(s *Service) *catalogueFeed {
	f := &catalogueFeed{s: s}
	f.ix.Store(index.New()) // empty and not loaded: listings answer 503 until Load
	return f
}

func (f *catalogueFeed) Name() string          { return "catalogue-index" }
func (f *catalogueFeed) Collections() []string { return []string{CollDatasets, collOrganisations} }

func (f *catalogueFeed) index() *index.Index { return f.ix.Load() }

// listed are the statuses the index holds: drafts are their publishers'
// business and are searched in the store.
var listed = []any{string(od.StatusPublished), string(od.StatusWithdrawn)}

func (f *catalogueFeed) Load(ctx context.Context) error {
	ix := index.New()
	err := f.s.orgs.Scan(ctx, nil, func(o domain.Organisation, m repo.Meta) error {
		ix.PutOrganisation(o, strconv.FormatInt(m.Version, 10))
		return nil
	})
	if err != nil {
		return err
	}
	err = f.s.datasets.Scan(ctx, []store.Filter{{Field: "status", Op: store.In, Values: listed}},
		func(d DatasetRecord, m repo.Meta) error {
			it, err := f.item(ctx, d, m)
			if err == nil {
				ix.Put(it)
			}
			return err
		})
	if err != nil {
		return err
	}
	ix.MarkLoaded()
	f.ix.Store(ix)
	return nil
}

func (f *catalogueFeed) Apply(ctx context.Context, changes []store.Change) error {
	ix := f.index()
	seen := map[string]bool{}
	for _, c := range changes {
		if seen[c.Collection+"/"+c.ID] {
			continue
		}
		seen[c.Collection+"/"+c.ID] = true
		if c.Collection == collOrganisations {
			o, m, err := f.s.orgs.Get(ctx, c.ID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				ix.DeleteOrganisation(c.ID)
			case err != nil:
				return err
			default:
				ix.PutOrganisation(o, strconv.FormatInt(m.Version, 10))
			}
			continue
		}
		d, m, err := f.s.datasets.Get(ctx, c.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			ix.Delete(c.ID)
			continue
		case err != nil:
			return err
		case d.Status != od.StatusPublished && d.Status != od.StatusWithdrawn:
			ix.Delete(c.ID)
			continue
		}
		it, err := f.item(ctx, d, m)
		if err != nil {
			return err
		}
		ix.Put(it)
	}
	return nil
}

func (f *catalogueFeed) item(ctx context.Context, d DatasetRecord, m repo.Meta) (index.Item, error) {
	cur, err := f.s.currentVersion(ctx, d)
	if err != nil {
		return index.Item{}, err
	}
	return index.Item{Entry: entryOf(d, cur), Formats: d.Formats, Stamp: strconv.FormatInt(m.Version, 10), Record: d}, nil
}
