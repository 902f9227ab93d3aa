package sourcing

import (
	"math"
	"math/big"

	"github.com/jointict/councilapi/domain/money"
)

// The comparison multiplies exactly and rounds only cells: a money cell to
// the penny (money.FromRat), an energy or emissions cell to three places.
// math/big.Rat rather than a decimal library (apd, shopspring/decimal): the
// discount factors 1/(1+r)^t are not finite decimals, so any decimal type
// would have to round them at some precision, while a rational holds them
// exactly; and it is the standard library, so no dependency is added. The
// inputs are Decs (at most six places) validated to at most 10^9, so the
// rationals stay a few dozen digits long and a 30-option, 10-year
// comparison still computes in milliseconds.

// rat is d as an exact rational.
func rat(d Dec) *big.Rat { return big.NewRat(int64(d), decScale) }

// ratInt is n as a rational.
func ratInt(n int64) *big.Rat { return new(big.Rat).SetInt64(n) }

// mul returns the product of its arguments as a new rational.
func mul(xs ...*big.Rat) *big.Rat {
	out := big.NewRat(1, 1)
	for _, x := range xs {
		out.Mul(out, x)
	}
	return out
}

// add returns the sum of its arguments as a new rational.
func add(xs ...*big.Rat) *big.Rat {
	out := new(big.Rat)
	for _, x := range xs {
		out.Add(out, x)
	}
	return out
}

// quo returns a/b, or 0 when b is 0 (callers validate divisors).
func quo(a, b *big.Rat) *big.Rat {
	if b.Sign() == 0 {
		return new(big.Rat)
	}
	return new(big.Rat).Quo(a, b)
}

// cell rounds an exact amount of pounds to a money cell.
func cell(pounds *big.Rat) Money { return money.FromRat(pounds) }

// decCell rounds x half away from zero to places (0..6) as a Dec.
func decCell(x *big.Rat, places int) Dec {
	unit := int64(math.Pow10(places))
	// FromRat rounds hundredths of its argument to a whole number, so x x
	// 10^places / 100 comes back as round(x x 10^places).
	n := int64(money.FromRat(mul(x, big.NewRat(unit, 100))))
	return Dec(n * (decScale / unit))
}

// powers caches (1+r)^t and its inverse for t = 0..horizon-1, exactly.
type powers struct {
	horizon int
	grow    map[Dec][]*big.Rat
	disc    map[Dec][]*big.Rat
}

func newPowers(horizon int) *powers {
	return &powers{horizon: horizon, grow: map[Dec][]*big.Rat{}, disc: map[Dec][]*big.Rat{}}
}

// growth is (1+r)^t for each year: indexation and demand growth.
func (p *powers) growth(r Dec) []*big.Rat {
	if t, ok := p.grow[r]; ok {
		return t
	}
	out := make([]*big.Rat, p.horizon)
	step := add(big.NewRat(1, 1), rat(r))
	acc := big.NewRat(1, 1)
	for t := range out {
		out[t] = new(big.Rat).Set(acc)
		acc.Mul(acc, step)
	}
	p.grow[r] = out
	return out
}

// discount is 1/(1+r)^t for each year (the Green Book discount factor).
func (p *powers) discount(r Dec) []*big.Rat {
	if t, ok := p.disc[r]; ok {
		return t
	}
	g := p.growth(r)
	out := make([]*big.Rat, len(g))
	for t := range g {
		out[t] = new(big.Rat).Inv(g[t])
	}
	p.disc[r] = out
	return out
}
