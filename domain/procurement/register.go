package procurement

import (
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// RegisterHeader is the column list of the Transparency Code contracts
// register (Local Government Transparency Code 2015, part 2 "contracts"),
// with the OCDS ocid added so that a row links to its open contracting record.
var RegisterHeader = []string{
	"Reference", "Title", "Department", "Description",
	"Supplier name", "Supplier registration number", "Value", "Non-recoverable VAT",
	"Start date", "End date", "Review date", "Procurement route", "SME", "VCSE", "OCID",
}

// DefaultDepartment is the department named when a procurement gives none.
const DefaultDepartment = "Joint ICT Service"

// RegisterRows builds the register: one row per award of a procurement that
// has reached contract signature (or later) and whose award value the rule
// set puts in the Transparency Code, ordered by reference then award id.
// ocid gives a procurement's OCDS identifier.
func RegisterRows(ps []JointProcurement, rs RuleSet, ocid func(JointProcurement) string) [][]string {
	var rows [][]string
	for _, p := range ps {
		if !contracted(p.State) {
			continue
		}
		dept := p.Department
		if dept == "" {
			dept = DefaultDepartment
		}
		for _, a := range p.Awards {
			if !rs.TransparencyCode.Met(a.Value, IncVAT(a.Value, rs.VAT)) {
				continue
			}
			reg := a.Supplier.CompaniesHouse
			if reg == "" {
				reg = a.Supplier.CharityNumber
			}
			rows = append(rows, []string{
				p.Reference + "/" + a.ID, p.Title, dept, p.Description,
				a.Supplier.Name, reg, a.Value.String(), a.NonRecoverableVAT.String(),
				a.Start.String(), a.End.String(), a.Review.String(), p.Route.Label(),
				yesNo(a.Supplier.SME), yesNo(a.Supplier.VCSE), ocid(p),
			})
		}
	}
	SortRegister(rows)
	return rows
}

// SortRegister orders register rows by their reference.
func SortRegister(rows [][]string) {
	sort.SliceStable(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
}

func contracted(s State) bool {
	return s == StateContractSigned || s == StateLive || s == StateClosed
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// WriteRegisterCSV writes the Transparency Code register as CSV.
func WriteRegisterCSV(w io.Writer, rows [][]string) error {
	return WriteSafeCSV(w, RegisterHeader, rows)
}

// WriteSafeCSV writes the header and rows as CSV. Cells that a
// spreadsheet would run as a formula are prefixed with an apostrophe
// (OWASP's advice against CSV injection); amounts, which may be negative,
// are written as they are.
func WriteSafeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !isNumber(c) {
				c = "'" + c
			}
			safe[i] = c
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func isNumber(s string) bool {
	_, err := ParsePence(s)
	return err == nil
}

// RegisterPublicationProblems says what keeps the contracts register from
// being published as the host authority's open data dataset, so that every
// procurement answer and the readiness check can say so instead of the
// dataset staying unpublished silently. found is false when no
// organisation is marked as host.
func RegisterPublicationProblems(host domain.Organisation, found bool) []string {
	switch {
	case !found:
		return []string{"no organisation is marked as the host authority, so the contracts register has no publisher"}
	case host.Contact.Email == "":
		return []string{fmt.Sprintf("the host authority %s (%s) has no contact email, which the contracts register dataset needs as its contact point; set the organisation's contact.email", host.Name, host.ID)}
	}
	return nil
}
