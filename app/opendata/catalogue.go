package opendata

import (
	"context"
	"errors"
	"slices"

	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// Service is the catalogue's source for the harvest formats (DCAT,
// data.json, CKAN), the HTML pages and the INSPIRE records.
var _ catalogue.Source = (*Service)(nil)

// Organisations lists every organisation.
func (s *Service) Organisations(ctx context.Context) ([]domain.Organisation, error) {
	orgs, _, err := s.orgs.List(ctx, store.Query{Sort: []store.Sort{{Field: "name"}}})
	return orgs, err
}

// Published returns every published dataset that has a published version,
// in id order, with absolute URLs on base.
func (s *Service) Published(ctx context.Context, base string) ([]catalogue.Entry, error) {
	orgs, err := s.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]domain.Organisation{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	var entries []catalogue.Entry
	err = s.datasets.Scan(ctx, []store.Filter{
		{Field: "status", Op: store.Eq, Value: string(od.StatusPublished)},
		{Field: "currentVersion", Op: store.Gte, Value: 1}}, func(d DatasetRecord, _ repo.Meta) error {
		e, err := s.Entry(ctx, base, d, byID[d.Publisher])
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	return entries, err
}

// Entry describes one dataset for the catalogue formats, with absolute URLs on base.
func (s *Service) Entry(ctx context.Context, base string, d DatasetRecord, org domain.Organisation) (catalogue.Entry, error) {
	versions, err := s.PublishedVersions(ctx, d.ID)
	if err != nil {
		return catalogue.Entry{}, err
	}
	var current VersionRecord
	for _, v := range versions {
		if v.Number == d.CurrentVersion {
			current = v
		}
	}
	return entryOf(base, d, org, current, versions), nil
}

// PendingEntry is the entry d will have once version v (being published)
// is current: what the publish steps check before the pointer moves.
func (s *Service) PendingEntry(ctx context.Context, base string, d DatasetRecord, v VersionRecord) (catalogue.Entry, error) {
	org, _, err := s.orgs.Get(ctx, d.Publisher)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return catalogue.Entry{}, err
	}
	versions, err := s.PublishedVersions(ctx, d.ID)
	if err != nil {
		return catalogue.Entry{}, err
	}
	if !slices.ContainsFunc(versions, func(x VersionRecord) bool { return x.Number == v.Number }) {
		versions = append([]VersionRecord{v}, versions...)
	}
	return entryOf(base, d, org, v, versions), nil
}

// entryOf describes d with current as its served version.
func entryOf(base string, d DatasetRecord, org domain.Organisation, current VersionRecord, versions []VersionRecord) catalogue.Entry {
	e := catalogue.Entry{Dataset: d.Dataset, Publisher: org, URI: base + "/dataset/" + d.Slug,
		LandingPage: base + "/datasets/" + d.Slug}
	for _, v := range versions {
		e.Versions = append(e.Versions, v.Version)
	}
	e.Current = current.Version
	issued := current.Created
	if current.Published != nil {
		issued = *current.Published
	}
	for _, f := range current.Files {
		label, format := f.Ext, f.Ext
		if fm, ok := od.LookupFormat(f.Ext); ok {
			label, format = fm.Label, fm.Label
		}
		title := d.Title + " (" + label + ")"
		if f.Ext == "csv" && current.Extent != nil {
			title = d.Title + " (CSV with WKT geometry)"
		}
		url := base + "/datasets/" + d.Slug + "/latest." + f.Ext
		e.Distributions = append(e.Distributions, catalogue.Distribution{Title: title, Format: format,
			MediaType: f.MediaType, AccessURL: url, DownloadURL: url, ByteSize: f.Size, SHA256: f.SHA256, SHA1: f.SHA1,
			Version: current.Number, Issued: issued, Modified: issued})
	}
	if current.Extent != nil {
		e.BBox = current.Extent
		e.OGCCollectionURL = base + "/ogc/collections/" + d.Slug
		e.Distributions = append(e.Distributions, catalogue.Distribution{Title: d.Title + " (OGC API - Features)",
			Format: "OGC API - Features", MediaType: "application/geo+json", AccessURL: e.OGCCollectionURL,
			Version: current.Number, Issued: issued, Modified: issued, IsService: true})
		if d.Inspire != nil && d.Inspire.FileIdentifier != "" {
			e.MetadataRecordURL = base + "/inspire/records/" + d.Inspire.FileIdentifier + ".xml"
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
