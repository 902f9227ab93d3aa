package opendata

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Format is a file format the catalogue accepts, with the media type and the
// format label the harvesters publish (dct:format / CKAN resource format).
type Format struct {
	Code       string   `json:"code"`
	Label      string   `json:"label"`
	MediaType  string   `json:"mediaType"`
	Extensions []string `json:"extensions"`
	Spatial    bool     `json:"spatial"`
}

// Formats lists the accepted formats. A Shapefile arrives zipped because its
// parts travel together.
var Formats = []Format{
	{"csv", "CSV", "text/csv", []string{".csv"}, false},
	{"json", "JSON", "application/json", []string{".json"}, false},
	{"xlsx", "XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []string{".xlsx"}, false},
	{"geojson", "GeoJSON", "application/geo+json", []string{".geojson"}, true},
	{"gpkg", "GeoPackage", "application/geopackage+sqlite3", []string{".gpkg"}, true},
	{"shp", "Shapefile", "application/zip", []string{".zip", ".shp.zip"}, true},
	{"gml", "GML", "application/gml+xml", []string{".gml"}, true},
	{"kml", "KML", "application/vnd.google-earth.kml+xml", []string{".kml"}, true},
}

// LookupFormat finds a format by code or label, ignoring case.
func LookupFormat(s string) (Format, bool) {
	for _, f := range Formats {
		if strings.EqualFold(f.Code, s) || strings.EqualFold(f.Label, s) {
			return f, true
		}
	}
	return Format{}, false
}

// FormatFromFileName guesses the format from a file name's extension.
func FormatFromFileName(name string) (Format, bool) {
	lower := strings.ToLower(name)
	for _, f := range Formats {
		for _, ext := range f.Extensions {
			if strings.HasSuffix(lower, ext) {
				return f, true
			}
		}
	}
	return Format{}, false
}

// VersionState is where an uploaded file is in its processing.
type VersionState string

const (
	VersionProcessing VersionState = "processing" // uploaded, being parsed and validated; not visible
	VersionPublished  VersionState = "published"  // complete, visible, downloadable, immutable
	VersionFailed     VersionState = "failed"     // rejected or interrupted; never visible
)

// Column describes one column of a tabular version.
type Column struct {
	Name        string     `json:"name"`
	Type        ColumnType `json:"type"`
	Nulls       int64      `json:"nulls"`
	DateFormats []string   `json:"dateFormats,omitempty"` // "iso", "uk" or "us", "text", "compact" for date columns
	// Field and Kind are the Transparency Code template field the column
	// was read as ("Supplier name", text) when the dataset has a template;
	// the column keeps the file's own name.
	Field string    `json:"field,omitempty"`
	Kind  ValueKind `json:"kind,omitempty"`
}

// Version is one uploaded file of a dataset. Once published it never
// changes: download URLs with its number must always give the same bytes.
type Version struct {
	DatasetID    string       `json:"datasetId"`
	Number       int          `json:"number"` // 1, 2, … per dataset
	FileName     string       `json:"fileName"`
	Format       string       `json:"format"` // a Format code
	MediaType    string       `json:"mediaType"`
	ByteSize     int64        `json:"byteSize"`
	SHA256       string       `json:"sha256"` // lower-case hex
	Created      time.Time    `json:"created"`
	CreatedBy    string       `json:"createdBy"`
	RowCount     int64        `json:"rowCount,omitempty"`     // tabular data rows, header excluded
	FeatureCount int64        `json:"featureCount,omitempty"` // spatial features
	Columns      []Column     `json:"columns,omitempty"`
	Report       *Report      `json:"report,omitempty"`
	State        VersionState `json:"state"`
	Published    *time.Time   `json:"published,omitempty"`
}

var (
	sha256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)
	fileRe   = regexp.MustCompile(`^[^/\\\x00-\x1f]{1,255}$`)
)

