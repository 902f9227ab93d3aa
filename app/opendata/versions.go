package opendata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/store"
)

// Upload is a file sent as a new version.
type Upload struct {
	FileName string
	Format   string // explicit format code; "" to tell from FileName
	Options  UploadOptions
	Body     io.Reader
}

// ErrUploadTooLarge is wrapped by the error of an upload over the limit.
var ErrUploadTooLarge = errors.New("upload limit exceeded")

// Accepted is the answer to an upload: the queued job and the version.
type Accepted struct {
	Job     od.Job     `json:"job"`
	Version od.Version `json:"version"`
}

// UploadVersion streams a file to storage as the dataset's next version and
// queues its processing. Readers keep the previous version until the job
// has built every output of the new one.
func (s *Service) UploadVersion(ctx context.Context, a audit.Actor, datasetID string, up Upload) (Accepted, error) {
	d, _, err := s.datasets.Get(ctx, datasetID)
	if err != nil {
		return Accepted{}, err
	}
	if err := a.Authorize(domain.AreaOpenData, d.Publisher); err != nil {
		return Accepted{}, err
	}
	if d.Status == od.StatusWithdrawn {
		return Accepted{}, domain.Errorf(domain.CodeConflict, "the dataset is withdrawn; it takes no new versions")
	}
	format, err := uploadFormat(up.Format, up.FileName)
	if err != nil {
		return Accepted{}, err
	}
	if _, err := ingest.ParseAxisOrder(up.Options.AxisOrder); err != nil {
		return Accepted{}, &domain.Error{Code: domain.CodeInvalid, Message: "unknown axis order",
			Fields: []domain.FieldProblem{{Field: "axisOrder", Problem: "must be lonlat (longitude or easting first) or latlon (latitude or northing first)"}}}
	}
	_, counted, _, err := s.datasets.Update(ctx, d.ID, func(x *DatasetRecord) error {
		x.VersionCount++
		return nil
	})
	if err != nil {
		return Accepted{}, err
	}
	n := counted.VersionCount
	lr := &limitedReader{r: up.Body, left: s.cfg.UploadLimit}
	info, err := s.st.PutBlob(ctx, SourceKey(d.ID, n), lr)
	if lr.exceeded {
		if err == nil {
			_ = s.st.DeleteBlob(context.WithoutCancel(ctx), SourceKey(d.ID, n))
		}
		return Accepted{}, &domain.Error{Code: domain.CodeTooLarge,
			Message: fmt.Sprintf("the file is larger than the upload limit of %d bytes (--upload-limit)", s.cfg.UploadLimit)}
	}
	if err != nil {
		return Accepted{}, err
	}
	if info.Size == 0 {
		_ = s.st.DeleteBlob(context.WithoutCancel(ctx), SourceKey(d.ID, n))
		return Accepted{}, &domain.Error{Code: domain.CodeInvalid, Message: "the uploaded file is empty",
			Fields: []domain.FieldProblem{{Field: "file", Problem: "send the file's bytes as the multipart field \"file\" or as the body"}}}
	}
	t := now()
	v := VersionRecord{Version: od.Version{DatasetID: d.ID, Number: n, FileName: up.FileName, Format: format.Code,
		MediaType: format.MediaType, ByteSize: info.Size, SHA256: info.SHA256, Created: t,
		CreatedBy: a.KeyID, State: od.VersionProcessing}, Options: up.Options}
	if err := v.Validate(); err != nil {
		return Accepted{}, err
	}
	if _, err := s.versions.Insert(ctx, VersionID(d.ID, n), v); err != nil {
		return Accepted{}, err
	}
	job := od.Job{ID: store.NewID(), Kind: od.JobIngest, DatasetID: d.ID, Version: n, State: od.JobQueued, Created: t}
	if _, err := s.jobRepo.Insert(ctx, job.ID, job); err != nil {
		return Accepted{}, err
	}
	s.audit.Record(ctx, a, "dataset.version.upload", CollVersions, VersionID(d.ID, n), nil, v)
	s.runner.Wake()
	return Accepted{Job: job, Version: v.Version}, nil
}

func uploadFormat(explicit, fileName string) (od.Format, error) {
	if explicit != "" {
		if f, ok := od.LookupFormat(explicit); ok && f.Code != "xlsx" && f.Code != "kml" {
			return f, nil
		}
		return od.Format{}, &domain.Error{Code: domain.CodeInvalid, Message: "unsupported format",
			Fields: []domain.FieldProblem{{Field: "format", Problem: "must be csv, json, geojson, gpkg, shp or gml"}}}
	}
	if f, ok := od.FormatFromFileName(fileName); ok && f.Code != "xlsx" && f.Code != "kml" {
		return f, nil
	}
	return od.Format{}, &domain.Error{Code: domain.CodeInvalid, Message: "the file's format cannot be told from its name",
		Fields: []domain.FieldProblem{{Field: "format", Problem: "name the file with .csv, .json, .geojson, .gpkg, .zip (Shapefile) or .gml, or pass ?format="}}}
}

