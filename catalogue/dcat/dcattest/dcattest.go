// Package dcattest builds realistic published catalogue entries for the
// harvest-format tests: North East Derbyshire's spend over £500 (tabular)
// and Trafford's highway trees (spatial, with an OGC API collection), plus
// as many generated tabular datasets as a paging test needs.
package dcattest

import (
	"fmt"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/index"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// Organisations are the publishers the entries use.
func Organisations() []domain.Organisation {
	return []domain.Organisation{
		{ID: "neddc", Name: "North East Derbyshire District Council", ShortName: "NEDDC", GSSCode: "E07000038",
			Website: "https://www.ne-derbyshire.gov.uk", Host: true,
			Contact: domain.Contact{Name: "Joint ICT Service", Email: "ict@ne-derbyshire.gov.uk"}},
		{ID: "tmbc", Name: "Trafford Metropolitan Borough Council", ShortName: "TMBC", GSSCode: "E08000009",
			Website: "https://www.trafford.gov.uk"},
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr[T any](v T) *T { return &v }

const (
	spendSHA  = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	treesSHA  = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"
	spendSHA1 = "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3"
	treesSHA1 = "0beec7b5ea3f0fdbc95d0dd47f3c5bc275da8a33"
)

// Spend is NEDDC's "Spending over £500", version 3 of a monthly series.
func Spend(base string) catalogue.Entry {
	orgs := Organisations()
	d := opendata.Dataset{
		ID: "ds-0001-neddc-spend", Slug: "neddc-spend-over-500", Title: "Spending over £500 — North East Derbyshire",
		Description: "Every payment of £500 or more made by North East Derbyshire District Council, as the Local " +
			"Government Transparency Code 2015 requires.\nAmounts exclude \"recoverable\" VAT; redacted suppliers are <individuals>.",
		Publisher:    "neddc",
		ContactPoint: opendata.ContactPoint{Name: "Finance & Transparency", Email: "transparency@ne-derbyshire.gov.uk"},
		Keywords:     []string{"spend", "transparency code", "payments over 500 pounds"},
		Themes:       []string{"government-spending"}, Licence: opendata.DefaultLicence, UpdateFrequency: "monthly",
		Spatial:  &opendata.SpatialCoverage{Place: "North East Derbyshire", GSSCode: "E07000038"},
		Temporal: &opendata.TemporalCoverage{Start: ptr(at("2025-04-01T00:00:00Z")), End: ptr(at("2026-03-31T00:00:00Z"))},
		Issued:   ptr(at("2025-05-14T09:30:00Z")), Modified: at("2026-02-10T11:00:00Z"), Status: opendata.StatusPublished,
	}
	v := opendata.Version{DatasetID: d.ID, Number: 3, FileName: "spend-2026-01.csv", Format: "csv", MediaType: "text/csv",
		ByteSize: 482113, SHA256: spendSHA, Created: at("2026-02-12T08:00:00Z"), CreatedBy: "key-neddc",
		RowCount: 3120, State: opendata.VersionPublished, Published: ptr(at("2026-02-12T08:05:00Z"))}
	uri, page := base+"/dataset/"+d.Slug, base+"/datasets/"+d.Slug
	dl := base + "/datasets/" + d.Slug + "/versions/3/data."
	return catalogue.Entry{Dataset: d, Publisher: orgs[0], URI: uri, LandingPage: page, Current: v,
		FirstPublished: v.Published,
		Distributions: []catalogue.Distribution{
			{Title: "Spending over £500 (CSV)", Format: "CSV", MediaType: "text/csv", AccessURL: page,
				DownloadURL: dl + "csv", ByteSize: 482113, SHA256: spendSHA, SHA1: spendSHA1, Version: 3,
				Issued: *v.Published, Modified: *v.Published},
			{Title: "Spending over £500 (JSON)", Format: "JSON", MediaType: "application/json", AccessURL: page,
				DownloadURL: dl + "json", Version: 3, Issued: *v.Published, Modified: *v.Published},
		}}
}

// Trees is Trafford's highway trees, a spatial dataset with INSPIRE fields.
func Trees(base string) catalogue.Entry {
	orgs := Organisations()
	box := opendata.BBox{MinX: -2.4788, MinY: 53.3577, MaxX: -2.2536, MaxY: 53.4805}
	d := opendata.Dataset{
		ID: "ds-0002-trafford-trees", Slug: "trafford-highway-trees", Title: "Highway trees in Trafford",
		Description:  "Location, species and height of 15,638 trees on Trafford's adopted highways.",
		Publisher:    "tmbc",
		ContactPoint: opendata.ContactPoint{Email: "opendata@trafford.gov.uk"},
		Keywords:     []string{"trees", "highways", "green infrastructure"},
		Themes:       []string{"environment", "mapping"}, Licence: opendata.DefaultLicence, UpdateFrequency: "annual",
		Spatial:  &opendata.SpatialCoverage{BBox: &box, Place: "Trafford"},
		Temporal: &opendata.TemporalCoverage{Start: ptr(at("2024-01-01T00:00:00Z"))},
		Issued:   ptr(at("2025-09-01T10:00:00Z")), Modified: at("2025-09-01T10:00:00Z"), Status: opendata.StatusPublished,
		Inspire: &opendata.Inspire{FileIdentifier: "5b3a3d2e-8f0c-4d5e-9a1b-2c3d4e5f6a7b",
			TopicCategories: []string{"environment"}, Themes: []string{"lc"},
			Lineage:            "Surveyed by the highways tree team, 2023-2024, with handheld GNSS.",
			ResourceIdentifier: &opendata.ResourceIdentifier{Namespace: "https://data.trafford.gov.uk/id/", Code: "highway-trees"},
			Resolution:         &opendata.Resolution{DistanceMetres: 1},
			Conformity: []opendata.Conformity{{Specification: "Commission Regulation (EU) No 1089/2010",
				Date: "2010-12-08", Result: opendata.ConformityPass}},
			ReferenceSystem: "EPSG:27700", AccessConstraints: "no limitations", Language: "eng"},
	}
	v := opendata.Version{DatasetID: d.ID, Number: 1, FileName: "trafford_highways_trees.geojson", Format: "geojson",
		MediaType: "application/geo+json", ByteSize: 3650412, SHA256: treesSHA, Created: at("2025-09-01T09:40:00Z"),
		CreatedBy: "key-tmbc", FeatureCount: 15638, State: opendata.VersionPublished, Published: ptr(at("2025-09-01T09:45:00Z"))}
	uri, page := base+"/dataset/"+d.Slug, base+"/datasets/"+d.Slug
	dl := base + "/datasets/" + d.Slug + "/versions/1/data."
	ogc := base + "/ogc/collections/" + d.Slug
	features := opendata.BBox{MinX: -2.4701, MinY: 53.3602, MaxX: -2.2601, MaxY: 53.4788}
	return catalogue.Entry{Dataset: d, Publisher: orgs[1], URI: uri, LandingPage: page, Current: v,
		FirstPublished: v.Published, OGCCollectionURL: ogc, BBox: &features,
		MetadataRecordURL: base + "/inspire/records/" + d.Inspire.FileIdentifier + ".xml",
		Distributions: []catalogue.Distribution{
			{Title: "Highway trees (GeoJSON)", Format: "GeoJSON", MediaType: "application/geo+json", AccessURL: page,
				DownloadURL: dl + "geojson", ByteSize: 3650412, SHA256: treesSHA, SHA1: treesSHA1, Version: 1,
				Issued: *v.Published, Modified: *v.Published},
			{Title: "Highway trees (CSV with WKT)", Format: "CSV", MediaType: "text/csv", AccessURL: page,
				DownloadURL: dl + "csv", Version: 1, Issued: *v.Published, Modified: *v.Published},
			{Title: "Highway trees (OGC API - Features)", Format: "OGC API - Features", MediaType: "application/geo+json",
				AccessURL: ogc, IsService: true, Issued: *v.Published, Modified: *v.Published},
		}}
}

// Filler is a small tabular dataset number n, for paging tests.
func Filler(base string, n int) catalogue.Entry {
	e := Spend(base)
	d := &e.Dataset
	d.ID = fmt.Sprintf("ds-1%04d-filler", n)
	d.Slug = fmt.Sprintf("neddc-dataset-%04d", n)
	d.Title = fmt.Sprintf("Council dataset %d", n)
	d.Spatial, d.Temporal = nil, nil
	d.Modified = at("2025-06-01T00:00:00Z").Add(time.Duration(n) * time.Hour)
	e.URI, e.LandingPage = base+"/dataset/"+d.Slug, base+"/datasets/"+d.Slug
	e.Current.DatasetID = d.ID
	e.Current.Published = ptr(d.Modified)
	e.FirstPublished = e.Current.Published
	for i := range e.Distributions {
		e.Distributions[i].Issued, e.Distributions[i].Modified = d.Modified, d.Modified
		e.Distributions[i].AccessURL = e.LandingPage
		e.Distributions[i].DownloadURL = fmt.Sprintf("%s/datasets/%s/versions/3/data.%s", base, d.Slug,
			map[string]string{"CSV": "csv", "JSON": "json"}[e.Distributions[i].Format])
	}
	return e
}

// Entries is Spend, Trees and n fillers, ordered by dataset id as a
// catalogue.Source returns them.
func Entries(base string, n int) []catalogue.Entry {
	out := []catalogue.Entry{Spend(base), Trees(base)}
	for i := 1; i <= n; i++ {
		out = append(out, Filler(base, i))
	}
	return out
}

// Source serves the entries from a catalogue index, as the application
// does; Fillers says how many generated datasets follow the two real ones.
type Source struct{ Fillers int }

// Catalogue is the index of the entries (on site-relative URLs) and the
// organisations.
func (s Source) Catalogue() (*index.Index, error) {
	return Index(Entries("", s.Fillers)), nil
}

// Index holds entries (on site-relative URLs) and the organisations.
func Index(entries []catalogue.Entry) *index.Index {
	ix := index.New()
	for _, o := range Organisations() {
		ix.PutOrganisation(o, "1")
	}
	for _, e := range entries {
		var formats []string
		for _, d := range e.Distributions {
			if f, ok := opendata.LookupFormat(d.Format); ok && !d.IsService {
				formats = append(formats, f.Code)
			}
		}
		ix.Put(index.Item{Entry: e, Formats: formats, Stamp: "1"})
	}
	ix.MarkLoaded()
	return ix
}
