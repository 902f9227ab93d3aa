package sourcing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// Recommendation is the officer's judgement on a computed comparison. The
// report's recommendation and its "options considered and rejected" come
// from these fields, never from rank alone: an officer may recommend an
// option that does not rank first, with a justification, and every rejection
// reason is printed.
type Recommendation struct {
	// RecommendedOption is an option id; empty means the top-ranked option.
	RecommendedOption string `json:"recommendedOption,omitempty"`
	// Justification is required when the recommended option is not the
	// top-ranked one: why the council should not take the best-value option.
	Justification    string            `json:"justification,omitempty"`
	RejectionReasons map[string]string `json:"rejectionReasons,omitempty"` // option id -> reason
	// ServiceReasons are the service benefits the officer states for an
	// on-premise recommendation under a cloud-by-default policy.
	ServiceReasons string `json:"serviceReasons,omitempty"`
}

// TopRanked returns the option ranked first, if any.
func (r Result) TopRanked() (OptionResult, bool) {
	for _, o := range r.Options {
		if o.Summary.Rank == 1 {
			return o, true
		}
	}
	return OptionResult{}, false
}

// Option returns the option with the id.
func (r Result) Option(id string) (OptionResult, bool) {
	i := slices.IndexFunc(r.Options, func(o OptionResult) bool { return o.ID == id })
	if i < 0 {
		return OptionResult{}, false
	}
	return r.Options[i], true
}

// Recommended is the option the officer recommends: the named one, or the
// top-ranked one.
func (rec Recommendation) Recommended(r Result) (OptionResult, bool) {
	if rec.RecommendedOption != "" {
		return r.Option(rec.RecommendedOption)
	}
	return r.TopRanked()
}

const maxReasonLen = 2000

// Validate checks the recommendation against the result it recommends from.
// A rejection reason on the top-ranked option without a different
// recommendation is a contradiction (the report would approve the option it
// rejects), so it is a field problem, not something to drop silently.
func (rec Recommendation) Validate(r Result, policy Policy) error {
	var p domain.Problems
	top, _ := r.TopRanked()
	if rec.RecommendedOption != "" {
		if _, ok := r.Option(rec.RecommendedOption); !ok {
			p.Add("recommendedOption", "must be the id of one of the options: %s", strings.Join(optionIDs(r), ", "))
		}
	}
	recommended, ok := rec.Recommended(r)
	if ok && recommended.ID != top.ID && strings.TrimSpace(rec.Justification) == "" {
		p.Add("justification", "is required when the recommended option (%s, ranked %d) is not the top-ranked one (%s): say why the council should not take the best-value option",
			recommended.Name, recommended.Summary.Rank, top.Name)
	}
	if len(rec.Justification) > maxReasonLen {
		p.Add("justification", "must be at most %d characters", maxReasonLen)
	}
	for _, id := range sortedKeys(rec.RejectionReasons) {
		reason := rec.RejectionReasons[id]
		f := "rejectionReasons." + id
		o, exists := r.Option(id)
		switch {
		case !exists:
			p.Add(f, "names no option; the options are %s", strings.Join(optionIDs(r), ", "))
		case strings.TrimSpace(reason) == "":
			p.Add(f, "is empty; give the reason the option is rejected, or leave it out")
		case ok && id == recommended.ID && id == top.ID:
			p.Add(f, "rejects %s, the top-ranked option, which is also the recommendation; set recommendedOption to the option the council should take, with a justification", o.Name)
		case ok && id == recommended.ID:
			p.Add(f, "rejects %s, which is the recommended option; remove the reason or recommend another option", o.Name)
		case len(reason) > maxReasonLen:
			p.Add(f, "must be at most %d characters", maxReasonLen)
		}
	}
	if ok && policy.CloudFirst && recommended.Kind == KindOnPrem && strings.TrimSpace(rec.ServiceReasons) == "" {
		p.Add("serviceReasons", "is required: the organisation's cloud-by-default policy needs the service benefits that justify recommending %s, which is on-premise", recommended.Name)
	}
	if len(rec.ServiceReasons) > maxReasonLen {
		p.Add("serviceReasons", "must be at most %d characters", maxReasonLen)
	}
	return p.Err()
}

func optionIDs(r Result) []string {
	ids := make([]string, len(r.Options))
	for i, o := range r.Options {
		ids[i] = o.ID
	}
	return ids
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ConsideredOption is one row of the report's "options considered and
// rejected".
type ConsideredOption struct {
	OptionResult
	Recommended bool   `json:"recommended"`
	Baseline    bool   `json:"baseline"`
	Reason      string `json:"reason,omitempty"`
	// ReasonGiven says the officer wrote the reason; otherwise it is stated
	// from the ranking.
	ReasonGiven bool `json:"reasonGiven"`
}

// Decision is what the decision report needs from the officer's judgement:
// the recommendation, whether it follows the ranking, every option with its
// reason, and the cloud-by-default check when the policy applies.
type Decision struct {
	Recommended   OptionResult       `json:"recommended"`
	TopRanked     OptionResult       `json:"topRanked"`
	FollowsRank   bool               `json:"followsRank"`
	Justification string             `json:"justification,omitempty"`
	Options       []ConsideredOption `json:"options"` // by rank
	CloudFirst    *CloudFirstCheck   `json:"cloudFirst,omitempty"`
}

// Decide validates the recommendation and gathers what the report prints.
func (rec Recommendation) Decide(r Result, policy Policy) (Decision, error) {
	if err := rec.Validate(r, policy); err != nil {
		return Decision{}, err
	}
	top, ok := r.TopRanked()
	if !ok {
		return Decision{}, domain.Errorf(domain.CodeInvalid, "the comparison has no options to recommend")
	}
	recommended, _ := rec.Recommended(r)
	d := Decision{Recommended: recommended, TopRanked: top, FollowsRank: recommended.ID == top.ID, Justification: rec.Justification}
	byRank := slices.Clone(r.Options)
	slices.SortStableFunc(byRank, func(a, b OptionResult) int { return a.Summary.Rank - b.Summary.Rank })
	for _, o := range byRank {
		co := ConsideredOption{OptionResult: o, Recommended: o.ID == recommended.ID, Baseline: o.ID == r.BaselineID}
		if !co.Recommended {
			co.Reason, co.ReasonGiven = rec.RejectionReasons[o.ID], true
			if strings.TrimSpace(co.Reason) == "" {
				co.Reason, co.ReasonGiven = rankReason(o, recommended, len(r.Options)), false
			}
		}
		d.Options = append(d.Options, co)
	}
	d.CloudFirst = CheckCloudFirst(r, recommended, rec.ServiceReasons, policy)
	return d, nil
}

// rankReason states why an option the officer gave no reason for was not
// recommended, from the figures.
func rankReason(o, recommended OptionResult, n int) string {
	diff := o.Summary.NPV - recommended.Summary.NPV
	more := "more"
	if diff < 0 {
		diff, more = -diff, "less"
	}
	return fmt.Sprintf("Ranked %d of %d: %s best-value points against %s for %s; NPV %s, %s %s than the recommended option.",
		o.Summary.Rank, n, o.Summary.BestValueScore.Fixed(1), recommended.Summary.BestValueScore.Fixed(1), recommended.Name,
		o.Summary.NPV.Display(), diff.Display(), more)
}
