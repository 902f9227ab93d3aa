package opendata

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDeferred bounds the row checks kept until the end of the file because
// their verdict waits on a date column's day/month order. Past it, checks
// are decided by the order the column shows so far.
const maxDeferred = 10_000

// templateCheck checks a file's rows against a template as they stream by.
type templateCheck struct {
	t      *Template
	fit    *TemplateFit
	report *Report
	index  []int  // header column per template column, -1 when absent
	needed []bool // required, or part of an alternative: a bad value is an error
	// redaction is the header column of the template's redaction reason, -1.
	redaction    int
	mapX, mapY   int // template columns of a CRS-dependent map reference, -1
	mapCRS       int
	dates        []dateEvidence // per template column
	readings     []dateReading  // this row's dates, per template column
	kindFailed   []bool         // a value of the column did not read as its kind
	cuts         []cutWatch
	deferred     []deferredCheck
	headerByName map[string]int
	// amounts counts the thresholded amounts read, below those under the
	// threshold: a file mostly below it belongs to another template.
	amounts, below int64
}

// deferredCheck is a row check waiting for the end of the file: a US-only
// date (an error only if its column turns out UK), or a "not before" pair
// whose verdict depends on the order.
type deferredCheck struct {
	row, line  int64
	col, other int // template columns; other is -1 for a US-only date
	value      string
	first      dateReading
	second     dateReading
}

// cutWatch notices values cut at a fixed width: a spike of values of
// exactly the greatest length seen, where natural names thin out.
type cutWatch struct {
	longest, values int64
	lengths         [maxWatchedLength + 1]int64
	rows            []int64
}

// maxWatchedLength is the longest cut width looked for; finance systems cut
// supplier names at 20 to 60 characters.
const maxWatchedLength = 255

// begin matches the header against the template, reporting missing columns.
func (t *Template) begin(header []string, report *Report) *templateCheck {
	fit := t.Match(header)
	c := &templateCheck{t: t, fit: &fit, report: report, index: fit.index, needed: t.neededColumns(),
		redaction: -1, mapX: -1, mapY: -1, mapCRS: -1, dates: make([]dateEvidence, len(t.Columns)),
		readings: make([]dateReading, len(t.Columns)), kindFailed: make([]bool, len(t.Columns)),
		cuts: make([]cutWatch, len(t.Columns)), headerByName: map[string]int{}}
	for ci, col := range t.Columns {
		c.headerByName[col.Name] = ci
		switch col.Kind {
		case KindRedaction:
			c.redaction = fit.index[ci]
		case KindMapX:
			c.mapX = ci
		case KindMapY:
			c.mapY = ci
		case KindCRS:
			c.mapCRS = ci
		}
		if fit.index[ci] < 0 && col.Required {
			report.Add(RowProblem{Column: col.Name, Severity: SeverityError, Message: fmt.Sprintf(
				"the %s template needs a %s column (%s)", t.Title, col.Name, col.accepted())})
		}
	}
	for _, alt := range t.Alternatives {
		if t.satisfied(alt, fit.index) {
			continue
		}
		var ways []string
		for _, set := range alt.Options {
			var names []string
			for _, name := range set {
				names = append(names, t.Columns[t.column(name)].headingExample())
			}
			ways = append(ways, strings.Join(names, " and "))
		}
		report.Add(RowProblem{Column: alt.Name, Severity: SeverityError, Message: fmt.Sprintf(
			"the %s template needs a %s: columns %s", t.Title, strings.ToLower(alt.Name), strings.Join(ways, ", or "))})
	}
	return c
}

// accepted lists a column's names for an error message.
func (col TemplateColumn) accepted() string {
	s := "accepted as " + strings.Join(append([]string{col.Name}, col.Code...), ", ")
	if len(col.Schema) > 0 {
		s += "; schema: " + strings.Join(col.Schema, ", ")
	}
	if len(col.Variants) > 0 {
		s += "; also: " + strings.Join(col.Variants, ", ")
	}
	return s
}

