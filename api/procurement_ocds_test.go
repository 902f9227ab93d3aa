package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	appod "github.com/jointict/councilapi/app/opendata"
	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/catalogue/ocds"
	"github.com/jointict/councilapi/catalogue/ocds/ocdstest"
	"github.com/jointict/councilapi/store"
)

// publishedRegister walks procurements through the API: one to closed (with
// an edit during the tender), one cancelled in tender, one signed at exactly
// £5,000 and one left in the pipeline. It returns the first one's id and ocid.
func publishedRegister(t *testing.T, ts *testServer, k procKeys) (string, string) {
	t.Helper()
	a := createProc(t, ts, k.host, procInput("JICT-2026-020", "gcloudDirectAward"))
	mustMove(t, ts, k.host, a.ID, "planning", daysAgo(40))
	mustMove(t, ts, k.host, a.ID, "tender", daysAgo(39))
	if r := ts.do("PATCH", "/api/v1/procurements/"+a.ID, k.host, map[string]string{"title": "Service desk platform (renamed)"}); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	mustMove(t, ts, k.host, a.ID, "evaluation", daysAgo(30))
	approveAll(t, ts, k, a.ID)
	if r := ts.do("PATCH", "/api/v1/procurements/"+a.ID, k.host, award("270000.01")); r.Status != 200 {
		t.Fatalf("award: %d %s", r.Status, r.Body)
	}
	signAndGoLive(t, ts, k.host, a.ID, true)
	mustMove(t, ts, k.host, a.ID, "closed", "")

	b := createProc(t, ts, k.host, procInput("JICT-2026-021", "openProcedure"))
	for _, s := range []string{"planning", "tender", "cancelled"} {
		mustMove(t, ts, k.host, b.ID, s, "")
	}

	small := procInput("JICT-2026-022", "belowThresholdQuotation")
	small["estimatedValue"], small["estimatedValueIncVat"] = "5000.00", "6000.00"
	d := createProc(t, ts, k.host, small)
	moveToEvaluation(t, ts, k.host, d.ID)
	for _, r := range []response{approve(ts, k.host, d.ID, "jointManagementTeam", ""), approve(ts, k.host, d.ID, "ictSharedServiceCommittee", "")} {
		if r.Status != 200 {
			t.Fatalf("approval: %d %s", r.Status, r.Body)
		}
	}
	if r := ts.do("PATCH", "/api/v1/procurements/"+d.ID, k.host, award("5000.00")); r.Status != 200 {
		t.Fatalf("award: %d %s", r.Status, r.Body)
	}
	signAndGoLive(t, ts, k.host, d.ID, false)

	createProc(t, ts, k.host, procInput("JICT-2026-023", "openProcedure"))
	var full procOut
	ts.do("GET", "/api/v1/procurements/"+a.ID, k.host, nil).json(t, &full)
	return a.ID, full.OCID
}

type releasePage struct {
	Releases []json.RawMessage `json:"releases"`
	Links    map[string]string `json:"links"`
}

func TestOCDSPublicationOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	aID, ocid := publishedRegister(t, ts, k)
	schemas := ocdstest.Schemas(t)

	// Every page of the release package validates; ids are unique.
	var all []ocds.Release
	next := ts.URL + "/ocds/releases?limit=4"
	for pages := 0; next != ""; pages++ {
		r := ts.do("GET", strings.TrimPrefix(next, ts.URL), "", nil)
		if r.Status != 200 || pages > 10 {
			t.Fatalf("release page %s: %d %s", next, r.Status, r.Body)
		}
		ocdstest.Validate(t, schemas, "release-package-schema.json", r.Body)
		var pg releasePage
		r.json(t, &pg)
		for _, raw := range pg.Releases {
			var rel ocds.Release
			if err := json.Unmarshal(raw, &rel); err != nil {
				t.Fatal(err)
			}
			all = append(all, rel)
		}
		next = pg.Links["next"]
	}
	seen := map[string]bool{}
	byOCID := map[string][]ocds.Release{}
	for _, r := range all {
		if seen[r.OCID+" "+r.ID] {
			t.Errorf("release %s appears twice", r.ID)
		}
		seen[r.OCID+" "+r.ID] = true
		if !strings.HasPrefix(r.OCID, appproc.DefaultOCIDPrefix) {
			t.Errorf("ocid %s lacks the prefix", r.OCID)
		}
		byOCID[r.OCID] = append(byOCID[r.OCID], r)
	}
	// The pipeline entry publishes nothing; the others one release per change.
	if len(byOCID) != 3 || len(byOCID[ocid]) != 7 {
		t.Fatalf("%d ocids, %d releases of %s", len(byOCID), len(byOCID[ocid]), ocid)
	}
	// Every buyer is identified (org-id GB-LAE from its GSS code) and the
	// releases of each process are strictly ordered by date.
	for id, rels := range byOCID {
		for i, r := range rels {
			for _, party := range r.Parties {
				if slices.Contains(party.Roles, "buyer") && (party.Identifier == nil || party.Identifier.Scheme != "GB-LAE" || !strings.HasPrefix(party.ID, "GB-LAE-")) {
					t.Errorf("%s: buyer %s (%s) has no GB-LAE identifier", r.ID, party.Name, party.ID)
				}
			}
			if i > 0 && r.Date <= rels[i-1].Date {
				t.Errorf("%s: release %s is dated %s, not after %s", id, r.ID, r.Date, rels[i-1].Date)
			}
		}
	}
	var tags []string
	for _, r := range byOCID[ocid] {
		tags = append(tags, r.Tag[0])
	}
	// Changes that alter nothing published (approvals, the move to
	// evaluation, an award before the decision) make no release.
	if got := strings.Join(tags, " "); got != "planning tender tenderUpdate award contract implementation implementationUpdate" {
		t.Errorf("tags %s", got)
	}
	// Releases are snapshots: the first keeps the title it was published with.
	if first, last := byOCID[ocid][0], byOCID[ocid][len(byOCID[ocid])-1]; first.Tender.Title != "Service desk platform JICT-2026-020" ||
		last.Tender.Title != "Service desk platform (renamed)" {
		t.Errorf("titles %q then %q", first.Tender.Title, last.Tender.Title)
	}

	// The record's compiled release is the OCDS merge of its releases.
	r := ts.do("GET", "/ocds/records/"+ocid, "", nil)
	if r.Status != 200 {
		t.Fatalf("record: %d %s", r.Status, r.Body)
	}
	ocdstest.Validate(t, schemas, "record-package-schema.json", r.Body)
	var rp struct {
		Records []struct {
			Releases        []json.RawMessage `json:"releases"`
			CompiledRelease json.RawMessage   `json:"compiledRelease"`
		} `json:"records"`
	}
	r.json(t, &rp)
	rec := rp.Records[0]
	var folded map[string]any
	var lastDate string
	for _, raw := range rec.Releases {
		g := generic(t, raw)
		lastDate = g["date"].(string)
		delete(g, "id")
		delete(g, "date")
		delete(g, "tag")
		folded = ocds.Merge(folded, g)
	}
	folded["tag"], folded["date"], folded["id"] = []any{"compiled"}, lastDate, ocid+"-"+lastDate
	if compiled := generic(t, rec.CompiledRelease); !reflect.DeepEqual(folded, compiled) {
		t.Errorf("compiled release differs from the merge of %d releases", len(rec.Releases))
	}
	if len(rec.Releases) != len(byOCID[ocid]) {
		t.Errorf("record has %d releases, the feed %d", len(rec.Releases), len(byOCID[ocid]))
	}

	// Record packages page through every published procurement.
	records := 0
	next = "/ocds/records?limit=2"
	for next != "" {
		r := ts.do("GET", strings.TrimPrefix(next, ts.URL), "", nil)
		if r.Status != 200 {
			t.Fatalf("records %s: %d %s", next, r.Status, r.Body)
		}
		ocdstest.Validate(t, schemas, "record-package-schema.json", r.Body)
		var pg struct {
			Records []json.RawMessage `json:"records"`
			Links   map[string]string `json:"links"`
		}
		r.json(t, &pg)
		records += len(pg.Records)
		next = pg.Links["next"]
	}
	if records != 3 {
		t.Errorf("%d records, want 3", records)
	}

	// Empty and malformed queries.
	if r := ts.do("GET", "/ocds/releases?since=2100-01-01", "", nil); r.Status != 404 {
		t.Errorf("since in the future: %d", r.Status)
	} else {
		r.problem(t)
	}
	var pg releasePage
	// Releases are dated by their changes, the earliest a move 40 days ago.
	ts.do("GET", "/ocds/releases?since="+daysAgo(41), "", nil).json(t, &pg)
	if len(pg.Releases) != len(all) {
		t.Errorf("since 41 days ago: %d releases, want %d", len(pg.Releases), len(all))
	}
	since := time.Now().AddDate(0, 0, -40).Add(12 * time.Hour).UTC().Format(time.RFC3339)
	ts.do("GET", "/ocds/releases?since="+since, "", nil).json(t, &pg)
	if len(pg.Releases) != len(all)-2 {
		t.Errorf("since 39½ days ago: %d releases, want all but the two planning releases dated 40 days ago", len(pg.Releases))
	}
	if r := ts.do("GET", "/ocds/releases?since=yesterday", "", nil); r.Status != 400 {
		t.Errorf("bad since: %d", r.Status)
	}
	if r := ts.do("GET", "/ocds/records/ocds-jict00-NOPE", "", nil); r.Status != 404 {
		t.Errorf("unknown ocid: %d", r.Status)
	}

	// A release write lost after its procurement was saved is repeated by
	// the next change, under the same id.
	ctx := context.Background()
	lastID := appproc.ReleaseRecordID(ocid, len(byOCID[ocid]))
	got, err := ts.Store.Get(ctx, appproc.CollReleases, lastID)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Store.Delete(ctx, appproc.CollReleases, lastID, got.Version); err != nil {
		t.Fatal(err)
	}
	if r := ts.do("PATCH", "/api/v1/procurements/"+aID, k.host, map[string]string{"description": "Shared ITSM tool, three councils"}); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	page, err := ts.Store.List(ctx, appproc.CollReleases, store.Query{Filters: []store.Filter{{Field: "ocid", Op: store.Eq, Value: ocid}}})
	if err != nil || page.Total != int64(len(byOCID[ocid])+1) {
		t.Fatalf("after the repeat: %d releases (%v), want %d", page.Total, err, len(byOCID[ocid])+1)
	}
	if _, err := ts.Store.Get(ctx, appproc.CollReleases, lastID); err != nil {
		t.Errorf("the lost release was not written again: %v", err)
	}
}

