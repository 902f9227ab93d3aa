package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	_ "net/http/pprof" // served only with -pprof, on its own address
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/api"
	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ingest"
	"github.com/jointict/councilapi/gis/ogc"
	"github.com/jointict/councilapi/store/sqlite"
)

// build writes the artefact of n points and reports what the building
// process held: its peak, what it kept right after (garbage the runtime has
// not returned yet), after returning it, and after opening the artefact it
// wrote and serving random pages from it, as a server that has just
// published does.
func build(args []string) error {
	fl := flag.NewFlagSet("build", flag.ExitOnError)
	n := fl.Int("n", 1_000_000, "number of points")
	out := fl.String("out", "points.ogcidx", "artefact to write")
	tmp := fl.String("tmp", "", "directory for the build's spill files (default: the system's)")
	queries := fl.Int("queries", 20000, "random bbox pages served after the build")
	fl.Parse(args)
	start := time.Now()
	info, err := ogc.WriteArtefactFile(*out, points(*n), ogc.IndexOptions{TempDir: *tmp})
	if err != nil {
		return err
	}
	took := time.Since(start)
	after, err := readStatus(os.Getpid())
	if err != nil {
		return err
	}
	runtime.GC()
	debug.FreeOSMemory()
	freed, _ := readStatus(os.Getpid())
	ix, err := ogc.OpenArtefactFile(*out)
	if err != nil {
		return err
	}
	servePages(ix, *queries)
	serving, _ := readStatus(os.Getpid())
	fmt.Printf("built %d points in %.2f s: artefact %.1f MB (%.0f B/point)\n", info.Features, took.Seconds(),
		float64(info.Bytes)/1e6, float64(info.Bytes)/float64(info.Features))
	fmt.Printf("  build peak         RSS %6.1f MB = %5.0f B/point\n", float64(after.Peak)/1e6, float64(after.Peak)/float64(*n))
	fmt.Printf("  right after build  %s\n", after.perPoint(*n))
	fmt.Printf("  heap returned      %s\n", freed.perPoint(*n))
	fmt.Printf("  serving (%d pages) %s\n", *queries, serving.perPoint(*n))
	runtime.KeepAlive(ix)
	return nil
}

// servePages answers random bbox pages in process, touching what HTTP
// requests for them would.
func servePages(ix *ogc.Index, k int) {
	rng := rand.New(rand.NewPCG(1, 2))
	var buf []byte
	for range k {
		b := randomBox(rng)
		r := ix.Search(ogc.Query{BBox: &b, Limit: pageLimit})
		buf, _ = ix.AppendItems(buf[:0], r, crs.CRS84, nil, time.Time{})
	}
}

// serve answers the OGC API for one collection through councilapi's real
// middleware and handlers. The collection comes from an artefact (mapped,
// as after a restart) or, for the figures of start-up before artefacts,
// from a GeoJSON download parsed and indexed in memory.
func serve(args []string) error {
	fl := flag.NewFlagSet("serve", flag.ExitOnError)
	artefact := fl.String("artefact", "", "artefact to serve (mapped)")
	download := fl.String("geojson", "", "GeoJSON download to parse and index in memory instead (start-up before artefacts)")
	addr := fl.String("addr", "127.0.0.1:18081", "listen address")
	pageOut := fl.String("page-out", "", "write the answer to a typical query here (the ceiling's page)")
	pprofAddr := fl.String("pprof", "", "serve net/http/pprof on this address")
	fl.Parse(args)
	start := time.Now()
	var ix *ogc.Index
	var err error
	switch {
	case *artefact != "":
		ix, err = ogc.OpenArtefactFile(*artefact)
	case *download != "":
		ix, err = indexDownload(*download)
	default:
		err = fmt.Errorf("give -artefact or -geojson")
	}
	if err != nil {
		return err
	}
	opened := time.Since(start)
	reg := ogc.NewRegistry()
	if err := reg.Put(&ogc.Collection{ID: collectionID, Title: "Generated points", StorageCRS: crs.CRS84, Features: ix}); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "benchogc")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		return err
	}
	defer st.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := api.New(api.Config{}, app.New(app.Config{}, st, quiet), quiet)
	api.RegisterOGC(srv.Echo.Group("/ogc"), reg, func(c echo.Context) string { return "http://" + c.Request().Host }, ogc.Basemap{})
	if *pageOut != "" {
		rec := httptest.NewRecorder()
		srv.Echo.ServeHTTP(rec, httptest.NewRequest("GET", "http://"+*addr+collectionPath+"?limit=100&bbox=-2.305,53.445,-2.295,53.455", nil))
		if rec.Code != 200 {
			return fmt.Errorf("sample page: %d %s", rec.Code, rec.Body)
		}
		if err := os.WriteFile(*pageOut, rec.Body.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, nil) //nolint:errcheck // diagnostics only
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Printf("ready: %d features opened in %d ms, artefact %.1f MB\n", ix.Len(), opened.Milliseconds(), float64(ix.SizeBytes())/1e6)
	return http.Serve(ln, srv.Echo)
}

// indexDownload is how a collection was loaded before artefacts: the
// GeoJSON download read by gis/ingest and indexed on the heap.
func indexDownload(path string) (*ogc.Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	rd, err := ingest.Open(ingest.FormatGeoJSON, f, fi.Size(), ingest.Options{})
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return ogc.NewIndex(ogc.FromIngest(rd), ogc.IndexOptions{})
}

// ceiling serves one page's bytes from memory for every request, with
// nothing but net/http: what the machine allows for a response of that
// size, in a process of its own so it shares no heap or collector with the
// OGC API.
func ceiling(args []string) error {
	fl := flag.NewFlagSet("ceiling", flag.ExitOnError)
	pagePath := fl.String("page", "", "the page to serve")
	addr := fl.String("addr", "127.0.0.1:18082", "listen address")
	pprofAddr := fl.String("pprof", "", "serve net/http/pprof on this address")
	withLength := fl.Bool("content-length", false, "send Content-Length (net/http then writes a page in 2 syscalls, not 3 chunked)")
	fl.Parse(args)
	if *pprofAddr != "" {
		go http.ListenAndServe(*pprofAddr, nil) //nolint:errcheck // diagnostics only
	}
	page, err := os.ReadFile(*pagePath)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	length := strconv.Itoa(len(page))
	fmt.Printf("ready: ceiling serving %d bytes\n", len(page))
	return http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", ogc.MediaGeoJSON)
		if *withLength {
			w.Header().Set("Content-Length", length)
		}
		_, _ = w.Write(page)
	}))
}
