// Package procurement holds the joint procurement register of the Joint ICT
// Service: the record, its Procurement Act 2023 lifecycle, the dated rule sets
// that decide notices, Key Decisions and approvals, cost shares between the
// partner councils and the Transparency Code contracts register. It is pure:
// no I/O, no clock, so every rule is tested with fixed dates.
package procurement

import "github.com/jointict/councilapi/domain/money"

// Pence is the one money type of councilapi (domain/money), named as the
// register has always named it.
type Pence = money.Amount

// Pounds builds an amount from whole pounds, for rule tables and tests.
func Pounds(p int64) Pence { return money.Pounds(p) }

// ParsePence reads a decimal amount of pounds by the rules of money.Parse:
// "100000.01", "5000", "-12.5", "£1,250.00"; more than two decimal places is
// an error rather than a silent rounding.
func ParsePence(s string) (Pence, error) { return money.Parse(s) }

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

// mulDivRound is money.MulDiv under the name the share rules call it by.
func mulDivRound(a, b, c int64) int64 { return money.MulDiv(a, b, c) }
