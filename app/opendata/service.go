// Package opendata holds the open data use cases: datasets and their
// lifecycle, uploads processed by background jobs into downloads and OGC API
// collections, search, and the published catalogue the harvest formats,
// pages and INSPIRE records describe. It knows nothing of HTTP: the api
// package parses requests, calls these use cases and writes the answers.
package opendata

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/events"
	"github.com/jointict/councilapi/app/jobs"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store"
)

// Collections of the open data capability.
const (
	CollDatasets      = "datasets"
	CollVersions      = "dataset_versions"
	CollJobs          = "jobs"
	collOrganisations = "organisations"
)

// Indexes are what the open data collections need from the store.
var Indexes = []store.Index{
	{Collection: CollDatasets, Unique: []string{"slug"}, Fields: []string{"publisher", "status", "modified", "title"}},
	{Collection: CollVersions, Fields: []string{"datasetId", "number", "state"}},
	{Collection: CollJobs, Fields: []string{"datasetId", "state", "created"}},
}

// DatasetRecord is a dataset as stored: the domain dataset plus the pointer
// to the published version readers see. Publishing writes the new version's
// files and record first and then moves CurrentVersion in this one
// document, so readers switch from the old version to the new one at once.
type DatasetRecord struct {
	od.Dataset
	CurrentVersion int      `json:"currentVersion"`    // 0 until a version is published
	VersionCount   int      `json:"versionCount"`      // version numbers handed out so far
	Formats        []string `json:"formats,omitempty"` // download formats of the current version
	Template       string   `json:"template,omitempty"`
	// Current summarises the current version for the catalogue (set with
	// CurrentVersion when a version is published); not part of the API.
	Current *CurrentVersion `json:"current,omitempty" swaggerignore:"true"`
}

// VersionRecord is a version as stored: the domain version plus the files
// generated from it for download.
type VersionRecord struct {
	od.Version
	Files   []VersionFile     `json:"files,omitempty"`
	Options UploadOptions     `json:"options"`
	Preview [][]string        `json:"preview,omitempty"` // first rows (tabular) for the dataset page
	Extent  *od.BBox          `json:"extent,omitempty"`  // CRS84 extent of the features (spatial)
	Source  string            `json:"sourceCrs,omitempty"`
	Props   []ingest.Property `json:"properties,omitempty"`
	// Ingest is the spatial reader's full report: every feature left out or
	// repaired, the id rule applied, and each assumption made.
	Ingest *ingest.Report `json:"ingest,omitempty"`
}