func generic(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestContractsRegister(t *testing.T) {
	ts := newTestServer(t)
	k := newProcKeys(ts)
	if r := ts.do("PATCH", "/api/v1/organisations/neddc", ts.Admin, map[string]any{"contact": map[string]string{"email": "ict@ne-derbyshire.gov.uk"}}); r.Status != 200 {
		t.Fatalf("host contact: %d %s", r.Status, r.Body)
	}
	aID, ocid := publishedRegister(t, ts, k)

	r := ts.do("GET", "/contracts-register.csv", "", nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("register: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Only the £270,000.01 contract: £5,000 does not exceed £5,000, the
	// cancelled and pipeline procurements have no contract.
	if len(rows) != 2 || rows[1][0] != "JICT-2026-020/a1" || rows[1][6] != "270000.01" || rows[1][14] != ocid || rows[0][14] != "OCID" {
		t.Fatalf("register rows %q", rows)
	}
	if r2 := ts.do("GET", "/contracts-register.csv", "", nil, "If-None-Match", r.Header.Get("ETag")); r2.Status != 304 {
		t.Errorf("unchanged register: %d", r2.Status)
	}

	// The register is a dataset of the host authority, published once its
	// first version is processed and given a new version on each change.
	ctx := context.Background()
	datasetID, err := ts.srv.app.Procurement.RegisterDataset(ctx)
	if err != nil || datasetID == "" {
		t.Fatalf("no register dataset: %q %v", datasetID, err)
	}
	ds := waitDataset(t, ts, datasetID, 1)
	if ds.Publisher != "neddc" || ds.Template != "contracts-over-5000" {
		t.Errorf("dataset %+v", ds)
	}
	dl := ts.do("GET", "/datasets/"+ds.Slug+"/latest.csv", "", nil)
	if dl.Status != 200 || !strings.Contains(string(dl.Body), "JICT-2026-020/a1") {
		t.Errorf("latest.csv: %d %s", dl.Status, dl.Body)
	}
	patch := award("270000.01")
	patch["awards"].([]map[string]any)[0]["review"] = "2028-06-01"
	if r := ts.do("PATCH", "/api/v1/procurements/"+aID, k.host, patch); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	if r := ts.do("PATCH", "/api/v1/procurements/"+aID, k.host, map[string]string{"lot": "Lot 2"}); r.Status != 200 {
		t.Fatalf("patch: %d %s", r.Status, r.Body)
	}
	ds = waitDataset(t, ts, datasetID, 2)
	if ds.VersionCount != 2 {
		t.Errorf("%d versions: an edit that leaves the register unchanged made one", ds.VersionCount)
	}
}

// waitDataset polls until the dataset is published at version n.
func waitDataset(t *testing.T, ts *testServer, id string, n int) appod.DatasetRecord {
	t.Helper()
	var d appod.DatasetRecord
	for range 200 {
		r := ts.do("GET", "/api/v1/datasets/"+id, "", nil)
		if r.Status == 200 {
			r.json(t, &d)
			if d.Status == "published" && d.CurrentVersion == n {
				return d
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("dataset %s not published at version %d: %+v", id, n, d)
	return d
}
