package cql

import (
	"slices"
	"testing"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/crs"
)

// house is a fixture record: properties as GeoJSON carries them (numbers
// as float64, dates as strings) plus a geometry.
type house struct {
	id    string
	props map[string]any
	geom  orb.Geometry
}

func (h house) Property(name string) (any, bool) { v, ok := h.props[name]; return v, ok }
func (h house) Geometry() orb.Geometry           { return h.geom }

// houses are five buildings in Trafford, shaped after the property
// examples of the CQL2 standard (floors, taxes, owner, material, a pool,
// a construction date, a survey period).
var houses = []house{
	{"1", map[string]any{"floors": 6.0, "taxes": 450.0, "owner": "Mike Jones", "material": "brick", "swimming_pool": true,
		"built": "2011-03-02", "starts_at": "2017-06-10T08:00:00Z", "ends_at": "2017-06-10T17:00:00Z",
		"tags": []any{"listed", "garden"}}, orb.Point{-2.35, 53.42}},
	{"2", map[string]any{"floors": 3.0, "taxes": 700.0, "owner": "Renée Smith", "material": "stone and brick", "swimming_pool": false,
		"built": "2016-07-19", "starts_at": "2017-06-09T08:00:00Z", "ends_at": "2017-06-10T09:00:00Z"}, orb.Point{-2.30, 53.45}},
	{"3", map[string]any{"floors": 2.0, "taxes": 300.0, "owner": "mike brown", "material": "wood", "swimming_pool": true,
		"built": "2014-12-31", "tags": []any{"garden"}}, orb.Point{-2.25, 53.40}},
	{"4", map[string]any{"floors": 8.0, "taxes": 1200.0, "owner": "Bob Jones", "material": "brick", "swimming_pool": false,
		"built": "2012-06-05"}, orb.Polygon{{{-2.20, 53.30}, {-2.10, 53.30}, {-2.10, 53.35}, {-2.20, 53.35}, {-2.20, 53.30}}}},
	{"5", map[string]any{"taxes": 500.0, "owner": nil, "material": "concrete", "swimming_pool": false}, nil},
}

var houseTypes = map[string]Type{"floors": NumberType, "taxes": NumberType, "owner": StringType, "material": StringType,
	"swimming_pool": BooleanType, "built": TimestampType, "starts_at": TimestampType, "ends_at": TimestampType,
	"tags": AnyType, "geometry": GeometryType}

func matching(t *testing.T, e Expr, o Options) []string {
	t.Helper()
	f, err := Compile(e, o)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var ids []string
	for _, h := range houses {
		if f.Match(h) {
			ids = append(ids, h.id)
		}
	}
	return ids
}

