package opendata

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// DatasetInput is what a publisher sends to create a dataset.
type DatasetInput struct {
	od.Dataset
	Template string `json:"template,omitempty"`
}

// sync waits until this instance's derived views reflect the writes made so
// far, so the answer to a publish is true on this instance's every surface.
func (s *Service) sync(ctx context.Context) { s.bus.AfterWrite(ctx) }

// Create adds a draft dataset.
func (s *Service) Create(ctx context.Context, a audit.Actor, in DatasetInput) (DatasetRecord, repo.Meta, error) {
	d := in.Dataset
	if d.Publisher == "" {
		d.Publisher = a.Organisation
	}
	if err := a.Authorize(domain.AreaOpenData, d.Publisher); err != nil {
		return DatasetRecord{}, repo.Meta{}, err
	}
	var p domain.Problems
	if d.Publisher == "" {
		p.Add("publisher", "is required for an admin key: the id of the publishing organisation, e.g. neddc")
	} else if _, _, err := s.orgs.Get(ctx, d.Publisher); err != nil {
		p.Add("publisher", "no organisation has id %q; GET /api/v1/organisations lists them", d.Publisher)
	}
	if d.Status != "" && d.Status != od.StatusDraft {
		p.Add("status", "must be draft (or omitted) on creation; publish by uploading a version and setting status")
	}
	if d.Issued != nil {
		p.Add("issued", "is set by the first publication; omit it")
	}
	checkTemplate(&p, in.Template)
	if err := p.Err(); err != nil {
		return DatasetRecord{}, repo.Meta{}, err
	}
	explicitSlug := d.Slug != ""
	d.ID = store.NewID()
	d.Modified = now()
	d.ApplyDefaults()
	if err := d.Validate(); err != nil {
		return DatasetRecord{}, repo.Meta{}, err
	}
	if !explicitSlug {
		d.Slug = od.UniqueSlug(d.Slug, func(slug string) bool {
			_, err := s.bySlug(ctx, slug)
			return !errors.Is(err, store.ErrNotFound)
		})
	}
	doc := DatasetRecord{Dataset: d, Template: in.Template}
	m, err := s.datasets.Insert(ctx, d.ID, doc)
	if err != nil {
		return DatasetRecord{}, m, err
	}
	s.audit.Record(ctx, a, "dataset.create", CollDatasets, d.ID, nil, doc)
	return doc, m, nil
}

func checkTemplate(p *domain.Problems, id string) {
	if id == "" {
		return
	}
	if _, ok := od.LookupTemplate(id); !ok {
		p.Add("template", "must be one of %s", strings.Join(od.TemplateIDs(), ", "))
	}
}

// Get reads a dataset the actor may see: drafts only for their publisher.
func (s *Service) Get(ctx context.Context, a audit.Actor, id string) (DatasetRecord, repo.Meta, error) {
	d, m, err := s.datasets.Get(ctx, id)
	if err != nil {
		return d, m, err
	}
	if d.Status == od.StatusDraft && !CanSeeDrafts(a, d.Publisher) {
		return DatasetRecord{}, repo.Meta{}, store.ErrNotFound
	}
	return d, m, nil
}

// BySlug finds a dataset the actor may see by its slug.
func (s *Service) BySlug(ctx context.Context, a audit.Actor, slug string) (DatasetRecord, error) {
	d, err := s.bySlug(ctx, slug)
	if err != nil {
		return d, err
	}
	if d.Status == od.StatusDraft && !CanSeeDrafts(a, d.Publisher) {
		return DatasetRecord{}, store.ErrNotFound
	}
	return d, nil
}

func (s *Service) bySlug(ctx context.Context, slug string) (DatasetRecord, error) {
	found, _, err := s.datasets.List(ctx, store.Query{
		Filters: []store.Filter{{Field: "slug", Op: store.Eq, Value: slug}}, Limit: 1})
	if err != nil {
		return DatasetRecord{}, err
	}
	if len(found) == 0 {
		return DatasetRecord{}, store.ErrNotFound
	}
	return found[0], nil
}

