package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
	"github.com/jointict/councilapi/store/sqlite"
)

// faultyStore is a real SQLite store whose blob writes of OGC API index
// artefacts fail on demand, as a full disk or a lost blob store would.
type faultyStore struct {
	store.Store
	failArtefacts atomic.Bool
}

var errDiskFull = errors.New("no space left on device")

func (f *faultyStore) PutBlob(ctx context.Context, key string, r io.Reader) (store.BlobInfo, error) {
	if f.failArtefacts.Load() && strings.HasSuffix(key, ".ogcindex") {
		io.Copy(io.Discard, r)
		return store.BlobInfo{}, errDiskFull
	}
	return f.Store.PutBlob(ctx, key, r)
}

// surfaces reads what each harvest and client surface says of one
// dataset: the version it describes (or how many features it serves).
type surfaceView map[string]string

func (ts *testServer) surfaces(t *testing.T, d datasetView) surfaceView {
	t.Helper()
	out := surfaceView{}
	var dcat struct {
		Graph []map[string]any `json:"@graph"`
	}
	if r := ts.do("GET", "/dataset/"+d.Slug+".jsonld", "", nil); r.Status == 200 {
		json.Unmarshal(r.Body, &dcat)
		for _, n := range dcat.Graph {
			if v, ok := n["owl:versionInfo"].([]any); ok && len(v) == 1 {
				if lit, ok := v[0].(map[string]any); ok {
					out["DCAT"] = fmt.Sprint(lit["@value"])
				}
			}
		}
	} else {
		out["DCAT"] = fmt.Sprint("status ", r.Status)
	}
	var ckan struct {
		Result struct{ Version string }
	}
	ts.do("GET", "/api/3/action/package_show?id="+d.Slug, "", nil).json(t, &ckan)
	out["CKAN"] = strings.TrimPrefix(ckan.Result.Version, "v")
	var items struct {
		NumberMatched int
	}
	if r := ts.do("GET", "/ogc/collections/"+d.Slug+"/items?limit=1&f=json", "", nil); r.Status == 200 {
		r.json(t, &items)
		out["OGC"] = fmt.Sprint(items.NumberMatched, " features")
	} else {
		out["OGC"] = fmt.Sprint("status ", r.Status)
	}
	var api datasetView
	ts.do("GET", "/api/v1/datasets/"+d.ID, "", nil).json(t, &api)
	out["API"] = fmt.Sprint(api.CurrentVersion)
	return out
}

func pointsCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("ref,easting,northing\n")
	for i := range n {
		fmt.Fprintf(&b, "P%d,%d,%d\n", i+1, 435000+i*900, 370000+i*700)
	}
	return []byte(b.String())
}

// TestPublishingIsAllOrNothingOnEverySurface publishes version 2 of a
// spatial dataset while polling DCAT, CKAN, the OGC API and the JSON API:
// no poll ever finds a surface missing or failing, and once the job says
// succeeded every surface serves version 2. Then a
// version whose OGC API index cannot be stored fails its job with that
// reason, and every surface goes on serving version 2.
func TestPublishingIsAllOrNothingOnEverySurface(t *testing.T) {
	st, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fs := &faultyStore{Store: st}
	ts := newTestServerOn(t, Config{BodyLimit: 64 << 10}, app.Config{}, fs)
	pub := ts.key(domain.RolePublisher, "neddc")
	d := ts.publishSpatial(pub, spatialMetadata("Grit bins", "tn", "transportation"), 3)
	v1 := surfaceView{"DCAT": "1", "CKAN": "1", "OGC": "3 features", "API": "1"}
	if got := ts.surfaces(t, d); fmt.Sprint(got) != fmt.Sprint(v1) {
		t.Fatalf("after publishing version 1: %v, want %v", got, v1)
	}
	v2 := surfaceView{"DCAT": "2", "CKAN": "2", "OGC": "4 features", "API": "2"}

	// Poll while version 2 is processed and published.
	stop := make(chan struct{})
	var seen []surfaceView
	var mu sync.Mutex
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			s := ts.surfaces(t, d)
			mu.Lock()
			seen = append(seen, s)
			mu.Unlock()
		}
	}()
	job := ts.publishUpload(pub, d.ID, "grit.csv", pointsCSV(4), "")
	if job.State != opendata.JobSucceeded {
		t.Fatalf("version 2: %s %q", job.State, job.Error)
	}
	if got := ts.surfaces(t, d); fmt.Sprint(got) != fmt.Sprint(v2) {
		t.Errorf("once the job says succeeded: %v, want every surface at version 2 %v", got, v2)
	}
	close(stop)
	wg.Wait()
	for _, s := range seen {
		for name, val := range s {
			if strings.HasPrefix(val, "status") {
				t.Errorf("while publishing, %s answered %s: %v", name, val, s)
			}
		}
	}
	t.Logf("%d polls of every surface while version 2 was published", len(seen))

	fs.failArtefacts.Store(true)
	job = ts.publishUpload(pub, d.ID, "grit.csv", pointsCSV(5), "")
	if job.State != opendata.JobFailed || !strings.Contains(job.Error, "OGC API") || !strings.Contains(job.Error, errDiskFull.Error()) {
		t.Fatalf("version 3 with its index unstorable: %s %q, want failed naming the OGC API index and why", job.State, job.Error)
	}
	fs.failArtefacts.Store(false)
	time.Sleep(100 * time.Millisecond) // a late derived view would show by now
	if got := ts.surfaces(t, d); fmt.Sprint(got) != fmt.Sprint(v2) {
		t.Errorf("after the failed version 3: %v, want version 2 everywhere %v", got, v2)
	}
	if r := ts.do("GET", "/datasets/"+d.Slug+"/versions/3/data.csv", pub, nil); r.Status != 404 {
		t.Errorf("the failed version's download answers %d", r.Status)
	}
}