// TestStandardExamples runs the examples of the CQL2 standard (OGC 21-065,
// its annex of examples), each restated on the houses, in cql2-text and,
// where given, cql2-json; both must select the same houses.
func TestStandardExamples(t *testing.T) {
	cases := []struct {
		example, text, json string
		want                []string
	}{
		// Example 9: a number greater than a literal.
		{"9", `floors>5`, `{"op":">","args":[{"property":"floors"},5]}`, []string{"1", "4"}},
		// Example 10: less than or equal, the boundary value included.
		{"10", `taxes <= 500`, `{"op":"<=","args":[{"property":"taxes"},500]}`, []string{"1", "3", "5"}},
		// Examples 11 and 12: LIKE with % on either side or at the end; LIKE keeps case.
		{"11", `owner LIKE '%Jones%'`, `{"op":"like","args":[{"property":"owner"},"%Jones%"]}`, []string{"1", "4"}},
		{"12", `owner LIKE 'Mike%'`, "", []string{"1"}},
		// Example 13: NOT LIKE; a null owner is unknown, so not selected.
		{"13", `owner NOT LIKE '%Mike%'`, `{"op":"not","args":[{"op":"like","args":[{"property":"owner"},"%Mike%"]}]}`, []string{"2", "3", "4"}},
		// Example 14: a boolean property against TRUE.
		{"14", `swimming_pool = true`, `{"op":"=","args":[{"property":"swimming_pool"},true]}`, []string{"1", "3"}},
		// Examples 15 to 19: AND, OR, NOT and parentheses.
		{"15", `floors>5 AND swimming_pool=true`, "", []string{"1"}},
		{"16", `swimming_pool=true AND (floors>5 OR material LIKE 'brick%' OR material LIKE '%brick')`, "", []string{"1"}},
		{"17", `(floors>5 AND material='brick') OR swimming_pool=true`,
			`{"op":"or","args":[{"op":"and","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"=","args":[{"property":"material"},"brick"]}]},{"op":"=","args":[{"property":"swimming_pool"},true]}]}`,
			[]string{"1", "3", "4"}},
		{"18", `NOT (floors<5) OR swimming_pool=true`, "", []string{"1", "3", "4"}},
		{"19", `(owner LIKE 'mike%' OR owner LIKE 'Mike%') AND floors<4`, "", []string{"3"}},
		// Examples 20 and 21: T_BEFORE and T_AFTER against a DATE; a house
		// built on the day itself is neither.
		{"20", `T_BEFORE(built, DATE('2015-01-01'))`, `{"op":"t_before","args":[{"property":"built"},{"date":"2015-01-01"}]}`, []string{"1", "3", "4"}},
		{"21", `T_AFTER(built,DATE('2012-06-05'))`, "", []string{"2", "3"}},
		// Example 22: an interval built from two properties, during a literal interval.
		{"22", `T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2017-06-10T07:30:00Z', '2017-06-11T10:30:00Z'))`,
			`{"op":"t_during","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["2017-06-10T07:30:00Z","2017-06-11T10:30:00Z"]}]}`,
			[]string{"1"}},
		// Example 23: S_WITHIN a BBOX.
		{"23", `S_WITHIN(geometry,BBOX(-2.36,53.41,-2.29,53.46))`, `{"op":"s_within","args":[{"property":"geometry"},{"bbox":[-2.36,53.41,-2.29,53.46]}]}`, []string{"1", "2"}},
		// Example 24: S_INTERSECTS a triangle; the polygon house overlaps it.
		{"24", `S_INTERSECTS(geometry,POLYGON((-2.3 53.2,-2.0 53.2,-2.15 53.33,-2.3 53.2)))`,
			`{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[-2.3,53.2],[-2.0,53.2],[-2.15,53.33],[-2.3,53.2]]]}]}`,
			[]string{"4"}},
		// Example 25: a comparison and a spatial function together.
		{"25", `floors>5 AND S_WITHIN(geometry,BBOX(-2.36,53.41,-2.29,53.46))`, "", []string{"1"}},
		// Example 5b and clause 7's IN and NOT IN on numbers.
		{"5b", `floors IN (2,3)`, `{"op":"in","args":[{"property":"floors"},[2,3]]}`, []string{"2", "3"}},
		{"7.3b", `floors NOT IN (2,3)`, "", []string{"1", "4"}},
		// Clause 7's BETWEEN, bounds included.
		{"7.2", `taxes BETWEEN 450 and 700`, `{"op":"between","args":[{"property":"taxes"},450,700]}`, []string{"1", "2", "5"}},
		// Example 41 and 42: IS NULL and IS NOT NULL; a missing property is null too.
		{"41", `owner IS NULL`, `{"op":"isNull","args":[{"property":"owner"}]}`, []string{"5"}},
		{"42", `floors IS NOT NULL`, "", []string{"1", "2", "3", "4"}},
		// Clause 7.19: arithmetic inside a comparison.
		{"7.19", `floors > (taxes / 100 - 3)`, `{"op":">","args":[{"property":"floors"},{"op":"-","args":[{"op":"/","args":[{"property":"taxes"},100]},3]}]}`, []string{"1", "3"}},
		// Examples 26–28: CASEI and ACCENTI on both sides.
		{"28", `CASEI(owner) LIKE CASEI('%MIKE%')`, `{"op":"like","args":[{"op":"casei","args":[{"property":"owner"}]},{"op":"casei","args":["%MIKE%"]}]}`, []string{"1", "3"}},
		{"27", `ACCENTI(owner) = ACCENTI('Renee Smith')`, "", []string{"2"}},
		{"26", `CASEI(material) IN (CASEI('BRICK'),CASEI('Wood'))`, "", []string{"1", "3", "4"}},
		// Example 29: a double-quoted property name.
		{"29", `"owner" = 'Bob Jones'`, "", []string{"4"}},
		// Example 56: an interval open at the start, disjoint from the survey.
		{"56", `T_DISJOINT(INTERVAL('..', '2005-01-10T01:01:01.393216Z'), INTERVAL(starts_at, ends_at))`, "", []string{"1", "2"}},
		// Examples 79–82: array functions.
		{"80", `A_CONTAINS(tags, ('garden', 'listed'))`, `{"op":"a_contains","args":[{"property":"tags"},["garden","listed"]]}`, []string{"1"}},
		{"82", `A_OVERLAPS(tags, ('garden', 'annex'))`, "", []string{"1", "3"}},
		// Example 85: unary minus and operator precedence.
		{"85", `taxes = - floors * -75`, "", []string{"1"}},
		// Example 86: CASEI on the pattern only folds the pattern.
		{"86", `owner LIKE CASEI('MIKE%')`, "", []string{"3"}},
	}
	o := Options{Properties: houseTypes}
	for _, c := range cases {
		e, err := ParseText(c.text)
		if err != nil {
			t.Errorf("example %s: %v", c.example, err)
			continue
		}
		if got := matching(t, e, o); !slices.Equal(got, c.want) {
			t.Errorf("example %s (text) %s: got %v, want %v", c.example, c.text, got, c.want)
		}
		if c.json == "" {
			continue
		}
		j, err := ParseJSON([]byte(c.json))
		if err != nil {
			t.Errorf("example %s json: %v", c.example, err)
			continue
		}
		if got := matching(t, j, o); !slices.Equal(got, c.want) {
			t.Errorf("example %s (json): got %v, want %v", c.example, got, c.want)
		}
	}
}

