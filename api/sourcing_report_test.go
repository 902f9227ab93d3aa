package api

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/internal/testref"
)

// reportHeadings are the councils' report template's sections, as the
// report prints them.
var reportHeadings = []string{"Purpose of the Report", "1 Report Details", "2 Conclusions and Reasons for Recommendation",
	"3 Consultation and Equality Impact", "4 Alternative Options and Reasons for Rejection", "5 Implications",
	"5.1 Finance and Risk Implications", "5.2 Legal Implications including Data Protection", "5.3 Human Resources Implications",
	"6 Recommendations", "7 Decision Information", "8 Document Information", "Appendix A: Options appraisal",
	"Appendix B: Assumptions and sources"}

// officerReportText is what an officer writes for the Cabinet report of
// the README's worked example: every field of the report text.
func officerReportText() map[string]any {
	return map[string]any{
		"meeting": "Cabinet", "meetingDate": "2026-03-12", "reportOf": "Assistant Director of ICT", "portfolioHolder": "Councillor A. Smith, Finance",
		"reference": "PW/01/26/NB",
		"background": "The Revenues and Benefits system runs on two hosts bought in 2019 whose operating system, Windows Server 2012 R2, is out of extended support.\n\n" +
			"The system holds the council tax and housing benefit records of 47,000 households; it must be available during annual billing in March.",
		"conclusions":     "Hosting the system on G-Cloud virtual machines costs least over five years and removes the council's end-of-support risk.",
		"consultation":    "The Joint ICT Committee's partner councils, the Revenues and Benefits service manager and the unions were consulted in January 2026.",
		"equalityImpact":  "An equality impact assessment found no differential impact: the service's users see no change.",
		"finance":         "The costs fall within the ICT revenue budget line 4100; the hosts' replacement is removed from the capital programme.",
		"legal":           "The call-off contract uses the G-Cloud 15 terms; the council's constitution allows direct award from the framework.",
		"dataProtection":  "Personal data stays in UK data centres; a data protection impact assessment was completed in February 2026.",
		"humanResources":  "No post changes; two staff are trained on cloud administration.",
		"recommendations": []string{"That Cabinet approves the call-off of IaaS virtual machines for five years.", "That the Assistant Director of ICT is authorised to sign the call-off contract."},
		"wardsAffected":   "All", "corporatePlanPriorities": "Transforming our council: digital by default.",
		"appendices":       []string{"Data protection impact assessment (summary)"},
		"backgroundPapers": []string{"G-Cloud shortlist export of 20 January 2026"},
		"author":           "Sam Patel, ICT Manager", "contact": "01246 231111",
	}
}

