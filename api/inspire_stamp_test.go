package api

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// backdate moves a record's stored metadata date into the past, as if it had
// been published long ago, keeping its fingerprint.
func (ts *testServer) backdate(t *testing.T, fileID, day string) {
	t.Helper()
	ctx := context.Background()
	rec, err := ts.Store.Get(ctx, "inspire_records", fileID)
	if err != nil {
		t.Fatalf("stamp of %s: %v", fileID, err)
	}
	var st map[string]any
	if err := rec.Decode(&st); err != nil {
		t.Fatal(err)
	}
	st["metadataDate"] = day
	if _, err := ts.Store.Update(ctx, "inspire_records", fileID, rec.Version, st); err != nil {
		t.Fatal(err)
	}
	// Written behind the server's back, as if by another instance: the
	// change feed tells this one to drop the record set it has cached.
	if err := ts.srv.app.Bus.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestInspireDateStampMovesOnlyWithContent: re-reading, a no-op edit and an
// edit of another dataset keep a record's dateStamp; editing its metadata
// moves it to today.
func TestInspireDateStampMovesOnlyWithContent(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	bins := ts.publishSpatial(pub, spatialMetadata("Grit bins", "tn", "transportation"), 2)
	toilets := ts.publishSpatial(pub, spatialMetadata("Public toilets", "us", "structure"), 2)
	id := bins.Inspire.FileIdentifier
	today := time.Now().UTC().Format(time.DateOnly)
	if got := ts.stampOf(t, id); got != today {
		t.Fatalf("a newly published record is stamped %s, want %s", got, today)
	}

	ts.backdate(t, id, "2020-01-02")
	ts.wafFiles(t)
	// Reached under another host name, the record's URLs differ but it is
	// still the same record.
	if _, err := ts.srv.app.Inspire.Records(context.Background(), "https://data.example.gov.uk"); err != nil {
		t.Fatal(err)
	}
	if got := ts.stampOf(t, id); got != "2020-01-02" {
		t.Fatalf("re-reading moved the dateStamp to %s", got)
	}
	if r := ts.do("PATCH", "/api/v1/datasets/"+bins.ID, pub, `{"title":"Grit bins"}`); r.Status != 200 {
		t.Fatalf("no-op patch: %d %s", r.Status, r.Body)
	}
	if r := ts.do("PATCH", "/api/v1/datasets/"+toilets.ID, pub, `{"keywords":["toilets","accessible"]}`); r.Status != 200 {
		t.Fatalf("patch toilets: %d %s", r.Status, r.Body)
	}
	if got := ts.stampOf(t, id); got != "2020-01-02" {
		t.Fatalf("an edit that changed nothing in the record moved its dateStamp to %s", got)
	}

	r := ts.do("PATCH", "/api/v1/datasets/"+bins.ID, pub,
		`{"inspire":{"lineage":"Resurveyed in 2026 by the highways team with RTK GPS to 5 cm."}}`)
	if r.Status != 200 {
		t.Fatalf("patch lineage: %d %s", r.Status, r.Body)
	}
	// The publish hook stamps the change when it happens, before any harvest.
	rec, err := ts.Store.Get(context.Background(), "inspire_records", id)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		MetadataDate string `json:"metadataDate"`
	}
	rec.Decode(&st)
	if st.MetadataDate != today {
		t.Errorf("after the edit the stored metadata date is %s, want %s", st.MetadataDate, today)
	}
	if got := ts.stampOf(t, id); got != today {
		t.Errorf("after a metadata edit the dateStamp is %s, want %s", got, today)
	}
	body := string(ts.do("GET", "/inspire/records/"+id+".xml", "", nil).Body)
	if !strings.Contains(body, "RTK GPS") {
		t.Error("the record does not carry the new lineage")
	}
}

// TestInspireFileIdentifierNeverReused: a dataset that copies another's file
// identifier is refused publication (409 naming the field), since harvesters
// would merge the two records; its status names the item, and the first
// dataset's record is untouched.
func TestInspireFileIdentifierNeverReused(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	first := ts.publishSpatial(pub, spatialMetadata("Grit bins", "tn", "transportation"), 2)
	ts.wafFiles(t) // the first record is served, so its identifier is taken
	copycat := ts.createDataset(pub, spatialMetadata("Salt stores", "tn", "transportation", func(_, in map[string]any) {
		in["fileIdentifier"] = first.Inspire.FileIdentifier
	}))
	if job := ts.publishUpload(pub, copycat.ID, "salt.csv", []byte("ref,easting,northing\nS1,435000,370000\n"), ""); job.State != opendata.JobSucceeded {
		t.Fatalf("upload: %+v", job)
	}
	r := ts.do("PATCH", "/api/v1/datasets/"+copycat.ID, pub, `{"status":"published"}`)
	if r.Status != 409 || !strings.Contains(string(r.Body), "inspire.fileIdentifier") {
		t.Fatalf("publishing a copied file identifier: %d %s, want 409 naming inspire.fileIdentifier", r.Status, r.Body)
	}
	var draft datasetView
	ts.do("GET", "/api/v1/datasets/"+copycat.ID, pub, nil).json(t, &draft)
	if draft.Status != opendata.StatusDraft || !slices.Contains(draft.GeminiMissing, gemini.ItemFileIdentifier) {
		t.Errorf("refused dataset: status %s, geminiMissing %q; want a draft naming the file identifier", draft.Status, draft.GeminiMissing)
	}
	body := string(ts.do("GET", "/inspire/records/"+first.Inspire.FileIdentifier+".xml", "", nil).Body)
	if !strings.Contains(body, "Grit bins") || strings.Contains(body, "Salt stores") {
		t.Error("the file identifier now serves another dataset's record")
	}
	if files := ts.wafFiles(t); len(files) != 2 {
		t.Errorf("WAF lists %q, want the first dataset and the service", files)
	}
}
