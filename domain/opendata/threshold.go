package opendata

import (
	"fmt"
	"math"

	"github.com/jointict/councilapi/domain"
)

// ErrorThreshold is how many rows with errors a dataset's files may have
// and still publish, the rows published as they are with the report listing
// each. A file publishes when its error rows are at most MaxRows and at most
// MaxPercent of its data rows; a missing bound does not limit. Errors about
// the file itself (a required column missing, a file that cannot be read to
// the end) always stop publication.
type ErrorThreshold struct {
	MaxRows    *int64   `json:"maxRows,omitempty"`
	MaxPercent *float64 `json:"maxPercent,omitempty"`
}

// DefaultErrorThreshold applies to a dataset that sets none: up to 1% of
// rows, and never more than 100, may have errors. A monthly spend file of
// 5,000 payments with a handful of Code breaches still publishes; a file
// that is wrong throughout does not.
var DefaultErrorThreshold = ErrorThreshold{MaxRows: ptr(int64(100)), MaxPercent: ptr(1.0)}

func ptr[T any](v T) *T { return &v }

// Strict is a threshold that lets no error through.
func Strict() ErrorThreshold { return ErrorThreshold{MaxRows: ptr(int64(0))} }

func (t ErrorThreshold) problems() domain.Problems {
	var p domain.Problems
	if t.MaxRows != nil && *t.MaxRows < 0 {
		p.Add("maxRows", "must be 0 or more")
	}
	if t.MaxPercent != nil && (*t.MaxPercent < 0 || *t.MaxPercent > 100 || math.IsNaN(*t.MaxPercent)) {
		p.Add("maxPercent", "must be a percentage from 0 to 100")
	}
	return p
}

// Decision records whether a file passed its dataset's error threshold.
type Decision struct {
	Publishable bool           `json:"publishable"`
	ErrorRows   int64          `json:"errorRows"`
	Rows        int64          `json:"rows"`
	Threshold   ErrorThreshold `json:"threshold"`
	Reason      string         `json:"reason"`
}

// Decide applies a threshold (nil means DefaultErrorThreshold) to the
// report of a file of rows data rows, and records the decision in the
// report; Version.Publish honours it.
func (r *Report) Decide(rows int64, t *ErrorThreshold) *Decision {
	th := DefaultErrorThreshold
	if t != nil {
		th = *t
	}
	d := &Decision{Publishable: true, ErrorRows: r.ErrorRows, Rows: rows, Threshold: th}
	allowed := int64(math.MaxInt64)
	if th.MaxRows != nil {
		allowed = *th.MaxRows
	}
	if th.MaxPercent != nil {
		allowed = min(allowed, int64(math.Floor(*th.MaxPercent*float64(rows)/100)))
	}
	switch {
	case r.fileErrors > 0:
		d.Publishable = false
		d.Reason = fmt.Sprintf("%d problems concern the whole file (see the problems on row 0); no threshold lets them through", r.fileErrors)
	case r.ErrorRows > allowed:
		d.Publishable = false
		d.Reason = fmt.Sprintf("%d of %d rows have errors; the dataset's threshold allows %d", r.ErrorRows, rows, allowed)
	case r.ErrorRows > 0:
		d.Reason = fmt.Sprintf("%d of %d rows have errors, within the dataset's threshold of %d; they are published as they are and listed here", r.ErrorRows, rows, allowed)
	default:
		d.Reason = "no row has an error"
	}
	r.Decision = d
	return d
}

// Publishable reports whether the file may publish: no errors, or a
// decision that let them through.
func (r *Report) Publishable() bool {
	return r == nil || r.Errors == 0 || (r.Decision != nil && r.Decision.Publishable)
}
