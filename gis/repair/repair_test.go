package repair

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"

	"github.com/jointict/councilapi/internal/geomtest"
)

func mustWKT(t testing.TB, s string) orb.Geometry {
	t.Helper()
	g, err := wkt.Unmarshal(s)
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return g
}

// ruleCases exercise one rule each; want is the repaired geometry as GEOS
// MakeValid gives it (checked against ogr2ogr in TestMatchesOGRMakeValid).
var ruleCases = []struct {
	name, in, want string
	actions        []Action
}{
	{"valid polygon is untouched", "POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((0 0,1 0,1 1,0 1,0 0))", nil},
	{"clockwise exterior rewound", "POLYGON((0 0,0 1,1 1,1 0,0 0))", "POLYGON((0 0,1 0,1 1,0 1,0 0))", []Action{ActionRewound}},
	{"counter-clockwise hole rewound", "POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 2,1 1))",
		"POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,1 2,2 2,2 1,1 1))", []Action{ActionRewound}},
	{"repeated positions removed", "POLYGON((0 0,1 0,1 0,1 0,1 1,0 1,0 0,0 0))", "POLYGON((0 0,1 0,1 1,0 1,0 0))", []Action{ActionRemovedRepeated}},
	{"repeated line positions removed", "LINESTRING(0 0,0 0,1 1,1 1,2 0)", "LINESTRING(0 0,1 1,2 0)", []Action{ActionRemovedRepeated}},
	{"sliver part of a MultiSurface dropped",
		"MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((5 5,5 5,5 5,5 5)))", "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)))", []Action{ActionDroppedPart}},
	{"collinear part dropped", "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((3 3,4 4,5 5,3 3)))", "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)))", []Action{ActionDroppedPart}},
	{"collapsed hole dropped", "POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 2,1 1,1 1))", "POLYGON((0 0,4 0,4 4,0 4,0 0))", []Action{ActionDroppedPart}},
	{"collapsed line of a MultiLineString dropped", "MULTILINESTRING((0 0,1 1),(2 2,2 2))", "MULTILINESTRING((0 0,1 1))", []Action{ActionDroppedPart}},
	{"bow-tie becomes its two lobes", "POLYGON((0 0,2 2,2 0,0 2,0 0))",
		"MULTIPOLYGON(((0 0,1 1,0 2,0 0)),((1 1,2 0,2 2,1 1)))", []Action{ActionRebuilt}},
	{"ring touching itself at a vertex splits", "POLYGON((0 0,4 0,4 4,2 0,0 4,0 0))",
		"MULTIPOLYGON(((0 0,2 0,0 4,0 0)),((2 0,4 0,4 4,2 0)))", []Action{ActionRebuilt}},
	{"spike cut off", "POLYGON((0 0,4 0,4 4,2 4,2 2,2 4,0 4,0 0))", "POLYGON((0 0,4 0,4 4,2 4,0 4,0 0))", []Action{ActionRebuilt}},
	{"hole crossing its exterior", "POLYGON((0 0,4 0,4 4,0 4,0 0),(-1 1,5 1,5 2,-1 2,-1 1))",
		"MULTIPOLYGON(((0 0,4 0,4 1,0 1,0 0)),((4 1,5 1,5 2,4 2,4 1)),((0 2,4 2,4 4,0 4,0 2)),((-1 1,0 1,0 2,-1 2,-1 1)))", []Action{ActionRebuilt}},
	{"overlapping MultiPolygon parts", "MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),((1 1,3 1,3 3,1 3,1 1)))",
		"MULTIPOLYGON(((0 0,2 0,2 1,1 1,1 2,0 2,0 0)),((2 1,3 1,3 3,1 3,1 2,2 2,2 1)))", []Action{ActionRebuilt}},
	{"parts sharing an edge merge", "MULTIPOLYGON(((0 0,2 0,2 2,0 2,0 0)),((2 0,4 0,4 2,2 2,2 0)))",
		"MULTIPOLYGON(((0 0,2 0,4 0,4 2,2 2,0 2,0 0)))", []Action{ActionRebuilt}},
	{"duplicated part kept once", "MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((0 0,1 0,1 1,0 1,0 0)))",
		"MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)))", []Action{ActionRebuilt}},
	{"part in a corner of another merges into it", "MULTIPOLYGON(((0 0,4 0,4 4,0 4,0 0)),((0 0,2 0,2 2,0 2,0 0)))",
		"MULTIPOLYGON(((0 0,2 0,4 0,4 4,0 4,0 2,0 0)))", []Action{ActionRebuilt}},
	{"part inside another becomes a hole", "MULTIPOLYGON(((0 0,4 0,4 4,0 4,0 0)),((1 1,2 1,2 2,1 2,1 1)))",
		"MULTIPOLYGON(((0 0,4 0,4 4,0 4,0 0),(1 1,1 2,2 2,2 1,1 1)))", []Action{ActionRebuilt}},
	{"hole in a hole becomes an island", "POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,3 1,3 3,1 3,1 1),(1.5 1.5,2.5 1.5,2.5 2.5,1.5 2.5,1.5 1.5))",
		"MULTIPOLYGON(((0 0,4 0,4 4,0 4,0 0),(1 1,1 3,3 3,3 1,1 1)),((1.5 1.5,2.5 1.5,2.5 2.5,1.5 2.5,1.5 1.5)))", []Action{ActionRebuilt}},
	{"inverted ring (ESRI) becomes an exterior and a hole touching it", "POLYGON((0 0,4 0,4 4,2 4,3 2,1 2,2 4,0 4,0 0))",
		"POLYGON((0 0,4 0,4 4,2 4,0 4,0 0),(2 4,3 2,1 2,2 4))", []Action{ActionRebuilt}},
	{"hole touching its exterior at a point is valid", "POLYGON((0 0,4 0,4 4,0 4,0 0),(0 0,1 2,2 1,0 0))",
		"POLYGON((0 0,4 0,4 4,0 4,0 0),(0 0,1 2,2 1,0 0))", nil},
	{"hole outside its exterior", "POLYGON((0 0,1 0,1 1,0 1,0 0),(5 5,5 6,6 6,6 5,5 5))",
		"MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((5 5,6 5,6 6,5 6,5 5)))", []Action{ActionRebuilt}},
}