// limitedReader stops at the limit and remembers that it was exceeded.
type limitedReader struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.exceeded = true
			return 0, ErrUploadTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// Versions lists a dataset's versions, newest first (published ones only
// for readers who may not see drafts).
func (s *Service) Versions(ctx context.Context, a audit.Actor, datasetID string, limit, offset int) ([]VersionRecord, int64, error) {
	d, _, err := s.Get(ctx, a, datasetID)
	if err != nil {
		return nil, 0, err
	}
	q := store.Query{Filters: []store.Filter{{Field: "datasetId", Op: store.Eq, Value: d.ID}},
		Sort: []store.Sort{{Field: "number", Desc: true}}, Limit: limit, Offset: offset}
	if !CanSeeDrafts(a, d.Publisher) {
		q.Filters = append(q.Filters, store.Filter{Field: "state", Op: store.Eq, Value: string(od.VersionPublished)})
	}
	return s.versions.List(ctx, q)
}

// PublishedVersions lists a dataset's published versions, newest first.
func (s *Service) PublishedVersions(ctx context.Context, datasetID string) ([]VersionRecord, error) {
	vs, _, err := s.versions.List(ctx, store.Query{Filters: []store.Filter{
		{Field: "datasetId", Op: store.Eq, Value: datasetID},
		{Field: "state", Op: store.Eq, Value: string(od.VersionPublished)}},
		Sort: []store.Sort{{Field: "number", Desc: true}}})
	return vs, err
}

// Version reads version n of a dataset the actor may see.
func (s *Service) Version(ctx context.Context, a audit.Actor, datasetID string, n int) (VersionRecord, repo.Meta, error) {
	d, _, err := s.Get(ctx, a, datasetID)
	if err != nil {
		return VersionRecord{}, repo.Meta{}, err
	}
	v, m, err := s.versions.Get(ctx, VersionID(d.ID, n))
	if err != nil {
		return v, m, err
	}
	if v.State != od.VersionPublished && !CanSeeDrafts(a, d.Publisher) {
		return VersionRecord{}, repo.Meta{}, store.ErrNotFound
	}
	return v, m, nil
}

// Job reads an upload's job; only its dataset's publisher may.
func (s *Service) Job(ctx context.Context, a audit.Actor, id string) (od.Job, error) {
	j, _, err := s.jobRepo.Get(ctx, id)
	if err != nil {
		return j, err
	}
	d, _, err := s.datasets.Get(ctx, j.DatasetID)
	if err != nil {
		return od.Job{}, err
	}
	if err := a.Authorize(domain.AreaOpenData, d.Publisher); err != nil {
		return od.Job{}, err
	}
	return j, nil
}

// Download is one file ready to send.
type Download struct {
	Blob      store.Blob
	FileName  string
	MediaType string
	Modified  time.Time
}

// ErrGone marks a withdrawn dataset's downloads.
var ErrGone = errors.New("this dataset has been withdrawn by its publisher")

// OpenDownload opens the download ext of version n (0: the current one) of
// the dataset with slug. Past versions stay downloadable; a withdrawn
// dataset's files are gone (ErrGone), though its record stays.
func (s *Service) OpenDownload(ctx context.Context, a audit.Actor, slug string, n int, ext string) (Download, error) {
	d, err := s.BySlug(ctx, a, slug)
	if err != nil {
		return Download{}, err
	}
	if d.Status == od.StatusWithdrawn {
		return Download{}, ErrGone
	}
	if n == 0 {
		n = d.CurrentVersion
	}
	if n == 0 {
		return Download{}, domain.Errorf(domain.CodeNotFound, "this dataset has no published version yet")
	}
	v, _, err := s.versions.Get(ctx, VersionID(d.ID, n))
	if err != nil || v.State != od.VersionPublished {
		return Download{}, domain.Errorf(domain.CodeNotFound, "version %d of this dataset is not published", n)
	}
	var have []string
	for _, f := range v.Files {
		if f.Ext != ext {
			have = append(have, f.Ext)
			continue
		}
		b, err := s.st.OpenBlob(ctx, FileKey(d.ID, n, ext))
		if err != nil {
			return Download{}, err
		}
		modified := v.Created
		if v.Published != nil {
			modified = *v.Published
		}
		return Download{Blob: b, FileName: fmt.Sprintf("%s-v%d.%s", d.Slug, n, ext), MediaType: f.MediaType,
			Modified: modified.Truncate(time.Second)}, nil
	}
	return Download{}, domain.Errorf(domain.CodeNotFound, "this version is available as %s", strings.Join(have, ", "))
}

// OpenFile opens a generated file of a dataset's version for the server's
// own use (the page maps); clients use OpenDownload.
func (s *Service) OpenFile(ctx context.Context, datasetID string, n int, ext string) (store.Blob, error) {
	return s.st.OpenBlob(ctx, FileKey(datasetID, n, ext))
}