func (col TemplateColumn) headingExample() string {
	if len(col.Schema) > 0 {
		return col.Name + " (" + col.Schema[0] + ")"
	}
	return col.Name
}

func (c *templateCheck) row(row []string, rowNum, line int64) {
	redacted := c.redaction >= 0 && !isMissing(row[c.redaction])
	for ci, col := range c.t.Columns {
		c.readings[ci] = dateReading{}
		i := c.index[ci]
		if i < 0 {
			continue
		}
		v := row[i]
		problem := func(sev Severity, format string, args ...any) {
			c.report.Add(RowProblem{Row: rowNum, Line: line, Column: col.Name, Value: v, Severity: sev,
				Message: fmt.Sprintf(format, args...)})
		}
		if reason, missing := ParseMissing(v); missing {
			switch {
			case !col.Required || col.Blank:
			case col.Redactable && (reason == MissingRedacted || redacted):
			case col.Redactable:
				problem(SeverityError, "%s is missing and no redaction reason is given: the Code requires it unless it is redacted (write Redacted, or give the reason in a redaction column)", col.Name)
			case reason == MissingEmpty:
				problem(SeverityError, "%s is required", col.Name)
			default:
				problem(SeverityError, "%s is required; the cell says %q (%s)", col.Name, v, reason)
			}
			continue
		}
		sev := SeverityWarning
		if c.needed[ci] {
			sev = SeverityError
		}
		if col.WatchCut {
			c.cuts[ci].observe(utf8.RuneCountInString(v), rowNum)
		}
		msg := ""
		switch col.Kind {
		case KindDate:
			msg = c.date(ci, v, rowNum, line)
		case KindAmount:
			a, ok := ParseAmount(v)
			if !ok {
				msg = "is not an amount in pounds, e.g. 1234.56, £1,234.56, -650.00 or (650.00)"
				break
			}
			if col.Threshold > 0 {
				c.amounts++
			}
			if col.Threshold > 0 && math.Abs(a) < col.Threshold {
				c.below++
				problem(SeverityWarning, "£%s is below the Code's £%s threshold; check the row belongs in this file",
					strconv.FormatFloat(math.Abs(a), 'f', 2, 64), groupThousands(col.Threshold))
			}
		default:
			msg = checkValue(col, v)
		}
		if msg != "" {
			c.kindFailed[ci] = true
			problem(sev, "%s", msg)
		}
	}
	c.notBefore(rowNum, line, row)
	c.mapReference(row, rowNum, line)
}

// mostlyBelow reports whether most of the file's amounts are under the
// template's threshold: card transactions checked as spend over £500.
func (c *templateCheck) mostlyBelow() bool { return c.below*2 > c.amounts }

func isMissing(s string) bool { _, m := ParseMissing(s); return m }

// date reads a date cell, gathering evidence of the column's order; a date
// that can only be US waits for the end of the file.
func (c *templateCheck) date(ci int, v string, rowNum, line int64) string {
	r := readDate(v)
	if !r.ok() {
		return "is not a date; write it as dd/mm/yyyy or yyyy-mm-dd"
	}
	c.dates[ci].observe(r)
	c.readings[ci] = r
	if r.usOK && !r.ukOK {
		c.hold(deferredCheck{row: rowNum, line: line, col: ci, other: -1, value: v, first: r})
	}
	return ""
}

func (c *templateCheck) notBefore(rowNum, line int64, row []string) {
	for ci, col := range c.t.Columns {
		if col.NotBefore == "" || !c.readings[ci].ok() {
			continue
		}
		other := c.headerByName[col.NotBefore]
		if !c.readings[other].ok() {
			continue
		}
		d := deferredCheck{row: rowNum, line: line, col: ci, other: other, value: row[c.index[ci]],
			first: c.readings[ci], second: c.readings[other]}
		if d.first.ambiguous() || d.second.ambiguous() || d.first.ukOK != d.first.usOK || d.second.ukOK != d.second.usOK {
			c.hold(d)
			continue
		}
		c.resolve(d, DayFirst, DayFirst)
	}
}

