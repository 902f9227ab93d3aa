// Package money is the one type for amounts of money in councilapi: a count
// of pence in an int64. The joint procurement register and the sourcing
// comparison both use it, so a value typed into one reads, rounds and prints
// exactly as in the other.
//
// Money is never a float: a float cannot hold 0.10 exactly, shares must add
// up to the penny and a published table must add up as printed. Arithmetic
// that needs more than whole pence (a unit price times a quantity times an
// indexation factor) is done exactly with math/big.Rat by the caller and
// rounded once, with FromRat, when it becomes a money cell.
package money

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// Amount is an amount of money in pence.
type Amount int64

// maxWholeDigits keeps every parsed amount far inside int64 pence (9.2e16)
// so that sums of many amounts cannot overflow.
const maxWholeDigits = 15

// Pounds builds an amount from whole pounds, for rule tables and tests.
func Pounds(p int64) Amount { return Amount(p * 100) }

// Parse reads a decimal amount of pounds such as "100000.01", "5000",
// "-12.5", "£1,250.00" or "+3" (a leading "£" and thousands separators are
// accepted, as officers copy figures from spreadsheets and invoices). More
// than two decimal places is an error rather than a silent rounding, because
// a recorded value must be what the officer typed.
func Parse(s string) (Amount, error) {
	t := strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(t, "-"):
		neg, t = true, t[1:]
	case strings.HasPrefix(t, "+"):
		t = t[1:]
	}
	t = strings.TrimPrefix(t, "£")
	if !neg && strings.HasPrefix(t, "-") { // "£-5", as some spreadsheets print it
		neg, t = true, t[1:]
	}
	whole, frac, hasDot := strings.Cut(t, ".")
	if !validGrouping(whole) {
		return 0, syntaxError(s)
	}
	whole = strings.ReplaceAll(whole, ",", "")
	if whole == "" || (hasDot && frac == "") || len(frac) > 2 {
		return 0, syntaxError(s)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, syntaxError(s)
		}
	}
	if len(whole) > maxWholeDigits {
		return 0, fmt.Errorf("%q is too large an amount (at most %d digits before the point)", s, maxWholeDigits)
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, syntaxError(s)
	}
	if neg {
		n = -n
	}
	return Amount(n), nil
}

// validGrouping accepts digits with no separators, or thousands separators
// every three digits ("1,250,000"); "1,2,3" is more likely a list than a sum.
func validGrouping(whole string) bool {
	if !strings.Contains(whole, ",") {
		return true
	}
	groups := strings.Split(whole, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

func syntaxError(s string) error {
	return fmt.Errorf("%q is not an amount in pounds with at most two decimal places, e.g. 100000.01 or £1,250.00", s)
}

// MustParse is Parse for literals in code and tests; it panics on bad input.
func MustParse(s string) Amount {
	a, err := Parse(s)
	if err != nil {
		panic("money.MustParse: " + err.Error())
	}
	return a
}

// String formats the amount as plain decimal pounds, "100000.01", the form
// used in CSV and JSON.
func (a Amount) String() string {
	sign := ""
	u := uint64(a)
	if a < 0 {
		sign, u = "-", uint64(-a)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Display formats the amount for people: "£100,000.01", "-£5.00".
func (a Amount) Display() string {
	s := a.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	return sign + "£" + GroupThousands(whole) + "." + frac
}

// GroupThousands puts a comma between each group of three digits of a
// string of digits: "1234567" -> "1,234,567".
func GroupThousands(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MarshalJSON writes the amount as a decimal string so that no client parses
// money into a float.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON accepts a decimal string ("100000.01", "£1,250.00") or a JSON
// number written in decimal; either is read exactly, digit by digit. JSON
// null leaves the amount unchanged, as encoding/json does for numbers.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s, null, err := JSONLiteral(b)
	if err != nil || null {
		return err
	}
	if strings.ContainsAny(s, "eE") {
		return fmt.Errorf("amount %s must be written as a plain decimal such as \"100000.01\"", s)
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// JSONLiteral returns the text of a JSON string or number as written, so
// that a decimal type can read it digit by digit rather than through a
// float; null reports JSON null.
func JSONLiteral(b []byte) (s string, null bool, err error) {
	s = string(b)
	if s == "null" {
		return "", true, nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return "", false, err
		}
	}
	return s, false, nil
}

// Rat is the amount in pounds as an exact rational, for exact arithmetic.
func (a Amount) Rat() *big.Rat { return big.NewRat(int64(a), 100) }

// FromRat rounds an exact amount of pounds to the penny, half away from
// zero: the one rounding a money cell gets.
func FromRat(pounds *big.Rat) Amount {
	return RoundQuo(new(big.Int).Mul(pounds.Num(), big.NewInt(100)), pounds.Denom())
}

// RoundQuo returns num/den rounded half away from zero (den > 0), for
// callers that keep an exact value as an unreduced ratio of pence. Values
// beyond the int64 range saturate; callers bound their inputs far below it.
func RoundQuo(num, den *big.Int) Amount {
	neg := num.Sign() < 0
	n := new(big.Int).Abs(num)
	q, r := n.QuoRem(n, den, new(big.Int))
	if r.Lsh(r, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsInt64() {
		if neg {
			return math.MinInt64 + 1
		}
		return math.MaxInt64
	}
	if neg {
		return Amount(-q.Int64())
	}
	return Amount(q.Int64())
}

// MulDiv returns a*b/c rounded half away from zero, with a 128-bit
// intermediate so that no product of validated inputs overflows; a result
// beyond the int64 range saturates. c must not be zero.
func MulDiv(a, b, c int64) int64 {
	neg := (a < 0) != (b < 0) != (c < 0)
	ua, ub, uc := absU(a), absU(b), absU(c)
	hi, lo := bits.Mul64(ua, ub)
	if hi >= uc {
		if neg {
			return math.MinInt64 + 1
		}
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, uc)
	if r >= uc-r {
		q++
	}
	if q > math.MaxInt64 {
		q = math.MaxInt64
	}
	if neg {
		return -int64(q)
	}
	return int64(q)
}

func absU(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}
