package sourcing

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ExportRow is one shortlisted service as the buyer's record shows it.
type ExportRow struct {
	Supplier    string `json:"supplier"`
	Service     string `json:"service"`
	ServiceID   string `json:"serviceId"`
	Description string `json:"description"`
	PriceFrom   Dec    `json:"priceFrom"` // pounds excluding VAT
	PriceTo     Dec    `json:"priceTo"`
	Unit        string `json:"unit"`
	Interval    string `json:"interval"` // "" is a one-off price
	URL         string `json:"url"`
	Contact     string `json:"contact"`
}

// ExportHeaders are the column titles of the CSV and XLSX exports.
var ExportHeaders = []string{"Supplier", "Service", "Service ID", "Description", "Price from (£ ex VAT)",
	"Price to (£ ex VAT)", "Unit", "Interval", "Service definition URL", "Contact"}

// ExportRows turns search hits into export rows, in the hits' order.
func ExportRows(hits []Hit) []ExportRow {
	rows := make([]ExportRow, len(hits))
	for i, h := range hits {
		s := h.Service
		var contact []string
		for _, c := range []string{s.ContactName, s.ContactEmail, s.ContactPhone} {
			if c != "" {
				contact = append(contact, c)
			}
		}
		interval := s.PriceInterval
		if interval == "" {
			interval = "one-off"
		}
		rows[i] = ExportRow{Supplier: s.SupplierName, Service: s.ServiceName, ServiceID: s.ID,
			Description: s.ServiceDescription, PriceFrom: s.PriceMin, PriceTo: s.MaxPrice(),
			Unit: s.PriceUnit, Interval: interval, URL: s.ServiceDefinitionDocumentURL,
			Contact: strings.Join(contact, ", ")}
	}
	return rows
}

func (r ExportRow) cells() []string {
	return []string{r.Supplier, r.Service, r.ServiceID, r.Description, r.PriceFrom.Fixed(2), r.PriceTo.Fixed(2),
		r.Unit, r.Interval, r.URL, r.Contact}
}

// WriteCSV writes the rows with a header and no provenance.
func WriteCSV(w io.Writer, rows []ExportRow) error { return WriteShortlistCSV(w, nil, rows) }

// WriteShortlistCSV writes the search provenance as leading comment lines
// ("# Query terms: backup", read back with csv.Reader's Comment = '#'),
// then the header and rows. Text cells that a spreadsheet would run as a
// formula (leading = + - @) are prefixed with an apostrophe, the OWASP
// advice against CSV injection from supplier-written text; a comment line
// starts with "#", which no spreadsheet evaluates.
func WriteShortlistCSV(w io.Writer, prov *SearchProvenance, rows []ExportRow) error {
	if prov != nil {
		for _, line := range prov.commentRows() {
			if _, err := io.WriteString(w, line+"\r\n"); err != nil {
				return err
			}
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportHeaders); err != nil {
		return err
	}
	for _, r := range rows {
		cells := r.cells()
		for i, c := range cells {
			if i != 4 && i != 5 {
				cells[i] = csvText(c)
			}
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes the rows as a one-sheet workbook with no provenance.
func WriteXLSX(w io.Writer, sheetTitle string, rows []ExportRow) error {
	return WriteShortlistXLSX(w, sheetTitle, nil, rows)
}

// WriteShortlistXLSX writes the rows as a "Shortlist" sheet and, with a
// provenance, a "Search" sheet of label and value rows. Prices are numeric
// cells so the buyer can sort and total them; everything else is text,
// which spreadsheets never evaluate.
func WriteShortlistXLSX(w io.Writer, sheetTitle string, prov *SearchProvenance, rows []ExportRow) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Shortlist"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	hdr := make([]any, len(ExportHeaders))
	for i, h := range ExportHeaders {
		hdr[i] = h
	}
	if err := f.SetSheetRow(sheet, "A1", &[]any{sheetTitle}); err != nil {
		return err
	}
	if err := f.SetSheetRow(sheet, "A2", &hdr); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := f.SetRowStyle(sheet, 1, 2, bold); err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	for i, r := range rows {
		row := i + 3
		cells := r.cells()
		for c, v := range cells {
			cell, err := excelize.CoordinatesToCellName(c+1, row)
			if err != nil {
				return err
			}
			if c == 4 || c == 5 {
				d := r.PriceFrom
				if c == 5 {
					d = r.PriceTo
				}
				if err := f.SetCellFloat(sheet, cell, d.Float(), -1, 64); err != nil {
					return err
				}
				if err := f.SetCellStyle(sheet, cell, cell, money); err != nil {
					return err
				}
				continue
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	for col, width := range map[string]float64{"A": 28, "B": 32, "C": 18, "D": 60, "E": 14, "F": 14, "G": 14, "H": 10, "I": 40, "J": 36} {
		if err := f.SetColWidth(sheet, col, col, width); err != nil {
			return err
		}
	}
	if prov != nil {
		if err := writeSearchSheet(f, *prov, bold); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func writeSearchSheet(f *excelize.File, prov SearchProvenance, bold int) error {
	const sheet = "Search"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	for i, r := range prov.Rows() {
		for c, v := range r {
			cell, err := excelize.CoordinatesToCellName(c+1, i+1)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	if err := f.SetColStyle(sheet, "A", bold); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "A", "A", 26); err != nil {
		return err
	}
	return f.SetColWidth(sheet, "B", "B", 80)
}
