package api

import (
	"context"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// datasetsAPI is the catalogue's source for the harvest formats (DCAT,
// data.json, CKAN), the HTML pages and the INSPIRE records.
var _ catalogue.Source = (*datasetsAPI)(nil)

// Organisations lists every organisation.
func (a *datasetsAPI) Organisations(ctx context.Context) ([]domain.Organisation, error) {
	page, err := a.s.store.List(ctx, collOrganisations, store.Query{Sort: []store.Sort{{Field: "name"}}})
	if err != nil {
		return nil, err
	}
	out := make([]domain.Organisation, 0, len(page.Records))
	for _, r := range page.Records {
		var o domain.Organisation
		if err := r.Decode(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Published returns every published dataset that has a published version,
// in id order, with absolute URLs on base.
func (a *datasetsAPI) Published(ctx context.Context, base string) ([]catalogue.Entry, error) {
	orgs, err := a.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]domain.Organisation{}
	for _, o := range orgs {
		byID[o.ID] = o
	}
	var entries []catalogue.Entry
	err = a.s.store.Scan(ctx, collDatasets, []store.Filter{
		{Field: "status", Op: store.Eq, Value: string(opendata.StatusPublished)},
		{Field: "currentVersion", Op: store.Gte, Value: 1}}, func(rec store.Record) error {
		var d datasetDoc
		if err := rec.Decode(&d); err != nil {
			return err
		}
		e, err := a.entry(ctx, base, d, byID[d.Publisher])
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	return entries, err
}

func (a *datasetsAPI) entry(ctx context.Context, base string, d datasetDoc, org domain.Organisation) (catalogue.Entry, error) {
	e := catalogue.Entry{Dataset: d.Dataset, Publisher: org, URI: base + "/dataset/" + d.Slug,
		LandingPage: base + "/datasets/" + d.Slug}
	page, err := a.s.store.List(ctx, collVersions, store.Query{Filters: []store.Filter{
		{Field: "datasetId", Op: store.Eq, Value: d.ID},
		{Field: "state", Op: store.Eq, Value: string(opendata.VersionPublished)}},
		Sort: []store.Sort{{Field: "number", Desc: true}}})
	if err != nil {
		return e, err
	}
	var current versionDoc
	for _, r := range page.Records {
		var v versionDoc
		if err := r.Decode(&v); err != nil {
			return e, err
		}
		e.Versions = append(e.Versions, v.Version)
		if v.Number == d.CurrentVersion {
			current = v
		}
	}
	e.Current = current.Version
	issued := current.Created
	if current.Published != nil {
		issued = *current.Published
	}
	for _, f := range current.Files {
		label, format := f.Ext, f.Ext
		if fm, ok := opendata.LookupFormat(f.Ext); ok {
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
	return e, nil
}
