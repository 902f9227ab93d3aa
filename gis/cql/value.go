package cql

import (
	"cmp"
	"encoding/json"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/paulmach/orb"
	"golang.org/x/text/unicode/norm"
)

// kind is the type of a value during evaluation.
type kind uint8

const (
	kNull kind = iota // missing, null, or of a type CQL2 cannot compare
	kString
	kNumber
	kBool
	kTime // an instant, a day or an interval, as a span
	kGeom
	kArray
)

type value struct {
	k kind
	s string
	n float64
	b bool
	t span
	g orb.Geometry
	a []value
}

// span is a closed time range in unix nanoseconds: an instant has lo == hi,
// a date covers its whole UTC day, open ends are the extreme int64s.
type span struct{ lo, hi int64 }

var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64-1)
)

// nanos saturates outside the years 1678–2262 that int64 nanoseconds hold,
// so far dates still order correctly against every date in range.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(minTime):
		return math.MinInt64 + 1
	case t.After(maxTime):
		return math.MaxInt64 - 1
	}
	return t.UnixNano()
}

func instantSpan(t time.Time) span { n := nanos(t); return span{n, n} }

func daySpan(t time.Time) span {
	return span{nanos(t), nanos(t.Add(24*time.Hour)) - 1}
}

// temporalString reads a string property as a timestamp or a date, the
// way GeoJSON carries times.
func temporalString(s string) (span, bool) {
	if t, ok := parseInstant(s); ok {
		return instantSpan(t), true
	}
	if t, ok := parseDay(s); ok {
		return daySpan(t), true
	}
	return span{}, false
}

// fromGo converts a property value as a Record returns it.
func fromGo(v any) value {
	switch x := v.(type) {
	case nil:
		return value{}
	case string:
		return value{k: kString, s: x}
	case bool:
		return value{k: kBool, b: x}
	case float64:
		return value{k: kNumber, n: x}
	case float32:
		return value{k: kNumber, n: float64(x)}
	case int:
		return value{k: kNumber, n: float64(x)}
	case int32:
		return value{k: kNumber, n: float64(x)}
	case int64:
		return value{k: kNumber, n: float64(x)}
	case uint32:
		return value{k: kNumber, n: float64(x)}
	case uint64:
		return value{k: kNumber, n: float64(x)}
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return value{k: kNumber, n: f}
		}
	case time.Time:
		if x.IsZero() {
			return value{}
		}
		return value{k: kTime, t: instantSpan(x)}
	case orb.Geometry:
		return value{k: kGeom, g: x}
	case []any:
		out := make([]value, len(x))
		for i, item := range x {
			out[i] = fromGo(item)
		}
		return value{k: kArray, a: out}
	case []string:
		out := make([]value, len(x))
		for i, item := range x {
			out[i] = value{k: kString, s: item}
		}
		return value{k: kArray, a: out}
	}
	return value{}
}

// asTime gives the span of a temporal value or of a string holding one.
func (v value) asTime() (span, bool) {
	switch v.k {
	case kTime:
		return v.t, true
	case kString:
		return temporalString(v.s)
	}
	return span{}, false
}

// order compares two values of one type; ok is false when CQL2 cannot
// compare them (different types, geometries, arrays). A string meeting a
// time is read as a time.
func order(a, b value) (c int, ok bool) {
	if a.k == kTime || b.k == kTime {
		x, ok1 := a.asTime()
		y, ok2 := b.asTime()
		if !ok1 || !ok2 {
			return 0, false
		}
		if c := cmp.Compare(x.lo, y.lo); c != 0 {
			return c, true
		}
		return cmp.Compare(x.hi, y.hi), true
	}
	if a.k != b.k {
		return 0, false
	}
	switch a.k {
	case kString:
		return strings.Compare(a.s, b.s), true
	case kNumber:
		return cmp.Compare(a.n, b.n), true
	case kBool:
		return cmp.Compare(boolInt(a.b), boolInt(b.b)), true
	}
	return 0, false
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// foldCase lower-cases every character by way of its upper case, so the
// variants of a letter (K and the Kelvin sign, s and long s, σ and ς) meet:
// CASEI('Straße') = CASEI('STRAßE').
func foldCase(s string) string {
	return strings.Map(func(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }, s)
}

// stripAccents decomposes the text and drops the combining marks, so
// ACCENTI('débárquér') = ACCENTI('debarquer').
func stripAccents(s string) string {
	d := norm.NFD.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, d)
}

// mapStrings applies f to a string, or to every string of an array.
func mapStrings(v value, f func(string) string) value {
	switch v.k {
	case kString:
		v.s = f(v.s)
	case kArray:
		out := make([]value, len(v.a))
		for i, item := range v.a {
			out[i] = mapStrings(item, f)
		}
		v.a = out
	}
	return v
}

// arith applies an arithmetic operator; anything but two numbers, or a
// division by zero, is null.
func arith(op string, a, b value) value {
	if a.k != kNumber || b.k != kNumber {
		return value{}
	}
	x, y := a.n, b.n
	var r float64
	switch op {
	case "+":
		r = x + y
	case "-":
		r = x - y
	case "*":
		r = x * y
	case "/":
		if y == 0 {
			return value{}
		}
		r = x / y
	case "div":
		if y == 0 {
			return value{}
		}
		r = math.Trunc(x / y)
	case "%":
		if y == 0 {
			return value{}
		}
		r = math.Mod(x, y)
	case "^":
		r = math.Pow(x, y)
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return value{}
	}
	return value{k: kNumber, n: r}
}
