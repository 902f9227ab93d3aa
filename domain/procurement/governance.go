package procurement

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// BodyKind is the constitutional kind of a decision-making body.
type BodyKind string

const (
	BodyExecutive         BodyKind = "executive" // a Leader and Executive
	BodyCabinet           BodyKind = "cabinet"   // a Leader and Cabinet
	BodyCommittee         BodyKind = "committee" // a council committee (committee system) or a joint committee
	BodyOfficerDelegation BodyKind = "officerDelegation"
)

// BodyKinds lists the valid kinds.
var BodyKinds = []BodyKind{BodyExecutive, BodyCabinet, BodyCommittee, BodyOfficerDelegation}

// ApprovalScope says which joint procurements need a body's decision.
type ApprovalScope string

const (
	// ApprovesEvery bodies decide every joint procurement: the shared
	// service's Joint Management Team and ICT Shared Service Committee.
	ApprovesEvery ApprovalScope = "every"
	// ApprovesKeyDecision bodies decide when their council's share is a Key
	// Decision under that council's constitution.
	ApprovesKeyDecision ApprovalScope = "keyDecision"
)

// DefaultCallInClearWorkingDays is the call-in period most English
// constitutions give an executive Key Decision: it may not be implemented
// until five clear working days after the decision notice is published,
// so that scrutiny members can call it in (Local Government Act 2000
// s.9F; the Local Authorities (Executive Arrangements) (Meetings and
// Access to Information) (England) Regulations 2012).
const DefaultCallInClearWorkingDays = 5

// ApprovingBody is one body whose approval joint procurements may need.
// Organisation is the council it belongs to, or "" for a joint body of
// the shared service (whose decisions the host authority records).
type ApprovingBody struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Kind         BodyKind      `json:"kind"`
	Organisation string        `json:"organisation,omitempty"`
	Approves     ApprovalScope `json:"approves"`
	// CallInClearWorkingDays overrides the default call-in period of an
	// executive or cabinet; 0 means "no call-in" only when set explicitly.
	CallInClearWorkingDays *int `json:"callInClearWorkingDays,omitempty"`
}

// CallInDays is the number of clear working days a decision of the body
// must wait before it is implemented: executive and cabinet Key Decisions
// are subject to call-in, committees and officers are not.
func (b ApprovingBody) CallInDays() int {
	if b.Kind != BodyExecutive && b.Kind != BodyCabinet {
		return 0
	}
	if b.CallInClearWorkingDays != nil {
		return *b.CallInClearWorkingDays
	}
	return DefaultCallInClearWorkingDays
}

// Governance is the approving bodies of the organisations in the joint
// service. It is configuration, stored by the service and edited by admins.
type Governance struct {
	Bodies []ApprovingBody `json:"bodies"`
}

// SeedGovernance is the bodies of the Joint ICT Service seeds: each
// council's Key Decision body and the two joint bodies.
func SeedGovernance() Governance {
	return Governance{Bodies: []ApprovingBody{
		{ID: string(ApprovalJMT), Name: "Joint Management Team", Kind: BodyOfficerDelegation, Approves: ApprovesEvery},
		{ID: string(ApprovalCommittee), Name: "ICT Shared Service Committee", Kind: BodyCommittee, Approves: ApprovesEvery},
		{ID: "bdc-executive", Name: "BDC Executive", Kind: BodyExecutive, Organisation: "bdc", Approves: ApprovesKeyDecision},
		{ID: "neddc-cabinet", Name: "NEDDC Cabinet", Kind: BodyCabinet, Organisation: "neddc", Approves: ApprovesKeyDecision},
		// Derbyshire Dales runs a committee system: no executive, so no call-in.
		{ID: "dddc-committee", Name: "Derbyshire Dales Committee", Kind: BodyCommittee, Organisation: "dddc", Approves: ApprovesKeyDecision},
	}}
}

