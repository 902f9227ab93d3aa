// Package ogc serves spatial datasets the way OGC API – Features (Part 1 core,
// GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS by reference) describes: what a
// collection is, an immutable feature index with pre-encoded GeoJSON, a
// spatial index and property indexes, the query parameter parsers, and the
// JSON, HTML and OpenAPI representations. The HTTP layer (api/ogc.go) only
// routes, negotiates formats and maps errors.
//
// Published versions never change, so a collection is rebuilt whole and
// swapped in (Registry.Put): readers never lock and never see a half-built
// index.
//
// A published version's index is persisted as an artefact (artefact.go)
// and served from it memory-mapped, so restarting costs a checksum pass
// over the file, not a parse of the features, and resident memory is the
// pages queries touch:
//
//	publish:  BuildArtefact(w, features, opt) streams the version's features
//	          into w (a blob beside the downloads; WriteArtefactFile for a
//	          local path), then OpenArtefact(blob, size, OpenOptions{}) and
//	          Registry.Put the collection.
//	start-up: Registry.PutLoading(id) for every published collection (it
//	          answers 503 with Retry-After meanwhile, and Pending lists it
//	          for /readyz), then OpenArtefact and Put each; on an error
//	          (*ArtefactError for a corrupt, foreign or outdated file)
//	          rebuild the artefact from the download while still loading,
//	          and PutFailed(id, err) if that fails too.
//
// NewIndex builds the same index on the heap, for tests and small sets.
package ogc

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/crs"
)

// Link is a web link as OGC API – Features writes it (RFC 8288 in JSON).
type Link struct {
	Href     string `json:"href"`
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Title    string `json:"title,omitempty"`
	Hreflang string `json:"hreflang,omitempty"`
	// Length is the size in bytes of the target, for enclosure links to bulk
	// downloads so clients can warn before fetching gigabytes.
	Length int64 `json:"length,omitempty"`
}

// Extent is where and when a collection's features lie.
type Extent struct {
	// Spatial is the bounding box in CRS84. A zero box means "compute it from
	// the features", which Registry.Put does.
	Spatial orb.Bound
	// Temporal is the time interval; a zero end is open (".." in OGC terms).
	// Both zero means the collection has no temporal extent.
	Temporal [2]time.Time
}

// Queryable is a property clients may filter on with ?name=value.
type Queryable struct {
	Name string
	// Type is the JSON Schema type: "string", "number", "integer" or
	// "boolean"; it decides how a filter value is parsed and compared.
	Type  string
	Title string
}

// Collection is one published spatial dataset version as an OGC API
// collection: its metadata plus its immutable feature index.
type Collection struct {
	ID          string
	Title       string
	Description string
	Keywords    []string
	Extent      Extent
	// StorageCRS is the CRS the data was published in (kept for Part 2
	// storageCrs); features are held in CRS84 whatever it is.
	StorageCRS crs.CRS
	// License links the licence; Href empty means none is declared.
	License Link
	// DescribedBy is the URL of the ISO 19139 metadata record, when there is one.
	DescribedBy string
	// Enclosures are the bulk downloads of the whole dataset.
	Enclosures []Link
	// TemporalProperty names the property datetime queries test; it must be
	// the one the index was built with (IndexOptions.TemporalProperty).
	TemporalProperty string
	// Queryables are the properties equality filters may name; nil means every
	// scalar property the index found (Features.Queryables()).
	Queryables []Queryable
	Updated    time.Time
	Features   *Index
}

// Catalog is everything the OGC API needs from whoever publishes datasets.
// Implementations must be safe for concurrent use and return collections
// that are never modified afterwards.
type Catalog interface {
	Collections(ctx context.Context) []*Collection
	Collection(ctx context.Context, id string) (*Collection, bool)
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// Validate checks what the HTTP layer relies on, naming every problem.
func (c *Collection) Validate() error {
	var p domain.Problems
	if !idPattern.MatchString(c.ID) {
		p.Add("id", idRule)
	}
	if c.Features == nil {
		p.Add("features", "must be an index built with ogc.NewIndex or opened with ogc.OpenArtefactFile")
	} else if c.Features.TemporalProperty() != c.TemporalProperty {
		p.Add("temporalProperty", "is %q but the index was built with %q; build the index with IndexOptions.TemporalProperty set to it",
			c.TemporalProperty, c.Features.TemporalProperty())
	}
	if c.StorageCRS != 0 {
		if _, err := crs.Parse(c.StorageCRS.URI()); err != nil {
			p.Add("storageCrs", "must be one of the supported CRSs")
		}
	}
	for i, q := range c.Queryables {
		switch q.Type {
		case "string", "number", "integer", "boolean":
		default:
			p.Add(fmt.Sprintf("queryables[%d].type", i), "must be string, number, integer or boolean, not %q", q.Type)
		}
	}
	if !c.Extent.Temporal[0].IsZero() && !c.Extent.Temporal[1].IsZero() && c.Extent.Temporal[1].Before(c.Extent.Temporal[0]) {
		p.Add("extent.temporal", "ends before it starts")
	}
	return p.Err()
}

const idRule = "must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit (it is a URL path segment)"

// validateID checks the id alone, for ids registered before their index.
func (c *Collection) validateID() error {
	var p domain.Problems
	if !idPattern.MatchString(c.ID) {
		p.Add("id", idRule)
	}
	return p.Err()
}

// queryables is the effective list: declared or inferred.
func (c *Collection) queryables() []Queryable {
	if c.Queryables != nil {
		return c.Queryables
	}
	return c.Features.Queryables()
}

func (c *Collection) queryable(name string) (Queryable, bool) {
	for _, q := range c.queryables() {
		if q.Name == name {
			return q, true
		}
	}
	return Queryable{}, false
}

// storageCRS defaults to CRS84 when the publisher did not say.
func (c *Collection) storageCRS() crs.CRS {
	if c.StorageCRS == 0 {
		return crs.CRS84
	}
	return c.StorageCRS
}

// spatialExtent is the declared box or, when none was declared, the features'.
func (c *Collection) spatialExtent() (orb.Bound, bool) {
	if c.Extent.Spatial != (orb.Bound{}) {
		return c.Extent.Spatial, true
	}
	if c.Features != nil && c.Features.Len() > 0 {
		return c.Features.Bound(), true
	}
	return orb.Bound{}, false
}
