package opendata

import (
	"strings"
	"time"
)

// Date forms a cell can be written in.
const (
	dateISO     = "iso"     // 2024-04-01, 2024-04-01T10:30:00Z, 2024/04/01
	dateNumeric = "numeric" // 01/04/2024, 1-4-24, 04/01/2024 10:22:01 AM: day or month first
	dateText    = "text"    // 1 April 2024, 01-Apr-2024, 01-APR-24
	dateCompact = "compact" // 20240401, 19811104000000
)

// DateOrder is the order of day and month in numeric dates.
type DateOrder string

const (
	DayFirst   DateOrder = "uk" // dd/mm/yyyy, the UK order the Code asks for
	MonthFirst DateOrder = "us" // mm/dd/yyyy, as US-locale exports write them
)

// dateReading is what a cell says as a date. A numeric date may read both
// ways (04/05/2024); uk and us hold each reading, and the ok flags say which
// are real dates. Other forms read one way, held in both.
type dateReading struct {
	uk, us     time.Time
	ukOK, usOK bool
	form       string
	clock      bool // a time of day other than midnight
	ampm       bool // a 12-hour clock, a US export's tell-tale
	shortYear  bool // a two-digit year
}

func (d dateReading) ok() bool { return d.ukOK || d.usOK }

// in returns the reading under order.
func (d dateReading) in(order DateOrder) (time.Time, bool) {
	if order == MonthFirst {
		return d.us, d.usOK
	}
	return d.uk, d.ukOK
}

// ambiguous reports whether the reading depends on the order.
func (d dateReading) ambiguous() bool { return d.ukOK && d.usOK && !d.uk.Equal(d.us) }

var monthNames = map[string]time.Month{}

func init() {
	for m := time.January; m <= time.December; m++ {
		n := strings.ToLower(m.String())
		monthNames[n] = m
		monthNames[n[:3]] = m
	}
	monthNames["sept"] = time.September
}

// readDate reads every date form councils' files use.
func readDate(s string) dateReading {
	s = strings.TrimSpace(s)
	if len(s) < 6 {
		return dateReading{}
	}
	if r, ok := readISO(s); ok {
		return r
	}
	if allDigits(s) {
		return readCompact(s)
	}
	datePart, clockPart, _ := strings.Cut(s, " ")
	if f := strings.Fields(s); len(f) >= 3 && monthNames[strings.ToLower(strings.TrimSuffix(f[1], ","))] != 0 {
		// 1 April 2024, 1st Apr 2024 10:00
		return withClock(fixedDate(f[2], monthNames[strings.ToLower(strings.TrimSuffix(f[1], ","))],
			strings.TrimRight(f[0], "stndrh"), dateText), strings.Join(f[3:], " "))
	}
	for _, sep := range []string{"/", "-", "."} {
		parts := strings.Split(datePart, sep)
		if len(parts) != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || (len(parts[2]) != 4 && len(parts[2]) != 2) {
			continue
		}
		if m, ok := monthNames[strings.ToLower(parts[1])]; ok {
			return withClock(fixedDate(parts[2], m, parts[0], dateText), clockPart)
		}
		if len(parts[1]) < 1 || len(parts[1]) > 2 || !allDigits(parts[0]) || !allDigits(parts[1]) {
			continue
		}
		a, b := atoi(parts[0]), atoi(parts[1])
		r := dateReading{form: dateNumeric, shortYear: len(parts[2]) == 2}
		r.uk, r.ukOK = civil(parts[2], b, a)
		r.us, r.usOK = civil(parts[2], a, b)
		return withClock(r, clockPart)
	}
	return dateReading{}
}

func readISO(s string) (dateReading, bool) {
	if len(s) < 10 || !allDigits(s[:4]) || (s[4] != '-' && s[4] != '/') || s[7] != s[4] {
		return dateReading{}, false
	}
	day := strings.ReplaceAll(s[:10], "/", "-")
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return dateReading{}, true // yyyy-mm-dd shaped but not a date
	}
	rest := strings.TrimSpace(strings.TrimPrefix(s[10:], "T"))
	if rest == "" {
		return dateReading{uk: t, us: t, ukOK: true, usOK: true, form: dateISO}, true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04"} {
		if full, err := time.Parse(layout, day+s[10:]); err == nil {
			return dateReading{uk: full, us: full, ukOK: true, usOK: true, form: dateISO, clock: !midnight(full)}, true
		}
	}
	return dateReading{}, true
}

