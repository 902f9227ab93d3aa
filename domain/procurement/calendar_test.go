package procurement

import (
	"testing"
	"time"
)

// easter computes Easter Sunday (anonymous Gregorian algorithm), to check the
// shipped Good Friday and Easter Monday dates independently.
func easter(y int) Date {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return NewDate(y, time.Month(month), day)
}

func TestBankHolidaysAreWeekdaysAndEasterIsRight(t *testing.T) {
	perYear := map[int]int{}
	for d, name := range EnglandAndWales.Holidays {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%s (%s) falls on a %s; a substitute day is needed", d, name, wd)
		}
		perYear[d.Time().Year()]++
	}
	for y := 2024; y <= 2028; y++ {
		if perYear[y] != 8 {
			t.Errorf("%d has %d bank holidays, England and Wales has 8", y, perYear[y])
		}
		e := easter(y)
		if _, ok := EnglandAndWales.Holidays[e.AddDays(-2)]; !ok {
			t.Errorf("Good Friday %s missing", e.AddDays(-2))
		}
		if _, ok := EnglandAndWales.Holidays[e.AddDays(1)]; !ok {
			t.Errorf("Easter Monday %s missing", e.AddDays(1))
		}
	}
	d, _ := ParseDate("2026-12-28")
	if EnglandAndWales.IsWorkingDay(d) {
		t.Error("the Boxing Day substitute 28 December 2026 is a working day")
	}
}

func TestNthWorkingDay(t *testing.T) {
	cases := []struct{ start, want string }{
		// Published Monday 5 Jan 2026: Mon..Fri then Mon..Wed.
		{"2026-01-05", "2026-01-14"},
		// Published Friday 18 Dec 2026: 18,21,22,23,24, skip 25 and the 28 December substitute, 29,30,31.
		{"2026-12-18", "2026-12-31"},
		// Published Wednesday 1 Apr 2026: 1,2, skip Good Friday 3 and Easter Monday 6, 7,8,9,10,13,14.
		{"2026-04-01", "2026-04-14"},
		// Published on a Saturday: the period starts on the next working day.
		{"2026-01-10", "2026-01-21"},
	}
	for _, c := range cases {
		s, _ := ParseDate(c.start)
		got, err := EnglandAndWales.NthWorkingDay(s, 8)
		if err != nil || got.String() != c.want {
			t.Errorf("8 working days from %s = %s, %v; want %s", c.start, got, err, c.want)
		}
	}
	if _, err := EnglandAndWales.NthWorkingDay(NewDate(2028, 12, 28), 8); err == nil {
		t.Error("a standstill past the end of the holiday list was computed")
	}
}

func TestDateOfUsesLondonTime(t *testing.T) {
	// 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
	if d := DateOf(time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)); d.String() != "2026-07-01" {
		t.Errorf("got %s", d)
	}
	if d := DateOf(time.Date(2026, 12, 30, 23, 30, 0, 0, time.UTC)); d.String() != "2026-12-30" {
		t.Errorf("got %s", d)
	}
}

func FuzzParsePence(f *testing.F) {
	for _, s := range []string{"100000.01", "0", "-1.5", "£1,000", "1e3", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePence(s)
		if err != nil {
			return
		}
		back, err := ParsePence(p.String())
		if err != nil || back != p {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, p, p.String(), back, err)
		}
	})
}
