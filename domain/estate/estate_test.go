package estate

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jointict/councilapi/domain/procurement"
)

func TestSupportTableFindsProductsAsRegistersSpellThem(t *testing.T) {
	tb := DefaultSupportTable()
	cases := []struct{ product, version, want string }{
		{"Windows Server 2003", "", "2015-07-14"},
		{"Microsoft Windows Server 2003 R2", "", "2015-07-14"},
		{"Windows Server", "2003 R2 SP2", "2015-07-14"},
		{"Microsoft® Office Professional Plus 2007", "", "2017-10-10"},
		{"Office 2007", "SP3", "2017-10-10"},
		{"VMware ESXi 6.7", "", "2022-10-15"},
		{"windows server 2019 datacenter", "", "2029-01-09"},
	}
	for _, c := range cases {
		e, ok := tb.Lookup(c.product, c.version)
		if !ok || e.EndOfSupport.String() != c.want || e.Source == "" {
			t.Errorf("%q %q: %+v %v, want %s", c.product, c.version, e, ok, c.want)
		}
	}
	if e, ok := tb.Lookup("Dell PowerEdge R710", ""); ok {
		t.Errorf("a server model matched %+v", e)
	}
	for _, e := range tb.Entries {
		if e.Source == "" || e.EndOfSupport.IsZero() || e.Vendor == "" {
			t.Errorf("entry without date or source: %+v", e)
		}
	}
}

func asset(id, product string, cat Category, qty int, acquired procurement.Date, cost int64, refresh int) Asset {
	a := Asset{ID: id, Organisation: "neddc", Category: cat, Product: product, Quantity: qty, Acquired: acquired,
		ReplacementCost: procurement.Pounds(cost), RefreshYears: refresh, PowerWatts: 300}
	if cat == Software {
		a.Licence, a.PowerWatts = Perpetual, 0
	}
	return a
}

func TestRefreshNeeds(t *testing.T) {
	today := procurement.NewDate(2026, 12, 2)
	ws2003 := asset("fs01", "Windows Server 2003", Server, 4, procurement.NewDate(2012, 5, 1), 6000, 5)
	office := asset("office", "Office 2007", Software, 250, procurement.NewDate(2008, 1, 1), 180, 0)
	ws2019 := asset("app01", "Windows Server 2019", Server, 2, procurement.NewDate(2024, 6, 1), 7000, 7)
	switches := asset("sw", "Cisco Catalyst 2960", Network, 10, procurement.NewDate(2021, 4, 1), 1500, 7)
	unknown := asset("x", "Bespoke appliance", Storage, 1, procurement.Date{}, 10000, 0)
	needs := RefreshNeeds([]Asset{ws2019, switches, office, ws2003, unknown}, DefaultSupportTable(), today, DefaultHorizonMonths)
	// The switches' seven-year cycle ends on 1 April 2028, inside the
	// horizon; Windows Server 2019 (January 2029) and the unknown appliance are not needs.
	if len(needs) != 3 || needs[2].AssetID != "sw" || needs[2].Reason != EndOfLife || needs[2].Year != 2028 || needs[2].Overdue {
		t.Fatalf("needs %+v", needs)
	}
	// Support ended in July 2015; the servers' five-year cycle ended in May 2017: support decides.
	srv := needs[0]
	if srv.AssetID != "fs01" || srv.Reason != EndOfSupport || srv.Due.String() != "2015-07-14" || !srv.Overdue || srv.Year != 2026 ||
		srv.Cost != procurement.Pounds(24000) || srv.Hardware != srv.Cost || !srv.Capital || srv.Servers != 4 || srv.PowerWatts != 1200 ||
		srv.RefreshYears != 5 || !strings.Contains(srv.SupportSource, "2026-12") {
		t.Errorf("Windows Server 2003 need %+v", srv)
	}
	off := needs[1]
	if off.AssetID != "office" || off.Due.String() != "2017-10-10" || off.Licences != procurement.Pounds(45000) || !off.Capital || off.Servers != 0 {
		t.Errorf("Office 2007 need %+v", off)
	}
	// Windows Server 2019 support ends 9 January 2029: inside a 26-month horizon, not 24.
	if n := RefreshNeeds([]Asset{ws2019}, DefaultSupportTable(), today, 26); len(n) != 1 || n[0].Year != 2028 || n[0].Reason != EndOfSupport {
		t.Errorf("26-month horizon %+v", n)
	}
	// An officer's date overrides the table; the cycle then decides if earlier.
	over := ws2019
	over.EndOfSupport = procurement.NewDate(2035, 1, 1)
	over.RefreshYears = 3
	if n := RefreshNeeds([]Asset{over}, DefaultSupportTable(), today, 24); len(n) != 1 || n[0].Reason != EndOfLife || n[0].Due.String() != "2027-06-01" ||
		n[0].SupportSource != "officer" || n[0].Year != 2027 {
		t.Errorf("override %+v", n)
	}
}

