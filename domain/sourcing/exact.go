package sourcing

import (
	"math"
	"math/big"

	"github.com/jointict/councilapi/domain/money"
)

// The comparison multiplies exactly and rounds only cells: a money cell to
// the penny, an energy or emissions cell to three places. The discount
// factors 1/(1+r)^t are not finite decimals, so a decimal library (apd,
// shopspring/decimal) would have to round them at some precision; a ratio of
// integers holds them exactly. exact is that ratio over math/big integers,
// deliberately never reduced: big.Rat reduces by a GCD after every
// operation, which made a 30-option, 10-year comparison thirteen times
// slower, while the inputs (Decs of at most six places, bounded to 10^9)
// keep these numerators and denominators to a few hundred bits, and every
// value is divided out once, when it becomes a cell. Values are immutable:
// every operation returns a new one, so constants can be shared.
type exact struct {
	n, d *big.Int // value n/d, d > 0
}

var (
	bigOne      = big.NewInt(1)
	bigDecScale = big.NewInt(decScale)
	exactOne    = &exact{bigOne, bigOne}
	exactZero   = &exact{new(big.Int), bigOne}
)

// rat is d as an exact value, reduced (0.035 is 7/200): small operands
// keep every product short.
func rat(d Dec) *exact { return frac(int64(d), decScale) }

// ratInt is n as an exact value.
func ratInt(n int64) *exact { return &exact{big.NewInt(n), bigOne} }

// frac is n/d (d > 0), reduced by their greatest common divisor.
func frac(n, d int64) *exact {
	if g := gcd(n, d); g > 1 {
		n, d = n/g, d/g
	}
	if d == 1 {
		return &exact{big.NewInt(n), bigOne}
	}
	return &exact{big.NewInt(n), big.NewInt(d)}
}

func gcd(a, b int64) int64 {
	if a < 0 {
		a = -a
	}
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// moneyExact is an amount of pence as exact pounds.
func moneyExact(m Money) *exact { return frac(int64(m), 100) }

// mul returns the product of its arguments.
func mul(xs ...*exact) *exact {
	if len(xs) == 0 {
		return exactOne
	}
	n, d := new(big.Int).Set(xs[0].n), new(big.Int).Set(xs[0].d)
	for _, x := range xs[1:] {
		n.Mul(n, x.n)
		if x.d != bigOne {
			d.Mul(d, x.d)
		}
	}
	return &exact{n, d}
}

// add returns the sum of its arguments; terms over the same denominator add
// without growing it.
func add(xs ...*exact) *exact {
	if len(xs) == 0 {
		return exactZero
	}
	n, d := new(big.Int).Set(xs[0].n), xs[0].d
	t := new(big.Int)
	for _, x := range xs[1:] {
		if x.d == d || x.d.Cmp(d) == 0 {
			n.Add(n, x.n)
			continue
		}
		n.Mul(n, x.d)
		n.Add(n, t.Mul(x.n, d))
		d = new(big.Int).Mul(d, x.d)
	}
	return &exact{n, d}
}

// neg returns -x.
func neg(x *exact) *exact { return &exact{new(big.Int).Neg(x.n), x.d} }

// sub returns a-b.
func sub(a, b *exact) *exact { return add(a, neg(b)) }

// compare compares a and b (-1, 0, +1).
func compare(a, b *exact) int {
	l := new(big.Int).Mul(a.n, b.d)
	return l.Cmp(new(big.Int).Mul(b.n, a.d))
}

// inv returns 1/x for x != 0.
func inv(x *exact) *exact {
	if x.n.Sign() < 0 {
		return &exact{new(big.Int).Neg(x.d), new(big.Int).Neg(x.n)}
	}
	return &exact{x.d, x.n}
}

// quo returns a/b, or 0 when b is 0 (callers validate divisors).
func quo(a, b *exact) *exact {
	if b.n.Sign() == 0 {
		return exactZero
	}
	return mul(a, inv(b))
}

// cell rounds exact pounds to a money cell: the penny, half away from zero.
func cell(pounds *exact) Money {
	return money.RoundQuo(new(big.Int).Mul(pounds.n, big.NewInt(100)), pounds.d)
}

// decCell rounds x half away from zero to places (0..6) as a Dec.
func decCell(x *exact, places int) Dec {
	unit := int64(math.Pow10(places))
	n := money.RoundQuo(new(big.Int).Mul(x.n, big.NewInt(unit)), x.d)
	return Dec(int64(n) * (decScale / unit))
}

// powers caches (1+r)^t and its inverse for t = 0..horizon-1.
type powers struct {
	horizon int
	grow    map[Dec][]*exact
	disc    map[Dec][]*exact
}

func newPowers(horizon int) *powers {
	return &powers{horizon: horizon, grow: map[Dec][]*exact{}, disc: map[Dec][]*exact{}}
}

// growth is (1+r)^t for each year: indexation and demand growth.
func (p *powers) growth(r Dec) []*exact {
	if t, ok := p.grow[r]; ok {
		return t
	}
	out := make([]*exact, p.horizon)
	step := frac(decScale+int64(r), decScale) // 1.03 is 103/100
	acc := exactOne
	for t := range out {
		out[t] = acc
		acc = mul(acc, step)
	}
	p.grow[r] = out
	return out
}

// discount is 1/(1+r)^t for each year (the Green Book discount factor).
func (p *powers) discount(r Dec) []*exact {
	if t, ok := p.disc[r]; ok {
		return t
	}
	g := p.growth(r)
	out := make([]*exact, len(g))
	for t := range g {
		out[t] = inv(g[t])
	}
	p.disc[r] = out
	return out
}
