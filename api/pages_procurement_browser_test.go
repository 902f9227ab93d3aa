package api

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/internal/browsertest"
	"github.com/jointict/councilapi/internal/testref"
)

// TestProcurementJourneyInChromium runs a joint procurement through the
// pages, at a desktop and a phone width: the host's officer registers it
// (a mistyped value first), moves it through planning, tender and
// evaluation, is refused the award decision with the list of what is
// missing, records the decisions of the joint bodies and of the host's
// Cabinet, the partner's officer signs in to record theirs, the award is
// recorded, the contract decided, signed and live, a notice and a realised
// saving recorded; then the partner summary and the filtered register.
// Each step is checked through the JSON API.
func TestProcurementJourneyInChromium(t *testing.T) {
	testref.Axe(t)
	ts := newTestServer(t)
	k := newProcKeys(ts)
	j := newJourney(t, ts)
	for _, w := range browsertest.Widths {
		j.at(w)
		ref := fmt.Sprintf("JICT-W%d", w)
		j.signIn(k.host, "/procurement")
		j.expect("main h1", "Joint procurement register")
		j.look("register")

		// Register it, with a value that is not money first.
		j.follow("/procurement/new", "form.workbench")
		j.fill(map[string]string{"reference": ref, "title": "Service desk platform " + ref, "estimatedValue": "lots"})
		j.submit("form.workbench", ".error-summary")
		j.expect(".error-summary", "Estimated value excluding VAT must be an amount in pounds")
		if got := j.value("reference"); got != ref {
			t.Errorf("at %dpx the refused form lost the reference: %q", w, got)
		}
		j.look("new-refused")
		j.fill(map[string]string{"description": "A shared IT service management tool", "cpv": "72000000-5, 48000000-8",
			"route": "gcloudDirectAward", "framework": "G-Cloud 14 (RM1557.14)", "estimatedValue": "300,000", "estimatedValueIncVat": "£360,000.00",
			"termMonths": "36", "baseline.neddc": "60000", "baseline.bdc": "45000"})
		j.choose("partners", "bdc")
		j.choose("shares.method", "equal")
		j.submit("form.workbench", ".notice-done")
		j.expect("main h1", "Service desk platform "+ref)
		id := procurementByReference(t, ts, k.host, ref)
		j.look("procurement-pipeline")

		// Planning, tender and evaluation, each dated when it happened.
		for _, m := range []struct {
			to   string
			days int
		}{{"planning", 40}, {"tender", 39}, {"evaluation", 30}} {
			j.open("/procurement/" + id + "/move?to=" + m.to)
			if m.to == "planning" {
				j.look("move")
			}
			j.fill(map[string]string{"reason": "Moving to " + m.to, "at": dayAgo(m.days)})
			j.submit("form.workbench", ".notice-done")
		}
		j.expect(".tag", "Evaluation")

		// The award decision needs an award and four decisions.
		j.open("/procurement/" + id + "/move?to=awardDecision")
		j.fill(map[string]string{"reason": "Award to the evaluated supplier"})
		j.submit("form.workbench", ".error-summary")
		j.expect(".error-summary", "Record the evaluated award", "Record the decision of NEDDC Cabinet", "Record the decision of BDC Executive")
		if got := j.value("reason"); got != "Award to the evaluated supplier" {
			t.Errorf("at %dpx the refused move lost its reason: %q", w, got)
		}
		j.look("move-refused")

		for _, body := range []string{"jointManagementTeam", "ictSharedServiceCommittee", "neddc-cabinet"} {
			j.open("/procurement/" + id + "/approval?body=" + body)
			j.choose("outcome", "approved")
			j.fill(map[string]string{"date": dayAgo(25), "reference": "Minute 12/" + body})
			if body == "jointManagementTeam" {
				j.look("approval")
			}
			j.submit("form.workbench", ".notice-done")
		}
		j.expect("#approvals + .checklist", "Record the decision of BDC Executive")
		j.signOut()

		// The partner records its own Executive's decision.
		j.signIn(k.partner, "/procurement/"+id)
		if strings.Contains(j.text("main"), "Move the procurement on") {
			t.Errorf("at %dpx the partner's officer is offered the host's moves", w)
		}
		j.follow("/procurement/"+id+"/approval?body=bdc-executive", "form.workbench")
		j.choose("outcome", "approved")
		j.fill(map[string]string{"date": dayAgo(25), "published": dayAgo(25), "reference": "BDC/EX/77"})
		j.submit("form.workbench", ".notice-done")
		j.look("procurement-partner")
		j.signOut()

		j.signIn(k.host, "/procurement/"+id)
		j.open("/procurement/" + id + "/award")
		start := time.Now().AddDate(0, 0, -3)
		j.fill(map[string]string{"supplier.name": "Helpdesk Ltd", "supplier.companiesHouse": "1234567", "value": "290000", "valueIncVat": "348000",
			"start": start.Format(time.DateOnly), "end": start.AddDate(3, 0, -1).Format(time.DateOnly)})
		j.choose("supplier.sme", "yes")
		j.submit("form.workbench", ".error-summary")
		j.expect(".error-summary", "Companies House number must be a Companies House number")
		j.look("award-refused")
		j.fill(map[string]string{"supplier.companiesHouse": "01234567"})
		j.submit("form.workbench", ".notice-done")

		for _, m := range []struct {
			to   string
			days int
		}{{"awardDecision", 10}, {"contractSigned", 5}, {"live", 2}} {
			j.open("/procurement/" + id + "/move?to=" + m.to)
			j.fill(map[string]string{"reason": "Moving to " + m.to, "at": dayAgo(m.days)})
			j.submit("form.workbench", ".notice-done")
		}
		j.expect(".tag", "Live")

		j.open("/procurement/" + id + "/notice")
		j.fill(map[string]string{"notice": "contractDetailsNotice", "published": dayAgo(1), "url": "https://www.find-tender.service.gov.uk/Notice/" + ref})
		j.submit("form.workbench", ".notice-done")
		j.open("/procurement/" + id + "/saving")
		j.fill(map[string]string{"organisation": "bdc", "from": dayAgo(2), "to": dayAgo(1), "amount": "250.00", "note": "Licences no longer paid"})
		j.submit("form.workbench", ".notice-done")
		j.expect("#shares + p", "shared equally")
		j.expect("main", "Realised so far", "£250.00", "Contract details notice: published")
		j.look("procurement-live")

		var got struct {
			State            string           `json:"state"`
			Approvals        []map[string]any `json:"approvals"`
			History          []map[string]any `json:"history"`
			RealisedSavings  []map[string]any `json:"realisedSavings"`
			PublishedNotices []map[string]any `json:"publishedNotices"`
			Awards           []struct {
				Value    string `json:"value"`
				Supplier struct {
					CompaniesHouse string `json:"companiesHouse"`
					SME            bool   `json:"sme"`
				} `json:"supplier"`
			} `json:"awards"`
			Baseline map[string]string `json:"baseline"`
		}
		ts.do("GET", "/api/v1/procurements/"+id, k.host, nil).json(t, &got)
		if got.State != "live" || len(got.Approvals) != 4 || len(got.History) != 6 || len(got.RealisedSavings) != 1 || len(got.PublishedNotices) != 1 ||
			len(got.Awards) != 1 || got.Awards[0].Value != "290000.00" || got.Awards[0].Supplier.CompaniesHouse != "01234567" || !got.Awards[0].Supplier.SME ||
			got.Baseline["bdc"] != "45000.00" {
			t.Errorf("at %dpx the procurement through the API: %+v", w, got)
		}

		j.open("/procurement/partners/bdc") // the partner's own figures
		j.expect("main h1", "You cannot do this")
		j.signOut()
		j.signIn(k.partner, "/procurement/partners/bdc")
		j.expect("main", ref, "£250.00")
		j.look("partner")
		j.open("/procurement?partner=bdc&state=live&year=")
		j.expect("main table", ref)
		j.look("register-filtered")
		j.signOut()
	}
}

