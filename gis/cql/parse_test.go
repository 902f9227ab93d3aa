package cql

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
)

// TestTextAndJSONAgree parses the same filters, written as the CQL2
// standard's examples write them, in both encodings: the trees must be
// equal, so one evaluator serves both.
func TestTextAndJSONAgree(t *testing.T) {
	pairs := []struct{ text, json string }{
		{`landsat:scene_id = 'LC82030282019133LGN00'`, `{"op":"=","args":[{"property":"landsat:scene_id"},"LC82030282019133LGN00"]}`},
		{`eo:cloud_cover BETWEEN 0.1 AND 0.2 AND landsat:wrs_row=28 AND landsat:wrs_path=203`,
			`{"op":"and","args":[{"op":"between","args":[{"property":"eo:cloud_cover"},0.1,0.2]},{"op":"=","args":[{"property":"landsat:wrs_row"},28]},{"op":"=","args":[{"property":"landsat:wrs_path"},203]}]}`},
		{`category NOT IN (1,2,3,4)`, `{"op":"not","args":[{"op":"in","args":[{"property":"category"},[1,2,3,4]]}]}`},
		{`CASEI(road_class) IN (CASEI('Οδος'),CASEI('Straße'))`,
			`{"op":"in","args":[{"op":"casei","args":[{"property":"road_class"}]},[{"op":"casei","args":["Οδος"]},{"op":"casei","args":["Straße"]}]]}`},
		{`updated >= date('1970-01-01')`, `{"op":">=","args":[{"property":"updated"},{"date":"1970-01-01"}]}`},
		{`T_DURING(INTERVAL(touchdown, liftOff), INTERVAL('1969-07-16T13:32:00Z', '1969-07-24T16:50:35Z'))`,
			`{"op":"t_during","args":[{"interval":[{"property":"touchdown"},{"property":"liftOff"}]},{"interval":["1969-07-16T13:32:00Z","1969-07-24T16:50:35Z"]}]}`},
		{`A_CONTAINS(layer:ids, ('layers-ca','layers-us'))`, `{"op":"a_contains","args":[{"property":"layer:ids"},["layers-ca","layers-us"]]}`},
		{`S_INTERSECTS("geometry", BBOX(-128.098193, -1.1, -99999.0, 180.0, 90.0, 100000.0))`,
			`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-128.098193,-1.1,-99999.0,180.0,90.0,100000.0]}]}`},
		{`S_INTERSECTS(geometry,POINT(36.319836 32.288087))`, `{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[36.319836,32.288087]}]}`},
		{`Foo("geometry") = TRUE`, `{"op":"=","args":[{"op":"Foo","args":[{"property":"geometry"}]},true]}`},
		{`1 = ("foo" div 2)`, `{"op":"=","args":[1,{"op":"div","args":[{"property":"foo"},2]}]}`},
		{`"value" = ((((-1 * "foo") * 2.0) + ("bar" / 6.1234)) - ("x" ^ 2.0))`,
			`{"op":"=","args":[{"property":"value"},{"op":"-","args":[{"op":"+","args":[{"op":"*","args":[{"op":"*","args":[-1,{"property":"foo"}]},2.0]},{"op":"/","args":[{"property":"bar"},6.1234]}]},{"op":"^","args":[{"property":"x"},2.0]}]}]}`},
		// Precedence without parentheses gives the same tree as example 85's parenthesised form.
		{`value = - foo * 2.0 + "bar" / 6.1234 - "x" ^ 2.0`,
			`{"op":"=","args":[{"property":"value"},{"op":"-","args":[{"op":"+","args":[{"op":"*","args":[{"op":"*","args":[-1,{"property":"foo"}]},2.0]},{"op":"/","args":[{"property":"bar"},6.1234]}]},{"op":"^","args":[{"property":"x"},2.0]}]}]}`},
		{`"name" LIKE CASEI('FOO%')`, `{"op":"like","args":[{"property":"name"},{"op":"casei","args":["FOO%"]}]}`},
		{`"value" IS NOT NULL`, `{"op":"not","args":[{"op":"isNull","args":[{"property":"value"}]}]}`},
		{`S_WITHIN(POLYGON Z ((-49.88 0.5 -75993.3, -1.5 -0.99 -100000.0, 0.0 0.5 -0.33, -49.88 0.5 -75993.3)), "geometry")`,
			`{"op":"s_within","args":[{"type":"Polygon","coordinates":[[[-49.88,0.5],[-1.5,-0.99],[0.0,0.5],[-49.88,0.5]]]},{"property":"geometry"}]}`},
		{`S_EQUALS(MULTIPOINT ((180.0 -0.5), (179.0 -47.121701)), "geometry")`,
			`{"op":"s_equals","args":[{"type":"MultiPoint","coordinates":[[180.0,-0.5],[179.0,-47.121701]]},{"property":"geometry"}]}`},
		{`T_STARTS(INTERVAL(starts_at, ends_at), INTERVAL('1991-10-07T08:21:06.393262Z', '..'))`,
			`{"op":"t_starts","args":[{"interval":[{"property":"starts_at"},{"property":"ends_at"}]},{"interval":["1991-10-07T08:21:06.393262Z",".."]}]}`},
	}
	for _, p := range pairs {
		a, err := ParseText(p.text)
		if err != nil {
			t.Errorf("%s: %v", p.text, err)
			continue
		}
		b, err := ParseJSON([]byte(p.json))
		if err != nil {
			t.Errorf("%s: %v", p.json, err)
			continue
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s\n text: %#v\n json: %#v", p.text, a, b)
		}
	}
}

