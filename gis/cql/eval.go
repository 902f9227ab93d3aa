package cql

import (
	"fmt"
	"math"
	"strings"
)

// tri is SQL's three-valued truth: a comparison with a missing value is
// unknown, NOT unknown is unknown, and only yes selects a record.
type tri uint8

const (
	no tri = iota
	yes
	unknown
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

type (
	condFn   func(Record) tri
	scalarFn func(Record) value
)

// scalar is a compiled value expression: its function, its value when it is
// a constant (folded at compile time), and what it is, for error messages.
type scalar struct {
	fn    scalarFn
	konst bool
	v     value
	typ   Type   // the declared type of a property, AnyType otherwise
	desc  string // "the property floors", "a string", ...
}

func constant(v value, desc string) scalar {
	return scalar{fn: func(Record) value { return v }, konst: true, v: v, desc: desc}
}

func (c *compiler) cond(e Expr) (condFn, error) {
	switch e := e.(type) {
	case And:
		return c.joined(e.Args, no)
	case Or:
		return c.joined(e.Args, yes)
	case Not:
		f, err := c.cond(e.Arg)
		if err != nil {
			return nil, err
		}
		return func(r Record) tri {
			switch f(r) {
			case yes:
				return no
			case no:
				return yes
			}
			return unknown
		}, nil
	case Bool:
		t := truth(bool(e))
		return func(Record) tri { return t }, nil
	case Compare:
		return c.compare(e)
	case Like:
		return c.like(e)
	case Between:
		return c.between(e)
	case In:
		return c.in(e)
	case IsNull:
		v, err := c.scalar(e.Value)
		if err != nil {
			return nil, err
		}
		return func(r Record) tri { return truth(v.fn(r).k == kNull) }, nil
	case Call:
		return c.call(e)
	}
	return nil, errorf("expected a condition, found %s", describe(e))
}

// joined evaluates AND (decisive no) or OR (decisive yes) over its
// arguments, stopping at the first decisive one.
func (c *compiler) joined(args []Expr, decisive tri) (condFn, error) {
	fs := make([]condFn, len(args))
	for i, a := range args {
		f, err := c.cond(a)
		if err != nil {
			return nil, err
		}
		fs[i] = f
	}
	other := truth(decisive == no)
	return func(r Record) tri {
		out := other
		for _, f := range fs {
			switch f(r) {
			case decisive:
				return decisive
			case unknown:
				out = unknown
			}
		}
		return out
	}, nil
}

func (c *compiler) compare(e Compare) (condFn, error) {
	l, r, err := c.pair(e.Left, e.Right)
	if err != nil {
		return nil, err
	}
	if err := comparable(l, r); err != nil {
		return nil, err
	}
	op := e.Op
	return func(rec Record) tri { return compareValues(op, l.fn(rec), r.fn(rec)) }, nil
}

func (c *compiler) pair(a, b Expr) (scalar, scalar, error) {
	l, err := c.scalar(a)
	if err != nil {
		return l, l, err
	}
	r, err := c.scalar(b)
	return l, r, err
}

// comparable refuses, before any record is read, a comparison whose sides
// can never be equal: a declared property against a literal of another type.
func comparable(a, b scalar) error {
	for _, s := range []scalar{a, b} {
		if s.typ == GeometryType || s.konst && s.v.k == kGeom {
			return errorf("%s is a geometry: compare geometries with S_INTERSECTS, S_WITHIN, S_CONTAINS, S_DISJOINT or S_EQUALS", s.desc)
		}
	}
	for _, pair := range [][2]scalar{{a, b}, {b, a}} {
		prop, lit := pair[0], pair[1]
		if prop.typ == AnyType || !lit.konst || lit.v.k == kNull {
			continue
		}
		ok := true
		switch prop.typ {
		case StringType:
			ok = lit.v.k == kString || lit.v.k == kTime
		case NumberType:
			ok = lit.v.k == kNumber
		case BooleanType:
			ok = lit.v.k == kBool
		case TimestampType:
			ok = lit.v.k == kTime || lit.v.k == kString && validTime(lit.v.s)
		}
		if !ok {
			return errorf("%s is %s; compare it with %s, not %s", prop.desc, prop.typ, literalFor(prop.typ), lit.desc)
		}
	}
	return nil
}

func validTime(s string) bool { _, ok := temporalString(s); return ok }

func literalFor(t Type) string {
	switch t {
	case NumberType:
		return "a number such as 5"
	case BooleanType:
		return "TRUE or FALSE"
	case TimestampType:
		return "DATE('2024-05-01') or TIMESTAMP('2024-05-01T09:30:00Z')"
	}
	return "a quoted string such as 'text'"
}

func compareValues(op string, a, b value) tri {
	if a.k == kNull || b.k == kNull {
		return unknown
	}
	// A list-valued property (keywords, subjects) matches when any of its
	// values does, as catalogue searches expect.
	if a.k == kArray && b.k != kArray {
		return anyOf(a.a, func(x value) tri { return compareValues(op, x, b) })
	}
	if b.k == kArray && a.k != kArray {
		return anyOf(b.a, func(x value) tri { return compareValues(op, a, x) })
	}
	if a.k == kArray && b.k == kArray && (op == "=" || op == "<>") {
		eq := arraysEqual(a.a, b.a)
		return truth(eq == (op == "="))
	}
	cmp, ok := order(a, b)
	if !ok {
		return unknown
	}
	switch op {
	case "=":
		return truth(cmp == 0)
	case "<>":
		return truth(cmp != 0)
	case "<":
		return truth(cmp < 0)
	case "<=":
		return truth(cmp <= 0)
	case ">":
		return truth(cmp > 0)
	case ">=":
		return truth(cmp >= 0)
	}
	return unknown
}

func anyOf(items []value, f func(value) tri) tri {
	out := no
	for _, x := range items {
		switch f(x) {
		case yes:
			return yes
		case unknown:
			out = unknown
		}
	}
	return out
}

func (c *compiler) like(e Like) (condFn, error) {
	v, p, err := c.pair(e.Value, e.Pattern)
	if err != nil {
		return nil, err
	}
	if v.typ != AnyType && v.typ != StringType {
		return nil, errorf("LIKE matches text, but %s is %s", v.desc, v.typ)
	}
	if p.konst && p.v.k != kString {
		return nil, errorf("the pattern of LIKE must be a quoted string, not %s", p.desc)
	}
	matchOne := func(val value, pat likePattern) tri {
		if val.k != kString {
			return unknown
		}
		return truth(pat.match(val.s))
	}
	var fixed likePattern
	if p.konst {
		fixed = compileLike(p.v.s)
	}
	return func(r Record) tri {
		pat := fixed
		if !p.konst {
			pv := p.fn(r)
			if pv.k != kString {
				return unknown
			}
			pat = compileLike(pv.s)
		}
		val := v.fn(r)
		if val.k == kArray {
			return anyOf(val.a, func(x value) tri { return matchOne(x, pat) })
		}
		return matchOne(val, pat)
	}, nil
}

func (c *compiler) between(e Between) (condFn, error) {
	v, lo, err := c.pair(e.Value, e.Low)
	if err != nil {
		return nil, err
	}
	hi, err := c.scalar(e.High)
	if err != nil {
		return nil, err
	}
	if err := comparable(v, lo); err != nil {
		return nil, err
	}
	if err := comparable(v, hi); err != nil {
		return nil, err
	}
	return func(r Record) tri {
		x := v.fn(r)
		a, b := compareValues(">=", x, lo.fn(r)), compareValues("<=", x, hi.fn(r))
		if a == no || b == no {
			return no
		}
		if a == unknown || b == unknown {
			return unknown
		}
		return yes
	}, nil
}

func (c *compiler) in(e In) (condFn, error) {
	v, err := c.scalar(e.Value)
	if err != nil {
		return nil, err
	}
	list := make([]scalar, len(e.List))
	for i, item := range e.List {
		if list[i], err = c.scalar(item); err != nil {
			return nil, err
		}
		if err := comparable(v, list[i]); err != nil {
			return nil, err
		}
	}
	return func(r Record) tri {
		x := v.fn(r)
		out := no
		for _, item := range list {
			switch compareValues("=", x, item.fn(r)) {
			case yes:
				return yes
			case unknown:
				out = unknown
			}
		}
		return out
	}, nil
}

func describe(e Expr) string {
	switch e := e.(type) {
	case Property:
		return "the property " + e.Name
	case String:
		return "the string " + quote(string(e))
	case Number:
		return fmt.Sprintf("the number %g", float64(e))
	case Bool:
		return strings.ToUpper(fmt.Sprint(bool(e)))
	case Timestamp, Date, Interval, Open:
		return "a time"
	case Geometry:
		return "a geometry"
	case Array:
		return "a list"
	case Call:
		return e.Name + "(...)"
	case Arith:
		return "an arithmetic expression"
	}
	return "a condition"
}

// openSpan stands for ".." at either end of an interval.
var openSpan = span{math.MinInt64, math.MaxInt64}
