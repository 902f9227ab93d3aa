package cql

import (
	"strings"
)

// scalar compiles a value expression, folding constants.
func (c *compiler) scalar(e Expr) (scalar, error) {
	switch e := e.(type) {
	case Property:
		return c.property(e.Name)
	case String:
		return constant(value{k: kString, s: string(e)}, describe(e)), nil
	case Number:
		return constant(value{k: kNumber, n: float64(e)}, describe(e)), nil
	case Bool:
		return constant(value{k: kBool, b: bool(e)}, describe(e)), nil
	case Timestamp:
		return constant(value{k: kTime, t: instantSpan(e.Time)}, "TIMESTAMP('"+e.Time.Format("2006-01-02T15:04:05Z07:00")+"')"), nil
	case Date:
		return constant(value{k: kTime, t: daySpan(e.Time)}, "DATE('"+e.Time.Format("2006-01-02")+"')"), nil
	case Open:
		return constant(value{k: kTime, t: openSpan}, "'..'"), nil
	case Interval:
		return c.interval(e)
	case Geometry:
		g, err := c.geometry(e)
		if err != nil {
			return scalar{}, err
		}
		return constant(value{k: kGeom, g: g}, "a geometry"), nil
	case Array:
		return c.array(e)
	case Arith:
		return c.arith(e)
	case Call:
		if e.Name == "casei" || e.Name == "accenti" {
			return c.stringFunc(e)
		}
	}
	if isCondition(e) {
		// A condition used as a value, as in (floors > 5) = TRUE.
		f, err := c.cond(e)
		if err != nil {
			return scalar{}, err
		}
		return scalar{fn: func(r Record) value {
			switch f(r) {
			case yes:
				return value{k: kBool, b: true}
			case no:
				return value{k: kBool}
			}
			return value{}
		}, desc: "a condition"}, nil
	}
	return scalar{}, errorf("%s cannot be evaluated", describe(e))
}

func (c *compiler) property(name string) (scalar, error) {
	t, err := c.typeOf(name)
	if err != nil {
		return scalar{}, err
	}
	s := scalar{typ: t, desc: "the property " + name}
	if t == GeometryType {
		s.fn = func(r Record) value {
			if g := r.Geometry(); g != nil {
				return value{k: kGeom, g: g}
			}
			return value{}
		}
		return s, nil
	}
	s.fn = func(r Record) value {
		v, ok := r.Property(name)
		if !ok {
			return value{}
		}
		return fromGo(v)
	}
	return s, nil
}

func (c *compiler) interval(e Interval) (scalar, error) {
	start, end, err := c.pair(e.Start, e.End)
	if err != nil {
		return scalar{}, err
	}
	for _, s := range []scalar{start, end} {
		if s.typ != AnyType && s.typ != TimestampType && s.typ != StringType || s.konst && s.v.k != kTime && s.v.k != kString {
			return scalar{}, errorf("an interval's ends are dates, timestamps or '..', not %s", s.desc)
		}
	}
	fn := func(r Record) value {
		a, ok1 := start.fn(r).asTime()
		b, ok2 := end.fn(r).asTime()
		if !ok1 || !ok2 || a.lo > b.hi {
			return value{}
		}
		return value{k: kTime, t: span{a.lo, b.hi}}
	}
	if start.konst && end.konst {
		v := fn(nil)
		if v.k == kNull {
			return scalar{}, errorf("the interval ends before it starts")
		}
		return constant(v, "an interval"), nil
	}
	return scalar{fn: fn, desc: "an interval"}, nil
}

func (c *compiler) array(e Array) (scalar, error) {
	items := make([]scalar, len(e))
	konst := true
	for i, item := range e {
		s, err := c.scalar(item)
		if err != nil {
			return scalar{}, err
		}
		items[i], konst = s, konst && s.konst
	}
	fn := func(r Record) value {
		out := make([]value, len(items))
		for i, s := range items {
			out[i] = s.fn(r)
		}
		return value{k: kArray, a: out}
	}
	if konst {
		return constant(fn(nil), "a list"), nil
	}
	return scalar{fn: fn, desc: "a list"}, nil
}

func (c *compiler) arith(e Arith) (scalar, error) {
	l, r, err := c.pair(e.Left, e.Right)
	if err != nil {
		return scalar{}, err
	}
	for _, s := range []scalar{l, r} {
		if s.typ != AnyType && s.typ != NumberType || s.konst && s.v.k != kNumber {
			return scalar{}, errorf("arithmetic needs numbers, but %s is %s", s.desc, kindName(s))
		}
	}
	op := e.Op
	fn := func(rec Record) value { return arith(op, l.fn(rec), r.fn(rec)) }
	if l.konst && r.konst {
		return constant(fn(nil), "a number"), nil
	}
	return scalar{fn: fn, typ: NumberType, desc: "an arithmetic expression"}, nil
}

