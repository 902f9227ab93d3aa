package procurement

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FinancialYear is a council financial year, 1 April to 31 March, named
// by the calendar year it starts in: 2026 is 2026/27. It is written in
// JSON as "2026/27".
type FinancialYear int

// FinancialYearOf is the financial year containing d.
func FinancialYearOf(d Date) FinancialYear {
	y := d.Time().Year()
	if d.Time().Month() < time.April {
		y--
	}
	return FinancialYear(y)
}

// Start is 1 April of the year; End is the following 31 March.
func (y FinancialYear) Start() Date { return NewDate(int(y), time.April, 1) }
func (y FinancialYear) End() Date   { return NewDate(int(y)+1, time.March, 31) }

func (y FinancialYear) String() string { return fmt.Sprintf("%d/%02d", int(y), (int(y)+1)%100) }

func (y FinancialYear) MarshalJSON() ([]byte, error) { return json.Marshal(y.String()) }

// UnmarshalJSON reads "2026/27" or the number 2026.
func (y *FinancialYear) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		s = string(b)
	}
	v, err := ParseFinancialYear(s)
	if err != nil {
		return err
	}
	*y = v
	return nil
}

// ParseFinancialYear reads "2026/27", "2026-27" or "2026".
func ParseFinancialYear(s string) (FinancialYear, error) {
	s = strings.TrimSpace(s)
	start, end, two := strings.Cut(strings.ReplaceAll(s, "-", "/"), "/")
	y, err := strconv.Atoi(start)
	if err != nil || y < 1990 || y > 2200 {
		return 0, fmt.Errorf("%q is not a financial year such as 2026/27", s)
	}
	if two {
		e, err := strconv.Atoi(end)
		if err != nil || (e != (y+1)%100 && e != y+1) {
			return 0, fmt.Errorf("%q is not a financial year such as 2026/27: the second year follows the first", s)
		}
	}
	return FinancialYear(y), nil
}

// YearAmount is an amount in one financial year.
type YearAmount struct {
	Year   FinancialYear `json:"year"`
	Amount Pence         `json:"amount"`
}

// SpreadByFinancialYear splits total over the days from start to end
// inclusive in proportion to the days falling in each financial year,
// to the penny (largest remainder). A contract of 1 October 2026 to
// 30 September 2029 puts 182 of its 1096 days in 2026/27.
func SpreadByFinancialYear(total Pence, start, end Date) []YearAmount {
	if start.IsZero() || end.IsZero() || end.Before(start) {
		return nil
	}
	var years []FinancialYear
	var days []int64
	for y := FinancialYearOf(start); !y.Start().After(end); y++ {
		from, to := y.Start(), y.End()
		if from.Before(start) {
			from = start
		}
		if to.After(end) {
			to = end
		}
		years = append(years, y)
		days = append(days, int64(to.Time().Sub(from.Time()).Hours()/24)+1)
	}
	keys := make([]string, len(years))
	for i, y := range years {
		keys[i] = y.String()
	}
	amounts := Allocate(total, keys, days)
	out := make([]YearAmount, len(years))
	for i, y := range years {
		out[i] = YearAmount{Year: y, Amount: amounts[i]}
	}
	return out
}

// Commitments is the contract cost of p by financial year: each award's
// value plus irrecoverable VAT spread over its contract period. Awards
// without both dates are left out; ok is false when none has them.
func (p JointProcurement) Commitments() (years []YearAmount, ok bool) {
	for _, a := range p.Awards {
		spread := SpreadByFinancialYear(a.Value+a.NonRecoverableVAT, a.Start, a.End)
		if spread == nil {
			continue
		}
		ok = true
		years = AddYears(years, spread)
	}
	return years, ok
}

// AddYears adds b to a year by year, keeping the years in order.
func AddYears(a, b []YearAmount) []YearAmount {
	m := map[FinancialYear]Pence{}
	for _, x := range a {
		m[x.Year] += x.Amount
	}
	for _, x := range b {
		m[x.Year] += x.Amount
	}
	out := make([]YearAmount, 0, len(m))
	for y, v := range m {
		out = append(out, YearAmount{Year: y, Amount: v})
	}
	sortYears(out)
	return out
}

func sortYears(ys []YearAmount) {
	slices.SortFunc(ys, func(a, b YearAmount) int { return int(a.Year) - int(b.Year) })
}

// ShareOfYears is one party's share of each year's amount, each year
// split separately to the penny.
func (p JointProcurement) ShareOfYears(org string, years []YearAmount) ([]YearAmount, error) {
	out := make([]YearAmount, 0, len(years))
	for _, y := range years {
		sh, err := p.SharesOf(y.Amount)
		if err != nil {
			return nil, err
		}
		for _, s := range sh {
			if s.Organisation == org {
				out = append(out, YearAmount{Year: y.Year, Amount: s.Amount})
			}
		}
	}
	return out, nil
}
