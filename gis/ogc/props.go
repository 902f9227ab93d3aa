package ogc

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"time"
)

const (
	kindString = 1 << iota
	kindNumber
	kindBool
	kindOther
)

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

// lookup returns the ordinals whose property has the canonical value key.
func (p *propIndex) lookup(key string) []uint32 {
	want := []byte(key)
	i, ok := sort.Find(len(p.valueOff)-1, func(i int) int {
		return bytes.Compare(want, p.values[p.valueOff[i]:p.valueOff[i+1]])
	})
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