func TestSourcingReportFollowsTheCouncilsTemplate(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	jp := procurement.JointProcurement{ID: "jp-rb", Reference: "JICT-2026-021", Title: "Revenues and Benefits hosting", Host: "neddc",
		Partners: []string{"bdc"}, Route: procurement.RouteGCloudDirectAward, State: procurement.State("pipeline"), TermMonths: 60,
		Shares: procurement.ShareBasis{Method: procurement.ShareExplicit, Percentages: map[string]procurement.Percent{"neddc": 6500, "bdc": 3500}}}
	if _, err := ts.Store.Insert(context.Background(), "procurements", jp.ID, jp); err != nil {
		t.Fatal(err)
	}
	rec := ts.postWorkedExample(officer, map[string]any{
		"purpose":          "To choose how to host the Revenues and Benefits system when the current hosts reach the end of support.",
		"risks":            []string{"Data migration of 20 years of claims history <must be tested> before go-live."},
		"rejectionReasons": map[string]string{"saas": "Does not support the council's document management integration."},
		"report":           officerReportText(), "jointProcurement": jp.ID,
	})
	r := ts.do("GET", "/api/v1/comparisons/"+rec.ID+"/report", officer, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("report: %d %s", r.Status, r.Body)
	}
	html := string(r.Body)
	for _, want := range append(reportHeadings,
		"North East Derbyshire District Council", "Cabinet · 12 March 2026", "Assistant Director of ICT", "PW/01/26/NB",
		"This report is public.", "end of support", "<span class=\"no\">1.1</span> The Revenues and Benefits system runs on two hosts",
		"<span class=\"no\">1.2</span> The system holds", "The officer recommends <strong>IaaS virtual machines</strong>",
		"removes the council&#39;s end-of-support risk", "unions were consulted", "no differential impact",
		// Alternatives in prose, with the officer's reason and the ranking's.
		"<strong>Hosted R&amp;B (SaaS)</strong> (a G-Cloud service; ranked 2 of 3", "was rejected because: Does not support the council",
		"<strong>On-premise (2 hosts)</strong> (on-premise, the council's present arrangement; ranked 3 of 3",
		// Finance by financial year, capital and revenue, and per partner.
		"The recommended option costs £136,283.28", "cash by financial year (April to March)", "<th scope=\"row\">2025/26</th>",
		"<th scope=\"row\">2029/30</th>", "£136,283.28", "Split between the partners of joint procurement JICT-2026-021",
		"North East Derbyshire District Council (65.00%)", "Bolsover District Council (35.00%)", "budget line 4100",
		"&lt;must be tested&gt;", "lowest published G-Cloud price",
		"a G-Cloud service of Example", "G-Cloud 15 terms", "UK data centres", "0.25 full-time equivalent", "two staff are trained",
		"<span class=\"no\">6.1</span> That Cabinet approves the call-off", "<span class=\"no\">6.2</span> That the Assistant Director",
		"Yes: the recommended option&#39;s whole-life cost is £50,000.00 or more", "Forward Plan", "digital by default",
		"Data protection impact assessment (summary)", "G-Cloud shortlist export of 20 January 2026", "Sam Patel, ICT Manager", "01246 231111",
		"Rejected. Ranked 3 of 3", "<svg", "DESNZ Government GHG conversion factors", "@page", "size: A4") {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// The split adds up to each year's cash.
	if !strings.Contains(html, "£88,584.13") || !strings.Contains(html, "£47,699.15") {
		t.Error("the partners' totals are not 65% and 35% of £136,283.28 to the penny")
	}

	// Without the officer's text: the sections stay, stated from the
	// comparison or marked as not stated; one year is under £50,000.
	small := ts.postWorkedExample(officer, map[string]any{"horizonYears": 1})
	html = string(ts.mustDo("GET", "/api/v1/comparisons/"+small.ID+"/report", officer, nil).Body)
	for _, want := range append(reportHeadings, "Not stated by the officer.", "That the decision maker approves IaaS virtual machines",
		"No: the recommended option&#39;s whole-life cost is below £50,000.00", "<td>All</td>") {
		if !strings.Contains(html, want) {
			t.Errorf("the report without officer text lacks %q", want)
		}
	}
	// Significant in two or more wards makes it a Key Decision whatever it costs.
	ts.mustDo("PATCH", "/api/v1/comparisons/"+small.ID, officer, map[string]any{"report": map[string]any{"significantInTwoOrMoreWards": true, "wardsAffected": "Dronfield North; Dronfield South"}})
	html = string(ts.mustDo("GET", "/api/v1/comparisons/"+small.ID+"/report", officer, nil).Body)
	if !strings.Contains(html, "Yes: its effect on communities in two or more wards is significant") || !strings.Contains(html, "Dronfield North; Dronfield South") {
		t.Error("a decision significant in two wards is not reported as a Key Decision")
	}

	// An exempt field makes the officers' report exempt, with its paragraph;
	// the public report, once published, is public and withholds it.
	ts.mustDo("POST", "/api/v1/comparisons/"+rec.ID+"/exempt", officer, map[string]any{"field": "options.saas", "reason": "The supplier's quotation before award"})
	html = string(ts.mustDo("GET", "/api/v1/comparisons/"+rec.ID+"/report", officer, nil).Body)
	if !strings.Contains(html, "Not for publication: this report contains exempt information</strong> within paragraph 3 of Part 1 of Schedule 12A") ||
		strings.Contains(html, "This report is public.") {
		t.Error("the officers' report with an exempt option is not marked exempt under paragraph 3")
	}
	ts.decideAndPublish(officer, rec.ID)
	html = string(ts.mustDo("GET", "/api/v1/comparisons/"+rec.ID+"/report", "", nil).Body)
	if !strings.Contains(html, "This report is public.") || strings.Contains(html, "Not for publication") || strings.Contains(html, "Hosted R&amp;B") {
		t.Error("the public report should be public and leave the exempt option out")
	}
	// The officer's text is frozen with the decision.
	if r := ts.do("PATCH", "/api/v1/comparisons/"+rec.ID, officer, map[string]any{"report": map[string]any{"author": "Someone else"}}); r.Status != 409 {
		t.Errorf("editing the report text of a decided comparison: %d, want 409", r.Status)
	}
	if r := ts.do("PATCH", "/api/v1/comparisons/"+small.ID, officer, map[string]any{"report": map[string]any{"meetingDate": "12/03/2026"}}); r.Status != 400 ||
		fieldsOf(r.problem(t))["report.meetingDate"] == "" {
		t.Errorf("a meeting date not written YYYY-MM-DD: %d %s", r.Status, r.Body)
	}
}

// TestSourcingReportPrintsOnA4InChromium prints the Cabinet report, with
// every section of the officer's text filled in, to PDF in headless
// Chromium: 3 to 8 A4 pages whose text has every section heading of the
// template. The report is saved as a file first, as an officer attaching
// it to the committee papers would, which proves it needs nothing from the
// server. COUNCILAPI_KEEP_REPORT=dir keeps report.png and report.pdf.
func TestSourcingReportPrintsOnA4InChromium(t *testing.T) {
	chromium := testref.Tool(t, "chromium", "chromium")
	pdftotext := testref.Tool(t, "pdftotext", "poppler-utils")
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	rec := ts.postWorkedExample(officer, map[string]any{"report": officerReportText(),
		"rejectionReasons": map[string]string{"saas": "Does not support the council's document management integration."}})
	// Chromium sends no key: the report it prints is the published one.
	ts.decideAndPublish(officer, rec.ID)
	url := ts.URL + "/api/v1/comparisons/" + rec.ID + "/report"
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, ts.mustDo("GET", "/api/v1/comparisons/"+rec.ID+"/report", "", nil).Body, 0o644); err != nil {
		t.Fatal(err)
	}
	_, args := testref.Chromium(t, 5000)
	shot, pdf := filepath.Join(dir, "report.png"), filepath.Join(dir, "report.pdf")
	if out, err := exec.Command(chromium, append(args, "--window-size=900,3300", "--screenshot="+shot, url)...).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if out, err := exec.Command(chromium, append(args, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+page)...).CombinedOutput(); err != nil {
		t.Fatalf("print to PDF: %v\n%s", err, out)
	}
	png, err := os.ReadFile(shot)
	if err != nil || len(png) < 10_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot missing or blank: %d bytes, %v", len(png), err)
	}
	pages, a4 := pdfPages(t, pdf)
	if pages < 3 || pages > 8 || !a4 {
		t.Errorf("the report prints on %d pages (A4: %v), want 3 to 8 A4 pages", pages, a4)
	}
	out, err := exec.Command(pdftotext, pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, h := range append(reportHeadings, "This report is public.", "Sam Patel, ICT Manager", "2029/30") {
		if !strings.Contains(text, h) {
			t.Errorf("the printed report lacks %q", h)
		}
	}
	t.Logf("report: %d A4 pages, screenshot %d bytes", pages, len(png))
	if keep := os.Getenv("COUNCILAPI_KEEP_REPORT"); keep != "" {
		doc, _ := os.ReadFile(pdf)
		html, _ := os.ReadFile(page)
		os.WriteFile(filepath.Join(keep, "report.html"), html, 0o644)
		os.WriteFile(filepath.Join(keep, "report.png"), png, 0o644)
		os.WriteFile(filepath.Join(keep, "report.pdf"), doc, 0o644)
	}
}
