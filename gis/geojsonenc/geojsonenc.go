// Package geojsonenc writes GeoJSON (RFC 7946) features byte for byte as
// github.com/paulmach/orb/geojson and encoding/json would, without
// reflection: profiling the publishing of a million points showed encoding
// as its largest cost, in the downloads and in the OGC API index alike.
package geojsonenc

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// AppendFeature encodes a feature exactly as orb's Feature.MarshalJSON does
// (member order, sorted property names, encoding/json's number and string
// spelling, "properties":null when there are none) without reflection. id
// "" is left out. keys is scratch space, returned for reuse.
func AppendFeature(dst []byte, id string, g orb.Geometry, props map[string]any, keys []string) ([]byte, []string, error) {
	dst = append(dst, '{')
	if id != "" {
		dst = append(dst, `"id":`...)
		dst = AppendString(dst, id)
		dst = append(dst, ',')
	}
	dst = append(dst, `"type":"Feature","geometry":`...)
	dst, err := AppendGeometry(dst, g)
	if err != nil {
		return dst, keys, err
	}
	dst = append(dst, `,"properties":`...)
	if dst, keys, err = AppendProperties(dst, props, keys); err != nil {
		return dst, keys, err
	}
	return append(dst, '}'), keys, nil
}

// AppendGeometry encodes a geometry as orb does ("null" for none), with a
// fast path for points, the commonest case by far.
func AppendGeometry(dst []byte, g orb.Geometry) ([]byte, error) {
	switch g := g.(type) {
	case nil:
		return append(dst, "null"...), nil
	case orb.Point:
		var err error
		dst = append(dst, `{"type":"Point","coordinates":[`...)
		if dst, err = AppendFloat(dst, g[0]); err != nil {
			return dst, err
		}
		dst = append(dst, ',')
		if dst, err = AppendFloat(dst, g[1]); err != nil {
			return dst, err
		}
		return append(dst, "]}"...), nil
	}
	raw, err := geojson.NewGeometry(g).MarshalJSON()
	if err != nil {
		return dst, err
	}
	return append(dst, raw...), nil
}

// AppendProperties encodes a properties object with sorted keys, or "null"
// when there are none, as orb does. keys is scratch space, returned for reuse.
func AppendProperties(dst []byte, props map[string]any, keys []string) ([]byte, []string, error) {
	if len(props) == 0 {
		return append(dst, "null"...), keys, nil
	}
	keys = keys[:0]
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendString(dst, k)
		dst = append(dst, ':')
		var err error
		if dst, err = AppendValue(dst, props[k]); err != nil {
			return dst, keys, fmt.Errorf("property %q: %w", k, err)
		}
	}
	return append(dst, '}'), keys, nil
}

// AppendValue encodes a property value as encoding/json does.
func AppendValue(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return AppendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case float64:
		return AppendFloat(dst, x)
	}
	// Nested objects and arrays (GeoJSON uploads only) are rare.
	raw, err := json.Marshal(v)
	return append(dst, raw...), err
}

// ErrNotFinite: NaN and infinities have no JSON spelling.
var ErrNotFinite = errors.New("a number is not finite, which JSON cannot hold")

// AppendFloat spells f as encoding/json does: shortest round-trip
// digits, exponent form only below 1e-6 or from 1e21, "e-7" not "e-07".
func AppendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, ErrNotFinite
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if n := len(dst); format == 'e' && n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
		dst[n-2] = dst[n-1]
		dst = dst[:n-1]
	}
	return dst, nil
}

const hexDigits = "0123456789abcdef"

// AppendString quotes s as encoding/json does with HTML escaping on:
// invalid UTF-8 becomes U+FFFD; <, >, &, U+2028 and U+2029 are escaped.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s, true) }

// AppendStringNoHTMLEscape quotes s as a json.Encoder with
// SetEscapeHTML(false) does: as AppendString, but <, > and & stay as they
// are, which keeps URLs readable.
func AppendStringNoHTMLEscape(dst []byte, s string) []byte { return appendString(dst, s, false) }

func appendString(dst []byte, s string, html bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && (!html || b != '<' && b != '>' && b != '&') {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
