package estate

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// RowNote is a problem with, or a repair of, one cell of an import. Row
// is the spreadsheet row: the header is row 1.
type RowNote struct {
	Row   int    `json:"row"`
	Field string `json:"field"`
	Note  string `json:"note"`
}

// ImportResult holds the assets of the good rows, the problems of the bad
// ones (a bad row never stops the good ones) and every repair made.
type ImportResult struct {
	Assets   []Asset   `json:"assets"`
	Problems []RowNote `json:"problems"`
	Repairs  []RowNote `json:"repairs"`
	Rows     int       `json:"rows"`
}

// Columns are the header names the import understands; headers are
// matched ignoring case, spaces and punctuation, and these aliases too.
var Columns = []string{"id", "category", "product", "version", "vendor", "quantity", "acquired", "replacementCost",
	"refreshYears", "endOfSupport", "licence", "powerWatts", "location", "notes"}

var columnAliases = map[string]string{
	"assetid": "id", "ref": "id", "reference": "id", "type": "category", "assettype": "category", "name": "product",
	"model": "product", "manufacturer": "vendor", "make": "vendor", "qty": "quantity", "count": "quantity", "units": "quantity",
	"purchased": "acquired", "purchasedate": "acquired", "acquisitiondate": "acquired", "installed": "acquired",
	"replacementcostperunit": "replacementcost", "unitcost": "replacementcost", "costperunit": "replacementcost", "cost": "replacementcost",
	"refreshcycle": "refreshyears", "refreshcycleyears": "refreshyears", "lifeyears": "refreshyears", "life": "refreshyears",
	"eos": "endofsupport", "endofsupportdate": "endofsupport", "supportends": "endofsupport", "license": "licence",
	"licencemodel": "licence", "licensemodel": "licence", "power": "powerwatts", "powerw": "powerwatts", "watts": "powerwatts",
	"site": "location", "comments": "notes", "note": "notes",
}

var categoryAliases = map[string]Category{
	"server": Server, "servers": Server, "physicalserver": Server, "host": Server,
	"storage": Storage, "san": Storage, "nas": Storage, "backup": Storage,
	"network": Network, "networking": Network, "switch": Network, "router": Network, "firewall": Network, "wifi": Network, "wireless": Network,
	"enduserdevice": EndUserDevice, "enduser": EndUserDevice, "device": EndUserDevice, "desktop": EndUserDevice, "laptop": EndUserDevice,
	"pc": EndUserDevice, "thinclient": EndUserDevice, "tablet": EndUserDevice, "phone": EndUserDevice,
	"software": Software, "application": Software, "licence": Software, "license": Software, "os": Software, "operatingsystem": Software,
}

