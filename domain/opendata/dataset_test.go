package opendata

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/domain"
)

var now = time.Date(2024, 5, 1, 9, 0, 0, 0, time.UTC)

func validDataset() Dataset {
	d := Dataset{ID: "ds1", Title: "Spending over £500 & grants", Description: "Every payment over £500.",
		Publisher: "bdc", ContactPoint: ContactPoint{Name: "Open data", Email: "opendata@bolsover.gov.uk"},
		Keywords: []string{"spending", "transparency"}, Themes: []string{"Government spending"},
		UpdateFrequency: "quarterly", Modified: now}
	d.ApplyDefaults()
	return d
}

func fields(err error) []string {
	var e *domain.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestDatasetDefaultsAndValidate(t *testing.T) {
	d := validDataset()
	if d.Slug != "spending-over-500-and-grants" || d.Licence != "OGL-UK-3.0" || d.Status != StatusDraft ||
		d.Themes[0] != "government-spending" {
		t.Fatalf("defaults: %+v", d)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := Dataset{Slug: "Bad Slug", Licence: "gpl", Themes: []string{"sport"}, UpdateFrequency: "hourly",
		ContactPoint: ContactPoint{Email: "nobody"}, Keywords: []string{"ok", "OK"}, Status: "gone",
		Spatial:  &SpatialCoverage{BBox: &BBox{10, 10, 5, 5}, GSSCode: "X1"},
		Temporal: &TemporalCoverage{Start: &now, End: &time.Time{}}}
	got := fields(bad.Validate())
	for _, f := range []string{"slug", "title", "description", "publisher", "contactPoint.email", "keywords[1]",
		"themes[0]", "licence", "updateFrequency", "spatial.bbox", "spatial.gssCode", "temporal.end", "status"} {
		if !slices.Contains(got, f) {
			t.Errorf("no problem for %s in %v", f, got)
		}
	}
}

func TestSlugify(t *testing.T) {
	cases := map[string]string{"Café Prices — 2024/25": "cafe-prices-2024-25", "  ": "dataset",
		"Land & Buildings": "land-and-buildings", "£": "dataset", "A": "dataset-a"}
	for in, want := range cases {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
	long := Slugify(strings.Repeat("word ", 40))
	if len(long) > MaxSlugLen || strings.HasSuffix(long, "-") {
		t.Errorf("long slug %q", long)
	}
	taken := map[string]bool{"trees": true, "trees-2": true}
	if got := UniqueSlug("trees", func(s string) bool { return taken[s] }); got != "trees-3" {
		t.Errorf("UniqueSlug = %q", got)
	}
}

func TestDatasetLifecycle(t *testing.T) {
	d := validDataset()
	if err := d.Transition(StatusPublished, now); err != nil {
		t.Fatal(err)
	}
	if d.Issued == nil || !d.Issued.Equal(now) {
		t.Fatalf("issued = %v", d.Issued)
	}
	err := d.Transition(StatusDraft, now)
	var e *domain.Error
	if !errors.As(err, &e) || e.Code != domain.CodeConflict || !slices.Equal(e.Allowed, []string{"withdrawn"}) {
		t.Fatalf("published -> draft: %v", err)
	}
	if err := d.Transition(StatusWithdrawn, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := d.Transition(StatusPublished, now.Add(2*time.Hour)); err != nil || !d.Issued.Equal(now) {
		t.Fatalf("reinstating: %v, issued %v", err, d.Issued)
	}
	invalid := Dataset{Status: StatusDraft}
	if err := invalid.Transition(StatusPublished, now); domain.ErrorCode(err) != domain.CodeInvalid || invalid.Status != StatusDraft {
		t.Fatalf("publishing an invalid dataset: %v, status %s", err, invalid.Status)
	}
	next := d
	next.Slug = "renamed"
	if !slices.Contains(fields(d.CheckChange(next)), "slug") {
		t.Error("slug changed after publication")
	}
	next = d
	next.Title = "New title"
	if err := d.CheckChange(next); err != nil {
		t.Errorf("title change refused: %v", err)
	}
}

func TestInspireAndGeminiMissing(t *testing.T) {
	d := validDataset()
	if d.GeminiMissing() != nil {
		t.Fatal("a non-spatial dataset has GEMINI gaps")
	}
	d.Inspire = &Inspire{TopicCategories: []string{"environment", "trees"}, Themes: []string{"bu", "xx"},
		Conformity: []Conformity{{Specification: "", Date: "2010-13-01", Result: "maybe"}},
		Resolution: &Resolution{EquivalentScale: 1250, DistanceMetres: 1}, ReferenceSystem: "27700"}
	d.ApplyDefaults()
	if !uuidRe.MatchString(d.Inspire.FileIdentifier) {
		t.Fatalf("file identifier %q", d.Inspire.FileIdentifier)
	}
	got := fields(d.Validate())
	for _, f := range []string{"inspire.topicCategories[1]", "inspire.inspireThemes[1]", "inspire.conformity[0].specification",
		"inspire.conformity[0].date", "inspire.conformity[0].result", "inspire.spatialResolution",
		"inspire.referenceSystem"} {
		if !slices.Contains(got, f) {
			t.Errorf("no problem for %s in %v", f, got)
		}
	}
	miss := d.GeminiMissing()
	for _, m := range []string{"Lineage", "Geographic bounding box", "Temporal extent", "Resource identifier"} {
		if !slices.Contains(miss, m) {
			t.Errorf("GeminiMissing lacks %q: %v", m, miss)
		}
	}
	start := now.AddDate(-1, 0, 0)
	d.Inspire = &Inspire{FileIdentifier: d.Inspire.FileIdentifier, TopicCategories: []string{"environment"},
		Themes: []string{"ps"}, Lineage: "Surveyed by the tree team", ReferenceSystem: "EPSG:27700",
		ResourceIdentifier: &ResourceIdentifier{Namespace: "https://data.bolsover.gov.uk/id/", Code: "trees"},
		Resolution:         &Resolution{EquivalentScale: 1250},
		Conformity: []Conformity{{Specification: "Commission Regulation (EU) No 1089/2010", Date: "2010-12-08",
			Result: ConformityNotEvaluated}}, AccessConstraints: "no limitations", Language: "eng"}
	d.Spatial = &SpatialCoverage{BBox: &BBox{-1.35, 53.13, -1.18, 53.27}, GSSCode: "E07000033"}
	d.Temporal = &TemporalCoverage{Start: &start}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if miss := d.GeminiMissing(); len(miss) != 0 {
		t.Fatalf("complete record still misses %v", miss)
	}
	next := d
	in := *d.Inspire
	in.FileIdentifier = NewFileIdentifier()
	next.Inspire = &in
	if !slices.Contains(fields(d.CheckChange(next)), "inspire.fileIdentifier") {
		t.Error("file identifier reassigned")
	}
}

func TestVocabularies(t *testing.T) {
	if len(Themes) != 14 || len(InspireThemes) != 34 || len(TopicCategories) != 19 {
		t.Fatalf("themes %d, INSPIRE themes %d, topic categories %d", len(Themes), len(InspireThemes), len(TopicCategories))
	}
	if l, ok := LookupLicence("uk-ogl"); !ok || l.URL != OGLv3URI {
		t.Errorf("uk-ogl -> %+v", l)
	}
	if l, ok := LookupLicence("https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3"); !ok || l.ID != "OGL-UK-3.0" {
		t.Errorf("OGL URL -> %+v", l)
	}
	if f, ok := LookupFrequency("http://purl.org/cld/freq/quarterly"); !ok || f.EU != euFreq+"QUARTERLY" || f.ISO != "quarterly" {
		t.Errorf("quarterly -> %+v", f)
	}
	if th, ok := LookupInspireTheme("Protected sites"); !ok || th.URI() != "http://inspire.ec.europa.eu/theme/ps" {
		t.Errorf("protected sites -> %+v", th)
	}
}

func TestVersionAndJob(t *testing.T) {
	v := Version{DatasetID: "ds1", Number: 1, FileName: "spend.csv", Format: "csv", MediaType: "text/csv",
		ByteSize: 10, SHA256: strings.Repeat("ab", 32), Created: now, CreatedBy: "key1", State: VersionProcessing}
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	withErrors := v
	withErrors.Report = &Report{Errors: 2}
	if err := withErrors.Publish(now); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Fatalf("published a file with errors: %v", err)
	}
	if err := v.Publish(now); err != nil || v.State != VersionPublished {
		t.Fatalf("publish: %v", err)
	}
	next := v
	next.RowCount = 99
	if domain.ErrorCode(v.CheckChange(next)) != domain.CodeConflict {
		t.Error("a published version changed")
	}
	bad := Version{FileName: "../x.csv", Format: "csv", MediaType: "text/plain", SHA256: "XYZ", State: "done"}
	got := fields(bad.Validate())
	for _, f := range []string{"datasetId", "number", "fileName", "mediaType", "sha256", "created", "createdBy", "state"} {
		if !slices.Contains(got, f) {
			t.Errorf("no problem for %s in %v", f, got)
		}
	}
	j := Job{ID: "j1", Kind: JobIngest, State: JobQueued}
	if err := j.SetProgress(10, JobCounts{}); err == nil {
		t.Error("progress on a queued job")
	}
	_ = j.Start(now)
	_ = j.SetProgress(50, JobCounts{Rows: 5})
	_ = j.SetProgress(40, JobCounts{Rows: 6})
	if j.Progress != 50 || j.Counts.Rows != 6 {
		t.Errorf("progress went back or counts lost: %+v", j)
	}
	_ = j.SetProgress(100, JobCounts{})
	if j.Progress != 99 {
		t.Errorf("progress reached %d before success", j.Progress)
	}
	if err := j.Succeed(now, &Report{}); err != nil || j.Progress != 100 || !j.Done() {
		t.Fatalf("succeed: %v %+v", err, j)
	}
	if err := j.Fail(now, "late", nil); domain.ErrorCode(err) != domain.CodeConflict {
		t.Error("a finished job failed again")
	}
}

func TestParseQuery(t *testing.T) {
	v, _ := url.ParseQuery("q=Trees+Bolsover&theme=environment,Mapping&licence=uk-ogl&format=GeoJSON" +
		"&bbox=-1.4,53.1,-1.1,53.3&modifiedSince=2024-01-01&sort=-modified&page=3&limit=10&publisher=bdc")
	q, err := ParseQuery(v)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(q.Theme, []string{"environment", "mapping"}) || q.Licence[0] != "OGL-UK-3.0" ||
		q.Format[0] != "geojson" || q.Offset != 20 || q.BBox.MinX != -1.4 || q.ModifiedSince.Year() != 2024 {
		t.Fatalf("parsed %+v", q)
	}
	d := validDataset()
	d.Title, d.Status, d.Themes = "Highway trees in Bolsover", StatusPublished, []string{"environment"}
	d.Spatial = &SpatialCoverage{BBox: &BBox{-1.35, 53.13, -1.18, 53.27}}
	if !q.Matches(d, []string{"csv", "geojson"}) || !q.MatchesText(d) {
		t.Error("matching dataset refused")
	}
	if q.Matches(d, []string{"csv"}) {
		t.Error("format filter ignored")
	}
	d.Spatial.BBox = &BBox{0, 51, 0.1, 51.1}
	if q.Matches(d, []string{"geojson"}) {
		t.Error("bbox filter ignored")
	}
	v, _ = url.ParseQuery("theme=sport&bbox=1,2,3&modifiedSince=yesterday&sort=best&limit=500&colour=red&page=2&offset=5")
	_, err = ParseQuery(v)
	got := fields(err)
	for _, f := range []string{"theme", "bbox", "modifiedSince", "sort", "limit", "colour", "page"} {
		if !slices.Contains(got, f) {
			t.Errorf("no problem for %s in %v", f, got)
		}
	}
}
