package domain

import "slices"

// Role is what an API key may do.
type Role string

const (
	RoleAdmin     Role = "admin"     // everything, every organisation
	RoleOfficer   Role = "officer"   // sourcing and joint procurement
	RolePublisher Role = "publisher" // open data
)

// Roles lists the valid roles.
var Roles = []Role{RoleAdmin, RoleOfficer, RolePublisher}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Area is a part of the service that writes belong to.
type Area string

const (
	AreaAdmin       Area = "admin"       // organisations, keys, audit
	AreaSourcing    Area = "sourcing"    // G-Cloud catalogue, comparisons
	AreaProcurement Area = "procurement" // joint procurements
	AreaOpenData    Area = "opendata"    // datasets and versions
)

// Principal is the authenticated caller.
type Principal struct {
	KeyID        string `json:"keyId"`
	Role         Role   `json:"role"`
	Organisation string `json:"organisation,omitempty"` // "" for admins
}

func (p Principal) roleAllows(a Area) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleOfficer:
		return a == AreaSourcing || a == AreaProcurement
	case RolePublisher:
		return a == AreaOpenData
	}
	return false
}

// Authorize checks that the principal may write in area on behalf of org
// (org "" when the record belongs to no organisation). The error says why not.
func (p Principal) Authorize(a Area, org string) error {
	if !p.roleAllows(a) {
		return Errorf(CodeForbidden, "a %s key cannot write %s data; use a key with the %s role", p.Role, a, rolesFor(a))
	}
	if p.Role != RoleAdmin && org != "" && org != p.Organisation {
		return Errorf(CodeForbidden, "this key acts for organisation %q and cannot write records of %q", p.Organisation, org)
	}
	return nil
}

func rolesFor(a Area) string {
	switch a {
	case AreaSourcing, AreaProcurement:
		return "officer"
	case AreaOpenData:
		return "publisher"
	}
	return "admin"
}

// APIKey is the stored form of a key: only a hash of the secret is kept.
type APIKey struct {
	ID           string `json:"id"`
	Prefix       string `json:"prefix"`         // first characters of the secret, to recognise it in lists
	Hash         string `json:"hash,omitempty"` // hex SHA-256 of the whole secret; never shown
	Role         Role   `json:"role"`
	Organisation string `json:"organisation,omitempty"`
	Label        string `json:"label,omitempty"`
	Created      string `json:"created"`
	Revoked      string `json:"revoked,omitempty"`
}
