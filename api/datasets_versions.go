package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/store"
)

// DefaultUploadLimit caps one uploaded file (Config.UploadLimit overrides).
const DefaultUploadLimit = 2 << 30

// versionDoc is a version as stored: the domain version plus the files
// generated from it for download.
type versionDoc struct {
	opendata.Version
	Files   []versionFile     `json:"files,omitempty"`
	Options uploadOptions     `json:"options"`
	Preview [][]string        `json:"preview,omitempty"` // first rows (tabular) for the dataset page
	Extent  *opendata.BBox    `json:"extent,omitempty"`  // CRS84 extent of the features (spatial)
	Source  string            `json:"sourceCrs,omitempty"`
	Props   []ingest.Property `json:"properties,omitempty"`
	Profile *opendata.Profile `json:"-"`
}

// versionFile is one generated download of a version.
type versionFile struct {
	Ext       string `json:"ext"` // csv, json, geojson
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	SHA1      string `json:"sha1"` // for DCAT-AP 2.1.1, whose checksums must be SHA-1
}

// uploadOptions are how the publisher says to read a file.
type uploadOptions struct {
	CRS     string `json:"crs,omitempty"`     // source CRS when the file does not say
	XColumn string `json:"xColumn,omitempty"` // CSV coordinate columns
	YColumn string `json:"yColumn,omitempty"`
	Layer   string `json:"layer,omitempty"` // GeoPackage layer
}

func versionID(datasetID string, n int) string { return fmt.Sprintf("%s.%06d", datasetID, n) }
func sourceKey(datasetID string, n int) string {
	return fmt.Sprintf("datasets/%s/v%d/source", datasetID, n)
}
func fileKey(datasetID string, n int, ext string) string {
	return fmt.Sprintf("datasets/%s/v%d/data.%s", datasetID, n, ext)
}

type uploadAccepted struct {
	Job     opendata.Job      `json:"job"`
	Version opendata.Version  `json:"version"`
	Links   map[string]string `json:"links"`
}

