package cql

import "testing"

// FuzzParseText checks that no cql2-text input panics the parser, the
// compiler or the evaluator.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{`floors>5 AND swimming_pool=true`, `owner NOT LIKE '%Mike%'`,
		`S_INTERSECTS(geometry,POLYGON((-2.3 53.2,-2.0 53.2,-2.15 53.33,-2.3 53.2)))`,
		`T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2017-06-10T07:30:00Z', '..'))`,
		`CASEI(owner) IN (CASEI('a'), 'b') OR taxes BETWEEN 1 AND -2e3 / floors`,
		`BBOX(ows:BoundingBox, -2.4, 53.4, -2.3, 53.5, 'urn:ogc:def:crs:EPSG::4326')`, "AnYTeXt LIKE'\x83'", `(((`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseText(s)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%q: error %T is not *Error", s, err)
			}
			return
		}
		evaluate(t, e)
	})
}

// FuzzParseJSON does the same for cql2-json.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"op":">","args":[{"property":"floors"},5]}`,
		`{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-2.36,53.41,-2.29,53.46]}]}`,
		`{"op":"t_during","args":[{"interval":[{"property":"starts_at"},".."]},{"interval":["2017-06-10","2017-06-11T10:30:00Z"]}]}`,
		`{"op":"s_within","args":[{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},{"property":"geometry"}]}`,
		`{"op":"a_overlaps","args":[{"property":"tags"},["garden",{"op":"casei","args":["X"]}]]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseJSON(b)
		if err != nil {
			return
		}
		evaluate(t, e)
	})
}

func evaluate(t *testing.T, e Expr) {
	for _, o := range []Options{{}, {Properties: houseTypes}} {
		flt, err := Compile(e, o)
		if err != nil {
			continue
		}
		for _, h := range houses {
			flt.Match(h)
		}
		flt.Bound()
	}
}
