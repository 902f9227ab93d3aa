package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/identity"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/internal/apptest"
	"github.com/jointict/councilapi/internal/testclock"
	"github.com/jointict/councilapi/store"
)

type fixture struct {
	st       store.Store
	ids      *identity.Service
	sessions *identity.Sessions
	clock    *testclock.Clock
}

func newFixture(t *testing.T, cfg identity.SessionConfig) fixture {
	t.Helper()
	st := apptest.Store(t)
	c := testclock.At(time.Date(2026, 9, 14, 9, 0, 0, 0, time.UTC))
	cfg.Now = c.Now
	ids := identity.New(st, audit.New(st, apptest.Quiet()))
	return fixture{st: st, ids: ids, sessions: identity.NewSessions(ids, cfg), clock: c}
}

func (f fixture) key(t *testing.T, role domain.Role, org, label string) (domain.APIKey, string) {
	t.Helper()
	k, secret, err := f.ids.CreateKey(context.Background(), audit.CLI, role, org, label)
	if err != nil {
		t.Fatal(err)
	}
	return k, secret
}

func endedCode(err error) string {
	var e *identity.SessionEnded
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestSessionRecordHoldsNoReplayableSecret(t *testing.T) {
	f := newFixture(t, identity.SessionConfig{})
	ctx := context.Background()
	k, key := f.key(t, domain.RoleOfficer, "bdc", "Jo Bloggs, procurement")
	sess, secret, err := f.sessions.SignInWithKey(ctx, key, identity.Client{UserAgent: "Firefox", Address: "10.0.0.9", RequestID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if sess.Name != "Jo Bloggs, procurement" || sess.OrganisationName != "Bolsover District Council" || sess.Principal.KeyID != k.ID ||
		sess.Via != identity.ViaKey || sess.Expires != "2026-09-14T21:00:00Z" {
		t.Fatalf("session %+v", sess)
	}
	rec, err := f.st.Get(ctx, identity.CollSessions, identity.HashKey(secret))
	if err != nil {
		t.Fatalf("the session is not stored under the hash of its secret: %v", err)
	}
	if strings.Contains(string(rec.Data), secret) || strings.Contains(string(rec.Data), key) {
		t.Fatalf("the stored session holds the cookie's secret or the API key: %s", rec.Data)
	}
	entries, _, _ := f.st.ListAudit(ctx, store.AuditQuery{Collection: identity.CollSessions})
	if len(entries) != 1 || entries[0].Action != "session.create" || entries[0].Actor != k.ID || entries[0].RequestID != "r1" {
		t.Fatalf("audit of sign-in: %+v", entries)
	}
	if strings.Contains(string(entries[0].After), sess.CSRF) {
		t.Fatal("the audit log holds the session's CSRF secret")
	}
	// The same session, resumed by another instance over the same store.
	other := identity.NewSessions(f.ids, identity.SessionConfig{Now: f.clock.Now})
	if got, err := other.Resume(ctx, secret); err != nil || got.ID != sess.ID {
		t.Fatalf("resume on another instance: %v %+v", err, got)
	}
	if _, err := other.Resume(ctx, secret+"x"); endedCode(err) != identity.EndedGone {
		t.Fatalf("a wrong secret: %v", err)
	}
}

func TestSessionIdleAndAbsoluteTimeouts(t *testing.T) {
	f := newFixture(t, identity.SessionConfig{Idle: 30 * time.Minute, Max: 2 * time.Hour})
	ctx := context.Background()
	_, key := f.key(t, domain.RolePublisher, "neddc", "open data")

	// Busy: a request every 20 minutes keeps it until the absolute end.
	_, busy, err := f.sessions.SignInWithKey(ctx, key, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	_, quiet, _ := f.sessions.SignInWithKey(ctx, key, identity.Client{})
	for range 5 { // 09:20 … 10:40
		f.clock.Add(20 * time.Minute)
		if _, err := f.sessions.Resume(ctx, busy); err != nil {
			t.Fatalf("at %s a busy session ended: %v", f.clock.Now().Format("15:04"), err)
		}
	}
	if _, err := f.sessions.Resume(ctx, quiet); endedCode(err) != identity.EndedIdle {
		t.Fatalf("a session unused for 100 minutes (idle limit 30): %v", err)
	}
	if !strings.Contains(f.sessions.EndedReason(identity.EndedIdle), "30 minutes without activity") {
		t.Fatalf("idle reason: %q", f.sessions.EndedReason(identity.EndedIdle))
	}
	f.clock.Add(20 * time.Minute) // 11:00 = sign-in + 2h
	if _, err := f.sessions.Resume(ctx, busy); endedCode(err) != identity.EndedMax {
		t.Fatalf("a session at its absolute end: %v", err)
	}
	// Ended sessions are gone from the store, not just refused.
	if p, _ := f.st.List(ctx, identity.CollSessions, store.Query{}); p.Total != 0 {
		t.Fatalf("%d ended sessions left in the store", p.Total)
	}
}

func TestRevokingTheKeyEndsItsSessions(t *testing.T) {
	f := newFixture(t, identity.SessionConfig{})
	ctx := context.Background()
	k, key := f.key(t, domain.RoleOfficer, "dddc", "")
	sess, secret, err := f.sessions.SignInWithKey(ctx, key, identity.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sess.Name, "API key cak_") {
		t.Fatalf("an unlabelled key's session is called %q", sess.Name)
	}
	if _, err := f.ids.RevokeKey(ctx, audit.CLI, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sessions.Resume(ctx, secret); endedCode(err) != identity.EndedKeyGone {
		t.Fatalf("session of a revoked key: %v", err)
	}
	var un *identity.Unauthenticated
	if _, _, err := f.sessions.SignInWithKey(ctx, key, identity.Client{}); !errors.As(err, &un) || !strings.Contains(un.Reason, "revoked") {
		t.Fatalf("signing in with a revoked key: %v", err)
	}
}

func TestSignOutAndAdminRevoke(t *testing.T) {
	f := newFixture(t, identity.SessionConfig{})
	ctx := context.Background()
	_, officerKey := f.key(t, domain.RoleOfficer, "bdc", "officer")
	adminKey, _ := f.key(t, domain.RoleAdmin, "", "admin")
	admin := audit.Actor{Principal: domain.Principal{KeyID: adminKey.ID, Role: domain.RoleAdmin}}

	a, secretA, _ := f.sessions.SignInWithKey(ctx, officerKey, identity.Client{})
	b, secretB, _ := f.sessions.SignInWithKey(ctx, officerKey, identity.Client{UserAgent: "lost laptop"})
	officer := audit.Actor{Principal: a.Principal}

	if _, err := f.sessions.List(ctx, officer); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("an officer listing sessions: %v", err)
	}
	list, err := f.sessions.List(ctx, admin)
	if err != nil || len(list) != 2 {
		t.Fatalf("admin's list: %v %d", err, len(list))
	}
	for _, s := range list {
		if s.CSRF != "" {
			t.Fatal("the admin's list shows CSRF secrets")
		}
	}
	if _, err := f.sessions.Revoke(ctx, officer, b.ID); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("an officer revoking: %v", err)
	}
	if _, err := f.sessions.Revoke(ctx, admin, b.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sessions.Resume(ctx, secretB); endedCode(err) != identity.EndedGone {
		t.Fatalf("a revoked session: %v", err)
	}
	if err := f.sessions.SignOut(ctx, audit.Actor{Principal: domain.Principal{KeyID: "someone-else", Role: domain.RoleOfficer}}, a.ID); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Fatalf("signing out another person's session: %v", err)
	}
	if err := f.sessions.SignOut(ctx, officer, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sessions.Resume(ctx, secretA); endedCode(err) != identity.EndedGone {
		t.Fatalf("a signed-out session: %v", err)
	}
	if err := f.sessions.SignOut(ctx, officer, a.ID); err != nil {
		t.Fatalf("signing out twice: %v", err)
	}
	entries, _, _ := f.st.ListAudit(ctx, store.AuditQuery{Collection: identity.CollSessions})
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	want := []string{"session.end by " + a.Principal.KeyID, "session.revoke by " + adminKey.ID,
		"session.create by " + a.Principal.KeyID, "session.create by " + a.Principal.KeyID}
	if strings.Join(actions, "; ") != strings.Join(want, "; ") {
		t.Fatalf("audit:\n got %v\nwant %v", actions, want)
	}
	var before identity.Session
	_ = json.Unmarshal(entries[1].Before, &before)
	if before.UserAgent != "lost laptop" {
		t.Fatalf("the revoke entry does not say which session: %s", entries[1].Before)
	}
}

func TestSignInFlowIsSingleUseAndBoundToItsBrowser(t *testing.T) {
	f := newFixture(t, identity.SessionConfig{})
	ctx := context.Background()
	if err := f.sessions.StartFlow(ctx, "state-1", "browser-1", "nonce-1", "verifier-1", "/sourcing"); err != nil {
		t.Fatal(err)
	}
	var un *identity.Unauthenticated
	if _, err := f.sessions.TakeFlow(ctx, "state-1", "browser-2"); !errors.As(err, &un) || !strings.Contains(un.Reason, "another browser") {
		t.Fatalf("another browser taking the flow: %v", err)
	}
	fl, err := f.sessions.TakeFlow(ctx, "state-1", "browser-1")
	if err != nil || fl.Nonce != "nonce-1" || fl.Verifier != "verifier-1" || fl.Next != "/sourcing" {
		t.Fatalf("the browser's own flow: %v %+v", err, fl)
	}
	if _, err := f.sessions.TakeFlow(ctx, "state-1", "browser-1"); !errors.As(err, &un) {
		t.Fatalf("a replayed flow: %v", err)
	}
	_ = f.sessions.StartFlow(ctx, "state-2", "browser-1", "n", "v", "/")
	f.clock.Add(identity.FlowLifetime)
	if _, err := f.sessions.TakeFlow(ctx, "state-2", "browser-1"); !errors.As(err, &un) {
		t.Fatalf("an expired flow: %v", err)
	}
}
