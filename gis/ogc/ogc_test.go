package ogc

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/gis/crs"
)

func loadTrafford(t testing.TB, name, idProp string, opt IndexOptions) *Index {
	t.Helper()
	ix, err := NewIndex(FromSlice(traffordFeatures(t, name, idProp)), opt)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// bruteForce is the reference answer: every feature tested one by one.
func bruteForce(ix *Index, b orb.Bound) []uint32 {
	var out []uint32
	for o := range uint32(ix.Len()) {
		g, _ := ix.Geometry(o)
		if g != nil && geomIntersectsBound(g, b) {
			out = append(out, o)
		}
	}
	return out
}

func TestSearchMatchesBruteForce(t *testing.T) {
	for _, tc := range []struct{ file, id string }{
		{"trafford_highways_trees.geojson", "treeID"},
		{"trafford_conservation_areas.geojson", ""},
	} {
		ix := loadTrafford(t, tc.file, tc.id, IndexOptions{})
		rng := rand.New(rand.NewPCG(1, 2))
		b := ix.Bound()
		for range 40 {
			w := rng.Float64() * 0.05
			x := b.Min[0] + rng.Float64()*(b.Max[0]-b.Min[0])
			y := b.Min[1] + rng.Float64()*(b.Max[1]-b.Min[1])
			q := orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + w, y + w/2}}
			want := bruteForce(ix, q)
			got := ix.Search(Query{BBox: &q, Limit: math.MaxInt32})
			sorted := slices.Sorted(slices.Values(got.Ordinals))
			if got.Matched != len(want) || !slices.Equal(sorted, want) && len(want) > 0 {
				t.Fatalf("%s bbox %v: got %d %v, want %d", tc.file, q, got.Matched, got.Ordinals, len(want))
			}
			// Pages of 7 walk the same matches once each, in the same order.
			var paged []uint32
			for off := 0; off < got.Matched; off += 7 {
				page := ix.Search(Query{BBox: &q, Offset: off, Limit: 7})
				if page.Matched != got.Matched {
					t.Fatalf("page at %d matched %d, want %d", off, page.Matched, got.Matched)
				}
				paged = append(paged, page.Ordinals...)
			}
			if !slices.Equal(paged, got.Ordinals) {
				t.Fatalf("%s bbox %v: paging gave %d features out of order or repeated", tc.file, q, len(paged))
			}
		}
	}
}

