package cql

import (
	"fmt"
	"strings"
	"time"
)

// Error is a filter the caller must fix: a syntax error, with where it is,
// or a filter that cannot be evaluated (an unknown property, a type clash,
// an unsupported function). The HTTP layer turns it into a 400 problem
// naming the filter parameter.
type Error struct {
	// Pos is the 1-based character of the cql2-text where the problem was
	// found; 0 when the problem is not at one place.
	Pos int
	// Path is the JSON Pointer of the cql2-json member at fault ("" for
	// cql2-text and for problems found after parsing).
	Path string
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.Pos > 0:
		return fmt.Sprintf("at character %d: %s", e.Pos, e.Msg)
	case e.Path != "":
		return fmt.Sprintf("at %s: %s", e.Path, e.Msg)
	}
	return e.Msg
}

func errorf(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// parseInstant reads the text of a TIMESTAMP literal: RFC 3339 with a
// zone, fractional seconds allowed.
func parseInstant(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// parseDay reads the text of a DATE literal, YYYY-MM-DD.
func parseDay(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

// intervalEnd reads one end of an interval given as a string: "..", a date
// or a timestamp. Both encodings write interval ends this way.
func intervalEnd(s string) (Expr, error) {
	switch {
	case s == "..":
		return Open{}, nil
	case len(s) == len(time.DateOnly):
		if t, ok := parseDay(s); ok {
			return Date{t}, nil
		}
	default:
		if t, ok := parseInstant(s); ok {
			return Timestamp{t}, nil
		}
	}
	return nil, errorf("interval end %q is not a date (YYYY-MM-DD), an RFC 3339 timestamp or ..", s)
}

// quote writes s for an error message, shortened when long.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:37]) + "..."
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
