package csw

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

// serve mounts Handle as the lead will on Echo: one call with the request's parts.
func serve(t *testing.T, cat Catalogue) string {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		status, ctype, out := Handle(r.Context(), cat, srv.URL+"/csw", r.Method, r.URL.Query(), body)
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(status)
		_, _ = w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/csw"
}

// harvestScript does what data.gov.uk's gemini-csw harvester does: GetRecords
// as POST in the gmd schema, 10 a page, sorted by dc:identifier, until
// nextRecord is 0; then GetRecordById for each identifier.
const harvestScript = `
import json, sys
from owslib.csw import CatalogueServiceWeb
from owslib.fes import SortBy, SortProperty
GMD = "http://www.isotc211.org/2005/gmd"
csw = CatalogueServiceWeb(sys.argv[1], timeout=30)
ids, pages, start = [], 0, 1
while True:
    csw.getrecords2(constraints=[], typenames="csw:Record", esn="brief", outputschema=GMD,
                    startposition=start, maxrecords=10, sortby=SortBy([SortProperty("dc:identifier", "ASC")]))
    pages += 1
    ids.extend(csw.records.keys())
    nxt = csw.results["nextrecord"]
    if nxt == 0 or csw.results["returned"] == 0 or pages > 10:
        break
    start = nxt
titles = {}
for i in ids:
    csw.getrecordbyid(id=[i], outputschema=GMD, esn="full")
    rec = csw.records[i]
    titles[i] = rec.identification.title
json.dump({"ids": ids, "pages": pages, "matched": csw.results.get("matches"),
           "service": csw.identification.type, "titles": titles}, sys.stdout)
`

func TestOWSLibHarvest(t *testing.T) {
	py := testref.PythonModule(t, "owslib", "python3-owslib")
	recs := testRecords(t, 23)
	endpoint := serve(t, memCatalogue{recs: recs})
	out, err := exec.Command(py, "-c", harvestScript, endpoint).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("owslib: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var got struct {
		IDs     []string          `json:"ids"`
		Pages   int               `json:"pages"`
		Service string            `json:"service"`
		Titles  map[string]string `json:"titles"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var want []string
	for _, r := range recs {
		want = append(want, r.Identifier)
	}
	slices.Sort(want)
	if !slices.Equal(got.IDs, want) {
		t.Errorf("harvested %d ids %q\nwant %d sorted ids", len(got.IDs), got.IDs, len(want))
	}
	if got.Pages != 3 || got.Service != "CSW" {
		t.Errorf("pages %d, service type %q", got.Pages, got.Service)
	}
	for _, r := range recs {
		if got.Titles[r.Identifier] != r.Title {
			t.Errorf("GetRecordById %s: title %q, want %q", r.Identifier, got.Titles[r.Identifier], r.Title)
		}
	}
}

func TestGDALListsRecords(t *testing.T) {
	ogrinfo := testref.Tool(t, "ogrinfo", "gdal-bin")
	recs := testRecords(t, 3)
	endpoint := serve(t, memCatalogue{recs: recs})
	out, err := exec.Command(ogrinfo, "-ro", "-al", "CSW:"+endpoint).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "Feature Count: 5") {
		t.Errorf("ogrinfo did not count 5 records:\n%s", s)
	}
	// GDAL's CSW layer has no title field; the identifiers and abstracts show.
	for _, r := range recs {
		if !strings.Contains(s, "identifier (String) = "+r.Identifier) || !strings.Contains(s, r.Abstract) {
			t.Errorf("ogrinfo output lacks %s", r.Identifier)
		}
	}
	// The box must come back longitude/latitude the right way round.
	if !strings.Contains(s, "POLYGON ((-2.4396 53.3595,-2.4396 53.471,-2.2576 53.471,-2.2576 53.3595,-2.4396 53.3595))") {
		t.Errorf("ogrinfo did not place the Trafford box correctly:\n%s", s)
	}
}
