package identity

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

// CollSessions holds the web pages' sign-in sessions: store records, so
// every instance on one store honours a sign-in and a sign-out at once.
const CollSessions = "sessions"

// How a session was started.
const (
	ViaKey  = "key"
	ViaOIDC = "oidc"
)

// Default session lifetimes: an hour without a request signs a person out
// (a council PC left unlocked at lunch), and a working day is the most any
// one sign-in lasts, so a role removed in the directory takes effect by the
// next morning at the latest.
const (
	DefaultSessionIdle = time.Hour
	DefaultSessionMax  = 12 * time.Hour
)

// SessionConfig sets the session lifetimes and how OpenID Connect claims
// map to councilapi roles and organisations.
type SessionConfig struct {
	// Idle ends a session after this long without a request.
	Idle time.Duration
	// Max ends a session this long after sign-in, however busy.
	Max time.Duration
	// Claims maps an identity provider's claims to a principal.
	Claims ClaimMapping
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Session is the stored record of one sign-in. Its id is the SHA-256 of
// the secret in the browser's cookie, so neither the store nor an admin
// listing holds anything that can be replayed as the cookie.
type Session struct {
	ID        string           `json:"id"`
	Principal domain.Principal `json:"principal"`
	// Via is how the person signed in: "key" or "oidc".
	Via string `json:"via"`
	// Name is who signed in, as the page header shows it: the key's label,
	// or the name the identity provider gave.
	Name string `json:"name"`
	// Email is the identity provider's e-mail or username claim.
	Email string `json:"email,omitempty"`
	// Subject is the identity provider's stable id of the person.
	Subject string `json:"subject,omitempty"`
	// OrganisationName is the council's name, kept so no page needs a read
	// to show it.
	OrganisationName string `json:"organisationName,omitempty"`
	Created          string `json:"created"`
	LastSeen         string `json:"lastSeen"`
	// Expires is the absolute end; the idle end is LastSeen + the idle timeout.
	Expires   string `json:"expires"`
	UserAgent string `json:"userAgent,omitempty"`
	Address   string `json:"address,omitempty"`
	// CSRF is the synchronizer token of the session's forms; never shown.
	CSRF string `json:"csrf,omitempty" swaggerignore:"true"`
}

// Redacted is the session as listed and audited: without its CSRF secret.
func (s Session) Redacted() Session {
	s.CSRF = ""
	return s
}

// Client describes the browser a sign-in comes from, for the admin's list.
type Client struct {
	UserAgent string
	Address   string
	RequestID string
}

// Sessions is the sign-in capability of the web pages.
type Sessions struct {
	ids      *Service
	sessions repo.Repo[Session]
	flows    repo.Repo[SignInFlow]
	cfg      SessionConfig
}

// NewSessions builds the capability over the foundation's keys and
// organisations.
func NewSessions(ids *Service, cfg SessionConfig) *Sessions {
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultSessionIdle
	}
	if cfg.Max <= 0 {
		cfg.Max = DefaultSessionMax
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Sessions{ids: ids, cfg: cfg,
		sessions: repo.New[Session](ids.st, CollSessions), flows: repo.New[SignInFlow](ids.st, CollSignInFlows)}
}

// Config is the capability's configuration, with defaults filled in.
func (s *Sessions) Config() SessionConfig { return s.cfg }

// now is whole seconds in UTC, so stored times compare as strings.
func (s *Sessions) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Second) }

// RandomSecret is 32 random bytes, base64url: 256 bits, as API keys; for
// session secrets, CSRF tokens and the OpenID Connect state and nonce.
func RandomSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// SignInWithKey exchanges an API key for a session. It returns the session
// and the secret for the browser's cookie.
func (s *Sessions) SignInWithKey(ctx context.Context, key string, cl Client) (Session, string, error) {
	p, err := s.ids.Authenticate(ctx, key)
	if err != nil {
		return Session{}, "", err
	}
	k, _, err := s.ids.keys.Get(ctx, p.KeyID)
	if err != nil {
		return Session{}, "", err
	}
	name := k.Label
	if name == "" {
		name = "API key " + k.Prefix + "…"
	}
	return s.start(ctx, Session{Principal: p, Via: ViaKey, Name: name}, cl)
}

