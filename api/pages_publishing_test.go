package api

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/domain"
)

// uploadThroughPage posts a file with the dataset page's upload form, the
// token first and the reading options before the file, as a browser does.
func uploadThroughPage(t *testing.T, v *visitor, datasetID, name, content string, options map[string]string) response {
	t.Helper()
	page := v.get("/publishing/datasets/" + datasetID)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", v.csrf(page))
	for k, val := range options {
		mw.WriteField(k, val)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	return v.send(http.MethodPost, "/publishing/datasets/"+datasetID+"/versions", body.Bytes(), "Content-Type", mw.FormDataContentType())
}

// TestUploadProgressWithoutScript follows an upload's job as a browser
// without script does: the version's page shows the queued job's progress
// bar and a link to itself; following the link, the page shows the
// validation report once the job has run. The job's JSON, which the
// page's script polls, answers the signed-in publisher. The options typed
// before the file reach the version.
func TestUploadProgressWithoutScript(t *testing.T) {
	held := &heldJobs{Store: newTestStore(t)}
	ts := newTestServerOn(t, Config{BodyLimit: 64 << 10}, app.Config{}, held)
	pub := ts.key(domain.RolePublisher, "neddc")
	d := ts.createDataset(pub, map[string]any{"title": "Public toilets", "description": "Where the public toilets are"})
	v := newVisitor(t, ts)
	v.signIn(pub)

	held.hold()
	r := uploadThroughPage(t, v, d.ID, "toilets.csv", "name,easting,northing\nMill Lane,437000,367000\nClay Cross,439000,363500\n",
		map[string]string{"crs": "EPSG:27700", "x": "easting", "y": "northing"})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/publishing/datasets/"+d.ID+"/versions/1" {
		t.Fatalf("upload: %d %s\n%.1500s", r.Status, r.Header.Get("Location"), r.Body)
	}
	page := v.follow(r)
	body := string(page.Body)
	job := regexp.MustCompile(`data-job="([^"]+)"`).FindStringSubmatch(body)
	if job == nil || !strings.Contains(body, `<progress id="job-progress" max="100" value="0">`) ||
		!strings.Contains(body, `<a href="/publishing/datasets/`+d.ID+`/versions/1">Check progress</a>`) || strings.Contains(body, `id="report"`) {
		t.Fatalf("the queued version's page:\n%s", body)
	}
	if r := v.get("/api/v1/jobs/"+job[1], "Accept", "application/json"); r.Status != 200 || !strings.Contains(string(r.Body), `"state":"queued"`) {
		t.Errorf("the job's JSON for the signed-in publisher: %d %s", r.Status, r.Body)
	}
	held.release()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(body, `id="report"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the version's page never showed the report:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
		body = string(v.get("/publishing/datasets/" + d.ID + "/versions/1").Body)
	}
	if !strings.Contains(body, "<dd>2 rows</dd>") || strings.Contains(body, "data-job=") {
		t.Errorf("the processed version's page:\n%s", body)
	}
	var ver struct {
		Options struct {
			CRS     string `json:"crs"`
			XColumn string `json:"xColumn"`
		} `json:"options"`
	}
	ts.do("GET", "/api/v1/datasets/"+d.ID+"/versions/1", pub, nil).json(t, &ver)
	if ver.Options.CRS != "EPSG:27700" || ver.Options.XColumn != "easting" {
		t.Errorf("the options typed before the file: %+v", ver.Options)
	}
}

// TestPublishingPagesHideOtherCouncilsDrafts: another council's publisher
// is told a draft dataset does not exist, as the JSON API tells them, on
// every page of it; a published one is theirs to read but not to publish.
func TestPublishingPagesHideOtherCouncilsDrafts(t *testing.T) {
	f := newWorkbenchFixture(t)
	other := newVisitor(t, f.ts)
	other.signIn(f.ts.key(domain.RolePublisher, "bdc"))
	for _, p := range []string{"", "/versions/1", "/harvest"} {
		if r := other.get("/publishing/datasets/" + f.dataset + p); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "Page not found") {
			t.Errorf("GET %s of another council's draft: %d", p, r.Status)
		}
	}
	if r := f.ts.do("GET", "/api/v1/datasets/"+f.dataset, f.ts.key(domain.RolePublisher, "bdc"), nil); r.Status != http.StatusNotFound {
		t.Errorf("the API shows another council's draft: %d", r.Status)
	}
	page := other.get("/publishing")
	r := other.send(http.MethodPost, "/publishing/datasets/"+f.dataset+"/publish", url.Values{"csrf": {other.csrf(page)}})
	if r.Status != http.StatusNotFound {
		t.Errorf("publishing another council's draft: %d", r.Status)
	}
	if r := f.ts.do("GET", "/api/v1/datasets/"+f.dataset, f.keys.publisher, nil); !strings.Contains(string(r.Body), `"status":"draft"`) {
		t.Errorf("the draft after another council's attempt: %s", r.Body)
	}
}
