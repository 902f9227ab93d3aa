// Package procurement holds the joint procurement register of the Joint ICT
// Service: the record, its Procurement Act 2023 lifecycle, the dated rule sets
// that decide notices, Key Decisions and approvals, cost shares between the
// partner councils and the Transparency Code contracts register. It is pure:
// no I/O, no clock, so every rule is tested with fixed dates.
package procurement

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Pence is an amount of money in pence. Money is never a float: a float
// cannot hold 0.10 exactly, and shares must add up to the penny.
type Pence int64

// Pounds builds an amount from whole pounds, for rule tables and tests.
func Pounds(p int64) Pence { return Pence(p * 100) }

// ParsePence reads a decimal amount of pounds such as "100000.01", "5000",
// "-12.5" or "1,250.00" (thousands separators and a leading "£" are
// accepted). More than two decimal places is an error rather than a silent
// rounding, because a register value must be what the officer typed.
func ParsePence(s string) (Pence, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "£")
	neg := false
	if strings.HasPrefix(t, "-") {
		neg, t = true, t[1:]
	}
	t = strings.ReplaceAll(t, ",", "")
	whole, frac, hasDot := strings.Cut(t, ".")
	if whole == "" || (hasDot && frac == "") || len(frac) > 2 {
		return 0, fmt.Errorf("%q is not an amount in pounds with at most two decimal places, e.g. 100000.01", s)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not an amount in pounds with at most two decimal places, e.g. 100000.01", s)
		}
	}
	if len(frac) == 1 {
		frac += "0"
	}
	if frac == "" {
		frac = "00"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || len(whole) > 15 {
		return 0, fmt.Errorf("%q is too large an amount", s)
	}
	if neg {
		n = -n
	}
	return Pence(n), nil
}

// String formats the amount as plain decimal pounds, "100000.01", the form
// used in CSV and JSON.
func (p Pence) String() string {
	sign := ""
	n := int64(p)
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100)
}

// Display formats the amount for people: "£100,000.01".
func (p Pence) Display() string {
	s := p.String()
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return sign + "£" + b.String() + "." + frac
}

// MarshalJSON writes the amount as a decimal string so that no client parses
// money into a float.
func (p Pence) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON accepts a decimal string ("100000.01") or a JSON number
// written in decimal; either is read exactly, digit by digit.
func (p *Pence) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if strings.ContainsAny(s, "eE") {
		return fmt.Errorf("amount %s must be written as a plain decimal such as \"100000.01\"", s)
	}
	v, err := ParsePence(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// BasisPoints is a rate in hundredths of a percent: 2000 is 20%.
type BasisPoints int64

// StandardVAT is the UK standard rate of VAT.
const StandardVAT BasisPoints = 2000

// VAT returns the VAT on a net amount at rate, rounded half away from zero to
// the penny (HMRC allows rounding of the total to the nearest penny).
func VAT(net Pence, rate BasisPoints) Pence {
	return Pence(mulDivRound(int64(net), int64(rate), 10000))
}

// IncVAT returns the gross amount for a net amount.
func IncVAT(net Pence, rate BasisPoints) Pence { return net + VAT(net, rate) }

// ExVAT returns the net amount contained in a gross amount at rate, rounded
// to the penny.
func ExVAT(gross Pence, rate BasisPoints) Pence {
	return Pence(mulDivRound(int64(gross), 10000, 10000+int64(rate)))
}

// mulDivRound computes a*b/c rounded half away from zero without overflow for
// the magnitudes money reaches (a up to 10^15 pence, b and c up to 10^6).
func mulDivRound(a, b, c int64) int64 {
	neg := (a < 0) != (b < 0) != (c < 0)
	if a < 0 {
		a = -a
	}
	if b < 0 {
		b = -b
	}
	if c < 0 {
		c = -c
	}
	q, r := a/c*b, a%c*b
	q += r / c
	if 2*(r%c) >= c {
		q++
	}
	if neg {
		return -q
	}
	return q
}
