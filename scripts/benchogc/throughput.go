package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// throughput runs wrk against the OGC API (random 0.01-degree bbox pages of
// 100) and against the ceiling, alternately, in several rounds, and
// reports each round's ratio and the min/median/max over the rounds: on a
// busy machine only figures measured side by side mean anything. With
// -baseline, the OGC API of another benchogc binary (an earlier commit)
// runs in the same rounds, so a change's effect is measured side by side.
func throughput(args []string) error {
	fl := flag.NewFlagSet("throughput", flag.ExitOnError)
	n := fl.Int("n", 1_000_000, "number of points")
	rounds := fl.Int("rounds", 3, "interleaved rounds")
	duration := fl.Duration("duration", 10*time.Second, "length of each wrk run")
	work := fl.String("work", "", "working directory; an artefact already there is reused")
	ogcAddr := fl.String("ogc", "127.0.0.1:18081", "OGC API address")
	ceilAddr := fl.String("ceiling", "127.0.0.1:18082", "ceiling address")
	baseline := fl.String("baseline", "", "another benchogc binary whose OGC API runs in the same rounds")
	baseAddr := fl.String("baseline-addr", "127.0.0.1:18084", "its address")
	pprofAddr := fl.String("pprof", "", "have the OGC API server serve net/http/pprof here")
	fl.Parse(args)
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk not found: apt-get install -y wrk")
	}
	dir, cleanup, err := workDir(*work)
	if err != nil {
		return err
	}
	defer cleanup()
	art := filepath.Join(dir, fmt.Sprintf("points-%d.ogcidx", *n))
	if _, err := os.Stat(art); err != nil {
		if err := runChild("build", "-n", strconv.Itoa(*n), "-out", art, "-tmp", dir, "-queries", "0"); err != nil {
			return err
		}
	}
	page := filepath.Join(dir, "page.json")
	serveArgs := []string{"serve", "-artefact", art, "-addr", *ogcAddr, "-page-out", page}
	if *pprofAddr != "" {
		serveArgs = append(serveArgs, "-pprof", *pprofAddr)
	}
	ogcSrv, err := startChild(serveArgs...)
	if err != nil {
		return err
	}
	defer ogcSrv.stop()
	ceil, err := startChild("ceiling", "-page", page, "-addr", *ceilAddr)
	if err != nil {
		return err
	}
	defer ceil.stop()
	targets := []*target{{name: "OGC API", url: "http://" + *ogcAddr, srv: ogcSrv}, {name: "ceiling", url: "http://" + *ceilAddr, srv: ceil}}
	if *baseline != "" {
		// The earlier build may write another format: it builds its own.
		baseArt := filepath.Join(dir, fmt.Sprintf("baseline-points-%d.ogcidx", *n))
		build := exec.Command(*baseline, "build", "-n", strconv.Itoa(*n), "-out", baseArt, "-tmp", dir, "-queries", "0")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("baseline build: %w", err)
		}
		defer os.Remove(baseArt)
		base, err := startBinary(*baseline, "serve", "-artefact", baseArt, "-addr", *baseAddr)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		defer base.stop()
		targets = append(targets, &target{name: "baseline", url: "http://" + *baseAddr, srv: base})
	}
	script := filepath.Join(dir, "bbox.lua")
	if err := os.WriteFile(script, []byte(bboxScript), 0o644); err != nil {
		return err
	}
	fmt.Printf("%d points, wrk -t2 -c32 -d%s, random %.2f-degree bbox pages of %d; ceiling: one page's bytes from memory, own process\n",
		*n, *duration, boxSide, pageLimit)
	for r := range *rounds {
		// Rotating who goes first spreads drift in the machine's load.
		for i := range targets {
			t := targets[(i+r)%len(targets)]
			res, err := runWrk(script, t.url, *duration, t.srv.pid())
			if err != nil {
				return err
			}
			t.runs = append(t.runs, res)
		}
		fmt.Printf("round %d:", r+1)
		for _, t := range targets {
			res := t.runs[r]
			fmt.Printf("  %s %6.0f req/s (p99 %6.2f ms, %4.0f µs CPU/req, %d non-2xx)", t.name, res.rps, res.p99ms, us(res.cpuPerReq), res.non2xx)
		}
		fmt.Println()
	}
	ceiling := targets[1]
	for _, t := range targets {
		if t == ceiling {
			continue
		}
		fmt.Printf("%s / ceiling at %d points: req/s ratio %s; CPU-per-request ratio %s\n", t.name, *n,
			spread(t.ratios(ceiling, func(w wrkResult) float64 { return w.rps })),
			spread(t.ratios(ceiling, func(w wrkResult) float64 { return 1 / w.cpuPerReq.Seconds() })))
	}
	if len(targets) > 2 {
		fmt.Printf("OGC API / baseline: req/s ratio %s; CPU-per-request ratio %s\n",
			spread(targets[0].ratios(targets[2], func(w wrkResult) float64 { return w.rps })),
			spread(targets[0].ratios(targets[2], func(w wrkResult) float64 { return 1 / w.cpuPerReq.Seconds() })))
	}
	if st, err := readStatus(ogcSrv.pid()); err == nil {
		fmt.Printf("OGC API server after the runs: %s\n", st.perPoint(*n))
	}
	return nil
}

