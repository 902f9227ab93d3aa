package api

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// workbenchFixture is a procurement, an asset and a dataset with a
// version, made through the JSON API, so every page of the officers' and
// publishers' routes has a record to show.
type workbenchFixture struct {
	ts                  *testServer
	keys                procKeys
	proc, dataset, slug string
}

func newWorkbenchFixture(t *testing.T) workbenchFixture {
	t.Helper()
	ts := newTestServer(t)
	f := workbenchFixture{ts: ts, keys: newProcKeys(ts)}
	f.proc = createProc(t, ts, f.keys.host, procInput("JICT-2026-100", "gcloudDirectAward")).ID
	if r := ts.do("POST", "/api/v1/organisations/neddc/estate", f.keys.host, map[string]any{"id": "srv-01", "category": "server",
		"product": "Windows Server 2016", "quantity": 1, "replacementCost": "3000.00"}); r.Status != 201 {
		t.Fatalf("asset: %d %s", r.Status, r.Body)
	}
	if r := ts.do("PUT", "/api/v1/organisations/neddc/capital-programme/lines/wifi", f.keys.host, map[string]any{"description": "Wi-Fi refresh",
		"kind": "hardware", "amounts": []map[string]any{{"year": "2027/28", "amount": "12000.00"}}}); r.Status != 200 {
		t.Fatalf("manual line: %d %s", r.Status, r.Body)
	}
	if r := ts.do("POST", "/api/v1/organisations/neddc/capital-programme/reviews", f.keys.host, map[string]any{"approvedBy": "Joint ICT Committee",
		"body": "Joint ICT Committee", "date": dayAgo(0)}); r.Status != 201 {
		t.Fatalf("review: %d %s", r.Status, r.Body)
	}
	d := ts.createDataset(f.keys.publisher, map[string]any{"title": "Car parks", "description": "Council car parks"})
	ts.publishUpload(f.keys.publisher, d.ID, "parks.csv", []byte("car park,spaces\nMill Lane,120\n"), "")
	f.dataset, f.slug = d.ID, d.Slug
	return f
}

// workbenchRoutes are the routes of the officers' and publishers' pages of
// a method, with their parameters filled in from the fixture.
func (f workbenchFixture) workbenchRoutes(method string) []string {
	var out []string
	for _, rt := range f.ts.srv.Echo.Routes() {
		if rt.Method != method || !(strings.HasPrefix(rt.Path, "/procurement") || strings.HasPrefix(rt.Path, "/publishing")) {
			continue
		}
		id := f.proc
		if strings.HasPrefix(rt.Path, "/publishing") {
			id = f.dataset
		}
		out = append(out, strings.NewReplacer(":id", id, ":org", "neddc", ":asset", "srv-01", ":line", "wifi", ":n", "1").Replace(rt.Path))
	}
	return out
}

