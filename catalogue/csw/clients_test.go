package csw

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"

	"github.com/jointict/councilapi/catalogue/csw/cswtest"
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
func TestOWSLibHarvest(t *testing.T) {
	recs := testRecords(t, 23)
	got := cswtest.OWSLib(t, serve(t, memCatalogue{recs: recs}), 10)
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
		if got.Records[r.Identifier].Title != r.Title {
			t.Errorf("GetRecordById %s: title %q, want %q", r.Identifier, got.Records[r.Identifier].Title, r.Title)
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
