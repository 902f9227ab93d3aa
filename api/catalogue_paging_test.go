package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/internal/cataloguefixture"
	"github.com/jointict/councilapi/store"
)

// seedCatalogue writes n fixture datasets straight into the store as
// publishing leaves them (the record with its current version's summary),
// which is what every listing reads; the upload pipeline is not what these
// tests are about, and 2,000 uploads would take minutes. It returns the ids
// and slugs of the published ones, and their spatial ones' file identifiers.
func seedCatalogue(t testing.TB, srv *Server, st store.Store, n int) (published map[string]string, spatial map[string]bool) {
	t.Helper()
	ctx := context.Background()
	published, spatial = map[string]string{}, map[string]bool{}
	at := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		f := cataloguefixture.Make(i)
		raw, _ := json.Marshal(f.Meta)
		var d opendata.Dataset
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		d.ID, d.Publisher = fmt.Sprintf("ds%06d", i), f.Org
		d.ApplyDefaults()
		d.Slug = fmt.Sprintf("%s-%d", d.Slug, i)
		issued := at.Add(time.Duration(i) * time.Minute)
		d.Issued, d.Modified, d.Status = &issued, issued.Add(time.Duration(i%7)*time.Hour), opendata.StatusPublished
		switch {
		case f.Draft:
			d.Status, d.Issued = opendata.StatusDraft, nil
		case f.Withdraw:
			d.Status = opendata.StatusWithdrawn
		}
		cur := &appod.CurrentVersion{Number: 1, FileName: f.Versions[0].Name, Format: "csv", MediaType: "text/csv",
			Created: issued, Published: &issued, FirstPublished: &issued, RowCount: 12,
			Files: []appod.VersionFile{{Ext: "csv", MediaType: "text/csv", Size: 2048, SHA256: strings.Repeat("a", 64), SHA1: strings.Repeat("b", 40)}}}
		formats := []string{"csv"}
		if f.Spatial {
			box := opendata.BBox{MinX: -1.5, MinY: 53.1, MaxX: -1.3, MaxY: 53.3}
			cur.Extent, cur.SourceCRS, cur.RowCount, cur.FeatureCount = &box, "http://www.opengis.net/def/crs/EPSG/0/27700", 0, 12
			cur.Files = append(cur.Files, appod.VersionFile{Ext: "geojson", MediaType: "application/geo+json", Size: 4096,
				SHA256: strings.Repeat("c", 64), SHA1: strings.Repeat("d", 40)})
			// No OGC API artefact is seeded, so "geojson" stays out of the
			// formats the OGC feed serves collections for.
			d.Spatial = &opendata.SpatialCoverage{BBox: &box}
		}
		rec := appod.DatasetRecord{Dataset: d, CurrentVersion: 1, VersionCount: 1, Formats: formats, Current: cur}
		if _, err := st.Insert(ctx, appod.CollDatasets, d.ID, rec); err != nil {
			t.Fatal(err)
		}
		if d.Status == opendata.StatusPublished {
			published[d.ID] = d.Slug
			if f.Spatial && d.Inspire != nil && d.Inspire.Lineage != "" && d.Temporal != nil { // GEMINI needs both
				spatial[d.Inspire.FileIdentifier] = true
			}
		}
	}
	if err := srv.app.Bus.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	return published, spatial
}

// visit counts the items of a walk, failing on any seen twice.
type visit struct {
	t    *testing.T
	name string
	seen map[string]int
}

func (v *visit) add(id string) {
	v.seen[id]++
	if v.seen[id] == 2 {
		v.t.Errorf("%s lists %s twice", v.name, id)
	}
}

func (v *visit) check(want map[string]bool) {
	v.t.Helper()
	for id := range want {
		if v.seen[id] == 0 {
			v.t.Errorf("%s never lists %s", v.name, id)
		}
	}
	for id := range v.seen {
		if !want[id] {
			v.t.Errorf("%s lists %s, which it should not", v.name, id)
		}
	}
}

var (
	ttlDataset = regexp.MustCompile(`dcat:dataset <([^>]+)>`)
	ttlNext    = regexp.MustCompile(`hydra:next <([^>]+)>`)
	rdfDataset = regexp.MustCompile(`<dcat:dataset rdf:resource="([^"]+)"`)
	rdfNext    = regexp.MustCompile(`<hydra:next rdf:resource="([^"]+)"`)
	cswID      = regexp.MustCompile(`<dc:identifier>([^<]+)</dc:identifier>`)
	cswNext    = regexp.MustCompile(`nextRecord="(\d+)"`)
)

