package sourcing

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/jointict/councilapi/domain"
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

var (
	factorSetsMu sync.RWMutex
	factorSets   = map[string]*FactorSet{
		CurrentFactorSetVersion: mustLoadFactorSet(CurrentFactorSetVersion, factorsUK2025),
	}
)

// LookupFactorSet returns a factor set by version.
func LookupFactorSet(version string) (*FactorSet, bool) {
	factorSetsMu.RLock()
	defer factorSetsMu.RUnlock()
	fs, ok := factorSets[version]
	return fs, ok
}

// FactorSetVersions lists the versions that can be used.
func FactorSetVersions() []string {
	factorSetsMu.RLock()
	defer factorSetsMu.RUnlock()
	var out []string
	for v := range factorSets {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// RegisterFactorSet adds a factor set read from CSV (key,value,unit,year,source
// with a header row), for a new DESNZ publication loaded at start-up. An
// existing version is never replaced, since stored comparisons name it; the
// set must carry every factor the computation reads, checked here rather
// than when a comparison first needs one.
func RegisterFactorSet(version string, data []byte) error {
	fs, err := loadFactorSet(version, data)
	if err != nil {
		return err
	}
	base := factorSets[CurrentFactorSetVersion]
	var p domain.Problems
	for _, f := range base.Factors {
		if !strings.HasPrefix(f.Key, "grid.") && !fs.Has(f.Key) {
			p.Add("factors", "lacks %s (%s)", f.Key, f.Unit)
		}
	}
	if fs.gridYears() == 0 {
		p.Add("factors", "needs at least one grid.YYYY factor")
	}
	if err := p.Err(); err != nil {
		return err
	}
	factorSetsMu.Lock()
	defer factorSetsMu.Unlock()
	if _, taken := factorSets[version]; taken {
		return domain.Errorf(domain.CodeConflict, "factor set %s exists and is immutable; publish a new version", version)
	}
	factorSets[version] = fs
	return nil
}

func mustLoadFactorSet(version string, data []byte) *FactorSet {
	fs, err := loadFactorSet(version, data)
	if err != nil {
		panic(err)
	}
	return fs
}

func loadFactorSet(version string, data []byte) (*FactorSet, error) {
	if version == "" {
		return nil, domain.Errorf(domain.CodeInvalid, "a factor set needs a version")
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "factor set %s: %v", version, err)
	}
	if len(rows) < 2 || len(rows[0]) != 5 {
		return nil, domain.Errorf(domain.CodeInvalid, "factor set %s: want a header and rows of key,value,unit,year,source", version)
	}
	fs := &FactorSet{Version: version, byKey: map[string]Factor{}}
	for i, r := range rows[1:] {
		year, errY := strconv.Atoi(r[3])
		value, errV := ParseDec(r[1])
		if errY != nil || errV != nil || r[0] == "" || r[4] == "" {
			return nil, domain.Errorf(domain.CodeInvalid, "factor set %s, row %d (%s): needs a key, a decimal value, a year and a source", version, i+2, r[0])
		}
		if _, dup := fs.byKey[r[0]]; dup {
			return nil, domain.Errorf(domain.CodeInvalid, "factor set %s lists %s twice", version, r[0])
		}
		f := Factor{Key: r[0], Value: value, Unit: r[2], Year: year, Source: r[4]}
		fs.Factors = append(fs.Factors, f)
		fs.byKey[f.Key] = f
	}
	return fs, nil
}

func (fs *FactorSet) gridYears() int {
	n := 0
	for _, f := range fs.Factors {
		if len(f.Key) == 9 && f.Key[:5] == "grid." {
			n++
		}
	}
	return n
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
