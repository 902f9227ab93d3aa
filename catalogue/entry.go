// Package catalogue turns published datasets into the descriptions that
// harvesters and catalogues read: DCAT-AP (JSON-LD, Turtle, RDF/XML),
// Project Open Data data.json, a CKAN Action API subset, UK GEMINI 2.3 records
// and CSW. Every representation is a pure function of Entries, so each can be
// tested against its official schema without a server.
package catalogue

import (
	"context"
	"time"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// Distribution is one way to get a dataset's data: a download of the current
// version in one format, or (for spatial data) the OGC API collection.
type Distribution struct {
	Title       string    `json:"title"`
	Format      string    `json:"format"`    // short name: CSV, JSON, GeoJSON, OGC API - Features
	MediaType   string    `json:"mediaType"` // IANA media type
	AccessURL   string    `json:"accessURL"`
	DownloadURL string    `json:"downloadURL,omitempty"` // empty for services
	ByteSize    int64     `json:"byteSize,omitempty"`
	SHA256      string    `json:"sha256,omitempty"`
	SHA1        string    `json:"sha1,omitempty"` // DCAT-AP 2.1.1 checksums are SHA-1
	Version     int       `json:"version,omitempty"`
	Issued      time.Time `json:"issued"`
	Modified    time.Time `json:"modified"`
	IsService   bool      `json:"isService,omitempty"` // an API (OGC API - Features), not a file
}

// Entry is a published dataset with everything a harvest format describes.
// URLs are absolute.
type Entry struct {
	Dataset   opendata.Dataset
	Publisher domain.Organisation
	// URI identifies the dataset and dereferences (content negotiation) to its
	// description: {base}/dataset/{slug}.
	URI string
	// LandingPage is the HTML page for people: {base}/datasets/{slug}.
	LandingPage string
	// Current is the published version readers get; Versions lists every
	// published version, newest first.
	Current  opendata.Version
	Versions []opendata.Version
	// Distributions of the current version, files first, then services.
	Distributions []Distribution
	// OGCCollectionURL is {base}/ogc/collections/{slug} for spatial datasets.
	OGCCollectionURL string
	// MetadataRecordURL is the UK GEMINI record {base}/inspire/records/{fileIdentifier}.xml
	// for spatial datasets.
	MetadataRecordURL string
	// BBox is the extent of the current version's features (CRS84), for
	// spatial datasets; nil otherwise.
	BBox *opendata.BBox
}

// Source provides the published catalogue. Only published datasets with a
// published version appear, ordered by dataset id, so paging is stable.
type Source interface {
	Published(ctx context.Context, baseURL string) ([]Entry, error)
	Organisations(ctx context.Context) ([]domain.Organisation, error)
}
