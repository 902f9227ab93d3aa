package opendata

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// MissingMember is the member of a typed JSON row that says why cells are
// null: {"Supplier name": null, …, "_missing": {"Supplier name": "redacted"}}.
// A plainly empty cell is null without an entry.
const MissingMember = "_missing"

// RowEncoder writes data rows as typed JSON objects, keyed by the file's own
// column names: numbers, booleans and ISO 8601 dates as their columns'
// types say, template amounts as numbers (a credit of "(750.00)" is -750),
// dates in the day/month order their column was read in, and missing values
// as null with the reason kept in MissingMember.
type RowEncoder struct {
	cols    []Column
	names   [][]byte
	orders  []DateOrder
	missing []byte
}

// NewRowEncoder prepares an encoder for a version's columns.
func NewRowEncoder(cols []Column) *RowEncoder {
	e := &RowEncoder{cols: cols, names: make([][]byte, len(cols)), orders: make([]DateOrder, len(cols))}
	taken := map[string]bool{}
	for i, c := range cols {
		e.names[i], _ = json.Marshal(c.Name)
		taken[c.Name] = true
		e.orders[i] = DayFirst
		if slices.Contains(c.DateFormats, string(MonthFirst)) {
			e.orders[i] = MonthFirst
		}
	}
	member := MissingMember
	for taken[member] {
		member = "_" + member
	}
	e.missing, _ = json.Marshal(member)
	return e
}

// AppendRow appends the JSON object of one row (cells in column order).
func (e *RowEncoder) AppendRow(dst []byte, row []string) []byte {
	dst = append(dst, '{')
	var reasons [][2]int // column, index into missingReasons
	for i, cell := range row {
		if i >= len(e.cols) {
			break
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, e.names[i]...)
		dst = append(dst, ':')
		if reason, missing := ParseMissing(cell); missing {
			dst = append(dst, "null"...)
			if reason != MissingEmpty {
				reasons = append(reasons, [2]int{i, slices.Index(missingReasons, reason)})
			}
			continue
		}
		dst = e.appendValue(dst, i, cell)
	}
	if len(reasons) > 0 {
		dst = append(dst, ',')
		dst = append(dst, e.missing...)
		dst = append(dst, ":{"...)
		for k, r := range reasons {
			if k > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, e.names[r[0]]...)
			dst = append(dst, ':')
			dst = strconv.AppendQuote(dst, missingReasons[r[1]])
		}
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

var missingReasons = []string{MissingRedacted, MissingNotApplicable, MissingNull, MissingNotKnown}

func (e *RowEncoder) appendValue(dst []byte, i int, cell string) []byte {
	c := e.cols[i]
	switch {
	case c.Kind == KindAmount:
		if f, ok := ParseAmount(cell); ok {
			return strconv.AppendFloat(dst, f, 'f', -1, 64)
		}
	case c.Kind == KindDate || c.Type == TypeDate:
		if t, ok := readDate(cell).in(e.orders[i]); ok {
			switch {
			case midnight(t):
				return append(append(append(dst, '"'), t.Format("2006-01-02")...), '"')
			case t.Location().String() != "UTC" || strings.HasSuffix(strings.TrimSpace(cell), "Z"):
				return append(append(append(dst, '"'), t.Format("2006-01-02T15:04:05Z07:00")...), '"')
			}
			return append(append(append(dst, '"'), t.Format("2006-01-02T15:04:05")...), '"')
		}
	case c.Type == TypeInteger:
		if n, err := strconv.ParseInt(strings.ReplaceAll(cell, ",", ""), 10, 64); err == nil {
			return strconv.AppendInt(dst, n, 10)
		}
	case c.Type == TypeDecimal:
		if f, err := strconv.ParseFloat(strings.ReplaceAll(cell, ",", ""), 64); err == nil {
			return strconv.AppendFloat(dst, f, 'f', -1, 64)
		}
	case c.Type == TypeBoolean:
		if b := ParseBool(cell); b != nil {
			return strconv.AppendBool(dst, *b)
		}
	}
	b, _ := json.Marshal(cell)
	return append(dst, b...)
}
