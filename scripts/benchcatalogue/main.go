// Command benchcatalogue measures the catalogue's listings at three sizes
// of catalogue, in the same run:
//
//  1. It publishes the fixture catalogue (internal/cataloguefixture: tabular
//     CSV and spatial CSV/GeoJSON uploads with realistic metadata, several
//     versions, withdrawals, drafts) through the HTTP API of a running
//     councilapi binary, as publishers would, copying the data directory
//     aside when it reaches each size (200, 2,000, 20,000 by default). The
//     directories are kept under -work and reused by later runs.
//  2. It serves each size from its own councilapi process and, in rounds
//     (3 by default) that visit the sizes in turn, loads every listing
//     endpoint with a page of 100 from a few keep-alive connections,
//     recording each request's latency.
//
// It prints p50/p99 and requests per second per endpoint and size, as the
// minimum, median and maximum over the rounds, and the ratio of the median
// p50 at the largest size to that at the smallest: the goals are p99 < 50 ms
// at 20,000 and a ratio of at most 2. With -baseline (a councilapi binary of
// another revision) it also times one request of a few endpoints on that
// binary at the smallest size. scripts/bench-catalogue builds and runs it.
package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/internal/benchserver"
	"github.com/jointict/councilapi/internal/cataloguefixture"
)

func main() {
	bin := flag.String("councilapi", "", "path of the councilapi binary (required)")
	baseline := flag.String("baseline", "", "a councilapi binary of another revision to time at the smallest size")
	work := flag.String("work", "", "directory for the catalogues (kept; default a temporary one, removed)")
	sizesFlag := flag.String("sizes", "200,2000,20000", "catalogue sizes")
	rounds := flag.Int("rounds", 3, "measuring rounds (sizes interleaved within each)")
	duration := flag.Duration("duration", 3*time.Second, "load time per endpoint, size and round")
	conns := flag.Int("c", 4, "concurrent connections")
	creators := flag.Int("creators", 6, "publishers uploading at once while the catalogues are built")
	only := flag.String("only", "", "measure only endpoints whose name contains this")
	// A deployment behind a proxy names its public address; the benchmark
	// follows no link, so the address only has to be one.
	baseURL := flag.String("base-url", "https://opendata.example.gov.uk", "--base-url of the measured servers (empty: from each request)")
	flag.Parse()
	if *bin == "" {
		log.Fatal("-councilapi is required")
	}
	var sizes []int
	for _, s := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 100 {
			log.Fatalf("bad size %q (at least 100)", s)
		}
		sizes = append(sizes, n)
	}
	slices.Sort(sizes)
	dir := *work
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "bench-catalogue-*"); err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	if err := build(*bin, dir, sizes, *creators); err != nil {
		log.Fatal(err)
	}

	servers := map[int]*server{}
	// fail stops the servers before exiting: log.Fatal skips the deferred
	// stops, and servers left running skew the next run's figures.
	fail := func(format string, args ...any) {
		for _, s := range servers {
			s.Stop()
		}
		log.Fatalf(format, args...)
	}
	for _, n := range sizes {
		var extra []string
		if *baseURL != "" {
			extra = []string{"--base-url", *baseURL}
		}
		s, err := start(*bin, sizeDir(dir, n), extra)
		if err != nil {
			fail("%v", err)
		}
		servers[n] = s
		defer s.Stop()
		if err := s.WaitReady(15 * time.Minute); err != nil {
			fail("%v", err)
		}
		fmt.Printf("serving %d datasets from %s (%s)\n", n, s.Base, sizeDir(dir, n))
	}
	eps := endpoints()
	if *only != "" {
		eps = slices.DeleteFunc(eps, func(e endpoint) bool { return !strings.Contains(e.name, *only) })
	}
	results := map[string]map[int][]stats{}
	for r := 1; r <= *rounds; r++ {
		fmt.Printf("round %d of %d\n", r, *rounds)
		for _, e := range eps {
			for _, n := range sizes {
				st, err := load(servers[n], e, n, *conns, *duration, uint64(r))
				if err != nil {
					fail("%s at %d: %v", e.name, n, err)
				}
				if results[e.name] == nil {
					results[e.name] = map[int][]stats{}
				}
				results[e.name][n] = append(results[e.name][n], st)
			}
		}
	}
	report(eps, sizes, results, *conns)
	for _, n := range sizes {
		fmt.Printf("server resident memory at %d datasets: %d MB\n", n, servers[n].MemoryMB("VmRSS"))
	}
	if *baseline != "" {
		timeBaseline(*baseline, dir, sizes[0])
	}
}

// ---- building the catalogues

func sizeDir(work string, n int) string { return filepath.Join(work, fmt.Sprintf("catalogue-%d", n)) }

