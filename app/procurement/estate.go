package procurement

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/estate"
	"github.com/jointict/councilapi/store"
)

// AssetKey is the store id of an asset: asset ids are the organisation's
// own, so two councils may both have "srv-01".
func AssetKey(org, id string) string { return org + ":" + id }

// ownEstate checks that the actor may change org's estate or programme:
// its own officers and admins (role first, so a publisher key gets 403
// before anything is read).
func (s *Service) ownEstate(ctx context.Context, a audit.Actor, org string) error {
	if err := a.Authorize(domain.AreaProcurement, ""); err != nil {
		return err
	}
	if _, err := s.knownOrg(ctx, org); err != nil {
		return err
	}
	return a.Authorize(domain.AreaProcurement, org)
}

// readable estate: the organisation exists and the actor may read its data.
func (s *Service) readsEstate(ctx context.Context, a audit.Actor, org string) error {
	if _, err := s.knownOrg(ctx, org); err != nil {
		return err
	}
	return readsOrg(a, org)
}

func (s *Service) orgAssets(ctx context.Context, org string) ([]estate.Asset, error) {
	assets, _, err := s.assets.List(ctx, store.Query{Filters: []store.Filter{{Field: "organisation", Op: store.Eq, Value: org}},
		Sort: []store.Sort{{Field: "id"}}})
	return assets, err
}

// Assets lists org's estate register by asset id.
func (s *Service) Assets(ctx context.Context, a audit.Actor, org string) ([]estate.Asset, error) {
	if err := s.readsEstate(ctx, a, org); err != nil {
		return nil, err
	}
	return s.orgAssets(ctx, org)
}

// Asset reads one asset of org.
func (s *Service) Asset(ctx context.Context, a audit.Actor, org, id string) (estate.Asset, repo.Meta, error) {
	if err := s.readsEstate(ctx, a, org); err != nil {
		return estate.Asset{}, repo.Meta{}, err
	}
	return s.assets.Get(ctx, AssetKey(org, id))
}

func checkAsset(as estate.Asset, org string) error {
	var pr domain.Problems
	if as.Organisation != org {
		pr.Add("organisation", "must be %s, whose estate this is (or omitted)", org)
	}
	if err := as.Validate(); err != nil {
		var de *domain.Error
		if !errors.As(err, &de) {
			return err
		}
		pr = append(pr, de.Fields...)
	}
	return pr.Err()
}

// CreateAsset adds an asset to org's estate; its id must be new there.
func (s *Service) CreateAsset(ctx context.Context, a audit.Actor, org string, decode Decode) (estate.Asset, repo.Meta, error) {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return estate.Asset{}, repo.Meta{}, err
	}
	var as estate.Asset
	if err := decode(&as); err != nil {
		return as, repo.Meta{}, err
	}
	if as.Organisation == "" {
		as.Organisation = org
	}
	if err := checkAsset(as, org); err != nil {
		return as, repo.Meta{}, err
	}
	m, err := s.assets.Insert(ctx, AssetKey(org, as.ID), as)
	if errors.Is(err, store.ErrExists) {
		return as, m, &domain.Error{Code: domain.CodeConflict, Message: "the estate already has an asset with this id",
			Fields: []domain.FieldProblem{{Field: "id", Problem: "is used by another asset of " + org + "; choose another or PATCH that one"}}}
	}
	if err != nil {
		return as, m, err
	}
	s.audit.Record(ctx, a, "estate.create", CollAssets, AssetKey(org, as.ID), nil, as)
	return as, m, nil
}

// PatchAsset edits an asset with a JSON merge patch; its id and
// organisation stay.
func (s *Service) PatchAsset(ctx context.Context, a audit.Actor, org, id string, ifMatch int64, decode Decode) (estate.Asset, repo.Meta, error) {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return estate.Asset{}, repo.Meta{}, err
	}
	var raw json.RawMessage
	if err := decode(&raw); err != nil {
		return estate.Asset{}, repo.Meta{}, err
	}
	if _, err := patch.Members(raw); err != nil {
		return estate.Asset{}, repo.Meta{}, err
	}
	key := AssetKey(org, id)
	before, after, m, err := s.assets.UpdateIf(ctx, key, ifMatch, func(as *estate.Asset) error {
		cur := *as
		if err := patch.Apply(cur, raw, as); err != nil {
			return err
		}
		if as.ID != cur.ID {
			var pr domain.Problems
			pr.Add("id", "cannot be changed; create the asset under its new id and delete this one")
			return pr.Err()
		}
		return checkAsset(*as, org)
	})
	if err != nil {
		return after, m, err
	}
	s.audit.Record(ctx, a, "estate.update", CollAssets, key, before, after)
	return after, m, nil
}

