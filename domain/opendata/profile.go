package opendata

import (
	"strings"
)

// ColumnType is the inferred type of a column.
type ColumnType string

const (
	TypeEmpty   ColumnType = "empty" // every cell null
	TypeInteger ColumnType = "integer"
	TypeDecimal ColumnType = "decimal"
	TypeDate    ColumnType = "date"
	TypeBoolean ColumnType = "boolean"
	TypeText    ColumnType = "text"
)

// widen joins the type seen so far with a cell's type. Integers widen to
// decimals; any other mix can only be text. Once text, always text.
func widen(a, b ColumnType) ColumnType {
	switch {
	case a == TypeEmpty || a == b:
		return b
	case (a == TypeInteger && b == TypeDecimal) || (a == TypeDecimal && b == TypeInteger):
		return TypeDecimal
	}
	return TypeText
}

// IsNull reports whether a cell means "no value": empty, or one of the
// missing-value markers ParseMissing knows (NA, N/A, Redacted, NULL …).
func IsNull(s string) bool {
	_, missing := ParseMissing(s)
	return missing
}

// CellType classifies one non-null cell; for a date it also says which
// format ("iso" or "uk").
func CellType(s string) (ColumnType, string) {
	s = strings.TrimSpace(s)
	if isInteger(s) {
		return TypeInteger, ""
	}
	if isDecimal(s) {
		return TypeDecimal, ""
	}
	if len(s) >= 8 && s[0] >= '0' && s[0] <= '9' {
		if _, f, ok := ParseDate(s); ok && f != "uk-text" {
			return TypeDate, f
		}
	}
	if ParseBool(s) != nil {
		return TypeBoolean, ""
	}
	return TypeText, ""
}

// ParseBool reads the spellings of true and false that council spreadsheets
// use, or returns nil.
func ParseBool(s string) *bool {
	t, f := true, false
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y":
		return &t
	case "false", "no", "n":
		return &f
	}
	return nil
}

// digits reports whether s is non-empty and all ASCII digits, optionally in
// comma-separated groups of three ("1,234,567").
func digits(s string) bool {
	if s == "" {
		return false
	}
	if !strings.Contains(s, ",") {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	groups := strings.Split(s, ",")
	for i, g := range groups {
		if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) || !digits(g) {
			return false
		}
	}
	return true
}

// isInteger accepts an optionally signed whole number. A leading zero makes
// it text: "007" and "01234" are codes, and reading them as numbers would
// lose the zeros.
func isInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return digits(s) && (s == "0" || s[0] != '0')
}

func isDecimal(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || !digits(frac) || strings.Contains(frac, ",") {
		return false
	}
	return whole == "" || whole == "0" || (digits(whole) && whole[0] != '0')
}

// ColumnProfile is a column with the statistics profiling gathered.
type ColumnProfile struct {
	Column
	Distinct  int    `json:"distinct"` // capped at DistinctCap; a lower bound once reached
	MinLength int    `json:"minLength"`
	MaxLength int    `json:"maxLength"`
	Example   string `json:"example,omitempty"` // first non-null value
	distinct  map[string]struct{}
	dates     map[string]bool
}

// DistinctCap bounds the distinct values kept per column, so memory stays
// flat however many rows stream past.
const DistinctCap = 1000

func (c *ColumnProfile) observe(cell string) {
	if IsNull(cell) {
		c.Nulls++
		return
	}
	n := len(cell)
	if c.MinLength < 0 || n < c.MinLength {
		c.MinLength = n
	}
	c.MaxLength = max(c.MaxLength, n)
	if c.Example == "" {
		c.Example = cell
	}
	if len(c.distinct) < DistinctCap {
		if _, ok := c.distinct[cell]; !ok {
			c.distinct[strings.Clone(cell)] = struct{}{}
		}
	}
	if c.Type == TypeText {
		return
	}
	t, f := CellType(cell)
	if f != "" {
		c.dates[f] = true
	}
	c.Type = widen(c.Type, t)
}
