package procurement

import (
	"encoding/json"
	"fmt"
	"time"
	// Embedded zone data, so a minimal container still knows when London is on summer time.
	_ "time/tzdata"
)

// Date is a calendar day with no time of day or zone: standstill ends and
// contract dates are days, and a time.Time at midnight would shift a day when
// read in another zone.
type Date struct{ t time.Time }

// NewDate builds a Date from year, month and day.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("time/tzdata is linked in, so Europe/London must load: " + err.Error())
	}
	return loc
}()

// DateOf is the calendar day of t in London, where the councils work.
func DateOf(t time.Time) Date {
	t = t.In(london)
	return NewDate(t.Year(), t.Month(), t.Day())
}

// ParseDate reads "2026-01-05".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	return Date{t}, nil
}

// IsZero reports an unset date (the JSON omitzero tag relies on it).
func (d Date) IsZero() bool { return d.t.IsZero() }

// String formats the date as YYYY-MM-DD, or "" when unset.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// Time returns midnight UTC of the day.
func (d Date) Time() time.Time { return d.t }

// AddDays moves by n calendar days.
func (d Date) AddDays(n int) Date { return Date{d.t.AddDate(0, 0, n)} }

// Before, After and Equal compare days.
func (d Date) Before(o Date) bool { return d.t.Before(o.t) }
func (d Date) After(o Date) bool  { return d.t.After(o.t) }
func (d Date) Equal(o Date) bool  { return d.t.Equal(o.t) }

// Weekday is the day of the week.
func (d Date) Weekday() time.Weekday { return d.t.Weekday() }

func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date must be a string in the form YYYY-MM-DD")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Calendar says which days are working days. Holidays is only trusted
// between From and To: outside them a computation refuses rather than
// silently treating an unknown bank holiday as a working day.
type Calendar struct {
	Name     string
	Source   string
	From, To Date
	Holidays map[Date]string
}

// IsWorkingDay reports whether d is neither a weekend nor a listed holiday.
func (c Calendar) IsWorkingDay(d Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, hol := c.Holidays[d]
	return !hol
}

// NthWorkingDay returns the n-th working day of the period beginning with
// start: start itself counts as day 1 when it is a working day. This is the
// Procurement Act 2023 wording for the standstill ("eight working days
// beginning with the day on which the contract award notice is published").
func (c Calendar) NthWorkingDay(start Date, n int) (Date, error) {
	if n < 1 {
		return Date{}, fmt.Errorf("a period needs at least one working day, got %d", n)
	}
	d := start
	for {
		if d.Before(c.From) || d.After(c.To) {
			return Date{}, fmt.Errorf("%s has no bank holiday list for %s (it covers %s to %s); extend the calendar", c.Name, d, c.From, c.To)
		}
		if c.IsWorkingDay(d) {
			n--
			if n == 0 {
				return d, nil
			}
		}
		d = d.AddDays(1)
	}
}

// EnglandAndWales is the working-day calendar of England and Wales for 2024
// to 2028. Source: GOV.UK "UK bank holidays" (https://www.gov.uk/bank-holidays,
// England and Wales division) for 2024-2026; 2027 and 2028 follow the
// Banking and Financial Dealings Act 1971 pattern (including substitute days
// when a holiday falls at a weekend) and are subject to Royal Proclamation, so
// check them against GOV.UK when it publishes those years.
var EnglandAndWales = Calendar{
	Name:   "England and Wales",
	Source: "https://www.gov.uk/bank-holidays (england-and-wales); 2027-2028 by the Banking and Financial Dealings Act 1971 pattern",
	From:   NewDate(2024, time.January, 1),
	To:     NewDate(2028, time.December, 31),
	Holidays: map[Date]string{
		NewDate(2024, 1, 1): "New Year's Day", NewDate(2024, 3, 29): "Good Friday", NewDate(2024, 4, 1): "Easter Monday",
		NewDate(2024, 5, 6): "Early May bank holiday", NewDate(2024, 5, 27): "Spring bank holiday",
		NewDate(2024, 8, 26): "Summer bank holiday", NewDate(2024, 12, 25): "Christmas Day", NewDate(2024, 12, 26): "Boxing Day",

		NewDate(2025, 1, 1): "New Year's Day", NewDate(2025, 4, 18): "Good Friday", NewDate(2025, 4, 21): "Easter Monday",
		NewDate(2025, 5, 5): "Early May bank holiday", NewDate(2025, 5, 26): "Spring bank holiday",
		NewDate(2025, 8, 25): "Summer bank holiday", NewDate(2025, 12, 25): "Christmas Day", NewDate(2025, 12, 26): "Boxing Day",

		NewDate(2026, 1, 1): "New Year's Day", NewDate(2026, 4, 3): "Good Friday", NewDate(2026, 4, 6): "Easter Monday",
		NewDate(2026, 5, 4): "Early May bank holiday", NewDate(2026, 5, 25): "Spring bank holiday",
		NewDate(2026, 8, 31): "Summer bank holiday", NewDate(2026, 12, 25): "Christmas Day",
		NewDate(2026, 12, 28): "Boxing Day (substitute day)",

		NewDate(2027, 1, 1): "New Year's Day", NewDate(2027, 3, 26): "Good Friday", NewDate(2027, 3, 29): "Easter Monday",
		NewDate(2027, 5, 3): "Early May bank holiday", NewDate(2027, 5, 31): "Spring bank holiday",
		NewDate(2027, 8, 30): "Summer bank holiday", NewDate(2027, 12, 27): "Christmas Day (substitute day)",
		NewDate(2027, 12, 28): "Boxing Day (substitute day)",

		NewDate(2028, 1, 3): "New Year's Day (substitute day)", NewDate(2028, 4, 14): "Good Friday",
		NewDate(2028, 4, 17): "Easter Monday", NewDate(2028, 5, 1): "Early May bank holiday",
		NewDate(2028, 5, 29): "Spring bank holiday", NewDate(2028, 8, 28): "Summer bank holiday",
		NewDate(2028, 12, 25): "Christmas Day", NewDate(2028, 12, 26): "Boxing Day",
	},
}
