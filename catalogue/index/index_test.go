package index

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/domain/textrank"
)

var (
	publishers = []string{"bdc", "dddc", "neddc"}
	themes     = []string{"environment", "transport", "health", "government"}
	licences   = []string{"OGL-UK-3.0", "CC-BY-4.0", "CC0-1.0"}
	words      = []string{"trees", "parking", "car", "parks", "toilets", "street", "lighting", "spend", "library", "grit"}
	day0       = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
)

// randomItem is a dataset with random metadata; equal keys are common, so
// ties in every sort order are exercised.
func randomItem(rng *rand.Rand, id int) Item {
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	d := opendata.Dataset{ID: fmt.Sprintf("id%04d", id), Slug: fmt.Sprintf("slug-%04d", rng.IntN(10000)),
		Title: strings.Title(pick(words)) + " " + pick(words), Description: pick(words) + " " + pick(words) + " in the district",
		Publisher: pick(publishers), Licence: pick(licences), Themes: []string{pick(themes)},
		Keywords: []string{pick(words)}, Modified: day0.Add(time.Duration(rng.IntN(20)) * 24 * time.Hour),
		Status: opendata.StatusPublished}
	if rng.IntN(5) == 0 {
		d.Status = opendata.StatusWithdrawn
	}
	issued := day0.Add(time.Duration(rng.IntN(10)) * 24 * time.Hour)
	d.Issued = &issued
	e := catalogue.Entry{Dataset: d, URI: "/dataset/" + d.Slug}
	if rng.IntN(3) == 0 {
		e.BBox = &opendata.BBox{MinX: -2 + rng.Float64(), MinY: 53 + rng.Float64()}
		e.BBox.MaxX, e.BBox.MaxY = e.BBox.MinX+0.1, e.BBox.MinY+0.1
	}
	formats := []string{"csv"}
	if e.BBox != nil {
		formats = append(formats, "geojson")
	}
	for _, f := range formats {
		e.Distributions = append(e.Distributions, catalogue.Distribution{Format: strings.ToUpper(f)})
	}
	return Item{Entry: e, Formats: formats, Stamp: fmt.Sprint(rng.IntN(1000))}
}

// oracle answers a query the slow, obvious way.
type oracle map[string]Item

func (o oracle) matches(q Query, it Item, score map[string]float64, ix *Index) bool {
	statuses := q.Statuses
	if len(statuses) == 0 {
		statuses = []opendata.Status{opendata.StatusPublished}
	}
	if !slices.Contains(statuses, it.Entry.Dataset.Status) {
		return false
	}
	holds := func(t Term) bool {
		keys := keysOf(it)
		switch {
		case t.Key != "":
			return slices.Contains(keys, t.Key)
		case t.Range != nil:
			at := it.Entry.Dataset.Modified
			return !at.Before(*t.Range.From)
		case t.Text != "":
			_, ok := score[it.Entry.Dataset.ID]
			return ok
		}
		return false
	}
	for _, c := range q.All {
		if !slices.ContainsFunc(c.Any, holds) {
			return false
		}
	}
	for _, c := range q.Not {
		if slices.ContainsFunc(c.Any, holds) {
			return false
		}
	}
	if q.BBox != nil {
		ext := it.Entry.Extent()
		if ext == nil || !q.BBox.Intersects(*ext) {
			return false
		}
	}
	return true
}

