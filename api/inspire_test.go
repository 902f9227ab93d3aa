package api

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/testref"

	"github.com/jointict/councilapi/catalogue/csw/cswtest"
)

// inspireCatalogueFixture publishes three complete spatial datasets from two
// councils and one without lineage, and returns the complete ones.
func inspireCatalogueFixture(t *testing.T) (*testServer, []datasetView, datasetView) {
	ts := newTestServer(t)
	ned := ts.key(domain.RolePublisher, "neddc")
	bdc := ts.key(domain.RolePublisher, "bdc")
	complete := []datasetView{
		ts.publishSpatial(ned, spatialMetadata("Grit bins", "tn", "transportation"), 3),
		ts.publishSpatial(ned, spatialMetadata("Public toilets", "us", "structure", func(m, in map[string]any) {
			in["resourceIdentifier"] = map[string]any{"namespace": "https://data.ne-derbyshire.gov.uk/id/", "code": "toilets"}
			m["licence"] = "CC-BY-4.0"
		}), 2),
		ts.publishSpatial(bdc, spatialMetadata("Tree preservation orders", "ps", "environment", func(m, in map[string]any) {
			m["contactPoint"] = map[string]string{"name": "Planning", "email": "planning@bolsover.gov.uk"}
			delete(m, "temporal")
			m["temporal"] = map[string]any{"start": "2019-01-01T00:00:00Z", "end": "2025-12-31T00:00:00Z"}
		}), 4),
	}
	noLineage := ts.publishSpatial(ned, spatialMetadata("Dog waste bins", "us", "structure", func(_, in map[string]any) {
		delete(in, "lineage")
	}), 2)
	return ts, complete, noLineage
}

