package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/jointict/councilapi/store"
)

// CollSignInFlows holds OpenID Connect sign-ins in progress, between the
// redirect to the identity provider and its answer; in the store, so the
// answer may reach any instance.
const CollSignInFlows = "signin_flows"

// FlowLifetime is how long a person has to sign in at the provider.
const FlowLifetime = 10 * time.Minute

// SignInFlow is one OpenID Connect sign-in in progress. Its id is the
// SHA-256 of the OAuth state parameter.
type SignInFlow struct {
	ID string `json:"id"`
	// Binding is the SHA-256 of a secret in the browser's sign-in cookie:
	// the provider's answer is accepted only in the browser that asked,
	// so nobody can sign a victim in to the attacker's account.
	Binding string `json:"binding"`
	// Nonce must come back in the ID token; Verifier is the PKCE secret.
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	// Next is the local page to return to after sign-in.
	Next    string `json:"next,omitempty"`
	Expires string `json:"expires"`
}

// StartFlow records a sign-in the browser holding binding is starting.
// state, nonce and verifier are fresh random secrets of the caller.
func (s *Sessions) StartFlow(ctx context.Context, state, binding, nonce, verifier, next string) error {
	s.prune(ctx)
	f := SignInFlow{ID: HashKey(state), Binding: HashKey(binding), Nonce: nonce, Verifier: verifier, Next: next,
		Expires: stamp(s.now().Add(FlowLifetime))}
	_, err := s.flows.Insert(ctx, f.ID, f)
	return err
}

// TakeFlow finds and consumes the sign-in of state: each flow is used once,
// only from the browser that started it and only before it expires.
func (s *Sessions) TakeFlow(ctx context.Context, state, binding string) (SignInFlow, error) {
	expired := &Unauthenticated{"this sign-in has expired or was already used; start again from the sign-in page"}
	if state == "" {
		return SignInFlow{}, expired
	}
	f, m, err := s.flows.Get(ctx, HashKey(state))
	if errors.Is(err, store.ErrNotFound) {
		return SignInFlow{}, expired
	}
	if err != nil {
		return SignInFlow{}, err
	}
	if subtle.ConstantTimeCompare([]byte(f.Binding), []byte(HashKey(binding))) != 1 {
		// Not this browser's: leave the flow for the browser it belongs to.
		return SignInFlow{}, &Unauthenticated{"this sign-in was started in another browser or window; start again from the sign-in page here"}
	}
	if err := s.flows.Delete(ctx, f.ID, m.Version); errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrStale) {
		return SignInFlow{}, expired
	} else if err != nil {
		return SignInFlow{}, err
	}
	if until, _ := time.Parse(time.RFC3339, f.Expires); !s.now().Before(until) {
		return SignInFlow{}, expired
	}
	return f, nil
}
