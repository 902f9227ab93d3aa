package ogc

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/cql"
	"github.com/jointict/councilapi/gis/crs"
)

// GeometryQueryable is the name a CQL2 filter uses for a feature's
// geometry, as /queryables lists it (x-ogc-role primary-geometry).
const GeometryQueryable = "geometry"

// Filter languages of the filter-lang parameter (OGC API – Features Part 3).
const (
	LangCQL2Text = "cql2-text"
	LangCQL2JSON = "cql2-json"
)

// SortKey orders items by one queryable (the sortby parameter).
type SortKey struct {
	Name string
	Desc bool
}

// ParseFilter reads and compiles a filter in lang for collection c, with its
// geometry literals in filterCRS (and axis order). Its errors are
// *cql.Error: where the filter went wrong and what to write instead.
func ParseFilter(text, lang string, filterCRS crs.CRS, c *Collection) (*cql.Filter, error) {
	var (
		e   cql.Expr
		err error
	)
	switch lang {
	case LangCQL2JSON:
		e, err = cql.ParseJSON([]byte(text))
	default:
		e, err = cql.ParseText(text)
	}
	if err != nil {
		return nil, err
	}
	return cql.Compile(e, cql.Options{Properties: filterTypes(c), GeometryLiteral: func(g orb.Geometry, inline string) (orb.Geometry, error) {
		from := filterCRS
		if inline != "" {
			if from, err = crs.Parse(inline); err != nil {
				return nil, fmt.Errorf("unknown CRS %q: use one of %s", inline, strings.Join(crs.Allowed(), ", "))
			}
		}
		if from == crs.CRS84 {
			return g, nil
		}
		return crs.TransformGeometry(g, from, crs.CRS84)
	}})
}

// filterTypes are the queryables as CQL2 types: the declared or inferred
// scalar properties, the temporal property as a time, and the geometry.
func filterTypes(c *Collection) map[string]cql.Type {
	types := map[string]cql.Type{GeometryQueryable: cql.GeometryType}
	for _, q := range c.queryables() {
		switch q.Type {
		case "number", "integer":
			types[q.Name] = cql.NumberType
		case "boolean":
			types[q.Name] = cql.BooleanType
		default:
			types[q.Name] = cql.StringType
		}
	}
	if c.TemporalProperty != "" {
		types[c.TemporalProperty] = cql.TimestampType
	}
	return types
}

// ParseSortBy reads sortby as pygeoapi and OGC API – Records write it:
// comma-separated queryables, each optionally prefixed + (ascending, the
// default) or - (descending).
func ParseSortBy(s string, c *Collection) ([]SortKey, error) {
	var keys []SortKey
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		k := SortKey{Name: strings.TrimLeft(item, "+-")}
		k.Desc = strings.HasPrefix(item, "-")
		if _, ok := c.queryable(k.Name); !ok && k.Name != c.TemporalProperty || k.Name == "" {
			names := make([]string, 0, len(c.queryables()))
			for _, q := range c.queryables() {
				names = append(names, q.Name)
			}
			return nil, fmt.Errorf("cannot sort by %q: give queryables (see /queryables), each optionally prefixed - for descending, e.g. -%s",
				k.Name, firstOr(names, "name"))
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func firstOr(names []string, def string) string {
	if len(names) > 0 {
		return names[0]
	}
	return def
}

// featureRecord is a feature as a CQL2 filter reads it; properties are
// decoded once, on first use.
type featureRecord struct {
	ix    *Index
	ord   uint32
	props map[string]any
	read  bool
}

func (f *featureRecord) Property(name string) (any, bool) {
	if !f.read {
		f.props, _ = f.ix.Properties(f.ord)
		f.read = true
	}
	v, ok := f.props[name]
	return v, ok
}

func (f *featureRecord) Geometry() orb.Geometry {
	g, _ := f.ix.Geometry(f.ord)
	return g
}

// searchFiltered answers a query with a CQL2 filter or a sort order. The
// other criteria, plus the box and the equalities the filter implies, pick
// candidates from the indexes first; the filter is then evaluated on each
// candidate, so Matched stays exact.
func (ix *Index) searchFiltered(q Query) Result {
	base := q
	base.Filter, base.SortBy, base.Offset, base.Limit = nil, nil, 0, ix.Len()
	if q.Filter != nil {
		if b, ok := q.Filter.Bound(); ok {
			if base.BBox != nil {
				if !base.BBox.Intersects(b) {
					return Result{}
				}
				b = orb.Bound{Min: orb.Point{max(b.Min[0], base.BBox.Min[0]), max(b.Min[1], base.BBox.Min[1])},
					Max: orb.Point{min(b.Max[0], base.BBox.Max[0]), min(b.Max[1], base.BBox.Max[1])}}
			}
			base.BBox = &b
		}
		base.Equals = append(slices.Clip(base.Equals), ix.indexedEqualities(q.Filter)...)
	}
	cand := ix.Search(base).Ordinals
	slices.Sort(cand) // a bbox-only search answers in the spatial index's order
	recs := make([]featureRecord, 0, len(cand))
	for _, o := range cand {
		r := featureRecord{ix: ix, ord: o}
		if q.Filter == nil || q.Filter.Match(&r) {
			recs = append(recs, r)
		}
	}
	if len(q.SortBy) > 0 {
		slices.SortStableFunc(recs, func(a, b featureRecord) int { return compareBy(q.SortBy, &a, &b) })
	}
	res := Result{Matched: len(recs)}
	for i := q.Offset; i < len(recs) && len(res.Ordinals) < max(q.Limit, 0); i++ {
		res.Ordinals = append(res.Ordinals, recs[i].ord)
	}
	return res
}

// indexedEqualities turns the filter's top-level property = literal tests
// into value-index lookups, for the properties the index holds with one
// type; the filter still checks every candidate.
func (ix *Index) indexedEqualities(f *cql.Filter) []Equal {
	var out []Equal
	for _, eq := range f.Equalities() {
		i := slices.IndexFunc(ix.Queryables(), func(q Queryable) bool { return q.Name == eq.Property })
		if i < 0 {
			continue
		}
		typ := ix.Queryables()[i].Type
		var text string
		switch v := eq.Value.(type) {
		case string:
			if typ != "string" {
				continue
			}
			text = v
		case float64:
			if typ != "number" && typ != "integer" {
				continue
			}
			text = strconv.FormatFloat(v, 'g', -1, 64)
		case bool:
			if typ != "boolean" {
				continue
			}
			text = strconv.FormatBool(v)
		}
		if key, err := ParseFilterValue(typ, text); err == nil {
			out = append(out, Equal{Name: eq.Property, Key: key})
		}
	}
	return out
}

// compareBy orders two features by the sort keys; a missing value sorts
// after every present one in ascending order.
func compareBy(keys []SortKey, a, b *featureRecord) int {
	for _, k := range keys {
		x, _ := a.Property(k.Name)
		y, _ := b.Property(k.Name)
		c := compareValues(x, y)
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareValues(x, y any) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	switch a := x.(type) {
	case float64:
		if b, ok := y.(float64); ok {
			return cmp.Compare(a, b)
		}
	case string:
		if b, ok := y.(string); ok {
			return strings.Compare(a, b)
		}
	case bool:
		if b, ok := y.(bool); ok {
			return cmp.Compare(boolRank(a), boolRank(b))
		}
	}
	// Values of different types: order by type so the sort stays total.
	return cmp.Compare(fmt.Sprintf("%T", x), fmt.Sprintf("%T", y))
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
