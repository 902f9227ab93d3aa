package capital

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/jointict/councilapi/domain/procurement"
)

// table is the programme as rows: a header, one row per line, then the
// capital, revenue, funded, unfunded and overall totals. Amounts are
// decimal pounds; numeric reports which columns hold them.
func table(p Programme) (rows [][]string, numeric func(col int) bool) {
	header := []string{"Line", "Source", "Reference", "Description", "Kind", "Capital or revenue", "Funded"}
	fixed := len(header)
	for _, y := range p.Years {
		header = append(header, y.String())
	}
	header = append(header, "Total")
	rows = append(rows, header)
	for _, l := range p.Lines {
		funded := "No"
		if l.Funded {
			funded = "Yes"
		}
		r := []string{l.ID, string(l.Source), l.Ref, l.Description, string(l.Kind), string(l.Nature), funded}
		for _, a := range l.Amounts {
			r = append(r, a.Amount.String())
		}
		rows = append(rows, append(r, l.Total.String()))
	}
	totals := []struct {
		name string
		get  func(Totals) procurement.Pence
	}{
		{"Total capital", func(t Totals) procurement.Pence { return t.Capital }},
		{"Total revenue", func(t Totals) procurement.Pence { return t.Revenue }},
		{"Total funded", func(t Totals) procurement.Pence { return t.Funded }},
		{"Total unfunded", func(t Totals) procurement.Pence { return t.Unfunded }},
		{"Total", func(t Totals) procurement.Pence { return t.Total }},
	}
	for _, t := range totals {
		r := make([]string, fixed)
		r[0] = t.name
		for _, y := range p.ByYear {
			r = append(r, t.get(y).String())
		}
		rows = append(rows, append(r, t.get(p.Total).String()))
	}
	return rows, func(col int) bool { return col >= fixed }
}

// CSV renders the programme (formula-like text escaped).
func CSV(p Programme) ([]byte, error) {
	rows, _ := table(p)
	var b bytes.Buffer
	err := procurement.WriteSafeCSV(&b, rows[0], rows[1:])
	return b.Bytes(), err
}

// XLSX renders the programme as a workbook: sheet "Programme" with
// numeric amount cells, and, when diffs are given, sheet "Changes" listing
// the differences from the last approved review.
func XLSX(p Programme, title string, diffs []Difference) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Programme"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return nil, err
	}
	if err := f.SetCellStr(sheet, "A1", title); err != nil {
		return nil, err
	}
	rows, numeric := table(p)
	for i, r := range rows {
		for c, v := range r {
			cell, err := excelize.CoordinatesToCellName(c+1, i+2)
			if err != nil {
				return nil, err
			}
			if i > 0 && numeric(c) {
				amount, err := procurement.ParsePence(v)
				if err != nil {
					return nil, fmt.Errorf("row %d column %d: %w", i, c, err)
				}
				// Pence to pounds is exact in a float for any council budget (below 2^53 pence).
				if err := f.SetCellFloat(sheet, cell, float64(amount)/100, -1, 64); err != nil {
					return nil, err
				}
				if err := f.SetCellStyle(sheet, cell, cell, money); err != nil {
					return nil, err
				}
				continue
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return nil, err
			}
		}
	}
	if err := f.SetRowStyle(sheet, 1, 2, bold); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(sheet, "A", "A", 36)
	_ = f.SetColWidth(sheet, "D", "D", 48)
	if len(diffs) > 0 {
		const ch = "Changes"
		if _, err := f.NewSheet(ch); err != nil {
			return nil, err
		}
		_ = f.SetSheetRow(ch, "A1", &[]any{"Line", "Description", "Change", "Year", "Before", "After"})
		_ = f.SetRowStyle(ch, 1, 1, bold)
		for i, d := range diffs {
			year := ""
			if d.Year != 0 {
				year = d.Year.String()
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := f.SetSheetRow(ch, cell, &[]any{d.LineID, d.Description, d.Change, year, d.Before, d.After}); err != nil {
				return nil, err
			}
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
