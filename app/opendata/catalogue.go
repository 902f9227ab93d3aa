package opendata

import (
	"context"
	"errors"
	"time"

	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// CurrentVersion is what the catalogue says about a dataset's current
// version, copied into the dataset's record when the version is published
// (withVersion), so that describing a dataset needs its record and its
// publisher only: no listing reads versions.
type CurrentVersion struct {
	Number       int           `json:"number"`
	FileName     string        `json:"fileName"`
	Format       string        `json:"format"`
	MediaType    string        `json:"mediaType"`
	Created      time.Time     `json:"created"`
	Published    *time.Time    `json:"published,omitempty"`
	RowCount     int64         `json:"rowCount,omitempty"`
	FeatureCount int64         `json:"featureCount,omitempty"`
	Files        []VersionFile `json:"files,omitempty"`
	Extent       *od.BBox      `json:"extent,omitempty"`
	SourceCRS    string        `json:"sourceCrs,omitempty"`
	// FirstPublished is when the dataset's first version was published.
	FirstPublished *time.Time `json:"firstPublished,omitempty"`
}

// currentOf summarises v as the current version following prev.
func currentOf(v VersionRecord, prev *CurrentVersion) *CurrentVersion {
	c := &CurrentVersion{Number: v.Number, FileName: v.FileName, Format: v.Format, MediaType: v.MediaType,
		Created: v.Created, Published: v.Published, RowCount: v.RowCount, FeatureCount: v.FeatureCount,
		Files: v.Files, Extent: v.Extent, SourceCRS: v.Source, FirstPublished: v.Published}
	if prev != nil && prev.FirstPublished != nil {
		c.FirstPublished = prev.FirstPublished
	}
	return c
}

// currentVersion is d's summary of its current version: the stored one,
// or for a dataset published before summaries were kept, one rebuilt from
// its versions (the only case in which describing a dataset reads the
// store; it is not written back).
func (s *Service) currentVersion(ctx context.Context, d DatasetRecord) (CurrentVersion, error) {
	if d.Current != nil || d.CurrentVersion == 0 {
		if d.Current == nil {
			return CurrentVersion{}, nil
		}
		return *d.Current, nil
	}
	versions, err := s.PublishedVersions(ctx, d.ID)
	if err != nil {
		return CurrentVersion{}, err
	}
	var c CurrentVersion
	for _, v := range versions {
		if v.Number == d.CurrentVersion {
			c = *currentOf(v, nil)
		}
	}
	c.FirstPublished = nil
	if n := len(versions); n > 0 {
		c.FirstPublished = versions[n-1].Published // newest first: the last is the first published
	}
	return c, nil
}

// Organisations lists every organisation.
func (s *Service) Organisations(ctx context.Context) ([]domain.Organisation, error) {
	orgs, _, err := s.orgs.List(ctx, store.Query{Sort: []store.Sort{{Field: "name"}}})
	return orgs, err
}

// EntryOf describes d for the catalogue formats, with site-relative URLs
// (catalogue.Entry.OnBase makes them absolute): what d says with its
// current version as it stands in the record. The publisher comes from the
// catalogue's cache of organisations.
func (s *Service) EntryOf(ctx context.Context, d DatasetRecord) (catalogue.Entry, error) {
	cur, err := s.currentVersion(ctx, d)
	if err != nil {
		return catalogue.Entry{}, err
	}
	e := entryOf(d, cur)
	if o, ok := s.cat.index().Organisation(d.Publisher); ok {
		e.Publisher = o
	} else if o, _, err := s.orgs.Get(ctx, d.Publisher); err == nil {
		e.Publisher = o
	} else if !errors.Is(err, store.ErrNotFound) {
		return catalogue.Entry{}, err
	}
	return e, nil
}

// entryOf describes d with cur as its served version, on site-relative
// URLs and with only the publisher's id.
func entryOf(d DatasetRecord, cur CurrentVersion) catalogue.Entry {
	e := catalogue.Entry{Dataset: d.Dataset, Publisher: domain.Organisation{ID: d.Publisher},
		URI: "/dataset/" + d.Slug, LandingPage: "/datasets/" + d.Slug, FirstPublished: cur.FirstPublished,
		SourceCRS: cur.SourceCRS}
	if cur.Number > 0 {
		e.Current = od.Version{DatasetID: d.ID, Number: cur.Number, FileName: cur.FileName, Format: cur.Format,
			MediaType: cur.MediaType, Created: cur.Created, RowCount: cur.RowCount, FeatureCount: cur.FeatureCount,
			State: od.VersionPublished, Published: cur.Published}
	}
	issued := cur.Created
	if cur.Published != nil {
		issued = *cur.Published
	}
	for _, f := range cur.Files {
		label, format := f.Ext, f.Ext
		if fm, ok := od.LookupFormat(f.Ext); ok {
			label, format = fm.Label, fm.Label
		}
		title := d.Title + " (" + label + ")"
		if f.Ext == "csv" && cur.Extent != nil {
			title = d.Title + " (CSV with WKT geometry)"
		}
		url := "/datasets/" + d.Slug + "/latest." + f.Ext
		e.Distributions = append(e.Distributions, catalogue.Distribution{Title: title, Format: format,
			MediaType: f.MediaType, AccessURL: url, DownloadURL: url, ByteSize: f.Size, SHA256: f.SHA256, SHA1: f.SHA1,
			Version: cur.Number, Issued: issued, Modified: issued})
	}
	if cur.Extent != nil {
		e.BBox = cur.Extent
		e.OGCCollectionURL = "/ogc/collections/" + d.Slug
		e.Distributions = append(e.Distributions, catalogue.Distribution{Title: d.Title + " (OGC API - Features)",
			Format: "OGC API - Features", MediaType: "application/geo+json", AccessURL: e.OGCCollectionURL,
			Version: cur.Number, Issued: issued, Modified: issued, IsService: true})
		if d.Inspire != nil && d.Inspire.FileIdentifier != "" {
			e.MetadataRecordURL = "/inspire/records/" + d.Inspire.FileIdentifier + ".xml"
		}
	}
	return e
}

// Organisation reads one organisation.
func (s *Service) Organisation(ctx context.Context, id string) (domain.Organisation, repo.Meta, error) {
	return s.orgs.Get(ctx, id)
}

// VersionRecord reads version n of a dataset, whatever its state (for
// derived views that already know the dataset is published).
func (s *Service) VersionRecord(ctx context.Context, datasetID string, n int) (VersionRecord, repo.Meta, error) {
	return s.versions.Get(ctx, VersionID(datasetID, n))
}
