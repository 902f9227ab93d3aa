package api

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/testref"
)

func TestSourcingReportHasTheCommitteeSections(t *testing.T) {
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	rec := ts.postWorkedExample(officer, map[string]any{
		"purpose":          "To choose how to host the Revenues and Benefits system when the current hosts reach the end of support.",
		"risks":            []string{"Data migration of 20 years of claims history <must be tested> before go-live."},
		"rejectionReasons": map[string]string{"saas": "Does not support the council's document management integration."},
	})
	r := ts.do("GET", "/api/v1/comparisons/"+rec.ID+"/report", officer, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("report: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	html := string(r.Body)
	for _, want := range []string{"North East Derbyshire District Council", "1. Purpose", "end of support", "2. Recommendation",
		"<strong>IaaS virtual machines</strong> is approved", "3. Options considered", "Rejected. Does not support the council",
		"Rejected. Ranked 3 of 3", "4. Financial implications", "£128,057.43", "5. Risk implications",
		"&lt;must be tested&gt;", "lowest published G-Cloud price", "6. Environmental impact", "7. Key Decision",
		"<strong>This is a Key Decision.</strong>", "£50,000.00", "<svg", "Annex: assumptions and sources",
		"DESNZ Government GHG conversion factors", "@page", "size: A4"} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// Over its five years the recommended option costs £136,283.28, a Key
	// Decision; over one year (£38,658.40) it is not.
	small := ts.postWorkedExample(officer, map[string]any{"horizonYears": 1})
	r = ts.do("GET", "/api/v1/comparisons/"+small.ID+"/report", officer, nil)
	if !strings.Contains(string(r.Body), "This is not a Key Decision on cost") {
		t.Error("a recommendation under £50,000 is reported as a Key Decision")
	}
}

// TestSourcingReportPrintsOnA4InChromium renders the decision report in
// headless Chromium, takes a screenshot and prints it to PDF, which must be
// one to four A4 pages (the annex prints the whole method, which now covers
// cost parity, licence refresh, replication and the grid projection).
// COUNCILAPI_KEEP_REPORT=dir keeps report.png and report.pdf to look at.
func TestSourcingReportPrintsOnA4InChromium(t *testing.T) {
	chromium := testref.Tool(t, "chromium", "chromium")
	ts := newTestServer(t)
	officer := ts.key(domain.RoleOfficer, "neddc")
	rec := ts.postWorkedExample(officer, nil)
	// Chromium sends no key: the report it prints is the published one.
	ts.decideAndPublish(officer, rec.ID)
	url := ts.URL + "/api/v1/comparisons/" + rec.ID + "/report"
	dir := t.TempDir()
	_, args := testref.Chromium(t, 5000)
	shot, pdf := filepath.Join(dir, "report.png"), filepath.Join(dir, "report.pdf")
	if out, err := exec.Command(chromium, append(args, "--window-size=900,3300", "--screenshot="+shot, url)...).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v\n%s", err, out)
	}
	if out, err := exec.Command(chromium, append(args, "--no-pdf-header-footer", "--print-to-pdf="+pdf, url)...).CombinedOutput(); err != nil {
		t.Fatalf("print to PDF: %v\n%s", err, out)
	}
	png, err := os.ReadFile(shot)
	if err != nil || len(png) < 10_000 || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot missing or blank: %d bytes, %v", len(png), err)
	}
	doc, err := os.ReadFile(pdf)
	if err != nil || !bytes.HasPrefix(doc, []byte("%PDF-")) {
		t.Fatalf("no PDF: %v", err)
	}
	pages := bytes.Count(doc, []byte("/Type /Page")) - bytes.Count(doc, []byte("/Type /Pages"))
	if pages < 1 || pages > 4 {
		t.Errorf("the report prints on %d pages, want 1 to 4", pages)
	}
	// A4 is 595 x 842 points; Chromium writes the MediaBox of each page.
	if !bytes.Contains(doc, []byte("/MediaBox [0 0 595")) && !bytes.Contains(doc, []byte("/MediaBox [0 0 594")) {
		t.Error("the PDF pages are not A4")
	}
	t.Logf("report: %d pages, screenshot %d bytes", pages, len(png))
	if keep := os.Getenv("COUNCILAPI_KEEP_REPORT"); keep != "" {
		os.WriteFile(filepath.Join(keep, "report.png"), png, 0o644)
		os.WriteFile(filepath.Join(keep, "report.pdf"), doc, 0o644)
	}
}
