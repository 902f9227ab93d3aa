package inspire

import (
	"bytes"
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue/csw"
	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// heldRecord is one published spatial dataset's GEMINI record, on the
// fingerprint base. A record with something missing is held (so a change
// to its publisher can complete it) but not served.
type heldRecord struct {
	d       opendata.DatasetRecord
	rec     gemini.DatasetRecord // with its metadata date
	record  Record
	served  bool
	missing []string // what Missing says of d
}

// Name, Collections, Load and Apply make the record set a change-feed
// consumer: a change rebuilds the records it touches and nothing else.
func (s *Service) Name() string { return "inspire-records" }
func (s *Service) Collections() []string {
	return []string{opendata.CollDatasets, collOrganisations, collInspireRecords, collInspireSettings}
}

// Load builds the whole set beside the one being served and swaps it in.
func (s *Service) Load(ctx context.Context) error {
	next := &Service{data: s.data, stamps: s.stamps, settings: s.settings, orgRepo: s.orgRepo, audit: s.audit,
		log: s.log, baseURL: s.baseURL}
	next.reset()
	err := s.orgRepo.Scan(ctx, nil, func(o domain.Organisation, _ repo.Meta) error {
		next.orgs[o.ID] = o
		return nil
	})
	if err != nil {
		return err
	}
	if next.known, err = s.loadStamps(ctx); err != nil {
		return err
	}
	err = s.data.Datasets().Scan(ctx, []store.Filter{{Field: "status", Op: store.Eq, Value: string(od.StatusPublished)}},
		func(d opendata.DatasetRecord, _ repo.Meta) error {
			if !d.IsSpatial() {
				return nil
			}
			return next.refresh(ctx, d)
		})
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.orgs, s.known, s.datasets, s.byFile, s.sorted, s.summary = next.orgs, next.known, next.datasets, next.byFile, nil, nil
	s.loaded = true
	s.gen++
	s.mu.Unlock()
	return nil
}

// Apply re-reads what each change names and rebuilds the records that
// depend on it: the dataset's own, an organisation's datasets', the
// dataset whose stamp moved. The served list and the service record are
// rebuilt when next read.
func (s *Service) Apply(ctx context.Context, changes []store.Change) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.sorted, s.summary, s.gen = nil, nil, s.gen+1 }()
	seen := map[string]bool{}
	for _, c := range changes {
		if seen[c.Collection+"/"+c.ID] {
			continue
		}
		seen[c.Collection+"/"+c.ID] = true
		switch c.Collection {
		case opendata.CollDatasets:
			d, _, err := s.data.Datasets().Get(ctx, c.ID)
			if errors.Is(err, store.ErrNotFound) {
				s.drop(c.ID)
				continue
			}
			if err != nil {
				return err
			}
			if err := s.refresh(ctx, d); err != nil {
				return err
			}
		case collOrganisations:
			o, _, err := s.orgRepo.Get(ctx, c.ID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				delete(s.orgs, c.ID)
			case err != nil:
				return err
			default:
				s.orgs[c.ID] = o
			}
			for _, h := range s.heldOf(func(h *heldRecord) bool { return h.d.Publisher == c.ID }) {
				if err := s.refresh(ctx, h.d); err != nil {
					return err
				}
			}
		case collInspireRecords:
			st, _, err := s.stamps.Get(ctx, c.ID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				delete(s.known, c.ID)
			case err != nil:
				return err
			default:
				s.known[c.ID] = st
			}
			for _, h := range s.heldOf(func(h *heldRecord) bool { return h.rec.FileIdentifier == c.ID || h.d.Inspire.FileIdentifier == c.ID }) {
				if err := s.refresh(ctx, h.d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (s *Service) heldOf(match func(*heldRecord) bool) []*heldRecord {
	var out []*heldRecord
	for _, h := range s.datasets {
		if match(h) {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, func(a, b *heldRecord) int { return strings.Compare(a.d.ID, b.d.ID) })
	return out
}

func (s *Service) drop(datasetID string) {
	if h, ok := s.datasets[datasetID]; ok && h.served && s.byFile[h.rec.FileIdentifier] == datasetID {
		delete(s.byFile, h.rec.FileIdentifier)
	}
	delete(s.datasets, datasetID)
}

// refresh rebuilds one dataset's record (the caller holds s.mu, or owns s),
// stamping it when its content changed.
func (s *Service) refresh(ctx context.Context, d opendata.DatasetRecord) error {
	s.drop(d.ID)
	if d.Status != od.StatusPublished || !d.IsSpatial() {
		return nil
	}
	entry, err := s.data.EntryOf(ctx, d)
	if err != nil {
		return err
	}
	if entry.BBox == nil {
		return nil
	}
	if o, ok := s.orgs[d.Publisher]; ok {
		entry.Publisher = o
	}
	base := s.fingerprintBase()
	rec := datasetRecord(entry.OnBase(base), entry.SourceCRS, base)
	rec.MetadataDate = today()
	h := &heldRecord{d: d, rec: rec, missing: gemini.Missing(rec)}
	s.datasets[d.ID] = h
	if len(h.missing) > 0 {
		return nil // reported through the datasets API; never served half-made
	}
	date, err := s.stamp(ctx, s.known, rec.FileIdentifier, d.ID, gemini.Fingerprint(rec))
	if errors.Is(err, errFileIDTaken) {
		s.log.Warn("GEMINI record withheld", "dataset", d.ID, "fileIdentifier", rec.FileIdentifier, "err", err)
		h.missing = []string{gemini.ItemFileIdentifier}
		return nil
	}
	if err != nil {
		return err
	}
	h.rec.MetadataDate = date
	doc, err := gemini.Marshal(h.rec)
	if err != nil {
		return err
	}
	h.record, h.served = Record{Record: datasetCSW(h.rec, doc), DatasetID: d.ID}, true
	h.record.BriefXML = gemini.MarshalBrief(h.rec)
	s.byFile[rec.FileIdentifier] = d.ID
	return nil
}

// Records returns every served record, to be served on base.
func (s *Service) Records(ctx context.Context, base string) (Set, error) {
	s.mu.RLock()
	loaded, sorted := s.loaded, s.sorted
	s.mu.RUnlock()
	if !loaded {
		return Set{}, &domain.Error{Code: domain.CodeUnavailable, Message: "the INSPIRE records are still loading on this server; retry in a few seconds"}
	}
	if sorted == nil {
		var err error
		if sorted, err = s.served(ctx); err != nil {
			return Set{}, err
		}
	}
	set := Set{Records: sorted, from: s.fingerprintBase(), to: base}
	if n := len(sorted); n > 0 && sorted[n-1].DatasetID == "" {
		set.Service = sorted[n-1].Identifier
	}
	return set, nil
}

// served lists the served dataset records by file identifier, then the
// service record coupled to them (built and stamped here, as it depends
// on every dataset record).
func (s *Service) served(ctx context.Context) ([]Record, error) {
	s.build.Lock()
	defer s.build.Unlock()
	s.mu.RLock()
	if s.sorted != nil {
		defer s.mu.RUnlock()
		return s.sorted, nil
	}
	var held []*heldRecord
	for _, h := range s.datasets {
		if h.served {
			held = append(held, h)
		}
	}
	orgs := make([]domain.Organisation, 0, len(s.orgs))
	for _, o := range s.orgs {
		orgs = append(orgs, o)
	}
	known := map[string]inspireStamp{}
	for id, st := range s.known {
		if st.DatasetID == "" {
			known[id] = st
		}
	}
	gen := s.gen
	s.mu.RUnlock()

	slices.SortFunc(orgs, func(a, b domain.Organisation) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	// The service record lists its datasets in dataset id order.
	slices.SortFunc(held, func(a, b *heldRecord) int { return strings.Compare(a.d.ID, b.d.ID) })
	out := make([]Record, 0, len(held)+1)
	for _, h := range held {
		out = append(out, h.record)
	}
	slices.SortFunc(out, func(x, y Record) int { return strings.Compare(x.Identifier, y.Identifier) })
	if len(held) > 0 {
		svc, err := s.serviceRecord(ctx, held, orgs, known)
		if err != nil {
			return nil, err
		}
		out = append(out, svc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, st := range known {
		s.known[id] = st
	}
	if s.gen == gen { // unless a change came in meanwhile, which will rebuild it
		s.sorted = out
		s.summary = make([]csw.Record, len(out))
		for i, r := range out {
			s.summary[i] = r.Record
		}
	}
	return out, nil
}

func (s *Service) serviceRecord(ctx context.Context, held []*heldRecord, orgs []domain.Organisation, known map[string]inspireStamp) (Record, error) {
	id, err := s.serviceIdentity(ctx)
	if err != nil {
		return Record{}, err
	}
	served := make([]gemini.DatasetRecord, len(held))
	for i, h := range held {
		served[i] = h.rec
	}
	first := domain.Organisation{ID: held[0].d.Publisher}
	for _, o := range orgs {
		if o.ID == first.ID {
			first = o
		}
	}
	base := s.fingerprintBase()
	provider, email := serviceProvider(orgs, first, served)
	recordURL := func(fileID string) string { return base + "/inspire/records/" + fileID + ".xml" }
	rec := serviceRecord(id.FileIdentifier, id.Created, provider, email, served, recordURL, base)
	rec.MetadataDate = today()
	if missing := gemini.MissingService(rec); len(missing) > 0 {
		return Record{}, fmt.Errorf("the download service record lacks %s", strings.Join(missing, ", "))
	}
	date, err := s.stamp(ctx, known, rec.FileIdentifier, "", gemini.ServiceFingerprint(rec))
	if err != nil {
		return Record{}, err
	}
	rec.MetadataDate = date
	doc, err := gemini.MarshalService(rec)
	if err != nil {
		return Record{}, err
	}
	b := rec.BBox
	return Record{Record: csw.Record{Identifier: rec.FileIdentifier, Title: rec.Title, Abstract: rec.Abstract,
		Subjects: []string{"infoFeatureAccessService", "OGC API"}, Type: "service", Formats: []string{"GeoJSON"},
		Modified: rec.MetadataDate, BBox: csw.BBox{West: b.West, South: b.South, East: b.East, North: b.North},
		Links: []csw.Link{{URL: base + "/ogc/", Scheme: "OGC API - Features"}}, XML: doc, BriefXML: gemini.MarshalServiceBrief(rec)}}, nil
}

// rebaseRecord moves a record's links and document from one base URL to
// another. Base URLs only ever start the URLs a record holds, and the
// fingerprint base is a reserved name no one writes in their metadata.
func rebaseRecord(r Record, from, to string) Record {
	if from == to {
		return r
	}
	r.XML = bytes.ReplaceAll(r.XML, xmlText(from), xmlText(to))
	r.Links = rebaseLinks(r.Links, from, to)
	return r
}

func rebaseLinks(links []csw.Link, from, to string) []csw.Link {
	out := make([]csw.Link, len(links))
	for i, l := range links {
		if rest, ok := strings.CutPrefix(l.URL, from); ok {
			l.URL = to + rest
		}
		out[i] = l
	}
	return out
}

func xmlText(s string) []byte {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.Bytes()
}