// manualLineOut is a manual line of the programme as the API shows it.
type manualLineOut struct {
	ID      string `json:"id"`
	Amounts []struct {
		Year   string `json:"year"`
		Amount string `json:"amount"`
	} `json:"amounts"`
}

// procurementByReference finds a procurement's id through the JSON API.
func procurementByReference(t *testing.T, ts *testServer, key, ref string) string {
	t.Helper()
	var list struct {
		Items []struct{ ID, Reference string } `json:"items"`
	}
	ts.do("GET", "/api/v1/procurements?text="+strings.ToLower(ref), key, nil).json(t, &list)
	for _, p := range list.Items {
		if p.Reference == ref {
			return p.ID
		}
	}
	t.Fatalf("no procurement %s in the register: %+v", ref, list)
	return ""
}

// TestEstateAndCapitalJourneyInChromium keeps a council's estate and capital
// programme through the pages, at a desktop and a phone width: an asset
// added (a bad quantity first) and edited, the register imported from a
// CSV file with one bad row, the programme frozen as an approved review
// with who, where and the minute, and the differences from it once another
// asset needs replacing. Each step is checked through the JSON API.
func TestEstateAndCapitalJourneyInChromium(t *testing.T) {
	testref.Axe(t)
	ts := newTestServer(t)
	k := newProcKeys(ts)
	j := newJourney(t, ts)
	dir := t.TempDir()
	for _, w := range browsertest.Widths {
		j.at(w)
		srv := fmt.Sprintf("srv-%d", w)
		j.signIn(k.host, "/procurement")
		j.follow("/procurement/estate/neddc", "main h1")
		j.expect("main h1", "North East Derbyshire District Council: ICT estate")
		j.look("estate")

		j.follow("/procurement/estate/neddc/new", "form.workbench")
		j.fill(map[string]string{"id": srv, "category": "server", "quantity": "several"})
		j.submit("form.workbench", ".error-summary")
		j.expect(".error-summary", "Quantity must be a whole number")
		j.look("asset-refused")
		j.fill(map[string]string{"product": "Windows Server 2012 R2", "vendor": "Dell", "quantity": "2", "replacementCost": "4,000", "location": "Mill Lane"})
		j.submit("form.workbench", ".notice-done")
		j.expect("main table", srv, "Windows Server 2012 R2", "Overdue")

		j.follow("/procurement/estate/neddc/assets/"+srv, "form.workbench")
		if got := j.value("replacementCost"); got != "4000.00" {
			t.Errorf("at %dpx the asset form shows the replacement cost as %q", w, got)
		}
		j.fill(map[string]string{"quantity": "3", "vendor": ""})
		j.look("asset-edit")
		j.submit("form.workbench", ".notice-done")
		var asset struct {
			Quantity int    `json:"quantity"`
			Vendor   string `json:"vendor"`
			Location string `json:"location"`
		}
		ts.do("GET", "/api/v1/organisations/neddc/estate/"+srv, k.host, nil).json(t, &asset)
		if asset.Quantity != 3 || asset.Vendor != "" || asset.Location != "Mill Lane" {
			t.Errorf("at %dpx the edited asset through the API: %+v", w, asset)
		}

		// The register kept as a spreadsheet, one row of it wrong.
		file := filepath.Join(dir, fmt.Sprintf("estate-%d.csv", w))
		csv := fmt.Sprintf("Asset ID,Type,Model,Qty,Unit cost,Site\nlap-%[1]d,laptop,Dell Latitude 5440,120,850.00,Mill Lane\nsw-%[1]d,switch,Cisco Catalyst 9200,lots,2400,Mill Lane\n", w)
		if err := os.WriteFile(file, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		j.open("/procurement/estate/neddc/import")
		j.b.Do(chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{file}))
		j.submit("form.workbench", ".notice-done")
		j.expect(".notice-done", "2 rows read: 1 assets added")
		j.expect("main table", "3", "quantity")
		j.look("import")
		if r := ts.do("GET", fmt.Sprintf("/api/v1/organisations/neddc/estate/lap-%d", w), k.host, nil); r.Status != 200 {
			t.Errorf("at %dpx the imported laptop: %d %s", w, r.Status, r.Body)
		}

		j.open("/procurement/capital/neddc")
		j.expect("main", "Windows Server 2012 R2")
		j.look("capital")

		// A line no comparison, procurement or asset gives: a bid.
		year := procurement.FinancialYearOf(procurement.DateOf(time.Now())) + 1
		line := fmt.Sprintf("wifi-%d", w)
		j.follow("/procurement/capital/neddc/lines/new", "form.workbench")
		j.fill(map[string]string{"id": line, "description": "Wi-Fi access points " + line, "kind": "hardware", "amount." + year.String(): "lots"})
		j.submit("form.workbench", ".error-summary")
		j.expect(".error-summary", "Amount in "+year.String()+" must be an amount in pounds")
		j.fill(map[string]string{"amount." + year.String(): "18,500"})
		j.look("line")
		j.submit("form.workbench", ".notice-done")
		j.expect("#lines + .table-scroll", "Wi-Fi access points "+line, "£18,500.00")
		var lines []manualLineOut
		ts.do("GET", "/api/v1/organisations/neddc/capital-programme/lines", k.host, nil).json(t, &lines)
		if i := slices.IndexFunc(lines, func(l manualLineOut) bool { return l.ID == line }); i < 0 || len(lines[i].Amounts) != 1 || lines[i].Amounts[0].Amount != "18500.00" {
			t.Errorf("at %dpx the manual lines through the API: %+v", w, lines)
		}
		j.follow("/procurement/capital/neddc/review", "form.workbench")
		minute := fmt.Sprintf("JICT/26/%d", w)
		j.fill(map[string]string{"approvedBy": "Joint ICT Committee", "body": "Joint ICT Committee, December meeting", "minute": minute, "date": dayAgo(0)})
		j.look("review")
		j.submit("form.workbench", ".notice-done")
		j.expect("main dl", "Joint ICT Committee", minute)
		var reviews []struct {
			Minute   string `json:"minute"`
			Verified bool   `json:"verified"`
		}
		ts.do("GET", "/api/v1/organisations/neddc/capital-programme/reviews", k.host, nil).json(t, &reviews)
		if n := len(reviews); n == 0 || reviews[n-1].Minute != minute || !reviews[n-1].Verified {
			t.Errorf("at %dpx the reviews through the API: %+v", w, reviews)
		}
		// The frozen snapshot, line by line.
		j.follow(fmt.Sprintf("/procurement/capital/neddc/reviews/%d", len(reviews)), "#lines")
		j.expect("main dl", minute)
		j.expect("#lines + .table-scroll", "Wi-Fi access points "+line)
		j.look("review-snapshot")

		// Another old server: the programme now differs from the review.
		j.open("/procurement/estate/neddc/new")
		j.fill(map[string]string{"id": srv + "-b", "category": "server", "product": "Windows Server 2008 R2", "quantity": "1", "replacementCost": "3500"})
		j.submit("form.workbench", ".notice-done")
		j.open("/procurement/capital/neddc")
		j.expect("#changes + table", "Windows Server 2008 R2", "added")
		j.look("capital-changed")
		j.signOut()
	}
}
