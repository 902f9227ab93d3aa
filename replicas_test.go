package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jointict/councilapi/internal/ferretdbtest"
)

// These tests run two real server processes on one store, as a deployment
// of several replicas does, and check that what is written through one is
// served by the other within the coherence the README promises (2 s), and
// that jobs survive the restart or death of an instance.

// coherence is how soon a write through one instance must show on another.
const coherence = 2 * time.Second

// replicas is two instances on one store.
type replicas struct {
	a, b  *process
	flags []string // store flags both were started with
	dir   string
	admin string
	pub   string
}

func startReplicas(t *testing.T, flags ...string) *replicas {
	t.Helper()
	dir := t.TempDir()
	r := &replicas{dir: dir, flags: flags}
	r.admin = createKey(t, dir, append(flags, "--role", "admin")...)
	r.pub = createKey(t, dir, append(flags, "--role", "publisher", "--org", "neddc")...)
	r.a = start(t, dir, flags...)
	r.b = start(t, dir, flags...)
	return r
}

// eventually polls check on an instance until it passes or the coherence
// window (plus a margin for a loaded test machine) has gone by.
func eventually(t *testing.T, what string, check func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	var last string
	for time.Since(start) < coherence+3*time.Second {
		ok, detail := check()
		if ok {
			return time.Since(start)
		}
		last = detail
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("%s: not seen within %s; last answer: %.400s", what, coherence, last)
	return 0
}

func TestReplicasOnOneSQLiteDirectory(t *testing.T) {
	runReplicaCoherence(t, startReplicas(t))
}

func TestReplicasOnOneFerretDB(t *testing.T) {
	uri := ferretdbtest.Start(t)
	runReplicaCoherence(t, startReplicas(t, "--mongodb-uri", ferretdbtest.WithDatabase(uri, "councilapi_replicas")))
}

// runReplicaCoherence publishes a spatial dataset through A and checks that
// B serves it on every surface within the coherence window, then withdraws
// it through A and checks that B stops serving it.
func runReplicaCoherence(t *testing.T, r *replicas) {
	a, b := r.a.url, r.b.url
	code, body := call(t, "POST", a+"/api/v1/datasets", r.pub, `{"title":"Grit bins",
		"description":"Grit bins across North East Derbyshire, one point per bin with its reference. Positions are British National Grid eastings and northings, published in WGS84 as well.",
		"contactPoint":{"name":"GIS team","email":"gis@ne-derbyshire.gov.uk"},"keywords":["highways","winter maintenance"],
		"updateFrequency":"monthly","temporal":{"start":"2024-04-01T00:00:00Z"},
		"inspire":{"topicCategories":["transportation"],"inspireThemes":["tn"],"referenceSystem":"EPSG:27700",
			"lineage":"Surveyed by the highways team with hand-held GPS and checked against OS MasterMap before publication.",
			"spatialResolution":{"equivalentScale":10000},
			"conformity":[{"specification":"Commission Regulation (EU) No 1089/2010","date":"2010-12-08","result":"notEvaluated"}]}}`)
	if code != 201 {
		t.Fatalf("create through A: %d %s", code, body)
	}
	var d struct{ ID, Slug string }
	json.Unmarshal(body, &d)
	csv := "ref,easting,northing\nG1,435000,370000\nG2,436000,371000\nG3,437000,372000\n"
	job := upload(t, a, r.pub, d.ID, "grit.csv", []byte(csv))
	if st := waitJob(t, a, r.pub, job, 60*time.Second); st != "succeeded" {
		t.Fatalf("upload through A: %s", st)
	}
	code, body = call(t, "PATCH", a+"/api/v1/datasets/"+d.ID, r.pub, `{"status":"published"}`)
	if code != 200 || strings.Contains(string(body), "geminiMissing") {
		t.Fatalf("publish through A (with a complete GEMINI record): %d %s", code, body)
	}
	published := time.Now()

	surfaces := map[string]func(string) (bool, string){
		"OGC API items": func(base string) (bool, string) {
			code, body := call(t, "GET", base+"/ogc/collections/"+d.Slug+"/items?f=json", "", "")
			return code == 200 && strings.Contains(string(body), `"numberMatched":3`), fmt.Sprint(code, " ", string(body))
		},
		"data.json": func(base string) (bool, string) {
			_, body := call(t, "GET", base+"/data.json", "", "")
			return strings.Contains(string(body), "Grit bins"), string(body)
		},
		"CSW GetRecords": func(base string) (bool, string) {
			_, body := call(t, "GET", base+"/csw?service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&elementSetName=brief", "", "")
			return strings.Contains(string(body), "Grit bins"), string(body)
		},
		"INSPIRE WAF": func(base string) (bool, string) {
			_, body := call(t, "GET", base+"/inspire/waf/", "", "")
			return strings.Contains(string(body), "Grit bins"), string(body)
		},
	}
	for name, seen := range surfaces {
		// The writing instance answers true at once: publishing waits for
		// its own views.
		if ok, detail := seen(a); !ok {
			t.Errorf("%s on A right after publishing: %.300s", name, detail)
		}
		eventually(t, name+" on B", func() (bool, string) { return seen(b) })
		t.Logf("%s on B %s after publishing through A", name, time.Since(published).Round(time.Millisecond))
	}

	if code, body := call(t, "DELETE", a+"/api/v1/datasets/"+d.ID, r.pub, ""); code != 200 {
		t.Fatalf("withdraw through A: %d %s", code, body)
	}
	for name, seen := range surfaces {
		eventually(t, name+" on B after withdrawal", func() (bool, string) {
			ok, detail := seen(b)
			return !ok, detail
		})
	}
}

// TestReplicaRestartLeavesOthersJobsAlone restarts one instance while the
// other processes a 50 MB upload (the job succeeds), then kills the
// instance processing a second one (the survivor fails it once its lease
// expires, saying why; nothing stays running).
func TestReplicaRestartLeavesOthersJobsAlone(t *testing.T) {
	lease := []string{"--job-lease", "3s"}
	r := startReplicas(t, lease...)
	code, body := call(t, "POST", r.a.url+"/api/v1/datasets", r.pub,
		`{"title":"Footfall counts","description":"Hourly footfall","contactPoint":{"email":"data@ne-derbyshire.gov.uk"}}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var d struct{ ID string }
	json.Unmarshal(body, &d)
	var big bytes.Buffer
	big.WriteString("site,hour,count\n")
	for i := 0; big.Len() < 50<<20; i++ {
		fmt.Fprintf(&big, "Site %d,2026-11-01T%02d:00,%d\n", i%500, i%24, i)
	}

	// First upload: restart the instance that does not own the job.
	job := upload(t, r.a.url, r.pub, d.ID, "footfall.csv", big.Bytes())
	owner := waitRunning(t, r.a.url, r.pub, job)
	other, otherIsA := r.b, false
	if instanceOf(t, r.b) == owner {
		other, otherIsA = r.a, true
	}
	other.stop(t, syscall.SIGTERM)
	restarted := start(t, r.dir, r.flags...)
	if otherIsA {
		r.a = restarted
	} else {
		r.b = restarted
	}
	if st := waitJob(t, r.a.url, r.pub, job, 120*time.Second); st != "succeeded" {
		t.Fatalf("the job of the instance that kept running is %s after the other restarted", st)
	}

	// Second upload: kill -9 the instance that owns it.
	job = upload(t, r.a.url, r.pub, d.ID, "footfall.csv", big.Bytes())
	owner = waitRunning(t, r.a.url, r.pub, job)
	survivor := r.b
	if instanceOf(t, r.b) == owner {
		r.b.stop(t, syscall.SIGKILL)
		survivor = r.a
	} else {
		r.a.stop(t, syscall.SIGKILL)
	}
	if st := waitJob(t, survivor.url, r.pub, job, 60*time.Second); st != "failed" {
		t.Fatalf("the dead instance's job is %s, want failed once its lease expired", st)
	}
	_, jb := call(t, "GET", survivor.url+"/api/v1/jobs/"+job, r.pub, "")
	if !strings.Contains(string(jb), "stopped before it finished") {
		t.Errorf("the failed job does not say why: %s", jb)
	}
}

// instanceOf is the id an instance writes in the leases of the jobs it
// processes (reported by /healthz).
func instanceOf(t *testing.T, p *process) string {
	t.Helper()
	_, b := call(t, "GET", p.url+"/healthz", "", "")
	var h struct{ Instance string }
	json.Unmarshal(b, &h)
	if h.Instance == "" {
		t.Fatalf("/healthz names no instance: %s", b)
	}
	return h.Instance
}

func upload(t *testing.T, base, key, datasetID, name string, content []byte) string {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/datasets/"+datasetID+"/versions?filename="+name, bytes.NewReader(content))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 202 {
		t.Fatalf("upload: %d %s", res.StatusCode, b)
	}
	var acc struct{ Job struct{ ID string } }
	json.Unmarshal(b, &acc)
	return acc.Job.ID
}

type jobView struct {
	State    string
	Progress int
	Lease    *struct{ Owner string }
}

func getJob(t *testing.T, base, key, id string) jobView {
	t.Helper()
	_, b := call(t, "GET", base+"/api/v1/jobs/"+id, key, "")
	var j jobView
	json.Unmarshal(b, &j)
	return j
}

func waitJob(t *testing.T, base, key, id string, limit time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(50 * time.Millisecond) {
		j := getJob(t, base, key, id)
		if j.State == "succeeded" || j.State == "failed" || time.Now().After(deadline) {
			return j.State
		}
	}
}

// waitRunning waits until a job is being processed and returns its owner.
func waitRunning(t *testing.T, base, key, id string) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		j := getJob(t, base, key, id)
		if j.State == "running" && j.Lease != nil && j.Progress > 0 {
			return j.Lease.Owner
		}
		if j.State != "queued" && j.State != "running" || time.Now().After(deadline) {
			t.Fatalf("job %s before it could be interrupted; make the file bigger", j.State)
		}
	}
}

func TestReplicasServeImportedServicesOnSQLite(t *testing.T) {
	runReplicaServices(t, startReplicas(t))
}

func TestReplicasServeImportedServicesOnFerretDB(t *testing.T) {
	uri := ferretdbtest.Start(t)
	runReplicaServices(t, startReplicas(t, "--mongodb-uri", ferretdbtest.WithDatabase(uri, "councilapi_replica_services")))
}

// runReplicaServices imports a G-Cloud service through A and finds it with
// a search on B within the coherence window; an officer's price change
// through A reaches B's search the same way.
func runReplicaServices(t *testing.T, r *replicas) {
	a, b := r.a.url, r.b.url
	officer := createKey(t, r.dir, append(slices.Clone(r.flags), "--role", "officer", "--org", "neddc")...)
	service := `{"id":"712345678901234","frameworkSlug":"g-cloud-15","lot":"cloud-software","supplierName":"Example Software Ltd",
		"serviceName":"Council tax and business rates","serviceDescription":"Hosted revenues system with a citizen portal.",
		"serviceCategories":["Revenues and benefits"],"priceMin":"9.50","priceUnit":"User","priceInterval":"Month",
		"dataStorageAndProcessingLocations":["uk"],"serviceDefinitionDocumentURL":"https://example.co.uk/sd.pdf"}`
	code, body := call(t, "POST", a+"/api/v1/services/import", officer, `{"services":[`+service+`]}`)
	if code != 200 || !strings.Contains(string(body), `"created":1`) {
		t.Fatalf("import through A: %d %s", code, body)
	}
	imported := time.Now()
	search := func(base string) (bool, string) {
		code, body := call(t, "GET", base+"/api/v1/services?q=business+rates", "", "")
		return code == 200 && strings.Contains(string(body), `"total":1`) && strings.Contains(string(body), "712345678901234"), fmt.Sprint(code, " ", string(body))
	}
	if ok, detail := search(a); !ok {
		t.Errorf("A right after importing: %.300s", detail)
	}
	eventually(t, "the imported service in B's search", func() (bool, string) { return search(b) })
	t.Logf("the imported service is found on B %s after the import through A", time.Since(imported).Round(time.Millisecond))

	code, body = call(t, "PATCH", a+"/api/v1/services/712345678901234", officer, `{"priceMin":"8.75"}`)
	if code != 200 {
		t.Fatalf("price change through A: %d %s", code, body)
	}
	eventually(t, "the new price in B's search", func() (bool, string) {
		_, body := call(t, "GET", b+"/api/v1/services?q=business+rates", "", "")
		return strings.Contains(string(body), `"priceMin":"8.75"`), string(body)
	})
}