// TestWorkbenchPagesSendAnonymousVisitorsToSignIn: every page of the
// procurement and publishing routes, read or posted to without a session,
// sends a browser to the sign-in page (and back afterwards) and answers
// other clients 401; none shows anything.
func TestWorkbenchPagesSendAnonymousVisitorsToSignIn(t *testing.T) {
	f := newWorkbenchFixture(t)
	anon := newVisitor(t, f.ts)
	gets, posts := f.workbenchRoutes(http.MethodGet), f.workbenchRoutes(http.MethodPost)
	if len(gets) < 15 || len(posts) < 10 {
		t.Fatalf("only %d pages and %d forms found: %v %v", len(gets), len(posts), gets, posts)
	}
	for _, p := range gets {
		r := anon.get(p)
		back := url.Values{"next": {p}}
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/signin?"+back.Encode() {
			t.Errorf("anonymous GET %s: %d %s", p, r.Status, r.Header.Get("Location"))
		}
		if r := f.ts.do("GET", p, "", nil, "Accept", "application/json"); r.Status != http.StatusUnauthorized {
			t.Errorf("GET %s by a client without a session: %d", p, r.Status)
		}
	}
	for _, p := range posts {
		r := anon.send(http.MethodPost, p, url.Values{"title": {"anything"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/signin?") {
			t.Errorf("anonymous POST %s: %d %s", p, r.Status, r.Header.Get("Location"))
		}
	}
	// The header's links land on the jobs' pages once signed in.
	officer := newVisitor(t, f.ts)
	officer.signIn(f.keys.host)
	if r := officer.get("/procurement"); r.Status != 200 || !strings.Contains(string(r.Body), "Joint procurement register") {
		t.Errorf("/procurement for an officer: %d", r.Status)
	}
	publisher := newVisitor(t, f.ts)
	publisher.signIn(f.keys.publisher)
	if r := publisher.get("/publishing"); r.Status != 200 || !strings.Contains(string(r.Body), "Car parks") {
		t.Errorf("/publishing for a publisher: %d", r.Status)
	}
	for _, p := range gets {
		v := officer
		if strings.HasPrefix(p, "/publishing") {
			v = publisher
		}
		if r := v.get(p); r.Status != 200 {
			t.Errorf("GET %s signed in: %d\n%.1500s", p, r.Status, r.Body)
		}
	}
}

// TestWorkbenchPagesRefuseOtherRolesAndCouncils: a publisher has no
// procurement pages, an officer no publishing pages, and a council's
// estate and programme are its own officers'.
func TestWorkbenchPagesRefuseOtherRolesAndCouncils(t *testing.T) {
	f := newWorkbenchFixture(t)
	publisher, partner := newVisitor(t, f.ts), newVisitor(t, f.ts)
	publisher.signIn(f.keys.publisher)
	partner.signIn(f.keys.partner)
	for _, c := range []struct {
		v    *visitor
		path string
	}{{publisher, "/procurement"}, {publisher, "/procurement/" + f.proc}, {partner, "/publishing"}, {partner, "/publishing/datasets/" + f.dataset},
		{partner, "/procurement/estate/neddc"}, {partner, "/procurement/capital/neddc"}, {partner, "/procurement/partners/neddc"}} {
		r := c.v.get(c.path)
		if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "You cannot do this") {
			t.Errorf("GET %s: %d\n%.800s", c.path, r.Status, r.Body)
		}
	}
	// A council outside the procurement is told its pipeline procurement
	// does not exist, on every page of it, as the API tells it.
	outsider := newVisitor(t, f.ts)
	outsider.signIn(f.keys.outsider)
	if r := f.ts.do("GET", "/api/v1/procurements/"+f.proc, f.keys.outsider, nil); r.Status != http.StatusNotFound {
		t.Errorf("the API shows an outsider the pipeline procurement: %d", r.Status)
	}
	for _, p := range f.workbenchRoutes(http.MethodGet) {
		if strings.HasPrefix(p, "/procurement/"+f.proc) {
			if r := outsider.get(p); r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "Page not found") {
				t.Errorf("GET %s by an outsider: %d", p, r.Status)
			}
		}
	}
	// The partner reads the procurement but may not run its lifecycle.
	if r := partner.get("/procurement/" + f.proc + "/move"); r.Status != 200 {
		t.Fatalf("the move form for a partner: %d", r.Status)
	}
	page := partner.get("/procurement/" + f.proc + "/move")
	r := partner.send(http.MethodPost, "/procurement/"+f.proc+"/move", url.Values{"csrf": {partner.csrf(page)}, "to": {"planning"}, "reason": {"mine"}})
	if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "nly officers of the host authority") {
		t.Errorf("a partner's move: %d\n%.800s", r.Status, r.Body)
	}
	var p procOut
	f.ts.do("GET", "/api/v1/procurements/"+f.proc, f.keys.host, nil).json(t, &p)
	if p.State != "pipeline" {
		t.Errorf("the partner's refused move moved the procurement to %s", p.State)
	}
}