func TestRules(t *testing.T) {
	for _, c := range ruleCases {
		t.Run(c.name, func(t *testing.T) {
			in := mustWKT(t, c.in)
			before := wkt.MarshalString(in)
			got, fixes, err := Geometry(in, Options{})
			if err != nil {
				t.Fatalf("Geometry: %v", err)
			}
			if d := geomtest.Diff(got, mustWKT(t, c.want), 0); d != "" {
				t.Errorf("got %s, want %s: %s", wkt.MarshalString(got), c.want, d)
			}
			if wkt.MarshalString(in) != before {
				t.Error("the input geometry was modified")
			}
			var actions []Action
			for _, f := range fixes {
				actions = append(actions, f.Action)
				if f.Detail == "" {
					t.Errorf("fix %v has no detail", f)
				}
			}
			if strings.Join(toStrings(actions), ",") != strings.Join(toStrings(c.actions), ",") {
				t.Errorf("fixes %+v, want actions %v", fixes, c.actions)
			}
			assertValid(t, got)
		})
	}
}

func toStrings(as []Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = string(a)
	}
	return out
}

// assertValid checks a repaired geometry with the package's own validity
// rules and RFC 7946 winding.
func assertValid(t *testing.T, g orb.Geometry) {
	t.Helper()
	polys := geomtest.Polygons(g)
	if polys == nil {
		return
	}
	if _, problem := invalidity(polys, true); problem != "" {
		t.Errorf("repaired geometry %s is invalid: %s", wkt.MarshalString(g), problem)
	}
	for i, p := range polys {
		for j, r := range p {
			if r[0] != r[len(r)-1] || len(r) < 4 {
				t.Errorf("polygon %d ring %d is not closed: %v", i, j, r)
			}
			if (j == 0) != (SignedArea(r) > 0) {
				t.Errorf("polygon %d ring %d wound against RFC 7946", i, j)
			}
		}
	}
}

func TestClosingRings(t *testing.T) {
	open := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}
	got, fixes, err := Geometry(open, Options{})
	if err != nil || len(fixes) != 1 || fixes[0].Action != ActionClosedRing {
		t.Fatalf("open ring: %v %+v %v", got, fixes, err)
	}
	if d := geomtest.Diff(got, mustWKT(t, "POLYGON((0 0,1 0,1 1,0 1,0 0))"), 0); d != "" {
		t.Errorf("open ring closed as %v: %s", got, d)
	}
	// The last position a rounding error away from the first is moved onto
	// it rather than adding a hair-thin edge.
	nearly := orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {1e-9, 1e-9}}}
	got, fixes, err = Geometry(nearly, Options{CloseTolerance: 1e-7})
	if err != nil || len(fixes) != 1 || !strings.Contains(fixes[0].Detail, "moved onto it") {
		t.Fatalf("nearly closed ring: %v %+v %v", got, fixes, err)
	}
	if r := got.(orb.Polygon)[0]; len(r) != 5 || r[4] != r[0] {
		t.Errorf("nearly closed ring became %v", r)
	}
	got, _, _ = Geometry(nearly, Options{})
	if r := got.(orb.Polygon)[0]; len(r) != 6 {
		t.Errorf("with no tolerance the first position is repeated: %v", r)
	}
}