// VersionFile is one generated download of a version.
type VersionFile struct {
	Ext       string `json:"ext"` // csv, json, geojson
	MediaType string `json:"mediaType"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	SHA1      string `json:"sha1"` // for DCAT-AP 2.1.1, whose checksums must be SHA-1
}

// UploadOptions are how the publisher says to read a file.
type UploadOptions struct {
	CRS     string `json:"crs,omitempty"`     // source CRS when the file does not say
	XColumn string `json:"xColumn,omitempty"` // CSV coordinate columns
	YColumn string `json:"yColumn,omitempty"`
	Layer   string `json:"layer,omitempty"` // GeoPackage layer
	// AxisOrder confirms how positions are stored (lonlat or latlon), when
	// a file's axis order must be stated (see the README).
	AxisOrder string `json:"axisOrder,omitempty"`
	// PublishDataset publishes a draft dataset together with this version
	// (set by the server for the datasets it maintains itself, such as the
	// contracts register; never by a client).
	PublishDataset bool `json:"publishDataset,omitempty"`
}

// VersionID is the store id of a dataset's version n.
func VersionID(datasetID string, n int) string { return fmt.Sprintf("%s.%06d", datasetID, n) }

// SourceKey is the blob key of the file uploaded as version n.
func SourceKey(datasetID string, n int) string {
	return fmt.Sprintf("datasets/%s/v%d/source", datasetID, n)
}

// FileKey is the blob key of version n's download in format ext.
func FileKey(datasetID string, n int, ext string) string {
	return fmt.Sprintf("datasets/%s/v%d/data.%s", datasetID, n, ext)
}

// Config is what the capability needs to know about its deployment.
type Config struct {
	// UploadLimit caps one uploaded file, in bytes (default DefaultUploadLimit).
	UploadLimit int64
	// Workers is how many uploads this instance processes at once.
	Workers int
	// JobLease is how long a claimed job holds without renewal.
	JobLease time.Duration
	// MaxFeatures caps the features of one spatial upload (0: the default).
	MaxFeatures int
	// CoordinateDecimals is how many decimal places of a degree published
	// coordinates keep (0: DefaultCoordinateDecimals).
	CoordinateDecimals int
}

// DefaultCoordinateDecimals keeps published WGS84 coordinates to 1e-8 of a
// degree: 1.1 mm of latitude and 0.7 mm of longitude in England, below the
// millimetre OSTN15 resolves, and no more (17 significant digits claim
// nanometres and bloat every download).
const DefaultCoordinateDecimals = 8

func (c Config) roundFactor() int {
	d := c.CoordinateDecimals
	if d <= 0 || d > 15 {
		d = DefaultCoordinateDecimals
	}
	f := 1
	for range d {
		f *= 10
	}
	return f
}

// featureLimits are the spatial readers' limits for this deployment.
func (c Config) featureLimits() ingest.Limits {
	lim := ingest.DefaultLimits
	if c.MaxFeatures > 0 {
		lim.MaxFeatures = c.MaxFeatures
	}
	lim.MaxFeaturesSetting = "--max-features (COUNCILAPI_MAX_FEATURES)"
	return lim
}

// DefaultUploadLimit caps one uploaded file when Config.UploadLimit is 0.
const DefaultUploadLimit = 2 << 30

// PublishStep is one more output a version must have before it becomes
// current (besides its downloads and OGC API artefact): the INSPIRE record
// stamp, the contracts register's template check. It runs before the
// dataset's pointer moves, with the dataset as it will be; an error fails
// the job and leaves the previous version current.
type PublishStep func(ctx context.Context, d DatasetRecord, v VersionRecord) error

// Service is the open data capability.
type Service struct {
	st       store.Store
	datasets repo.Repo[DatasetRecord]
	versions repo.Repo[VersionRecord]
	jobRepo  repo.Repo[od.Job]
	orgs     repo.Repo[domain.Organisation]
	audit    *audit.Log
	bus      *events.Bus
	runner   *jobs.Runner
	log      *slog.Logger
	cfg      Config

	ogc    *ogcFeed
	cat    *catalogueFeed
	steps  []PublishStep
	budget *featureBudget
}

// New builds the capability over st; its OGC API collections go to reg, and
// it subscribes its derived state to bus.
func New(st store.Store, bus *events.Bus, al *audit.Log, reg *ogc.Registry, log *slog.Logger, cfg Config) *Service {
	if cfg.UploadLimit <= 0 {
		cfg.UploadLimit = DefaultUploadLimit
	}
	s := &Service{st: st, datasets: repo.New[DatasetRecord](st, CollDatasets), versions: repo.New[VersionRecord](st, CollVersions),
		jobRepo: repo.New[od.Job](st, CollJobs), orgs: repo.New[domain.Organisation](st, collOrganisations),
		audit: al, bus: bus, log: log, cfg: cfg}
	s.runner = jobs.New(s.jobRepo, jobHandler{s}, log, jobs.Options{Workers: cfg.Workers, Lease: cfg.JobLease})
	s.budget = newFeatureBudget(cfg.featureLimits().MaxFeatures)
	s.ogc = newOGCFeed(s, reg)
	bus.Subscribe(s.ogc)
	s.cat = newCatalogueFeed(s)
	bus.Subscribe(s.cat)
	return s
}

// AddPublishStep adds an output every publication must build.
func (s *Service) AddPublishStep(step PublishStep) { s.steps = append(s.steps, step) }

// Start begins processing jobs; the change feed (started by the caller)
// loads the OGC API collections.
func (s *Service) Start(ctx context.Context) { s.runner.Start(ctx) }

// Instance is the id this instance's job leases carry.
func (s *Service) Instance() string { return s.runner.Owner() }

// Stop cancels running jobs and waits for them.
func (s *Service) Stop() { s.runner.Stop() }

// now is the time stamps are taken at: whole seconds in UTC, so stored
// RFC 3339 text compares in time order.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// Datasets is the datasets repository, for the capabilities that publish a
// dataset of their own (the contracts register).
func (s *Service) Datasets() repo.Repo[DatasetRecord] { return s.datasets }

// CanSeeDrafts reports whether the actor may see unpublished data of org.
func CanSeeDrafts(a audit.Actor, org string) bool {
	return a.KeyID != "" && a.Authorize(domain.AreaOpenData, org) == nil
}