// TestInspireWAFRecordsPassDataGovUKChecks publishes spatial datasets through
// the API and validates every record the WAF lists with the four checks
// data.gov.uk's harvester applies (EDEN XSD, MEDIN 1.4, GEMINI 2.1 R1r3,
// GEMINI 2.3). A dataset without lineage stays out, and its API view says why.
func TestInspireWAFRecordsPassDataGovUKChecks(t *testing.T) {
	script := testref.Shared(t, "conformance/validate-gemini.sh")
	testref.Shared(t, "reference/gemini/iso19139eden/gmx_and_srv.xsd")
	testref.Tool(t, "xmllint", "libxml2-utils")
	testref.Tool(t, "xsltproc", "xsltproc")
	ts, complete, noLineage := inspireCatalogueFixture(t)

	var want []string
	for _, d := range complete {
		if len(d.GeminiMissing) != 0 {
			t.Errorf("%s: complete dataset reported missing %q", d.Slug, d.GeminiMissing)
		}
		want = append(want, d.Inspire.FileIdentifier+".xml")
	}
	if !slices.Equal(noLineage.GeminiMissing, []string{gemini.ItemLineage}) {
		t.Errorf("dataset without lineage: geminiMissing = %q, want [Lineage]", noLineage.GeminiMissing)
	}
	files := ts.wafFiles(t)
	if len(files) != len(complete)+1 {
		t.Fatalf("WAF lists %q; want the %d complete datasets and the service", files, len(complete))
	}
	var service string
	for _, f := range files {
		if strings.Contains(f, "/") {
			t.Errorf("WAF link %q is not a bare file name", f)
		}
		if !slices.Contains(want, f) {
			service = strings.TrimSuffix(f, ".xml")
		}
	}
	if slices.Contains(files, noLineage.Inspire.FileIdentifier+".xml") || service == "" {
		t.Fatalf("WAF lists %q: the dataset without lineage must be absent and the service present", files)
	}

	dir := t.TempDir()
	var paths []string
	for _, f := range files {
		r := ts.do("GET", "/inspire/waf/"+f, "", nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") {
			t.Fatalf("WAF record %s: %d %s", f, r.Status, r.Header.Get("Content-Type"))
		}
		if single := ts.do("GET", "/inspire/records/"+f, "", nil); !bytes.Equal(single.Body, r.Body) {
			t.Errorf("/inspire/records/%s differs from the WAF copy", f)
		}
		p := filepath.Join(dir, f)
		if err := os.WriteFile(p, r.Body, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cmd := exec.Command("bash", append([]string{script}, paths...)...)
	cmd.Env = append(os.Environ(), "TMPDIR="+dir)
	out, err := cmd.CombinedOutput()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err != nil || len(lines) != len(paths) {
		t.Fatalf("validate-gemini.sh (%v):\n%s", err, out)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "ok") {
			t.Errorf("%s", l)
		}
	}

	svc, _ := os.ReadFile(filepath.Join(dir, service+".xml"))
	for _, d := range complete {
		if !bytes.Contains(svc, []byte(`uuidref="`+d.Inspire.FileIdentifier+`" xlink:href="`+ts.URL+"/inspire/records/"+d.Inspire.FileIdentifier+`.xml"`)) {
			t.Errorf("the service record does not operate on %s", d.Slug)
		}
	}
	toilets, _ := os.ReadFile(filepath.Join(dir, complete[1].Inspire.FileIdentifier+".xml"))
	for _, s := range []string{">https://data.ne-derbyshire.gov.uk/id/<", `xlink:href="https://creativecommons.org/licenses/by/4.0/"`,
		">North East Derbyshire District Council<", ">" + ts.URL + "/ogc/collections/public-toilets<",
		">" + gemini.CRSBritishNationalGrid + "<", ">" + gemini.CRSETRS89 + "<", ">toilets<"} {
		if !bytes.Contains(toilets, []byte(s)) {
			t.Errorf("the toilets record lacks %s", s)
		}
	}
	trees, _ := os.ReadFile(filepath.Join(dir, complete[2].Inspire.FileIdentifier+".xml"))
	if !bytes.Contains(trees, []byte(ts.URL+"/id/bdc/</gco:CharacterString>")) || !bytes.Contains(trees, []byte("Bolsover District Council")) {
		t.Errorf("the trees record is not namespaced by Bolsover")
	}

	// The OGC API collection's describedby link is the record.
	var coll struct{ Links []struct{ Href, Rel string } }
	ts.do("GET", "/ogc/collections/grit-bins?f=json", "", nil).json(t, &coll)
	for _, l := range coll.Links {
		if l.Rel == "describedby" {
			if r := ts.do("GET", strings.TrimPrefix(l.Href, ts.URL), "", nil); r.Status != 200 ||
				!bytes.Contains(r.Body, []byte(complete[0].Inspire.FileIdentifier)) {
				t.Errorf("describedby %s: %d", l.Href, r.Status)
			}
		}
	}
	if r := ts.do("GET", "/inspire/records/"+noLineage.Inspire.FileIdentifier+".xml", "", nil); r.Status != 404 {
		t.Errorf("incomplete record served: %d", r.Status)
	}
}

// harvestScript does what data.gov.uk's gemini-csw harvester does: GetRecords
// as POST in the gmd schema, sorted by dc:identifier, a page at a time until
// nextRecord is 0, then GetRecordById for each identifier.
// TestInspireCSWHarvestAndGDAL harvests /csw with OWSLib exactly as
// data.gov.uk does and lists it with GDAL's CSW driver.
func TestInspireCSWHarvestAndGDAL(t *testing.T) {
	ogrinfo := testref.Tool(t, "ogrinfo", "gdal-bin")
	ts, complete, noLineage := inspireCatalogueFixture(t)
	files := ts.wafFiles(t)
	var want []string
	for _, f := range files {
		want = append(want, strings.TrimSuffix(f, ".xml"))
	}
	titles := map[string]string{}
	for _, d := range complete {
		titles[d.Inspire.FileIdentifier] = d.Title
	}
	endpoint := ts.URL + "/csw"
	// 10 a page as the harvester asks; 3 a page makes nextRecord carry it over pages.
	for size, pages := range map[int]int{10: 1, 3: 2} {
		got := cswtest.OWSLib(t, endpoint, size)
		if !slices.Equal(got.IDs, want) || got.Pages != pages || got.Matched != len(want) {
			t.Errorf("page size %d: harvested %q in %d pages (%d matched); want %q in %d", size, got.IDs, got.Pages, got.Matched, want, pages)
		}
		for _, id := range want {
			rec := got.Records[id]
			if title, ok := titles[id]; ok && (rec.Title != title || rec.Type != "dataset") {
				t.Errorf("GetRecordById %s: %+v, want dataset %q", id, rec, title)
			}
			if _, ok := titles[id]; !ok && rec.Type != "service" {
				t.Errorf("GetRecordById %s: %+v, want the service", id, rec)
			}
			if rec.Stamp != time.Now().UTC().Format(time.DateOnly) {
				t.Errorf("GetRecordById %s: dateStamp %q", id, rec.Stamp)
			}
		}
	}

	out, err := exec.Command(ogrinfo, "-ro", "-al", "CSW:"+endpoint).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "Feature Count: 4") {
		t.Errorf("ogrinfo did not count the 3 datasets and the service:\n%s", s)
	}
	for _, id := range want {
		if !strings.Contains(s, "identifier (String) = "+id) {
			t.Errorf("ogrinfo does not list %s", id)
		}
	}
	if strings.Contains(s, noLineage.Inspire.FileIdentifier) {
		t.Error("ogrinfo lists the dataset without lineage")
	}
}
