// Package audit records who changed what: every write a use case makes is
// appended to the store's audit log with the acting principal and the
// request that caused it.
package audit

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

// Actor is who asks a use case to act: an authenticated principal (empty
// for anonymous readers) and the id of the request, for the audit trail.
type Actor struct {
	domain.Principal
	RequestID string
}

// System is the actor of background work (jobs, start-up seeding): it acts
// with every right, as the server itself.
var System = Actor{Principal: domain.Principal{KeyID: "system", Role: domain.RoleAdmin}}

// CLI is the actor of the command line (keys create|revoke), which works on
// the store directly, so the first admin key can be made.
var CLI = Actor{Principal: domain.Principal{KeyID: "cli", Role: domain.RoleAdmin}}

// Anonymous reports whether the actor presented no credentials.
func (a Actor) Anonymous() bool { return a.KeyID == "" }

// Log appends audit entries.
type Log struct {
	st  store.Store
	log *slog.Logger
}

// New returns the audit log of st; failures to append are logged on log.
func New(st store.Store, log *slog.Logger) *Log { return &Log{st: st, log: log} }

// Record appends one entry for a successful write. A failure to append is
// logged rather than returned: the write itself has happened, and failing
// the request would invite a retry that repeats it.
func (l *Log) Record(ctx context.Context, a Actor, action, coll, id string, before, after any) {
	e := store.AuditEntry{Actor: a.KeyID, ActorRole: string(a.Role), ActorOrg: a.Organisation,
		Action: action, Collection: coll, RecordID: id, RequestID: a.RequestID}
	if a.KeyID == "" {
		e.Actor = "anonymous"
	}
	if before != nil {
		e.Before = mustJSON(before)
	}
	if after != nil {
		e.After = mustJSON(after)
	}
	if err := l.st.AppendAudit(context.WithoutCancel(ctx), e); err != nil {
		l.log.Error("audit append failed", "err", err, "action", action, "record", id)
	}
}

func mustJSON(v any) json.RawMessage {
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own types are recorded
	}
	return b
}
