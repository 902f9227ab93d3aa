// Package inspire serves UK GEMINI 2.3 records of the published spatial
// datasets and of their OGC API download service, the way data.gov.uk
// harvests them: single documents, a Web Accessible Folder and CSW 2.0.2.
// The record set is derived state kept one dataset at a time: every
// instance learns of changes from the store's change feed and rebuilds only
// the records a change touches, so serving a record or a page of records
// never rebuilds the set.
package inspire

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"

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
	orgRepo  repo.Repo[domain.Organisation]
	audit    *audit.Log
	log      *slog.Logger
	// baseURL is the configured public base URL ("" when links are derived
	// per request); fingerprints and the records kept use it.
	baseURL string

	// The record set, on the fingerprint base (see fingerprintBase): each
	// request's records are rebased as they are served.
	mu       sync.RWMutex
	loaded   bool
	orgs     map[string]domain.Organisation
	known    map[string]inspireStamp // file identifier -> stamp
	datasets map[string]*heldRecord  // dataset id -> its record, served or not
	byFile   map[string]string       // file identifier -> dataset id, of served records
	sorted   []Record                // served records by file identifier, then the service; nil when stale
	summary  []csw.Record            // the CSW summaries of sorted, for the engine
	gen      uint64                  // changes applied, so a rebuild of sorted raced by a change is dropped
	build    sync.Mutex              // one rebuild of sorted at a time
}

// New builds the capability over the published catalogue of data.
func New(st store.Store, data *opendata.Service, al *audit.Log, log *slog.Logger, baseURL string) *Service {
	s := &Service{data: data, stamps: repo.New[inspireStamp](st, collInspireRecords),
		settings: repo.New[inspireService](st, collInspireSettings), orgRepo: repo.New[domain.Organisation](st, collOrganisations),
		audit: al, log: log, baseURL: strings.TrimRight(baseURL, "/")}
	s.reset()
	data.AddPublishStep(s.publishStep)
	return s
}

func (s *Service) reset() {
	s.orgs, s.known = map[string]domain.Organisation{}, map[string]inspireStamp{}
	s.datasets, s.byFile, s.sorted = map[string]*heldRecord{}, map[string]string{}, nil
}

// Set is everything WAF and CSW serve on one base URL: datasets sorted by
// file identifier, then the service record. Records are kept with their
// links on the fingerprint base; Find and the CSW catalogue rebase the
// ones they hand out, so a set costs nothing to take.
type Set struct {
	Records  []Record
	Service  string // the service record's file identifier; empty when there are no datasets
	from, to string
}

// Record is one served GEMINI document with its CSW summary.
type Record struct {
	csw.Record
	DatasetID string // empty for the service
}

// Find returns the record with a file identifier, on the set's base URL.
func (set Set) Find(fileID string) (Record, bool) {
	datasets := set.Records
	if set.Service != "" {
		datasets = datasets[:len(datasets)-1]
	}
	i, ok := slices.BinarySearchFunc(datasets, fileID, func(r Record, id string) int { return strings.Compare(r.Identifier, id) })
	if !ok && set.Service != "" && set.Service == fileID {
		i, ok = len(set.Records)-1, true
	}
	if !ok {
		return Record{}, false
	}
	// The record as the WAF serves it: its whole document, so the brief
	// one (CSW's) is neither kept nor moved onto the base.
	r := set.Records[i]
	r.BriefXML = nil
	return rebaseRecord(r, set.from, set.to), true
}

// Catalogue adapts the records served on base to the CSW engine. The host
// authority it names comes from the record set's organisations, kept from
// the change feed: reading them from the store was 16% of a CSW page's CPU.
func (s *Service) Catalogue(ctx context.Context, base string) csw.Catalogue {
	cat := &cswCatalogue{s: s, base: base, provider: "Council open data service"}
	if from := s.fingerprintBase(); from != base {
		cat.from, cat.to = xmlText(from), xmlText(base)
	}
	s.mu.RLock()
	for _, o := range s.orgs {
		if o.Host {
			cat.provider, cat.contact = o.Name, o.Contact
		}
	}
	s.mu.RUnlock()
	return cat
}

type cswCatalogue struct {
	s        *Service
	base     string
	from, to []byte // the fingerprint base and base, as XML text; nil when they are one
	provider string // the host authority, which runs the service for its partners
	contact  domain.Contact
}

// Records hands the engine the set as kept (filters read no URLs); Present
// rebases the records it writes out. The summaries kept are used when they
// are current; otherwise they are built from the set just taken, without
// holding the lock: served takes it to write, so asking for the set again
// under a read lock would wait on itself.
func (cat *cswCatalogue) Records(ctx context.Context) ([]csw.Record, error) {
	set, err := cat.s.Records(ctx, cat.base)
	if err != nil {
		return nil, err
	}
	cat.s.mu.RLock()
	summary := cat.s.summary
	cat.s.mu.RUnlock()
	if summary != nil {
		return summary, nil
	}
	out := make([]csw.Record, len(set.Records))
	for i, r := range set.Records {
		out[i] = r.Record
	}
	return out, nil
}

// Present moves a record's links onto the request's base, and has its
// documents moved as they are written out (see csw.Record.XMLFrom).
func (cat *cswCatalogue) Present(r csw.Record) csw.Record {
	if cat.from == nil {
		return r
	}
	r.Links = rebaseLinks(r.Links, cat.s.fingerprintBase(), cat.base)
	r.XMLFrom, r.XMLTo = cat.from, cat.to
	return r
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
	entry, err := s.data.EntryOf(ctx, d)
	if err != nil {
		return err
	}
	rec := datasetRecord(entry.OnBase(base), entry.SourceCRS, base)
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
// locator and bounding box are missing, since they come from the data. It
// reads nothing from the store for a dataset whose record keeps its
// current version's summary.
func (s *Service) Missing(ctx context.Context, d opendata.DatasetRecord, base string) []string {
	if m, ok := s.heldMissing(d); ok {
		return m
	}
	entry, err := s.data.EntryOf(ctx, d)
	if err != nil {
		s.log.Error("GEMINI status", "dataset", d.ID, "err", err)
		return d.GeminiMissing()
	}
	rec := datasetRecord(entry.OnBase(base), entry.SourceCRS, base)
	rec.MetadataDate = today()
	missing := gemini.Missing(rec)
	if owner, ok := s.owner(ctx, rec.FileIdentifier); ok && owner != d.ID && !slices.Contains(missing, gemini.ItemFileIdentifier) {
		missing = append(missing, gemini.ItemFileIdentifier)
	}
	return missing
}

// heldMissing is what the record set found missing in d's record, when
// the set holds d as it is (a dataset's modified date moves with every
// change to it, and a change to its publisher rebuilds its record).
func (s *Service) heldMissing(d opendata.DatasetRecord) ([]string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, ok := s.datasets[d.ID]
	if !ok || !h.d.Modified.Equal(d.Modified) || h.d.CurrentVersion != d.CurrentVersion || h.d.Status != d.Status {
		return nil, false
	}
	return slices.Clone(h.missing), true
}

// owner is the dataset a file identifier's stamp belongs to.
func (s *Service) owner(ctx context.Context, fileID string) (string, bool) {
	s.mu.RLock()
	st, ok := s.known[fileID]
	loaded := s.loaded
	s.mu.RUnlock()
	if loaded {
		return st.DatasetID, ok
	}
	cur, _, err := s.stamps.Get(ctx, fileID)
	return cur.DatasetID, err == nil
}
