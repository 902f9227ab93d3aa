// Package testoidc is a small OpenID Connect provider for tests: discovery,
// JWKS, an authorization endpoint that signs in whoever the test says
// (no login form), a token endpoint that checks the client, the redirect
// URI and the PKCE verifier, RS256-signed ID tokens, and RP-initiated
// logout. The relying party under test validates its tokens for real;
// hooks let a test spoil one (audience, expiry, nonce, signature) to see
// it refused.
package testoidc

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/jointict/councilapi/app/identity"
)

// EntraMapping is the README's Microsoft Entra ID example, for tests:
// app roles in "roles" for the role, one security group per council in
// "groups" for the organisation (group ids grp-bdc and grp-neddc).
var EntraMapping = identity.ClaimMapping{
	RoleClaim: "roles",
	Roles: []identity.ClaimValue{{Value: "CouncilAPI.Admin", Target: "admin"}, {Value: "CouncilAPI.Officer", Target: "officer"},
		{Value: "CouncilAPI.Publisher", Target: "publisher"}},
	OrgClaim: "groups",
	Orgs:     []identity.ClaimValue{{Value: "grp-bdc", Target: "bdc"}, {Value: "grp-neddc", Target: "neddc"}},
}

// Provider is a running test identity provider.
type Provider struct {
	// Issuer is the provider's issuer URL (its server's base URL).
	Issuer       string
	ClientID     string
	ClientSecret string

	key     *rsa.PrivateKey
	keyID   string
	foreign *rsa.PrivateKey

	mu       sync.Mutex
	redirect string // the one registered redirect URI ("" accepts any)
	person   map[string]any
	tamper   func(claims map[string]any)
	wrongKey bool
	codes    map[string]grant
	logouts  int
}

type grant struct {
	clientID, redirect, challenge, nonce string
	claims                               map[string]any
}

// New starts a provider for one client; it stops with the test.
func New(t testing.TB, clientID, clientSecret string) *Provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &Provider{ClientID: clientID, ClientSecret: clientSecret, key: key, keyID: "test-key-1", foreign: foreign,
		codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /logout", p.logout)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p.Issuer = srv.URL
	return p
}

// RegisterRedirect sets the only redirect URI the provider accepts.
func (p *Provider) RegisterRedirect(uri string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirect = uri
}

// SignInAs makes the next authorizations sign in this person: "sub" and
// any claims (name, email, roles, groups, tid …). nil makes the provider
// answer access_denied, as when a person cancels.
func (p *Provider) SignInAs(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.person = maps.Clone(claims)
}

// Tamper edits every ID token's claims after the provider set them and
// before signing, e.g. to send another audience or a past expiry.
func (p *Provider) Tamper(fn func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = fn
}

// SignWithForeignKey signs ID tokens with a key the JWKS does not publish.
func (p *Provider) SignWithForeignKey(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wrongKey = on
}

// Logouts counts the browser's visits to the end-session endpoint.
func (p *Provider) Logouts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logouts
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/keys",
		"end_session_endpoint":                  p.Issuer + "/logout",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: p.keyID, Algorithm: string(jose.RS256), Use: "sig"}}})
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	registered, person := p.redirect, maps.Clone(p.person)
	p.mu.Unlock()
	redirect := q.Get("redirect_uri")
	if q.Get("client_id") != p.ClientID || redirect == "" || (registered != "" && redirect != registered) {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back, err := url.Parse(redirect)
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	answer := url.Values{"state": {q.Get("state")}}
	switch {
	case q.Get("response_type") != "code" || !strings.Contains(" "+q.Get("scope")+" ", " openid "):
		answer.Set("error", "unsupported_response_type")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		answer.Set("error", "invalid_request")
		answer.Set("error_description", "PKCE with S256 is required")
	case person == nil:
		answer.Set("error", "access_denied")
	default:
		code := random()
		p.mu.Lock()
		p.codes[code] = grant{clientID: p.ClientID, redirect: redirect, challenge: q.Get("code_challenge"),
			nonce: q.Get("nonce"), claims: person}
		p.mu.Unlock()
		answer.Set("code", code)
	}
	back.RawQuery = answer.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request")
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	} else {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		tokenError(w, "invalid_client")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g, ok := p.codes[code]
	delete(p.codes, code) // a code is redeemed once
	tamper, wrongKey := p.tamper, p.wrongKey
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case r.PostForm.Get("grant_type") != "authorization_code" || !ok:
		tokenError(w, "invalid_grant")
		return
	case r.PostForm.Get("redirect_uri") != g.redirect:
		tokenError(w, "invalid_grant")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		tokenError(w, "invalid_grant") // the PKCE verifier does not match the challenge
		return
	}
	now := time.Now()
	claims := maps.Clone(g.claims)
	claims["iss"], claims["aud"], claims["nonce"] = p.Issuer, p.ClientID, g.nonce
	claims["iat"], claims["exp"] = now.Unix(), now.Add(5*time.Minute).Unix()
	if tamper != nil {
		tamper(claims)
	}
	key := p.key
	if wrongKey {
		key = p.foreign
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": random(), "token_type": "Bearer", "expires_in": 300,
		"id_token": p.sign(key, claims)})
}

func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.logouts++
	p.mu.Unlock()
	if back := r.URL.Query().Get("post_logout_redirect_uri"); back != "" {
		http.Redirect(w, r, back, http.StatusFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte("<!doctype html><title>Signed out</title><p>You have signed out of the test provider."))
}

func (p *Provider) sign(key *rsa.PrivateKey, claims map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: p.keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	compact, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return compact
}

func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
