package sourcing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	ds "github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// Search runs a catalogue search as of today: services whose framework has
// closed are left out unless the query includes them.
func (s *Service) Search(ctx context.Context, q ds.SearchQuery) (ds.SearchResult, error) {
	ix, err := s.index.current()
	if err != nil {
		return ds.SearchResult{}, err
	}
	q.AsOf = s.now()
	return ix.Search(q), nil
}

// GetService reads one service with its price history.
func (s *Service) GetService(ctx context.Context, id string) (ds.Service, repo.Meta, error) {
	return s.services.Get(ctx, id)
}

func serverKeptHistory() error {
	return &domain.Error{Code: domain.CodeInvalid, Message: "the price history is kept by the server",
		Fields: []domain.FieldProblem{{Field: "priceHistory", Problem: "must be left out; change priceMin, priceMax, priceUnit or priceInterval and the server records the change"}}}
}

// CreateService adds a service by hand.
func (s *Service) CreateService(ctx context.Context, a audit.Actor, in ds.Service) (ds.Service, repo.Meta, error) {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return ds.Service{}, repo.Meta{}, err
	}
	if len(in.PriceHistory) > 0 {
		return ds.Service{}, repo.Meta{}, serverKeptHistory()
	}
	if err := in.Validate(); err != nil {
		return ds.Service{}, repo.Meta{}, err
	}
	svc := ds.Merge(nil, in, s.now(), "officer:"+a.KeyID)
	m, err := s.services.Insert(ctx, svc.ID, svc)
	if errors.Is(err, store.ErrExists) {
		return ds.Service{}, repo.Meta{}, &domain.Error{Code: domain.CodeConflict, Message: "a service with this id exists; PATCH it or import it to update",
			Fields: []domain.FieldProblem{{Field: "id", Problem: "is already in the catalogue"}}}
	}
	if err != nil {
		return ds.Service{}, repo.Meta{}, err
	}
	s.audit.Record(ctx, a, "service.create", CollServices, svc.ID, nil, svc)
	s.sync(ctx)
	return svc, m, nil
}

// PatchService edits a service with a JSON merge patch; ifMatch is the
// version the client read (0: the latest).
func (s *Service) PatchService(ctx context.Context, a audit.Actor, id string, ifMatch int64, raw json.RawMessage) (ds.Service, repo.Meta, error) {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return ds.Service{}, repo.Meta{}, err
	}
	members, err := patch.Members(raw)
	if err != nil {
		return ds.Service{}, repo.Meta{}, err
	}
	if _, ok := members["priceHistory"]; ok {
		return ds.Service{}, repo.Meta{}, serverKeptHistory()
	}
	at, source := s.now(), "officer:"+a.KeyID
	before, after, m, err := s.services.UpdateIf(ctx, id, ifMatch, func(cur *ds.Service) error {
		var patched ds.Service
		if err := patch.Apply(*cur, raw, &patched); err != nil {
			return err
		}
		if patched.ID != cur.ID {
			var p domain.Problems
			p.Add("id", "cannot be changed")
			return p.Err()
		}
		if err := patched.Validate(); err != nil {
			return err
		}
		*cur = ds.Merge(cur, patched, at, source)
		return nil
	})
	if err != nil {
		return ds.Service{}, repo.Meta{}, err
	}
	s.audit.Record(ctx, a, "service.update", CollServices, id, before, after)
	s.sync(ctx)
	return after, m, nil
}

// Import formats.
const (
	ImportJSON = "json" // {"services": [...]} as the Digital Marketplace exports it
	ImportCSV  = "csv"  // a header row of Digital Marketplace field names
)

// ImportReport is the answer to an import: what happened to each row.
type ImportReport struct {
	Rows      int                `json:"rows"`
	Created   int                `json:"created"`
	Updated   int                `json:"updated"`
	Unchanged int                `json:"unchanged"`
	Rejected  int                `json:"rejected"`
	Problems  []ds.ImportProblem `json:"problems"`
}

