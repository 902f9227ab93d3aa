// Command benchogc measures the OGC API – Features path of councilapi on
// generated points: the real handlers and middleware (api.New plus
// RegisterOGC) serving a collection from its index artefact, against a
// trivial net/http server in its own process returning one page's bytes
// from memory (the ceiling). scripts/bench-ogc and scripts/measure-ogc-memory
// run it; each subcommand is also usable alone:
//
//	benchogc build -n N -out FILE         write the artefact, report build time and memory
//	benchogc serve -artefact FILE | -geojson FILE [-addr A] [-page-out FILE] [-pprof A]
//	benchogc ceiling -page FILE [-addr A]
//	benchogc throughput -n N              3 interleaved wrk rounds, OGC API vs ceiling
//	benchogc memory -n N                  start-up time and resident memory, with ogr2ogr's
package main

import (
	"fmt"
	"iter"
	"log"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/ogc"
)

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: benchogc build|serve|ceiling|throughput|memory [flags]")
	}
	cmds := map[string]func([]string) error{
		"build": build, "serve": serve, "ceiling": ceiling, "throughput": throughput, "memory": memory,
	}
	cmd, ok := cmds[os.Args[1]]
	if !ok {
		log.Fatalf("unknown subcommand %q: use build, serve, ceiling, throughput or memory", os.Args[1])
	}
	if err := cmd(os.Args[2:]); err != nil {
		log.Fatalf("benchogc %s: %v", os.Args[1], err)
	}
}

// The points lie over about 1 x 0.5 degrees (Greater Manchester and
// Cheshire); the random query boxes are drawn from the same extent.
const (
	minX, minY     = -2.8, 53.2
	spanX, spanY   = 1.0, 0.5
	boxSide        = 0.01
	pageLimit      = 100
	collectionID   = "points"
	collectionPath = "/ogc/collections/" + collectionID + "/items"
)

func points(n int) iter.Seq2[ogc.Feature, error] {
	return func(yield func(ogc.Feature, error) bool) {
		rng := rand.New(rand.NewPCG(7, 11))
		kinds := []string{"bench", "bin", "lamp", "sign", "tree"}
		for i := range n {
			f := ogc.Feature{ID: "p" + strconv.Itoa(i), Geometry: orb.Point{minX + rng.Float64()*spanX, minY + rng.Float64()*spanY},
				Properties: map[string]any{"kind": kinds[i%len(kinds)], "ref": float64(i)}}
			if !yield(f, nil) {
				return
			}
		}
	}
}

// randomBox is a query box inside the points' extent.
func randomBox(rng *rand.Rand) orb.Bound {
	x, y := minX+rng.Float64()*(spanX-boxSide), minY+rng.Float64()*(spanY-boxSide)
	return orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + boxSide, y + boxSide}}
}

func itemsPath(b orb.Bound) string {
	return fmt.Sprintf("%s?limit=%d&bbox=%.5f,%.5f,%.5f,%.5f", collectionPath, pageLimit, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
}