// Validate reports every problem with the configuration.
func (g Governance) Validate() error {
	var pr domain.Problems
	kd := map[string]string{}
	for i, b := range g.Bodies {
		f := fmt.Sprintf("bodies[%d].", i)
		if !localID.MatchString(b.ID) || b.ID == string(ApprovalCabinet) {
			pr.Add(f+"id", "must be a short id of letters, digits, '_', '.' or '-' other than \"cabinet\", e.g. bdc-executive")
		} else if slices.IndexFunc(g.Bodies, func(x ApprovingBody) bool { return x.ID == b.ID }) != i {
			pr.Add(f+"id", "repeats %q", b.ID)
		}
		if strings.TrimSpace(b.Name) == "" {
			pr.Add(f+"name", "is required, e.g. \"BDC Executive\"")
		}
		if !slices.Contains(BodyKinds, b.Kind) {
			pr.Add(f+"kind", "must be one of executive, cabinet, committee, officerDelegation")
		}
		switch b.Approves {
		case ApprovesEvery:
		case ApprovesKeyDecision:
			if b.Organisation == "" {
				pr.Add(f+"organisation", "is required for a Key Decision body: the council whose Key Decisions it takes")
			} else if other, dup := kd[b.Organisation]; dup {
				pr.Add(f+"approves", "%s already has a Key Decision body (%s); give each council one", b.Organisation, other)
			}
			kd[b.Organisation] = b.ID
		default:
			pr.Add(f+"approves", "must be every or keyDecision")
		}
		if b.CallInClearWorkingDays != nil && (*b.CallInClearWorkingDays < 0 || *b.CallInClearWorkingDays > 20) {
			pr.Add(f+"callInClearWorkingDays", "must be 0 to 20 clear working days")
		}
	}
	return pr.Err()
}

// Body finds a body by id.
func (g Governance) Body(id string) (ApprovingBody, bool) {
	i := slices.IndexFunc(g.Bodies, func(b ApprovingBody) bool { return b.ID == id })
	if i < 0 {
		return ApprovingBody{}, false
	}
	return g.Bodies[i], true
}

// KeyDecisionBody is the body that takes org's Key Decisions.
func (g Governance) KeyDecisionBody(org string) (ApprovingBody, bool) {
	i := slices.IndexFunc(g.Bodies, func(b ApprovingBody) bool { return b.Approves == ApprovesKeyDecision && b.Organisation == org })
	if i < 0 {
		return ApprovingBody{}, false
	}
	return g.Bodies[i], true
}

// BodyOf is the body an approval was given by. The earlier form
// {"body": "cabinet", "organisation": "bdc"} names the council's Key
// Decision body, whatever its kind, so stored approvals keep their meaning.
func (g Governance) BodyOf(a Approval) (ApprovingBody, bool) {
	if a.Body == ApprovalCabinet {
		return g.KeyDecisionBody(a.Organisation)
	}
	return g.Body(string(a.Body))
}

// relevant reports whether body b may decide on p: a joint body, or a
// body of one of p's parties.
func (b ApprovingBody) relevant(p JointProcurement) bool {
	return b.Organisation == "" || p.IsParty(b.Organisation)
}

// ApprovalBody is the id of an approving body.
type ApprovalBody string

const (
	ApprovalJMT       ApprovalBody = "jointManagementTeam"
	ApprovalCommittee ApprovalBody = "ictSharedServiceCommittee"
	// ApprovalCabinet with an organisation names that council's Key
	// Decision body (the form before bodies were configured).
	ApprovalCabinet ApprovalBody = "cabinet"
)

// Outcome is what a body decided.
type Outcome string

const (
	OutcomeApproved Outcome = "approved"
	OutcomeDeferred Outcome = "deferred"
	OutcomeRefused  Outcome = "refused"
)

// Outcomes lists the valid outcomes.
var Outcomes = []Outcome{OutcomeApproved, OutcomeDeferred, OutcomeRefused}

// Approval is a recorded decision of an approving body.
type Approval struct {
	Body         ApprovalBody `json:"body"`
	Organisation string       `json:"organisation,omitempty"` // the body's council, "" for a joint body
	Outcome      Outcome      `json:"outcome"`
	// Date is the day of the decision; Published the day its decision
	// notice was published, from which any call-in period runs (default Date).
	Date       Date   `json:"date"`
	Published  Date   `json:"published,omitzero"`
	Reference  string `json:"reference,omitempty"` // minute or decision record number
	RecordedBy string `json:"recordedBy"`
}