func TestTextForms(t *testing.T) {
	day := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]Expr{
		// Keywords in any case, != for <>, the legacy ILIKE and BBOX forms.
		`a = 1 and not b <> 'x'`: And{[]Expr{Compare{"=", Property{"a"}, Number(1)}, Not{Compare{"<>", Property{"b"}, String("x")}}}},
		`a != 1`:                 Compare{"<>", Property{"a"}, Number(1)},
		`AnyText ILIKE '%x%'`:    Like{Call{"casei", []Expr{Property{"AnyText"}}}, Call{"casei", []Expr{String("%x%")}}},
		`BBOX(ows:BoundingBox, -2.4, 53.4, -2.3, 53.5, 'urn:ogc:def:crs:EPSG::4326')`: Call{"s_intersects", []Expr{Property{"ows:BoundingBox"},
			Geometry{orb.Bound{Min: orb.Point{-2.4, 53.4}, Max: orb.Point{-2.3, 53.5}}, "urn:ogc:def:crs:EPSG::4326"}}},
		`t_before(built, DATE('2015-01-01'))`: Call{"t_before", []Expr{Property{"built"}, Date{day}}},
		`"and" = 'it''s'`:                     Compare{"=", Property{"and"}, String("it's")},
		`x = -1.5e3`:                          Compare{"=", Property{"x"}, Number(-1500)},
		// A box across the antimeridian becomes two.
		`S_INTERSECTS(geometry, BBOX(170, -10, -170, 10))`: Call{"s_intersects", []Expr{Property{"geometry"}, Geometry{G: orb.MultiPolygon{
			orb.Bound{Min: orb.Point{170, -10}, Max: orb.Point{180, 10}}.ToPolygon(),
			orb.Bound{Min: orb.Point{-180, -10}, Max: orb.Point{-170, 10}}.ToPolygon()}}}},
		`S_INTERSECTS(geometry, POINT EMPTY)`:                                          Call{"s_intersects", []Expr{Property{"geometry"}, Geometry{G: orb.Collection{}}}},
		`S_INTERSECTS(geometry, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(0 0, 1 1)))`: Call{"s_intersects", []Expr{Property{"geometry"}, Geometry{G: orb.Collection{orb.Point{1, 2}, orb.LineString{{0, 0}, {1, 1}}}}}},
		`S_INTERSECTS(geometry, MULTIPOINT(1 2, 3 4))`:                                 Call{"s_intersects", []Expr{Property{"geometry"}, Geometry{G: orb.MultiPoint{{1, 2}, {3, 4}}}}},
	}
	for text, want := range cases {
		got, err := ParseText(text)
		if err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got %#v\nwant %#v", text, got, want)
		}
	}
}