func (o oracle) find(q Query, ix *Index) ([]string, int, map[string][]FacetCount) {
	// Text relevance is the text index's business (tested there); the
	// oracle takes its matches and scores from a plain textrank index.
	score := map[string]float64{}
	for _, c := range q.All {
		for _, t := range c.Any {
			if t.Text == "" {
				continue
			}
			tx := textrank.New(fieldBoosts...)
			var ids []string
			for id := range o {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			for i, id := range ids {
				d := o[id].Entry.Dataset
				tx.Add(uint32(i), d.Title, strings.Join(d.Keywords, ", "), d.Description)
			}
			for _, h := range tx.Match(textrank.Parse(t.Text), 0, nil) {
				score[ids[h.Slot]] += h.Score
			}
		}
	}
	var hits []Item
	for _, it := range o {
		if o.matches(q, it, score, ix) {
			hits = append(hits, it)
		}
	}
	field := func(k string, a, b Item) int {
		da, db := a.Entry.Dataset, b.Entry.Dataset
		switch k {
		case OrderTitle:
			return strings.Compare(da.Title, db.Title)
		case OrderModified:
			return da.Modified.Compare(db.Modified)
		case OrderIssued:
			return da.Issued.Compare(*db.Issued)
		case OrderSlug:
			return strings.Compare(da.Slug, db.Slug)
		case OrderScore:
			return cmp.Compare(score[da.ID], score[db.ID])
		case OrderID:
			return strings.Compare(da.ID, db.ID)
		}
		return 0
	}
	slices.SortFunc(hits, func(a, b Item) int {
		for _, k := range q.Sort {
			c := field(k.Order, a, b)
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return strings.Compare(a.Entry.Dataset.ID, b.Entry.Dataset.ID)
	})
	var ids []string
	for i := q.Offset; i < len(hits) && i < q.Offset+q.Limit; i++ {
		ids = append(ids, hits[i].Entry.Dataset.ID)
	}
	facets := map[string][]FacetCount{}
	for _, f := range q.Facets {
		qq := q
		if f.Exclusive {
			qq.All = slices.DeleteFunc(slices.Clone(q.All), func(c Clause) bool { return clauseDim(c) == f.Dim })
		}
		counts := map[string]int{}
		for _, it := range o {
			if o.matches(qq, it, score, ix) {
				for _, k := range keysOf(it) {
					if d, v, _ := cut(k); d == f.Dim {
						counts[v]++
					}
				}
			}
		}
		var out []FacetCount
		for v, c := range counts {
			out = append(out, FacetCount{Value: v, Count: c, Label: cmp.Or(ix.labels[Key(f.Dim, v)], v)})
		}
		slices.SortFunc(out, func(a, b FacetCount) int { return cmp.Or(b.Count-a.Count, cmp.Compare(a.Value, b.Value)) })
		facets[f.Dim] = out
	}
	return ids, len(hits), facets
}

func randomQuery(rng *rand.Rand) Query {
	q := Query{Offset: rng.IntN(30), Limit: 1 + rng.IntN(40)}
	if rng.IntN(4) == 0 {
		q.Statuses = []opendata.Status{opendata.StatusPublished, opendata.StatusWithdrawn}
	}
	clause := func(dim string, values []string) Clause {
		var c Clause
		for range 1 + rng.IntN(2) {
			c.Any = append(c.Any, Term{Key: Key(dim, values[rng.IntN(len(values))])})
		}
		return c
	}
	if rng.IntN(2) == 0 {
		q.All = append(q.All, clause(DimPublisher, publishers))
	}
	if rng.IntN(3) == 0 {
		q.All = append(q.All, clause(DimTheme, themes))
	}
	if rng.IntN(4) == 0 {
		q.Not = append(q.Not, clause(DimLicence, licences))
	}
	if rng.IntN(3) == 0 {
		q.All = append(q.All, Clause{Any: []Term{{Text: words[rng.IntN(len(words))][:3]}}})
	}
	if rng.IntN(4) == 0 {
		from := day0.Add(time.Duration(rng.IntN(20)) * 24 * time.Hour)
		q.All = append(q.All, Clause{Any: []Term{{Range: &Range{Order: OrderModified, From: &from}}}})
	}
	if rng.IntN(5) == 0 {
		q.BBox = &opendata.BBox{MinX: -1.8, MinY: 53.2, MaxX: -1.4, MaxY: 53.6}
	}
	orders := []string{OrderTitle, OrderModified, OrderIssued, OrderSlug, OrderScore, OrderID}
	for range rng.IntN(3) {
		q.Sort = append(q.Sort, Sort{Order: orders[rng.IntN(len(orders))], Desc: rng.IntN(2) == 0})
	}
	if rng.IntN(2) == 0 {
		q.Facets = []FacetRequest{{Dim: DimPublisher, Exclusive: true}, {Dim: DimTheme}, {Dim: DimFormat, Exclusive: rng.IntN(2) == 0}}
	}
	return q
}

// The index answers as a full scan would, through inserts, replacements,
// deletions and the compactions they cause.
func TestIndexAgreesWithAFullScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	ix := New()
	o := oracle{}
	for round := range 40 {
		for range 60 {
			id := rng.IntN(150)
			if rng.IntN(6) == 0 {
				ix.Delete(fmt.Sprintf("id%04d", id))
				delete(o, fmt.Sprintf("id%04d", id))
				continue
			}
			it := randomItem(rng, id)
			ix.Put(it)
			o[it.Entry.Dataset.ID] = it
		}
		if ix.Len() != len(o) {
			t.Fatalf("round %d: %d items, want %d", round, ix.Len(), len(o))
		}
		for range 25 {
			q := randomQuery(rng)
			res := ix.Find(q)
			wantIDs, wantTotal, wantFacets := o.find(q, ix)
			var got []string
			for _, it := range res.Items {
				got = append(got, it.Entry.Dataset.ID)
			}
			if res.Total != wantTotal || !slices.Equal(got, wantIDs) {
				t.Fatalf("round %d, %+v:\ngot  %d %v\nwant %d %v", round, q, res.Total, got, wantTotal, wantIDs)
			}
			for dim, want := range wantFacets {
				if got := res.Facets[dim]; !slices.Equal(got, want) {
					t.Fatalf("round %d, %+v: facet %s\ngot  %v\nwant %v", round, q, dim, got, want)
				}
			}
		}
	}
}

func TestContentStampDependsOnContentNotOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var items []Item
	for i := range 50 {
		items = append(items, randomItem(rng, i))
	}
	a, b := New(), New()
	for _, it := range items {
		a.Put(it)
	}
	for _, it := range slices.Backward(items) {
		b.Put(it)
		b.Put(it) // a repeated change is harmless
	}
	a.PutOrganisation(domain.Organisation{ID: "bdc", Name: "Bolsover"}, "1")
	b.PutOrganisation(domain.Organisation{ID: "bdc", Name: "Bolsover"}, "1")
	if a.ContentStamp() != b.ContentStamp() {
		t.Error("the same catalogue built in another order has another stamp")
	}
	changed := items[7]
	changed.Stamp += "x"
	b.Put(changed)
	if a.ContentStamp() == b.ContentStamp() {
		t.Error("a changed item left the stamp as it was")
	}
	b.Put(items[7])
	b.PutOrganisation(domain.Organisation{ID: "bdc", Name: "Bolsover District"}, "2")
	if a.ContentStamp() == b.ContentStamp() {
		t.Error("a changed publisher left the stamp as it was")
	}
}

func TestSummaryAndPublisherFilledOnRead(t *testing.T) {
	ix := New()
	rng := rand.New(rand.NewPCG(5, 6))
	var want []Item
	for i := range 30 {
		it := randomItem(rng, i)
		ix.Put(it)
		if it.Entry.Dataset.Status == opendata.StatusPublished {
			want = append(want, it)
		}
	}
	ix.PutOrganisation(domain.Organisation{ID: "bdc", Name: "Bolsover District Council"}, "1")
	n, issued, modified := ix.Summary(nil)
	if n != len(want) {
		t.Errorf("summary counts %d, want %d", n, len(want))
	}
	for _, it := range want {
		if it.Entry.Issued().Before(issued) || it.Entry.Modified().After(modified) {
			t.Errorf("%s lies outside the summary's dates %s..%s", it.Entry.Dataset.ID, issued, modified)
		}
	}
	res := ix.Find(Query{All: []Clause{{Any: []Term{{Key: Key(DimPublisher, "bdc")}}}}, Limit: 100})
	for _, it := range res.Items {
		if it.Entry.Publisher.Name != "Bolsover District Council" {
			t.Errorf("publisher %+v", it.Entry.Publisher)
		}
	}
}