// target is one server measured in the rounds.
type target struct {
	name string
	url  string
	srv  *child
	runs []wrkResult
}

// ratios divides the target's figure by other's, round by round.
func (t *target) ratios(other *target, figure func(wrkResult) float64) []float64 {
	out := make([]float64, len(t.runs))
	for i := range t.runs {
		out[i] = figure(t.runs[i]) / figure(other.runs[i])
	}
	return out
}

// bboxScript asks for random boxes over the points' extent.
var bboxScript = fmt.Sprintf(`math.randomseed(42)
request = function()
  local x = %g + math.random() * %g
  local y = %g + math.random() * %g
  local path = string.format("%s?limit=%d&bbox=%%.5f,%%.5f,%%.5f,%%.5f", x, y, x + %g, y + %g)
  return wrk.format("GET", path)
end
`, minX, spanX-boxSide, minY, spanY-boxSide, collectionPath, pageLimit, boxSide, boxSide)

type wrkResult struct {
	rps, p99ms float64
	non2xx     int
	cpuPerReq  time.Duration // the server's CPU time over the requests it answered
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func spread(v []float64) string {
	s := slices.Sorted(slices.Values(v))
	return fmt.Sprintf("min %.3f, median %.3f, max %.3f", s[0], s[len(s)/2], s[len(s)-1])
}

var (
	wrkRPS    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99    = regexp.MustCompile(`\s99%\s+([0-9.]+)(us|ms|s)`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	wrkCount  = regexp.MustCompile(`(\d+) requests in`)
)

func runWrk(script, url string, d time.Duration, server int) (wrkResult, error) {
	cpu0, err := cpuTime(server)
	if err != nil {
		return wrkResult{}, err
	}
	out, err := exec.Command("wrk", "-t2", "-c32", "-d"+d.String(), "--latency", "-s", script, url).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %v\n%s", url, err, out)
	}
	cpu1, err := cpuTime(server)
	if err != nil {
		return wrkResult{}, err
	}
	var r wrkResult
	m := wrkRPS.FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec in wrk's output:\n%s", out)
	}
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := wrkP99.FindSubmatch(out); m != nil {
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		r.p99ms = v * map[string]float64{"us": 0.001, "ms": 1, "s": 1000}[string(m[2])]
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		r.non2xx, _ = strconv.Atoi(string(m[1]))
	}
	if m := wrkCount.FindSubmatch(out); m != nil {
		if k, _ := strconv.Atoi(string(m[1])); k > 0 {
			r.cpuPerReq = (cpu1 - cpu0) / time.Duration(k)
		}
	}
	return r, nil
}

// workDir is dir, or a new temporary directory removed by cleanup.
func workDir(dir string) (string, func(), error) {
	if dir != "" {
		return dir, func() {}, os.MkdirAll(dir, 0o755)
	}
	d, err := os.MkdirTemp("", "benchogc-*")
	return d, func() { os.RemoveAll(d) }, err
}
