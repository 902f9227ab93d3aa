package api

import (
	"bytes"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
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

// TestEditDatasetThroughThePage edits a spatial dataset's metadata with the
// page's form: what the form changed and emptied is changed and cleared,
// what it does not show (a second topic category, the resource
// identifier's namespace, the file identifier) is kept; a refused edit
// keeps the values as typed and writes nothing.
func TestEditDatasetThroughThePage(t *testing.T) {
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	d := ts.createDataset(pub, map[string]any{"title": "Conservation areas", "description": "Areas of special architectural interest",
		"keywords": []string{"heritage", "planning"}, "updateFrequency": "annual",
		"inspire": map[string]any{"topicCategories": []string{"planningCadastre", "society"}, "inspireThemes": []string{"ps"},
			"lineage": "Digitised", "resourceIdentifier": map[string]any{"namespace": "https://www.ne-derbyshire.gov.uk", "code": "ca"}}})
	v := newVisitor(t, ts)
	v.signIn(pub)
	page := v.get("/publishing/datasets/" + d.ID + "/edit")
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="(?:text|email|date|hidden)"[^>]* name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(string(page.Body), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`<input type="checkbox" id="[^"]*" name="([^"]+)" value="([^"]*)" checked`).FindAllStringSubmatch(string(page.Body), -1) {
		form.Add(m[1], m[2])
	}
	if form.Get("title") != "Conservation areas" || form.Get("keywords") != "heritage, planning" || form.Get("spatial") != "yes" ||
		form.Get("inspire.resourceIdentifier.code") != "ca" {
		t.Fatalf("the edit form shows %v", form)
	}
	form.Set("description", "Areas of special architectural or historic interest")
	form.Set("inspire.topicCategories", "environment")
	form.Set("inspire.lineage", "Digitised from OS MasterMap by the planning team")
	form.Set("updateFrequency", "quarterly")
	form.Set("licence", "OGL-UK-3.0")
	form.Del("keywords")
	form.Set("title", "")
	r := v.send(http.MethodPost, "/publishing/datasets/"+d.ID+"/edit", form)
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `<a href="#title">Title is required`) ||
		!strings.Contains(string(r.Body), "Digitised from OS MasterMap by the planning team</textarea>") {
		t.Fatalf("an edit without a title: %d\n%.3000s", r.Status, r.Body)
	}
	form.Set("title", "Conservation areas (NEDDC)")
	if r := v.send(http.MethodPost, "/publishing/datasets/"+d.ID+"/edit", form); r.Status != http.StatusSeeOther {
		t.Fatalf("the edit: %d\n%.3000s", r.Status, r.Body)
	}
	var got struct {
		Title, UpdateFrequency string
		Keywords               []string
		Inspire                struct {
			FileIdentifier     string                           `json:"fileIdentifier"`
			TopicCategories    []string                         `json:"topicCategories"`
			Lineage            string                           `json:"lineage"`
			ResourceIdentifier struct{ Namespace, Code string } `json:"resourceIdentifier"`
		}
	}
	ts.do("GET", "/api/v1/datasets/"+d.ID, pub, nil).json(t, &got)
	if got.Title != "Conservation areas (NEDDC)" || got.UpdateFrequency != "quarterly" || len(got.Keywords) != 0 ||
		!slices.Equal(got.Inspire.TopicCategories, []string{"environment", "society"}) || got.Inspire.FileIdentifier != d.Inspire.FileIdentifier ||
		got.Inspire.ResourceIdentifier.Namespace != "https://www.ne-derbyshire.gov.uk" || got.Inspire.ResourceIdentifier.Code != "ca" ||
		!strings.HasPrefix(got.Inspire.Lineage, "Digitised from OS MasterMap") {
		t.Errorf("the dataset after the edit: %+v", got)
	}
	n := 0
	for _, e := range auditOf(t, ts.Store, "datasets") {
		if e.Action == "dataset.update" && e.ActorRole == "publisher" && e.ActorOrg == "neddc" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d audited updates; want the one edit", n)
	}
}