// upload accepts a file as a new version and queues its processing.
//
//	@Summary		Upload a new version (publisher): multipart field "file" or a raw body
//	@Description	The file is streamed to storage, checksummed, then parsed and validated in a background job (poll the job). Readers keep seeing the previous version until the new one is complete.
//	@Tags			open data
//	@Accept			mpfd
//	@Produce		json
//	@Param			id			path		string	true	"dataset id"
//	@Param			filename	query		string	false	"file name for a raw body (its extension gives the format)"
//	@Param			format		query		string	false	"csv, json, geojson, gpkg, shp (zip), gml"
//	@Param			crs			query		string	false	"source CRS when the file does not say, e.g. EPSG:27700"
//	@Param			x			query		string	false	"CSV column of eastings or longitudes"
//	@Param			y			query		string	false	"CSV column of northings or latitudes"
//	@Param			layer		query		string	false	"GeoPackage layer"
//	@Success		202			{object}	uploadAccepted
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		413			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/datasets/{id}/versions [post]
func (a *datasetsAPI) upload(c echo.Context) error {
	ctx := c.Request().Context()
	d, _, err := a.load(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := authorize(c, domain.AreaOpenData, d.Publisher); err != nil {
		return err
	}
	if d.Status == opendata.StatusWithdrawn {
		return domain.Errorf(domain.CodeConflict, "the dataset is withdrawn; it takes no new versions")
	}
	qp := c.QueryParams()
	opts := uploadOptions{CRS: qp.Get("crs"), XColumn: qp.Get("x"), YColumn: qp.Get("y"), Layer: qp.Get("layer")}
	fileName, body, err := uploadBody(c)
	if err != nil {
		return err
	}
	format, err := uploadFormat(qp.Get("format"), fileName)
	if err != nil {
		return err
	}
	n, err := a.nextVersionNumber(ctx, d.ID)
	if err != nil {
		return err
	}
	limit := a.s.cfg.UploadLimit
	if limit <= 0 {
		limit = DefaultUploadLimit
	}
	lr := &limitedReader{r: body, left: limit}
	info, err := a.s.store.PutBlob(ctx, sourceKey(d.ID, n), lr)
	if lr.exceeded {
		if err == nil {
			_ = a.s.store.DeleteBlob(context.WithoutCancel(ctx), sourceKey(d.ID, n))
		}
		return newProblem("too-large", fmt.Sprintf("the file is larger than the upload limit of %d bytes (--upload-limit)", limit))
	}
	if err != nil {
		return err
	}
	if info.Size == 0 {
		_ = a.s.store.DeleteBlob(context.WithoutCancel(ctx), sourceKey(d.ID, n))
		return &domain.Error{Code: domain.CodeInvalid, Message: "the uploaded file is empty",
			Fields: []domain.FieldProblem{{Field: "file", Problem: "send the file's bytes as the multipart field \"file\" or as the body"}}}
	}
	t := now()
	v := versionDoc{Version: opendata.Version{DatasetID: d.ID, Number: n, FileName: fileName, Format: format.Code,
		MediaType: format.MediaType, ByteSize: info.Size, SHA256: info.SHA256, Created: t,
		CreatedBy: principal(c).KeyID, State: opendata.VersionProcessing}, Options: opts}
	if err := v.Validate(); err != nil {
		return err
	}
	if _, err := a.s.store.Insert(ctx, collVersions, versionID(d.ID, n), v); err != nil {
		return err
	}
	job := opendata.Job{ID: store.NewID(), Kind: opendata.JobIngest, DatasetID: d.ID, Version: n,
		State: opendata.JobQueued, Created: t}
	if _, err := a.s.store.Insert(ctx, collJobs, job.ID, job); err != nil {
		return err
	}
	a.s.audit(c, "dataset.version.upload", collVersions, versionID(d.ID, n), nil, v)
	a.jobs.enqueue(job.ID)
	base := a.s.baseURL(c)
	c.Response().Header().Set("Location", base+"/api/v1/jobs/"+job.ID)
	return c.JSON(http.StatusAccepted, uploadAccepted{Job: job, Version: v.Version, Links: map[string]string{
		"job": base + "/api/v1/jobs/" + job.ID, "version": base + "/api/v1/datasets/" + d.ID + "/versions/" + strconv.Itoa(n)}})
}

// uploadBody finds the file in a multipart form (field "file", streamed,
// never buffered whole) or takes the raw body.
func uploadBody(c echo.Context) (string, io.Reader, error) {
	r := c.Request()
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return "", nil, newProblem("invalid", "the multipart body cannot be read: "+err.Error())
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return "", nil, &domain.Error{Code: domain.CodeInvalid, Message: "no file in the form",
					Fields: []domain.FieldProblem{{Field: "file", Problem: "add the file as the multipart field named \"file\""}}}
			}
			if err != nil {
				return "", nil, newProblem("invalid", "the multipart body cannot be read: "+err.Error())
			}
			if part.FormName() == "file" {
				name := path.Base(strings.ReplaceAll(part.FileName(), "\\", "/"))
				if name == "." || name == "/" {
					name = r.URL.Query().Get("filename")
				}
				return name, part, nil
			}
		}
	}
	name := r.URL.Query().Get("filename")
	if name == "" {
		if _, params, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentDisposition)); err == nil {
			name = params["filename"]
		}
	}
	return path.Base(name), r.Body, nil
}

