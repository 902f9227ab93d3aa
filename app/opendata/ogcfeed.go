package opendata

import (
	"context"
	"errors"
	"io"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/app/repo"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store"
)

// ogcFeed keeps this instance's OGC API collections in step with the
// published spatial datasets. It is a change-feed consumer: every instance
// learns of a publication, an edit or a withdrawal from the store's feed, so
// they all serve the same collections. Each change swaps one pointer in the
// registry, so readers see the old collection until the new one is whole.
type ogcFeed struct {
	s   *Service
	reg *ogc.Registry

	mu      sync.Mutex
	built   map[string]builtIndex // dataset id -> index of the version served
	offered map[string]builtIndex // dataset id -> index a local job built, not yet served
	loads   map[string]int        // dataset id -> version being built in the background
	slugs   map[string]string     // dataset id -> slug, of collections loading
}

// offeredTTL bounds how long an index built by a job for a draft is kept in
// case the draft is published soon; a draft may never be.
const offeredTTL = 15 * time.Minute

type builtIndex struct {
	slug    string
	version int
	index   *ogc.Index
}

func newOGCFeed(s *Service, reg *ogc.Registry) *ogcFeed {
	return &ogcFeed{s: s, reg: reg, built: map[string]builtIndex{}, offered: map[string]builtIndex{},
		loads: map[string]int{}, slugs: map[string]string{}}
}

func (f *ogcFeed) Name() string          { return "ogc-collections" }
func (f *ogcFeed) Collections() []string { return []string{CollDatasets} }

// offer hands the feed an index a local job built, so serving the version it
// publishes needs no second build.
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

// loading lists the slugs of published collections whose index is still
// being built.
func (f *ogcFeed) loading() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.slugs))
	for _, slug := range f.slugs {
		out = append(out, slug)
	}
	slices.Sort(out)
	return out
}

// Load serves every published spatial dataset; collections whose index is
// not at hand are built in the background.
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
	delete(f.slugs, datasetID)
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
	prev, had := f.built[d.ID]
	if had && prev.version > v.Number {
		f.mu.Unlock()
		return nil // a stale read of the dataset; a newer version is already served
	}
	ix := prev.index
	if !had || prev.version != v.Number {
		o, ok := f.offered[d.ID]
		if !ok || o.version != v.Number {
			// Building a large index takes seconds: it happens in the
			// background, so other datasets' changes do not wait for it.
			if f.loads[d.ID] != v.Number {
				f.loads[d.ID] = v.Number
				f.slugs[d.ID] = d.Slug
				go f.build(context.WithoutCancel(ctx), d.ID, v.Number)
			}
			f.mu.Unlock()
			return nil
		}
		delete(f.offered, d.ID)
		ix = o.index
	}
	defer f.mu.Unlock()
	return f.serve(d, v, ix)
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
	delete(f.slugs, d.ID)
	return nil
}

// build makes the index of a dataset's version n in the background and
// serves it if the dataset still points at n by then.
func (f *ogcFeed) build(ctx context.Context, datasetID string, n int) {
	ix, err := f.s.IndexFromDownload(ctx, datasetID, n)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loads[datasetID] == n {
		delete(f.loads, datasetID)
	}
	if err != nil {
		f.s.log.Error("building an OGC API collection", "dataset", datasetID, "version", n, "err", err)
		return
	}
	d, _, err := f.s.datasets.Get(ctx, datasetID)
	if err != nil || d.CurrentVersion != n || d.Status != od.StatusPublished {
		return // moved on meanwhile; the feed brings the newer state
	}
	v, _, err := f.s.versions.Get(ctx, VersionID(datasetID, n))
	if err != nil {
		return
	}
	if err := f.serve(d, v, ix); err != nil {
		f.s.log.Error("serving an OGC API collection", "dataset", datasetID, "err", err)
	}
}

// IndexFromDownload builds the OGC API index of a dataset's version n from
// its GeoJSON download (how another instance serves a version it did not
// process).
func (s *Service) IndexFromDownload(ctx context.Context, datasetID string, n int) (*ogc.Index, error) {
	b, err := s.st.OpenBlob(ctx, FileKey(datasetID, n, "geojson"))
	if err != nil {
		return nil, err
	}
	defer b.Close()
	ra, cleanup, err := readerAt(b)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	rd, err := ingest.Open(ingest.FormatGeoJSON, ra, b.Info().Size, ingest.Options{})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	var features iter.Seq2[ogc.Feature, error] = func(yield func(ogc.Feature, error) bool) {
		for {
			ft, err := rd.Next()
			if err == io.EOF {
				return
			}
			if !yield(ogc.Feature{ID: ft.ID, Geometry: ft.Geometry, Properties: ft.Properties}, err) || err != nil {
				return
			}
		}
	}
	return ogc.NewIndex(features, ogc.IndexOptions{})
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
