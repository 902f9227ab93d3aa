package api

import (
	"context"
	"fmt"
	"io"
	"iter"
	"slices"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store"
)

// ogcFeed keeps the OGC API collections in step with the published spatial
// datasets: built from the store at start, rebuilt when a version is
// published, and given new metadata (reusing the feature index) when only
// the dataset's description changes. Each change swaps one pointer in the
// registry, so readers see the old collection until the new one is whole.
type ogcFeed struct {
	a   *datasetsAPI
	reg *ogc.Registry

	mu    sync.Mutex
	built map[string]builtIndex // dataset id -> index of its current version
	// pending holds the index an upload job built for a draft dataset, so
	// publishing the draft soon after does not rebuild it; it expires after
	// pendingIndexTTL, since a draft may never be published.
	pending map[string]builtIndex
}

const pendingIndexTTL = 15 * time.Minute

// prebuiltIndex is an index built by the upload job alongside the
// downloads, offered to the publish hook through the context.
type prebuiltIndex struct {
	datasetID string
	version   int
	ix        *ogc.Index
}

type prebuiltIndexKey struct{}

func withPrebuiltIndex(ctx context.Context, p prebuiltIndex) context.Context {
	return context.WithValue(ctx, prebuiltIndexKey{}, p)
}

// indexBuilder builds an OGC API index on its own goroutine from batches of
// features sent to in; close in, then wait.
type indexBuilder struct {
	in   chan []outFeature
	done chan struct{}
	ix   *ogc.Index
	err  error
}

func startIndexBuilder() *indexBuilder {
	b := &indexBuilder{in: make(chan []outFeature, 4), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		b.ix, b.err = ogc.NewIndex(func(yield func(ogc.Feature, error) bool) {
			for batch := range b.in {
				for _, f := range batch {
					if !yield(ogc.Feature{ID: f.id, Geometry: f.geom, Properties: f.props}, nil) {
						return
					}
				}
			}
		}, ogc.IndexOptions{})
		for range b.in {
			// NewIndex stopped early: keep the sender from blocking.
		}
	}()
	return b
}

func (b *indexBuilder) wait() (*ogc.Index, error) {
	<-b.done
	return b.ix, b.err
}

type builtIndex struct {
	slug    string
	version int
	index   *ogc.Index
}

func (a *datasetsAPI) feedOGC(reg *ogc.Registry) {
	f := &ogcFeed{a: a, reg: reg, built: map[string]builtIndex{}, pending: map[string]builtIndex{}}
	a.hooks = append(a.hooks, f.refresh)
	// Building a million-feature index takes seconds, so collections load in
	// the background: the server answers at once, and each collection appears
	// when its index is ready.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	a.s.starters = append(a.s.starters, func(context.Context) error {
		go func() {
			defer close(done)
			if err := f.loadAll(ctx); err != nil && ctx.Err() == nil {
				a.s.log.Error("loading OGC API collections", "err", err)
			}
		}()
		return nil
	})
	a.s.stoppers = append(a.s.stoppers, func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	})
}

func (f *ogcFeed) loadAll(ctx context.Context) error {
	start := time.Now()
	n := 0
	err := f.a.s.store.Scan(ctx, collDatasets, []store.Filter{
		{Field: "status", Op: store.Eq, Value: string(opendata.StatusPublished)},
		{Field: "formats", Op: store.Eq, Value: "geojson"}}, func(rec store.Record) error {
		// Read the dataset again: a publish may have moved it on since the
		// scan began, and refresh never goes back to an older version.
		d, _, err := f.a.load(ctx, rec.ID)
		if err != nil {
			return err
		}
		n++
		return f.refresh(ctx, d)
	})
	f.a.s.log.Info("OGC API collections loaded", "collections", n, "ms", time.Since(start).Milliseconds())
	return err
}

func (f *ogcFeed) refresh(ctx context.Context, d datasetDoc) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	prev, had := f.built[d.ID]
	offered, _ := ctx.Value(prebuiltIndexKey{}).(prebuiltIndex)
	if offered.datasetID != d.ID || offered.ix == nil {
		offered = prebuiltIndex{}
	}
	if d.Status != opendata.StatusPublished || d.CurrentVersion == 0 || !slices.Contains(d.Formats, "geojson") {
		if had {
			f.reg.Remove(prev.slug)
			delete(f.built, d.ID)
		}
		switch {
		case d.Status != opendata.StatusDraft:
			delete(f.pending, d.ID)
		case offered.ix != nil && offered.version == d.CurrentVersion:
			f.park(d.ID, builtIndex{slug: d.Slug, version: offered.version, index: offered.ix})
		}
		return nil
	}
	if had && prev.version > d.CurrentVersion {
		return nil // a stale read of the dataset; a newer version is already served
	}
	v, _, err := f.a.loadVersion(ctx, d.ID, d.CurrentVersion)
	if err != nil {
		return err
	}
	ix := prev.index
	if !had || prev.version != v.Number {
		p, parked := f.pending[d.ID]
		delete(f.pending, d.ID)
		switch {
		case offered.ix != nil && offered.version == v.Number:
			ix = offered.ix
		case parked && p.version == v.Number:
			ix = p.index
		default:
			// Building a large index takes seconds: other datasets' changes
			// must not wait for it, so the lock is let go meanwhile.
			f.mu.Unlock()
			ix, err = f.buildIndex(ctx, d.ID, v.Number)
			f.mu.Lock()
			if cur, ok := f.built[d.ID]; ok && cur.version > v.Number {
				return nil // a newer version was served while this one was built
			}
			prev, had = f.built[d.ID]
		}
		if err != nil {
			return fmt.Errorf("building the OGC API index of %s v%d: %w", d.Slug, v.Number, err)
		}
	}
	c := collectionOf(d, v, ix)
	if err := f.reg.Put(c); err != nil {
		return err
	}
	if had && prev.slug != d.Slug {
		f.reg.Remove(prev.slug)
	}
	f.built[d.ID] = builtIndex{slug: d.Slug, version: v.Number, index: ix}
	return nil
}

// park keeps a draft's prebuilt index for a while; f.mu is held.
func (f *ogcFeed) park(datasetID string, b builtIndex) {
	f.pending[datasetID] = b
	time.AfterFunc(pendingIndexTTL, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if p, ok := f.pending[datasetID]; ok && p.index == b.index {
			delete(f.pending, datasetID)
		}
	})
}

// buildIndex streams the version's GeoJSON download into a feature index.
func (f *ogcFeed) buildIndex(ctx context.Context, datasetID string, n int) (*ogc.Index, error) {
	b, err := f.a.s.store.OpenBlob(ctx, fileKey(datasetID, n, "geojson"))
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

func collectionOf(d datasetDoc, v versionDoc, ix *ogc.Index) *ogc.Collection {
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
	if l, ok := opendata.LookupLicence(d.Licence); ok {
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