// Validate reports every problem with the version's fields.
func (v Version) Validate() error {
	var p domain.Problems
	if v.DatasetID == "" {
		p.Add("datasetId", "is required")
	}
	if v.Number < 1 {
		p.Add("number", "must be 1 or more")
	}
	if !fileRe.MatchString(v.FileName) || v.FileName == "." || v.FileName == ".." || path.Base(v.FileName) != v.FileName {
		p.Add("fileName", "must be a plain file name of 1-255 characters without / or \\, e.g. spend-2024-q1.csv")
	}
	f, ok := LookupFormat(v.Format)
	if !ok || f.Code != v.Format {
		codes := make([]string, len(Formats))
		for i, f := range Formats {
			codes[i] = f.Code
		}
		p.Add("format", "must be one of %s", strings.Join(codes, ", "))
	} else if v.MediaType != f.MediaType {
		p.Add("mediaType", "must be %s for %s", f.MediaType, f.Label)
	}
	if v.ByteSize < 0 {
		p.Add("byteSize", "must not be negative")
	}
	if !sha256Re.MatchString(v.SHA256) {
		p.Add("sha256", "must be 64 lower-case hexadecimal digits")
	}
	if v.Created.IsZero() {
		p.Add("created", "is required")
	}
	if v.CreatedBy == "" {
		p.Add("createdBy", "is required")
	}
	if v.RowCount < 0 || v.FeatureCount < 0 {
		p.Add("rowCount", "counts must not be negative")
	}
	if !slices.Contains([]VersionState{VersionProcessing, VersionPublished, VersionFailed}, v.State) {
		p.Add("state", "must be processing, published or failed")
	}
	if (v.State == VersionPublished) != (v.Published != nil) {
		p.Add("published", "is set exactly when the version is published")
	}
	return p.Err()
}

// Publish makes a processing version visible. Only a version whose
// validation report has no errors, or whose errors its dataset's threshold
// let through (Report.Decide), may be published.
func (v *Version) Publish(now time.Time) error {
	if v.State != VersionProcessing {
		return &domain.Error{Code: domain.CodeConflict, Message: fmt.Sprintf("a %s version cannot be published", v.State)}
	}
	if !v.Report.Publishable() {
		reason := fmt.Sprintf("the file has %d errors", v.Report.Errors)
		if v.Report.Decision != nil {
			reason = v.Report.Decision.Reason
		}
		return domain.Errorf(domain.CodeInvalid, "%s; fix them and upload it again", reason)
	}
	t := now.UTC()
	next := *v
	next.State, next.Published = VersionPublished, &t
	if err := next.Validate(); err != nil {
		return err
	}
	*v = next
	return nil
}

// Fail marks a processing version failed; it will never be shown.
func (v *Version) Fail() error {
	if v.State != VersionProcessing {
		return &domain.Error{Code: domain.CodeConflict, Message: fmt.Sprintf("a %s version cannot fail", v.State)}
	}
	v.State = VersionFailed
	return nil
}

// CheckChange refuses any change to a published or failed version; while
// processing, only the results of processing (counts, columns, report) may
// be filled in.
func (v Version) CheckChange(next Version) error {
	if v.State != VersionProcessing {
		return domain.Errorf(domain.CodeConflict, "version %d is %s and can no longer change; upload a new version", v.Number, v.State)
	}
	var p domain.Problems
	same := func(field string, a, b any) {
		if a != b {
			p.Add(field, "cannot change after upload")
		}
	}
	same("datasetId", v.DatasetID, next.DatasetID)
	same("number", v.Number, next.Number)
	same("fileName", v.FileName, next.FileName)
	same("byteSize", v.ByteSize, next.ByteSize)
	same("sha256", v.SHA256, next.SHA256)
	same("createdBy", v.CreatedBy, next.CreatedBy)
	if !v.Created.Equal(next.Created) {
		p.Add("created", "cannot change after upload")
	}
	if len(p) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.CodeConflict, Message: "the update changes the uploaded file's facts", Fields: p}
}

// JobState is where a background job is.
type JobState string

const (
	JobQueued    JobState = "queued"
	JobRunning   JobState = "running"
	JobSucceeded JobState = "succeeded"
	JobFailed    JobState = "failed"
)

// jobTransitions: a queued job may fail without running (cancelled, or found
// at start-up after a crash); a running one ends either way. Finished jobs are
// final, so a retry is a new job.
var jobTransitions = map[JobState][]JobState{
	JobQueued:  {JobRunning, JobFailed},
	JobRunning: {JobSucceeded, JobFailed},
}

// Job kinds.
const (
	JobIngest = "ingest" // parse, validate and publish an uploaded version
)