func TestPolygonBoxIsNotEnough(t *testing.T) {
	// An L-shaped polygon whose bounding box covers the query box while the
	// polygon itself does not.
	l := orb.Polygon{{{0, 0}, {2, 0}, {2, 1}, {1, 1}, {1, 2}, {0, 2}, {0, 0}}}
	ix, err := NewIndex(FromSlice([]Feature{{ID: "L", Geometry: l}}), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	miss := orb.Bound{Min: orb.Point{1.5, 1.5}, Max: orb.Point{1.9, 1.9}}
	if r := ix.Search(Query{BBox: &miss, Limit: 10}); r.Matched != 0 {
		t.Fatalf("box in the notch matched %d", r.Matched)
	}
	hit := orb.Bound{Min: orb.Point{0.2, 0.2}, Max: orb.Point{0.4, 0.4}}
	if r := ix.Search(Query{BBox: &hit, Limit: 10}); r.Matched != 1 {
		t.Fatalf("box inside the polygon matched %d", r.Matched)
	}
}

func TestEqualityAndTime(t *testing.T) {
	ix := loadTrafford(t, "trafford_listed_buildings.geojson", "", IndexOptions{TemporalProperty: "ListDate"})
	var gradeI int
	for o := range uint32(ix.Len()) {
		var f struct{ Properties map[string]any }
		if err := json.Unmarshal(ix.Encoded(o), &f); err != nil {
			t.Fatal(err)
		}
		if f.Properties["Grade"] == "I" {
			gradeI++
		}
	}
	r := ix.Search(Query{Equals: []Equal{{Name: "Grade", Key: "I"}}, Limit: 1000})
	if r.Matched != gradeI || gradeI == 0 {
		t.Fatalf("Grade=I matched %d, want %d", r.Matched, gradeI)
	}
	all := ix.Search(Query{Limit: 1})
	iv, err := ParseDatetime("../1900-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if r := ix.Search(Query{Time: &iv, Limit: 1}); r.Matched != 0 {
		t.Fatalf("nothing was listed before 1900, got %d", r.Matched)
	}
	iv, _ = ParseDatetime("1900-01-01/..")
	if r := ix.Search(Query{Time: &iv, Limit: 1}); r.Matched == 0 || r.Matched > all.Matched {
		t.Fatalf("open-ended interval matched %d of %d", r.Matched, all.Matched)
	}
	iv, _ = ParseDatetime("1986-11-17")
	day := ix.Search(Query{Time: &iv, Limit: 1000})
	if day.Matched == 0 {
		t.Fatal("the listing date of the first building matched nothing")
	}
}

func TestDuplicateIDsFail(t *testing.T) {
	_, err := NewIndex(FromSlice([]Feature{{ID: "a", Geometry: orb.Point{0, 0}}, {ID: "a", Geometry: orb.Point{1, 1}}}), IndexOptions{})
	if err == nil {
		t.Fatal("duplicate ids were accepted")
	}
}

func TestReprojectedFeatureKeepsProperties(t *testing.T) {
	ix := loadTrafford(t, "trafford_highways_trees.geojson", "treeID", IndexOptions{})
	o, ok := ix.Lookup("T06522")
	if !ok {
		t.Fatal("T06522 not found")
	}
	out, err := ix.AppendFeature(nil, o, crs.EPSG27700, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := geojson.UnmarshalFeature(out)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	p := f.Geometry.(orb.Point)
	if p[0] < 370000 || p[0] > 385000 || p[1] < 385000 || p[1] > 400000 || f.Properties["species"] != "Tilia cordata" {
		t.Fatalf("reprojected feature %s", out)
	}
}

func TestParseItems(t *testing.T) {
	c := &Collection{ID: "x", TemporalProperty: "", Features: mustIndex(t)}
	for q, field := range map[string]string{
		"limit=0": "limit", "limit=abc": "limit", "offset=-1": "offset", "bbox=1,2,3": "bbox",
		"bbox=3,0,1,1": "bbox", "crs=EPSG:3857": "crs", "bbox-crs=foo": "bbox-crs", "datetime=2020": "datetime",
		"nope=1": "nope", "limit=1&limit=2": "limit", "f=xml": "f", "n=abc": "n",
	} {
		v, _ := url.ParseQuery(q)
		if _, err := ParseItems(v, c); err == nil || !containsField(err, field) {
			t.Errorf("%s: error %v does not name %s", q, err, field)
		}
	}
	v, _ := url.ParseQuery("limit=99999&bbox=-3,53,0,-2,54,10&n=5.0")
	r, err := ParseItems(v, c)
	if err != nil || r.Limit != MaxLimit || r.BBox.Max[1] != 54 || r.Equals[0].Key != "5" {
		t.Fatalf("%+v %v", r, err)
	}
}

func containsField(err error, field string) bool {
	return err != nil && strings.Contains(err.Error(), field)
}

func mustIndex(t testing.TB) *Index {
	var fs []Feature
	for i := range 30 {
		fs = append(fs, Feature{Geometry: orb.Point{float64(i), 0}, Properties: map[string]any{"n": float64(i % 7)}})
	}
	ix, err := NewIndex(FromSlice(fs), IndexOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func FuzzParseItems(f *testing.F) {
	for _, s := range []string{"limit=5&offset=3", "bbox=-2.4,53.3,-2.2,53.5&bbox-crs=EPSG:4326", "datetime=../2020-01-01T00:00:00Z",
		"bbox=380000,390000,381000,391000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/27700", "n=3&f=html", "crs=EPSG:27700"} {
		f.Add(s)
	}
	c := &Collection{ID: "x", TemporalProperty: "t", Features: mustIndexT(f)}
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		r, err := ParseItems(v, c)
		if err != nil {
			return
		}
		if r.Limit < 1 || r.Limit > MaxLimit || r.Offset < 0 || r.BBox != nil && (r.BBox.Min[0] > r.BBox.Max[0] || r.BBox.Min[1] > r.BBox.Max[1]) {
			t.Fatalf("accepted %q as %+v", q, r)
		}
		c.Features.Search(r.Query)
	})
}

func mustIndexT(t testing.TB) *Index {
	var fs []Feature
	for i := range 30 {
		fs = append(fs, Feature{Geometry: orb.Point{-2.3 + float64(i)/100, 53.4}, Properties: map[string]any{
			"n": float64(i % 7), "t": time.Date(2020, 1, i+1, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)}})
	}
	ix, err := NewIndex(FromSlice(fs), IndexOptions{TemporalProperty: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}
