package ingest

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Type is an inferred property type.
type Type string

// Property types, from narrowest to widest. Widen documents how they combine.
const (
	TypeNull     Type = "null" // only nulls seen so far
	TypeBoolean  Type = "boolean"
	TypeInteger  Type = "integer"
	TypeNumber   Type = "number"
	TypeDate     Type = "date"      // ISO 8601 calendar date, 2024-03-31
	TypeDateTime Type = "date-time" // ISO 8601 / RFC 3339 date and time
	TypeString   Type = "string"
	TypeObject   Type = "object" // nested JSON object or array (GeoJSON only)
)

var (
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?$`)
)

// TypeOf classifies one value. Strings holding ISO dates count as dates,
// since no format here has a portable date type of its own.
func TypeOf(v any) Type {
	switch v := v.(type) {
	case nil:
		return TypeNull
	case bool:
		return TypeBoolean
	case int, int32, int64, uint32:
		return TypeInteger
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			// JSON writers print 3.0 as 3; the value is still a whole number.
			return TypeInteger
		}
		return TypeNumber
	case float32:
		return TypeNumber
	case string:
		switch {
		case dateRE.MatchString(v):
			return TypeDate
		case dateTimeRE.MatchString(v):
			return TypeDateTime
		}
		return TypeString
	case map[string]any, []any:
		return TypeObject
	}
	return TypeString
}

// Widen combines the type seen so far with a new value's type:
//   - null widens to anything (nulls only count towards Property.Nulls);
//   - integer + number -> number;
//   - date + date-time -> date-time;
//   - any other mix (boolean + integer, number + date, object + anything,
//     anything + string) -> string, the one type every value can be shown as.
func Widen(a, b Type) Type {
	switch {
	case a == b:
		return a
	case a == TypeNull:
		return b
	case b == TypeNull:
		return a
	}
	pair := func(x, y Type) bool { return (a == x && b == y) || (a == y && b == x) }
	switch {
	case pair(TypeInteger, TypeNumber):
		return TypeNumber
	case pair(TypeDate, TypeDateTime):
		return TypeDateTime
	}
	return TypeString
}

// textValue turns a text cell (CSV, GML) into a typed value without losing
// information: "007" and "1e5" stay strings, so do values with spaces;
// empty cells are null.
func textValue(s string) any {
	if s == "" {
		return nil
	}
	if isPlainInteger(s) {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
		return s
	}
	if isPlainDecimal(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) {
			return f
		}
	}
	switch s {
	case "true", "TRUE", "True":
		return true
	case "false", "FALSE", "False":
		return false
	}
	return s
}

func isPlainInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || len(s) > 18 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isPlainDecimal accepts -12.5 and 0.25 but not 00.5, .5, 1. or exponents,
// so identifiers that merely look numeric keep their spelling.
func isPlainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	dot := strings.IndexByte(s, '.')
	if dot <= 0 || dot == len(s)-1 {
		return false
	}
	intPart, frac := s[:dot], s[dot+1:]
	if len(intPart) > 1 && intPart[0] == '0' {
		return false
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}