// JobCounts are the running totals a client polls.
type JobCounts struct {
	Bytes    int64 `json:"bytes"`
	Rows     int64 `json:"rows"`
	Features int64 `json:"features"`
	Errors   int64 `json:"errors"`
	Warnings int64 `json:"warnings"`
}

// Job is background work on a dataset version, polled at /api/v1/jobs/{id}.
type Job struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	DatasetID string     `json:"datasetId"`
	Version   int        `json:"version"`
	State     JobState   `json:"state"`
	Progress  int        `json:"progress"` // percent, 0-100
	Counts    JobCounts  `json:"counts"`
	Report    *Report    `json:"report,omitempty"`
	Error     string     `json:"error,omitempty"`
	Created   time.Time  `json:"created"`
	Started   *time.Time `json:"started,omitempty"`
	Finished  *time.Time `json:"finished,omitempty"`
	// Lease says which server instance is processing a running job and until
	// when its claim holds; the instance renews it while it works, and any
	// instance may fail the job once it has expired (its owner stopped).
	Lease *JobLease `json:"lease,omitempty"`
}

// JobLease is an instance's claim on a running job.
type JobLease struct {
	Owner   string    `json:"owner"`
	Expires time.Time `json:"expires"`
}

// Claim starts a queued job for owner, holding it until expires.
func (j *Job) Claim(owner string, now, expires time.Time) error {
	if err := j.Start(now); err != nil {
		return err
	}
	j.Lease = &JobLease{Owner: owner, Expires: expires.UTC()}
	return nil
}

// Renew extends owner's lease on a running job; it fails when the job has
// finished or another instance holds it, so the owner stops working on it.
func (j *Job) Renew(owner string, expires time.Time) error {
	if j.State != JobRunning || j.Lease == nil || j.Lease.Owner != owner {
		return domain.Errorf(domain.CodeConflict, "this instance no longer holds the job")
	}
	j.Lease.Expires = expires.UTC()
	return nil
}

// Abandoned reports whether a running job's lease has run out (or it has
// none, as jobs written before leases existed): its instance has stopped.
func (j Job) Abandoned(now time.Time) bool {
	return j.State == JobRunning && (j.Lease == nil || now.After(j.Lease.Expires))
}

func (j *Job) move(to JobState) error {
	if !slices.Contains(jobTransitions[j.State], to) {
		e := domain.Errorf(domain.CodeConflict, "a %s job cannot become %s", j.State, to)
		for _, a := range jobTransitions[j.State] {
			e.Allowed = append(e.Allowed, string(a))
		}
		return e
	}
	j.State = to
	return nil
}

// Start moves a queued job to running.
func (j *Job) Start(now time.Time) error {
	if err := j.move(JobRunning); err != nil {
		return err
	}
	t := now.UTC()
	j.Started = &t
	return nil
}

// SetProgress records progress of a running job. Progress never goes back,
// so a client's progress bar never jumps backwards, and stops at 99 until
// the job has really succeeded.
func (j *Job) SetProgress(percent int, counts JobCounts) error {
	if j.State != JobRunning {
		return domain.Errorf(domain.CodeConflict, "a %s job takes no progress", j.State)
	}
	j.Progress = max(j.Progress, min(max(percent, 0), 99))
	j.Counts = counts
	return nil
}

// Succeed finishes a running job.
func (j *Job) Succeed(now time.Time, report *Report) error {
	if err := j.move(JobSucceeded); err != nil {
		return err
	}
	t := now.UTC()
	j.Finished, j.Progress, j.Report = &t, 100, report
	j.countReport()
	return nil
}

// countReport makes the job's error and warning counts those of its report,
// so the counts a client polls always equal the lists it reads.
func (j *Job) countReport() {
	if j.Report != nil {
		j.Counts.Errors, j.Counts.Warnings = j.Report.Errors, j.Report.Warnings
	}
}

// Fail finishes a queued or running job with a reason the user can act on.
func (j *Job) Fail(now time.Time, reason string, report *Report) error {
	if err := j.move(JobFailed); err != nil {
		return err
	}
	t := now.UTC()
	j.Finished, j.Error, j.Report = &t, reason, report
	j.countReport()
	return nil
}

// Done reports whether the job has finished.
func (j Job) Done() bool { return j.State == JobSucceeded || j.State == JobFailed }
