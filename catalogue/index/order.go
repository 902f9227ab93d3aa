package index

import (
	"slices"
	"strings"
)

// Sort orders the index keeps, each by one field with ties broken by
// dataset id ascending (in both directions, as the stores sort).
const (
	OrderID                = "id"
	OrderSlug              = "slug"
	OrderTitle             = "title"       // bytewise, as the stores compare text
	OrderTitleLower        = "title_lower" // case-insensitive (CKAN's title_string)
	OrderModified          = "modified"    // the dataset's own modified date
	OrderIssued            = "issued"      // the dataset's issued date, unset first
	OrderCatalogueModified = "catalogue_modified"
	OrderCatalogueIssued   = "catalogue_issued"
	// OrderScore is text relevance, highest first; it is computed per query.
	OrderScore = "score"
)

// order is the live slots sorted by one field, kept sorted as entries come
// and go (a binary search and one copy of the slot array per change).
type order struct {
	field func(a, b *entry) int
	slots []uint32
}

func newOrders() map[string]*order {
	return map[string]*order{
		OrderID:                {field: func(a, b *entry) int { return strings.Compare(a.Entry.Dataset.ID, b.Entry.Dataset.ID) }},
		OrderSlug:              {field: func(a, b *entry) int { return strings.Compare(a.Entry.Dataset.Slug, b.Entry.Dataset.Slug) }},
		OrderTitle:             {field: func(a, b *entry) int { return strings.Compare(a.Entry.Dataset.Title, b.Entry.Dataset.Title) }},
		OrderTitleLower:        {field: func(a, b *entry) int { return strings.Compare(a.lower, b.lower) }},
		OrderModified:          {field: func(a, b *entry) int { return a.modified.Compare(b.modified) }},
		OrderIssued:            {field: func(a, b *entry) int { return a.issued.Compare(b.issued) }},
		OrderCatalogueModified: {field: func(a, b *entry) int { return a.catMod.Compare(b.catMod) }},
		OrderCatalogueIssued:   {field: func(a, b *entry) int { return a.catIss.Compare(b.catIss) }},
	}
}

func (o *order) compare(a, b *entry) int {
	if c := o.field(a, b); c != 0 {
		return c
	}
	return strings.Compare(a.Entry.Dataset.ID, b.Entry.Dataset.ID)
}

func (o *order) search(ix *Index, slot uint32) (int, bool) {
	e := ix.slots[slot]
	return slices.BinarySearchFunc(o.slots, e, func(s uint32, e *entry) int { return o.compare(ix.slots[s], e) })
}

func (o *order) insert(ix *Index, slot uint32) {
	i, _ := o.search(ix, slot)
	o.slots = slices.Insert(o.slots, i, slot)
}

func (o *order) delete(ix *Index, slot uint32) {
	if i, ok := o.search(ix, slot); ok && o.slots[i] == slot {
		o.slots = slices.Delete(o.slots, i, i+1)
	}
}

// each visits the slots in order, or (desc) with the field descending and
// ties still by id ascending, until fn returns false.
func (o *order) each(ix *Index, desc bool, fn func(uint32) bool) {
	if !desc {
		for _, s := range o.slots {
			if !fn(s) {
				return
			}
		}
		return
	}
	for j := len(o.slots); j > 0; {
		i := j - 1
		for i > 0 && o.field(ix.slots[o.slots[i-1]], ix.slots[o.slots[j-1]]) == 0 {
			i--
		}
		for _, s := range o.slots[i:j] {
			if !fn(s) {
				return
			}
		}
		j = i
	}
}

// bounds returns the range of positions whose entries compare with lo and
// hi as wanted: from the first not before lo (after, when exclusive) to the
// last not after hi. A nil bound is open.
func (o *order) bounds(ix *Index, lo, hi func(*entry) int) (int, int) {
	from, to := 0, len(o.slots)
	if lo != nil {
		from, _ = slices.BinarySearchFunc(o.slots, 0, func(s uint32, _ int) int {
			if lo(ix.slots[s]) < 0 {
				return -1
			}
			return 1
		})
	}
	if hi != nil {
		to, _ = slices.BinarySearchFunc(o.slots, 0, func(s uint32, _ int) int {
			if hi(ix.slots[s]) <= 0 {
				return -1
			}
			return 1
		})
	}
	return from, max(from, to)
}
