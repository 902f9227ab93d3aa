package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
)

const principalKey = "principal"

// authenticate requires a valid, unrevoked bearer key. Failures are
// throttled per client address and key prefix (auth_throttle.go).
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, secret, ok := strings.Cut(h, " ")
		if h == "" {
			return newProblem("unauthorized", "this request needs an API key: send Authorization: Bearer <key>")
		}
		attempt, err := s.beginAuthentication(c, secret)
		if err != nil {
			return err
		}
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			s.authenticated(c, attempt, true)
			return newProblem("unauthorized", "the Authorization header must be 'Bearer cak_...' with a councilapi key")
		}
		p, err := s.app.Identity.Authenticate(c.Request().Context(), secret)
		var un *identity.Unauthenticated
		s.authenticated(c, attempt, errors.As(err, &un))
		if un != nil {
			return newProblem("unauthorized", un.Reason)
		}
		if err != nil {
			return err
		}
		c.Set(principalKey, p)
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
	key, secret, err := s.app.Identity.CreateKey(c.Request().Context(), actor(c), req.Role, req.Organisation, req.Label)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, createdKey{APIKey: key, Secret: secret})
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
	keys, err := s.app.Identity.Keys(c.Request().Context(), actor(c))
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
	k, err := s.app.Identity.RevokeKey(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, k)
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