// Key names the approval: its body id, or "cabinet:bdc" in the earlier form.
func (a Approval) Key() string {
	if a.Body == ApprovalCabinet {
		return string(a.Body) + ":" + a.Organisation
	}
	return string(a.Body)
}

// outcome reads approvals stored before outcomes were recorded, all of
// which were approvals, as approved.
func (a Approval) outcome() Outcome {
	if a.Outcome == "" {
		return OutcomeApproved
	}
	return a.Outcome
}

func (a Approval) published() Date {
	if a.Published.IsZero() {
		return a.Date
	}
	return a.Published
}

// RecordApproval adds a decision, or replaces the decision of the same
// body (a deferred item decided later, a refusal re-taken). The body is
// resolved against gov; the decision may not lie in the future.
// Permission is CanRecordApproval's concern.
func (p *JointProcurement) RecordApproval(a Approval, gov Governance, today Date) error {
	var pr domain.Problems
	body, ok := gov.BodyOf(a)
	switch {
	case !ok && a.Body == ApprovalCabinet:
		pr.Add("organisation", "%q has no Key Decision body configured; give the body's id instead", a.Organisation)
	case !ok:
		pr.Add("body", "must be the id of an approving body: %s", strings.Join(bodyIDs(gov, *p), ", "))
	case !body.relevant(*p):
		pr.Add("body", "%s is a body of %s, which is not a party to %s", body.Name, body.Organisation, p.Reference)
	}
	if !slices.Contains(Outcomes, a.Outcome) {
		pr.Add("outcome", "must be approved, deferred or refused")
	}
	if a.Date.IsZero() {
		pr.Add("date", "is required: the date of the decision, YYYY-MM-DD")
	} else if a.Date.After(today) {
		pr.Add("date", "is %s, in the future; record a decision once it is taken", a.Date)
	}
	if !a.Published.IsZero() && (a.Published.Before(a.Date) || a.Published.After(today)) {
		pr.Add("published", "must be the day the decision notice was published: on or after the decision (%s) and not in the future", a.Date)
	}
	if len(a.Reference) > 200 {
		pr.Add("reference", "must be at most 200 characters")
	}
	if strings.TrimSpace(a.RecordedBy) == "" {
		pr.Add("recordedBy", "is required")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	a.Body, a.Organisation, a.Reference = ApprovalBody(body.ID), body.Organisation, strings.TrimSpace(a.Reference)
	p.Approvals = slices.DeleteFunc(slices.Clone(p.Approvals), func(x Approval) bool {
		b, ok := gov.BodyOf(x)
		return x.Key() == a.Key() || (ok && b.ID == body.ID)
	})
	p.Approvals = append(p.Approvals, a)
	return nil
}

func bodyIDs(gov Governance, p JointProcurement) []string {
	var ids []string
	for _, b := range gov.Bodies {
		if b.relevant(p) {
			ids = append(ids, b.ID)
		}
	}
	return ids
}

// CanRecordApproval says whether the principal may record a decision of
// the body the approval names: a council's own officers record their
// council's bodies' decisions, the host authority's officers the joint
// bodies', admins any.
func CanRecordApproval(pr domain.Principal, p JointProcurement, gov Governance, a Approval) error {
	if !CanRead(pr, p) {
		return domain.Errorf(domain.CodeForbidden, "this key's organisation is not a party to %s", p.Reference)
	}
	body, ok := gov.BodyOf(a)
	if !ok || pr.Role == domain.RoleAdmin {
		return nil // an unknown body is RecordApproval's invalid input, not a permission matter
	}
	if body.Organisation == "" {
		if pr.Organisation == p.Host {
			return nil
		}
		return domain.Errorf(domain.CodeForbidden, "%s is a joint body of the shared service: its decisions are recorded by officers of the host authority %q, and this key acts for %q",
			body.Name, p.Host, pr.Organisation)
	}
	if pr.Organisation == body.Organisation {
		return nil
	}
	return domain.Errorf(domain.CodeForbidden, "%s is a body of %q: its decisions are recorded by %q's own officers, and this key acts for %q",
		body.Name, body.Organisation, body.Organisation, pr.Organisation)
}