// build publishes the fixture catalogue up to the largest size, copying
// the data directory aside at each size; sizes already built are reused.
func build(bin, work string, sizes []int, creators int) error {
	missing := slices.DeleteFunc(slices.Clone(sizes), func(n int) bool {
		_, err := os.Stat(filepath.Join(sizeDir(work, n), "bench-complete"))
		return err == nil
	})
	if len(missing) == 0 {
		return nil
	}
	growing := filepath.Join(work, "growing")
	done := 0
	if b, err := os.ReadFile(filepath.Join(growing, "bench-count")); err == nil {
		done, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	s, err := start(bin, growing, []string{"--feed-poll", "5ms", "--job-workers", "2"})
	if err != nil {
		return err
	}
	defer func() { s.Stop() }()
	if err := s.WaitReady(15 * time.Minute); err != nil {
		return err
	}
	for _, n := range missing {
		if done > n {
			return fmt.Errorf("%s already holds %d datasets, more than %d: remove it to rebuild", growing, done, n)
		}
		if done < n {
			fmt.Printf("publishing datasets %d to %d through the API...\n", done+1, n)
			t0 := time.Now()
			if err := publishRange(s, done, n, creators); err != nil {
				return err
			}
			took := time.Since(t0)
			fmt.Printf("  %d datasets in %s (%.1f per second)\n", n-done, took.Round(time.Second), float64(n-done)/took.Seconds())
			done = n
			if err := os.WriteFile(filepath.Join(growing, "bench-count"), []byte(strconv.Itoa(done)), 0o644); err != nil {
				return err
			}
		}
		// Copy the directory while the server is stopped, so the copy is a
		// consistent store.
		s.Stop()
		if err := copyDir(growing, sizeDir(work, n)); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(sizeDir(work, n), "bench-complete"), nil, 0o644); err != nil {
			return err
		}
		if s, err = start(bin, growing, []string{"--feed-poll", "5ms", "--job-workers", "2"}); err != nil {
			return err
		}
		if err := s.WaitReady(15 * time.Minute); err != nil {
			return err
		}
	}
	return nil
}

func copyDir(from, to string) error {
	if err := os.RemoveAll(to); err != nil {
		return err
	}
	out, err := exec.Command("cp", "-a", from, to).CombinedOutput()
	if err != nil {
		return fmt.Errorf("cp: %v %s", err, out)
	}
	return nil
}

