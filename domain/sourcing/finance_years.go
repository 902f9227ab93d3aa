package sourcing

import "github.com/jointict/councilapi/domain/procurement"

// CapitalLine reports whether a cost line of this kind is capital spending
// under the councils' capitalisation policy (CIPFA's Code: assets with a
// life of more than a year): servers and their installation, and
// perpetual software licences. Their residual value when sold is a
// capital receipt, so it counts against capital. Everything else — the
// G-Cloud service itself, subscriptions, support, staff, training,
// migration, running costs — is revenue.
func CapitalLine(kind string) bool {
	switch kind {
	case LineHardware, LineInstallation, LineLicence, LineResidual:
		return true
	}
	return false
}

// FinanceYear is one financial year of an option's cash cost, split into
// capital and revenue; Capital + Revenue = Total, to the penny.
type FinanceYear struct {
	Year    procurement.FinancialYear `json:"year"`
	Capital Money                     `json:"capital"`
	Revenue Money                     `json:"revenue"`
	Total   Money                     `json:"total"`
}

// FinancialYears lays an option's yearly cash out by financial year. Year
// t of a comparison starting in StartYear is taken as the financial year
// beginning on 1 April of StartYear+t, the year a council's budget would
// carry it (the comparison's years are whole years from the start).
func FinancialYears(o OptionResult) []FinanceYear {
	out := make([]FinanceYear, 0, len(o.Years))
	for _, y := range o.Years {
		fy := FinanceYear{Year: procurement.FinancialYear(y.Year)}
		for _, l := range y.Lines {
			if CapitalLine(l.Kind) {
				fy.Capital += l.Amount
			} else {
				fy.Revenue += l.Amount
			}
		}
		fy.Total = fy.Capital + fy.Revenue
		out = append(out, fy)
	}
	return out
}

// FinanceTotal adds up financial years.
func FinanceTotal(years []FinanceYear) FinanceYear {
	var t FinanceYear
	for _, y := range years {
		t.Capital += y.Capital
		t.Revenue += y.Revenue
		t.Total += y.Total
	}
	return t
}