func TestUnrepairable(t *testing.T) {
	for _, s := range []string{
		"POLYGON((5 5,5 5,5 5,5 5))",
		"POLYGON((0 0,1 1,2 2,0 0))",
		"MULTIPOLYGON(((5 5,5 5,5 5,5 5)),((1 1,2 2,1 1,1 1)))",
		"LINESTRING(1 1,1 1)",
		"MULTILINESTRING((1 1,1 1))",
	} {
		_, _, err := Geometry(mustWKT(t, s), Options{})
		if _, ok := err.(*Unrepairable); !ok {
			t.Errorf("%s: err = %v, want Unrepairable", s, err)
		}
	}
	_, _, err := Geometry(orb.Collection{orb.LineString{{1, 1}, {1, 1}}}, Options{})
	if _, ok := err.(*Unrepairable); !ok {
		t.Errorf("collection of collapsed members: %v", err)
	}
	got, fixes, err := Geometry(orb.Collection{orb.Point{1, 2}, orb.LineString{{1, 1}, {1, 1}}}, Options{})
	if err != nil || len(got.(orb.Collection)) != 1 || fixes[0].Action != ActionDroppedPart || fixes[0].Part != 1 {
		t.Errorf("collection with one collapsed member: %v %+v %v", got, fixes, err)
	}
}

// FuzzRepair feeds rings of arbitrary positions: Geometry must not panic,
// and whatever it returns must be valid and wound as RFC 7946 asks.
func FuzzRepair(f *testing.F) {
	f.Add([]byte{0, 0, 20, 20, 20, 0, 0, 20}, false)
	f.Add([]byte{0, 0, 40, 0, 40, 40, 20, 0, 0, 40}, true)
	f.Add([]byte{5, 5, 5, 5, 5, 5, 5, 5}, false)
	f.Fuzz(func(t *testing.T, b []byte, multi bool) {
		if len(b) > 400 {
			return
		}
		var ring orb.Ring
		for i := 0; i+1 < len(b); i += 2 {
			ring = append(ring, orb.Point{float64(b[i] % 64), float64(b[i+1] % 64)})
		}
		var g orb.Geometry = orb.Polygon{ring}
		if multi && len(ring) > 6 {
			g = orb.MultiPolygon{{ring[:len(ring)/2]}, {ring[len(ring)/2:]}}
		}
		out, _, err := Geometry(g, Options{})
		if err != nil {
			if _, ok := err.(*Unrepairable); !ok {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		assertValid(t, out)
		if !walksAnEdgeTwice(g) {
			assertEvenOdd(t, g, out)
		}
	})
}

// assertEvenOdd checks the repaired area, for rings that share no stretch,
// against the rule MakeValid then follows, computed independently: a point
// is inside when a ray from it crosses the input's rings an odd number of
// times. Probe points sit at irrational
// offsets from the integer grid the fuzzer draws on, so none lies on an edge.
func assertEvenOdd(t *testing.T, in, out orb.Geometry) {
	t.Helper()
	rings := geomtest.Rings(in)
	crossings := func(rs []orb.Ring, p orb.Point) bool {
		odd := false
		for _, r := range rs {
			for i := 0; i < len(r); i++ {
				a, b := r[i], r[(i+1)%len(r)] // unclosed rings close here
				if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0]+(p[1]-a[1])*(b[0]-a[0])/(b[1]-a[1]) {
					odd = !odd
				}
			}
		}
		return odd
	}
	outRings := geomtest.Rings(out)
	for x := 0.0; x < 64; x += 1.0 {
		for y := 0.0; y < 64; y += 1.0 {
			p := orb.Point{x + 0.5 + math.Sqrt2*1e-3, y + 0.5 + math.Pi*1e-3}
			if crossings(rings, p) != crossings(outRings, p) {
				t.Fatalf("at %v: input parity %v, repaired %s says %v", p, crossings(rings, p), wkt.MarshalString(out), !crossings(rings, p))
			}
		}
	}
}