// SignInWithClaims starts a session for a person the identity provider
// vouched for: the caller has verified the ID token (signature, issuer,
// audience, expiry and nonce); this maps its claims to a principal and
// refuses a person the mapping does not place (*Refused).
func (s *Sessions) SignInWithClaims(ctx context.Context, claims map[string]any, cl Client) (Session, string, error) {
	id, err := s.cfg.Claims.Map(claims)
	if err != nil {
		return Session{}, "", err
	}
	if id.Principal.Organisation != "" {
		if _, _, err := s.ids.orgs.Get(ctx, id.Principal.Organisation); errors.Is(err, store.ErrNotFound) {
			return Session{}, "", &Refused{Who: id.Name, Reason: fmt.Sprintf(
				"your account is mapped to organisation %q, which councilapi does not know; ask your administrator to correct the organisation mapping", id.Principal.Organisation)}
		} else if err != nil {
			return Session{}, "", err
		}
	}
	return s.start(ctx, Session{Principal: id.Principal, Via: ViaOIDC, Name: id.Name, Email: id.Email, Subject: id.Subject}, cl)
}

func (s *Sessions) start(ctx context.Context, sess Session, cl Client) (Session, string, error) {
	s.prune(ctx)
	if org := sess.Principal.Organisation; org != "" {
		if o, _, err := s.ids.orgs.Get(ctx, org); err == nil {
			sess.OrganisationName = o.Name
		}
	}
	secret := RandomSecret()
	now := s.now()
	sess.ID = HashKey(secret)
	sess.Created, sess.LastSeen = stamp(now), stamp(now)
	sess.Expires = stamp(now.Add(s.cfg.Max))
	sess.UserAgent, sess.Address = truncate(cl.UserAgent, 200), cl.Address
	sess.CSRF = RandomSecret()
	if _, err := s.sessions.Insert(ctx, sess.ID, sess); err != nil {
		return Session{}, "", err
	}
	s.ids.audit.Record(ctx, audit.Actor{Principal: sess.Principal, RequestID: cl.RequestID},
		"session.create", CollSessions, sess.ID, nil, sess.Redacted())
	return sess, secret, nil
}

// Why a session ended, as SessionEnded.Code.
const (
	EndedGone    = "gone" // signed out, revoked by an admin, or never existed
	EndedIdle    = "idle" // no request for longer than the idle timeout
	EndedMax     = "max"  // older than the absolute timeout
	EndedKeyGone = "key"  // the API key it was started with was revoked
)

// SessionEnded says why a session cookie no longer signs anyone in.
type SessionEnded struct{ Code, Reason string }

func (e *SessionEnded) Error() string { return e.Reason }

// EndedReason is the sentence that tells a person why their session
// ended, for a SessionEnded code ("" for an unknown code).
func (s *Sessions) EndedReason(code string) string {
	switch code {
	case EndedGone:
		return "your session has ended; sign in again"
	case EndedIdle:
		return fmt.Sprintf("you were signed out after %s without activity; sign in again", human(s.cfg.Idle))
	case EndedMax:
		return fmt.Sprintf("you were signed out because a sign-in lasts at most %s; sign in again", human(s.cfg.Max))
	case EndedKeyGone:
		return "the API key you signed in with has been revoked; sign in with a current key"
	}
	return ""
}

// Lifetime tells a person how long a sign-in lasts.
func (s *Sessions) Lifetime() string {
	return fmt.Sprintf("You stay signed in while you use the pages: you are signed out after %s without activity, and %s after signing in.",
		human(s.cfg.Idle), human(s.cfg.Max))
}

func (s *Sessions) endedErr(code string) *SessionEnded {
	return &SessionEnded{Code: code, Reason: s.EndedReason(code)}
}

// Resume finds the live session of a cookie's secret. A session past its
// idle or absolute end, or whose API key was revoked since, is deleted and
// reported as *SessionEnded, saying why, so the sign-in page can tell the
// person.
func (s *Sessions) Resume(ctx context.Context, secret string) (Session, error) {
	if secret == "" {
		return Session{}, s.endedErr(EndedGone)
	}
	sess, m, err := s.sessions.Get(ctx, HashKey(secret))
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, s.endedErr(EndedGone)
	}
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	if code := s.ended(ctx, sess, now); code != "" {
		_ = s.sessions.Delete(ctx, sess.ID, m.Version)
		return Session{}, s.endedErr(code)
	}
	// Last seen is written at most about once a minute, so a busy page
	// does not turn every request into a store write.
	if seen, _ := time.Parse(time.RFC3339, sess.LastSeen); now.Sub(seen) >= min(time.Minute, s.cfg.Idle/10) {
		_, after, _, err := s.sessions.Update(ctx, sess.ID, func(v *Session) error {
			v.LastSeen = stamp(now)
			return nil
		})
		if err == nil {
			sess = after
		}
	}
	return sess, nil
}

