package opendata

// Severity says whether a problem blocks publication.
type Severity string

const (
	SeverityError   Severity = "error"   // the version cannot be published
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

// DefaultMaxProblems bounds the problems a report keeps, so a file that is
// wrong on every one of its million rows still gives a small report; the
// counts stay exact.
const DefaultMaxProblems = 1000

// Report is the validation report of a file.
type Report struct {
	Errors    int64        `json:"errors"`
	Warnings  int64        `json:"warnings"`
	Problems  []RowProblem `json:"problems"`
	Truncated bool         `json:"truncated"` // more problems were counted than kept
	Template  string       `json:"template,omitempty"`
	limit     int
}

// Valid reports whether the file has no errors.
func (r *Report) Valid() bool { return r.Errors == 0 }

// Add counts a problem and keeps it while under the limit.
func (r *Report) Add(p RowProblem) {
	if p.Severity == SeverityError {
		r.Errors++
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
