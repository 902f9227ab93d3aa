package ogc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/internal/testref"
)

func traffordFeatures(t testing.TB, name, idProp string) []Feature {
	t.Helper()
	raw, err := os.ReadFile(testref.Shared(t, "data/trafford/"+name))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(raw)
	if err != nil {
		t.Fatal(err)
	}
	var fs []Feature
	for f, err := range FromGeoJSON(fc, idProp) {
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

// mixedFeatures are generated to hit every branch of the format: points,
// lines and polygons, features without geometry, default (positional) ids,
// every queryable type, a property whose type varies and one that is an
// object (neither is queryable), and a temporal property that is sometimes
// missing or not a date.
func mixedFeatures(n int) []Feature {
	rng := rand.New(rand.NewPCG(1, 3))
	kinds := []string{"bench", "bin", "lamp", "sign", "tree", "Fish & Chips <Dronfield>"}
	fs := make([]Feature, n)
	for i := range fs {
		x, y := -2.8+rng.Float64(), 53.2+rng.Float64()/2
		var g orb.Geometry
		switch i % 7 {
		case 0:
			g = nil
		case 1:
			g = orb.LineString{{x, y}, {x + 0.01, y + 0.004}, {x + 0.02, y - 0.003}}
		case 2:
			g = orb.Polygon{{{x, y}, {x + 0.02, y}, {x + 0.02, y + 0.01}, {x + 0.01, y + 0.01}, {x + 0.01, y + 0.02}, {x, y + 0.02}, {x, y}}}
		default:
			g = orb.Point{x, y}
		}
		props := map[string]any{
			"kind": kinds[i%len(kinds)], "n": float64(i % 13), "ratio": float64(i%9) / 4, "flag": i%3 == 0,
			"mixed": "text", "nested": map[string]any{"by": "GIS"},
			"when": time.Date(2020, 1, 1+i%40, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
		}
		if i%5 == 0 {
			props["mixed"] = float64(i)
		}
		if i%11 == 0 {
			delete(props, "when")
		}
		if i%17 == 0 {
			props["when"] = "not a date"
		}
		if i%19 == 0 {
			props = nil
		}
		id := "g-" + strconv.Itoa(i)
		if i%4 == 0 {
			id = "" // the position, which no explicit id here spells
		}
		fs[i] = Feature{ID: id, Geometry: g, Properties: props}
	}
	return fs
}

// TestArtefactRoundTrip builds each dataset as an artefact file, opens it
// mapped and checks every query type against the in-memory index and
// against a brute-force reference computed from the input features.
func TestArtefactRoundTrip(t *testing.T) {
	cases := []struct {
		name     string
		features func(*testing.T) []Feature
		opt      IndexOptions
	}{
		{"trafford trees", func(t *testing.T) []Feature { return traffordFeatures(t, "trafford_highways_trees.geojson", "treeID") }, IndexOptions{}},
		{"trafford listed buildings", func(t *testing.T) []Feature { return traffordFeatures(t, "trafford_listed_buildings.geojson", "") },
			IndexOptions{TemporalProperty: "ListDate"}},
		{"trafford conservation areas", func(t *testing.T) []Feature {
			return traffordFeatures(t, "trafford_conservation_areas.geojson", "")
		}, IndexOptions{}},
		{"generated", func(*testing.T) []Feature { return mixedFeatures(3000) }, IndexOptions{TemporalProperty: "when"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := tc.features(t)
			mem, err := NewIndex(FromSlice(fs), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "collection.ogcidx")
			opt := tc.opt
			opt.TempDir = t.TempDir()
			info, err := WriteArtefactFile(path, FromSlice(fs), opt)
			if err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(opt.TempDir); len(left) != 0 {
				t.Errorf("the build left %d spill files behind", len(left))
			}
			mapped, err := OpenArtefactFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !mapped.mapped {
				t.Fatal("the artefact was read into memory, not mapped")
			}
			if info.Features != len(fs) || info.ETag != mem.ETag() || info.Bound != mem.Bound() || fi(t, path) != info.Bytes {
				t.Fatalf("info %+v does not describe the artefact (%d features, ETag %s)", info, len(fs), mem.ETag())
			}
			checkAgainstReference(t, fs, tc.opt, mem, mapped)
		})
	}
}

func fi(t *testing.T, path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func checkAgainstReference(t *testing.T, fs []Feature, opt IndexOptions, mem, mapped *Index) {
	t.Helper()
	if mapped.Len() != len(fs) || mem.Len() != len(fs) || mapped.ETag() != mem.ETag() || mapped.Bound() != mem.Bound() ||
		mapped.TemporalProperty() != opt.TemporalProperty || !slices.Equal(mapped.Queryables(), mem.Queryables()) {
		t.Fatalf("mapped %d features, bound %v, queryables %v; in memory %d, %v, %v",
			mapped.Len(), mapped.Bound(), mapped.Queryables(), mem.Len(), mem.Bound(), mem.Queryables())
	}
	queryable := map[string]string{}
	for _, q := range mapped.Queryables() {
		queryable[q.Name] = q.Type
	}
	for o, f := range fs {
		ord := uint32(o)
		id := f.ID
		if id == "" {
			id = strconv.Itoa(o + 1)
		}
		if got, ok := mapped.Lookup(id); !ok || got != ord || mapped.ID(ord) != id {
			t.Fatalf("feature %d: Lookup(%q) = %d, %v; ID = %q", o, id, got, ok, mapped.ID(ord))
		}
		enc := mapped.Encoded(ord)
		var decoded struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		}
		if err := json.Unmarshal(enc, &decoded); err != nil || decoded.ID != id || !bytes.Equal(enc, mem.Encoded(ord)) {
			t.Fatalf("feature %d encoded as %s (%v)", o, enc, err)
		}
		if g, err := mapped.Geometry(ord); err != nil || (g == nil) != (f.Geometry == nil) {
			t.Fatalf("feature %d geometry %v, %v", o, g, err)
		}
	}
	if _, ok := mapped.Lookup("no such feature"); ok {
		t.Fatal("an unknown id was found")
	}
	queries := referenceQueries(fs, mapped, opt)
	for _, q := range queries {
		want := referenceMatches(fs, q, queryable, opt.TemporalProperty)
		all := q
		all.Offset, all.Limit = 0, math.MaxInt32
		got := mapped.Search(all)
		if got.Matched != len(want) || !slices.Equal(slices.Sorted(slices.Values(got.Ordinals)), want) {
			t.Fatalf("%s: matched %d %v, want %d %v", describe(q), got.Matched, head(got.Ordinals), len(want), head(want))
		}
		a, b := mapped.Search(q), mem.Search(q)
		if a.Matched != b.Matched || !slices.Equal(a.Ordinals, b.Ordinals) {
			t.Fatalf("%s: mapped page %v of %d, in-memory page %v of %d", describe(q), a.Ordinals, a.Matched, b.Ordinals, b.Matched)
		}
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		links := []Link{{Href: "http://localhost/ogc/collections/x/items", Rel: "self", Type: MediaGeoJSON}}
		pa, errA := mapped.AppendItems(nil, a, crs.CRS84, links, now)
		pb, errB := mem.AppendItems(nil, b, crs.CRS84, links, now)
		if errA != nil || errB != nil || !bytes.Equal(pa, pb) || !json.Valid(pa) {
			t.Fatalf("%s: pages differ (%v, %v):\n%s\n%s", describe(q), errA, errB, pa, pb)
		}
	}
	// Reprojected output re-encodes the geometry and copies the rest.
	for o := range uint32(min(len(fs), 25)) {
		a, errA := mapped.AppendFeature(nil, o, crs.EPSG27700, nil)
		b, errB := mem.AppendFeature(nil, o, crs.EPSG27700, nil)
		if errA != nil || errB != nil || !bytes.Equal(a, b) || !json.Valid(a) {
			t.Fatalf("feature %d in EPSG:27700: %s (%v) vs %s (%v)", o, a, errA, b, errB)
		}
	}
}

// referenceQueries covers every query type: all features with offsets,
// boxes (paged), equality filters on every queryable, time instants and
// intervals, and their combinations.
func referenceQueries(fs []Feature, ix *Index, opt IndexOptions) []Query {
	rng := rand.New(rand.NewPCG(5, 8))
	ext := ix.Bound()
	randomBox := func() *orb.Bound {
		w := rng.Float64() * (ext.Max[0] - ext.Min[0]) / 4
		h := rng.Float64() * (ext.Max[1] - ext.Min[1]) / 4
		x := ext.Min[0] + rng.Float64()*(ext.Max[0]-ext.Min[0])
		y := ext.Min[1] + rng.Float64()*(ext.Max[1]-ext.Min[1])
		return &orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + w, y + h}}
	}
	qs := []Query{{Limit: 10}, {Offset: len(fs) / 2, Limit: 7}, {Offset: len(fs), Limit: 5}, {BBox: &ext, Limit: 3}}
	for range 30 {
		b := randomBox()
		qs = append(qs, Query{BBox: b, Limit: 10}, Query{BBox: b, Offset: 3, Limit: 4})
	}
	for _, q := range ix.Queryables() {
		seen := map[string]bool{}
		for _, f := range fs {
			if v := f.Properties[q.Name]; v != nil && len(seen) < 4 {
				key, _, _ := canonical(v)
				if !seen[key] {
					seen[key] = true
					eq := []Equal{{Name: q.Name, Key: key}}
					qs = append(qs, Query{Equals: eq, Limit: 20}, Query{Equals: eq, BBox: randomBox(), Limit: 20})
				}
			}
		}
		qs = append(qs, Query{Equals: []Equal{{Name: q.Name, Key: "no such value"}}, Limit: 5})
	}
	if len(ix.Queryables()) >= 2 {
		var eq []Equal
		for _, q := range ix.Queryables()[:2] {
			for _, f := range fs {
				if v := f.Properties[q.Name]; v != nil {
					key, _, _ := canonical(v)
					eq = append(eq, Equal{Name: q.Name, Key: key})
					break
				}
			}
		}
		qs = append(qs, Query{Equals: eq, Limit: 50})
	}
	if opt.TemporalProperty != "" {
		for _, s := range []string{"../1900-01-01", "1900-01-01/..", "2020-01-05", "2020-01-03/2020-01-09", "1986-11-17", "1970-01-01/1990-12-31"} {
			iv, err := ParseDatetime(s)
			if err != nil {
				panic(err)
			}
			qs = append(qs, Query{Time: &iv, Limit: 15}, Query{Time: &iv, BBox: randomBox(), Limit: 15})
		}
	}
	return qs
}

// referenceMatches tests every input feature against the query, from the
// features themselves rather than the index.
func referenceMatches(fs []Feature, q Query, queryable map[string]string, tprop string) []uint32 {
	var out []uint32
next:
	for o, f := range fs {
		if q.BBox != nil && (f.Geometry == nil || !geomIntersectsBound(f.Geometry, *q.BBox)) {
			continue
		}
		if q.Time != nil {
			lo, hi, ok := temporalValue(f.Properties[tprop])
			if !ok || lo > q.Time.End || hi < q.Time.Start {
				continue
			}
		}
		for _, e := range q.Equals {
			v := f.Properties[e.Name]
			if v == nil || queryable[e.Name] == "" {
				continue next
			}
			if key, kind, _ := canonical(v); kind == kindOther || key != e.Key {
				continue next
			}
		}
		out = append(out, uint32(o))
	}
	return out
}

func describe(q Query) string {
	s := fmt.Sprintf("offset %d limit %d", q.Offset, q.Limit)
	if q.BBox != nil {
		s += fmt.Sprintf(" bbox %v", *q.BBox)
	}
	if q.Time != nil {
		s += fmt.Sprintf(" time %v", *q.Time)
	}
	return s + fmt.Sprintf(" equals %v", q.Equals)
}

func head(s []uint32) []uint32 { return s[:min(len(s), 12)] }

// TestArtefactSpillsAreInvisible: a build that spills its sort runs to
// files (a tiny budget) writes the same bytes as one that keeps everything
// in memory, so bounded memory changes nothing a reader can see.
func TestArtefactSpillsAreInvisible(t *testing.T) {
	fs := mixedFeatures(2000)
	opt := IndexOptions{TemporalProperty: "when"}
	var inMemory, spilled bytes.Buffer
	if _, err := buildArtefact(&inMemory, FromSlice(fs), opt, memSpills{}, math.MaxInt); err != nil {
		t.Fatal(err)
	}
	sp := &fileSpills{dir: t.TempDir()}
	defer sp.removeAll()
	if _, err := buildArtefact(&spilled, FromSlice(fs), opt, sp, 256); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(inMemory.Bytes(), spilled.Bytes()) {
		t.Fatalf("spilled build differs: %d vs %d bytes", spilled.Len(), inMemory.Len())
	}
}

func TestArtefactDuplicateIDsNameBothFeatures(t *testing.T) {
	fs := mixedFeatures(40)
	fs[5].ID, fs[31].ID = "twin", "twin"
	var out bytes.Buffer
	_, err := BuildArtefact(&out, FromSlice(fs), IndexOptions{TempDir: t.TempDir()})
	if err == nil || err.Error() != `features 6 and 32 share the id "twin"; feature ids must be unique` {
		t.Fatalf("error %v", err)
	}
	// Spilled sort runs find the same pair.
	sp := &fileSpills{dir: t.TempDir()}
	defer sp.removeAll()
	if _, err := buildArtefact(&out, FromSlice(fs), IndexOptions{}, sp, 16); err == nil || err.Error() != `features 6 and 32 share the id "twin"; feature ids must be unique` {
		t.Fatalf("error with spilled runs %v", err)
	}
}

func TestArtefactEmpty(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.ogcidx")
	if _, err := WriteArtefactFile(path, FromSlice(nil), IndexOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := OpenArtefactFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bb := orb.Bound{Max: orb.Point{1, 1}}
	if ix.Len() != 0 || ix.Search(Query{Limit: 10}).Matched != 0 || ix.Search(Query{BBox: &bb, Limit: 10}).Matched != 0 {
		t.Fatal("an empty artefact has features")
	}
	if _, ok := ix.Lookup("1"); ok {
		t.Fatal("an empty artefact found a feature")
	}
}

// TestBoxesAtTheQueryEdge: features closer to a query's edge than a
// float32 can tell apart straddle it in the stored boxes; the geometry
// decides, exactly as float64 would, for points, lines and polygons, in
// bbox-only pages and in combined queries.
func TestBoxesAtTheQueryEdge(t *testing.T) {
	var fs []Feature
	for i := range 200 {
		x, y := -2.3+float64(i)*1e-9, 53.4+float64(i%10)*1e-9
		var g orb.Geometry = orb.Point{x, y}
		switch i % 3 {
		case 1:
			g = orb.LineString{{x, y}, {x + 1e-8, y + 1e-8}}
		case 2:
			g = orb.Polygon{{{x, y}, {x + 2e-9, y}, {x + 2e-9, y + 2e-9}, {x, y}}}
		}
		fs = append(fs, Feature{Geometry: g, Properties: map[string]any{"odd": i%2 == 1}})
	}
	ix, err := NewIndex(FromSlice(fs), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	queryable := map[string]string{"odd": "boolean"}
	for _, minX := range []float64{-2.3 + 50.5e-9, -2.3 + 100e-9, -2.3 + 150.25e-9} {
		q := orb.Bound{Min: orb.Point{minX, 53.4 + 2.5e-9}, Max: orb.Point{-2.3 + 175e-9, 53.4 + 7e-9}}
		for _, query := range []Query{{BBox: &q}, {BBox: &q, Equals: []Equal{{Name: "odd", Key: "true"}}}} {
			want := referenceMatches(fs, query, queryable, "")
			query.Limit = math.MaxInt32
			got := ix.Search(query)
			if len(want) == 0 || got.Matched != len(want) || !slices.Equal(slices.Sorted(slices.Values(got.Ordinals)), want) {
				t.Fatalf("%s: matched %d %v, want %d %v", describe(query), got.Matched, head(got.Ordinals), len(want), head(want))
			}
		}
	}
}

// TestArtefactFromADownload builds from a GeoJSON download read by
// gis/ingest, as a rebuild of a refused artefact does, and serves what the
// download holds.
func TestArtefactFromADownload(t *testing.T) {
	path := testref.Shared(t, "data/trafford/trafford_highways_trees.geojson")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	rd, err := ingest.Open(ingest.FormatGeoJSON, f, st.Size(), ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	out := filepath.Join(t.TempDir(), "trees.ogcidx")
	info, err := WriteArtefactFile(out, FromIngest(rd), IndexOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := OpenArtefactFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := traffordFeatures(t, "trafford_highways_trees.geojson", "")
	if info.Features != len(want) || ix.Len() != len(want) {
		t.Fatalf("%d features from the download, %d in the file", ix.Len(), len(want))
	}
	var decoded struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(ix.Encoded(0), &decoded); err != nil || decoded.Properties["species"] != want[0].Properties["species"] {
		t.Fatalf("first feature %s (%v)", ix.Encoded(0), err)
	}
}
