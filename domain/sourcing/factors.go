package sourcing

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
)

// Factor is one figure of a factor set with where it comes from.
type Factor struct {
	Key    string `json:"key"`
	Value  Dec    `json:"value"`
	Unit   string `json:"unit"`
	Year   int    `json:"year"`
	Source string `json:"source"`
}

// FactorSet is a versioned, immutable set of carbon and energy factors. A
// comparison records the version it used, and versions are never edited: a
// new DESNZ publication becomes a new version, so a stored comparison always
// recomputes to the figures it was decided on.
type FactorSet struct {
	Version string   `json:"version"`
	Factors []Factor `json:"factors"`
	byKey   map[string]Factor
}

// CurrentFactorSetVersion is the version a comparison uses by default.
const CurrentFactorSetVersion = "uk-2025.1"

//go:embed factors.csv
var factorsUK2025 []byte

var factorSets = map[string]*FactorSet{
	CurrentFactorSetVersion: mustLoadFactorSet(CurrentFactorSetVersion, factorsUK2025),
}

// LookupFactorSet returns a factor set by version.
func LookupFactorSet(version string) (*FactorSet, bool) {
	fs, ok := factorSets[version]
	return fs, ok
}

// FactorSetVersions lists the versions that can be used.
func FactorSetVersions() []string {
	var out []string
	for v := range factorSets {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

func mustLoadFactorSet(version string, data []byte) *FactorSet {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		panic(fmt.Sprintf("factor set %s: %v", version, err))
	}
	fs := &FactorSet{Version: version, byKey: map[string]Factor{}}
	for _, r := range rows[1:] {
		year, err := strconv.Atoi(r[3])
		if err != nil {
			panic(fmt.Sprintf("factor set %s, %s: year %q", version, r[0], r[3]))
		}
		f := Factor{Key: r[0], Value: MustDec(r[1]), Unit: r[2], Year: year, Source: r[4]}
		fs.Factors = append(fs.Factors, f)
		fs.byKey[f.Key] = f
	}
	return fs
}

// Get returns a factor; a missing key is a programming error in the set.
func (fs *FactorSet) Get(key string) Factor {
	f, ok := fs.byKey[key]
	if !ok {
		panic("factor set " + fs.Version + " has no factor " + key)
	}
	return f
}

// Has reports whether the set has a factor.
func (fs *FactorSet) Has(key string) bool {
	_, ok := fs.byKey[key]
	return ok
}

// Grid returns the UK grid factor for a calendar year. Years outside the set
// take the nearest year published (later years the latest), which the
// comparison lists among its assumptions.
func (fs *FactorSet) Grid(year int) Factor {
	first, last := 0, 0
	for _, f := range fs.Factors {
		if len(f.Key) == 9 && f.Key[:5] == "grid." {
			if first == 0 || f.Year < first {
				first = f.Year
			}
			if f.Year > last {
				last = f.Year
			}
		}
	}
	y := min(max(year, first), last)
	return fs.Get("grid." + strconv.Itoa(y))
}
