// Package catalogue turns published datasets into the descriptions that
// harvesters and catalogues read: DCAT-AP (JSON-LD, Turtle, RDF/XML),
// Project Open Data data.json, a CKAN Action API subset, UK GEMINI 2.3 records
// and CSW. Every representation is a pure function of Entries, so each can be
// tested against its official schema without a server.
package catalogue

import (
	"strings"
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
// The formats take URLs as they are; the read models keep entries with
// URLs relative to the site ("/dataset/{slug}") and OnBase makes them
// absolute for the request being answered.
type Entry struct {
	Dataset   opendata.Dataset
	Publisher domain.Organisation
	// URI identifies the dataset and dereferences (content negotiation) to its
	// description: {base}/dataset/{slug}.
	URI string
	// LandingPage is the HTML page for people: {base}/datasets/{slug}.
	LandingPage string
	// Current is the published version readers get; FirstPublished is when
	// the dataset's first version was published.
	Current        opendata.Version
	FirstPublished *time.Time
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
	// SourceCRS is the CRS (a URI) the current version was uploaded in, for
	// spatial datasets.
	SourceCRS string
}

// OnBase is the entry with its site-relative URLs (those starting with
// "/") made absolute on base. Other URLs (a publisher's website, licence
// documents) are left alone; the entry itself is not changed.
func (e Entry) OnBase(base string) Entry {
	abs := func(u string) string {
		if strings.HasPrefix(u, "/") {
			return base + u
		}
		return u
	}
	e.URI, e.LandingPage = abs(e.URI), abs(e.LandingPage)
	e.OGCCollectionURL, e.MetadataRecordURL = abs(e.OGCCollectionURL), abs(e.MetadataRecordURL)
	dists := make([]Distribution, len(e.Distributions))
	for i, d := range e.Distributions {
		d.AccessURL, d.DownloadURL = abs(d.AccessURL), abs(d.DownloadURL)
		dists[i] = d
	}
	e.Distributions = dists
	return e
}

// Modified is when the dataset's description or data last changed: the
// later of the dataset's own modified date and its current version's
// publication. It never involves the clock, so re-reading an unchanged
// catalogue gives the same dates (and the same ETags).
func (e Entry) Modified() time.Time {
	m := e.Dataset.Modified
	if p := e.Current.Published; p != nil && p.After(m) {
		m = *p
	}
	return m.UTC()
}

// Issued is the dataset's first publication, falling back to its first
// published version's.
func (e Entry) Issued() time.Time {
	if e.Dataset.Issued != nil {
		return e.Dataset.Issued.UTC()
	}
	if e.FirstPublished != nil {
		return e.FirstPublished.UTC()
	}
	return e.Modified()
}

// Extent is the box the dataset's description states: the current
// version's features when known, else the declared coverage.
func (e Entry) Extent() *opendata.BBox {
	if e.BBox != nil {
		return e.BBox
	}
	if s := e.Dataset.Spatial; s != nil {
		return s.BBox
	}
	return nil
}
