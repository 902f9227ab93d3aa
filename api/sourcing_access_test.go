package api

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// audience is one row of the authorisation matrix: a caller and its key.
type audience struct {
	name string
	key  string
}

// sourcingWorld is a host council (NEDDC) with a joint procurement shared
// with BDC, and comparisons of NEDDC in every state.
type sourcingWorld struct {
	ts                           *testServer
	own, partner, other, admin   audience
	anonymous, publisher         audience
	jp                           string
	draft, unlinked, decided     string
	published, exempt            string
	search, linkedSearch         string
	secretJustification, secrets []string
}

func (w *sourcingWorld) audiences() []audience {
	return []audience{w.anonymous, w.publisher, w.other, w.partner, w.own, w.admin}
}

// newSourcingWorld sets the world up through the API, except the joint
// procurement, which is written to the store as the procurement
// capability stores it (the domain record).
func newSourcingWorld(t *testing.T) *sourcingWorld {
	ts := newTestServer(t)
	w := &sourcingWorld{ts: ts, jp: "jp-rb-hosting",
		own:       audience{"own officer", ts.key(domain.RoleOfficer, "neddc")},
		partner:   audience{"partner officer", ts.key(domain.RoleOfficer, "bdc")},
		other:     audience{"other council's officer", ts.key(domain.RoleOfficer, "dddc")},
		admin:     audience{"admin", ts.Admin},
		anonymous: audience{"anonymous", ""},
		publisher: audience{"NEDDC publisher", ts.key(domain.RolePublisher, "neddc")}}
	jp := procurement.JointProcurement{ID: w.jp, Reference: "JICT-2026-021", Title: "Revenues and Benefits hosting",
		Host: "neddc", Partners: []string{"bdc"}, Route: procurement.RouteGCloudDirectAward, State: procurement.State("pipeline")}
	if _, err := ts.Store.Insert(context.Background(), "procurements", jp.ID, jp); err != nil {
		t.Fatal(err)
	}
	linked := map[string]any{"jointProcurement": w.jp}
	w.draft = ts.postWorkedExample(w.own.key, linked).ID
	w.unlinked = ts.postWorkedExample(w.own.key, nil).ID
	w.decided = ts.postWorkedExample(w.own.key, linked).ID
	ts.mustDo("POST", "/api/v1/comparisons/"+w.decided+"/decide", w.own.key, map[string]any{"decision": "Approve IaaS", "by": "Joint ICT Committee"})
	w.published = ts.postWorkedExample(w.own.key, linked).ID
	ts.decideAndPublish(w.own.key, w.published)

	// The exempt comparison recommends the SaaS option over the top-ranked
	// IaaS quote, and withholds the quote, the justification and a reason.
	w.secretJustification = []string{"Only the SaaS supplier integrates with the document management system"}
	w.secrets = append([]string{"IaaS virtual machines", "Needs two more virtual machines at peak"}, w.secretJustification...)
	w.exempt = ts.postWorkedExample(w.own.key, map[string]any{"jointProcurement": w.jp, "recommendedOption": "saas",
		"justification":    w.secretJustification[0],
		"rejectionReasons": map[string]string{"iaas": "Needs two more virtual machines at peak", "onprem": "The hosts reach end of support in 2026"}}).ID
	for _, f := range []string{"options.iaas", "justification", "rejectionReasons.iaas"} {
		ts.mustDo("POST", "/api/v1/comparisons/"+w.exempt+"/exempt", w.own.key, map[string]any{"field": f,
			"reason": "A supplier's quotation before award: commercially sensitive until the contract is signed"})
	}
	ts.decideAndPublish(w.own.key, w.exempt)

	var services []any
	for i := range 3 {
		services = append(services, gcService(fmt.Sprintf("91000000000000%d", i), fmt.Sprintf("Revenues hosting %d", i)))
	}
	ts.importJSON(w.own.key, services...)
	var ss savedSearchView
	ts.mustDo("POST", "/api/v1/saved-searches", w.own.key, map[string]any{"name": "Revenues hosting", "query": "q=revenues"}).json(t, &ss)
	w.search = ss.ID
	ts.mustDo("POST", "/api/v1/saved-searches", w.own.key, map[string]any{"name": "Revenues hosting (joint)", "query": "q=revenues"}).json(t, &ss)
	w.linkedSearch = ss.ID
	ts.mustDo("GET", "/api/v1/saved-searches/"+w.linkedSearch+"/export.csv", w.own.key, nil)
	ts.mustDo("POST", "/api/v1/saved-searches/"+w.linkedSearch+"/outcome", w.own.key, map[string]any{"result": "awarded",
		"serviceId": "910000000000001", "contractValue": "42000.00", "startDate": "2027-04-01", "endDate": "2030-03-31",
		"buyingOrganisation": "North East Derbyshire District Council", "comparisonId": w.published, "jointProcurement": w.jp})
	return w
}

