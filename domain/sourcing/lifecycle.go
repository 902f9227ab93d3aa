package sourcing

import (
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// States of a stored comparison.
const (
	StateDraft     = "draft"     // editable and deletable; seen by its organisation, admins and linked partners
	StateDecided   = "decided"   // inputs, results and factor set frozen; decision, decider and date recorded
	StatePublished = "published" // public, less the exempt fields not yet released
)

// ExemptParagraph is the Local Government Act 1972 Schedule 12A paragraph
// for "information relating to the financial or business affairs of any
// particular person": a supplier's quoted price before award.
const ExemptParagraph = 3

// Record is a stored comparison: the input, its result, the officer's
// recommendation and the lifecycle. Its JSON keeps the names the API has
// used (id, organisation, createdBy, createdAt, factorSetVersion, purpose,
// risks, rejectionReasons, input, result).
type Record struct {
	ID               string    `json:"id"`
	Organisation     string    `json:"organisation"`
	CreatedBy        string    `json:"createdBy"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt,omitzero"`
	Version          int       `json:"version"`
	State            string    `json:"state"`
	FactorSetVersion string    `json:"factorSetVersion"`
	Purpose          string    `json:"purpose,omitempty"`
	Risks            []string  `json:"risks,omitempty"`
	Recommendation
	// Report is the officer's text for the Cabinet or committee report,
	// frozen with the inputs when the comparison is decided.
	Report ReportText `json:"report,omitzero"`
	// JointProcurement links the comparison to a joint procurement; that
	// procurement's partner officers may then read it.
	JointProcurement  string             `json:"jointProcurement,omitempty"`
	FrameworkOverride *FrameworkOverride `json:"frameworkOverride,omitempty"`
	Input             Comparison         `json:"input"`
	Result            Result             `json:"result"`
	Decided           *DecisionRecord    `json:"decided,omitempty"`
	Published         *Stamp             `json:"published,omitempty"`
	Exempt            []ExemptField      `json:"exempt,omitempty"`
}

// DecisionRecord is the decision taken on the comparison.
type DecisionRecord struct {
	Decision  string    `json:"decision"`            // what was decided, in words
	Reference string    `json:"reference,omitempty"` // minute or decision record number
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Stamp records who did something and when.
type Stamp struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// ExemptField is a part of the record withheld from the public as exempt
// information until released.
type ExemptField struct {
	// Field is "purpose", "risks", "justification", "serviceReasons",
	// "rejectionReasons.<option id>" or "options.<option id>" (the option's
	// prices, cost lines and totals: a supplier's quote).
	Field     string `json:"field"`
	Paragraph int    `json:"paragraph"` // of LGA 1972 Schedule 12A; 3 by default
	Reason    string `json:"reason"`
	Released  *Stamp `json:"released,omitempty"`
}

// Withheld reports whether the field is still withheld.
func (e ExemptField) Withheld() bool { return e.Released == nil }

// NewRecord starts a draft from a validated input, its result and the
// officer's notes. The recommendation is validated against the result.
func NewRecord(id, org, by string, at time.Time, in Comparison, res Result, purpose string, risks []string, rec Recommendation, policy Policy) (Record, error) {
	r := Record{ID: id, Organisation: org, CreatedBy: by, CreatedAt: at.UTC(), UpdatedAt: at.UTC(), Version: 1,
		State: StateDraft, FactorSetVersion: res.FactorSetVersion, Purpose: purpose, Risks: risks, Recommendation: rec,
		Input: in, Result: res}
	r.Input.FactorSetVersion = res.FactorSetVersion
	if err := r.validateNotes(policy); err != nil {
		return Record{}, err
	}
	return r, nil
}

func (r Record) validateNotes(policy Policy) error {
	var p domain.Problems
	if len(r.Purpose) > maxReasonLen {
		p.Add("purpose", "must be at most %d characters", maxReasonLen)
	}
	if len(r.Risks) > 20 {
		p.Add("risks", "at most 20 risks")
	}
	for i, k := range r.Risks {
		if strings.TrimSpace(k) == "" || len(k) > 1000 {
			p.Add("risks", "risk %d must be 1-1000 characters", i+1)
		}
	}
	if err := r.Recommendation.Validate(r.Result, policy); err != nil {
		p = append(p, err.(*domain.Error).Fields...)
	}
	return p.Err()
}

func (r Record) requireState(action string, states ...string) error {
	if slices.Contains(states, r.State) {
		return nil
	}
	return &domain.Error{Code: domain.CodeConflict, Allowed: allowedActions(r.State),
		Message: "the comparison is " + r.State + ": it cannot be " + action + "; " + stateRule(r.State)}
}

func stateRule(state string) string {
	switch state {
	case StateDecided:
		return "a decided comparison is the record of the decision: its inputs and results are frozen; publish it, or start a new comparison"
	case StatePublished:
		return "a published comparison can only have its exempt fields released"
	}
	return "a draft can be edited, deleted or decided"
}

func allowedActions(state string) []string {
	switch state {
	case StateDraft:
		return []string{"edit", "delete", "decide", "mark-exempt"}
	case StateDecided:
		return []string{"publish", "mark-exempt"}
	case StatePublished:
		return []string{"release"}
	}
	return nil
}

// touch advances the version an If-Match compares and the update time.
func (r *Record) touch(at time.Time) {
	r.Version++
	r.UpdatedAt = at.UTC()
}

// Revise replaces a draft's input, result and notes (a PATCH with If-Match
// checks Version first). Inputs, results and the factor set change only here.
func (r *Record) Revise(in Comparison, res Result, purpose string, risks []string, rec Recommendation, policy Policy, at time.Time) error {
	if err := r.requireState("edited", StateDraft); err != nil {
		return err
	}
	next := *r
	next.Input, next.Result, next.FactorSetVersion = in, res, res.FactorSetVersion
	next.Input.FactorSetVersion = res.FactorSetVersion
	next.Purpose, next.Risks, next.Recommendation = purpose, risks, rec
	if err := next.validateNotes(policy); err != nil {
		return err
	}
	next.touch(at)
	*r = next
	return nil
}

// CheckDelete allows deleting drafts only; a decided comparison is a record.
func (r Record) CheckDelete() error { return r.requireState("deleted", StateDraft) }

// Decide freezes a draft: the recommendation must hold against the result
// and any expired framework must have an override.
func (r *Record) Decide(d DecisionRecord, policy Policy, frameworkProblems domain.Problems) error {
	if err := r.requireState("decided", StateDraft); err != nil {
		return err
	}
	var p domain.Problems
	if strings.TrimSpace(d.Decision) == "" {
		p.Add("decision", "is required: what was decided, e.g. \"Approve a 3-year call-off of IaaS virtual machines\"")
	}
	if strings.TrimSpace(d.By) == "" {
		p.Add("by", "is required: who took the decision")
	}
	if d.At.IsZero() {
		p.Add("at", "is required: when the decision was taken")
	}
	p = append(p, frameworkProblems...)
	if err := r.Recommendation.Validate(r.Result, policy); err != nil {
		p = append(p, err.(*domain.Error).Fields...)
	}
	if err := p.Err(); err != nil {
		return err
	}
	d.At = d.At.UTC()
	r.Decided, r.State = &d, StateDecided
	r.touch(d.At)
	return nil
}

// Publish makes a decided comparison public, its exempt fields withheld.
func (r *Record) Publish(s Stamp) error {
	if err := r.requireState("published", StateDecided); err != nil {
		return err
	}
	s.At = s.At.UTC()
	r.Published, r.State = &s, StatePublished
	r.touch(s.At)
	return nil
}

// MarkExempt withholds a field from the public view once published. It is
// done before publication: what the public has seen cannot be unseen.
func (r *Record) MarkExempt(e ExemptField) error {
	if err := r.requireState("given exempt fields", StateDraft, StateDecided); err != nil {
		return err
	}
	var p domain.Problems
	if !r.exemptable(e.Field) {
		p.Add("field", "must be purpose, risks, justification, serviceReasons, rejectionReasons.<option id> or options.<option id>; the options are %s", strings.Join(optionIDs(r.Result), ", "))
	}
	if e.Paragraph == 0 {
		e.Paragraph = ExemptParagraph
	}
	if e.Paragraph < 1 || e.Paragraph > 7 {
		p.Add("paragraph", "must be a paragraph of LGA 1972 Schedule 12A Part 1 (1 to 7); 3 is a person's financial or business affairs")
	}
	if strings.TrimSpace(e.Reason) == "" {
		p.Add("reason", "is required: say why the public interest in withholding outweighs that in disclosing")
	}
	if slices.ContainsFunc(r.Exempt, func(x ExemptField) bool { return x.Field == e.Field }) {
		p.Add("field", "%s is already exempt", e.Field)
	}
	if err := p.Err(); err != nil {
		return err
	}
	e.Released = nil
	r.Exempt = append(r.Exempt, e)
	r.Version++
	return nil
}

func (r Record) exemptable(field string) bool {
	switch field {
	case "purpose", "risks", "justification", "serviceReasons":
		return true
	}
	for _, prefix := range []string{"rejectionReasons.", "options."} {
		if id, ok := strings.CutPrefix(field, prefix); ok {
			_, exists := r.Result.Option(id)
			return exists
		}
	}
	return false
}

// Release discloses exempt fields of a published comparison, e.g. after award.
func (r *Record) Release(fields []string, s Stamp) error {
	if err := r.requireState("released", StatePublished); err != nil {
		return err
	}
	var p domain.Problems
	for _, f := range fields {
		i := slices.IndexFunc(r.Exempt, func(x ExemptField) bool { return x.Field == f })
		switch {
		case i < 0:
			p.Add("fields", "%s is not an exempt field of this comparison", f)
		case !r.Exempt[i].Withheld():
			p.Add("fields", "%s was released on %s", f, r.Exempt[i].Released.At.Format(time.DateOnly))
		}
	}
	if len(fields) == 0 {
		p.Add("fields", "name the exempt fields to release")
	}
	if err := p.Err(); err != nil {
		return err
	}
	s.At = s.At.UTC()
	for _, f := range fields {
		i := slices.IndexFunc(r.Exempt, func(x ExemptField) bool { return x.Field == f })
		st := s
		r.Exempt[i].Released = &st
	}
	r.touch(s.At)
	return nil
}
