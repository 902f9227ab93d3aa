package opendata

import (
	"fmt"
	"strings"
)

// Severity says whether a problem counts against publication.
type Severity string

const (
	SeverityError   Severity = "error"   // breaks a rule; counted against the dataset's error threshold
	SeverityWarning Severity = "warning" // published, but the publisher should look
)

// RowProblem is one problem found in a file. Row is the data row (1 is the
// first row after the header; 0 means the file or its header), Line the
// physical line where the row starts, which differs from Row+1 when quoted
// cells span lines.
type RowProblem struct {
	Row      int64    `json:"row"`
	Line     int64    `json:"line,omitempty"`
	Column   string   `json:"column,omitempty"`
	Value    string   `json:"value,omitempty"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// Repair is one kind of repair made to the cells of one column, counted:
// listing every trimmed space would drown the problems that matter.
type Repair struct {
	Column   string `json:"column"`
	Kind     string `json:"kind"` // RepairWhitespace, RepairNBSP, RepairMojibake
	Cells    int64  `json:"cells"`
	FirstRow int64  `json:"firstRow"` // 0 for the header
	Example  string `json:"example"`  // the first cell repaired, before -> after
}

// DefaultMaxProblems bounds the problems a report keeps, so a file that is
// wrong on every one of its million rows still gives a small report; the
// counts stay exact.
const DefaultMaxProblems = 1000

// Report is the validation report of a file.
type Report struct {
	Errors    int64        `json:"errors"`
	Warnings  int64        `json:"warnings"`
	ErrorRows int64        `json:"errorRows"` // data rows with at least one error
	Problems  []RowProblem `json:"problems"`
	Truncated bool         `json:"truncated"` // more problems were counted than kept
	Repairs   []Repair     `json:"repairs,omitempty"`
	Template  string       `json:"template,omitempty"`
	// Fit is how the file's headings map onto the template it was checked
	// against ("BeneficiaryName read as Supplier name").
	Fit *TemplateFit `json:"templateFit,omitempty"`
	// Detected lists, for a file checked against no template, the templates
	// it fits, best first.
	Detected []TemplateFit `json:"detectedTemplates,omitempty"`
	// Decision is the outcome of the error threshold, once applied.
	Decision *Decision `json:"decision,omitempty"`

	limit      int
	fileErrors int64
	errorRows  rowSet
	repairAt   map[[2]string]int
}

// Valid reports whether the file has no errors.
func (r *Report) Valid() bool { return r.Errors == 0 }

// Add counts a problem and keeps it while under the limit.
func (r *Report) Add(p RowProblem) {
	if p.Severity == SeverityError {
		r.Errors++
		if p.Row <= 0 {
			r.fileErrors++
		} else if r.errorRows.add(p.Row) {
			r.ErrorRows++
		}
	} else {
		p.Severity = SeverityWarning
		r.Warnings++
	}
	limit := r.limit
	if limit == 0 {
		limit = DefaultMaxProblems
	}
	if len(r.Problems) >= limit {
		r.Truncated = true
		return
	}
	if len(p.Value) > 200 {
		p.Value = p.Value[:200] + "…"
	}
	r.Problems = append(r.Problems, p)
}

// FileErrors counts the errors that concern the whole file or its header
// (a required column missing), which no threshold lets through.
func (r *Report) FileErrors() int64 { return r.fileErrors }

// repaired counts one repair of a cell.
func (r *Report) repaired(column, kind string, row int64, before, after string) {
	if r.repairAt == nil {
		r.repairAt = map[[2]string]int{}
	}
	key := [2]string{column, kind}
	if i, ok := r.repairAt[key]; ok {
		r.Repairs[i].Cells++
		return
	}
	if len(before) > 80 {
		before, after = before[:80]+"…", after[:min(len(after), 80)]+"…"
	}
	r.repairAt[key] = len(r.Repairs)
	r.Repairs = append(r.Repairs, Repair{Column: column, Kind: kind, Cells: 1, FirstRow: row,
		Example: fmt.Sprintf("%q -> %q", before, after)})
}

// Summary says in one line what the report found, for a job's message.
func (r *Report) Summary() string {
	var parts []string
	if r.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d errors on %d rows", r.Errors, r.ErrorRows))
	}
	if r.Warnings > 0 {
		parts = append(parts, fmt.Sprintf("%d warnings", r.Warnings))
	}
	for _, rp := range r.Repairs {
		parts = append(parts, fmt.Sprintf("%d %s repairs in %s", rp.Cells, rp.Kind, rp.Column))
	}
	if len(parts) == 0 {
		return "no problems"
	}
	return strings.Join(parts, ", ")
}

// rowSet is a bitset of row numbers, so rows with several errors, or
// errors found at the end (deferred date checks), count once. It costs one
// bit per row up to the last row with an error.
type rowSet []uint64

func (s *rowSet) add(row int64) bool {
	w, bit := row/64, uint64(1)<<(row%64)
	for int64(len(*s)) <= w {
		*s = append(*s, 0)
	}
	if (*s)[w]&bit != 0 {
		return false
	}
	(*s)[w] |= bit
	return true
}