// readCompact reads yyyymmdd, yyyymmddhhmm and yyyymmddhhmmss, as database
// and mainframe exports write them. Years outside 1900-2100 are refused so
// that plain numbers are not taken for dates.
func readCompact(s string) dateReading {
	var layout string
	switch len(s) {
	case 8:
		layout = "20060102"
	case 12:
		layout = "200601021504"
	case 14:
		layout = "20060102150405"
	default:
		return dateReading{}
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < 1900 || t.Year() > 2100 {
		return dateReading{}
	}
	return dateReading{uk: t, us: t, ukOK: true, usOK: true, form: dateCompact, clock: !midnight(t)}
}

func fixedDate(year string, month time.Month, day, form string) dateReading {
	t, ok := civil(year, int(month), atoi(day))
	return dateReading{uk: t, us: t, ukOK: ok, usOK: ok, form: form, shortYear: len(year) == 2}
}

// withClock adds a time of day ("10:22", "10:22:01", "10:22:01.000",
// "10:22:01 AM") to a reading; a clock that cannot be read refuses the date.
func withClock(r dateReading, clock string) dateReading {
	clock = strings.TrimSpace(clock)
	if clock == "" || !r.ok() {
		return r
	}
	upper := strings.ToUpper(clock)
	ampm := ""
	for _, suffix := range []string{"AM", "PM"} {
		if t, ok := strings.CutSuffix(upper, suffix); ok {
			ampm, upper = suffix, strings.TrimSpace(t)
		}
	}
	var h, m, sec int
	parts := strings.Split(upper, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return dateReading{}
	}
	if len(parts) == 3 {
		whole, _, _ := strings.Cut(parts[2], ".")
		sec = atoi(whole)
	}
	h, m = atoi(parts[0]), atoi(parts[1])
	if h < 0 || m < 0 || sec < 0 || m > 59 || sec > 59 || h > 23 || (ampm != "" && (h < 1 || h > 12)) {
		return dateReading{}
	}
	if ampm == "PM" && h != 12 {
		h += 12
	} else if ampm == "AM" && h == 12 {
		h = 0
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second
	r.uk, r.us = r.uk.Add(d), r.us.Add(d)
	r.clock = d != 0
	r.ampm = ampm != ""
	return r
}

func midnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// ParseDate reads a date as ISO 8601 (yyyy-mm-dd, optionally with a time),
// UK numeric (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, optionally with
// a midnight time as Excel exports them) or UK text ("1 April 2024",
// "01-Apr-2024"), returning the format it matched: "iso", "uk" or "uk-text".
// Impossible dates such as 31/02/2024 are refused. It is the strict reading
// used to infer column types; template date fields also accept US, compact
// and two-digit-year dates (see TemplateColumn).
func ParseDate(s string) (time.Time, string, bool) {
	r := readDate(s)
	switch {
	case r.form == dateISO && r.ukOK:
		return r.uk, "iso", true
	case r.shortYear || r.clock || !r.ukOK:
	case r.form == dateNumeric:
		return r.uk, "uk", true
	case r.form == dateText:
		return r.uk, "uk-text", true
	}
	return time.Time{}, "", false
}

func atoi(s string) int {
	if s == "" {
		return -1
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// civil builds a calendar date, refusing impossible ones (31/02 would roll
// over into March). Two-digit years are this century up to 69, as Excel
// reads them.
func civil(year string, month, day int) (time.Time, bool) {
	y := atoi(year)
	if len(year) == 2 && y >= 0 {
		if y < 70 {
			y += 2000
		} else {
			y += 1900
		}
	}
	if y < 1000 || month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == day
}

// dateEvidence gathers, for one date column, what its numeric dates say
// about their order: a day above 12 in first place can only be UK, in
// second place only US.
type dateEvidence struct {
	dayFirstOnly, monthFirstOnly, twelveHour int64
	forms                                    map[string]bool
}

func (e *dateEvidence) observe(r dateReading) {
	if e.forms == nil {
		e.forms = map[string]bool{}
	}
	e.forms[r.form] = true
	if r.form != dateNumeric {
		return
	}
	switch {
	case r.ukOK && !r.usOK:
		e.dayFirstOnly++
	case r.usOK && !r.ukOK:
		e.monthFirstOnly++
	}
	if r.ampm {
		e.twelveHour++
	}
}

// order decides the column's order: US only when the column is
// consistently US, that is no date in it can only be UK, and either two or
// more can only be US or it uses a 12-hour clock. A single US-looking date
// among UK ones is a mistake to report, not a reason to reread the file.
func (e dateEvidence) order() DateOrder {
	if e.dayFirstOnly == 0 && (e.monthFirstOnly >= 2 || (e.twelveHour > 0)) {
		return MonthFirst
	}
	return DayFirst
}

// formats lists the forms the column's dates were written in, as
// Column.DateFormats reports them: "iso", "uk" or "us" (numeric, in the
// column's order), "text" and "compact".
func (e dateEvidence) formats() []string {
	var f []string
	for _, form := range []string{dateISO, dateNumeric, dateText, dateCompact} {
		if !e.forms[form] {
			continue
		}
		if form == dateNumeric {
			form = string(e.order())
		}
		f = append(f, form)
	}
	return f
}
