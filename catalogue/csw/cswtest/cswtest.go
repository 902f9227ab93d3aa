// Package cswtest harvests a CSW endpoint with OWSLib the way data.gov.uk's
// gemini-csw harvester does, for the CSW engine's tests and the server's.
package cswtest

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strconv"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

// harvestScript: GetRecords as POST in the gmd output schema, sorted by
// dc:identifier, following nextRecord to the end, then GetRecordById for
// each identifier.
const harvestScript = `
import json, sys
from owslib.csw import CatalogueServiceWeb
from owslib.fes import SortBy, SortProperty
GMD = "http://www.isotc211.org/2005/gmd"
csw = CatalogueServiceWeb(sys.argv[1], timeout=30)
size = int(sys.argv[2])
ids, pages, start, matched = [], 0, 1, None
while True:
    csw.getrecords2(constraints=[], typenames="csw:Record", esn="brief", outputschema=GMD,
                    startposition=start, maxrecords=size, sortby=SortBy([SortProperty("dc:identifier", "ASC")]))
    pages += 1
    matched = csw.results["matches"]
    ids.extend(csw.records.keys())
    nxt = csw.results["nextrecord"]
    if nxt == 0 or csw.results["returned"] == 0 or pages > 50:
        break
    start = nxt
found = {}
for i in ids:
    csw.getrecordbyid(id=[i], outputschema=GMD, esn="full")
    rec = csw.records[i]
    found[i] = {"title": rec.identification.title, "type": rec.hierarchy, "stamp": rec.datestamp}
json.dump({"ids": ids, "pages": pages, "matched": matched, "service": csw.identification.type,
           "records": found}, sys.stdout)
`

// Record is what GetRecordById returned for one identifier.
type Record struct{ Title, Type, Stamp string }

// Harvest is the outcome of walking the catalogue.
type Harvest struct {
	IDs     []string          `json:"ids"` // in the order the pages returned them
	Pages   int               `json:"pages"`
	Matched int               `json:"matched"`
	Service string            `json:"service"` // the service type GetCapabilities declares
	Records map[string]Record `json:"records"`
}

// OWSLib harvests endpoint at pageSize records a page (data.gov.uk asks
// for 10), skipping the test when python3-owslib is absent.
func OWSLib(t testing.TB, endpoint string, pageSize int) Harvest {
	t.Helper()
	py := testref.PythonModule(t, "owslib", "python3-owslib")
	out, err := exec.Command(py, "-c", harvestScript, endpoint, strconv.Itoa(pageSize)).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("owslib: %v\n%s", err, ee.Stderr)
	}
	if err != nil {
		t.Fatal(err)
	}
	var h Harvest
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatalf("owslib output: %v: %s", err, out)
	}
	return h
}
