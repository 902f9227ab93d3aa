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

// serverFields are kept by the service, never edited by a PATCH:
// lifecycle facts change through their own operations, which check them.
var serverFields = []string{"id", "state", "history", "standstillEnds", "contractDetailsNoticeDue",
	"realisedSavings", "created", "updated", "version"}

// serverKept reports a field kept by the service; each approval
// ("approvals.<body>") is recorded through RecordApproval.
func serverKept(f string) bool {
	return slices.Contains(serverFields, f) || strings.HasPrefix(f, "approvals.")
}

// EditableFields lists the field paths the principal may change: all
// descriptive fields for admins and the host's officers; for a partner's
// officers, their own organisation's baseline and driver count, which are
// theirs to state (their council's approvals are recorded with
// RecordApproval, see CanRecordApproval). An empty list means read-only.
func EditableFields(pr domain.Principal, p JointProcurement) []string {
	if pr.Role == domain.RoleAdmin || (pr.Role == domain.RoleOfficer && pr.Organisation == p.Host) {
		return []string{"*"}
	}
	if pr.Role == domain.RoleOfficer && p.IsParty(pr.Organisation) {
		o := pr.Organisation
		return []string{"baseline." + o, "shares.counts." + o}
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
		if serverKept(f) {
			e.Fields = append(e.Fields, domain.FieldProblem{Field: f, Problem: "is kept by the service; use the lifecycle, approvals or savings operations"})
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
