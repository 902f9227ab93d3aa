package sourcing

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// sheetLine is one cost line of the worked example written as a spreadsheet
// formula, the way an officer checking the figures would type it.
type sheetLine struct {
	option, item string
	year         int
	formula      string // before rounding
}

// workedExampleSheet writes the worked example's method out by hand, year by
// year and line by line, from the README's published inputs rather than from
// the engine: the reproduction the Done-when of the decision-support issue
// asks for.
func workedExampleSheet() []sheetLine {
	var out []sheetLine
	add := func(option, item string, year int, f string, a ...any) {
		out = append(out, sheetLine{option, item, year, fmt.Sprintf(f, a...)})
	}
	for t := range 5 {
		// On-premise, 3% indexation, 4-year refresh.
		ix := fmt.Sprintf("1.03^%d", t)
		if t == 0 || t == 4 {
			add("onprem", "Hardware", t, "24000*%s", ix)
			add("onprem", "Installation", t, "3000*%s", ix)
		}
		if t == 0 {
			add("onprem", "Software licences", t, "18000")
		}
		if t == 4 {
			add("onprem", "Software licences (at refresh)", t, "18000*%s", ix)
			add("onprem", "Residual value (sold at refresh)", t, "-24000*0.1")
			add("onprem", "Residual value (in service at horizon end)", t, "-(24000*%s-(24000*%s-24000*%s*0.1)*1/4)", ix, ix, ix)
		}
		add("onprem", "Licence support", t, "18000*0.2*%s", ix)
		add("onprem", "Maintenance", t, "2400*%s", ix)
		add("onprem", "Electricity", t, "650*8760*1.58/1000*0.28*%s", ix)
		add("onprem", "Facilities and rack", t, "1800*%s", ix)
		add("onprem", "Backup and DR", t, "2500*%s", ix)
		add("onprem", "Staff", t, "0.3*52000*%s", ix)

		// SaaS: 250 users growing 2%, £9.50 a user a month, 3% indexation.
		add("saas", "Service charges", t, "9.5*%s*(250*1.02^%d)*12", ix, t)
		add("saas", "Staff", t, "0.1*52000*%s", ix)
		add("saas", "Retained on-premise costs", t, "900*%s", ix)
		if t == 0 {
			add("saas", "Onboarding", t, "15000")
			add("saas", "Training (one-off)", t, "2500")
			add("saas", "Migration", t, "7000")
			add("saas", "Parallel running", t, "6000")
		} else {
			add("saas", "Archive of the old system's data", t, "1200*%s", ix)
		}
		if t == 4 {
			add("saas", "Exit", t, "5000*%s", ix)
		}

		// IaaS: 4 VMs at £0.21 an hour, 8,760 hours, 2.5% indexation.
		jx := fmt.Sprintf("1.025^%d", t)
		add("iaas", "Service charges", t, "0.21*%s*4*8760", jx)
		add("iaas", "Staff", t, "0.25*52000*%s", jx)
		add("iaas", "Network and connectivity", t, "1800*%s", jx)
		if t == 0 {
			add("iaas", "Onboarding", t, "8000")
			add("iaas", "Training (one-off)", t, "1500")
			add("iaas", "Network changes (one-off)", t, "2000")
			add("iaas", "Migration", t, "5000")
		}
		if t == 4 {
			add("iaas", "Exit", t, "3000*%s", jx)
		}
	}
	return out
}

// TestWorkedExampleAgreesWithASpreadsheet evaluates the hand-written
// formulas in excelize's spreadsheet engine (floating point, ROUND to the
// penny per cell, each line discounted with ROUND(x/1.035^t, 2), NPV as a
// SUM) and requires every line, every year's cash and discounted total and
// every option's NPV and whole-life cost to agree with the engine to the
// penny.
func TestWorkedExampleAgreesWithASpreadsheet(t *testing.T) {
	res, err := Compare(workedExample())
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	lines := workedExampleSheet()
	for i, l := range lines {
		row := i + 1
		must(t, f.SetCellFormula(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("ROUND(%s,2)", l.formula)))
		must(t, f.SetCellFormula(sheet, fmt.Sprintf("B%d", row), fmt.Sprintf("ROUND(A%d/1.035^%d,2)", row, l.year)))
	}
	calc := func(cell string) Money {
		v, err := f.CalcCellValue(sheet, cell)
		if err != nil {
			t.Fatalf("%s: %v", cell, err)
		}
		// The cell is already ROUNDed to the penny; reading its float
		// value to the nearest penny only undoes the binary representation.
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("%s = %q: %v", cell, v, err)
		}
		return Money(math.Round(x * 100))
	}
	type key struct {
		option, item string
		year         int
	}
	sheetCash, sheetDisc := map[key]Money{}, map[key]Money{}
	rowsOf := map[string][]int{}
	for i, l := range lines {
		k := key{l.option, l.item, l.year}
		sheetCash[k], sheetDisc[k] = calc(fmt.Sprintf("A%d", i+1)), calc(fmt.Sprintf("B%d", i+1))
		rowsOf[l.option] = append(rowsOf[l.option], i+1)
	}
	for _, o := range res.Options {
		seen := 0
		for _, y := range o.Years {
			var cash, disc Money
			for _, l := range y.Lines {
				k := key{o.ID, l.Item, y.Index}
				want, ok := sheetCash[k]
				if !ok {
					t.Errorf("%s %d: the engine has a line %q the spreadsheet lacks", o.ID, y.Year, l.Item)
					continue
				}
				seen++
				if l.Amount != want || l.Discounted != sheetDisc[k] {
					t.Errorf("%s %d %s: engine %s (discounted %s), spreadsheet %s (%s)", o.ID, y.Year, l.Item, l.Amount, l.Discounted, want, sheetDisc[k])
				}
				cash += want
				disc += sheetDisc[k]
			}
			if y.Cash != cash || y.Discounted != disc {
				t.Errorf("%s %d: engine cash %s discounted %s, spreadsheet %s %s", o.ID, y.Year, y.Cash, y.Discounted, cash, disc)
			}
		}
		rows := rowsOf[o.ID]
		if seen != len(rows) {
			t.Errorf("%s: the spreadsheet has %d lines, the engine matched %d", o.ID, len(rows), seen)
		}
		cells := func(col string) string {
			var c []string
			for _, r := range rows {
				c = append(c, fmt.Sprintf("%s%d", col, r))
			}
			return strings.Join(c, ",")
		}
		total := len(lines) + 1
		must(t, f.SetCellFormula(sheet, fmt.Sprintf("C%d", total), "SUM("+cells("A")+")"))
		must(t, f.SetCellFormula(sheet, fmt.Sprintf("D%d", total), "SUM("+cells("B")+")"))
		if wlc, npv := calc(fmt.Sprintf("C%d", total)), calc(fmt.Sprintf("D%d", total)); wlc != o.Summary.WholeLifeCost || npv != o.Summary.NPV {
			t.Errorf("%s: engine whole-life cost %s NPV %s, spreadsheet %s %s", o.ID, o.Summary.WholeLifeCost, o.Summary.NPV, wlc, npv)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
