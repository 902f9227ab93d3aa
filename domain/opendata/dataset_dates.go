package opendata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/jointict/councilapi/domain"
)

// UnmarshalJSON reads a temporal coverage whose ends may be dates
// ("2019-01-01", midnight UTC) or RFC 3339 date-times, refusing unknown
// members; every failure names its field ("temporal.start").
func (t *TemporalCoverage) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		return fieldError("temporal", `must be an object such as {"start":"2019-01-01","end":"2019-12-31"}`)
	}
	var p domain.Problems
	var next TemporalCoverage
	for _, k := range sortedKeys(members) {
		var dst **time.Time
		switch k {
		case "start":
			dst = &next.Start
		case "end":
			dst = &next.End
		default:
			p.Add("temporal."+k, "is not a member of temporal; use start and end")
			continue
		}
		v, problem := decodeDate(members[k])
		if problem != "" {
			p.Add("temporal."+k, "%s", problem)
			continue
		}
		*dst = v
	}
	if err := p.Err(); err != nil {
		return err
	}
	*t = next
	return nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func fieldError(field, problem string) error {
	return &domain.Error{Code: domain.CodeInvalid, Message: "the request has invalid fields",
		Fields: []domain.FieldProblem{{Field: field, Problem: problem}}}
}

// decodeDate reads a JSON date member: null, "2019-01-01",
// "2019-01-01T09:00:00Z", "2019-01-01T09:00:00" (UTC), or the UK
// "13/01/2019" when it cannot be read the other way round. It returns why
// not otherwise.
func decodeDate(raw json.RawMessage) (*time.Time, string) {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Sprintf("must be a date string such as \"2019-01-01\", not %s", shortJSON(raw))
	}
	r := readDate(s)
	switch {
	case r.form == dateISO && r.ukOK:
		t := r.uk.UTC()
		return &t, ""
	case r.form == dateNumeric && !r.shortYear && r.ukOK && (!r.usOK || r.uk.Equal(r.us)):
		t := r.uk
		return &t, ""
	case r.form == dateNumeric && r.ambiguous():
		return nil, fmt.Sprintf("%q can be read as %s or %s; write it as yyyy-mm-dd", s, r.uk.Format("2 January 2006"), r.us.Format("2 January 2006"))
	}
	return nil, fmt.Sprintf("must be a date such as \"2019-01-01\" or a date-time such as \"2019-01-01T09:00:00Z\", not %q", s)
}

func shortJSON(raw json.RawMessage) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

// DatasetDateProblems checks the date members of a dataset's JSON body
// (issued, modified, temporal.start, temporal.end) before it is decoded,
// so that a bad one is reported by name rather than as the JSON decoder's
// time-parse error. A body that is not a JSON object yields no problems:
// the decoder reports that.
func DatasetDateProblems(body []byte) domain.Problems {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	var p domain.Problems
	for _, k := range []string{"issued", "modified"} {
		var s *string
		if raw, ok := top[k]; ok && json.Unmarshal(raw, &s) != nil {
			p.Add(k, "must be a date-time string such as \"2019-01-01T09:00:00Z\", not %s", shortJSON(raw))
		} else if ok && s != nil {
			if _, err := time.Parse(time.RFC3339, *s); err != nil {
				p.Add(k, "must be an RFC 3339 date-time such as \"2019-01-01T09:00:00Z\", not %q", *s)
			}
		}
	}
	if raw, ok := top["temporal"]; ok {
		var t TemporalCoverage
		if err := t.UnmarshalJSON(raw); err != nil {
			if de, ok := err.(*domain.Error); ok {
				p = append(p, de.Fields...)
			}
		}
	}
	return p
}
