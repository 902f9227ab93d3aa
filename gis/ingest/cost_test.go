package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestIngestCost measures what this package's leniency costs, as ratios
// against a baseline timed in the same run (3 interleaved rounds; min,
// median, max), so a busy machine skews both sides alike. It prints and
// asserts nothing about time. Run with COUNCILAPI_BENCH=1 go test -run
// IngestCost -v ./gis/ingest/
//   - the id scan Open makes for GeoJSON and GML, against reading the file;
//   - the Validator (repair, report) against the bare reader, for 1 M CSV
//     points and for polygons.
func TestIngestCost(t *testing.T) {
	if os.Getenv("COUNCILAPI_BENCH") != "1" {
		t.Skip("set COUNCILAPI_BENCH=1 to measure")
	}
	areas := traffordAreas(t)
	var gj strings.Builder
	gj.WriteString(`{"type":"FeatureCollection","features":[`)
	const geojsonPoints = 300_000
	for i := 0; i < geojsonPoints; i++ {
		if i > 0 {
			gj.WriteByte(',')
		}
		fmt.Fprintf(&gj, `{"type":"Feature","id":"tree.%d","properties":{"species":"Quercus robur","height":%d},"geometry":{"type":"Point","coordinates":[%.6f,%.6f]}}`,
			i, i%30, -2.4+float64(i%1000)*1e-4, 53.4+float64(i/1000)*1e-4)
	}
	gj.WriteString("]}")
	var many []corpusFeature
	for len(many) < 20_000 {
		many = append(many, areas...)
	}
	gml := gmlDoc{wfsFlavour: councilWFS}.render(many)
	var csv strings.Builder
	csv.WriteString("easting,northing,name\n")
	for i := 0; i < 1_000_000; i++ {
		fmt.Fprintf(&csv, "%d,%d,site %d\n", 380000+i%5000, 390000+i/5000, i)
	}
	files := []struct {
		name   string
		format Format
		data   []byte
	}{
		{"GeoJSON, 300 k points", FormatGeoJSON, []byte(gj.String())},
		{fmt.Sprintf("GML, %d polygons", len(many)), FormatGML, []byte(gml)},
		{"CSV, 1 M points", FormatCSV, []byte(csv.String())},
	}
	opts := Options{}
	opts.Limits = opts.Limits.withDefaults()
	timeIt := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	readAllWith := func(r Reader, validate bool) {
		var next func() (Feature, error) = r.Next
		if validate {
			next = NewValidator(r, Limits{}).Next
		}
		for {
			if _, err := next(); err == io.EOF {
				return
			} else if err != nil {
				if _, ok := err.(*FeatureError); !ok {
					t.Fatal(err)
				}
			}
		}
	}
	for _, f := range files {
		src := bytes.NewReader(f.data)
		var scanRatio, validRatio []float64
		for round := 0; round < 3; round++ {
			bare := timeIt(func() {
				r, err := openFormat(f.format, src, int64(len(f.data)), opts)
				if err != nil {
					t.Fatal(err)
				}
				readAllWith(r, false)
				r.Close()
			})
			scan := timeIt(func() {
				if _, err := planIDs(f.format, src, int64(len(f.data)), opts); err != nil {
					t.Fatal(err)
				}
			})
			validated := timeIt(func() {
				r, err := Open(f.format, src, int64(len(f.data)), opts)
				if err != nil {
					t.Fatal(err)
				}
				readAllWith(r, true)
				r.Close()
			})
			scanRatio = append(scanRatio, scan.Seconds()/bare.Seconds())
			validRatio = append(validRatio, (validated-scan).Seconds()/bare.Seconds())
			t.Logf("%s round %d: bare read %v, id scan %v, Open+Validator %v", f.name, round+1, bare, scan, validated)
		}
		t.Logf("%s: id scan / bare read = %s; Validator read (without the scan) / bare read = %s", f.name, spread(scanRatio), spread(validRatio))
	}
}

func spread(xs []float64) string {
	sort.Float64s(xs)
	return fmt.Sprintf("min %.2f median %.2f max %.2f", xs[0], xs[len(xs)/2], xs[len(xs)-1])
}
