package cql

import (
	"slices"
	"strings"

	"github.com/paulmach/orb"
)

// Record is one item a filter is evaluated on.
type Record interface {
	// Property returns a property's value: string, bool, a number type,
	// json.Number, time.Time, []any, []string, orb.Geometry or nil.
	Property(name string) (any, bool)
	// Geometry is the item's geometry, read for the properties typed
	// GeometryType in Options.Properties.
	Geometry() orb.Geometry
}

// Type is what a queryable holds, as its schema declares it.
type Type uint8

// Queryable types. AnyType takes each value as it comes.
const (
	AnyType Type = iota
	StringType
	NumberType
	BooleanType
	TimestampType
	GeometryType
)

func (t Type) String() string {
	return [...]string{"of any type", "a string", "a number", "a boolean", "a date or time", "a geometry"}[t]
}

// Options say what a filter may refer to and how its literals are read.
type Options struct {
	// Properties are the queryables and their types. A filter naming any
	// other property is refused, naming the queryables. Nil allows any name
	// and takes values as they come.
	Properties map[string]Type
	// GeometryLiteral, when set, converts each geometry literal into the
	// records' CRS: crs is the CRS given with the literal itself ("" when
	// it is the filter's CRS, filter-crs in OGC API – Features).
	GeometryLiteral func(g orb.Geometry, crs string) (orb.Geometry, error)
}

// Filter is a compiled filter, safe for concurrent use.
type Filter struct {
	cond      condFn
	bound     orb.Bound
	hasBound  bool
	equalsAll []Equality
}

// Equality is a property = literal condition every match satisfies.
type Equality struct {
	Property string
	Value    any // string, float64 or bool
}

// Match reports whether the record satisfies the filter. A condition on a
// missing or null property is unknown, as in SQL, and unknown is no match.
func (f *Filter) Match(r Record) bool { return f.cond(r) == yes }

// Bound is a box every matching record's geometry intersects, when the
// filter requires one (S_INTERSECTS, S_WITHIN, S_CONTAINS or S_EQUALS of
// a geometry property with a literal, under AND and OR), so a caller can
// take candidates from a spatial index first.
func (f *Filter) Bound() (orb.Bound, bool) { return f.bound, f.hasBound }

// Equalities are the property = literal conditions joined by AND at the top
// of the filter, for a caller with a value index to narrow candidates.
func (f *Filter) Equalities() []Equality { return f.equalsAll }

// Compile checks a filter against the options and prepares it for
// evaluation. Its errors are *Error, naming what to change.
func Compile(e Expr, o Options) (*Filter, error) {
	c := compiler{o: o}
	cond, err := c.cond(e)
	if err != nil {
		return nil, err
	}
	f := &Filter{cond: cond}
	f.bound, f.hasBound = c.boundOf(e)
	f.equalsAll = c.equalities(e)
	return f, nil
}

type compiler struct{ o Options }

func (c *compiler) typeOf(name string) (Type, error) {
	if c.o.Properties == nil {
		return AnyType, nil
	}
	t, ok := c.o.Properties[name]
	if !ok {
		names := make([]string, 0, len(c.o.Properties))
		for n := range c.o.Properties {
			names = append(names, n)
		}
		slices.Sort(names)
		list := strings.Join(names, ", ")
		if len(names) > 20 {
			list = strings.Join(names[:20], ", ") + ", ..."
		}
		if len(names) == 0 {
			list = "none"
		}
		return 0, errorf("unknown property %q: the queryables are %s", name, list)
	}
	return t, nil
}

// geometry applies GeometryLiteral to a literal.
func (c *compiler) geometry(g Geometry) (orb.Geometry, error) {
	if c.o.GeometryLiteral == nil {
		return g.G, nil
	}
	out, err := c.o.GeometryLiteral(g.G, g.CRS)
	if err != nil {
		return nil, errorf("a geometry in the filter cannot be used: %v", err)
	}
	return out, nil
}

// boundOf is a box every match intersects, if the filter implies one.
func (c *compiler) boundOf(e Expr) (orb.Bound, bool) {
	switch e := e.(type) {
	case And:
		var out orb.Bound
		found := false
		for _, a := range e.Args {
			if b, ok := c.boundOf(a); ok {
				// Disjoint boxes match nothing; keeping one of them is still
				// a correct (if loose) answer.
				if found && out.Intersects(b) {
					out = orb.Bound{Min: orb.Point{max(out.Min[0], b.Min[0]), max(out.Min[1], b.Min[1])},
						Max: orb.Point{min(out.Max[0], b.Max[0]), min(out.Max[1], b.Max[1])}}
				} else if !found {
					out, found = b, true
				}
			}
		}
		return out, found
	case Or:
		var out orb.Bound
		for i, a := range e.Args {
			b, ok := c.boundOf(a)
			if !ok {
				return orb.Bound{}, false
			}
			if i == 0 {
				out = b
			} else {
				out = out.Union(b)
			}
		}
		return out, true
	case Call:
		switch e.Name {
		case "s_intersects", "s_within", "s_contains", "s_equals":
		default:
			return orb.Bound{}, false
		}
		if len(e.Args) != 2 {
			return orb.Bound{}, false
		}
		for i, a := range e.Args {
			p, isProp := a.(Property)
			g, isGeom := e.Args[1-i].(Geometry)
			if isProp && isGeom && c.o.Properties[p.Name] == GeometryType {
				lit, err := c.geometry(g)
				if err == nil && lit != nil {
					return lit.Bound(), true
				}
			}
		}
	}
	return orb.Bound{}, false
}

func (c *compiler) equalities(e Expr) []Equality {
	var out []Equality
	var walk func(Expr)
	walk = func(e Expr) {
		switch e := e.(type) {
		case And:
			for _, a := range e.Args {
				walk(a)
			}
		case Compare:
			if e.Op != "=" {
				return
			}
			for i, side := range []Expr{e.Left, e.Right} {
				p, ok := side.(Property)
				if !ok {
					continue
				}
				switch v := []Expr{e.Left, e.Right}[1-i].(type) {
				case String:
					out = append(out, Equality{p.Name, string(v)})
				case Number:
					out = append(out, Equality{p.Name, float64(v)})
				case Bool:
					out = append(out, Equality{p.Name, bool(v)})
				}
				return
			}
		}
	}
	walk(e)
	return out
}
