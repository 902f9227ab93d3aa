package sourcing

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
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

// CatalogueHasher computes a CatalogueSnapshot from the services fed to it
// in id order (the order a store scans them in): a sha256 of their JSON, one
// document after another, so any change of content changes the hash and the
// order they were imported in does not.
type CatalogueHasher struct {
	h      hash.Hash
	enc    *json.Encoder
	n      int
	lastID string
}

// NewCatalogueHasher starts an empty hash.
func NewCatalogueHasher() *CatalogueHasher {
	h := sha256.New()
	return &CatalogueHasher{h: h, enc: json.NewEncoder(h)}
}

// Add hashes the next service; ids must come in increasing order.
func (c *CatalogueHasher) Add(s Service) error {
	if c.n > 0 && s.ID <= c.lastID {
		return fmt.Errorf("catalogue hash: service %q after %q is out of id order", s.ID, c.lastID)
	}
	c.n, c.lastID = c.n+1, s.ID
	return c.enc.Encode(s) // a hash.Hash never fails to write
}

// Snapshot is the catalogue as hashed so far, imported (last changed) at
// importedAt.
func (c *CatalogueHasher) Snapshot(importedAt time.Time) CatalogueSnapshot {
	return CatalogueSnapshot{ImportedAt: importedAt.UTC(), Services: c.n, ContentHash: "sha256:" + hex.EncodeToString(c.h.Sum(nil))}
}

// SnapshotOf hashes services with distinct ids given in any order.
func SnapshotOf(importedAt time.Time, services []Service) CatalogueSnapshot {
	sorted := slices.Clone(services)
	slices.SortFunc(sorted, func(a, b Service) int { return strings.Compare(a.ID, b.ID) })
	c := NewCatalogueHasher()
	for _, s := range sorted {
		_ = c.Add(s) // sorted; distinct ids are the caller's promise
	}
	return c.Snapshot(importedAt)
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
