// Package sourcing holds the pure rules of the G-Cloud buyer journey: the
// service catalogue model and its import, an in-memory search index, saved
// searches and direct-award records, and the whole-life cost and carbon
// comparison of G-Cloud services with an on-premise option.
//
// Inputs (prices, quantities, rates, factors) are fixed-point decimals (Dec,
// six places) rather than float64, and money is domain/money's Amount in
// pence. The comparison multiplies them exactly (math/big.Rat) and rounds
// only money cells, to the penny, so that every figure in the published
// worked example is reproduced by a spreadsheet and on any architecture.
package sourcing

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/jointict/councilapi/domain/money"
)

// Dec is a signed decimal with six fractional places, held as a count of
// millionths. Six places hold every G-Cloud price (the schema allows five),
// every factor in the factor set and every growth or discount rate.
type Dec int64

const decScale = 1_000_000

// maxDecIntDigits bounds the integer part so that the value fits in int64
// millionths (9.2e12) with a margin.
const maxDecIntDigits = 12

var errDecSyntax = errors.New("must be a decimal number such as 12.50 (at most 12 digits before the point and 6 after)")

// ParseDec reads a plain decimal ("12", "-0.035", "1234.56789"). Exponents,
// thousands separators and more than six fractional digits are refused rather
// than silently rounded, because a price that changes on import is a defect.
func ParseDec(s string) (Dec, error) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" && (!hasPoint || frac == "") {
		return 0, errDecSyntax
	}
	if len(intPart) > maxDecIntDigits || len(frac) > 6 || (hasPoint && frac == "") {
		return 0, errDecSyntax
	}
	var v int64
	for _, c := range intPart + frac + strings.Repeat("0", 6-len(frac)) {
		if c < '0' || c > '9' {
			return 0, errDecSyntax
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return Dec(v), nil
}

// MustDec is ParseDec for literals in code and tests; it panics on bad input.
func MustDec(s string) Dec {
	d, err := ParseDec(s)
	if err != nil {
		panic("sourcing.MustDec(" + strconv.Quote(s) + "): " + err.Error())
	}
	return d
}

// DecInt converts a whole number.
func DecInt(n int64) Dec { return Dec(n * decScale) }

// Mul multiplies, rounding half away from zero to six places.
func (d Dec) Mul(e Dec) Dec { return Dec(mulDiv(int64(d), int64(e), decScale)) }

// MulInt multiplies by a whole number.
func (d Dec) MulInt(n int64) Dec { return Dec(mulDiv(int64(d), n, 1)) }

// Div divides, rounding half away from zero to six places. Division by zero
// yields zero; callers validate divisors first.
func (d Dec) Div(e Dec) Dec {
	if e == 0 {
		return 0
	}
	return Dec(mulDiv(int64(d), decScale, int64(e)))
}

// Round rounds half away from zero to the given number of places (0..6).
func (d Dec) Round(places int) Dec {
	if places >= 6 {
		return d
	}
	unit := int64(math.Pow10(6 - places))
	return Dec(mulDiv(int64(d), 1, unit) * unit)
}

// Float is for display scaling (charts) only, never for arithmetic.
func (d Dec) Float() float64 { return float64(d) / decScale }

// String gives the shortest exact form: "12.5", "0.035", "-3".
func (d Dec) String() string {
	s := d.Fixed(6)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// Fixed formats with exactly places decimals after rounding half away from zero.
func (d Dec) Fixed(places int) string {
	if places > 6 {
		places = 6
	}
	r := int64(d.Round(places))
	neg := r < 0
	u := uint64(r)
	if neg {
		u = uint64(-r)
	}
	whole, frac := u/decScale, u%decScale
	s := strconv.FormatUint(whole, 10)
	if places > 0 {
		f := strconv.FormatUint(frac+decScale, 10)[1:]
		s += "." + f[:places]
	}
	if neg && r != 0 {
		s = "-" + s
	}
	return s
}

// MarshalJSON writes a JSON string, the Digital Marketplace convention for
// prices, so that no client parses it into a binary float.
func (d Dec) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts a JSON string or a JSON number, reading the literal
// text exactly.
func (d *Dec) UnmarshalJSON(b []byte) error {
	s, null, err := money.JSONLiteral(b)
	if err != nil || null {
		return err
	}
	v, err := ParseDec(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// mulDiv is money.MulDiv: round(a*b/c) half away from zero with a 128-bit
// intermediate, saturating (inputs are validated to stay far below it).
func mulDiv(a, b, c int64) int64 { return money.MulDiv(a, b, c) }

// Money is the one money type of councilapi (domain/money): pence, parsed
// with a leading "£" and thousands separators allowed and at most two
// decimals, written in JSON as a decimal string. Results are rounded to the
// penny cell by cell, and every total is the sum of the rounded cells, so a
// printed table adds up.
type Money = money.Amount

// ToMoney rounds a Dec amount of pounds to pence, half away from zero.
func ToMoney(d Dec) Money { return Money(mulDiv(int64(d), 1, decScale/100)) }

// MoneyDec converts pence to a Dec amount of pounds, exactly.
func MoneyDec(m Money) Dec { return Dec(int64(m) * (decScale / 100)) }
