package api

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jointict/councilapi/internal/testref"
)

// pdfPages counts a PDF's pages and reports whether every page is A4
// (595 x 842 points), with pdfinfo when it is installed and from the
// PDF's page objects otherwise.
func pdfPages(t *testing.T, pdf string) (pages int, a4 bool) {
	t.Helper()
	if bin, err := exec.LookPath("pdfinfo"); err == nil {
		out, err := exec.Command(bin, pdf).Output()
		if err != nil {
			t.Fatalf("pdfinfo: %v", err)
		}
		m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("pdfinfo says no page count:\n%s", out)
		}
		pages, _ = strconv.Atoi(string(m[1]))
		return pages, regexp.MustCompile(`(?m)^Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts`).Match(out)
	}
	doc, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	pages = bytes.Count(doc, []byte("/Type /Page")) - bytes.Count(doc, []byte("/Type /Pages"))
	return pages, bytes.Contains(doc, []byte("/MediaBox [0 0 595")) || bytes.Contains(doc, []byte("/MediaBox [0 0 594"))
}

// TestCommitteePagesPrintOnA4InChromium saves each printable page as a
// file, as an officer would to attach it to a committee paper, and prints
// it to PDF in headless Chromium: one to three A4 pages, the figures in
// the text. Printing the saved file proves the page needs nothing from the
// server. COUNCILAPI_KEEP_PAGES=dir keeps the HTML and PDFs to look at.
func TestCommitteePagesPrintOnA4InChromium(t *testing.T) {
	chromium := testref.Tool(t, "chromium", "chromium")
	x := newExample(t)
	// A review and a later change, so the programme shows its differences.
	mustStatus(t, "review", x.ts.do("POST", "/api/v1/organisations/neddc/capital-programme/reviews", x.neddc,
		map[string]string{"approvedBy": "Chair", "body": "Joint Management Team", "minute": "JMT/2026/41", "date": "2026-12-02"}), 201)
	mustStatus(t, "switches", x.ts.do("PUT", "/api/v1/organisations/neddc/capital-programme/lines/switches", x.neddc, map[string]any{
		"description": "Core network switches", "kind": "hardware", "amounts": years(2029, "24000.00")}), 200)
	dir := t.TempDir()
	_, args := testref.Chromium(t, 3000)
	pages := []struct {
		name, path, key string
		text            []string
	}{
		{"register", "/api/v1/procurement-register.html", "", []string{"Register of joint procurements", "JICT-2026-030", "Bolsover District Council", "£176,289.00"}},
		{"partner", "/api/v1/organisations/bdc/joint-procurements.html", x.bdc, []string{"Bolsover District Council", "35.00%", "£308,000.00"}},
		{"programme", "/api/v1/organisations/neddc/capital-programme.html", x.neddc, []string{"Five-year capital investment programme 2026/27 to 2030/31",
			"North East Derbyshire District Council", "£138,000.00", "£408,500.00", "Changes since version 1", "£24,000.00"}},
	}
	external := regexp.MustCompile(`(?i)<(link|script|img|iframe|object)\b|\bsrc=|@import|url\(`)
	for _, pg := range pages {
		r := mustStatus(t, pg.name, x.ts.do("GET", pg.path, pg.key, nil), 200)
		html := string(r.Body)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(html, "@page { size: A4") || !strings.Contains(html, "@media print") {
			t.Errorf("%s: %s, not a print-styled HTML page", pg.name, r.Header.Get("Content-Type"))
		}
		if m := external.FindString(html); m != "" {
			t.Errorf("%s fetches something (%s)", pg.name, m)
		}
		page := filepath.Join(dir, pg.name+".html")
		pdf := filepath.Join(dir, pg.name+".pdf")
		if err := os.WriteFile(page, r.Body, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(chromium, append(args, "--no-pdf-header-footer", "--print-to-pdf="+pdf, "file://"+page)...).CombinedOutput(); err != nil {
			t.Fatalf("%s: print to PDF: %v\n%s", pg.name, err, out)
		}
		n, a4 := pdfPages(t, pdf)
		if n < 1 || n > 3 || !a4 {
			t.Errorf("%s prints on %d pages (A4: %v), want 1 to 3 A4 pages", pg.name, n, a4)
		}
		if bin, err := exec.LookPath("pdftotext"); err == nil {
			out, err := exec.Command(bin, pdf, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			// Headings may be set in capitals; cells wrap.
			text := strings.ToLower(strings.Join(strings.Fields(string(out)), " "))
			for _, w := range pg.text {
				if !strings.Contains(text, strings.ToLower(w)) {
					t.Errorf("%s: the printed text lacks %q", pg.name, w)
				}
			}
		}
		t.Logf("%s: %d A4 page(s)", pg.name, n)
	}
	if keep := os.Getenv("COUNCILAPI_KEEP_PAGES"); keep != "" {
		for _, pg := range pages {
			for _, ext := range []string{".html", ".pdf"} {
				b, _ := os.ReadFile(filepath.Join(dir, pg.name+ext))
				_ = os.WriteFile(filepath.Join(keep, pg.name+ext), b, 0o644)
			}
		}
	}
}
