package api

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
)

// sourcingFixture is a server with a small catalogue and the README's
// worked example as Bolsover's draft comparison.
type sourcingFixture struct {
	ts                 *testServer
	officer, neighbour string // keys: Bolsover's officer, Chesterfield's
	comparison         string
}

func newSourcingFixture(t *testing.T) sourcingFixture {
	t.Helper()
	ts := newTestServer(t)
	f := sourcingFixture{ts: ts, officer: ts.key(domain.RoleOfficer, "bdc"), neighbour: ts.key(domain.RoleOfficer, "neddc")}
	vm := gcService("100000000000001", "Secure virtual machines")
	vm.CyberEssentials = true
	backup := gcService("100000000000002", "Cloud backup for councils")
	backup.Lot, backup.ServiceCategories = sourcing.LotSoftware, []string{"Backup and recovery"}
	backup.StandardsISOIEC27001 = false
	twelve := sourcing.MustDec("12")
	backup.PriceMin, backup.PriceMax, backup.PriceUnit, backup.PriceInterval = sourcing.MustDec("9.50"), &twelve, "User", "Month"
	backup.CyberEssentials = true
	plain := gcService("100000000000003", "Managed hosting")
	ts.importJSON(f.officer, vm, backup, plain)
	f.comparison = ts.postWorkedExample(f.officer, nil).ID
	return f
}

// The search page applies the Digital Marketplace's any-of and all-of
// through the API's own rules, and its pages answer as the API does.
func TestSourcingPagesSearchWithAnyOfAndAllOf(t *testing.T) {
	f := newSourcingFixture(t)
	v := newVisitor(t, f.ts)
	v.signIn(f.officer)
	found := func(q url.Values) []string {
		t.Helper()
		r := v.get("/sourcing/services?" + q.Encode())
		if r.Status != http.StatusOK {
			t.Fatalf("search %s: %d\n%.3000s", q.Encode(), r.Status, r.Body)
		}
		var names []string
		for _, n := range []string{"Secure virtual machines", "Cloud backup for councils", "Managed hosting"} {
			if strings.Contains(string(r.Body), n) {
				names = append(names, n)
			}
		}
		return names
	}
	anyOf := found(url.Values{"assurance": {"iso-iec-27001", "cyber-essentials"}, "assuranceMatch": {"any"}})
	allOf := found(url.Values{"assurance": {"iso-iec-27001", "cyber-essentials"}, "assuranceMatch": {"all"}})
	if len(anyOf) != 3 || len(allOf) != 1 || allOf[0] != "Secure virtual machines" {
		t.Errorf("any of ISO 27001, Cyber Essentials: %v; all of them: %v", anyOf, allOf)
	}
	// A link in the API's own form (a saved search's results) means what it says there.
	if got := found(url.Values{"lot": {"cloud-software,cloud-hosting"}}); len(got) != 3 {
		t.Errorf("lot=cloud-software,cloud-hosting finds %v", got)
	}
	if r := v.get("/sourcing/services?priceMin=cheap"); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "non-negative amount") {
		t.Errorf("a bad price: %d\n%.2000s", r.Status, r.Body)
	}
	if r := v.get("/sourcing/services/100000000000002"); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "Backup and recovery") {
		t.Errorf("service page: %d", r.Status)
	}
	if r := v.get("/sourcing/services/nope"); r.Status != http.StatusNotFound {
		t.Errorf("no such service: %d", r.Status)
	}
	for _, p := range []string{"/sourcing", "/sourcing/comparisons", "/sourcing/comparisons/" + f.comparison,
		"/sourcing/comparisons/" + f.comparison + "/edit", "/sourcing/comparisons/new", "/sourcing/searches"} {
		if r := v.get(p); r.Status != http.StatusOK {
			t.Errorf("%s: %d\n%.3000s", p, r.Status, r.Body)
		}
	}
}