// mustDo sends a request that must succeed.
func (ts *testServer) mustDo(method, path, key string, body any) response {
	ts.t.Helper()
	r := ts.do(method, path, key, body)
	if r.Status/100 != 2 {
		ts.t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
	return r
}

// TestSourcingAuthorisationMatrix reads and writes every comparison,
// report, chart, export and saved-search route as every audience, against
// comparisons in every state: no audience gets a 2xx it should not, and
// readers who may not know a record exists get 404.
func TestSourcingAuthorisationMatrix(t *testing.T) {
	w := newSourcingWorld(t)
	ts := w.ts
	comparisonReads := []string{"", "/report", "/chart.svg", "/export.csv", "/export.xlsx"}
	// may says who reads each comparison: everyone once published, else its
	// organisation's officers, admins, and the linked partner's officers.
	insiders := map[string]bool{w.own.name: true, w.admin.name: true}
	states := []struct {
		name, id string
		linked   bool
		public   bool
	}{{"draft", w.draft, true, false}, {"unlinked draft", w.unlinked, false, false}, {"decided", w.decided, true, false},
		{"published", w.published, true, true}, {"published with exempt fields", w.exempt, true, true}}
	unexpected := 0
	for _, st := range states {
		for _, au := range w.audiences() {
			mayRead := st.public || insiders[au.name] || st.linked && au.name == w.partner.name
			for _, suffix := range comparisonReads {
				r := ts.do("GET", "/api/v1/comparisons/"+st.id+suffix, au.key, nil)
				switch {
				case mayRead && r.Status != 200:
					t.Errorf("%s reading the %s comparison%s: %d, want 200", au.name, st.name, suffix, r.Status)
				case !mayRead && r.Status != 404:
					t.Errorf("%s reading the %s comparison%s: %d, want 404", au.name, st.name, suffix, r.Status)
				}
				if !mayRead && r.Status/100 == 2 {
					unexpected++
				}
			}
			// Writes: a body that is not even JSON, so a caller who may not
			// write learns nothing from its errors, and nothing is changed.
			for _, wr := range []struct{ method, suffix string }{{"PATCH", ""}, {"DELETE", ""}, {"POST", "/decide"},
				{"POST", "/publish"}, {"POST", "/exempt"}, {"POST", "/release"}} {
				if insiders[au.name] {
					continue // the lifecycle tests cover what insiders may do in each state
				}
				r := ts.do(wr.method, "/api/v1/comparisons/"+st.id+wr.suffix, au.key, "{not json", "Content-Type", "application/json")
				want := 403
				switch {
				case au.key == "":
					want = 401
				case au.name == w.publisher.name:
					want = 403
				case !mayRead:
					want = 404
				}
				if r.Status != want {
					t.Errorf("%s: %s %s on the %s comparison: %d, want %d", au.name, wr.method, wr.suffix, st.name, r.Status, want)
				}
				if r.Status/100 == 2 {
					unexpected++
				}
			}
		}
	}

	// Saved searches are never published: their organisation's officers
	// and admins, and once an outcome links a joint procurement, its
	// parties' officers.
	for _, ss := range []struct {
		name, id string
		linked   bool
	}{{"saved search", w.search, false}, {"saved search with a joint award", w.linkedSearch, true}} {
		for _, au := range w.audiences() {
			mayRead := insiders[au.name] || ss.linked && au.name == w.partner.name
			for _, suffix := range []string{"", "/export.csv", "/export.xlsx"} {
				r := ts.do("GET", "/api/v1/saved-searches/"+ss.id+suffix, au.key, nil)
				if mayRead && r.Status != 200 || !mayRead && r.Status != 404 {
					t.Errorf("%s reading the %s%s: %d (may read: %v)", au.name, ss.name, suffix, r.Status, mayRead)
				}
				if !mayRead && r.Status/100 == 2 {
					unexpected++
				}
			}
			if !insiders[au.name] {
				r := ts.do("POST", "/api/v1/saved-searches/"+ss.id+"/outcome", au.key, "{not json", "Content-Type", "application/json")
				if r.Status/100 == 2 || r.Status == 400 {
					t.Errorf("%s recording the %s's outcome: %d", au.name, ss.name, r.Status)
					unexpected++
				}
			}
		}
	}
	if unexpected > 0 {
		t.Errorf("%d unexpected 2xx answers", unexpected)
	}

	// Listings: anonymous and other councils see published comparisons
	// only; a partner also sees the drafts linked to its procurement.
	listed := func(key string) map[string]string {
		var l listResponse[comparisonSummaryView]
		ts.mustDo("GET", "/api/v1/comparisons?limit=500", key, nil).json(t, &l)
		out := map[string]string{}
		for _, c := range l.Items {
			out[c.ID] = c.State
		}
		if int(l.Total) != len(l.Items) {
			t.Errorf("listing total %d, %d items", l.Total, len(l.Items))
		}
		return out
	}
	for _, au := range []audience{w.anonymous, w.publisher, w.other} {
		got := listed(au.key)
		for id, state := range got {
			if state != "published" {
				t.Errorf("%s's listing shows %s, a %s comparison", au.name, id, state)
			}
		}
		if len(got) != 2 {
			t.Errorf("%s's listing has %d comparisons, want the 2 published", au.name, len(got))
		}
	}
	got := listed(w.partner.key)
	if _, ok := got[w.unlinked]; ok || got[w.draft] != "draft" || got[w.decided] != "decided" || len(got) != 4 {
		t.Errorf("the partner's listing %v: want the linked draft and decided ones and the published, not the unlinked draft", got)
	}
	if got := listed(w.own.key); len(got) != 5 {
		t.Errorf("the owner's listing has %d comparisons, want 5", len(got))
	}
}

// TestSourcingExemptFieldsAreWithheldEverywhere reads the published
// comparison with exempt fields through every public route: none prints a
// withheld field, and the owner's officers still see them.
func TestSourcingExemptFieldsAreWithheldEverywhere(t *testing.T) {
	w := newSourcingWorld(t)
	ts := w.ts
	path := "/api/v1/comparisons/" + w.exempt
	text := func(key, suffix string) string {
		t.Helper()
		r := ts.mustDo("GET", path+suffix, key, nil)
		if suffix != "/export.xlsx" {
			return string(r.Body)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, sheet := range f.GetSheetList() {
			rows, _ := f.GetRows(sheet)
			for _, row := range rows {
				b.WriteString(strings.Join(row, "\t") + "\n")
			}
		}
		return b.String()
	}
	for _, au := range []audience{w.anonymous, w.other} {
		for _, suffix := range []string{"", "/report", "/chart.svg", "/export.csv", "/export.xlsx"} {
			body := text(au.key, suffix)
			for _, secret := range w.secrets {
				if strings.Contains(body, secret) {
					t.Errorf("%s: %s%s prints the withheld %q", au.name, path, suffix, secret)
				}
			}
			if !strings.Contains(body, "Hosted R") {
				t.Errorf("%s: %s%s lacks the options that are not withheld", au.name, path, suffix)
			}
		}
	}
	var pub comparisonView
	ts.mustDo("GET", path, "", nil).json(t, &pub)
	// IaaS is the cheapest and the greenest option: every visible option's
	// price points, environmental score and best-value score are relative
	// to its figures, so they are withheld with it.
	var withheld []string
	for _, f := range pub.Withheld {
		withheld = append(withheld, f.Field)
	}
	slices.Sort(withheld)
	if want := []string{"justification", "options.iaas", "rejectionReasons.iaas", "results.bestValueScore", "results.environmentalScore",
		"results.pricePoints"}; !slices.Equal(withheld, want) || pub.Access.Full || pub.CreatedBy != "" {
		t.Errorf("public view: withheld %q (want %q), access %+v, createdBy %q", withheld, want, pub.Access, pub.CreatedBy)
	}
	report := text("", "/report")
	for _, want := range []string{"The officer recommends <strong>Hosted R&amp;B (SaaS)</strong>", "[Withheld: exempt information under paragraph 3",
		"Rejected. The hosts reach end of support in 2026", "Exempt information withheld from this report"} {
		if !strings.Contains(report, want) {
			t.Errorf("the public report lacks %q", want)
		}
	}
	for _, suffix := range []string{"", "/report"} {
		body := text(w.partner.key, suffix)
		for _, secret := range w.secrets {
			if !strings.Contains(body, secret) {
				t.Errorf("the partner officer's %s%s lacks %q", path, suffix, secret)
			}
		}
	}

	// Released after award, the quote is public.
	ts.mustDo("POST", path+"/release", w.own.key, appsrc.ReleaseInput{Fields: []string{"options.iaas", "rejectionReasons.iaas"}})
	if body := text("", "/report"); !strings.Contains(body, "IaaS virtual machines") || strings.Contains(body, w.secretJustification[0]) {
		t.Error("after release the public report should show the IaaS option and still withhold the justification")
	}
}
