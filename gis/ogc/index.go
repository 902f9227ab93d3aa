package ogc

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/gis/geojsonenc"
)

// Feature is one feature on its way into an index: geometry in CRS84
// (longitude, latitude), properties as decoded JSON-like values.
type Feature struct {
	// ID is the feature id; empty means "use the 1-based position".
	ID         string
	Geometry   orb.Geometry
	Properties map[string]any
}

// IndexOptions tune what NewIndex builds.
type IndexOptions struct {
	// TemporalProperty names the property whose value (RFC 3339 date-time,
	// date, or time.Time) datetime queries test. Empty: no temporal index.
	TemporalProperty string
}

// Index is an immutable set of features prepared for serving: each feature
// encoded once as RFC 7946 GeoJSON, an STR-packed R-tree over the feature
// bounds, ids sorted for lookup, value indexes for equality filters and,
// optionally, a time index. Methods are safe for concurrent use.
//
// Features keep their input order (the ordinal); every query answers in that
// order, so offset paging is stable.
type Index struct {
	data    []byte   // encoded features, laid out in the spatial index's leaf order
	off     []int    // while building: feature i is data[off[i]:off[i+1]]; then its start
	flen    []uint32 // feature i is data[off[i]:off[i]+flen[i]] once built
	leafOff []int    // the feature at R-tree leaf position p is data[leafOff[p]:leafOff[p+1]]
	geomEnd []uint32 // geometry of i ends at data[off[i]+geomEnd[i]]
	bounds  []orb.Bound
	hasGeom []bool
	ids     []byte   // feature ids back to back
	idOff   []uint32 // id i is ids[idOff[i]:idOff[i+1]]
	byID    []uint32 // ordinals sorted by id
	tree    rtree
	props   map[string]*propIndex
	queryab []Queryable
	tprop   string
	tmin    []int64 // unix nanoseconds; tmin > tmax when the feature has no time
	tmax    []int64
	bound   orb.Bound
	etag    string
	keys    []string // scratch space for encoding properties while building
}

// featurePrefix starts every encoded feature, so the geometry begins at a
// fixed offset and can be replaced when reprojecting.
const featurePrefix = `{"type":"Feature","geometry":`

// propIndex maps each distinct value (in canonical text form) of one
// property to the ordinals holding it, ascending.
type propIndex struct {
	typ      string
	values   []string
	start    []uint32
	postings []uint32
}

// NewIndex reads every feature and builds the index. A feature that cannot
// be encoded (NaN coordinates, unencodable properties) or a duplicate id
// fails the whole build, naming the feature, so a bad dataset is never half
// served.
func NewIndex(features iter.Seq2[Feature, error], opt IndexOptions) (*Index, error) {
	ix := &Index{tprop: opt.TemporalProperty, off: []int{0}, idOff: []uint32{0}}
	b := newPropBuilder()
	n := 0
	for f, err := range features {
		if err != nil {
			return nil, err
		}
		if n >= math.MaxUint32-1 {
			return nil, fmt.Errorf("more than %d features", math.MaxUint32-1)
		}
		id := f.ID
		if id == "" {
			id = strconv.Itoa(n + 1)
		}
		if err := ix.appendFeature(id, f); err != nil {
			return nil, fmt.Errorf("feature %d (id %q): %w", n+1, id, err)
		}
		b.add(uint32(n), f.Properties)
		if ix.tprop != "" {
			lo, hi, ok := temporalValue(f.Properties[ix.tprop])
			if !ok {
				lo, hi = math.MaxInt64, math.MinInt64
			}
			ix.tmin, ix.tmax = append(ix.tmin, lo), append(ix.tmax, hi)
		}
		n++
	}
	ix.data = slices.Clip(ix.data)
	ix.props, ix.queryab = b.build()
	if err := ix.sortIDs(); err != nil {
		return nil, err
	}
	ix.tree = buildRTree(ix.bounds, ix.hasGeom)
	ix.bound = ix.tree.bound()
	sum := sha256.Sum256(ix.data)
	ix.etag = hex.EncodeToString(sum[:12])
	ix.layOutSpatially()
	ix.keys = nil
	return ix, nil
}

