package cql

import (
	"testing"

	"github.com/paulmach/orb"
)

func TestSpatialFunctions(t *testing.T) {
	// A 10 x 10 park with a 2 x 2 pond (a hole) in the middle.
	park := orb.Polygon{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{4, 4}, {6, 4}, {6, 6}, {4, 6}, {4, 4}},
	}
	lshape := orb.Polygon{{{0, 0}, {10, 0}, {10, 2}, {2, 2}, {2, 10}, {0, 10}, {0, 0}}}
	cases := []struct {
		name string
		fn   string
		a, b orb.Geometry
		want bool
	}{
		{"point inside", "s_intersects", orb.Point{1, 1}, park, true},
		{"point in the hole", "s_intersects", orb.Point{5, 5}, park, false},
		{"point on the edge", "s_intersects", orb.Point{10, 5}, park, true},
		{"point outside", "s_disjoint", orb.Point{11, 5}, park, true},
		{"line crossing with no vertex inside", "s_intersects", orb.LineString{{-1, 5}, {11, 5}}, orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}, true},
		{"line passing by", "s_intersects", orb.LineString{{-1, 11}, {11, 11}}, park, false},
		{"box around the whole park", "s_intersects", orb.Bound{Min: orb.Point{-1, -1}, Max: orb.Point{11, 11}}, park, true},
		{"box inside the pond", "s_intersects", orb.Bound{Min: orb.Point{4.5, 4.5}, Max: orb.Point{5.5, 5.5}}, park, false},
		{"crossing lines", "s_intersects", orb.LineString{{0, 0}, {2, 2}}, orb.LineString{{0, 2}, {2, 0}}, true},
		{"parallel lines", "s_intersects", orb.LineString{{0, 0}, {2, 0}}, orb.LineString{{0, 1}, {2, 1}}, false},
		{"multipoint, one inside", "s_intersects", orb.MultiPoint{{20, 20}, {1, 1}}, park, true},
		{"collection", "s_intersects", orb.Collection{orb.Point{20, 20}, orb.LineString{{9, 9}, {12, 12}}}, park, true},
		{"point within", "s_within", orb.Point{1, 1}, park, true},
		{"polygon within", "s_within", orb.Bound{Min: orb.Point{1, 1}, Max: orb.Point{3, 3}}, park, true},
		{"polygon around the pond is not within", "s_within", orb.Bound{Min: orb.Point{3, 3}, Max: orb.Point{7, 7}}, park, false},
		{"polygon sticking out", "s_within", orb.Bound{Min: orb.Point{8, 8}, Max: orb.Point{12, 12}}, park, false},
		{"line leaving a concave polygon between vertices", "s_within", orb.LineString{{1, 9}, {9, 1}}, lshape, false},
		{"line inside a concave polygon", "s_within", orb.LineString{{1, 9}, {1, 1}, {9, 1}}, lshape, true},
		{"contains", "s_contains", park, orb.LineString{{1, 1}, {3, 1}}, true},
		{"line on a line", "s_within", orb.LineString{{1, 0}, {3, 0}}, orb.LineString{{0, 0}, {10, 0}}, true},
		{"equals, other start vertex", "s_equals", orb.Polygon{{{10, 0}, {10, 10}, {0, 10}, {0, 0}, {10, 0}}}, orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}, true},
		{"not equal", "s_equals", orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 9}}, orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{10, 10}}, false},
		{"points equal", "s_equals", orb.Point{1, 2}, orb.Point{1, 2}, true},
		{"empty intersects nothing", "s_intersects", orb.Collection{}, park, false},
	}
	for _, c := range cases {
		if got := spatial(c.fn, c.a, c.b); got != c.want {
			t.Errorf("%s: %s = %v, want %v", c.name, c.fn, got, c.want)
		}
	}
}

func TestTemporalFunctions(t *testing.T) {
	day := func(s string) span { v, _ := temporalString(s); return v }
	iv := func(a, b string) span { return span{day(a).lo, day(b).hi} }
	cases := []struct {
		fn   string
		a, b span
		want bool
	}{
		{"t_before", day("2020-01-01"), day("2020-01-02"), true},
		{"t_after", day("2020-01-02"), day("2020-01-01"), true},
		{"t_meets", iv("2020-01-01", "2020-01-31"), iv("2020-02-01", "2020-02-28"), true},
		{"t_metby", iv("2020-02-01", "2020-02-28"), iv("2020-01-01", "2020-01-31"), true},
		{"t_intersects", day("2020-01-15T10:00:00Z"), iv("2020-01-01", "2020-01-31"), true},
		{"t_during", day("2020-01-15T10:00:00Z"), iv("2020-01-01", "2020-01-31"), true},
		{"t_contains", iv("2020-01-01", "2020-01-31"), day("2020-01-15"), true},
		{"t_overlaps", iv("2020-01-01", "2020-01-20"), iv("2020-01-10", "2020-01-31"), true},
		{"t_overlappedby", iv("2020-01-10", "2020-01-31"), iv("2020-01-01", "2020-01-20"), true},
		{"t_starts", iv("2020-01-01", "2020-01-10"), iv("2020-01-01", "2020-01-31"), true},
		{"t_startedby", iv("2020-01-01", "2020-01-31"), iv("2020-01-01", "2020-01-10"), true},
		{"t_finishes", iv("2020-01-20", "2020-01-31"), iv("2020-01-01", "2020-01-31"), true},
		{"t_finishedby", iv("2020-01-01", "2020-01-31"), iv("2020-01-20", "2020-01-31"), true},
		{"t_equals", day("2020-01-01"), day("2020-01-01"), true},
		{"t_disjoint", day("2020-01-01"), day("2020-01-02"), true},
		{"t_intersects", day("2020-01-01"), day("2020-01-02"), false},
		{"t_during", iv("2020-01-01", "2020-01-31"), iv("2020-01-01", "2020-01-31"), false},
	}
	for _, c := range cases {
		if got := temporal(c.fn, c.a, c.b); got != c.want {
			t.Errorf("%s(%v, %v) = %v, want %v", c.fn, c.a, c.b, got, c.want)
		}
	}
}

func TestLikePatterns(t *testing.T) {
	cases := []struct {
		pattern, text string
		want          bool
	}{
		{"%tree%", "Street trees", true},
		{"tree%", "Street trees", false},
		{"_ee", "tee", true},
		{"_ee", "ée", false},
		{"_é", "bé", true},
		{`100\%`, "100%", true},
		{`100\%`, "1000", false},
		{`a\_b`, "a_b", true},
		{`a\_b`, "axb", false},
		{"%a%b%c%", "xaybzc", true},
		{"%a%b%c%", "xaybz", false},
		{"", "", true},
		{"%", "", true},
	}
	for _, c := range cases {
		if got := compileLike(c.pattern).match(c.text); got != c.want {
			t.Errorf("%q LIKE %q = %v, want %v", c.text, c.pattern, got, c.want)
		}
	}
	if got := LikeFromWildcards(`*100!%*_?`, "*", "?", "!"); got != `%100\%%\__` {
		t.Errorf("Filter Encoding wildcards: %q", got)
	}
}
