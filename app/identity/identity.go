// Package identity holds the foundation's use cases: the organisations
// (councils), API keys and who a credential belongs to, and reading the
// audit log.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

// Collections of the foundation.
const (
	CollOrganisations = "organisations"
	CollKeys          = "api_keys"
)

// Indexes are what the foundation's collections need.
var Indexes = []store.Index{
	{Collection: CollOrganisations, Unique: []string{"shortName", "gssCode"}, Fields: []string{"name"}},
	{Collection: CollKeys, Unique: []string{"hash"}, Fields: []string{"created"}},
	{Collection: CollSessions, Fields: []string{"created", "expires", "lastSeen", "principal.keyId"}},
	{Collection: CollSignInFlows, Fields: []string{"expires"}},
}

// KeyPrefix marks councilapi secrets so secret scanners and people can tell
// them apart.
const KeyPrefix = "cak_"

// Service is the foundation capability.
type Service struct {
	st    store.Store
	orgs  repo.Repo[domain.Organisation]
	keys  repo.Repo[domain.APIKey]
	audit *audit.Log
}

// New builds the capability over st.
func New(st store.Store, al *audit.Log) *Service {
	return &Service{st: st, orgs: repo.New[domain.Organisation](st, CollOrganisations),
		keys: repo.New[domain.APIKey](st, CollKeys), audit: al}
}

// Organisations lists councils by name; text, when given, matches the name
// or short name.
func (s *Service) Organisations(ctx context.Context, text string, limit, offset int) ([]domain.Organisation, int64, error) {
	q := store.Query{Sort: []store.Sort{{Field: "name"}}, Limit: limit, Offset: offset}
	if text != "" {
		q.Any = []store.Filter{{Field: "name", Op: store.Contains, Value: text}, {Field: "shortName", Op: store.Contains, Value: text}}
	}
	return s.orgs.List(ctx, q)
}

// Organisation reads one council.
func (s *Service) Organisation(ctx context.Context, id string) (domain.Organisation, repo.Meta, error) {
	return s.orgs.Get(ctx, id)
}

// CreateOrganisation adds a council (admin).
func (s *Service) CreateOrganisation(ctx context.Context, a audit.Actor, o domain.Organisation) (domain.Organisation, repo.Meta, error) {
	if err := a.Authorize(domain.AreaAdmin, ""); err != nil {
		return o, repo.Meta{}, err
	}
	o.ID = domain.IDFromShortName(o.ShortName)
	if err := o.Validate(); err != nil {
		return o, repo.Meta{}, err
	}
	if o.Host {
		return o, repo.Meta{}, &domain.Error{Code: domain.CodeInvalid, Message: "there is one host authority",
			Fields: []domain.FieldProblem{{Field: "host", Problem: "must be false: the host authority is set when the store is created"}}}
	}
	m, err := s.orgs.Insert(ctx, o.ID, o)
	if errors.Is(err, store.ErrExists) {
		return o, m, &domain.Error{Code: domain.CodeConflict, Message: "an organisation with this short name exists",
			Fields: []domain.FieldProblem{{Field: "shortName", Problem: "is already used; choose another"}}}
	}
	if err != nil {
		return o, m, err
	}
	s.audit.Record(ctx, a, "organisation.create", CollOrganisations, o.ID, nil, o)
	return o, m, nil
}

// PatchOrganisation edits a council with a JSON merge patch (admin).
func (s *Service) PatchOrganisation(ctx context.Context, a audit.Actor, id string, ifMatch int64, raw json.RawMessage) (domain.Organisation, repo.Meta, error) {
	if err := a.Authorize(domain.AreaAdmin, ""); err != nil {
		return domain.Organisation{}, repo.Meta{}, err
	}
	before, after, m, err := s.orgs.UpdateIf(ctx, id, ifMatch, func(o *domain.Organisation) error {
		cur := *o
		if err := patch.Apply(cur, raw, o); err != nil {
			return err
		}
		var p domain.Problems
		if o.ID != cur.ID {
			p.Add("id", "cannot be changed")
		}
		if o.Host != cur.Host {
			p.Add("host", "cannot be changed")
		}
		if err := p.Err(); err != nil {
			return err
		}
		return o.Validate()
	})
	if err != nil {
		return after, m, err
	}
	s.audit.Record(ctx, a, "organisation.update", CollOrganisations, id, before, after)
	return after, m, nil
}