// publishRange publishes fixtures [from, to) with a few publishers at once.
func publishRange(s *server, from, to, creators int) error {
	next := make(chan int)
	errs := make(chan error, creators)
	var wg sync.WaitGroup
	for range creators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range next {
				if err := publishFixture(s, n); err != nil {
					errs <- fmt.Errorf("dataset %d: %w", n, err)
					return
				}
			}
		}()
	}
	for n := from; n < to; n++ {
		select {
		case next <- n:
		case err := <-errs:
			close(next)
			wg.Wait()
			return err
		}
		if (n+1)%1000 == 0 {
			fmt.Printf("  %d\n", n+1)
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// publishFixture creates a dataset, uploads its versions, waits for each
// job and publishes (or leaves a draft, or withdraws) as the fixture says.
func publishFixture(s *server, n int) error {
	f := cataloguefixture.Make(n)
	f.Meta["publisher"] = f.Org
	body, _ := json.Marshal(f.Meta)
	var d struct{ ID string }
	if err := s.Call("POST", "/api/v1/datasets", bytes.NewReader(body), "application/json", &d); err != nil {
		return err
	}
	for _, v := range f.Versions {
		var acc struct{ Job struct{ ID string } }
		ct := "text/csv"
		if strings.HasSuffix(v.Name, ".geojson") {
			ct = "application/geo+json"
		}
		if err := s.Call("POST", "/api/v1/datasets/"+d.ID+"/versions?filename="+url.QueryEscape(v.Name), bytes.NewReader(v.Body), ct, &acc); err != nil {
			return err
		}
		for {
			var j struct{ State, Error string }
			if err := s.Call("GET", "/api/v1/jobs/"+acc.Job.ID, nil, "", &j); err != nil {
				return err
			}
			if j.State == "failed" {
				return errors.New("the upload failed: " + j.Error)
			}
			if j.State == "succeeded" {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if f.Draft {
		return nil
	}
	if err := s.Call("PATCH", "/api/v1/datasets/"+d.ID, strings.NewReader(`{"status":"published"}`), "application/merge-patch+json", nil); err != nil {
		return err
	}
	if f.Withdraw {
		return s.Call("DELETE", "/api/v1/datasets/"+d.ID, nil, "", nil)
	}
	return nil
}

// ---- the servers

type server = benchserver.Server

// start runs the binary on dataDir with an admin key kept beside the store,
// so a kept catalogue is reused with the key it was built with.
func start(bin, dataDir string, extra []string) (*server, error) {
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	keyFile := filepath.Join(dataDir, "bench-key")
	key := ""
	if b, err := os.ReadFile(keyFile); err == nil {
		key = strings.TrimSpace(string(b))
	} else {
		if key, err = benchserver.CreateKey(bin, dataDir, "--role", "admin", "--label", "bench-catalogue"); err != nil {
			return nil, err
		}
		if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
			return nil, err
		}
	}
	return benchserver.Start(bin, dataDir, key, append([]string{"--log-format", "json"}, extra...)...)
}

// ---- the endpoints

// endpoint makes the path of one request to a catalogue of n datasets;
// page-numbered endpoints pick pages at random over the whole catalogue,
// as a harvester's walk reaches every page.
type endpoint struct {
	name string
	path func(rng *rand.Rand, n int) string
}

func endpoints() []endpoint {
	page := func(rng *rand.Rand, n int) int { return 1 + rng.IntN(max(1, n*9/10/100)) } // ~94% of the fixtures are published
	offset := func(rng *rand.Rand, n int) int { return 100 * (page(rng, n) - 1) }
	kw := []string{"trees", "parking", "recycling", "spend", "street lighting", "planning", "toilets", "allotments"}
	// broad are words in 100 or more of the 200 datasets too, so a search
	// for one fills its page at every size: the sizes then compare the same
	// page, where kw's searches list 7-26 datasets at 200 and 100 at 20,000.
	broad := []string{"council", "district", "derbyshire"}
	ckanFacets := "/api/3/action/package_search?rows=100&facet.field=" + url.QueryEscape(`["organization","tags","res_format","license_id","groups"]`)
	pubs := []string{"bdc", "dddc", "neddc"}
	return []endpoint{
		{"data.json", func(r *rand.Rand, n int) string { return fmt.Sprintf("/data.json?page=%d", page(r, n)) }},
		{"catalog.ttl", func(r *rand.Rand, n int) string { return fmt.Sprintf("/catalog.ttl?page=%d", page(r, n)) }},
		{"catalog.jsonld", func(r *rand.Rand, n int) string { return fmt.Sprintf("/catalog.jsonld?page=%d", page(r, n)) }},
		{"catalog.rdf", func(r *rand.Rand, n int) string { return fmt.Sprintf("/catalog.rdf?page=%d", page(r, n)) }},
		{"ckan package_search", func(r *rand.Rand, n int) string {
			return fmt.Sprintf("/api/3/action/package_search?rows=100&start=%d", offset(r, n))
		}},
		{"ckan package_search q+facets", func(r *rand.Rand, n int) string {
			return ckanFacets + "&q=" + url.QueryEscape(kw[r.IntN(len(kw))])
		}},
		{"ckan q+facets, full page", func(r *rand.Rand, n int) string {
			return ckanFacets + "&q=" + url.QueryEscape(broad[r.IntN(len(broad))])
		}},
		{"ckan package_list", func(r *rand.Rand, n int) string {
			return fmt.Sprintf("/api/3/action/package_list?limit=100&offset=%d", offset(r, n))
		}},
		{"ckan package_show", func(r *rand.Rand, n int) string {
			return "/api/3/action/package_show?id=" + slugOf(publishedFixture(r, n))
		}},
		{"csw GetRecords (ISO, 100)", func(r *rand.Rand, n int) string {
			return fmt.Sprintf("/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&resultType=results"+
				"&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=brief&maxRecords=100&startPosition=%d", 1+offset(r, n/4))
		}},
		{"csw GetRecords (DC full, 100)", func(r *rand.Rand, n int) string {
			return fmt.Sprintf("/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results"+
				"&elementSetName=full&maxRecords=100&startPosition=%d", 1+offset(r, n/4))
		}},
		{"/api/v1/datasets", func(r *rand.Rand, n int) string {
			// The API pages no deeper than opendata.MaxOffset, as CKAN's
			// and Elasticsearch's searches do; harvesters page data.json.
			return fmt.Sprintf("/api/v1/datasets?limit=100&offset=%d", offset(r, min(n, opendata.MaxOffset)))
		}},
		{"/api/v1/datasets?q", func(r *rand.Rand, n int) string {
			return "/api/v1/datasets?limit=100&q=" + url.QueryEscape(kw[r.IntN(len(kw))])
		}},
		{"/api/v1/datasets?q, full page", func(r *rand.Rand, n int) string {
			return "/api/v1/datasets?limit=100&q=" + url.QueryEscape(broad[r.IntN(len(broad))])
		}},
		{"html /", func(r *rand.Rand, n int) string { return "/" }},
		{"html /datasets?q", func(r *rand.Rand, n int) string { return "/datasets?q=" + url.QueryEscape(kw[r.IntN(len(kw))]) }},
		{"html /datasets?q, full page", func(r *rand.Rand, n int) string {
			return "/datasets?q=" + url.QueryEscape(broad[r.IntN(len(broad))])
		}},
		{"html /datasets?publisher&page", func(r *rand.Rand, n int) string {
			return fmt.Sprintf("/datasets?publisher=%s&page=%d", pubs[r.IntN(3)], 1+r.IntN(max(1, n/3/20)))
		}},
	}
}

// slugOf is fixture n's slug, as the server derives it from the title.
func slugOf(n int) string {
	title, _ := cataloguefixture.Make(n).Meta["title"].(string)
	return opendata.Slugify(title)
}

// publishedFixture is a fixture below n that stays published.
func publishedFixture(rng *rand.Rand, n int) int {
	for {
		if i := rng.IntN(n); !cataloguefixture.Make(i).Draft && !cataloguefixture.Make(i).Withdraw {
			return i
		}
	}
}

// ---- load and statistics

type stats struct {
	p50, p99 time.Duration
	rps      float64
	n        int
}

func load(s *server, e endpoint, size, conns int, d time.Duration, seed uint64) (stats, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(c)))
			var mine []time.Duration
			for time.Now().Before(deadline) {
				path := e.path(rng, size)
				t0 := time.Now()
				res, err := benchserver.Client().Get(s.Base + path)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err == nil && res.StatusCode != 200 {
						err = fmt.Errorf("GET %s: HTTP %d", path, res.StatusCode)
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmp.Or(firstErr, err)
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	start := time.Now()
	wg.Wait()
	if firstErr != nil {
		return stats{}, firstErr
	}
	if len(lat) == 0 {
		return stats{}, errors.New("no request finished")
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return stats{p50: q(0.50), p99: q(0.99), rps: float64(len(lat)) / time.Since(start).Seconds(), n: len(lat)}, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func report(eps []endpoint, sizes []int, results map[string]map[int][]stats, conns int) {
	fmt.Printf("\nlatency in ms, %d connections; min/median/max over the rounds\n", conns)
	fmt.Printf("%-31s %7s %20s %20s %20s\n", "endpoint", "size", "p50", "p99", "req/s")
	small, large := sizes[0], sizes[len(sizes)-1]
	met := true
	for _, e := range eps {
		var medianP50 = map[int]time.Duration{}
		for _, n := range sizes {
			st := results[e.name][n]
			p50 := collect(st, func(s stats) float64 { return float64(s.p50) })
			p99 := collect(st, func(s stats) float64 { return float64(s.p99) })
			rps := collect(st, func(s stats) float64 { return s.rps })
			medianP50[n] = time.Duration(p50[1])
			fmt.Printf("%-31s %7d %20s %20s %20s\n", e.name, n, triple(p50, true), triple(p99, true), triple(rps, false))
			if n == large && time.Duration(p99[1]) >= 50*time.Millisecond {
				met = false
			}
		}
		ratio := float64(medianP50[large]) / float64(max(1, medianP50[small]))
		if ratio > 2 {
			met = false
		}
		fmt.Printf("%-31s %7s median p50 at %d / at %d = %.2f\n", "", "", large, small, ratio)
	}
	verdict := "met"
	if !met {
		verdict = "NOT met"
	}
	fmt.Printf("\ngoals (p99 < 50 ms at %d, p50 ratio <= 2): %s\n", large, verdict)
}

func collect(st []stats, f func(stats) float64) [3]float64 {
	var v []float64
	for _, s := range st {
		v = append(v, f(s))
	}
	slices.Sort(v)
	return [3]float64{v[0], v[len(v)/2], v[len(v)-1]}
}

func triple(v [3]float64, duration bool) string {
	if duration {
		return ms(time.Duration(v[0])) + "/" + ms(time.Duration(v[1])) + "/" + ms(time.Duration(v[2]))
	}
	return fmt.Sprintf("%.0f/%.0f/%.0f", v[0], v[1], v[2])
}

// timeBaseline times one request of the harvest endpoints on another
// binary over a copy of the smallest catalogue.
func timeBaseline(bin, work string, n int) {
	dir := filepath.Join(work, fmt.Sprintf("baseline-%d", n))
	if err := copyDir(sizeDir(work, n), dir); err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	s, err := start(bin, dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Stop()
	if err := s.WaitReady(15 * time.Minute); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nbaseline %s at %d datasets, one request each:\n", bin, n)
	for _, path := range []string{"/data.json?page=1", "/catalog.ttl?page=1", "/api/3/action/package_search?rows=100",
		"/api/v1/datasets?limit=100&q=trees", "/datasets?q=trees"} {
		t0 := time.Now()
		res, err := benchserver.Client().Get(s.Base + path)
		if err != nil {
			fmt.Printf("  %-45s %v\n", path, err)
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		fmt.Printf("  %-45s %8s ms (HTTP %d)\n", path, ms(time.Since(t0)), res.StatusCode)
	}
}
