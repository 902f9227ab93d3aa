package api

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/browsertest"
	"github.com/jointict/councilapi/internal/testref"
)

// carParksGeoJSON is three car parks around Mill Lane, Wingerworth (NEDDC's
// offices), one of them with a ring drawn the wrong way round to repair.
const carParksGeoJSON = `{"type":"FeatureCollection","features":[
{"type":"Feature","id":"cp-1","properties":{"name":"Mill Lane","spaces":120},"geometry":{"type":"Point","coordinates":[-1.4312,53.2088]}},
{"type":"Feature","id":"cp-2","properties":{"name":"Wingerworth Lido","spaces":45},"geometry":{"type":"Point","coordinates":[-1.4352,53.2041]}},
{"type":"Feature","id":"cp-3","properties":{"name":"Hady Hill","spaces":30},"geometry":{"type":"Polygon","coordinates":[[[-1.40,53.23],[-1.40,53.231],[-1.399,53.231],[-1.399,53.23],[-1.40,53.23]]]}}]}`

// TestPublishingJourneyInChromium publishes a spatial dataset through the
// pages, at a desktop and a phone width: a NEDDC publisher signs in (through
// the council's OpenID Connect provider at 1280 px, with an API key at 360
// px), creates the dataset (a missing title first), uploads a file whose
// format cannot be told (refused), then the GeoJSON: the version's page
// shows the job queued with its progress bar, and the page's script,
// polling the job, brings up the validation report once it runs. The
// dataset is published, and the harvest page shows what DCAT-AP,
// data.json, CKAN, GEMINI and the OGC API collection say of it; its
// metadata is edited. Each step
// is checked through the JSON API; the audit log names the signed-in person.
func TestPublishingJourneyInChromium(t *testing.T) {
	testref.Axe(t)
	held := &heldJobs{Store: newTestStore(t)}
	ts, prov := newOIDCServerOn(t, held)
	key := ts.key(domain.RolePublisher, "neddc")
	prov.SignInAs(map[string]any{"sub": "entra-oid-9", "name": "Alex Morgan", "preferred_username": "alex.morgan@ne-derbyshire.gov.uk",
		"roles": []string{"CouncilAPI.Publisher"}, "groups": []string{"grp-neddc"}})
	j := newJourney(t, ts)
	dir := t.TempDir()
	geojson, notes := filepath.Join(dir, "car-parks.geojson"), filepath.Join(dir, "car-parks.txt")
	for name, body := range map[string]string{geojson: carParksGeoJSON, notes: "not data"} {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range browsertest.Widths {
		j.at(w)
		title := fmt.Sprintf("Council car parks %d", w)
		if w == browsertest.Widths[0] {
			j.b.Do(chromedp.Navigate(ts.URL+"/signin?next=/publishing"), chromedp.Click(chromedp.CSS("a.button")),
				chromedp.WaitVisible(chromedp.CSS(".account")))
			j.b.WaitLocation(ts.URL + "/publishing")
			j.expect(".account", "Alex Morgan")
		} else {
			j.signIn(key, "/publishing")
		}
		j.expect("main h1", "Publishing")
		j.look("publishing")

		j.follow("/publishing/new", "form.workbench")
		j.fill(map[string]string{"description": "Where to park at the council's offices and leisure sites: each car park's name, " +
			"its location and how many spaces it has, kept by the car parks team."})
		j.submit("form.workbench", ".error-summary")
		j.expect(".error-summary", "Title")
		j.look("dataset-new-refused")
		j.fill(map[string]string{"title": title, "keywords": "parking, car parks", "contactPoint.name": "Open data team",
			"contactPoint.email": "opendata@ne-derbyshire.gov.uk", "updateFrequency": "annual", "temporal.start": "2026-04-01",
			"inspire.topicCategories": "transportation", "inspire.inspireThemes": "tn", "inspire.lineage": "Surveyed by the car parks team",
			"inspire.referenceSystem": "EPSG:4326", "inspire.spatialResolution.equivalentScale": "1250",
			"inspire.resourceIdentifier.code": fmt.Sprintf("car-parks-%d", w), "inspire.conformity": "notEvaluated"})
		j.choose("themes", "transport")
		j.choose("spatial", "yes")
		j.submit("form.workbench", ".notice-done")
		j.expect("main h1", title)
		j.expect("main", "Draft", "No file has been uploaded yet")
		j.look("dataset-draft")
		id := strings.TrimPrefix(strings.SplitN(j.b.Location(), "?", 2)[0], ts.URL+"/publishing/datasets/")

		// A file whose format cannot be told from its name.
		j.b.Do(chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{notes}))
		j.submit("form.workbench", ".error-summary")
		j.expect(".error-summary", "File")
		j.look("upload-refused")

		// The GeoJSON, while no job may start: the page shows it queued.
		held.hold()
		j.b.Do(chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{geojson}))
		j.submit("form.workbench", "[data-job] progress")
		j.expect("[data-job-status]", "Waiting to start")
		if href := browsertest.Eval[string](j.b, `document.querySelector("[data-job] a").getAttribute("href")`); href != "/publishing/datasets/"+id+"/versions/1" {
			t.Errorf("at %dpx the check progress link goes to %q", w, href)
		}
		j.look("version-queued")
		held.release()
		// Only the script's polling of the job brings the report up.
		j.b.Do(chromedp.WaitVisible(chromedp.CSS("#report")))
		j.expect("#features + dl", "3 features, 3 kept")
		j.look("version-report")

		j.submit(`form[action$="/publish"]`, ".notice-done")
		j.expect(".notice-done", "The dataset is published")
		var got struct {
			Status         string   `json:"status"`
			CurrentVersion int      `json:"currentVersion"`
			Slug           string   `json:"slug"`
			GeminiMissing  []string `json:"geminiMissing"`
		}
		ts.do("GET", "/api/v1/datasets/"+id, key, nil).json(t, &got)
		if got.Status != "published" || got.CurrentVersion != 1 || len(got.GeminiMissing) != 0 {
			t.Errorf("at %dpx the dataset through the API: %+v", w, got)
		}
		j.look("dataset-published")

		// The metadata edited after publication: the web address stays.
		j.follow("/publishing/datasets/"+id+"/edit", "form.workbench")
		if browsertest.Eval[bool](j.b, `document.querySelector('[name="slug"]') !== null`) {
			t.Errorf("at %dpx a published dataset's web address is offered for editing", w)
		}
		j.fill(map[string]string{"keywords": "parking, car parks, blue badge"})
		j.look("dataset-edit")
		j.submit("form.workbench", ".notice-done")
		j.expect(".notice-done", "The changes are saved")

		j.follow("/publishing/datasets/"+id+"/harvest", "#h-dcat")
		for sel, want := range map[string]string{"#h-dcat ~ pre": title, "#h-datajson ~ pre": got.Slug, "#h-ckan ~ pre": `"name": "` + got.Slug,
			"#h-gemini ~ pre": "MD_Metadata", "#h-ogc ~ pre": `"id": "` + got.Slug} {
			j.expect(sel, want)
		}
		j.look("harvest")
		// Withdrawing asks first; the publisher keeps it published.
		j.open("/publishing/datasets/" + id)
		j.follow("/publishing/datasets/"+id+"/withdraw", "form.workbench")
		j.look("withdraw-confirm")
		j.follow("/publishing/datasets/"+id, ".tag-green")
		j.signOut()
	}
	// The pages' writes are audited as the API's: by the signed-in person's
	// role and council, one actor per sign-in (the OIDC person, the key).
	actions, actors := map[string]int{}, map[string]bool{}
	for _, e := range append(auditOf(t, ts.Store, appod.CollDatasets), auditOf(t, ts.Store, appod.CollVersions)...) {
		if e.Actor == "system" {
			continue // the job publishing the processed version
		}
		if e.ActorRole != "publisher" || e.ActorOrg != "neddc" || e.Actor == "" || e.RequestID == "" {
			t.Errorf("audit entry %s by %q (%s, %s), request %q", e.Action, e.Actor, e.ActorRole, e.ActorOrg, e.RequestID)
		}
		actions[e.Action]++
		actors[e.Actor] = true
	}
	// Two uploads each: the refused one never reached the use case.
	if actions["dataset.create"] != 2 || actions["dataset.update"] != 4 || actions["dataset.version.upload"] != 2 || len(actors) != 2 {
		t.Errorf("the audit log: %v by %d actors; want 2 creates and uploads, 2 publishes and 2 edits, by 2", actions, len(actors))
	}
}