func uploadFormat(explicit, fileName string) (opendata.Format, error) {
	if explicit != "" {
		if f, ok := opendata.LookupFormat(explicit); ok && f.Code != "xlsx" && f.Code != "kml" {
			return f, nil
		}
		return opendata.Format{}, &domain.Error{Code: domain.CodeInvalid, Message: "unsupported format",
			Fields: []domain.FieldProblem{{Field: "format", Problem: "must be csv, json, geojson, gpkg, shp or gml"}}}
	}
	if f, ok := opendata.FormatFromFileName(fileName); ok && f.Code != "xlsx" && f.Code != "kml" {
		return f, nil
	}
	return opendata.Format{}, &domain.Error{Code: domain.CodeInvalid, Message: "the file's format cannot be told from its name",
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
			return 0, errors.New("upload limit exceeded")
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

// nextVersionNumber hands out the next number with a compare-and-swap on
// the dataset document, so two uploads never get the same number.
func (a *datasetsAPI) nextVersionNumber(ctx context.Context, id string) (int, error) {
	for range 20 {
		d, rec, err := a.load(ctx, id)
		if err != nil {
			return 0, err
		}
		d.VersionCount++
		if _, err := a.s.store.Update(ctx, collDatasets, id, rec.Version, d); err == nil {
			return d.VersionCount, nil
		} else if !errors.Is(err, store.ErrStale) {
			return 0, err
		}
	}
	return 0, domain.Errorf(domain.CodeUnavailable, "the dataset is being changed by many requests at once; retry")
}

// updateDataset applies change to the latest stored dataset, retrying when
// another writer got there first.
func (a *datasetsAPI) updateDataset(ctx context.Context, id string, change func(*datasetDoc) error) (datasetDoc, datasetDoc, error) {
	for range 20 {
		d, rec, err := a.load(ctx, id)
		if err != nil {
			return d, d, err
		}
		after := d
		if err := change(&after); err != nil {
			return d, after, err
		}
		if _, err := a.s.store.Update(ctx, collDatasets, id, rec.Version, after); err == nil {
			return d, after, nil
		} else if !errors.Is(err, store.ErrStale) {
			return d, after, err
		}
	}
	return datasetDoc{}, datasetDoc{}, domain.Errorf(domain.CodeUnavailable, "the dataset is being changed by many requests at once; retry")
}

// listVersions lists a dataset's versions (published ones for the public).
//
//	@Summary	List a dataset's versions
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"dataset id"
//	@Success	200	{object}	listResponse[versionDoc]
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/datasets/{id}/versions [get]
func (a *datasetsAPI) listVersions(c echo.Context) error {
	d, _, err := a.visible(c, c.Param("id"))
	if err != nil {
		return err
	}
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	q := store.Query{Filters: []store.Filter{{Field: "datasetId", Op: store.Eq, Value: d.ID}},
		Sort: []store.Sort{{Field: "number", Desc: true}}, Limit: limit, Offset: offset}
	if !canSeeDrafts(c, d.Publisher) {
		q.Filters = append(q.Filters, store.Filter{Field: "state", Op: store.Eq, Value: string(opendata.VersionPublished)})
	}
	page, err := a.s.store.List(c.Request().Context(), collVersions, q)
	if err != nil {
		return err
	}
	items := make([]versionDoc, 0, len(page.Records))
	for _, r := range page.Records {
		var v versionDoc
		if err := r.Decode(&v); err != nil {
			return err
		}
		items = append(items, v)
	}
	return c.JSON(http.StatusOK, listResponse[versionDoc]{Items: items, Total: page.Total, Limit: limit, Offset: offset,
		Links: a.s.pageLinks(c, limit, offset, page.Total)})
}

// getVersion reads one version with its validation report.
//
//	@Summary	Get a version with its validation report and files
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"dataset id"
//	@Param		n	path		int		true	"version number"
//	@Success	200	{object}	versionDoc
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/datasets/{id}/versions/{n} [get]
func (a *datasetsAPI) getVersion(c echo.Context) error {
	d, _, err := a.visible(c, c.Param("id"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		return newProblem("not-found", "version numbers are whole numbers")
	}
	v, rec, err := a.loadVersion(c.Request().Context(), d.ID, n)
	if err != nil {
		return err
	}
	if v.State != opendata.VersionPublished && !canSeeDrafts(c, d.Publisher) {
		return store.ErrNotFound
	}
	return withETag(c, etag(rec), v)
}

func (a *datasetsAPI) loadVersion(ctx context.Context, datasetID string, n int) (versionDoc, store.Record, error) {
	rec, err := a.s.store.Get(ctx, collVersions, versionID(datasetID, n))
	if err != nil {
		return versionDoc{}, rec, err
	}
	var v versionDoc
	return v, rec, rec.Decode(&v)
}

// getJob reports an upload's processing.
//
//	@Summary	Poll a background job: state, progress percent, counts and validation report
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"job id"
//	@Success	200	{object}	opendata.Job
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/jobs/{id} [get]
func (a *datasetsAPI) getJob(c echo.Context) error {
	ctx := c.Request().Context()
	rec, err := a.s.store.Get(ctx, collJobs, c.Param("id"))
	if err != nil {
		return err
	}
	var j opendata.Job
	if err := rec.Decode(&j); err != nil {
		return err
	}
	d, _, err := a.load(ctx, j.DatasetID)
	if err != nil {
		return err
	}
	if err := authorize(c, domain.AreaOpenData, d.Publisher); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}
