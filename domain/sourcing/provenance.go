package sourcing

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CatalogueSnapshot identifies the catalogue a search ran against: when it
// was imported, how many services it held and a hash of their content, so
// that the record shows which catalogue the shortlist came from.
type CatalogueSnapshot struct {
	ImportedAt  time.Time `json:"importedAt"`
	Services    int       `json:"services"`
	ContentHash string    `json:"contentHash"` // sha256: of the services' JSON in id order
}

// Snapshot hashes the live services in id order: the sha256 of each one's
// JSON followed by a newline (as a json.Encoder writes it). The index holds
// the services as JSON already, so this costs one pass of sha256 over the
// catalogue; callers still keep the answer until the catalogue changes.
func (ix *Index) Snapshot(importedAt time.Time) CatalogueSnapshot {
	ix.mu.RLock()
	docs := make([]*indexedDoc, 0, ix.nLive)
	ix.live.each(func(d uint32) { docs = append(docs, &ix.docs[d]) })
	slices.SortFunc(docs, func(a, b *indexedDoc) int { return strings.Compare(a.id, b.id) })
	h := sha256.New()
	for _, d := range docs {
		h.Write(d.body) // a hash.Hash never fails to write
		h.Write([]byte{'\n'})
	}
	ix.mu.RUnlock()
	return CatalogueSnapshot{ImportedAt: importedAt.UTC(), Services: len(docs), ContentHash: "sha256:" + hex.EncodeToString(h.Sum(nil))}
}

// SearchProvenance is the record the G-Cloud buyers' guide expects a buyer
// to keep of how a shortlist was made: the terms, every filter (including
// those left open), when and by whom, how many results and against which
// catalogue.
type SearchProvenance struct {
	SavedSearch string            `json:"savedSearch,omitempty"` // id and name
	Query       SearchQuery       `json:"query"`
	RunAt       time.Time         `json:"runAt"`
	RunBy       string            `json:"runBy"`
	Results     int               `json:"results"`
	Catalogue   CatalogueSnapshot `json:"catalogue"`
}

// Rows renders the provenance as label and value pairs, every filter
// present so an open one reads as "any", never as missing.
func (p SearchProvenance) Rows() [][2]string {
	q := p.Query
	filter := func(f Filter) string {
		if len(f) == 0 {
			return "any"
		}
		parts := make([]string, len(f))
		for i, occ := range f {
			parts[i] = strings.Join(occ, " or ")
		}
		return strings.Join(parts, "; and ")
	}
	price := func(d *Dec) string {
		if d == nil {
			return "any"
		}
		return "£" + d.String() + " per unit per year"
	}
	keywords := q.Keywords
	if keywords == "" {
		keywords = "(none)"
	}
	expired := "left out (services on an expired or withdrawn framework are excluded)"
	if q.IncludeExpired {
		expired = "included and flagged"
	}
	asOf := "not set"
	if !q.AsOf.IsZero() {
		asOf = q.AsOf.UTC().Format(time.DateOnly)
	}
	rows := [][2]string{
		{"Record", "G-Cloud search provenance (councilapi)"},
		{"Saved search", p.SavedSearch},
		{"Query terms", keywords},
		{"Lot", filter(q.Lot)},
		{"Category", filter(q.Category)},
		{"Assurance", filter(q.Assurance)},
		{"Data location", filter(q.DataLocation)},
		{"Framework", filter(q.Framework)},
		{"Price from", price(q.PriceMin)},
		{"Price to", price(q.PriceMax)},
		{"Closed frameworks", expired},
		{"Frameworks judged on", asOf},
		{"Sort", q.Sort},
		{"Run at", p.RunAt.UTC().Format(time.RFC3339)},
		{"Run by", p.RunBy},
		{"Results", strconv.Itoa(p.Results)},
		{"Catalogue imported", p.Catalogue.ImportedAt.UTC().Format(time.RFC3339)},
		{"Catalogue services", strconv.Itoa(p.Catalogue.Services)},
		{"Catalogue content hash", p.Catalogue.ContentHash},
	}
	for i := range rows {
		// One line per row: a newline in typed text must not end the comment.
		rows[i][1] = strings.Join(strings.Fields(rows[i][1]), " ")
	}
	return rows
}

// commentRows renders the provenance as CSV comment lines ("# Label: value").
func (p SearchProvenance) commentRows() []string {
	rows := p.Rows()
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("# %s: %s", r[0], r[1])
	}
	return out
}