// serverMaintained are the members a patch may not set.
var serverMaintained = []string{"currentVersion", "versionCount", "formats", "modified", "current"}

// Patch edits metadata with a JSON merge patch; a "status" member moves the
// dataset through its lifecycle (draft -> published -> withdrawn). With
// ifMatch (a version from the client's ETag) a concurrent change is a stale
// precondition; without, the patch is applied to the latest version.
func (s *Service) Patch(ctx context.Context, a audit.Actor, id string, ifMatch int64, raw json.RawMessage) (DatasetRecord, repo.Meta, error) {
	fields, err := patch.Members(raw)
	if err != nil {
		return DatasetRecord{}, repo.Meta{}, err
	}
	p := od.DatasetDateProblems(raw)
	for _, locked := range serverMaintained {
		if _, ok := fields[locked]; ok {
			p.Add(locked, "is maintained by the server; remove it from the patch")
		}
	}
	if err := p.Err(); err != nil {
		return DatasetRecord{}, repo.Meta{}, err
	}
	var target od.Status
	if st, ok := fields["status"]; ok {
		if err := json.Unmarshal(st, &target); err != nil {
			return DatasetRecord{}, repo.Meta{}, patch.DecodeError(err)
		}
		delete(fields, "status")
		raw, _ = json.Marshal(fields)
	}
	before, after, m, err := s.datasets.UpdateIf(ctx, id, ifMatch, func(d *DatasetRecord) error {
		if err := a.Authorize(domain.AreaOpenData, d.Publisher); err != nil {
			return err
		}
		cur := *d
		if err := patch.Apply(cur, raw, d); err != nil {
			return err
		}
		if err := cur.CheckChange(d.Dataset); err != nil {
			return err
		}
		d.ApplyDefaults()
		if err := d.Validate(); err != nil {
			return err
		}
		var p domain.Problems
		checkTemplate(&p, d.Template)
		if err := p.Err(); err != nil {
			return err
		}
		// Harvesters see a new modified date only when the content changed.
		d.Modified = cur.Modified
		if !reflect.DeepEqual(cur, *d) {
			d.Modified = now()
		}
		if target != "" && target != d.Status {
			if target == od.StatusPublished && d.CurrentVersion == 0 {
				return &domain.Error{Code: domain.CodeConflict, Message: "a dataset needs a published version before it is published",
					Fields: []domain.FieldProblem{{Field: "status", Problem: "upload a file with POST /api/v1/datasets/" + d.ID + "/versions first"}}}
			}
			if err := d.Transition(target, now()); err != nil {
				return err
			}
		}
		return s.runSteps(ctx, *d)
	})
	if err != nil {
		return DatasetRecord{}, m, err
	}
	s.audit.Record(ctx, a, "dataset.update", CollDatasets, id, before, after)
	s.sync(ctx)
	return after, m, nil
}

// runSteps builds the outputs a published dataset's current version feeds
// besides its files (the INSPIRE stamp, ...), for the dataset as it is
// about to be written.
func (s *Service) runSteps(ctx context.Context, d DatasetRecord) error {
	if d.Status != od.StatusPublished || d.CurrentVersion == 0 {
		return nil
	}
	v, _, err := s.versions.Get(ctx, VersionID(d.ID, d.CurrentVersion))
	if err != nil {
		return err
	}
	return s.runStepsFor(ctx, d, v)
}

// Withdraw takes a dataset out of the catalogue; it stays stored and audited.
func (s *Service) Withdraw(ctx context.Context, a audit.Actor, id string) (DatasetRecord, error) {
	before, after, _, err := s.datasets.Update(ctx, id, func(d *DatasetRecord) error {
		if err := a.Authorize(domain.AreaOpenData, d.Publisher); err != nil {
			return err
		}
		return d.Transition(od.StatusWithdrawn, now())
	})
	if err != nil {
		return DatasetRecord{}, err
	}
	s.audit.Record(ctx, a, "dataset.withdraw", CollDatasets, id, before, after)
	s.sync(ctx)
	return after, nil
}