// TestSyntaxErrors checks that an error names the character where the
// filter went wrong and what would have been right there.
func TestSyntaxErrors(t *testing.T) {
	cases := map[string]string{
		`floors >`:                   `at character 9: expected a value after '>', found the end of the filter`,
		`floors > 5 AND`:             `at character 15: expected a condition after AND, found the end of the filter`,
		`owner LIKE 'Mike`:           `at character 12: unterminated string: add the closing '`,
		`floors = 5 5`:               `at character 12: expected AND, OR or the end of the filter, found 5`,
		`(floors = 5`:                `at character 12: expected ')' to close the parenthesis, found the end of the filter`,
		`floors ~ 5`:                 `at character 8: unexpected character '~'`,
		`floors`:                     `at character 1: expected a condition (such as floors > 5), found a value`,
		`owner IS 5`:                 `at character 10: expected NULL or NOT NULL after IS, found 5`,
		`taxes BETWEEN 1 OR 2`:       `at character 17: expected AND between the bounds of BETWEEN, found OR`,
		`built = DATE('2015-13-01')`: `at character 14: DATE needs YYYY-MM-DD, not '2015-13-01'`,
		`S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))`:       `at character 33: the polygon ring is not closed: repeat its first point (0 0) at the end`,
		`S_INTERSECTS(geometry, POINT(1))`:                            `at character 31: expected a number as a coordinate of the POINT, found ')'`,
		`S_INTERSECTS(geometry, BBOX(1, 2, 3))`:                       `at character 29: a BBOX needs 4 numbers (x1, y1, x2, y2) or 6 with heights, not 3`,
		`a = 1 AND like = 2`:                                          `at character 11: expected a property, a literal or a function, found the keyword like (write "like" for a property of that name)`,
		`Straße = 'ü' AND x ~`:                                        `at character 20: unexpected character '~'`,
		"title = 1 AND \x83 = 1":                                      `at character 15: the filter is not valid UTF-8`,
		strings.Repeat("(", 101) + "a = 1" + strings.Repeat(")", 101): `at character 101: the filter nests parentheses, functions or operators more than 100 deep`,
		`x IN ('a' 'b')`:                                              `at character 11: expected ',' or ')' in the list, found the string 'b'`,
	}
	for text, want := range cases {
		_, err := ParseText(text)
		var e *Error
		if !errors.As(err, &e) || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", text, err, want)
		}
	}
}

// TestNotUTF8InString keeps CSW's old fix: a byte that is not UTF-8
// inside a LIKE pattern stands for U+FFFD rather than failing or panicking.
func TestNotUTF8InString(t *testing.T) {
	e, err := ParseText("AnYTeXt LIKE'\x83'")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Compile(e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(house{props: map[string]any{"AnYTeXt": "\ufffd"}}) || f.Match(house{props: map[string]any{"AnYTeXt": "x"}}) {
		t.Error("the invalid byte should match U+FFFD and nothing else")
	}
}

func TestJSONErrors(t *testing.T) {
	cases := map[string]string{
		`{"op":"=","args":[{"property":"floors"}]}`:                            `at /args: = takes 2 arguments, not 1`,
		`{"op":"and","args":[{"op":"=","args":[1,1]},5]}`:                      `at /args/1: and needs conditions, found a value`,
		`{"op":">","args":[{"property":"built"},{"date":"x"}]}`:                `at /args/1/date: 'x' is not a date (YYYY-MM-DD)`,
		`{"op":"in","args":[{"property":"a"},"b"]}`:                            `at /args/1: the second argument of in must be an array`,
		`{"op":"s_intersects","args":[{"property":"g"},{"bbox":[1,2,"x",4]}]}`: `at /args/1/bbox/2: a bbox holds numbers only`,
		`{"property":"floors"}`:                                                `at /: expected a condition such as {"op": ">", "args": [{"property": "floors"}, 5]}, found a value`,
		`{"op":"=","args":[{"prop":"a"},1]}`:                                   `at /args/0: expected an object with op, property, timestamp, date, interval, bbox or a GeoJSON geometry, found the member(s) prop`,
		`{"op":"=","args":[1,1]} x`:                                            `the filter has more than one JSON value`,
	}
	for text, want := range cases {
		_, err := ParseJSON([]byte(text))
		if err == nil || err.Error() != want {
			t.Errorf("%s:\n got %v\nwant %s", text, err, want)
		}
	}
	if _, err := ParseJSON([]byte(`{"op":`)); err == nil || !strings.HasPrefix(err.Error(), "the filter is not JSON") {
		t.Errorf("truncated JSON: %v", err)
	}
}
