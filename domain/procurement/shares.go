package procurement

import (
	"encoding/json"
	"math/big"
	"slices"
	"sort"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// Percent is a percentage in hundredths: 3334 is 33.34%. It is written in
// JSON as a decimal string, "33.34".
type Percent int64

// Hundred is 100.00%.
const Hundred Percent = 10000

// ParsePercent reads "33.34" or "25".
func ParsePercent(s string) (Percent, error) {
	v, err := ParsePence(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	return Percent(v), err
}

func (p Percent) String() string               { return Pence(p).String() }
func (p Percent) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }
func (p *Percent) UnmarshalJSON(b []byte) error {
	var v Pence
	if err := v.UnmarshalJSON(b); err != nil {
		return err
	}
	*p = Percent(v)
	return nil
}

// ShareMethod is how costs are split between the parties.
type ShareMethod string

const (
	ShareEqual    ShareMethod = "equal"
	ShareDriver   ShareMethod = "driver"   // proportional to a count such as users
	ShareExplicit ShareMethod = "explicit" // agreed percentages
)

// Drivers are the counts a driver share may be proportional to.
var Drivers = []string{"users", "devices", "population"}

// ShareBasis says how a procurement's costs are split.
type ShareBasis struct {
	Method      ShareMethod        `json:"method"`
	Driver      string             `json:"driver,omitempty"`
	Counts      map[string]int64   `json:"counts,omitempty"`
	Percentages map[string]Percent `json:"percentages,omitempty"`
}

func (b ShareBasis) problems(parties []string) domain.Problems {
	var pr domain.Problems
	switch b.Method {
	case ShareEqual:
	case ShareDriver:
		if !slices.Contains(Drivers, b.Driver) {
			pr.Add("driver", "must be one of users, devices, population")
		}
		for _, o := range parties {
			if b.Counts[o] <= 0 {
				pr.Add("counts."+o, "give a positive %s count for every party", orDefault(b.Driver, "driver"))
			}
		}
		for o := range b.Counts {
			if !slices.Contains(parties, o) {
				pr.Add("counts."+o, "is not a party to this procurement")
			}
		}
	case ShareExplicit:
		var sum Percent
		for _, o := range parties {
			v, ok := b.Percentages[o]
			if !ok || v < 0 || v > Hundred {
				pr.Add("percentages."+o, "give a percentage from 0 to 100 with at most two decimals for every party")
			}
			sum += v
		}
		for o := range b.Percentages {
			if !slices.Contains(parties, o) {
				pr.Add("percentages."+o, "is not a party to this procurement")
			}
		}
		if sum != Hundred {
			pr.Add("percentages", "add up to %s%%; they must add up to exactly 100.00%%", sum)
		}
	default:
		pr.Add("method", "must be one of equal, driver, explicit")
	}
	return pr
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// weights returns one weight per party in the order given.
func (b ShareBasis) weights(parties []string) ([]int64, error) {
	if pr := b.problems(parties); len(pr) > 0 {
		return nil, pr.Prefix("shares.").Err()
	}
	w := make([]int64, len(parties))
	for i, o := range parties {
		switch b.Method {
		case ShareEqual:
			w[i] = 1
		case ShareDriver:
			w[i] = b.Counts[o]
		case ShareExplicit:
			w[i] = int64(b.Percentages[o])
		}
	}
	return w, nil
}

// Allocate splits total in proportion to weights by the largest remainder
// method, so the parts add up to total exactly. Each party first gets the
// floor of its exact share; the pennies left over go one each to the largest
// remainders. Ties go to the party whose key sorts first (organisation ids in
// byte order), so the split never depends on input order. A negative total
// (a credit) is split as its magnitude and negated.
func Allocate(total Pence, keys []string, weights []int64) []Pence {
	out := make([]Pence, len(weights))
	var sumW big.Int
	for _, w := range weights {
		sumW.Add(&sumW, big.NewInt(w))
	}
	if sumW.Sign() <= 0 {
		return out
	}
	neg := total < 0
	t := big.NewInt(int64(total))
	t.Abs(t)
	rem := make([]*big.Int, len(weights))
	given := new(big.Int)
	for i, w := range weights {
		q, r := new(big.Int), new(big.Int)
		q.QuoRem(new(big.Int).Mul(t, big.NewInt(w)), &sumW, r)
		out[i], rem[i] = Pence(q.Int64()), r
		given.Add(given, q)
	}
	left := new(big.Int).Sub(t, given).Int64()
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		if c := rem[order[a]].Cmp(rem[order[b]]); c != 0 {
			return c > 0
		}
		return keys[order[a]] < keys[order[b]]
	})
	for k := int64(0); k < left; k++ {
		out[order[k]]++
	}
	if neg {
		for i := range out {
			out[i] = -out[i]
		}
	}
	return out
}