const registerCSV = "\ufeffAsset ID,Type,Product,Version,Qty,Purchase date,Unit cost,Refresh cycle,EOS,Licence model,Power (W),Site\n" +
	"fs01,Servers,Windows Server 2003,R2,4,01/05/2012,\"£6,000.00\",5,,,350,Mill Lane\n" +
	"office,Software,Office Professional Plus 2007,,250,2008-01-01,180,,,perpetual,,\n" +
	",laptop,Dell Latitude 5400,,120,2020-09-01,750,5,,,15,\n" +
	"bad1,toaster,Thing,,two,31/02/2020,12.345,,,,,\n" +
	"fs01,Server,Duplicate,,1,,100,,,,,\n" +
	",,,,,,,,,,,\n"

func TestImportCSVReportsEveryRowAndRepair(t *testing.T) {
	res, err := ImportCSV(strings.NewReader(registerCSV), "neddc")
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 5 || len(res.Assets) != 3 {
		t.Fatalf("rows %d assets %+v problems %+v", res.Rows, res.Assets, res.Problems)
	}
	fs := res.Assets[0]
	if fs.ID != "fs01" || fs.Category != Server || fs.Version != "R2" || fs.Quantity != 4 || fs.Acquired.String() != "2012-05-01" ||
		fs.ReplacementCost != procurement.Pounds(6000) || fs.RefreshYears != 5 || fs.PowerWatts != 350 || fs.Location != "Mill Lane" {
		t.Errorf("server %+v", fs)
	}
	if res.Assets[1].Licence != Perpetual || res.Assets[2].ID != "neddc-row4" || res.Assets[2].Category != EndUserDevice {
		t.Errorf("assets %+v", res.Assets[1:])
	}
	problems := map[string]bool{}
	for _, p := range res.Problems {
		problems[p.Field+"@"+string(rune('0'+p.Row))] = true
	}
	for _, want := range []string{"category@5", "quantity@5", "acquired@5", "replacementCost@5", "id@6"} {
		if !problems[want] {
			t.Errorf("no problem %s in %+v", want, res.Problems)
		}
	}
	repairs := 0
	for _, r := range res.Repairs {
		if r.Row == 2 && (r.Field == "category" || r.Field == "acquired") || r.Row == 4 && r.Field == "id" {
			repairs++
		}
	}
	if repairs != 3 {
		t.Errorf("repairs %+v", res.Repairs)
	}
	if _, err := ImportCSV(strings.NewReader("name,cost\nx,1\n"), "neddc"); err == nil || !strings.Contains(err.Error(), "category, quantity") {
		t.Errorf("a file without the needed columns: %v", err)
	}
}

func TestImportXLSXReadsDateCells(t *testing.T) {
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"id", "category", "product", "quantity", "acquired", "replacementCost", "refreshYears", "endOfSupport", "powerWatts"},
		{"san1", "storage", "NetApp FAS2240", 2, time.Date(2013, 3, 4, 0, 0, 0, 0, time.UTC), 25000.5, 6, time.Date(2019, 12, 31, 0, 0, 0, 0, time.UTC), 450},
		{"sw1", "switch", "Cisco Catalyst 2960", 12.0, "14/07/2015", "1,500", 7, nil, 40},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 14}) // m/d/yy: the display differs, the serial does not
	_ = f.SetCellStyle(sheet, "E2", "E2", style)
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	res, err := ImportXLSX(b.Bytes(), "bdc")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Assets) != 2 || len(res.Problems) != 0 {
		t.Fatalf("assets %+v problems %+v", res.Assets, res.Problems)
	}
	san, sw := res.Assets[0], res.Assets[1]
	if san.Acquired.String() != "2013-03-04" || san.EndOfSupport.String() != "2019-12-31" || san.ReplacementCost != procurement.Pence(2500050) ||
		san.Organisation != "bdc" || sw.Category != Network || sw.Quantity != 12 || sw.Acquired.String() != "2015-07-14" || sw.ReplacementCost != procurement.Pounds(1500) {
		t.Errorf("assets %+v", res.Assets)
	}
	if _, err := ImportXLSX([]byte("not a workbook"), "bdc"); err == nil {
		t.Error("a text file was read as a workbook")
	}
}
