package index

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the embedded store's driver, to compare its FTS5

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/internal/cataloguefixture"
)

// searchWords are the text searches scripts/bench-catalogue makes.
var searchWords = []string{"trees", "parking", "recycling", "spend", "street lighting", "planning", "toilets", "allotments"}

// BenchmarkTextSearch compares the catalogue index's text search (what every
// listing answers text from) with SQLite FTS5 in the embedded store's own
// driver, on the same 20,000 fixture datasets: the first page of 100 by
// relevance (BM25 in both) and the number of matches, words matched as
// prefixes. It is the figure behind keeping one in-process index fed by
// the change feed rather than querying the store's own text index.
func BenchmarkTextSearch(b *testing.B) {
	const n = 20000
	ix := New()
	db, err := sql.Open("sqlite", filepath.Join(b.TempDir(), "fts.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE VIRTUAL TABLE datasets USING fts5(title, description, keywords)`); err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		f := cataloguefixture.Make(i)
		kws := f.Meta["keywords"].([]string)
		d := opendata.Dataset{ID: fmt.Sprintf("d%05d", i), Slug: fmt.Sprintf("s%05d", i), Title: f.Meta["title"].(string),
			Description: f.Meta["description"].(string), Keywords: kws, Publisher: f.Org, Status: opendata.StatusPublished}
		ix.Put(Item{Entry: catalogue.Entry{Dataset: d, URI: "/dataset/" + d.Slug}, Stamp: "1"})
		if _, err := tx.Exec(`INSERT INTO datasets(rowid, title, description, keywords) VALUES (?, ?, ?, ?)`,
			i+1, d.Title, d.Description, strings.Join(kws, " ")); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Run("index", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			q := Query{All: []Clause{{Any: []Term{{Text: searchWords[i%len(searchWords)]}}}},
				Sort: []Sort{{Order: OrderScore, Desc: true}, {Order: OrderModified, Desc: true}}, Limit: 100}
			if res := ix.Find(q); res.Total == 0 && i < len(searchWords) {
				b.Fatalf("%q found nothing", searchWords[i%len(searchWords)])
			}
		}
	})
	b.Run("sqlite-fts5", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			var terms []string
			for _, w := range strings.Fields(searchWords[i%len(searchWords)]) {
				terms = append(terms, `"`+w+`"*`)
			}
			match := strings.Join(terms, " AND ")
			var total int
			if err := db.QueryRow(`SELECT count(*) FROM datasets WHERE datasets MATCH ?`, match).Scan(&total); err != nil {
				b.Fatal(err)
			}
			rows, err := db.Query(`SELECT rowid FROM datasets WHERE datasets MATCH ? ORDER BY bm25(datasets) LIMIT 100`, match)
			if err != nil {
				b.Fatal(err)
			}
			got := 0
			for rows.Next() {
				var id int
				if err := rows.Scan(&id); err != nil {
					b.Fatal(err)
				}
				got++
			}
			rows.Close()
			if got == 0 && total > 0 {
				b.Fatal("a count without a page")
			}
		}
	})
}
