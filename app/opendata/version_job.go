package opendata

import (
	"context"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// VersionJob is the job that processes version n of a dataset, for its
// publisher: a page that shows a version follows its job's progress
// without having been handed the job's id.
func (s *Service) VersionJob(ctx context.Context, a audit.Actor, datasetID string, n int) (od.Job, error) {
	d, _, err := s.datasets.Get(ctx, datasetID)
	if err != nil {
		return od.Job{}, err
	}
	if err := a.Authorize(domain.AreaOpenData, d.Publisher); err != nil {
		return od.Job{}, err
	}
	found, _, err := s.jobRepo.List(ctx, store.Query{Filters: []store.Filter{
		{Field: "datasetId", Op: store.Eq, Value: d.ID}, {Field: "version", Op: store.Eq, Value: n}},
		Sort: []store.Sort{{Field: "created", Desc: true}}, Limit: 1})
	if err != nil {
		return od.Job{}, err
	}
	if len(found) == 0 {
		return od.Job{}, store.ErrNotFound
	}
	return found[0], nil
}