// Share is one party's part of an amount.
type Share struct {
	Organisation string  `json:"organisation"`
	Percent      Percent `json:"percent"`
	Amount       Pence   `json:"amount"`
}

// SharesOf splits total between the parties of p. Percentages are rounded
// the same way as money, so they add up to exactly 100.00.
func (p JointProcurement) SharesOf(total Pence) ([]Share, error) {
	parties := p.Parties()
	w, err := p.Shares.weights(parties)
	if err != nil {
		return nil, err
	}
	amounts := Allocate(total, parties, w)
	pcts := Allocate(Pence(Hundred), parties, w)
	out := make([]Share, len(parties))
	for i, o := range parties {
		out[i] = Share{Organisation: o, Percent: Percent(pcts[i]), Amount: amounts[i]}
	}
	return out, nil
}

// ContractCost is the cost to the councils over the term: the awarded values
// plus VAT they cannot recover once awarded, the estimate before.
func (p JointProcurement) ContractCost() Pence {
	if len(p.Awards) == 0 {
		return p.EstimatedValue
	}
	var t Pence
	for _, a := range p.Awards {
		t += a.Value + a.NonRecoverableVAT
	}
	return t
}

// PartySavings compares one party's share with what it pays today.
type PartySavings struct {
	Organisation     string `json:"organisation"`
	CostOverTerm     Pence  `json:"costOverTerm"`
	AnnualCost       Pence  `json:"annualCost"`
	BaselineOverTerm Pence  `json:"baselineOverTerm"`
	Saving           Pence  `json:"saving"` // baseline minus cost over the term; negative is an extra cost
	Realised         Pence  `json:"realised"`
}

// Savings is the per-party and total comparison with the baseline.
type Savings struct {
	TermMonths int            `json:"termMonths"`
	Parties    []PartySavings `json:"parties"`
	Total      PartySavings   `json:"total"`
}

// Savings splits the contract cost over the term and compares each share
// with the party's baseline annual cost scaled to the same term.
func (p JointProcurement) Savings() (Savings, error) {
	if p.TermMonths < 1 {
		return Savings{}, domain.Errorf(domain.CodeInvalid, "set termMonths before computing savings")
	}
	shares, err := p.SharesOf(p.ContractCost())
	if err != nil {
		return Savings{}, err
	}
	s := Savings{TermMonths: p.TermMonths, Total: PartySavings{Organisation: "total"}}
	for _, sh := range shares {
		ps := PartySavings{
			Organisation:     sh.Organisation,
			CostOverTerm:     sh.Amount,
			AnnualCost:       Pence(mulDivRound(int64(sh.Amount), 12, int64(p.TermMonths))),
			BaselineOverTerm: Pence(mulDivRound(int64(p.Baseline[sh.Organisation]), int64(p.TermMonths), 12)),
		}
		ps.Saving = ps.BaselineOverTerm - ps.CostOverTerm
		for _, r := range p.RealisedSavings {
			if r.Organisation == sh.Organisation {
				ps.Realised += r.Amount
			}
		}
		s.Parties = append(s.Parties, ps)
		s.Total.CostOverTerm += ps.CostOverTerm
		s.Total.AnnualCost += ps.AnnualCost
		s.Total.BaselineOverTerm += ps.BaselineOverTerm
		s.Total.Saving += ps.Saving
		s.Total.Realised += ps.Realised
	}
	return s, nil
}
