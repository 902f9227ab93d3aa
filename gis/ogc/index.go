package ogc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"math"
	"runtime"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/gis/ingest"
)

// Feature is one feature on its way into an index: geometry in CRS84
// (longitude, latitude), properties as decoded JSON-like values.
type Feature struct {
	// ID is the feature id; empty means "use the 1-based position".
	ID         string
	Geometry   orb.Geometry
	Properties map[string]any
}

// IndexOptions tune what NewIndex and BuildArtefact build.
type IndexOptions struct {
	// TemporalProperty names the property whose value (RFC 3339 date-time,
	// date, or time.Time) datetime queries test. Empty: no temporal index.
	TemporalProperty string
	// TempDir is where BuildArtefact spills features while it builds (""
	// for the system's temporary directory); NewIndex spills to memory.
	TempDir string
}

// Index is an immutable set of features prepared for serving: each feature
// encoded once as RFC 7946 GeoJSON, an STR-packed R-tree over the feature
// bounds, ids sorted for lookup, value indexes for equality filters and,
// optionally, a time index. It is an artefact (see artefact.go) used in
// place: on the heap when built by NewIndex, memory-mapped when opened by
// OpenArtefactFile or OpenArtefact. Methods are safe for concurrent use.
//
// Features keep their input order (the ordinal); every query answers in that
// order, so offset paging is stable.
type Index struct {
	data    []byte   // encoded features, laid out in the spatial index's leaf order (by position), each followed by a comma
	posOff  []uint64 // the feature at position p and its comma are data[posOff[p]:posOff[p+1]]
	posOrd  []uint32 // ordinal of the feature at position p
	geomEnd []uint32 // the geometry of position p ends at that byte of its feature
	ordPos  []uint32 // position of ordinal o; positions from leaves on have no geometry
	leaves  uint32   // features with a geometry
	tree    rtree
	ids     []byte   // the ids, sorted, back to back
	idOff   []uint64 // the id of rank r is ids[idOff[r]:idOff[r+1]]
	idOrd   []uint32 // ordinal of the id of rank r
	props   map[string]*propIndex
	queryab []Queryable
	tprop   string
	tmin    []int64 // by ordinal, unix nanoseconds; tmin > tmax when the feature has no time
	tmax    []int64
	bound   orb.Bound
	etag    string
	size    int64
	mapped  bool // the sections are in a file mapping, unmapped when the index is collected
}

// propIndex maps each distinct value (in canonical text form) of one
// property to the ordinals holding it, ascending.
type propIndex struct {
	typ      string
	values   []byte   // sorted, back to back
	valueOff []uint64 // value v is values[valueOff[v]:valueOff[v+1]]
	start    []uint32 // value v's ordinals are postings[start[v]:start[v+1]]
	postings []uint32
}

// NewIndex reads every feature and builds the index on the heap. A feature
// that cannot be encoded (NaN coordinates, unencodable properties) or a
// duplicate id fails the whole build, naming the feature, so a bad dataset
// is never half served. BuildArtefact builds the same index as a file.
func NewIndex(features iter.Seq2[Feature, error], opt IndexOptions) (*Index, error) {
	var buf bytes.Buffer
	if _, err := buildArtefact(&buf, features, opt, memSpills{}, math.MaxInt); err != nil {
		return nil, err
	}
	return openBytes(buf.Bytes())
}

// FromSlice adapts a slice to NewIndex's input.
func FromSlice(fs []Feature) iter.Seq2[Feature, error] {
	return func(yield func(Feature, error) bool) {
		for _, f := range fs {
			if !yield(f, nil) {
				return
			}
		}
	}
}

// Len is the number of features.
func (ix *Index) Len() int { return len(ix.ordPos) }

// Bound is the CRS84 box around every geometry.
func (ix *Index) Bound() orb.Bound { return ix.bound }

// ETag identifies the index content; equal features give equal tags.
func (ix *Index) ETag() string { return ix.etag }

