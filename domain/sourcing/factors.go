package sourcing

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
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
	Version  string   `json:"version"`
	Factors  []Factor `json:"factors"`
	byKey    map[string]Factor
	bySeries map[string]map[int]Factor // built at load: every comparison year reads it
}

// CurrentFactorSetVersion is the version a comparison uses by default.
// uk-2025.2 adds to uk-2025.1 a projected grid series after 2025, the Green
// Book carbon values and the Cloud Carbon Footprint replication factors;
// uk-2025.1 stays, unchanged, for the comparisons decided on it.
const CurrentFactorSetVersion = "uk-2025.2"

var (
	//go:embed factors-uk-2025.1.csv
	factorsUK2025v1 []byte
	//go:embed factors-uk-2025.2.csv
	factorsUK2025v2 []byte
)

var (
	factorSetsMu sync.RWMutex
	factorSets   = map[string]*FactorSet{
		"uk-2025.1":             mustLoadFactorSet("uk-2025.1", factorsUK2025v1),
		CurrentFactorSetVersion: mustLoadFactorSet(CurrentFactorSetVersion, factorsUK2025v2),
	}
)

// Series of yearly factors, keyed prefix + YYYY. Only grid is required of a
// factor set; the others are optional, and each has its own fallback.
const (
	seriesGrid        = "grid."        // published DESNZ factors
	seriesProjection  = "gridproj."    // a projected grid series for later years
	seriesCarbonValue = "carbonvalue." // Green Book carbon values, £/tCO2e
	prefixReplication = "ccf.replication."
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
		if !optionalFactor(f.Key) && !fs.Has(f.Key) {
			p.Add("factors", "lacks %s (%s)", f.Key, f.Unit)
		}
	}
	if len(fs.series(seriesGrid)) == 0 {
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
	fs.bySeries = map[string]map[int]Factor{}
	for _, prefix := range []string{seriesGrid, seriesProjection, seriesCarbonValue} {
		fs.bySeries[prefix] = fs.buildSeries(prefix)
	}
	return fs, nil
}

func optionalFactor(key string) bool {
	for _, p := range []string{seriesGrid, seriesProjection, seriesCarbonValue, prefixReplication} {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// series returns the factors keyed prefix + a four-digit year, by year.
func (fs *FactorSet) series(prefix string) map[int]Factor {
	if s, ok := fs.bySeries[prefix]; ok {
		return s
	}
	return fs.buildSeries(prefix)
}

func (fs *FactorSet) buildSeries(prefix string) map[int]Factor {
	out := map[int]Factor{}
	for _, f := range fs.Factors {
		if y, ok := strings.CutPrefix(f.Key, prefix); ok && len(y) == 4 {
			if n, err := strconv.Atoi(y); err == nil {
				out[n] = f
			}
		}
	}
	return out
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

// Bases of a grid factor.
const (
	GridPublished = "published" // the DESNZ factor for that year
	GridProjected = "projected" // the factor set's projection series
	GridNearest   = "nearest"   // neither: the nearest year the set has
)

// GridFactor is the grid factor a year uses and on what basis.
type GridFactor struct {
	Factor
	Basis string
}

// GridAt returns the UK grid factor for a calendar year: the published
// factor for a published year; after the last published year, the factor
// set's projection series; otherwise (before the first year, or beyond the
// projection) the nearest year the set has, which the comparison flags.
func (fs *FactorSet) GridAt(year int) GridFactor {
	published := fs.series(seriesGrid)
	if f, ok := published[year]; ok {
		return GridFactor{f, GridPublished}
	}
	first, last := bounds(published)
	if year > last {
		projected := fs.series(seriesProjection)
		if f, ok := projected[year]; ok {
			return GridFactor{f, GridProjected}
		}
		if len(projected) > 0 {
			_, plast := bounds(projected)
			if year > plast {
				return GridFactor{projected[plast], GridNearest}
			}
		}
		return GridFactor{published[last], GridNearest}
	}
	if year < first {
		return GridFactor{published[first], GridNearest}
	}
	// A gap inside the published years: the latest earlier one.
	for y := year; y >= first; y-- {
		if f, ok := published[y]; ok {
			return GridFactor{f, GridNearest}
		}
	}
	return GridFactor{published[first], GridNearest}
}

// ProjectionSource describes the projection series, for flags and reports.
func (fs *FactorSet) ProjectionSource() string {
	projected := fs.series(seriesProjection)
	if len(projected) == 0 {
		return "factor set " + fs.Version + " has no projection series"
	}
	first, last := bounds(projected)
	// The source's words before its first colon name the series.
	name, _, _ := strings.Cut(projected[first].Source, ":")
	return fmt.Sprintf("%s, %d-%d, in factor set %s", name, first, last, fs.Version)
}

// HasCarbonValues reports whether the set can monetise emissions.
func (fs *FactorSet) HasCarbonValues() bool { return len(fs.series(seriesCarbonValue)) > 0 }

// CarbonValueAt returns the carbon value for a year, or that of the nearest
// year in the series (flagged by the comparison). Callers check
// HasCarbonValues first.
func (fs *FactorSet) CarbonValueAt(year int) Factor {
	values := fs.series(seriesCarbonValue)
	if f, ok := values[year]; ok {
		return f
	}
	first, last := bounds(values)
	return values[min(max(year, first), last)]
}

func bounds(byYear map[int]Factor) (first, last int) {
	for y := range byYear {
		if first == 0 || y < first {
			first = y
		}
		last = max(last, y)
	}
	return first, last
}
