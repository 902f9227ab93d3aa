package textrank

import "math/bits"

// Bitset is a set of document slots, one bit each: the form filters and
// facets take, so that combining them and counting a facet value costs one
// machine word per 64 documents whatever the filter.
type Bitset []uint64

// Set adds slot i, growing the set as needed.
func (b *Bitset) Set(i uint32) {
	for int(i/64) >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}

// Clear removes slot i.
func (b Bitset) Clear(i uint32) {
	if int(i/64) < len(b) {
		b[i/64] &^= 1 << (i % 64)
	}
}

// Has reports whether slot i is in the set.
func (b Bitset) Has(i uint32) bool { return int(i/64) < len(b) && b[i/64]&(1<<(i%64)) != 0 }

// Len is the number of slots in the set.
func (b Bitset) Len() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// Clone is an independent copy.
func (b Bitset) Clone() Bitset { return append(Bitset(nil), b...) }

// And keeps the slots also in o.
func (b Bitset) And(o Bitset) {
	for i := range b {
		if i < len(o) {
			b[i] &= o[i]
		} else {
			b[i] = 0
		}
	}
}

// AndNot removes the slots in o.
func (b Bitset) AndNot(o Bitset) {
	for i := range min(len(b), len(o)) {
		b[i] &^= o[i]
	}
}

// Or adds the slots of o.
func (b *Bitset) Or(o Bitset) {
	for len(*b) < len(o) {
		*b = append(*b, 0)
	}
	for i, w := range o {
		(*b)[i] |= w
	}
}

// AndLen is the size of the intersection of b and o, without building it.
func (b Bitset) AndLen(o Bitset) int {
	n := 0
	for i := range min(len(b), len(o)) {
		n += bits.OnesCount64(b[i] & o[i])
	}
	return n
}

// Each calls fn for every slot in ascending order until fn returns false.
func (b Bitset) Each(fn func(uint32) bool) {
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			if !fn(uint32(wi*64 + t)) {
				return
			}
			w &= w - 1
		}
	}
}