// TestFilterCRS reads a geometry literal in British National Grid, as a
// filter-crs=EPSG:27700 request sends it, through the transform hook.
func TestFilterCRS(t *testing.T) {
	o := Options{Properties: houseTypes, GeometryLiteral: func(g orb.Geometry, _ string) (orb.Geometry, error) {
		return crs.TransformGeometry(g, crs.EPSG27700, crs.CRS84)
	}}
	// House 1 (-2.35, 53.42) lies at about E 376837, N 391522.
	e, err := ParseText(`S_INTERSECTS(geometry, POLYGON((376000 391000, 378000 391000, 378000 392000, 376000 392000, 376000 391000)))`)
	if err != nil {
		t.Fatal(err)
	}
	if got := matching(t, e, o); !slices.Equal(got, []string{"1"}) {
		t.Errorf("National Grid polygon: got %v, want [1]", got)
	}
	if got := matching(t, e, Options{Properties: houseTypes}); len(got) != 0 {
		t.Errorf("without the transform the metres are read as degrees and match nothing, got %v", got)
	}
	f, _ := Compile(e, o)
	if b, ok := f.Bound(); !ok || !b.Contains(orb.Point{-2.35, 53.42}) {
		t.Errorf("the candidate box should be the transformed literal's, got %v %v", b, ok)
	}
	outside, _ := ParseText(`S_INTERSECTS(geometry, POINT(-5000 100000))`)
	if _, err := Compile(outside, o); err == nil {
		t.Error("a National Grid point outside OSTN15 should be refused at compile time")
	}
}

func TestCompileErrors(t *testing.T) {
	o := Options{Properties: houseTypes}
	for text, want := range map[string]string{
		`flors > 5`:                           `unknown property "flors": the queryables are built, ends_at, floors`,
		`floors = 'five'`:                     `the property floors is a number; compare it with a number such as 5, not the string 'five'`,
		`owner LIKE 5`:                        `the pattern of LIKE must be a quoted string, not the number 5`,
		`floors LIKE '5%'`:                    `LIKE matches text, but the property floors is a number`,
		`geometry = 'x'`:                      `the property geometry is a geometry: compare geometries with S_INTERSECTS`,
		`S_TOUCHES(geometry, POINT(1 2))`:     `S_TOUCHES is not supported: use S_INTERSECTS, S_DISJOINT, S_WITHIN, S_CONTAINS or S_EQUALS`,
		`S_INTERSECTS(floors, POINT(1 2))`:    `S_INTERSECTS compares geometries, but the property floors is a number`,
		`T_AFTER(floors, DATE('2020-01-01'))`: `T_AFTER compares times, but the property floors is a number`,
		`Buffer(geometry, 10) = TRUE`:         `the function Buffer is not supported`,
		`built > 'last year'`:                 `the property built is a date or time; compare it with DATE('2024-05-01')`,
	} {
		e, err := ParseText(text)
		if err != nil {
			t.Errorf("%s: parse: %v", text, err)
			continue
		}
		_, err = Compile(e, o)
		if err == nil || !startsWith(err.Error(), want) {
			t.Errorf("%s:\n got %v\nwant %s...", text, err, want)
		}
	}
}

func startsWith(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }

func TestCandidateHints(t *testing.T) {
	o := Options{Properties: houseTypes}
	e, _ := ParseText(`material = 'brick' AND (S_INTERSECTS(geometry, BBOX(0,0,1,1)) OR S_WITHIN(geometry, BBOX(2,2,3,3))) AND floors > 1`)
	f, err := Compile(e, o)
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := f.Bound(); !ok || b != (orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{3, 3}}) {
		t.Errorf("bound: %v %v", b, ok)
	}
	if eq := f.Equalities(); len(eq) != 1 || eq[0] != (Equality{"material", "brick"}) {
		t.Errorf("equalities: %v", eq)
	}
	e, _ = ParseText(`S_INTERSECTS(geometry, BBOX(0,0,1,1)) OR floors > 1`)
	f, _ = Compile(e, o)
	if _, ok := f.Bound(); ok {
		t.Error("an OR with a branch without a box gives no box")
	}
}
