package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/jointict/councilapi/gis/geojsonenc"
)

// memory measures, for n points in one run: building the artefact (time,
// peak and resident memory), a restart serving it (time from exec to the
// first 200 of a bbox page, resident memory just after and after many
// random pages), the same restart from the GeoJSON download as before
// artefacts, and ogr2ogr building a spatially indexed FlatGeobuf from the
// same points (peak memory), so each figure has its peer beside it.
func memory(args []string) error {
	fl := flag.NewFlagSet("memory", flag.ExitOnError)
	n := fl.Int("n", 1_000_000, "number of points")
	work := fl.String("work", "", "working directory (default: a new temporary one, removed afterwards)")
	addr := fl.String("addr", "127.0.0.1:18083", "address of the restarted server")
	pages := fl.Int("pages", 20000, "random bbox pages requested after the restart")
	download := fl.Bool("download", true, "also time a restart from the GeoJSON download (start-up before artefacts)")
	ogr := fl.String("ogr2ogr", "ogr2ogr", "ogr2ogr to compare with (\"\" to skip)")
	fl.Parse(args)
	dir, cleanup, err := workDir(*work)
	if err != nil {
		return err
	}
	defer cleanup()
	art := filepath.Join(dir, fmt.Sprintf("points-%d.ogcidx", *n))
	fmt.Printf("== %d points ==\n", *n)
	if err := runChild("build", "-n", strconv.Itoa(*n), "-out", art, "-tmp", dir); err != nil {
		return err
	}
	if err := restart(*n, *addr, *pages, "-artefact", art); err != nil {
		return err
	}
	if *download || *ogr != "" {
		geo, csvPath := filepath.Join(dir, "points.geojson"), filepath.Join(dir, "points.csv")
		if err := writeSources(*n, geo, csvPath); err != nil {
			return err
		}
		if *download {
			if err := restart(*n, *addr, 0, "-geojson", geo); err != nil {
				return err
			}
		}
		if *ogr != "" {
			if err := runOGR(*ogr, dir, csvPath, *n); err != nil {
				return err
			}
		}
	}
	return nil
}

// restart starts a server on the collection and reports when it first
// answers a bbox page and what it then holds.
func restart(n int, addr string, pages int, source ...string) error {
	start := time.Now()
	srv, err := startChild(append([]string{"serve", "-addr", addr}, source...)...)
	if err != nil {
		return err
	}
	defer srv.stop()
	rng := rand.New(rand.NewPCG(9, 9))
	took, err := untilOK("http://"+addr+itemsPath(randomBox(rng)), start, 10*time.Minute)
	if err != nil {
		return err
	}
	opened, _ := readStatus(srv.pid())
	fmt.Printf("restart from %s: first 200 after %.2f s\n  just opened       %s\n", source[0][1:], took.Seconds(), opened.perPoint(n))
	if pages > 0 {
		if err := requestPages("http://"+addr, pages); err != nil {
			return err
		}
		served, _ := readStatus(srv.pid())
		fmt.Printf("  after %d pages %s\n", pages, served.perPoint(n))
	}
	return nil
}

func requestPages(base string, k int) error {
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 17))
			for range k / 4 {
				resp, err := http.Get(base + itemsPath(randomBox(rng)))
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("bbox page: HTTP %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// writeSources writes the points as the GeoJSON download councilapi
// publishes and as a CSV of longitudes and latitudes for ogr2ogr.
func writeSources(n int, geoPath, csvPath string) error {
	geo, err := os.Create(geoPath)
	if err != nil {
		return err
	}
	defer geo.Close()
	csv, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	defer csv.Close()
	gw, cw := bufio.NewWriterSize(geo, 1<<20), bufio.NewWriterSize(csv, 1<<20)
	gw.WriteString(`{"type":"FeatureCollection","features":[`)
	cw.WriteString("id,kind,ref,lon,lat\n")
	var buf []byte
	var keys []string
	i := 0
	for f := range points(n) {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
		if buf, keys, err = geojsonenc.AppendFeature(buf, f.ID, f.Geometry, f.Properties, keys); err != nil {
			return err
		}
		gw.Write(buf)
		p := f.Geometry.Bound().Min
		fmt.Fprintf(cw, "%s,%s,%d,%s,%s\n", f.ID, f.Properties["kind"], i,
			strconv.FormatFloat(p[0], 'f', -1, 64), strconv.FormatFloat(p[1], 'f', -1, 64))
		i++
	}
	gw.WriteString("\n]}\n")
	if err := gw.Flush(); err != nil {
		return err
	}
	return cw.Flush()
}

// runOGR builds a FlatGeobuf with its packed Hilbert R-tree from the CSV:
// GDAL's nearest equivalent of building the artefact.
func runOGR(ogr, dir, csvPath string, n int) error {
	out := filepath.Join(dir, "points.fgb")
	cmd := exec.Command(ogr, "-f", "FlatGeobuf", "-lco", "SPATIAL_INDEX=YES", "-a_srs", "EPSG:4326",
		"-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO", out, csvPath)
	start := time.Now()
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ogr2ogr: %v\n%s", err, msg)
	}
	took := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return fmt.Errorf("no resource usage for ogr2ogr on this platform")
	}
	peak := ru.Maxrss << 10 // kilobytes on Linux
	fmt.Printf("ogr2ogr CSV -> FlatGeobuf with spatial index: %.2f s, peak RSS %.1f MB = %.0f B/point\n",
		took.Seconds(), float64(peak)/1e6, float64(peak)/float64(n))
	return nil
}