// TestHarvestPagingVisitsEveryDatasetOnce walks 2,000 datasets the way each
// harvester pages, in every format, and finds every published dataset (and
// every complete GEMINI record) exactly once, and no draft or withdrawn one.
func TestHarvestPagingVisitsEveryDatasetOnce(t *testing.T) {
	ts := newTestServer(t)
	published, spatial := seedCatalogue(t, ts.srv, ts.Store, 2000)
	ids, uris := map[string]bool{}, map[string]bool{}
	for id, slug := range published {
		ids[id] = true
		uris[ts.URL+"/dataset/"+slug] = true
	}
	getOK := func(path string) []byte {
		r := ts.do("GET", path, "", nil)
		if r.Status != 200 {
			t.Fatalf("GET %s: %d %.300s", path, r.Status, r.Body)
		}
		return r.Body
	}

	v := &visit{t, "data.json", map[string]int{}}
	for page := 1; ; page++ {
		var doc struct{ Dataset []struct{ Identifier string } }
		if err := json.Unmarshal(getOK("/data.json?page="+strconv.Itoa(page)), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Dataset) == 0 {
			break
		}
		for _, d := range doc.Dataset {
			v.add(d.Identifier)
		}
	}
	v.check(ids)

	for _, f := range []struct {
		ext           string
		dataset, next func([]byte) []string
	}{
		{"ttl", submatches(ttlDataset), submatches(ttlNext)},
		{"rdf", submatches(rdfDataset), submatches(rdfNext)},
		{"jsonld", jsonldDatasets, jsonldNext},
	} {
		v := &visit{t, "catalog." + f.ext, map[string]int{}}
		for next, pages := ts.URL+"/catalog."+f.ext, 0; next != ""; pages++ {
			if pages > 25 {
				t.Fatalf("catalog.%s: hydra paging does not end", f.ext)
			}
			body := getOK(strings.TrimPrefix(next, ts.URL))
			for _, uri := range f.dataset(body) {
				v.add(uri)
			}
			next = ""
			if n := f.next(body); len(n) > 0 {
				next = n[0]
			}
		}
		v.check(uris)
	}

	v = &visit{t, "package_search", map[string]int{}}
	for start := 0; ; start += 100 {
		var res struct {
			Result struct {
				Count   int
				Results []struct{ ID string }
			}
		}
		if err := json.Unmarshal(getOK("/api/3/action/package_search?rows=100&start="+strconv.Itoa(start)), &res); err != nil {
			t.Fatal(err)
		}
		if res.Result.Count != len(ids) {
			t.Fatalf("package_search count %d, want %d", res.Result.Count, len(ids))
		}
		if len(res.Result.Results) == 0 {
			break
		}
		for _, p := range res.Result.Results {
			v.add(p.ID)
		}
	}
	v.check(ids)

	slugs := map[string]bool{}
	for _, slug := range published {
		slugs[slug] = true
	}
	v = &visit{t, "package_list", map[string]int{}}
	for offset := 0; ; offset += 100 {
		var res struct{ Result []string }
		if err := json.Unmarshal(getOK("/api/3/action/package_list?limit=100&offset="+strconv.Itoa(offset)), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Result) == 0 {
			break
		}
		for _, name := range res.Result {
			v.add(name)
		}
	}
	v.check(slugs)

	v = &visit{t, "/api/v1/datasets", map[string]int{}}
	for offset := 0; ; offset += 100 {
		var res struct{ Items []struct{ ID string } }
		if err := json.Unmarshal(getOK("/api/v1/datasets?limit=100&offset="+strconv.Itoa(offset)), &res); err != nil {
			t.Fatal(err)
		}
		if len(res.Items) == 0 {
			break
		}
		for _, d := range res.Items {
			v.add(d.ID)
		}
	}
	v.check(ids)

	// CSW as the gemini-csw harvester pages it: ISO records, following
	// nextRecord until it is 0. The service record comes last.
	v = &visit{t, "CSW GetRecords", map[string]int{}}
	q := url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"}, "typeNames": {"csw:Record"},
		"resultType": {"results"}, "elementSetName": {"brief"}, "maxRecords": {"100"}}
	for start := "1"; start != "0"; {
		q.Set("startPosition", start)
		body := getOK("/csw?" + q.Encode())
		for _, id := range submatches(cswID)(body) {
			v.add(id)
		}
		start = submatches(cswNext)(body)[0]
	}
	if len(v.seen) != len(spatial)+1 {
		t.Errorf("CSW lists %d records, want %d datasets and the service", len(v.seen), len(spatial))
	}
	for id := range spatial {
		if v.seen[id] != 1 {
			t.Errorf("CSW lists %s %d times", id, v.seen[id])
		}
	}
}

func submatches(re *regexp.Regexp) func([]byte) []string {
	return func(b []byte) []string {
		var out []string
		for _, m := range re.FindAllSubmatch(b, -1) {
			out = append(out, string(m[1]))
		}
		return out
	}
}

type jsonldNode map[string]json.RawMessage

func jsonldNodes(b []byte) []jsonldNode {
	var doc struct {
		Graph []jsonldNode `json:"@graph"`
	}
	_ = json.Unmarshal(b, &doc)
	return doc.Graph
}

func jsonldIDs(b []byte, predicate string) []string {
	var out []string
	for _, n := range jsonldNodes(b) {
		var refs []struct {
			ID string `json:"@id"`
		}
		if raw, ok := n[predicate]; ok && json.Unmarshal(raw, &refs) == nil {
			for _, r := range refs {
				out = append(out, r.ID)
			}
		}
	}
	return out
}

func jsonldDatasets(b []byte) []string { return jsonldIDs(b, "dcat:dataset") }
func jsonldNext(b []byte) []string     { return jsonldIDs(b, "hydra:next") }
