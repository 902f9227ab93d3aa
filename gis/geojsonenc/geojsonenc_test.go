package geojsonenc

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// TestFeaturesMatchOrb pins the hand-written feature
// encoder to orb's (reflection-based) one, byte for byte, so downloads
// written before and after it are the same files.
func TestFeaturesMatchOrb(t *testing.T) {
	poly := orb.Polygon{{{-1.5, 53.2}, {-1.4, 53.2}, {-1.4, 53.3}, {-1.5, 53.2}}}
	cases := []struct {
		id    string
		geom  orb.Geometry
		props map[string]any
	}{
		{id: "1", geom: orb.Point{-1.476089, 53.301234}, props: map[string]any{"name": "Dronfield", "n": int64(7), "h": 3.0}},
		{geom: orb.Point{0, -0.0000001}, props: map[string]any{}},
		{id: `q"<&>`, geom: nil, props: nil},
		{geom: poly, props: map[string]any{"big": 1e21, "small": -1.5e-10, "max": int64(math.MaxInt64), "b": true, "nil": nil}},
		{geom: orb.MultiPolygon{poly}, props: map[string]any{"text": "tab\there\nline\r\x01\x1f \\ \u2028\u2029 \xff bad é 🌳 </script>"}},
		{geom: orb.LineString{{1, 2}, {3.25, 4e-7}}, props: map[string]any{"nested": map[string]any{"z": []any{int64(1), "a<b", nil}}, "i": 12}},
	}
	for i, f := range cases {
		gf := geojson.NewFeature(f.geom)
		if f.id != "" {
			gf.ID = f.id
		}
		gf.Properties = f.props
		want, err := gf.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := AppendFeature(nil, f.id, f.geom, f.props, nil)
		if err != nil || string(got) != string(want) {
			t.Errorf("case %d (err %v):\n got %s\nwant %s", i, err, got, want)
		}
	}
	if _, _, err := AppendFeature(nil, "", orb.Point{math.NaN(), 1}, nil, nil); err == nil {
		t.Error("a NaN coordinate was encoded")
	}
}

// TestStringWithoutHTMLEscapeMatchesEncoder pins AppendStringNoHTMLEscape
// to a json.Encoder with SetEscapeHTML(false).
func TestStringWithoutHTMLEscapeMatchesEncoder(t *testing.T) {
	for _, s := range []string{"", "https://h/ogc/items?f=json&offset=10&bbox=1,2,3,4", `q"<&>\`, "tab\there\nline\r\x01\x1f \u2028\u2029 \xff é 🌳 </script>"} {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got, want := string(AppendStringNoHTMLEscape(nil, s)), strings.TrimSuffix(buf.String(), "\n"); got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}
