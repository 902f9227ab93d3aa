package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDC configures OpenID Connect sign-in (Microsoft Entra ID, or any
// provider with discovery): the authorization code flow with PKCE, state
// and nonce. go-oidc discovers the provider and validates the ID token
// (signature against the provider's JWKS, issuer, audience, expiry);
// x/oauth2 builds the authorization request and redeems the code. Both are
// the libraries most Go services use for this, so the checks are the
// well-reviewed ones rather than our own.
type OIDC struct {
	// Issuer is the provider's issuer URL, e.g.
	// https://login.microsoftonline.com/<tenant id>/v2.0 for Entra ID.
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is the callback registered with the provider; default
	// the base URL + /signin/oidc/callback.
	RedirectURL string
	// Label names the provider on the sign-in button ("your council account").
	Label string
	// HTTPClient talks to the provider (default: 10 s timeout).
	HTTPClient *http.Client
}

// Enabled reports whether OpenID Connect sign-in is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// oidcCallbackPath is where the provider sends the browser back.
const oidcCallbackPath = "/signin/oidc/callback"

// oidcClient discovers the provider on first use and keeps it: a server
// starts even while the provider is unreachable, and the sign-in page says so.
type oidcClient struct {
	cfg        OIDC
	mu         sync.Mutex
	provider   *oidc.Provider
	endSession string
}

func newOIDCClient(cfg OIDC) *oidcClient {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if cfg.Label == "" {
		cfg.Label = "your council account"
	}
	return &oidcClient{cfg: cfg}
}

func (o *oidcClient) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.cfg.HTTPClient)
}

func (o *oidcClient) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	p, err := oidc.NewProvider(o.context(ctx), o.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovering the OpenID Connect provider %s: %w", o.cfg.Issuer, err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&meta)
	o.provider, o.endSession = p, meta.EndSession
	return p, nil
}

func (o *oidcClient) oauth(p *oidc.Provider, redirect string) *oauth2.Config {
	return &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirect, Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

// authURL is where the browser goes to sign in.
func (o *oidcClient) authURL(ctx context.Context, redirect, state, nonce, verifier string) (string, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return "", err
	}
	return o.oauth(p, redirect).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil
}

// errTokenRefused wraps every reason an answer from the provider is not
// accepted; the detail goes to the log, not to the person.
var errTokenRefused = errors.New("the identity provider's answer was refused")

// redeem exchanges the code for tokens and returns the claims of the
// validated ID token: signature, issuer, audience and expiry by go-oidc,
// the nonce here.
func (o *oidcClient) redeem(ctx context.Context, redirect, code, verifier, nonce string) (map[string]any, error) {
	p, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx = o.context(ctx)
	tok, err := o.oauth(p, redirect).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: redeeming the code: %v", errTokenRefused, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: the token response has no id_token", errTokenRefused)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errTokenRefused, err)
	}
	if idt.Nonce != nonce {
		return nil, fmt.Errorf("%w: the ID token's nonce is not the one this sign-in sent", errTokenRefused)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: reading claims: %v", errTokenRefused, err)
	}
	return claims, nil
}

// providerSignOut is the provider's RP-initiated logout URL, returning to
// back afterwards ("" when the provider offers none).
func (o *oidcClient) providerSignOut(ctx context.Context, back string) string {
	if _, err := o.discover(ctx); err != nil || o.endSession == "" {
		return ""
	}
	u, err := url.Parse(o.endSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", o.cfg.ClientID)
	q.Set("post_logout_redirect_uri", back)
	u.RawQuery = q.Encode()
	return u.String()
}
