package repair

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"

	"github.com/jointict/councilapi/internal/geomtest"
)

// makeValidOGR runs ogr2ogr -makevalid (GEOS MakeValid) over geometries and
// returns its output by input index; features GDAL could not repair are
// missing.
func makeValidOGR(t *testing.T, in []orb.Geometry) map[int]orb.Geometry {
	t.Helper()
	fc := geojson.NewFeatureCollection()
	for i, g := range in {
		f := geojson.NewFeature(g)
		f.ID = i
		fc.Append(f)
	}
	src := filepath.Join(t.TempDir(), "in.geojson")
	b, _ := json.Marshal(fc)
	if err := os.WriteFile(src, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := map[int]orb.Geometry{}
	for _, f := range geomtest.OGR(t, src, "-makevalid") {
		id, _ := f.ID.(float64)
		out[int(id)] = f.Geometry
	}
	return out
}

// TestMatchesOGRMakeValid checks every rule case and a few hundred random
// self-crossing polygons against GDAL's MakeValid, within 1e-6.
//
// Where GEOS's own arithmetic leaves a sliver of no width in its answer
// (two crossing points a rounding apart), GEOS's answer is not a valid
// polygon to compare with; those few are only checked for validity.
func TestMatchesOGRMakeValid(t *testing.T) {
	var in []orb.Geometry
	var names []string
	for _, c := range ruleCases {
		g := mustWKT(t, c.in)
		switch g.(type) {
		case orb.Polygon, orb.MultiPolygon:
			in, names = append(in, g), append(names, c.name)
		}
	}
	rng := rand.New(rand.NewPCG(12, 7))
	for i := 0; i < 300; i++ {
		in = append(in, randomPolygonal(rng, i))
		names = append(names, fmt.Sprintf("random %d", i))
	}
	want := makeValidOGR(t, in)
	compared := 0
	for i, g := range in {
		got, _, err := Geometry(g, Options{})
		w, ok := want[i]
		if !ok {
			continue // GEOS failed too
		}
		if err != nil {
			if _, polygonal := w.(orb.MultiPolygon); polygonal {
				t.Errorf("%s: %s: %v, but GDAL made %s", names[i], wkt.MarshalString(g), err, wkt.MarshalString(w))
			}
			continue
		}
		assertValid(t, got)
		if hasSliver(w) {
			continue
		}
		if d := geomtest.Diff(got, polygonalPart(w), 1e-6); d != "" {
			t.Errorf("%s: %s\n got %s\nwant %s\n%s", names[i], wkt.MarshalString(g), wkt.MarshalString(got), wkt.MarshalString(w), d)
		}
		compared++
	}
	if compared < 250 {
		t.Errorf("only %d of %d geometries compared with GDAL", compared, len(in))
	}
}

// hasSliver reports whether a GEOS answer holds a ring of next to no area.
func hasSliver(g orb.Geometry) bool {
	for _, r := range geomtest.Rings(polygonalPart(g)) {
		if math.Abs(SignedArea(r)) < 1e-9 {
			return true
		}
	}
	return false
}

// walksAnEdgeTwice reports whether, once noded (and closed), some stretch
// of g's rings is used more than once.
func walksAnEdgeTwice(g orb.Geometry) bool {
	var segs []seg
	for _, r := range geomtest.Rings(g) {
		if len(r) > 0 && r[0] != r[len(r)-1] {
			r = append(append(orb.Ring(nil), r...), r[0])
		}
		for i := 0; i+1 < len(r); i++ {
			if r[i] != r[i+1] {
				segs = append(segs, seg{r[i], r[i+1]})
			}
		}
	}
	seen := map[seg]bool{}
	for _, s := range node(segs, newSnapper(1e-9)) {
		if less(s.b, s.a) {
			s.a, s.b = s.b, s.a
		}
		if seen[s] {
			return true
		}
		seen[s] = true
	}
	return false
}

// polygonalPart drops the lines and points GEOS keeps from collapsed
// pieces, which this package drops by design.
func polygonalPart(g orb.Geometry) orb.Geometry {
	c, ok := g.(orb.Collection)
	if !ok {
		return g
	}
	var mp orb.MultiPolygon
	for _, m := range c {
		switch m := m.(type) {
		case orb.Polygon:
			mp = append(mp, m)
		case orb.MultiPolygon:
			mp = append(mp, m...)
		}
	}
	return mp
}

// randomPolygonal draws rings whose positions are random, so most cross
// themselves; a third use a coarse grid so positions coincide and edges
// overlap, and some are MultiPolygons of overlapping rings.
func randomPolygonal(rng *rand.Rand, i int) orb.Geometry {
	ring := func() orb.Ring {
		n := 3 + rng.IntN(8)
		r := make(orb.Ring, 0, n+1)
		for j := 0; j < n; j++ {
			x, y := rng.Float64()*10, rng.Float64()*10
			if i%3 == 0 {
				x, y = math.Round(x), math.Round(y)
			}
			p := orb.Point{x, y}
			if len(r) > 0 && r[len(r)-1] == p {
				continue
			}
			r = append(r, p)
		}
		return append(r, r[0])
	}
	switch i % 4 {
	case 3:
		return orb.MultiPolygon{{ring()}, {ring()}}
	case 2:
		return orb.Polygon{ring(), ring()}
	}
	return orb.Polygon{ring()}
}
