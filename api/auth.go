package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

const principalKey = "principal"

// keyPrefix marks councilapi secrets so secret scanners and people can tell them apart.
const keyPrefix = "cak_"

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewKey creates an API key and returns it with its secret, which is shown
// once and never stored: only its SHA-256 is. 32 random bytes (256 bits) make
// a salted slow hash unnecessary.
func NewKey(ctx context.Context, st store.Store, role domain.Role, org, label, actor string) (domain.APIKey, string, error) {
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
		} else if _, err := st.Get(ctx, collOrganisations, org); err != nil {
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
	secret := keyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	key := domain.APIKey{ID: store.NewID(), Prefix: secret[:10], Hash: hashKey(secret), Role: role,
		Organisation: org, Label: label, Created: time.Now().UTC().Format(time.RFC3339)}
	if _, err := st.Insert(ctx, collKeys, key.ID, key); err != nil {
		return domain.APIKey{}, "", err
	}
	err := st.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: "key.create", Collection: collKeys,
		RecordID: key.ID, After: mustJSON(redactKey(key))})
	return key, secret, err
}

// redactKey drops the hash from what is shown or audited.
func redactKey(k domain.APIKey) domain.APIKey {
	k.Hash = ""
	return k
}

// RevokeKey marks a key revoked; it stays listed for the audit trail.
func RevokeKey(ctx context.Context, st store.Store, id, actor string) (domain.APIKey, error) {
	rec, err := st.Get(ctx, collKeys, id)
	if err != nil {
		return domain.APIKey{}, err
	}
	var k domain.APIKey
	if err := rec.Decode(&k); err != nil {
		return k, err
	}
	if k.Revoked != "" {
		return k, nil
	}
	before := k
	k.Revoked = time.Now().UTC().Format(time.RFC3339)
	if _, err := st.Update(ctx, collKeys, id, rec.Version, k); err != nil {
		return k, err
	}
	return k, st.AppendAudit(ctx, store.AuditEntry{Actor: actor, Action: "key.revoke", Collection: collKeys,
		RecordID: id, Before: mustJSON(redactKey(before)), After: mustJSON(redactKey(k))})
}

// ListKeys returns every key, newest first, without hashes.
func ListKeys(ctx context.Context, st store.Store) ([]domain.APIKey, error) {
	page, err := st.List(ctx, collKeys, store.Query{Sort: []store.Sort{{Field: "created", Desc: true}}})
	if err != nil {
		return nil, err
	}
	out := make([]domain.APIKey, 0, len(page.Records))
	for _, r := range page.Records {
		var k domain.APIKey
		if err := r.Decode(&k); err != nil {
			return nil, err
		}
		out = append(out, redactKey(k))
	}
	return out, nil
}

// authenticate requires a valid, unrevoked bearer key.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, secret, ok := strings.Cut(h, " ")
		if h == "" {
			return newProblem("unauthorized", "this request needs an API key: send Authorization: Bearer <key>")
		}
		if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(secret, keyPrefix) {
			return newProblem("unauthorized", "the Authorization header must be 'Bearer cak_...' with a councilapi key")
		}
		page, err := s.store.List(c.Request().Context(), collKeys, store.Query{
			Filters: []store.Filter{{Field: "hash", Op: store.Eq, Value: hashKey(strings.TrimSpace(secret))}}, Limit: 1})
		if err != nil {
			return err
		}
		if len(page.Records) == 0 {
			return newProblem("unauthorized", "this API key is not known")
		}
		var k domain.APIKey
		if err := page.Records[0].Decode(&k); err != nil {
			return err
		}
		if k.Revoked != "" {
			return newProblem("unauthorized", "this API key was revoked on "+k.Revoked)
		}
		c.Set(principalKey, domain.Principal{KeyID: k.ID, Role: k.Role, Organisation: k.Organisation})
		return next(c)
	}
}

// principal returns the caller authenticated by the middleware.
func principal(c echo.Context) domain.Principal {
	p, _ := c.Get(principalKey).(domain.Principal)
	return p
}

// actor is the caller as the application layer sees it: the principal and
// the request id for the audit trail.
func actor(c echo.Context) audit.Actor {
	return audit.Actor{Principal: principal(c), RequestID: c.Response().Header().Get(echo.HeaderXRequestID)}
}

// authorize checks the caller's role and organisation for a write.
func authorize(c echo.Context, area domain.Area, org string) error {
	return principal(c).Authorize(area, org)
}

type createKeyRequest struct {
	Role         domain.Role `json:"role"`
	Organisation string      `json:"organisation,omitempty"`
	Label        string      `json:"label,omitempty"`
}

type createdKey struct {
	domain.APIKey
	// Secret is shown only in this response; store it now.
	Secret string `json:"secret"`
}

// createKey issues a key.
//
//	@Summary	Create an API key (admin); the secret is shown once
//	@Tags		admin
//	@Accept		json
//	@Produce	json
//	@Param		key	body		createKeyRequest	true	"role, organisation and label"
//	@Success	201	{object}	createdKey
//	@Failure	400	{object}	Problem
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/keys [post]
func (s *Server) createKey(c echo.Context) error {
	if err := authorize(c, domain.AreaAdmin, ""); err != nil {
		return err
	}
	var req createKeyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	key, secret, err := NewKey(c.Request().Context(), s.store, req.Role, req.Organisation, req.Label, principal(c).KeyID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdKey{APIKey: redactKey(key), Secret: secret})
}

// listKeys lists keys without secrets or hashes.
//
//	@Summary	List API keys (admin)
//	@Tags		admin
//	@Produce	json
//	@Success	200	{object}	listResponse[domain.APIKey]
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/keys [get]
func (s *Server) listKeys(c echo.Context) error {
	if err := authorize(c, domain.AreaAdmin, ""); err != nil {
		return err
	}
	keys, err := ListKeys(c.Request().Context(), s.store)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listResponse[domain.APIKey]{Items: keys, Total: int64(len(keys)), Limit: len(keys)})
}

// revokeKey revokes a key at once.
//
//	@Summary	Revoke an API key (admin)
//	@Tags		admin
//	@Produce	json
//	@Param		id	path		string	true	"key id"
//	@Success	200	{object}	domain.APIKey
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/keys/{id} [delete]
func (s *Server) revokeKey(c echo.Context) error {
	if err := authorize(c, domain.AreaAdmin, ""); err != nil {
		return err
	}
	k, err := RevokeKey(c.Request().Context(), s.store, c.Param("id"), principal(c).KeyID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, redactKey(k))
}

// me shows who the key belongs to.
//
//	@Summary	The caller's key: role and organisation
//	@Tags		admin
//	@Produce	json
//	@Success	200	{object}	domain.Principal
//	@Failure	401	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/me [get]
func (s *Server) me(c echo.Context) error { return c.JSON(http.StatusOK, principal(c)) }
