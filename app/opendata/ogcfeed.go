package opendata

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/app/repo"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store"
)

// ogcFeed keeps this instance's OGC API collections in step with the
// published spatial datasets. It is a change-feed consumer: every instance
// learns of a publication, an edit or a withdrawal from the store's feed, so
// they all serve the same collections. Each change swaps one pointer in the
// registry, so readers see the old collection until the new one is whole.
//
// A published collection is never 404: while its artefact opens (or, for a
// version published before artefacts existed, is built) the registry holds
// it as loading, which the API answers with 503 and Retry-After, and a
// collection already served keeps being served while its next version loads.
type ogcFeed struct {
	s   *Service
	reg *ogc.Registry

	mu      sync.Mutex
	built   map[string]builtIndex // dataset id -> index of the version served
	offered map[string]builtIndex // dataset id -> index a local job built, not yet served
	loads   map[string]int        // dataset id -> version being opened in the background
	opening chan struct{}         // bounds background opens
}

// offeredTTL bounds how long an index built by a job for a draft is kept in
// case the draft is published soon; a draft may never be. The index is
// memory-mapped, so keeping it costs address space, not resident memory.
const offeredTTL = 15 * time.Minute

// parallelOpens bounds the artefacts opened at once after a restart: each
// open reads its file once to check it.
const parallelOpens = 2

type builtIndex struct {
	slug    string
	version int
	index   *ogc.Index
}

func newOGCFeed(s *Service, reg *ogc.Registry) *ogcFeed {
	return &ogcFeed{s: s, reg: reg, built: map[string]builtIndex{}, offered: map[string]builtIndex{},
		loads: map[string]int{}, opening: make(chan struct{}, parallelOpens)}
}

func (f *ogcFeed) Name() string          { return "ogc-collections" }
func (f *ogcFeed) Collections() []string { return []string{CollDatasets} }

// offer hands the feed the index a local job opened, so serving the version
// it publishes needs no second open.
func (f *ogcFeed) offer(datasetID string, version int, ix *ogc.Index) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b := builtIndex{version: version, index: ix}
	f.offered[datasetID] = b
	time.AfterFunc(offeredTTL, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if o, ok := f.offered[datasetID]; ok && o.index == b.index {
			delete(f.offered, datasetID)
		}
	})
}

// Load serves every published spatial dataset: each is registered as
// loading at once and opened in the background.
func (f *ogcFeed) Load(ctx context.Context) error {
	served := map[string]bool{}
	err := f.s.datasets.Scan(ctx, []store.Filter{
		{Field: "status", Op: store.Eq, Value: string(od.StatusPublished)},
		{Field: "formats", Op: store.Eq, Value: "geojson"}}, func(d DatasetRecord, _ repo.Meta) error {
		served[d.ID] = true
		return f.refresh(ctx, d)
	})
	if err != nil {
		return err
	}
	f.mu.Lock()
	var gone []string
	for id := range f.built {
		if !served[id] {
			gone = append(gone, id)
		}
	}
	f.mu.Unlock()
	for _, id := range gone {
		f.remove(id)
	}
	return nil
}

