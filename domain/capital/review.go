package capital

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// Review is an approved, frozen version of a programme: the strategy asks
// for each partner's programme to be reviewed at least annually. Digest
// is the SHA-256 of the snapshot as frozen, so a stored review that was
// altered is detected by Verify.
type Review struct {
	Organisation string           `json:"organisation"`
	Version      int              `json:"version"`
	Date         procurement.Date `json:"date"`
	ApprovedBy   string           `json:"approvedBy"` // who approved it
	Body         string           `json:"body"`       // where: "Joint Management Team", "ICT Shared Service Committee"
	Minute       string           `json:"minute,omitempty"`
	Snapshot     Programme        `json:"snapshot"`
	Digest       string           `json:"digest"`
}

// Freeze approves current as the next version after previous (the
// organisation's earlier reviews), on date. The snapshot is a deep copy:
// nothing done to current afterwards reaches it.
func Freeze(current Programme, previous []Review, approvedBy, body, minute string, date, today procurement.Date) (Review, error) {
	var pr domain.Problems
	if strings.TrimSpace(approvedBy) == "" {
		pr.Add("approvedBy", "is required: who approved the programme")
	}
	if strings.TrimSpace(body) == "" {
		pr.Add("body", "is required: where it was approved, e.g. Joint Management Team")
	}
	last, hasLast := LastReview(previous)
	switch {
	case date.IsZero():
		pr.Add("date", "is required: the day of the approval")
	case date.After(today):
		pr.Add("date", "is %s, in the future; record a review once it is approved", date)
	case hasLast && date.Before(last.Date):
		pr.Add("date", "is before the last review, version %d of %s", last.Version, last.Date)
	}
	for _, r := range previous {
		if r.Organisation != current.Organisation {
			pr.Add("previous", "holds a review of %s, not %s", r.Organisation, current.Organisation)
			break
		}
	}
	if err := pr.Err(); err != nil {
		return Review{}, err
	}
	snap, err := copyProgramme(current)
	if err != nil {
		return Review{}, err
	}
	r := Review{Organisation: current.Organisation, Version: last.Version + 1, Date: date, ApprovedBy: strings.TrimSpace(approvedBy),
		Body: strings.TrimSpace(body), Minute: strings.TrimSpace(minute), Snapshot: snap}
	r.Digest, err = digest(snap)
	return r, err
}

func copyProgramme(p Programme) (Programme, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return Programme{}, err
	}
	var out Programme
	return out, json.Unmarshal(b, &out)
}

