package identity

import (
	"fmt"
	"slices"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// ClaimMapping says how an OpenID Connect identity provider's claims make
// a councilapi principal. With Microsoft Entra ID the role usually comes
// from the app roles in the "roles" claim (or security groups' object ids
// in "groups"), and the organisation from a group or from the tenant id
// ("tid") when each partner council signs in from its own tenant.
type ClaimMapping struct {
	// RoleClaim names the claim holding role values (a string or a list).
	RoleClaim string
	// Roles maps claim values to roles; the first entry the person has
	// wins, so list the most privileged first.
	Roles []ClaimValue
	// OrgClaim names the claim holding the organisation ("" when every
	// person is an admin, who acts for no organisation).
	OrgClaim string
	// Orgs maps claim values to organisation ids; when empty, the claim's
	// value is the organisation id itself (e.g. a custom claim "bdc").
	Orgs []ClaimValue
}

// ClaimValue is one "value=target" pair of a mapping.
type ClaimValue struct{ Value, Target string }

// ParseClaimValues reads "value=target,value=target" as the command line
// gives it. field names the flag in a problem.
func ParseClaimValues(field, s string) ([]ClaimValue, error) {
	var out []ClaimValue
	var p domain.Problems
	for _, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		v, t, ok := strings.Cut(pair, "=")
		v, t = strings.TrimSpace(v), strings.TrimSpace(t)
		if !ok || v == "" || t == "" {
			p.Add(field, "%q must be CLAIM_VALUE=TARGET, e.g. CouncilAPI.Officer=officer", pair)
			continue
		}
		out = append(out, ClaimValue{Value: v, Target: t})
	}
	return out, p.Err()
}

// Validate checks the mapping once at start-up, so a typo in a role name
// is an error there rather than a refusal for every person.
func (m ClaimMapping) Validate() error {
	var p domain.Problems
	if m.RoleClaim == "" {
		p.Add("oidc-role-claim", "is required: the claim that carries roles, e.g. roles (Entra app roles) or groups")
	}
	if len(m.Roles) == 0 {
		p.Add("oidc-roles", "is required: map claim values to roles, e.g. CouncilAPI.Admin=admin,CouncilAPI.Officer=officer")
	}
	for _, r := range m.Roles {
		if !domain.Role(r.Target).Valid() {
			p.Add("oidc-roles", "%q maps to %q, which is not a role: use admin, officer or publisher", r.Value, r.Target)
		}
		if r.Target != string(domain.RoleAdmin) && m.OrgClaim == "" {
			p.Add("oidc-org-claim", "is required when officers or publishers sign in: the claim that says their council, e.g. groups or tid")
		}
	}
	return p.Err()
}

// Identity is who the provider says signed in, as councilapi sees them.
type Identity struct {
	Principal domain.Principal
	Name      string
	Email     string
	Subject   string
}

// Refused is a person the identity provider knows but councilapi does not
// let in; Reason tells them what their administrator must change.
type Refused struct {
	Who    string
	Reason string
}

func (e *Refused) Error() string { return e.Reason }

// Map turns verified ID token claims into an identity, or *Refused.
func (m ClaimMapping) Map(claims map[string]any) (Identity, error) {
	sub, _ := claims["sub"].(string)
	id := Identity{Subject: sub,
		Name:  firstString(claims, "name", "preferred_username", "email", "sub"),
		Email: firstString(claims, "email", "preferred_username", "upn")}
	if sub == "" {
		return id, &Refused{Who: id.Name, Reason: "the identity provider sent no subject (sub) for your account"}
	}
	// The principal's key id names the person in the audit log and in
	// "recorded by" fields, as an API key's id does for a key.
	id.Principal.KeyID = "oidc:" + sub
	have := claimStrings(claims[m.RoleClaim])
	for _, r := range m.Roles {
		if slices.Contains(have, r.Value) {
			id.Principal.Role = domain.Role(r.Target)
			break
		}
	}
	if id.Principal.Role == "" {
		return id, &Refused{Who: id.Name, Reason: fmt.Sprintf(
			"your account has no councilapi role: ask your administrator to give you one of the roles this service maps from the %q claim (%s)", m.RoleClaim, m.roleNames())}
	}
	if id.Principal.Role == domain.RoleAdmin {
		return id, nil // admins act for every organisation
	}
	orgs := claimStrings(claims[m.OrgClaim])
	if len(m.Orgs) == 0 {
		if len(orgs) == 1 {
			id.Principal.Organisation = orgs[0]
		}
	} else {
		for _, o := range m.Orgs {
			if slices.Contains(orgs, o.Value) {
				id.Principal.Organisation = o.Target
				break
			}
		}
	}
	if id.Principal.Organisation == "" {
		return id, &Refused{Who: id.Name, Reason: fmt.Sprintf(
			"your account is not linked to a council: ask your administrator to set the %q claim that says which council you work for", m.OrgClaim)}
	}
	return id, nil
}

func (m ClaimMapping) roleNames() string {
	var names []string
	for _, r := range m.Roles {
		if !slices.Contains(names, r.Target) {
			names = append(names, r.Target)
		}
	}
	return strings.Join(names, ", ")
}

// claimStrings reads a claim that may be one string or a list of them.
func claimStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	}
	return nil
}

func firstString(claims map[string]any, names ...string) string {
	for _, n := range names {
		if s, ok := claims[n].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