// Apply re-reads each changed dataset and serves, updates or removes its
// collection.
func (f *ogcFeed) Apply(ctx context.Context, changes []store.Change) error {
	seen := map[string]bool{}
	for _, c := range changes {
		if seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		d, _, err := f.s.datasets.Get(ctx, c.ID)
		if errors.Is(err, store.ErrNotFound) {
			f.remove(c.ID)
			continue
		}
		if err != nil {
			return err
		}
		if err := f.refresh(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

func (f *ogcFeed) remove(datasetID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if prev, ok := f.built[datasetID]; ok {
		f.reg.Remove(prev.slug)
		delete(f.built, datasetID)
	}
	delete(f.loads, datasetID)
}

func (f *ogcFeed) refresh(ctx context.Context, d DatasetRecord) error {
	if d.Status != od.StatusPublished || d.CurrentVersion == 0 || !slices.Contains(d.Formats, "geojson") {
		f.remove(d.ID)
		if d.Status != od.StatusDraft {
			f.mu.Lock()
			delete(f.offered, d.ID)
			f.mu.Unlock()
		}
		return nil
	}
	v, _, err := f.s.versions.Get(ctx, VersionID(d.ID, d.CurrentVersion))
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	prev, had := f.built[d.ID]
	if had && prev.version > v.Number {
		return nil // a stale read of the dataset; a newer version is already served
	}
	if had && prev.version == v.Number {
		return f.serve(d, v, prev.index) // metadata only: reuse the index
	}
	if o, ok := f.offered[d.ID]; ok && o.version == v.Number {
		delete(f.offered, d.ID)
		return f.serve(d, v, o.index)
	}
	if f.loads[d.ID] == v.Number {
		return nil // already opening
	}
	f.loads[d.ID] = v.Number
	if !had {
		// Nothing of it is served yet: 503 until it opens, never 404.
		if _, err := f.reg.PutLoading(d.Slug); err != nil {
			return err
		}
	}
	go f.open(context.WithoutCancel(ctx), d.ID, v.Number)
	return nil
}

// serve puts the collection of d at version v into the registry; f.mu is held.
func (f *ogcFeed) serve(d DatasetRecord, v VersionRecord, ix *ogc.Index) error {
	prev, had := f.built[d.ID]
	if err := f.reg.Put(collectionOf(d, v, ix)); err != nil {
		return err
	}
	if had && prev.slug != d.Slug {
		f.reg.Remove(prev.slug)
	}
	f.built[d.ID] = builtIndex{slug: d.Slug, version: v.Number, index: ix}
	delete(f.loads, d.ID)
	return nil
}

// open serves a dataset's version n from its artefact, in the background,
// if the dataset still points at n by then.
func (f *ogcFeed) open(ctx context.Context, datasetID string, n int) {
	f.opening <- struct{}{}
	ix, err := f.s.artefactOf(ctx, datasetID, n)
	<-f.opening
	d, _, derr := f.s.datasets.Get(ctx, datasetID)
	v, _, verr := f.s.versions.Get(ctx, VersionID(datasetID, n))
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loads[datasetID] != n {
		return // withdrawn or moved on meanwhile; the feed brings the newer state
	}
	if err == nil {
		err = errors.Join(derr, verr)
	}
	if err == nil && (d.CurrentVersion != n || d.Status != od.StatusPublished) {
		delete(f.loads, datasetID)
		return
	}
	if err == nil {
		err = f.serve(d, v, ix)
	}
	if err != nil {
		delete(f.loads, datasetID)
		f.s.log.Error("serving an OGC API collection", "dataset", datasetID, "version", n, "err", err)
		if _, had := f.built[datasetID]; !had && d.Slug != "" {
			_, _ = f.reg.PutFailed(d.Slug, err)
		}
	}
}

func collectionOf(d DatasetRecord, v VersionRecord, ix *ogc.Index) *ogc.Collection {
	c := &ogc.Collection{ID: d.Slug, Title: d.Title, Description: d.Description, Keywords: d.Keywords,
		StorageCRS: crs.CRS84, Updated: d.Modified, Features: ix}
	if src, err := crs.Parse(v.Source); err == nil {
		c.StorageCRS = src
	}
	if v.Extent != nil {
		c.Extent.Spatial = orb.Bound{Min: orb.Point{v.Extent.MinX, v.Extent.MinY}, Max: orb.Point{v.Extent.MaxX, v.Extent.MaxY}}
	}
	if t := d.Temporal; t != nil {
		if t.Start != nil {
			c.Extent.Temporal[0] = *t.Start
		}
		if t.End != nil {
			c.Extent.Temporal[1] = *t.End
		}
	}
	if l, ok := od.LookupLicence(d.Licence); ok {
		c.License = ogc.Link{Href: l.URL, Title: l.Title, Type: "text/html"}
	}
	if d.Inspire != nil && d.Inspire.FileIdentifier != "" {
		c.DescribedBy = "/inspire/records/" + d.Inspire.FileIdentifier + ".xml"
	}
	for _, file := range v.Files {
		c.Enclosures = append(c.Enclosures, ogc.Link{Href: "/datasets/" + d.Slug + "/latest." + file.Ext,
			Type: file.MediaType, Title: d.Title + " (" + file.Ext + ", whole dataset)", Length: file.Size})
	}
	return c
}