// HashKey is how a secret is stored: its SHA-256. 32 random bytes (256
// bits) make a salted slow hash unnecessary.
func HashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateKey makes an API key and returns it with its secret, which is shown
// once and never stored. The command line creates the first admin key with
// the System actor.
func (s *Service) CreateKey(ctx context.Context, a audit.Actor, role domain.Role, org, label string) (domain.APIKey, string, error) {
	if err := a.Authorize(domain.AreaAdmin, ""); err != nil {
		return domain.APIKey{}, "", err
	}
	var p domain.Problems
	if !role.Valid() {
		p.Add("role", "must be one of admin, officer, publisher")
	}
	if role == domain.RoleAdmin && org != "" {
		p.Add("organisation", "must be empty for admin keys, which act for every organisation")
	}
	if role != domain.RoleAdmin && role.Valid() {
		if org == "" {
			p.Add("organisation", "is required for officer and publisher keys: the id of the council the key acts for, e.g. neddc")
		} else if _, _, err := s.orgs.Get(ctx, org); err != nil {
			p.Add("organisation", "no organisation has id %q; GET /api/v1/organisations lists them", org)
		}
	}
	if len(label) > 100 {
		p.Add("label", "must be at most 100 characters")
	}
	if err := p.Err(); err != nil {
		return domain.APIKey{}, "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return domain.APIKey{}, "", err
	}
	secret := KeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	key := domain.APIKey{ID: store.NewID(), Prefix: secret[:10], Hash: HashKey(secret), Role: role,
		Organisation: org, Label: label, Created: time.Now().UTC().Format(time.RFC3339)}
	if _, err := s.keys.Insert(ctx, key.ID, key); err != nil {
		return domain.APIKey{}, "", err
	}
	s.audit.Record(ctx, a, "key.create", CollKeys, key.ID, nil, Redact(key))
	return Redact(key), secret, nil
}

// Redact drops the hash from what is shown or audited.
func Redact(k domain.APIKey) domain.APIKey {
	k.Hash = ""
	return k
}

// RevokeKey marks a key revoked; it stays listed for the audit trail.
func (s *Service) RevokeKey(ctx context.Context, a audit.Actor, id string) (domain.APIKey, error) {
	if err := a.Authorize(domain.AreaAdmin, ""); err != nil {
		return domain.APIKey{}, err
	}
	before, after, _, err := s.keys.Update(ctx, id, func(k *domain.APIKey) error {
		if k.Revoked != "" {
			return repo.Unchanged
		}
		k.Revoked = time.Now().UTC().Format(time.RFC3339)
		return nil
	})
	if err != nil {
		return domain.APIKey{}, err
	}
	if before.Revoked == "" {
		s.audit.Record(ctx, a, "key.revoke", CollKeys, id, Redact(before), Redact(after))
	}
	return Redact(after), nil
}

// Keys returns every key, newest first, without hashes.
func (s *Service) Keys(ctx context.Context, a audit.Actor) ([]domain.APIKey, error) {
	if err := a.Authorize(domain.AreaAdmin, ""); err != nil {
		return nil, err
	}
	keys, _, err := s.keys.List(ctx, store.Query{Sort: []store.Sort{{Field: "created", Desc: true}}})
	for i := range keys {
		keys[i] = Redact(keys[i])
	}
	return keys, err
}

// Unauthenticated explains why a credential was refused.
type Unauthenticated struct{ Reason string }

func (e *Unauthenticated) Error() string { return e.Reason }

// Authenticate finds the principal of an API key secret. A malformed,
// unknown or revoked secret is an *Unauthenticated error.
func (s *Service) Authenticate(ctx context.Context, secret string) (domain.Principal, error) {
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, KeyPrefix) {
		return domain.Principal{}, &Unauthenticated{"the Authorization header must be 'Bearer cak_...' with a councilapi key"}
	}
	found, _, err := s.keys.List(ctx, store.Query{
		Filters: []store.Filter{{Field: "hash", Op: store.Eq, Value: HashKey(secret)}}, Limit: 1})
	if err != nil {
		return domain.Principal{}, err
	}
	if len(found) == 0 {
		return domain.Principal{}, &Unauthenticated{"this API key is not known"}
	}
	k := found[0]
	if k.Revoked != "" {
		return domain.Principal{}, &Unauthenticated{"this API key was revoked on " + k.Revoked}
	}
	return domain.Principal{KeyID: k.ID, Role: k.Role, Organisation: k.Organisation}, nil
}

// Audit reads the audit log (admin), newest first.
func (s *Service) Audit(ctx context.Context, a audit.Actor, q store.AuditQuery) ([]store.AuditEntry, int64, error) {
	if err := a.Authorize(domain.AreaAdmin, ""); err != nil {
		return nil, 0, err
	}
	entries, total, err := s.st.ListAudit(ctx, q)
	if entries == nil {
		entries = []store.AuditEntry{}
	}
	return entries, total, err
}