func (c *templateCheck) hold(d deferredCheck) {
	if len(c.deferred) < maxDeferred {
		c.deferred = append(c.deferred, d)
		return
	}
	second := DayFirst
	if d.other >= 0 {
		second = c.dates[d.other].order()
	}
	c.resolve(d, c.dates[d.col].order(), second)
}

// resolve decides a deferred check under the columns' orders.
func (c *templateCheck) resolve(d deferredCheck, first, second DateOrder) {
	col := c.t.Columns[d.col]
	add := func(format string, args ...any) {
		c.report.Add(RowProblem{Row: d.row, Line: d.line, Column: col.Name, Value: d.value, Severity: SeverityError,
			Message: fmt.Sprintf(format, args...)})
	}
	if d.other < 0 {
		if first == DayFirst {
			c.kindFailed[d.col] = true
			add("looks like a US month/day date in a column of UK dates; write it as dd/mm/yyyy or yyyy-mm-dd")
		}
		return
	}
	end, ok1 := d.first.in(first)
	start, ok2 := d.second.in(second)
	if ok1 && ok2 && end.Before(start) {
		add("%s %s is before %s %s", col.Name, d.value, col.NotBefore, start.Format("2006-01-02"))
	}
}

// mapReference checks a map reference whose CRS the row gives (GeoX, GeoY
// and CoordinateReferenceSystem in the LGA schema), or, when it does not,
// that its values can be read only one way for a UK council.
func (c *templateCheck) mapReference(row []string, rowNum, line int64) {
	if c.mapX < 0 || c.mapY < 0 || c.index[c.mapX] < 0 || c.index[c.mapY] < 0 {
		return
	}
	xs, ys := row[c.index[c.mapX]], row[c.index[c.mapY]]
	if isMissing(xs) || isMissing(ys) {
		return
	}
	xName, yName := c.t.Columns[c.mapX].Name, c.t.Columns[c.mapY].Name
	add := func(sev Severity, column, value, format string, args ...any) {
		c.report.Add(RowProblem{Row: rowNum, Line: line, Column: column, Value: value, Severity: sev, Message: fmt.Sprintf(format, args...)})
	}
	x, okX := parseNumber(xs)
	y, okY := parseNumber(ys)
	if !okX || !okY {
		c.kindFailed[c.mapX] = true
		add(SeverityError, xName, xs+", "+ys, "the map reference %s, %s is not a pair of numbers", xs, ys)
		return
	}
	var sys CoordSystem
	if c.mapCRS >= 0 && c.index[c.mapCRS] >= 0 {
		label := row[c.index[c.mapCRS]]
		if !isMissing(label) {
			var ok bool
			if sys, ok = ParseCoordSystem(label); !ok {
				add(SeverityWarning, c.t.Columns[c.mapCRS].Name, label,
					"is not a CRS this service knows (use WGS84 or OSGB36, as the LGA schema does, or an EPSG code); the values were read as whatever they can only be")
			}
		}
	}
	read := ReadUK(x, y)
	if sys == "" {
		if read.Only() == "" {
			add(SeverityError, xName, xs+", "+ys, "the map reference %s, %s is neither an easting/northing nor a longitude/latitude in the UK", xs, ys)
		}
		return
	}
	switch {
	case sys == CoordBNG && read.Grid, sys.Geographic() && read.LonLat:
	case sys.Geographic() && read.LatLonSwap:
		add(SeverityError, xName, xs+", "+ys, "%s and %s are the wrong way round for %s: %s must be the longitude and %s the latitude", xName, yName, sys.Describe(), xName, yName)
	case read.Only() != "":
		add(SeverityError, xName, xs+", "+ys, "the row says %s but %s, %s can only be %s", sys.Describe(), xs, ys, read.Only().Describe())
	default:
		add(SeverityError, xName, xs+", "+ys, "the map reference %s, %s is not in the UK in %s", xs, ys, sys.Describe())
	}
}

