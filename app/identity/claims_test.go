package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/testoidc"
)

// entra is the README's Entra ID example.
var entra = testoidc.EntraMapping

func TestClaimMapping(t *testing.T) {
	cases := []struct {
		name      string
		claims    map[string]any
		want      domain.Principal
		refused   string
		mapping   *identity.ClaimMapping
		wantName  string
		wantEmail string
	}{
		{name: "officer by app role and group",
			claims: map[string]any{"sub": "AAAbbb", "name": "Jo Bloggs", "preferred_username": "jo.bloggs@bolsover.gov.uk",
				"roles": []any{"CouncilAPI.Officer"}, "groups": []any{"some-other-group", "grp-bdc"}},
			want: domain.Principal{KeyID: "oidc:AAAbbb", Role: domain.RoleOfficer, Organisation: "bdc"}, wantName: "Jo Bloggs", wantEmail: "jo.bloggs@bolsover.gov.uk"},
		{name: "the first mapped role wins: admin before officer",
			claims: map[string]any{"sub": "x", "roles": []any{"CouncilAPI.Officer", "CouncilAPI.Admin"}},
			want:   domain.Principal{KeyID: "oidc:x", Role: domain.RoleAdmin}, wantName: "x"},
		{name: "a single role as a string",
			claims: map[string]any{"sub": "p", "email": "p@ne-derbyshire.gov.uk", "roles": "CouncilAPI.Publisher", "groups": []any{"grp-neddc"}},
			want:   domain.Principal{KeyID: "oidc:p", Role: domain.RolePublisher, Organisation: "neddc"}, wantName: "p@ne-derbyshire.gov.uk", wantEmail: "p@ne-derbyshire.gov.uk"},
		{name: "no role", claims: map[string]any{"sub": "y", "name": "Sam", "roles": []any{"Other.App"}}, refused: "no councilapi role"},
		{name: "no council", claims: map[string]any{"sub": "z", "roles": []any{"CouncilAPI.Officer"}, "groups": []any{"unknown"}}, refused: "not linked to a council"},
		{name: "no subject", claims: map[string]any{"roles": []any{"CouncilAPI.Admin"}}, refused: "no subject"},
		{name: "the claim is the organisation id when no values are mapped",
			mapping: &identity.ClaimMapping{RoleClaim: "groups", Roles: []identity.ClaimValue{{Value: "g-officers", Target: "officer"}}, OrgClaim: "council"},
			claims:  map[string]any{"sub": "c", "groups": []any{"g-officers"}, "council": "dddc"},
			want:    domain.Principal{KeyID: "oidc:c", Role: domain.RoleOfficer, Organisation: "dddc"}, wantName: "c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := entra
			if tc.mapping != nil {
				m = *tc.mapping
			}
			id, err := m.Map(tc.claims)
			if tc.refused != "" {
				var r *identity.Refused
				if !errors.As(err, &r) || !strings.Contains(r.Reason, tc.refused) {
					t.Fatalf("want refused %q, got %v", tc.refused, err)
				}
				return
			}
			if err != nil || id.Principal != tc.want || id.Name != tc.wantName || id.Email != tc.wantEmail {
				t.Fatalf("got %+v, %v; want %+v %q %q", id, err, tc.want, tc.wantName, tc.wantEmail)
			}
		})
	}
}

func TestClaimMappingConfiguration(t *testing.T) {
	vals, err := identity.ParseClaimValues("oidc-roles", " CouncilAPI.Admin=admin , CouncilAPI.Officer=officer,")
	if err != nil || len(vals) != 2 || vals[1] != (identity.ClaimValue{Value: "CouncilAPI.Officer", Target: "officer"}) {
		t.Fatalf("parse: %v %+v", err, vals)
	}
	if _, err := identity.ParseClaimValues("oidc-roles", "CouncilAPI.Admin"); domain.ErrorCode(err) != domain.CodeInvalid {
		t.Fatalf("a value without a target: %v", err)
	}
	bad := identity.ClaimMapping{RoleClaim: "roles", Roles: []identity.ClaimValue{{Value: "x", Target: "superuser"}, {Value: "y", Target: "officer"}}}
	err = bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "superuser") || !strings.Contains(err.Error(), "oidc-org-claim") {
		t.Fatalf("an unknown role and officers without an organisation claim: %v", err)
	}
	if err := entra.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestSignInWithClaimsChecksTheOrganisation(t *testing.T) {
	f := newFixture(t, identity.SessionConfig{Claims: identity.ClaimMapping{RoleClaim: "roles",
		Roles: []identity.ClaimValue{{Value: "officer", Target: "officer"}}, OrgClaim: "council"}})
	ctx := context.Background()
	sess, secret, err := f.sessions.SignInWithClaims(ctx, map[string]any{"sub": "s1", "name": "Ann", "roles": "officer", "council": "neddc"}, identity.Client{})
	if err != nil || secret == "" || sess.Via != identity.ViaOIDC || sess.OrganisationName != "North East Derbyshire District Council" || sess.Subject != "s1" {
		t.Fatalf("%v %+v", err, sess)
	}
	var r *identity.Refused
	if _, _, err := f.sessions.SignInWithClaims(ctx, map[string]any{"sub": "s2", "roles": "officer", "council": "atlantis"}, identity.Client{}); !errors.As(err, &r) || !strings.Contains(r.Reason, "atlantis") {
		t.Fatalf("an organisation councilapi does not know: %v", err)
	}
}
