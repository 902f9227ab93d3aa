package ogc

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// propBuilder collects, per property, the ordinals of each value and the
// kinds of value seen, so a property whose type varies is left out rather
// than matched inconsistently.
type propBuilder struct {
	props map[string]*propAcc
}

type propAcc struct {
	kinds   uint8 // bit set of kindString, kindNumber, kindBool, kindOther
	integer bool  // every number seen is whole
	byValue map[string][]uint32
}

const (
	kindString = 1 << iota
	kindNumber
	kindBool
	kindOther
)

func newPropBuilder() *propBuilder { return &propBuilder{props: map[string]*propAcc{}} }

func (b *propBuilder) add(ord uint32, props map[string]any) {
	for name, v := range props {
		if v == nil {
			continue
		}
		a := b.props[name]
		if a == nil {
			a = &propAcc{integer: true, byValue: map[string][]uint32{}}
			b.props[name] = a
		}
		key, kind, whole := canonical(v)
		a.kinds |= kind
		a.integer = a.integer && whole
		if kind != kindOther {
			a.byValue[key] = append(a.byValue[key], ord)
		}
	}
}

// canonical is the text a value is indexed under; numbers of any Go type
// share one form so 5, 5.0 and int64(5) match the same filter.
func canonical(v any) (string, uint8, bool) {
	var f float64
	switch x := v.(type) {
	case string:
		return x, kindString, false
	case bool:
		return strconv.FormatBool(x), kindBool, false
	case float64:
		f = x
	case float32:
		f = float64(x)
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case int32:
		f = float64(x)
	case uint32:
		f = float64(x)
	case uint64:
		f = float64(x)
	case json.Number:
		var err error
		if f, err = x.Float64(); err != nil {
			return "", kindOther, false
		}
	default:
		return "", kindOther, false
	}
	return canonicalNumber(f), kindNumber, f == math.Trunc(f)
}

func canonicalNumber(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func (b *propBuilder) build() (map[string]*propIndex, []Queryable) {
	out := map[string]*propIndex{}
	var qs []Queryable
	for name, a := range b.props {
		var typ string
		switch a.kinds {
		case kindString:
			typ = "string"
		case kindNumber:
			typ = "number"
			if a.integer {
				typ = "integer"
			}
		case kindBool:
			typ = "boolean"
		default:
			continue
		}
		p := &propIndex{typ: typ, values: make([]string, 0, len(a.byValue))}
		for v := range a.byValue {
			p.values = append(p.values, v)
		}
		slices.Sort(p.values)
		p.start = make([]uint32, 0, len(p.values)+1)
		for _, v := range p.values {
			p.start = append(p.start, uint32(len(p.postings)))
			p.postings = append(p.postings, a.byValue[v]...)
		}
		p.start = append(p.start, uint32(len(p.postings)))
		p.postings = slices.Clip(p.postings)
		out[name] = p
		qs = append(qs, Queryable{Name: name, Type: typ})
	}
	slices.SortFunc(qs, func(a, b Queryable) int { return strings.Compare(a.Name, b.Name) })
	return out, qs
}

// lookup returns the ordinals whose property has the canonical value key.
func (p *propIndex) lookup(key string) []uint32 {
	i, ok := slices.BinarySearch(p.values, key)
	if !ok {
		return nil
	}
	return p.postings[p.start[i]:p.start[i+1]]
}

// temporalValue reads an instant or a whole day as an interval of unix
// nanoseconds, inclusive.
func temporalValue(v any) (int64, int64, bool) {
	switch x := v.(type) {
	case time.Time:
		return x.UnixNano(), x.UnixNano(), true
	case string:
		return parseTemporal(x)
	}
	return 0, 0, false
}

// parseTemporal accepts RFC 3339 date-times and plain dates (a date covers
// its whole UTC day).
func parseTemporal(s string) (int64, int64, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UnixNano(), t.UnixNano(), true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UnixNano(), t.Add(24*time.Hour).UnixNano() - 1, true
	}
	return 0, 0, false
}
