package opendata

import (
	"fmt"
	"runtime"
	"testing"
)

// lgaSpend writes an LGA-layout spend file of about size bytes, CRLF, with
// bracketed credits, Redacted suppliers, N/A VAT and non-breaking spaces.
func lgaSpend(size int64) *genLines {
	var written int64
	return &genLines{line: func(i int) []byte {
		var line []byte
		switch {
		case written >= size:
			return nil
		case i == 0:
			line = []byte("OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,BeneficiaryOtherID," +
				"PaymentDate,TransactionNumber,Amount,IrrecoverableVATAmount,Purpose,ProclassLabel,ProclassCode\r\n")
		default:
			supplier, amount, vat := fmt.Sprintf("Supplier\u00a0%d Ltd", i%997), fmt.Sprintf("\"£%s.%02d\"", groupThousands(float64(500+i%90000)), i%100), "0.00"
			if i%50 == 0 {
				supplier = "Redacted"
			}
			if i%40 == 0 {
				amount = fmt.Sprintf("(%d.00)", 600+i%900)
			}
			if i%30 == 0 {
				vat = "N/A"
			}
			line = fmt.Appendf(nil, "North East Derbyshire District Council,http://opendatacommunities.org/id/district-council/north-east-derbyshire,"+
				"2026-04-30,ICT,%s,S%05d,%02d/04/2026,NED-%09d,%s,%s,\"Software licence renewal, annual\",Computer software,P1023\r\n",
				supplier, i%997, 1+i%28, i, amount, vat)
		}
		written += int64(len(line))
		return line
	}}
}

// TestTenMegabyteLGASpendFile profiles a 10 MB spend file in the LGA
// layout against the template: it fits, publishes, types its amounts, and
// the heap stays a small fraction of the file however far it has read.
func TestTenMegabyteLGASpendFile(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 10 MB")
	}
	const size = 10 << 20
	var peak uint64
	var ms runtime.MemStats
	gen := lgaSpend(size)
	p, err := ProfileCSV(gen, ProfileOptions{Template: &SpendOver500, ReadOptions: ReadOptions{Progress: func(int64) {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}}})
	if err != nil {
		t.Fatal(err)
	}
	rows := int64(gen.i - 1)
	if p.RowCount != rows || p.Report.Errors != 0 || p.Report.Fit.Layout != "lga" || !p.Report.Decide(p.RowCount, nil).Publishable {
		t.Fatalf("rows %d of %d, report %s, layout %s", p.RowCount, rows, p.Report.Summary(), p.Report.Fit.Layout)
	}
	if !hasRepair(p.Report, "BeneficiaryName", RepairNBSP) || p.Report.Repairs[0].Cells < rows*9/10 {
		t.Errorf("repairs %+v", p.Report.Repairs)
	}
	if c := column(t, p, "Amount"); c.Type != TypeDecimal || c.Field != "Amount" {
		t.Errorf("Amount column %+v", c.Column)
	}
	if peak > 24<<20 {
		t.Errorf("heap in use reached %d MB while profiling a %d MB file", peak>>20, size>>20)
	}
}
