package procurement

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// CanRead reports whether the principal may read p: admins always; officers
// of the host or a partner read everything of procurements they are party to.
func CanRead(pr domain.Principal, p JointProcurement) bool {
	switch pr.Role {
	case domain.RoleAdmin:
		return true
	case domain.RoleOfficer:
		return p.IsParty(pr.Organisation)
	}
	return false
}

// CanRunLifecycle allows admins and the host's officers to move the state.
func CanRunLifecycle(pr domain.Principal, p JointProcurement) error {
	if pr.Role == domain.RoleAdmin || (pr.Role == domain.RoleOfficer && pr.Organisation == p.Host) {
		return nil
	}
	return domain.Errorf(domain.CodeForbidden, "only officers of the host authority %q run the lifecycle of %s", p.Host, p.Reference)
}

// serverFields are kept by the service, never edited by a PATCH.
var serverFields = []string{"id", "state", "history", "standstillEnds", "contractDetailsNoticeDue",
	"realisedSavings", "created", "updated", "version"}

// EditableFields lists the field paths the principal may change: all
// descriptive fields for admins and the host's officers; for a partner's
// officers, their own organisation's baseline, driver count and Cabinet
// approval, which are theirs to state. An empty list means read-only.
func EditableFields(pr domain.Principal, p JointProcurement) []string {
	if pr.Role == domain.RoleAdmin || (pr.Role == domain.RoleOfficer && pr.Organisation == p.Host) {
		return []string{"*"}
	}
	if pr.Role == domain.RoleOfficer && p.IsParty(pr.Organisation) {
		o := pr.Organisation
		return []string{"baseline." + o, "shares.counts." + o, "approvals." + Approval{Body: ApprovalCabinet, Organisation: o}.Key()}
	}
	return nil
}

// CheckEdit returns nil when the principal may make a change from before to
// after, or a forbidden error naming each field it may not change.
func CheckEdit(pr domain.Principal, before, after JointProcurement) error {
	if !CanRead(pr, before) {
		return domain.Errorf(domain.CodeForbidden, "this key's organisation is not a party to %s", before.Reference)
	}
	allowed := EditableFields(pr, before)
	changed := ChangedFields(before, after)
	e := domain.Errorf(domain.CodeForbidden, "the changes include fields this key may not edit")
	for _, f := range changed {
		if slices.Contains(serverFields, f) {
			e.Fields = append(e.Fields, domain.FieldProblem{Field: f, Problem: "is kept by the service; use the lifecycle or savings operations"})
		} else if !slices.Contains(allowed, "*") && !slices.Contains(allowed, f) {
			e.Fields = append(e.Fields, domain.FieldProblem{Field: f, Problem: "only the host authority's officers may change it"})
		}
	}
	if len(e.Fields) > 0 {
		e.Allowed = allowed
		return e
	}
	return nil
}

// ChangedFields lists the JSON field paths that differ between a and b.
// Per-organisation maps and approvals are compared entry by entry, so that a
// partner's edit of its own entry is told apart from an edit of another's.
func ChangedFields(a, b JointProcurement) []string {
	ma, mb := fields(a), fields(b)
	var out []string
	for k := range union(ma, mb) {
		if !bytes.Equal(ma[k], mb[k]) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func fields(p JointProcurement) map[string]json.RawMessage {
	raw, _ := json.Marshal(p)
	var top map[string]json.RawMessage
	_ = json.Unmarshal(raw, &top)
	out := map[string]json.RawMessage{}
	for k, v := range top {
		switch k {
		case "baseline":
		case "shares", "approvals":
		default:
			out[k] = v
		}
	}
	for o, v := range p.Baseline {
		out["baseline."+o] = mustJSON(v)
	}
	out["shares.method"] = mustJSON(p.Shares.Method)
	out["shares.driver"] = mustJSON(p.Shares.Driver)
	for o, v := range p.Shares.Counts {
		out["shares.counts."+o] = mustJSON(v)
	}
	for o, v := range p.Shares.Percentages {
		out["shares.percentages."+o] = mustJSON(v)
	}
	for _, ap := range p.Approvals {
		k := "approvals." + ap.Key()
		out[k] = append(out[k], mustJSON(ap)...)
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

func union(a, b map[string]json.RawMessage) map[string]bool {
	u := map[string]bool{}
	for k := range a {
		u[k] = true
	}
	for k := range b {
		u[k] = true
	}
	return u
}

// RecordApproval adds or replaces the approval with the same key.
func (p *JointProcurement) RecordApproval(a Approval) error {
	var pr domain.Problems
	switch a.Body {
	case ApprovalJMT, ApprovalCommittee:
		if a.Organisation != "" {
			pr.Add("organisation", "is only given for a cabinet approval")
		}
	case ApprovalCabinet:
		if !p.IsParty(a.Organisation) {
			pr.Add("organisation", "must be the host or a partner of this procurement")
		}
	default:
		pr.Add("body", "must be one of jointManagementTeam, ictSharedServiceCommittee, cabinet")
	}
	if a.Date.IsZero() {
		pr.Add("date", "is required: the date of the decision, YYYY-MM-DD")
	}
	if strings.TrimSpace(a.RecordedBy) == "" {
		pr.Add("recordedBy", "is required")
	}
	if err := pr.Err(); err != nil {
		return err
	}
	k := a.Key()
	p.Approvals = slices.DeleteFunc(p.Approvals, func(x Approval) bool { return x.Key() == k })
	p.Approvals = append(p.Approvals, a)
	return nil
}