// A draft is Bolsover's: another council's officer gets 404, as from the
// API, and a visitor who is not signed in is sent to sign in.
func TestSourcingPagesKeepDraftsPrivate(t *testing.T) {
	f := newSourcingFixture(t)
	other := newVisitor(t, f.ts)
	other.signIn(f.neighbour)
	for _, p := range []string{"/sourcing/comparisons/" + f.comparison, "/sourcing/comparisons/" + f.comparison + "/edit",
		"/sourcing/comparisons/" + f.comparison + "/report"} {
		if r := other.get(p); r.Status != http.StatusNotFound {
			t.Errorf("%s for another council: %d", p, r.Status)
		}
	}
	if r := other.get("/sourcing/comparisons"); strings.Contains(string(r.Body), f.comparison) {
		t.Errorf("another council's list shows the draft")
	}
	page := other.get("/sourcing")
	if r := other.send(http.MethodPost, "/sourcing/comparisons/"+f.comparison+"/publish", url.Values{"csrf": {other.csrf(page)}}); r.Status != http.StatusNotFound {
		t.Errorf("another council publishes: %d", r.Status)
	}
	anon := newVisitor(t, f.ts)
	if r := anon.get("/sourcing/comparisons/" + f.comparison); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin?") {
		t.Errorf("anonymous: %d %s", r.Status, r.Header.Get("Location"))
	}
	// A form without its token is refused and changes nothing.
	mine := newVisitor(t, f.ts)
	mine.signIn(f.officer)
	r := mine.send(http.MethodPost, "/sourcing/comparisons/"+f.comparison+"/decide", url.Values{"decision": {"Approve"}, "by": {"Cabinet"}})
	if r.Status != http.StatusForbidden {
		t.Errorf("a post without the CSRF token: %d", r.Status)
	}
	v, err := f.ts.srv.app.Sourcing.GetComparison(context.Background(), audit.System, f.comparison)
	if err != nil || v.State != sourcing.StateDraft {
		t.Errorf("after the refused post: %v %v", v.State, err)
	}
}

// The new comparison form can start its first on-premise option from the
// council's estate register.
func TestSourcingPagesStartOnPremiseFromTheEstate(t *testing.T) {
	f := newSourcingFixture(t)
	for _, a := range []map[string]any{
		{"id": "hosts", "category": "server", "product": "PowerEdge R740", "quantity": 2, "replacementCost": "12000", "refreshYears": 5, "acquired": "2019-04-01", "powerWatts": 325},
		{"id": "windows", "category": "software", "product": "Windows Server 2003", "quantity": 2, "replacementCost": "900", "licence": "perpetual"},
	} {
		if r := f.ts.do("POST", "/api/v1/organisations/bdc/estate", f.officer, a); r.Status != http.StatusCreated {
			t.Fatalf("asset: %d %s", r.Status, r.Body)
		}
	}
	v := newVisitor(t, f.ts)
	v.signIn(f.officer)
	r := v.get("/sourcing/comparisons/new?estate=yes")
	body := string(r.Body)
	for _, want := range []string{`name="onPremOptions[0].servers" value="2"`, `name="onPremOptions[0].hardwareCapex" value="24000"`,
		`name="onPremOptions[0].licencesOneOff" value="1800"`, `name="onPremOptions[0].powerWatts" value="650"`, "filled from 2 assets"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form from the estate lacks %s", want)
		}
	}
}

// Once published, another council's officer reads the comparison's page
// without what is exempt, and is told it is withheld.
func TestSourcingPagesShowThePublicViewOfAPublishedComparison(t *testing.T) {
	f := newSourcingFixture(t)
	secret := "Replace the hosts before the lease ends in March 2027"
	id := f.ts.postWorkedExample(f.officer, map[string]any{"purpose": secret}).ID
	if r := f.ts.do("POST", "/api/v1/comparisons/"+id+"/exempt", f.officer, map[string]any{"field": "purpose", "reason": "The lease is being renegotiated"}); r.Status != http.StatusOK {
		t.Fatalf("exempt: %d %s", r.Status, r.Body)
	}
	f.ts.decideAndPublish(f.officer, id)
	other := newVisitor(t, f.ts)
	other.signIn(f.neighbour)
	r := other.get("/sourcing/comparisons/" + id)
	if body := string(r.Body); r.Status != http.StatusOK || strings.Contains(body, secret) || !strings.Contains(body, "Withheld from this public view") ||
		strings.Contains(body, `action="/sourcing/comparisons/`+id+`/exempt"`) {
		t.Errorf("another council's officer: %d\n%.4000s", r.Status, body)
	}
	mine := newVisitor(t, f.ts)
	mine.signIn(f.officer)
	if body := string(mine.get("/sourcing/comparisons/" + id).Body); !strings.Contains(body, secret) {
		t.Errorf("the council's own officer does not see its purpose")
	}
}