func kindName(s scalar) string {
	if !s.konst {
		return s.typ.String()
	}
	return [...]string{"null", "a string", "a number", "a boolean", "a time", "a geometry", "a list"}[s.v.k]
}

// stringFunc compiles CASEI and ACCENTI, which apply to their argument's
// text: comparing CASEI(a) with CASEI(b) ignores case on both sides.
func (c *compiler) stringFunc(e Call) (scalar, error) {
	if len(e.Args) != 1 {
		return scalar{}, errorf("%s takes one argument, not %d", strings.ToUpper(e.Name), len(e.Args))
	}
	arg, err := c.scalar(e.Args[0])
	if err != nil {
		return scalar{}, err
	}
	if arg.typ != AnyType && arg.typ != StringType || arg.konst && arg.v.k != kString && arg.v.k != kArray {
		return scalar{}, errorf("%s applies to text, but %s is %s", strings.ToUpper(e.Name), arg.desc, kindName(arg))
	}
	f := foldCase
	if e.Name == "accenti" {
		f = stripAccents
	}
	fn := func(r Record) value { return mapStrings(arg.fn(r), f) }
	if arg.konst {
		s := constant(fn(nil), arg.desc)
		s.typ = StringType
		return s, nil
	}
	return scalar{fn: fn, typ: StringType, desc: arg.desc}, nil
}

// call compiles the spatial, temporal and array functions.
func (c *compiler) call(e Call) (condFn, error) {
	name := strings.ToUpper(e.Name)
	if len(e.Args) != 2 && (spatialFuncs[e.Name] || temporalFuncs[e.Name] || arrayFuncs[e.Name]) {
		return nil, errorf("%s takes two arguments, not %d", name, len(e.Args))
	}
	switch {
	case e.Name == "s_touches" || e.Name == "s_overlaps" || e.Name == "s_crosses":
		return nil, errorf("%s is not supported: use S_INTERSECTS, S_DISJOINT, S_WITHIN, S_CONTAINS or S_EQUALS", name)
	case spatialFuncs[e.Name]:
		a, b, err := c.pair(e.Args[0], e.Args[1])
		if err != nil {
			return nil, err
		}
		for _, s := range []scalar{a, b} {
			if s.typ != AnyType && s.typ != GeometryType || s.konst && s.v.k != kGeom {
				return nil, errorf("%s compares geometries, but %s is %s", name, s.desc, kindName(s))
			}
		}
		return func(r Record) tri {
			x, y := a.fn(r), b.fn(r)
			if x.k != kGeom || y.k != kGeom {
				return unknown
			}
			return truth(spatial(e.Name, x.g, y.g))
		}, nil
	case temporalFuncs[e.Name]:
		a, b, err := c.pair(e.Args[0], e.Args[1])
		if err != nil {
			return nil, err
		}
		for _, s := range []scalar{a, b} {
			if s.typ == NumberType || s.typ == BooleanType || s.typ == GeometryType || s.konst && s.v.k != kTime {
				return nil, errorf("%s compares times, but %s is %s", name, s.desc, kindName(s))
			}
		}
		return func(r Record) tri {
			x, ok1 := a.fn(r).asTime()
			y, ok2 := b.fn(r).asTime()
			if !ok1 || !ok2 {
				return unknown
			}
			return truth(temporal(e.Name, x, y))
		}, nil
	case arrayFuncs[e.Name]:
		a, b, err := c.pair(e.Args[0], e.Args[1])
		if err != nil {
			return nil, err
		}
		return func(r Record) tri {
			x, y := a.fn(r), b.fn(r)
			if x.k != kArray || y.k != kArray {
				return unknown
			}
			return truth(arrayFunc(e.Name, x.a, y.a))
		}, nil
	}
	return nil, errorf("the function %s is not supported: the functions are CASEI, ACCENTI and the S_, T_ and A_ functions", e.Name)
}

func contained(x value, in []value) bool {
	for _, y := range in {
		if c, ok := order(x, y); ok && c == 0 {
			return true
		}
	}
	return false
}

func arraysEqual(a, b []value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if c, ok := order(a[i], b[i]); !ok || c != 0 {
			return false
		}
	}
	return true
}

func arrayFunc(name string, a, b []value) bool {
	all := func(xs, in []value) bool {
		for _, x := range xs {
			if !contained(x, in) {
				return false
			}
		}
		return true
	}
	switch name {
	case "a_equals":
		return arraysEqual(a, b)
	case "a_contains":
		return all(b, a)
	case "a_containedby":
		return all(a, b)
	case "a_overlaps":
		for _, x := range a {
			if contained(x, b) {
				return true
			}
		}
	}
	return false
}