// ended says why a session is over (a SessionEnded code), or "" while it lasts.
func (s *Sessions) ended(ctx context.Context, sess Session, now time.Time) string {
	expires, _ := time.Parse(time.RFC3339, sess.Expires)
	seen, _ := time.Parse(time.RFC3339, sess.LastSeen)
	switch {
	case !now.Before(expires):
		return EndedMax
	case now.Sub(seen) >= s.cfg.Idle:
		return EndedIdle
	case sess.Via == ViaKey:
		k, _, err := s.ids.keys.Get(ctx, sess.Principal.KeyID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && k.Revoked != "") {
			return EndedKeyGone
		}
	}
	return ""
}

// SignOut ends the caller's own session.
func (s *Sessions) SignOut(ctx context.Context, a audit.Actor, id string) error {
	sess, m, err := s.sessions.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil // already ended: signing out twice is not an error
	}
	if err != nil {
		return err
	}
	if sess.Principal != a.Principal {
		return domain.Errorf(domain.CodeForbidden, "this is not your session")
	}
	return s.remove(ctx, a, "session.end", sess, m)
}

// Revoke ends anyone's session (admin), e.g. for a lost laptop.
func (s *Sessions) Revoke(ctx context.Context, a audit.Actor, id string) (Session, error) {
	if err := a.Authorize(domain.AreaAdmin, ""); err != nil {
		return Session{}, err
	}
	sess, m, err := s.sessions.Get(ctx, id)
	if err != nil {
		return Session{}, err
	}
	return sess.Redacted(), s.remove(ctx, a, "session.revoke", sess, m)
}

func (s *Sessions) remove(ctx context.Context, a audit.Actor, action string, sess Session, m repo.Meta) error {
	err := s.sessions.Delete(ctx, sess.ID, m.Version)
	if errors.Is(err, store.ErrStale) {
		// Last seen moved on meanwhile; the session is still to go.
		_, m2, gerr := s.sessions.Get(ctx, sess.ID)
		if gerr != nil {
			return nil
		}
		err = s.sessions.Delete(ctx, sess.ID, m2.Version)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	s.ids.audit.Record(ctx, a, action, CollSessions, sess.ID, sess.Redacted(), nil)
	return nil
}

// List returns the sessions that have not ended (admin), newest first.
func (s *Sessions) List(ctx context.Context, a audit.Actor) ([]Session, error) {
	if err := a.Authorize(domain.AreaAdmin, ""); err != nil {
		return nil, err
	}
	s.prune(ctx)
	all, _, err := s.sessions.List(ctx, store.Query{Sort: []store.Sort{{Field: "created", Desc: true}}})
	if err != nil {
		return nil, err
	}
	now := s.now()
	live := []Session{}
	for _, sess := range all {
		if s.ended(ctx, sess, now) == "" {
			live = append(live, sess.Redacted())
		}
	}
	return live, nil
}

// prune deletes sessions past their absolute or idle end and sign-in flows
// past theirs, so the collections stay the size of the people signed in.
// It runs on each sign-in and listing, which any instance may serve.
func (s *Sessions) prune(ctx context.Context) {
	now := s.now()
	st := s.ids.st
	_, _ = st.DeleteMatching(ctx, CollSessions, []store.Filter{{Field: "expires", Op: store.Lte, Value: stamp(now)}})
	_, _ = st.DeleteMatching(ctx, CollSessions, []store.Filter{{Field: "lastSeen", Op: store.Lte, Value: stamp(now.Add(-s.cfg.Idle))}})
	_, _ = st.DeleteMatching(ctx, CollSignInFlows, []store.Filter{{Field: "expires", Op: store.Lte, Value: stamp(now)}})
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// human writes a duration as people say it: "1 hour", "30 minutes".
func human(d time.Duration) string {
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return unit(int(d/time.Minute), "minute")
	}
	return d.String()
}