// TemporalProperty is the property datetime queries test ("" for none).
func (ix *Index) TemporalProperty() string { return ix.tprop }

// Queryables lists the scalar properties found with one consistent type,
// sorted by name: the default filterable properties.
func (ix *Index) Queryables() []Queryable { return ix.queryab }

// SizeBytes is the size of the index's artefact: the memory it holds when
// built by NewIndex, the most it can make resident when mapped.
func (ix *Index) SizeBytes() int { return int(ix.size) }

// feature is the GeoJSON of the feature at position p, in place.
func (ix *Index) feature(p uint32) []byte { return ix.data[ix.posOff[p] : ix.posOff[p+1]-1] }

// Encoded is a copy of the GeoJSON of the feature at ordinal ord.
func (ix *Index) Encoded(ord uint32) []byte {
	out := bytes.Clone(ix.feature(ix.ordPos[ord]))
	runtime.KeepAlive(ix) // the bytes may be in a mapping the index's cleanup unmaps
	return out
}

// Lookup finds a feature's ordinal by id.
func (ix *Index) Lookup(id string) (uint32, bool) {
	defer runtime.KeepAlive(ix)
	want := []byte(id)
	r, ok := sort.Find(len(ix.idOrd), func(r int) int { return bytes.Compare(want, ix.id(r)) })
	if !ok {
		return 0, false
	}
	return ix.idOrd[r], true
}

// id is the id of rank r.
func (ix *Index) id(r int) []byte { return ix.ids[ix.idOff[r]:ix.idOff[r+1]] }

// ID is the id of the feature at ordinal ord.
func (ix *Index) ID(ord uint32) string {
	defer runtime.KeepAlive(ix)
	p := ix.ordPos[ord]
	f := ix.feature(p)
	var id string
	// The encoding is the builder's own: the id string follows the geometry.
	raw := f[ix.geomEnd[p]+uint32(len(`,"id":`)):]
	dec := json.NewDecoder(bytes.NewReader(raw))
	_ = dec.Decode(&id)
	return id
}

// Geometry decodes the CRS84 geometry of a feature (nil when it has none).
func (ix *Index) Geometry(ord uint32) (orb.Geometry, error) {
	return ix.geometryAt(ix.ordPos[ord])
}

func (ix *Index) geometryAt(p uint32) (orb.Geometry, error) {
	defer runtime.KeepAlive(ix)
	if p >= ix.leaves {
		return nil, nil
	}
	g, err := geojson.UnmarshalGeometry(ix.geometryJSON(p))
	if err != nil {
		return nil, err
	}
	return g.Geometry(), nil
}

func (ix *Index) geometryJSON(p uint32) []byte {
	return ix.feature(p)[len(featurePrefix):ix.geomEnd[p]]
}

// FromGeoJSON adapts a decoded CRS84 FeatureCollection. The id is the
// feature's own id, else the idProperty value when set, else its position.
func FromGeoJSON(fc *geojson.FeatureCollection, idProperty string) iter.Seq2[Feature, error] {
	return func(yield func(Feature, error) bool) {
		for _, f := range fc.Features {
			id := ""
			switch {
			case f.ID != nil:
				id = fmt.Sprint(f.ID)
			case idProperty != "" && f.Properties[idProperty] != nil:
				id = fmt.Sprint(f.Properties[idProperty])
			}
			if !yield(Feature{ID: id, Geometry: f.Geometry, Properties: f.Properties}, nil) {
				return
			}
		}
	}
}

// FromIngest adapts a gis/ingest reader (a GeoJSON download, say) to the
// index builders' input: the features as the reader gives them, its first
// error ending the sequence.
func FromIngest(rd ingest.Reader) iter.Seq2[Feature, error] {
	return func(yield func(Feature, error) bool) {
		for {
			f, err := rd.Next()
			if err == io.EOF {
				return
			}
			if !yield(Feature{ID: f.ID, Geometry: f.Geometry, Properties: f.Properties}, err) || err != nil {
				return
			}
		}
	}
}