// Import upserts the services of a whole catalogue file, keeping each one's
// price history. Good rows are stored even when others are rejected. The
// file is parsed completely before anything is stored, so a file that
// cannot be read changes nothing. source names the file for the price
// history ("import:<name>").
func (s *Service) Import(ctx context.Context, a audit.Actor, format string, file io.Reader, source string) (ImportReport, error) {
	if err := a.Authorize(domain.AreaSourcing, ""); err != nil {
		return ImportReport{}, err
	}
	var parsed ds.ImportResult
	var err error
	first := 1 // the row of the first service: 1 in a JSON array, 2 under a CSV header
	switch format {
	case ImportJSON:
		parsed, err = ds.ParseJSON(file)
	case ImportCSV:
		parsed, err = ds.ParseCSV(file)
		first = 2
	default:
		return ImportReport{}, domain.Errorf(domain.CodeInvalid, "an import is %s or %s, not %q", ImportJSON, ImportCSV, format)
	}
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Rows: parsed.Rows, Problems: parsed.Problems}
	rows := goodRows(parsed, first)
	at := s.now()
	for i, in := range parsed.Services {
		outcome, err := s.upsert(ctx, a, in, at, "import:"+source)
		if err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rep.Problems = append(rep.Problems, ds.ImportProblem{Row: rows[i], ServiceID: in.ID, Problem: "not stored: " + err.Error()})
			continue
		}
		switch outcome {
		case "created":
			rep.Created++
		case "updated":
			rep.Updated++
		default:
			rep.Unchanged++
		}
	}
	rejected := map[int]bool{}
	for _, p := range rep.Problems {
		rejected[p.Row] = true
	}
	rep.Rejected = len(rejected)
	slices.SortStableFunc(rep.Problems, func(x, y ds.ImportProblem) int { return x.Row - y.Row })
	if rep.Created+rep.Updated > 0 {
		s.sync(ctx)
	}
	return rep, nil
}

// goodRows lists the file row of each parsed service, so a store failure is
// reported against the row the officer can find.
func goodRows(parsed ds.ImportResult, first int) []int {
	bad := map[int]bool{}
	for _, p := range parsed.Problems {
		bad[p.Row] = true
	}
	rows := make([]int, 0, len(parsed.Services))
	for row := first; len(rows) < len(parsed.Services); row++ {
		if !bad[row] {
			rows = append(rows, row)
		}
	}
	return rows
}

// upsert stores one imported service, keeping its price history, and
// reports created, updated or unchanged.
func (s *Service) upsert(ctx context.Context, a audit.Actor, in ds.Service, at time.Time, source string) (string, error) {
	outcome, err := s.importOver(ctx, a, in, at, source)
	if !errors.Is(err, store.ErrNotFound) {
		return outcome, err
	}
	svc := ds.Merge(nil, in, at, source)
	_, err = s.services.Insert(ctx, svc.ID, svc)
	if errors.Is(err, store.ErrExists) {
		return s.importOver(ctx, a, in, at, source) // another import inserted it first
	}
	if err != nil {
		return "", err
	}
	s.audit.Record(ctx, a, "service.import", CollServices, svc.ID, nil, svc)
	return "created", nil
}

// importOver merges an imported service into the stored one.
func (s *Service) importOver(ctx context.Context, a audit.Actor, in ds.Service, at time.Time, source string) (string, error) {
	changed := false
	before, after, _, err := s.services.Update(ctx, in.ID, func(cur *ds.Service) error {
		next := ds.Merge(cur, in, at, source)
		changed = !sameJSON(next, *cur)
		if !changed {
			return repo.Unchanged
		}
		*cur = next
		return nil
	})
	switch {
	case err != nil:
		return "", err
	case !changed:
		return "unchanged", nil
	}
	s.audit.Record(ctx, a, "service.import", CollServices, in.ID, before, after)
	return "updated", nil
}

func sameJSON(a, b any) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}