// TestPublishAndWithdrawThroughThePage publishes a draft with the page's
// button, then withdraws it after confirming: the API sees each, the
// public page answers 410 afterwards; it is published again. A publish of
// a dataset without a version is refused on the page with the use case's
// reason.
func TestPublishAndWithdrawThroughThePage(t *testing.T) {
	f := newWorkbenchFixture(t)
	v := newVisitor(t, f.ts)
	v.signIn(f.keys.publisher)
	empty := f.ts.createDataset(f.keys.publisher, map[string]any{"title": "Allotments", "description": "Council allotment sites"})
	page := v.get("/publishing/datasets/" + empty.ID)
	if strings.Contains(string(page.Body), "/publish\"") {
		t.Errorf("a dataset with no version offers the publish button")
	}
	r := v.send(http.MethodPost, "/publishing/datasets/"+empty.ID+"/publish", url.Values{"csrf": {v.csrf(page)}})
	if r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "upload a file") {
		t.Errorf("publishing a dataset without a version: %d\n%.2000s", r.Status, r.Body)
	}
	status := func(id string) string {
		var d struct{ Status string }
		f.ts.do("GET", "/api/v1/datasets/"+id, f.keys.publisher, nil).json(t, &d)
		return d.Status
	}
	page = v.get("/publishing/datasets/" + f.dataset)
	if r := v.send(http.MethodPost, "/publishing/datasets/"+f.dataset+"/publish", url.Values{"csrf": {v.csrf(page)}}); r.Status != http.StatusSeeOther || status(f.dataset) != "published" {
		t.Fatalf("publish: %d %s, status %s", r.Status, r.Header.Get("Location"), status(f.dataset))
	}
	if r := v.get("/datasets/" + f.slug); r.Status != 200 {
		t.Errorf("the published dataset's public page: %d", r.Status)
	}
	page = v.get("/publishing/datasets/" + f.dataset)
	if r := v.send(http.MethodPost, "/publishing/datasets/"+f.dataset+"/withdraw", url.Values{"csrf": {v.csrf(page)}}); r.Status != http.StatusSeeOther || status(f.dataset) != "withdrawn" {
		t.Fatalf("withdraw: %d, status %s", r.Status, status(f.dataset))
	}
	if r := newVisitor(t, f.ts).get("/datasets/" + f.slug); r.Status != http.StatusGone {
		t.Errorf("the withdrawn dataset's public page: %d", r.Status)
	}
	// The dataset page asks before withdrawing; a withdrawn one may be
	// published again.
	if body := string(v.get("/publishing/datasets/" + f.dataset).Body); !strings.Contains(body, `action="/publishing/datasets/`+f.dataset+`/publish"`) {
		t.Errorf("the withdrawn dataset's page offers no way to publish it again")
	}
	page = v.get("/publishing/datasets/" + f.dataset)
	if r := v.send(http.MethodPost, "/publishing/datasets/"+f.dataset+"/publish", url.Values{"csrf": {v.csrf(page)}}); r.Status != http.StatusSeeOther || status(f.dataset) != "published" {
		t.Fatalf("publishing again: %d, status %s", r.Status, status(f.dataset))
	}
	if body := string(v.get("/publishing/datasets/" + f.dataset).Body); !strings.Contains(body, `<a href="/publishing/datasets/`+f.dataset+`/withdraw">`) ||
		strings.Contains(body, `action="/publishing/datasets/`+f.dataset+`/withdraw"`) {
		t.Errorf("the published dataset's page should link to the withdrawal's confirmation, not withdraw at once")
	}
	if confirm := v.get("/publishing/datasets/" + f.dataset + "/withdraw"); confirm.Status != 200 || !strings.Contains(string(confirm.Body), "can be published again") {
		t.Errorf("the withdrawal's confirmation: %d", confirm.Status)
	}
}

// TestPublishingListFindsAndPages gives a publisher more datasets than the
// list shows at once: the council's own list pages through every one
// exactly once, the search finds a draft by a word of its title, and the
// status filter keeps only drafts. Another council's datasets never show.
func TestPublishingListFindsAndPages(t *testing.T) {
	defer func(n int) { publishingPageSize = n }(publishingPageSize)
	publishingPageSize = 4
	ts := newTestServer(t)
	pub := ts.key(domain.RolePublisher, "neddc")
	var want []string
	for i := range 10 {
		d := ts.createDataset(pub, map[string]any{"title": fmt.Sprintf("Register %02d", i), "description": "A register kept by the council"})
		want = append(want, d.ID)
	}
	tree := ts.createDataset(pub, map[string]any{"title": "Tree preservation orders", "description": "Protected trees"}).ID
	other := ts.createDataset(ts.key(domain.RolePublisher, "bdc"), map[string]any{"title": "Register of another council", "description": "Theirs"}).ID
	want = append(want, tree)
	slices.Sort(want)

	v := newVisitor(t, ts)
	v.signIn(pub)
	idsOn := func(body string) []string {
		var ids []string
		for _, m := range regexp.MustCompile(`href="/publishing/datasets/([^"/]+)"`).FindAllStringSubmatch(body, -1) {
			ids = append(ids, m[1])
		}
		return ids
	}
	first := v.get("/publishing")
	if first.Status != http.StatusOK || len(idsOn(string(first.Body))) != 4 || strings.Contains(string(first.Body), other) {
		t.Fatalf("the list: %d, %d datasets", first.Status, len(idsOn(string(first.Body))))
	}
	var seen []string
	next := "/publishing?publisher=neddc"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("the pages never end")
		}
		body := string(v.get(next).Body)
		seen = append(seen, idsOn(body)...)
		next = ""
		if m := regexp.MustCompile(`<a href="([^"]+)" rel="next">`).FindStringSubmatch(body); m != nil {
			next = html.UnescapeString(m[1])
		}
	}
	slices.Sort(seen)
	if !slices.Equal(seen, want) {
		t.Errorf("paging through the council's list saw\n%v\nwant\n%v", seen, want)
	}
	if got := idsOn(string(v.get("/publishing?q=trees").Body)); !slices.Equal(got, []string{tree}) {
		t.Errorf("searching for trees found %v, want %v", got, tree)
	}
	if got := idsOn(string(v.get("/publishing?status=published").Body)); len(got) != 0 {
		t.Errorf("no dataset is published, yet the published filter lists %v", got)
	}
	if r := v.get("/publishing?status=lost"); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "status") {
		t.Errorf("an unknown status: %d", r.Status)
	}
}