func key(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ImportCSV reads an estate register exported as CSV for org. A UTF-8
// byte order mark and ragged rows are accepted.
func ImportCSV(r io.Reader, org string) (ImportResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	rows, err := cr.ReadAll()
	if err != nil {
		return ImportResult{}, domain.Errorf(domain.CodeInvalid, "the file is not readable CSV: %v", err)
	}
	if len(rows) > 0 && len(rows[0]) > 0 {
		rows[0][0] = strings.TrimPrefix(rows[0][0], "\ufeff")
	}
	return importRows(rows, org, false)
}

// ImportXLSX reads the first worksheet of an XLSX workbook for org. Date
// cells are read from their serial numbers, so a date shows the same
// whatever the cell's display format.
func ImportXLSX(b []byte, org string) (ImportResult, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{RawCellValue: true})
	if err != nil {
		return ImportResult{}, domain.Errorf(domain.CodeInvalid, "the file is not an XLSX workbook: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return ImportResult{}, domain.Errorf(domain.CodeInvalid, "the workbook has no worksheet")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return ImportResult{}, domain.Errorf(domain.CodeInvalid, "cannot read worksheet %q: %v", sheets[0], err)
	}
	return importRows(rows, org, true)
}

func importRows(rows [][]string, org string, serialDates bool) (ImportResult, error) {
	res := ImportResult{Assets: []Asset{}, Problems: []RowNote{}, Repairs: []RowNote{}}
	if len(rows) == 0 {
		return res, domain.Errorf(domain.CodeInvalid, "the file is empty; its first row names the columns: %s", strings.Join(Columns, ", "))
	}
	col := map[string]int{}
	known := map[string]bool{}
	for _, c := range Columns {
		known[key(c)] = true
	}
	for i, h := range rows[0] {
		k := key(h)
		if a, ok := columnAliases[k]; ok {
			k = a
		}
		if known[k] {
			if _, dup := col[k]; !dup {
				col[k] = i
			}
		}
	}
	var missing []string
	for _, c := range []string{"category", "product", "quantity"} {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return res, domain.Errorf(domain.CodeInvalid, "the header row has no %s column; the columns are %s", strings.Join(missing, ", "), strings.Join(Columns, ", "))
	}
	seen := map[string]int{}
	for i, cells := range rows[1:] {
		row := i + 2
		get := func(c string) string {
			j, ok := col[key(c)]
			if !ok || j >= len(cells) {
				return ""
			}
			return strings.TrimSpace(cells[j])
		}
		if strings.Join(cells, "") == "" {
			continue
		}
		res.Rows++
		rr := rowReader{row: row, serialDates: serialDates, get: get}
		a := rr.asset(org)
		if a.ID != "" {
			if first, dup := seen[a.ID]; dup {
				rr.problem("id", "repeats the id of row %d", first)
			}
			seen[a.ID] = row
		}
		for _, p := range a.problems() {
			if !rr.failed[p.Field] {
				rr.problem(p.Field, "%s", p.Problem)
			}
		}
		res.Repairs = append(res.Repairs, rr.repairs...)
		if len(rr.problems) > 0 {
			res.Problems = append(res.Problems, rr.problems...)
			continue
		}
		res.Assets = append(res.Assets, a)
	}
	return res, nil
}

type rowReader struct {
	row               int
	serialDates       bool
	get               func(string) string
	problems, repairs []RowNote
	failed            map[string]bool
}

func (r *rowReader) problem(field, format string, args ...any) {
	if r.failed == nil {
		r.failed = map[string]bool{}
	}
	r.failed[field] = true
	r.problems = append(r.problems, RowNote{Row: r.row, Field: field, Note: fmt.Sprintf(format, args...)})
}

func (r *rowReader) repair(field, format string, args ...any) {
	r.repairs = append(r.repairs, RowNote{Row: r.row, Field: field, Note: fmt.Sprintf(format, args...)})
}

func (r *rowReader) asset(org string) Asset {
	a := Asset{ID: r.get("id"), Organisation: org, Product: r.get("product"), Version: r.get("version"), Vendor: r.get("vendor"),
		Location: r.get("location"), Notes: r.get("notes")}
	if a.ID == "" {
		a.ID = fmt.Sprintf("%s-row%d", org, r.row)
		r.repair("id", "no id given: %s assigned; give ids so that a re-import updates the same assets", a.ID)
	}
	raw := r.get("category")
	if c, ok := categoryAliases[key(raw)]; ok {
		a.Category = c
		if string(c) != raw {
			r.repair("category", "%q read as %s", raw, c)
		}
	} else {
		r.problem("category", "%q is not a category; use server, storage, network, endUserDevice or software", raw)
	}
	a.Quantity = r.integer("quantity", 0)
	a.RefreshYears = r.integer("refreshYears", 0)
	a.PowerWatts = r.integer("powerWatts", 0)
	if s := r.get("replacementCost"); s != "" {
		v, err := procurement.ParsePence(s)
		if err != nil {
			r.problem("replacementCost", "%v", err)
		}
		a.ReplacementCost = v
	}
	a.Acquired = r.date("acquired")
	a.EndOfSupport = r.date("endOfSupport")
	switch l := key(r.get("licence")); l {
	case "":
	case "perpetual", "oneoff", "owned":
		a.Licence = Perpetual
	case "subscription", "annual", "saas", "yearly":
		a.Licence = Subscription
	default:
		r.problem("licence", "%q is not a licence model; use perpetual or subscription", r.get("licence"))
	}
	return a
}

func (r *rowReader) integer(field string, def int) int {
	s := strings.ReplaceAll(r.get(field), ",", "")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		// Spreadsheets write whole numbers as 12.0; accept those.
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == float64(int(f)) {
			return int(f)
		}
		r.problem(field, "%q is not a whole number", r.get(field))
	}
	return n
}

// date reads YYYY-MM-DD, the UK's DD/MM/YYYY, or an Excel serial number
// from an XLSX date cell.
func (r *rowReader) date(field string) procurement.Date {
	s := r.get(field)
	if s == "" {
		return procurement.Date{}
	}
	if d, err := procurement.ParseDate(s); err == nil {
		return d
	}
	for _, layout := range []string{"02/01/2006", "2/1/2006", "02-01-2006", "2 January 2006", "2 Jan 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			d := procurement.NewDate(t.Year(), t.Month(), t.Day())
			r.repair(field, "%q read as %s (day first, the UK order)", s, d)
			return d
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && r.serialDates && f > 1 && f < 100000 {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			return procurement.NewDate(t.Year(), t.Month(), t.Day())
		}
	}
	r.problem(field, "%q is not a date; write YYYY-MM-DD or DD/MM/YYYY", s)
	return procurement.Date{}
}