// checkValue returns why v is not a valid value of col, or "".
func checkValue(col TemplateColumn, v string) string {
	switch col.Kind {
	case KindPostcode:
		if !postcodeRe.MatchString(v) {
			return "is not a UK postcode such as S44 6NG"
		}
	case KindUPRN:
		if !uprnRe.MatchString(v) {
			return "is not a UPRN: up to 12 digits"
		}
	case KindEasting, KindNorthing, KindLatitude, KindLongitude:
		lo, hi := coordRange[col.Kind][0], coordRange[col.Kind][1]
		if f, ok := parseNumber(v); !ok || f < lo || f > hi {
			return fmt.Sprintf("must be a number from %g to %g (%s in Great Britain and Northern Ireland)", lo, hi, col.Kind)
		}
	case KindTenure:
		if !validTenure(v) {
			return "must say whether the council holds the freehold or a leasehold (Freehold, Leasehold or Other)"
		}
	case KindRegistration:
		if !registrationRe.MatchString(strings.ReplaceAll(v, " ", "")) {
			return "is not a Companies House number (8 characters, e.g. 01234567 or SC123456) or a charity number"
		}
	}
	return ""
}

func (w *cutWatch) observe(n int, row int64) {
	w.values++
	n = min(n, maxWatchedLength)
	w.lengths[n]++
	switch {
	case int64(n) > w.longest:
		w.longest, w.rows = int64(n), append(w.rows[:0], row)
	case int64(n) == w.longest && len(w.rows) < 5:
		w.rows = append(w.rows, row)
	}
}

// cut reports whether the lengths look cut: at least 3 values, and 5% of
// all, at the greatest length of 20 or more, twice as many as one shorter.
func (w *cutWatch) cut() bool {
	if w.longest < 20 || w.longest >= maxWatchedLength {
		return false
	}
	at := w.lengths[w.longest]
	return at >= 3 && at*20 >= w.values && at > 2*w.lengths[w.longest-1]
}

// end settles what needed the whole file: date orders, deferred checks and
// values cut at a fixed width.
func (c *templateCheck) end() {
	for ci, col := range c.t.Columns {
		e := c.dates[ci]
		if col.Kind != KindDate || c.index[ci] < 0 || e.order() != MonthFirst {
			continue
		}
		why := fmt.Sprintf("%d dates can only be month-first", e.monthFirstOnly)
		if e.twelveHour > 0 {
			why += fmt.Sprintf(" and %d use a 12-hour clock", e.twelveHour)
		}
		c.report.Add(RowProblem{Column: col.Name, Severity: SeverityWarning, Message: fmt.Sprintf(
			"read as US month/day dates (mm/dd/yyyy): %s, and none can only be day-first; the Code asks for dd/mm/yyyy or yyyy-mm-dd", why)})
	}
	for _, d := range c.deferred {
		second := DayFirst
		if d.other >= 0 {
			second = c.dates[d.other].order()
		}
		c.resolve(d, c.dates[d.col].order(), second)
	}
	c.deferred = nil
	for ci := range c.cuts {
		w := &c.cuts[ci]
		if !w.cut() {
			continue
		}
		rows := make([]string, len(w.rows))
		for i, r := range w.rows {
			rows[i] = strconv.FormatInt(r, 10)
		}
		c.report.Add(RowProblem{Column: c.t.Columns[ci].Name, Severity: SeverityWarning, Message: fmt.Sprintf(
			"%d values are exactly %d characters long, the longest in the column (rows %s…): the exporting system may cut them at %d characters; check the full names in the finance system",
			w.lengths[w.longest], w.longest, strings.Join(rows, ", "), w.longest)})
	}
}

func groupThousands(f float64) string {
	s := strconv.FormatFloat(f, 'f', 0, 64)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
