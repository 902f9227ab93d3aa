package sourcing

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// A cell of a comparison export: text, or a decimal that CSV writes exactly
// and XLSX stores as a number with a display format.
type cmpCell struct {
	text   string
	num    string // exact decimal text; "" for a text cell
	format int    // excelize built-in number format for numbers
}

func cxText(s string) cmpCell { return cmpCell{text: s} }
func cxMoney(m Money) cmpCell {
	return cmpCell{num: m.String(), format: 4} // #,##0.00
}
func cxDec(d Dec, places int) cmpCell {
	f := 4
	if places != 2 {
		f = 0
	}
	return cmpCell{num: d.Fixed(places), format: f}
}
func cxInt(n int) cmpCell { return cmpCell{num: strconv.Itoa(n), format: 1} }

var (
	cmpYearHeaders = []string{"Option ID", "Option", "Kind", "Year", "t", "Cash (£)", "Discount factor", "Discounted (£)",
		"Cumulative cash (£)", "Cumulative discounted (£)", "Energy (kWh)", "Grid factor (kgCO2e/kWh)",
		"Operational (kgCO2e)", "Embodied (kgCO2e)", "Cost lines"}
	cmpSummaryHeaders = []string{"Option ID", "Option", "Kind", "Whole-life cost (£)", "NPV (£)", "Saving vs baseline, NPV (£)",
		"Saving vs baseline, nominal (£)", "Break-even year", "Energy (kWh)", "Operational (kgCO2e)", "Embodied (kgCO2e)",
		"Total (kgCO2e)", "Environmental score", "Quality score", "Social value score", "Price points", "Quality points",
		"Social value points", "Environment points", "Best-value score", "Rank"}
	cmpAssumptionHeaders = []string{"Name", "Value", "Unit", "Source"}
)

func cmpYearRows(r Result) [][]cmpCell {
	var rows [][]cmpCell
	for _, o := range r.Options {
		for _, y := range o.Years {
			lines := make([]string, len(y.Lines))
			for i, l := range y.Lines {
				lines[i] = l.Item + " " + l.Amount.String()
			}
			rows = append(rows, []cmpCell{cxText(o.ID), cxText(o.Name), cxText(o.Kind), cxInt(y.Year), cxInt(y.Index),
				cxMoney(y.Cash), cxDec(y.DiscountFactor, 6), cxMoney(y.Discounted), cxMoney(y.CumulativeCash),
				cxMoney(y.CumulativeDiscounted), cxDec(y.EnergyKWh, 3), cxDec(y.GridFactor, 6), cxDec(y.OperationalKgCO2e, 3),
				cxDec(y.EmbodiedKgCO2e, 3), cxText(strings.Join(lines, "; "))})
		}
	}
	return rows
}

func cmpSummaryRows(r Result) [][]cmpCell {
	var rows [][]cmpCell
	for _, o := range r.Options {
		s := o.Summary
		be := cxText("")
		if s.BreakEvenYear != nil {
			be = cxInt(*s.BreakEvenYear)
		}
		rows = append(rows, []cmpCell{cxText(o.ID), cxText(o.Name), cxText(o.Kind), cxMoney(s.WholeLifeCost), cxMoney(s.NPV),
			cxMoney(s.SavingVsBaseline), cxMoney(s.SavingVsBaselineNominal), be, cxDec(s.EnergyKWh, 3),
			cxDec(s.OperationalKgCO2e, 3), cxDec(s.EmbodiedKgCO2e, 3), cxDec(s.TotalKgCO2e, 3), cxDec(s.EnvironmentalScore, 6),
			cxDec(s.Quality.Score, 2), cxDec(s.SocialValue.Score, 2), cxDec(s.PricePoints, 6), cxDec(s.QualityPoints, 6),
			cxDec(s.SocialValuePoints, 6), cxDec(s.EnvironmentPoints, 6), cxDec(s.BestValueScore, 6), cxInt(s.Rank)})
	}
	return rows
}

// csvText guards a text cell that a spreadsheet would run as a formula
// (leading = + - @), the OWASP advice against CSV injection: supplier and
// option names, descriptions and cost lines are typed by people.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteComparisonCSV writes two tables separated by an empty line: every
// option's yearly figures, then one summary row per option. Numbers are
// exact decimals as in the JSON result.
func WriteComparisonCSV(w io.Writer, r Result) error {
	cw := csv.NewWriter(w)
	table := func(headers []string, rows [][]cmpCell) {
		_ = cw.Write(headers)
		for _, row := range rows {
			cells := make([]string, len(row))
			for i, c := range row {
				cells[i] = c.num
				if c.num == "" {
					cells[i] = csvText(c.text)
				}
			}
			_ = cw.Write(cells)
		}
	}
	table(cmpYearHeaders, cmpYearRows(r))
	_ = cw.Write(nil)
	table(cmpSummaryHeaders, cmpSummaryRows(r))
	cw.Flush()
	return cw.Error()
}

// WriteComparisonXLSX writes the sheets Years, Summary and Assumptions, with
// numbers as numeric cells so they can be summed and charted.
func WriteComparisonXLSX(w io.Writer, r Result) error {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	styles := map[int]int{}
	sheet := func(name string, title string, headers []string, rows [][]cmpCell) error {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := f.SetCellStr(name, "A1", title); err != nil {
			return err
		}
		hdr := make([]any, len(headers))
		for i, h := range headers {
			hdr[i] = h
		}
		if err := f.SetSheetRow(name, "A2", &hdr); err != nil {
			return err
		}
		if err := f.SetRowStyle(name, 1, 2, bold); err != nil {
			return err
		}
		for ri, row := range rows {
			for ci, c := range row {
				cell, err := excelize.CoordinatesToCellName(ci+1, ri+3)
				if err != nil {
					return err
				}
				if c.num == "" {
					if err := f.SetCellStr(name, cell, c.text); err != nil {
						return err
					}
					continue
				}
				v, err := strconv.ParseFloat(c.num, 64)
				if err != nil {
					return fmt.Errorf("export cell %s: %w", cell, err)
				}
				if err := f.SetCellFloat(name, cell, v, -1, 64); err != nil {
					return err
				}
				st, ok := styles[c.format]
				if !ok {
					if st, err = f.NewStyle(&excelize.Style{NumFmt: c.format}); err != nil {
						return err
					}
					styles[c.format] = st
				}
				if err := f.SetCellStyle(name, cell, cell, st); err != nil {
					return err
				}
			}
		}
		last, _ := excelize.ColumnNumberToName(len(headers))
		return f.SetColWidth(name, "A", last, 16)
	}
	title := fmt.Sprintf("%s: %d-year comparison from %d, discount rate %s, factor set %s", r.Title, r.HorizonYears, r.StartYear, r.DiscountRate, r.FactorSetVersion)
	if err := sheet("Years", title, cmpYearHeaders, cmpYearRows(r)); err != nil {
		return err
	}
	if err := sheet("Summary", title, cmpSummaryHeaders, cmpSummaryRows(r)); err != nil {
		return err
	}
	var as [][]cmpCell
	for _, x := range r.Assumptions {
		as = append(as, []cmpCell{cxText(x.Name), cxText(x.Value), cxText(x.Unit), cxText(x.Source)})
	}
	if err := sheet("Assumptions", "Assumptions and factors, with sources", cmpAssumptionHeaders, as); err != nil {
		return err
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	return f.Write(w)
}