// DeleteAsset removes an asset (at the client's version ifMatch, when sent).
func (s *Service) DeleteAsset(ctx context.Context, a audit.Actor, org, id string, ifMatch int64) error {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return err
	}
	key := AssetKey(org, id)
	as, m, err := s.assets.Get(ctx, key)
	if err != nil {
		return err
	}
	version := m.Version
	if ifMatch != 0 {
		version = ifMatch
	}
	if err := s.assets.Delete(ctx, key, version); err != nil {
		if errors.Is(err, store.ErrStale) && ifMatch == 0 {
			return repo.ErrBusy // changed between our read and the delete: the client retries
		}
		return err
	}
	s.audit.Record(ctx, a, "estate.delete", CollAssets, key, as, nil)
	return nil
}

// ImportResult is what an import did: the rows' problems and repairs and
// how many assets it added and replaced.
type ImportResult struct {
	estate.ImportResult
	Created int `json:"created"`
	Updated int `json:"updated"`
}

// ReadFile reads an uploaded file once the use case has authorised the
// caller: its format ("csv" or "xlsx") and its bytes.
type ReadFile func() (format string, body []byte, err error)

// ImportAssets reads an estate register exported as CSV or XLSX into
// org's estate: each good row adds the asset or replaces the one with its
// id; a bad row is reported by number and never stops the others.
func (s *Service) ImportAssets(ctx context.Context, a audit.Actor, org string, read ReadFile) (ImportResult, error) {
	if err := s.ownEstate(ctx, a, org); err != nil {
		return ImportResult{}, err
	}
	format, body, err := read()
	if err != nil {
		return ImportResult{}, err
	}
	var res estate.ImportResult
	switch format {
	case "csv":
		res, err = estate.ImportCSV(bytes.NewReader(body), org)
	case "xlsx":
		res, err = estate.ImportXLSX(body, org)
	default:
		err = domain.Errorf(domain.CodeInvalid, "send the estate register as CSV (text/csv) or XLSX (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet)")
	}
	if err != nil {
		return ImportResult{}, err
	}
	out := ImportResult{ImportResult: res}
	for _, as := range res.Assets {
		key := AssetKey(org, as.ID)
		_, err := s.assets.Insert(ctx, key, as)
		if err == nil {
			out.Created++
			s.audit.Record(ctx, a, "estate.import", CollAssets, key, nil, as)
			continue
		}
		if !errors.Is(err, store.ErrExists) {
			return out, err
		}
		before, after, _, err := s.assets.Update(ctx, key, func(cur *estate.Asset) error {
			*cur = as
			return nil
		})
		if err != nil {
			return out, err
		}
		out.Updated++
		s.audit.Record(ctx, a, "estate.import", CollAssets, key, before, after)
	}
	return out, nil
}

// DefaultHorizonMonths is how far ahead refresh needs are raised when the
// caller does not say.
const DefaultHorizonMonths = estate.DefaultHorizonMonths

// checkHorizon accepts 0 (the default) to 120 months.
func checkHorizon(months int) (int, error) {
	if months == 0 {
		return DefaultHorizonMonths, nil
	}
	if months < 0 || months > 120 {
		var pr domain.Problems
		pr.Add("horizonMonths", "must be a whole number of months from 1 to 120 (default %d)", DefaultHorizonMonths)
		return 0, pr.Err()
	}
	return months, nil
}

// RefreshNeeds are org's assets past or within horizonMonths of their end
// of support or refresh cycle, each with its year and cost.
func (s *Service) RefreshNeeds(ctx context.Context, a audit.Actor, org string, horizonMonths int) ([]estate.RefreshNeed, error) {
	h, err := checkHorizon(horizonMonths)
	if err != nil {
		return nil, err
	}
	assets, err := s.Assets(ctx, a, org)
	if err != nil {
		return nil, err
	}
	return estate.RefreshNeeds(assets, estate.DefaultSupportTable(), s.today(), h), nil
}

// SupportTable is the shipped table of products' end-of-support dates.
func (s *Service) SupportTable() estate.SupportTable { return estate.DefaultSupportTable() }