func digest(p Programme) (string, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Verify reports a snapshot that no longer matches its digest.
func (r Review) Verify() error {
	d, err := digest(r.Snapshot)
	if err != nil {
		return err
	}
	if d != r.Digest {
		return fmt.Errorf("review %d of %s was altered after it was frozen (digest %s, now %s)", r.Version, r.Organisation, r.Digest, d)
	}
	return nil
}

// LastReview is the latest version of reviews.
func LastReview(reviews []Review) (Review, bool) {
	var last Review
	for _, r := range reviews {
		if r.Version > last.Version {
			last = r
		}
	}
	return last, last.Version > 0
}

// ReviewDue is a year after the last review (today when there is none).
func ReviewDue(reviews []Review, today procurement.Date) (due procurement.Date, overdue bool) {
	last, ok := LastReview(reviews)
	if !ok {
		return today, true
	}
	t := last.Date.Time().AddDate(1, 0, 0)
	due = procurement.NewDate(t.Year(), t.Month(), t.Day())
	return due, today.After(due)
}

// Difference is one change of the current programme from a snapshot.
type Difference struct {
	LineID      string                    `json:"lineId"`
	Description string                    `json:"description"`
	Change      string                    `json:"change"` // added, removed, amount, nature, funded
	Year        procurement.FinancialYear `json:"year,omitempty"`
	Before      string                    `json:"before"`
	After       string                    `json:"after"`
}

// Diff lists how current differs from snapshot: lines added and removed,
// a line's nature or funding changed, and each year whose amount changed,
// then each year whose total changed (line id "total").
func Diff(snapshot, current Programme) []Difference {
	out := []Difference{}
	find := func(p Programme, id string) (Line, bool) {
		for _, l := range p.Lines {
			if l.ID == id {
				return l, true
			}
		}
		return Line{}, false
	}
	amount := func(l Line, y procurement.FinancialYear) procurement.Pence {
		for _, a := range l.Amounts {
			if a.Year == y {
				return a.Amount
			}
		}
		return 0
	}
	years := unionYears(snapshot.Years, current.Years)
	for _, old := range snapshot.Lines {
		if _, ok := find(current, old.ID); !ok {
			out = append(out, Difference{LineID: old.ID, Description: old.Description, Change: "removed", Before: old.Total.String(), After: "0.00"})
		}
	}
	for _, l := range current.Lines {
		old, ok := find(snapshot, l.ID)
		if !ok {
			out = append(out, Difference{LineID: l.ID, Description: l.Description, Change: "added", Before: "0.00", After: l.Total.String()})
			continue
		}
		if old.Nature != l.Nature {
			out = append(out, Difference{LineID: l.ID, Description: l.Description, Change: "nature", Before: string(old.Nature), After: string(l.Nature)})
		}
		if old.Funded != l.Funded {
			out = append(out, Difference{LineID: l.ID, Description: l.Description, Change: "funded", Before: fmt.Sprint(old.Funded), After: fmt.Sprint(l.Funded)})
		}
		for _, y := range years {
			if a, b := amount(old, y), amount(l, y); a != b {
				out = append(out, Difference{LineID: l.ID, Description: l.Description, Change: "amount", Year: y, Before: a.String(), After: b.String()})
			}
		}
	}
	total := func(p Programme, y procurement.FinancialYear) procurement.Pence {
		for _, t := range p.ByYear {
			if t.Year == y {
				return t.Total
			}
		}
		return 0
	}
	for _, y := range years {
		if a, b := total(snapshot, y), total(current, y); a != b {
			out = append(out, Difference{LineID: "total", Description: "Total", Change: "amount", Year: y, Before: a.String(), After: b.String()})
		}
	}
	return out
}

func unionYears(a, b []procurement.FinancialYear) []procurement.FinancialYear {
	seen := map[procurement.FinancialYear]bool{}
	var out []procurement.FinancialYear
	for _, y := range append(append([]procurement.FinancialYear{}, a...), b...) {
		if !seen[y] {
			seen[y] = true
			out = append(out, y)
		}
	}
	slices.Sort(out)
	return out
}

// View is the programme as the service shows it: the current programme,
// the last approved review and how the current one differs from it.
type View struct {
	Programme     Programme        `json:"programme"`
	LastReview    *ReviewSummary   `json:"lastReview,omitempty"`
	Differences   []Difference     `json:"differences"`
	ReviewDue     procurement.Date `json:"reviewDue"`
	ReviewOverdue bool             `json:"reviewOverdue"`
}

// ReviewSummary is a review without its snapshot.
type ReviewSummary struct {
	Version    int              `json:"version"`
	Date       procurement.Date `json:"date"`
	ApprovedBy string           `json:"approvedBy"`
	Body       string           `json:"body"`
	Minute     string           `json:"minute,omitempty"`
}

// NewView compares current with the last of reviews.
func NewView(current Programme, reviews []Review) View {
	v := View{Programme: current, Differences: []Difference{}}
	v.ReviewDue, v.ReviewOverdue = ReviewDue(reviews, current.Built)
	if last, ok := LastReview(reviews); ok {
		v.LastReview = &ReviewSummary{Version: last.Version, Date: last.Date, ApprovedBy: last.ApprovedBy, Body: last.Body, Minute: last.Minute}
		v.Differences = Diff(last.Snapshot, current)
	}
	return v
}
