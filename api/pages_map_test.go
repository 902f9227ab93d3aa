package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain/opendata"
)

func TestPagesMapDrawsHolesAndCapsFeatures(t *testing.T) {
	// A square with a square hole, then a line, with members in an unusual order.
	fc := `{"features":[
	 {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-1.5,53.1],[-1.3,53.1],[-1.3,53.3],[-1.5,53.3],[-1.5,53.1]],[[-1.45,53.15],[-1.35,53.15],[-1.35,53.25],[-1.45,53.25],[-1.45,53.15]]]},"properties":{}},
	 {"type":"Feature","geometry":{"type":"LineString","coordinates":[[-1.5,53.1],[-1.3,53.3]]},"properties":{}},
	 {"type":"Feature","geometry":null,"properties":{}}],"type":"FeatureCollection"}`
	m, err := drawMap(strings.NewReader(fc), opendata.BBox{MinX: -1.5, MinY: 53.1, MaxX: -1.3, MaxY: 53.3}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Polygons) != 1 || strings.Count(m.Polygons[0], "M") != 2 || strings.Count(m.Polygons[0], "Z") != 2 {
		t.Fatalf("polygon with a hole must be one path of two rings: %q", m.Polygons)
	}
	if len(m.Lines) != 1 || m.Shown != 2 {
		t.Fatalf("lines %q, shown %d", m.Lines, m.Shown)
	}
	// Everything drawn lies inside the picture.
	for _, p := range append(m.Polygons, m.Lines...) {
		for _, f := range strings.FieldsFunc(p, func(r rune) bool { return r == 'M' || r == 'L' || r == 'Z' || r == ' ' }) {
			var v float64
			fmt.Sscan(f, &v)
			if v < 0 || v > mapWidth {
				t.Fatalf("coordinate %v outside the map: %s", v, p)
			}
		}
	}

	var b strings.Builder
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range mapMaxFeatures + 50 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"type":"Feature","geometry":{"type":"Point","coordinates":[%f,53.2]},"properties":{}}`, -1.5+float64(i)/1e5)
	}
	b.WriteString("]}")
	m, err = drawMap(strings.NewReader(b.String()), opendata.BBox{MinX: -1.5, MinY: 53.2, MaxX: -1.45, MaxY: 53.2}, mapMaxFeatures+50)
	if err != nil {
		t.Fatal(err)
	}
	if m.Shown != mapMaxFeatures || len(m.Points) != mapMaxFeatures || m.Total != mapMaxFeatures+50 {
		t.Fatalf("cap: shown %d points %d total %d", m.Shown, len(m.Points), m.Total)
	}
	if _, err := drawMap(strings.NewReader(`[1,2]`), opendata.BBox{}, 0); err == nil {
		t.Fatal("a JSON array is not a FeatureCollection")
	}
}

func TestPagesFormatting(t *testing.T) {
	for n, want := range map[int64]string{1: "1 byte", 999: "999 bytes", 1536: "1.5 KB", 20 << 20: "20 MB", 3 << 30: "3.0 GB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
	if got := thousands(1234567); got != "1,234,567" {
		t.Errorf("thousands: %q", got)
	}
	if got := snippet("Payments to suppliers over five hundred pounds, monthly", 30); got != "Payments to suppliers over…" {
		t.Errorf("snippet: %q", got)
	}
	if got := paragraphs("One.\r\n\r\n\r\nTwo\nlines.\n\n"); len(got) != 2 || got[1] != "Two\nlines." {
		t.Errorf("paragraphs: %q", got)
	}
	for accept, want := range map[string]bool{browserAccept: true, "": false, "*/*": false, "application/json": false,
		"application/json, text/html;q=0.5": false, "text/html;q=0": false} {
		if got := wantsHTML(httpRequestWithAccept(accept)); got != want {
			t.Errorf("wantsHTML(%q) = %v", accept, got)
		}
	}
}

func httpRequestWithAccept(accept string) *http.Request {
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header.Set("Accept", accept)
	return r
}