// TestWorkbenchFormsRefuseAPostWithoutTheCSRFToken: every form of the
// procurement and publishing pages refuses a post from a signed-in browser
// without this page's token (and with a wrong one), before it is read;
// nothing is written.
func TestWorkbenchFormsRefuseAPostWithoutTheCSRFToken(t *testing.T) {
	f := newWorkbenchFixture(t)
	officer, publisher := newVisitor(t, f.ts), newVisitor(t, f.ts)
	officer.signIn(f.keys.host)
	publisher.signIn(f.keys.publisher)
	for _, p := range f.workbenchRoutes(http.MethodPost) {
		v := officer
		if strings.HasPrefix(p, "/publishing") {
			v = publisher
		}
		for _, token := range []string{"", "bm90LXRoZS10b2tlbg"} {
			form := url.Values{"reference": {"JICT-2026-666"}, "title": {"Forged"}, "to": {"planning"}, "reason": {"forged"}}
			if token != "" {
				form.Set("csrf", token)
			}
			r := v.send(http.MethodPost, p, form)
			if r.Status != http.StatusForbidden || !strings.Contains(string(r.Body), "form has expired") {
				t.Errorf("POST %s with token %q: %d\n%.600s", p, token, r.Status, r.Body)
			}
		}
	}
	// An upload without the token: the file is never read.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "forged.csv")
	fw.Write([]byte("a,b\n1,2\n"))
	mw.Close()
	r := publisher.send(http.MethodPost, "/publishing/datasets/"+f.dataset+"/versions", body.Bytes(), "Content-Type", mw.FormDataContentType())
	if r.Status != http.StatusForbidden {
		t.Errorf("an upload without the token: %d", r.Status)
	}
	var versions struct {
		Total int `json:"total"`
	}
	f.ts.do("GET", "/api/v1/datasets/"+f.dataset+"/versions", f.keys.publisher, nil).json(t, &versions)
	var p procOut
	f.ts.do("GET", "/api/v1/procurements/"+f.proc, f.keys.host, nil).json(t, &p)
	var list struct {
		Total int `json:"total"`
	}
	f.ts.do("GET", "/api/v1/procurements", f.keys.host, nil).json(t, &list)
	if versions.Total != 1 || p.State != "pipeline" || list.Total != 1 {
		t.Errorf("forged posts wrote: %d versions, state %s, %d procurements", versions.Total, p.State, list.Total)
	}
	// With the page's token the same form is accepted.
	page := officer.get("/procurement/" + f.proc + "/move")
	r = officer.send(http.MethodPost, "/procurement/"+f.proc+"/move", url.Values{"csrf": {officer.csrf(page)}, "to": {"planning"},
		"reason": {"Preliminary market engagement notice published"}, "version": {"0"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/procurement/"+f.proc+"?done=moved" {
		t.Errorf("the move with the token: %d %s\n%.800s", r.Status, r.Header.Get("Location"), r.Body)
	}
}

// TestWorkbenchFormKeepsValuesAndNamesProblems: a refused form shows the
// values as typed and each problem beside its input, linked from the
// summary; a stale form (the record changed since it was opened) says so
// and changes nothing.
func TestWorkbenchFormKeepsValuesAndNamesProblems(t *testing.T) {
	f := newWorkbenchFixture(t)
	v := newVisitor(t, f.ts)
	v.signIn(f.keys.host)
	page := v.get("/procurement/new")
	r := v.send(http.MethodPost, "/procurement/new", url.Values{"csrf": {v.csrf(page)}, "reference": {"bad ref!"}, "title": {"Kept <title>"},
		"category": {"services"}, "cpv": {"72000000-5"}, "partners": {"bdc"}, "route": {"openProcedure"}, "estimatedValue": {"100000"},
		"estimatedValueIncVat": {"90000"}, "termMonths": {"12"}, "shares.method": {"explicit"}, "shares.percentages.neddc": {"60"},
		"shares.percentages.bdc": {"30"}})
	body := string(r.Body)
	for _, want := range []string{`<a href="#reference">Reference must be 2-50 letters`, `value="Kept &lt;title&gt;"`,
		`<a href="#estimatedValueIncVat">Estimated value including VAT must be at least`, `The percentages add up to 90.00%`,
		`id="reference-error"`, `aria-invalid="true"`, `<title>Error: Register a new procurement`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused form lacks %s\n%s", want, body[:min(len(body), 2500)])
		}
	}
	if r.Status != http.StatusBadRequest {
		t.Errorf("refused form: %d", r.Status)
	}

	// Two people open the same form; the second submission is stale.
	first, second := v.get("/procurement/"+f.proc+"/move"), v.get("/procurement/"+f.proc+"/move")
	version := func(p response) string {
		m := strings.SplitN(strings.SplitN(string(p.Body), `name="version" value="`, 2)[1], `"`, 2)
		return m[0]
	}
	post := func(p response, reason string) response {
		return v.send(http.MethodPost, "/procurement/"+f.proc+"/move", url.Values{"csrf": {v.csrf(p)}, "to": {"planning"}, "reason": {reason}, "version": {version(p)}})
	}
	if r := post(first, "first"); r.Status != http.StatusSeeOther {
		t.Fatalf("first move: %d %.800s", r.Status, r.Body)
	}
	r = post(second, "second")
	if r.Status != http.StatusPreconditionFailed || !strings.Contains(string(r.Body), "Someone else changed this record") {
		t.Errorf("stale move: %d\n%.800s", r.Status, r.Body)
	}
	var p procOut
	f.ts.do("GET", "/api/v1/procurements/"+f.proc, f.keys.host, nil).json(t, &p)
	if len(p.History) != 1 || p.History[0]["reason"] != "first" {
		t.Errorf("history after a stale move: %v", p.History)
	}
}

// TestEstateImportFromExcelShowsRowProblems imports an estate register kept
// in Excel through the import page: the good rows are added, the bad one is
// listed by its row number and column, and nothing stops at it.
func TestEstateImportFromExcelShowsRowProblems(t *testing.T) {
	f := newWorkbenchFixture(t)
	v := newVisitor(t, f.ts)
	v.signIn(f.keys.host)
	x := excelize.NewFile()
	for i, row := range [][]any{{"Asset ID", "Type", "Model", "Qty", "Unit cost"}, {"sw-01", "switch", "Cisco Catalyst 9200", 4, 2400},
		{"lap-01", "laptop", "Dell Latitude 5440", "a few", 850}, {"fw-01", "firewall", "FortiGate 100F", 2, 3100}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var file bytes.Buffer
	if err := x.Write(&file); err != nil {
		t.Fatal(err)
	}
	page := v.get("/procurement/estate/neddc/import")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", v.csrf(page))
	fw, _ := mw.CreateFormFile("file", "Estate register 2026.xlsx")
	fw.Write(file.Bytes())
	mw.Close()
	r := v.send(http.MethodPost, "/procurement/estate/neddc/import", body.Bytes(), "Content-Type", mw.FormDataContentType())
	text := string(r.Body)
	if r.Status != 200 || !strings.Contains(text, "3 rows read: 2 assets added, 0 replaced, 1 problem to fix") ||
		!strings.Contains(text, `<td data-label="Row">3</td><td data-label="Column">quantity</td>`) {
		t.Fatalf("the import page: %d\n%.4000s", r.Status, text)
	}
	for id, want := range map[string]int{"sw-01": 200, "fw-01": 200, "lap-01": 404} {
		if r := f.ts.do("GET", "/api/v1/organisations/neddc/estate/"+id, f.keys.host, nil); r.Status != want {
			t.Errorf("asset %s after the import: %d, want %d", id, r.Status, want)
		}
	}
}

// TestSitemapListsEveryWorkbenchPage: signed in, the host's officer finds
// every kind of joint procurement page in the site map and the publisher
// every kind of publishing page, with their records filled in; each
// answers 200. Anonymous readers are shown none of them.
func TestSitemapListsEveryWorkbenchPage(t *testing.T) {
	f := newWorkbenchFixture(t)
	anon := newVisitor(t, f.ts)
	for href := range sitemapLinks(t, anon.get("/sitemap").Body) {
		if strings.HasPrefix(href, "/procurement") || strings.HasPrefix(href, "/publishing") {
			t.Errorf("the anonymous site map lists %s", href)
		}
	}
	for _, c := range []struct {
		key, prefix string
	}{{f.keys.host, "/procurement"}, {f.keys.publisher, "/publishing"}} {
		v := newVisitor(t, f.ts)
		v.signIn(c.key)
		links := sitemapLinks(t, v.get("/sitemap").Body)
		routes := map[string]bool{}
		for href, route := range links {
			routes[route] = true
			if strings.HasPrefix(href, c.prefix) {
				if r := v.get(href); r.Status != 200 {
					t.Errorf("%s in the site map answers %d", href, r.Status)
				}
			}
		}
		for _, rt := range f.ts.srv.Echo.Routes() {
			// The fixture's procurement is in the pipeline: a realised
			// saving is recorded once it is live.
			if rt.Method == http.MethodGet && strings.HasPrefix(rt.Path, c.prefix) && !routes[rt.Path] && rt.Path != "/procurement/:id/saving" {
				t.Errorf("the site map of %s lists no page of %s", c.prefix, rt.Path)
			}
		}
	}
}
