// Package inspire serves UK GEMINI 2.3 records of the published spatial
// datasets and of their OGC API download service, the way data.gov.uk
// harvests them: single documents, a Web Accessible Folder and CSW 2.0.2.
// The record set is derived state: built once per change (every instance
// learns of changes from the store's change feed) rather than per request.
package inspire

import (
	"container/list"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue/csw"
	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

// Service is the INSPIRE discovery capability.
type Service struct {
	data     *opendata.Service
	stamps   repo.Repo[inspireStamp]
	settings repo.Repo[inspireService]
	audit    *audit.Log
	log      *slog.Logger
	// baseURL is the configured public base URL ("" when links are derived
	// per request); fingerprints and cache keys use it.
	baseURL string

	// A harvest fetches every record in turn (GetRecordById, WAF), and
	// building the set costs about 1 ms per dataset, so it is cached per
	// base URL: one entry when a base URL is configured, otherwise a small
	// LRU of the hosts the service is reached under (never one per Host
	// header an attacker cares to send). A change seen on the feed bumps
	// gen; the age limit moves dates across midnight.
	mu    sync.Mutex
	gen   uint64
	cache map[string]*list.Element
	lru   *list.List
}

type cachedSet struct {
	base string
	set  Set
	gen  uint64
	at   time.Time
}

const (
	cacheAge   = time.Minute
	cacheHosts = 4
)

// New builds the capability over the published catalogue of data.
func New(st store.Store, data *opendata.Service, al *audit.Log, log *slog.Logger, baseURL string) *Service {
	s := &Service{data: data, stamps: repo.New[inspireStamp](st, collInspireRecords),
		settings: repo.New[inspireService](st, collInspireSettings), audit: al, log: log,
		baseURL: strings.TrimRight(baseURL, "/"), cache: map[string]*list.Element{}, lru: list.New()}
	data.AddPublishStep(s.publishStep)
	return s
}

// Name, Collections, Load and Apply make the record set a change-feed
// consumer: any change to what a record says invalidates the cached set.
func (s *Service) Name() string { return "inspire-records" }
func (s *Service) Collections() []string {
	return []string{opendata.CollDatasets, opendata.CollVersions, "organisations", collInspireRecords, collInspireSettings}
}
func (s *Service) Load(context.Context) error                  { s.invalidate(); return nil }
func (s *Service) Apply(context.Context, []store.Change) error { s.invalidate(); return nil }

func (s *Service) invalidate() {
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
}

// Records returns every served record on base (cached).
func (s *Service) Records(ctx context.Context, base string) (Set, error) {
	s.mu.Lock()
	gen := s.gen
	if el, ok := s.cache[base]; ok {
		c := el.Value.(*cachedSet)
		if c.gen == gen && time.Since(c.at) < cacheAge {
			s.lru.MoveToFront(el)
			s.mu.Unlock()
			return c.set, nil
		}
	}
	s.mu.Unlock()
	set, err := s.records(ctx, base)
	if err != nil {
		return set, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &cachedSet{base: base, set: set, gen: gen, at: time.Now()}
	if el, ok := s.cache[base]; ok {
		el.Value = c
		s.lru.MoveToFront(el)
	} else {
		s.cache[base] = s.lru.PushFront(c)
	}
	for s.lru.Len() > cacheHosts {
		old := s.lru.Remove(s.lru.Back()).(*cachedSet)
		delete(s.cache, old.base)
	}
	return set, nil
}

// Set is everything WAF and CSW serve, datasets sorted by file identifier,
// then the service record.
type Set struct {
	Records []Record
	Service string // the service record's file identifier; empty when there are no datasets
}

// Record is one served GEMINI document with its CSW summary.
type Record struct {
	csw.Record
	DatasetID string // empty for the service
}

// Find returns the record with a file identifier.
func (set Set) Find(fileID string) (Record, bool) {
	for _, r := range set.Records {
		if r.Identifier == fileID {
			return r, true
		}
	}
	return Record{}, false
}

// Catalogue adapts the records served on base to the CSW engine.
func (s *Service) Catalogue(ctx context.Context, base string) csw.Catalogue {
	cat := &cswCatalogue{s: s, base: base, provider: "Council open data service"}
	if orgs, err := s.data.Organisations(ctx); err == nil {
		for _, o := range orgs {
			if o.Host {
				cat.provider, cat.contact = o.Name, o.Contact
			}
		}
	}
	return cat
}

type cswCatalogue struct {
	s        *Service
	base     string
	provider string // the host authority, which runs the service for its partners
	contact  domain.Contact
}

func (cat *cswCatalogue) Records(ctx context.Context) ([]csw.Record, error) {
	set, err := cat.s.Records(ctx, cat.base)
	if err != nil {
		return nil, err
	}
	out := make([]csw.Record, len(set.Records))
	for i, r := range set.Records {
		out[i] = r.Record
	}
	return out, nil
}

func (cat *cswCatalogue) ServiceInfo() csw.ServiceInfo {
	return csw.ServiceInfo{
		Title:        "Council spatial data catalogue (CSW)",
		Abstract:     "UK GEMINI 2.3 discovery metadata for the councils' published spatial datasets and their OGC API - Features download service.",
		Keywords:     []string{"INSPIRE", "UK GEMINI", "spatial data", "open data"},
		Provider:     cat.provider,
		ProviderSite: cat.base + "/",
		ContactName:  cat.contact.Name,
		ContactEmail: cat.contact.Email,
	}
}

// publishStep stamps the record a dataset will have once v is current, so
// its metadata date moves on the day of the change (not of the next
// harvest), and refuses the publication when the record's file identifier
// already belongs to another dataset: harvesters would merge the two.
func (s *Service) publishStep(ctx context.Context, d opendata.DatasetRecord, v opendata.VersionRecord) error {
	if !d.IsSpatial() || v.Extent == nil {
		return nil
	}
	base := s.fingerprintBase()
	entry, err := s.data.PendingEntry(ctx, base, d, v)
	if err != nil {
		return err
	}
	rec := datasetRecord(entry, v.Source, base)
	rec.MetadataDate = today()
	if rec.BBox.IsZero() || len(gemini.Missing(rec)) > 0 {
		return nil // reported as geminiMissing; the record is served once complete
	}
	stamps := map[string]inspireStamp{}
	if cur, _, err := s.stamps.Get(ctx, rec.FileIdentifier); err == nil {
		stamps[rec.FileIdentifier] = cur
	}
	_, err = s.stamp(ctx, stamps, rec.FileIdentifier, d.ID, gemini.Fingerprint(rec))
	if errors.Is(err, errFileIDTaken) {
		return &domain.Error{Code: domain.CodeConflict, Message: "the INSPIRE record cannot be published: " + err.Error(),
			Fields: []domain.FieldProblem{{Field: "inspire.fileIdentifier", Problem: "is already the file identifier of another dataset's record; remove it to have one assigned, or choose another"}}}
	}
	return err
}

// Missing names, in GEMINI's words, what the dataset's record lacks: the
// same check that keeps a record out of WAF and CSW, so a publisher sees it
// before publishing. Without a published version the data format, resource
// locator and bounding box are missing, since they come from the data.
func (s *Service) Missing(ctx context.Context, d opendata.DatasetRecord, base string) []string {
	org, _, _ := s.data.Organisation(ctx, d.Publisher)
	entry, err := s.data.Entry(ctx, base, d, org)
	if err != nil {
		s.log.Error("GEMINI status", "dataset", d.ID, "err", err)
		return d.GeminiMissing()
	}
	rec := datasetRecord(entry, s.sourceCRS(ctx, d.ID, d.CurrentVersion), base)
	rec.MetadataDate = today()
	missing := gemini.Missing(rec)
	if cur, _, err := s.stamps.Get(ctx, rec.FileIdentifier); err == nil &&
		cur.DatasetID != d.ID && !slices.Contains(missing, gemini.ItemFileIdentifier) {
		missing = append(missing, gemini.ItemFileIdentifier)
	}
	return missing
}