// layOutSpatially rewrites the encoded features in the R-tree's leaf order.
// A bbox page then copies features that sit next to each other in memory
// instead of taking a cache miss per feature, which measured as the largest
// cost of serving pages from a million points.
func (ix *Index) layOutSpatially() {
	n := ix.Len()
	data := make([]byte, 0, len(ix.data))
	start := make([]int, n)
	flen := make([]uint32, n)
	placed := make([]bool, n)
	put := func(o uint32) {
		f := ix.data[ix.off[o]:ix.off[o+1]]
		start[o], flen[o], placed[o] = len(data), uint32(len(f)), true
		data = append(data, f...)
	}
	ix.leafOff = make([]int, 0, len(ix.tree.leaves)+1)
	for _, o := range ix.tree.leaves {
		ix.leafOff = append(ix.leafOff, len(data))
		put(o)
	}
	ix.leafOff = append(ix.leafOff, len(data))
	for o := range uint32(n) {
		if !placed[o] {
			put(o)
		}
	}
	ix.data, ix.off, ix.flen = data, start, flen
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

func (ix *Index) appendFeature(id string, f Feature) error {
	start := len(ix.data)
	ix.data = append(ix.data, featurePrefix...)
	var bound orb.Bound
	has := f.Geometry != nil
	if has {
		if err := checkFinite(f.Geometry); err != nil {
			return err
		}
		var err error
		if ix.data, err = geojsonenc.AppendGeometry(ix.data, f.Geometry); err != nil {
			return fmt.Errorf("geometry: %w", err)
		}
		bound = f.Geometry.Bound()
	} else {
		ix.data = append(ix.data, "null"...)
	}
	ix.geomEnd = append(ix.geomEnd, uint32(len(ix.data)-start))
	ix.data = append(ix.data, `,"id":`...)
	ix.data = geojsonenc.AppendString(ix.data, id)
	ix.data = append(ix.data, `,"properties":`...)
	if len(f.Properties) == 0 {
		ix.data = append(ix.data, "{}"...)
	} else {
		var err error
		if ix.data, ix.keys, err = geojsonenc.AppendProperties(ix.data, f.Properties, ix.keys); err != nil {
			return fmt.Errorf("properties: %w", err)
		}
	}
	ix.data = append(ix.data, '}')
	ix.off = append(ix.off, len(ix.data))
	ix.bounds = append(ix.bounds, bound)
	ix.hasGeom = append(ix.hasGeom, has)
	ix.ids = append(ix.ids, id...)
	ix.idOff = append(ix.idOff, uint32(len(ix.ids)))
	return nil
}

func checkFinite(g orb.Geometry) error {
	b := g.Bound()
	for _, v := range []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("geometry has a coordinate that is not a finite number")
		}
	}
	return nil
}

func (ix *Index) sortIDs() error {
	n := ix.Len()
	ix.byID = make([]uint32, n)
	for i := range ix.byID {
		ix.byID[i] = uint32(i)
	}
	slices.SortFunc(ix.byID, func(a, b uint32) int { return bytes.Compare(ix.id(a), ix.id(b)) })
	for i := 1; i < n; i++ {
		if bytes.Equal(ix.id(ix.byID[i-1]), ix.id(ix.byID[i])) {
			return fmt.Errorf("features %d and %d share the id %q; feature ids must be unique",
				min(ix.byID[i-1], ix.byID[i])+1, max(ix.byID[i-1], ix.byID[i])+1, ix.id(ix.byID[i]))
		}
	}
	return nil
}

func (ix *Index) id(ord uint32) []byte { return ix.ids[ix.idOff[ord]:ix.idOff[ord+1]] }

// Len is the number of features.
func (ix *Index) Len() int { return len(ix.idOff) - 1 }

// Bound is the CRS84 box around every geometry.
func (ix *Index) Bound() orb.Bound { return ix.bound }

// ETag identifies the index content; equal features give equal tags.
func (ix *Index) ETag() string { return ix.etag }

// TemporalProperty is the property datetime queries test ("" for none).
func (ix *Index) TemporalProperty() string { return ix.tprop }

// Queryables lists the scalar properties found with one consistent type,
// sorted by name: the default filterable properties.
func (ix *Index) Queryables() []Queryable { return ix.queryab }

// SizeBytes estimates the memory the index holds, for capacity planning.
func (ix *Index) SizeBytes() int {
	s := cap(ix.data) + cap(ix.off)*8 + cap(ix.flen)*4 + cap(ix.leafOff)*8 + cap(ix.geomEnd)*4 + cap(ix.bounds)*32 + cap(ix.hasGeom) +
		cap(ix.ids) + cap(ix.idOff)*4 + cap(ix.byID)*4 + cap(ix.tmin)*8 + cap(ix.tmax)*8 + ix.tree.sizeBytes()
	for name, p := range ix.props {
		s += len(name) + cap(p.start)*4 + cap(p.postings)*4 + cap(p.values)*16
		for _, v := range p.values {
			s += len(v)
		}
	}
	return s
}

// Encoded is the GeoJSON of the feature at ordinal ord.
func (ix *Index) Encoded(ord uint32) []byte {
	return ix.data[ix.off[ord] : ix.off[ord]+int(ix.flen[ord])]
}

// Lookup finds a feature's ordinal by id.
func (ix *Index) Lookup(id string) (uint32, bool) {
	i, ok := slices.BinarySearchFunc(ix.byID, id, func(ord uint32, id string) int {
		return bytes.Compare(ix.id(ord), []byte(id))
	})
	if !ok {
		return 0, false
	}
	return ix.byID[i], true
}

// ID is the id of the feature at ordinal ord.
func (ix *Index) ID(ord uint32) string { return string(ix.id(ord)) }

// Geometry decodes the CRS84 geometry of a feature (nil when it has none).
func (ix *Index) Geometry(ord uint32) (orb.Geometry, error) {
	raw := ix.geometryJSON(ord)
	if string(raw) == "null" {
		return nil, nil
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, err
	}
	return g.Geometry(), nil
}

func (ix *Index) geometryJSON(ord uint32) []byte {
	f := ix.Encoded(ord)
	return f[len(featurePrefix):ix.geomEnd[ord]]
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
