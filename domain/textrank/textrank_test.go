package textrank

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// docs are title, keywords, description.
var docs = [][]string{
	{"Car parks", "parking, car parks", "Locations and tariffs of the council's car parks."},
	{"Car park occupancy", "parking, occupancy", "Hourly counts of occupied spaces."},
	{"Highway trees", "trees, street scene", "Trees on the adopted highway, with species and height."},
	{"Street lighting columns", "street lighting, energy", "Every street lighting column and its lantern."},
	{"Public toilets", "toilets", "Opening hours, including those near car parks and parkland."},
	{"Libraries", "libraries, visits", "Visits to each library."},
}

func build() *Index {
	ix := New(3, 2, 1)
	for i, d := range docs {
		ix.Add(uint32(i), d...)
	}
	return ix
}

func slots(hits []Hit) []uint32 {
	var out []uint32
	for _, h := range hits {
		out = append(out, h.Slot)
	}
	return out
}

func ranked(hits []Hit) []uint32 {
	hits = slices.Clone(hits)
	slices.SortStableFunc(hits, func(a, b Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return slots(hits)
}

func TestEveryWordMustMatchAsAWordPrefix(t *testing.T) {
	ix := build()
	for q, want := range map[string][]uint32{
		"car parks":      {0, 1, 4}, // "park" is a prefix of "parkland" and "parking"
		"street":         {2, 3},
		"street light":   {3},
		"lighting trees": nil,
		"library":        {5}, // "libraries" is stemmed to "library"
		"LIBRARIES":      {5},
		"ark":            nil, // inside a word, not at its start
		"":               nil,
	} {
		if got := slots(ix.Match(Parse(q), 0, nil)); !slices.Equal(got, want) {
			t.Errorf("%q matched %v, want %v", q, got, want)
		}
	}
}

func TestTitleWordsRankAboveDescriptionWordsAndWholeWordsAbovePrefixes(t *testing.T) {
	ix := build()
	got := ranked(ix.Match(Parse("car parks"), 0, nil))
	if got[0] != 0 || got[len(got)-1] != 4 {
		t.Errorf("ranking %v: the dataset titled car parks must come first, the one mentioning them in passing last", got)
	}
	if got := ranked(ix.Match(Parse("park"), 0, nil)); got[0] != 0 && got[0] != 1 {
		t.Errorf("park ranked %v", got)
	}
}

func TestFieldMaskAndFilterAndRemoval(t *testing.T) {
	ix := build()
	if got := slots(ix.Match(Parse("parks"), 1, nil)); !slices.Equal(got, []uint32{0, 1}) {
		t.Errorf("title-only match %v", got)
	}
	var within Bitset
	within.Set(1)
	within.Set(4)
	if got := slots(ix.Match(Parse("car"), 0, within)); !slices.Equal(got, []uint32{1, 4}) {
		t.Errorf("within {1,4}: %v", got)
	}
	ix.Remove(0)
	ix.Add(9, "Car parks", "parking", "Replaced description.")
	if got := slots(ix.Match(Parse("tariffs"), 0, nil)); got != nil {
		t.Errorf("a removed document still matches: %v", got)
	}
	if got := slots(ix.Match(Parse("car parks"), 0, nil)); !slices.Equal(got, []uint32{1, 4, 9}) {
		t.Errorf("after replacing slot 0 by 9: %v", got)
	}
	if ix.Len() != len(docs) {
		t.Errorf("Len %d", ix.Len())
	}
}

// The index agrees with the rule it promises (every word a prefix of a word
// of the document) on random documents and queries, across vocabulary
// merges.
func TestMatchesTheRuleOnRandomText(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := []string{"tree", "trees", "street", "streets", "park", "parking", "parkland", "car", "cars", "bin",
		"bins", "library", "libraries", "lamp", "lamps", "grit", "gritting", "toilet", "ward", "wards"}
	for i := range 2000 {
		vocab = append(vocab, fmt.Sprintf("w%dx", i)) // forces merges of the pending vocabulary
	}
	ix := New(3, 2, 1)
	var texts [][]string
	for s := range 400 {
		var fields []string
		for range 3 {
			var words []string
			for range 1 + rng.IntN(6) {
				words = append(words, vocab[rng.IntN(len(vocab))])
			}
			fields = append(fields, strings.Join(words, " "))
		}
		texts = append(texts, fields)
		ix.Add(uint32(s), fields...)
	}
	for range 300 {
		var q []string
		for range 1 + rng.IntN(2) {
			w := vocab[rng.IntN(20)]
			q = append(q, w[:1+rng.IntN(len(w))])
		}
		query := strings.Join(q, " ")
		var want []uint32
		for s, fields := range texts {
			words := Tokens(strings.Join(fields, " "))
			ok := true
			for _, w := range Parse(query).words {
				ok = ok && slices.ContainsFunc(words, func(x string) bool { return strings.HasPrefix(x, w) })
			}
			if ok {
				want = append(want, uint32(s))
			}
		}
		if got := slots(ix.Match(Parse(query), 0, nil)); !slices.Equal(got, want) {
			t.Fatalf("%q: got %v, want %v", query, got, want)
		}
	}
}