// "Add another row" shows the form again as typed with a blank row more,
// and creates nothing.
func TestSourcingPagesAddRowsWithoutScript(t *testing.T) {
	f := newSourcingFixture(t)
	v := newVisitor(t, f.ts)
	v.signIn(f.officer)
	page := v.get("/sourcing/comparisons/new")
	r := v.send(http.MethodPost, "/sourcing/comparisons/new", url.Values{"csrf": {v.csrf(page)}, "_more": {"yes"}, "title": {"Backup"},
		"drivers[0].id": {"users"}, "drivers[1].id": {""}})
	body := string(r.Body)
	if r.Status != http.StatusOK || !strings.Contains(body, `name="title" value="Backup"`) || !strings.Contains(body, `name="drivers[0].id" value="users"`) ||
		!strings.Contains(body, `name="drivers[2].id"`) || strings.Contains(body, `name="drivers[3].id"`) {
		t.Errorf("add a row: %d\n%.3000s", r.Status, body)
	}
	if _, ok := comparisonTitled(t, f.ts, "Backup"); ok {
		t.Error("adding a row created the comparison")
	}
}

// Every comparison and saved search, in every state, as every audience
// signed in to the pages: each page answers as the API does (200 or 404),
// and no page shows what the API withholds from that reader.
func TestSourcingPagesAnswerAsTheAPIDoes(t *testing.T) {
	w := newSourcingWorld(t)
	ts := w.ts
	pages := func(id string) map[string]string {
		return map[string]string{"/sourcing/comparisons/" + id: "/api/v1/comparisons/" + id,
			"/sourcing/comparisons/" + id + "/report": "/api/v1/comparisons/" + id + "/report"}
	}
	var checked int
	for _, au := range []audience{w.own, w.partner, w.other, w.admin} {
		v := newVisitor(t, ts)
		v.signIn(au.key)
		for _, id := range []string{w.draft, w.unlinked, w.decided, w.published, w.exempt} {
			for page, api := range pages(id) {
				want := ts.do("GET", api, au.key, nil).Status
				got := v.get(page)
				if got.Status != want {
					t.Errorf("%s: %s answers %d, the API %d", au.name, page, got.Status, want)
				}
				if id == w.exempt && au.name == w.other.name {
					for _, secret := range w.secrets {
						if strings.Contains(string(got.Body), secret) {
							t.Errorf("%s: %s shows the exempt %q", au.name, page, secret)
						}
					}
				}
				checked++
			}
		}
		for _, id := range []string{w.search, w.linkedSearch} {
			if got, want := v.get("/sourcing/searches/"+id).Status, ts.do("GET", "/api/v1/saved-searches/"+id, au.key, nil).Status; got != want {
				t.Errorf("%s: saved search %s answers %d, the API %d", au.name, id, got, want)
			}
		}
	}
	publisher := newVisitor(t, ts)
	publisher.signIn(w.publisher.key)
	if r := publisher.get("/sourcing/comparisons/" + w.published); r.Status != http.StatusForbidden {
		t.Errorf("a publisher on the sourcing pages: %d", r.Status)
	}
	if checked != 40 {
		t.Fatalf("checked %d pages", checked)
	}
}

// A form filled in on a version someone has since changed writes nothing
// and says so (412, as every page's form does), showing the latest.
func TestSourcingPagesRefuseAStaleForm(t *testing.T) {
	f := newSourcingFixture(t)
	v := newVisitor(t, f.ts)
	v.signIn(f.officer)
	page := v.get("/sourcing/comparisons/" + f.comparison)
	stale := regexp.MustCompile(`name="version" value="(\d+)"`).FindSubmatch(page.Body)
	if stale == nil {
		t.Fatal("the page has no version")
	}
	f.ts.mustDo("PATCH", "/api/v1/comparisons/"+f.comparison, f.officer, map[string]any{"purpose": "Changed meanwhile"})
	r := v.send(http.MethodPost, "/sourcing/comparisons/"+f.comparison+"/decide", url.Values{"csrf": {v.csrf(page)},
		"version": {string(stale[1])}, "decision": {"Approve"}, "by": {"Cabinet"}})
	if r.Status != http.StatusPreconditionFailed || !strings.Contains(string(r.Body), "Someone else changed this") || !strings.Contains(string(r.Body), "Changed meanwhile") {
		t.Errorf("a stale decision: %d\n%.3000s", r.Status, r.Body)
	}
	got, err := f.ts.srv.app.Sourcing.GetComparison(context.Background(), audit.System, f.comparison)
	if err != nil || got.State != sourcing.StateDraft {
		t.Errorf("after the stale form: %s %v", got.State, err)
	}
}
