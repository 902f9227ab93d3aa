// Package demo loads the demonstration: a realistic sample of what the
// three partner councils keep in councilapi, written by the councilapi
// project for newcomers to see every page populated. None of it is real
// council data: every title, description or note says "sample", the
// suppliers and people are invented, and the geometry is generated around
// the councils' real office addresses.
//
// The sample goes in through the application layer's use cases, as the
// system actor, so it is validated, derived (downloads, OGC API
// collections, catalogue records, OCDS releases) and audited exactly like
// data a council enters.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/patch"
	"github.com/jointict/councilapi/domain"
)

// Marker is the file Load's caller writes into the data directory of a
// demo, so a later run knows the directory holds sample data only (and may
// be replaced) and never mistakes a council's data directory for one.
const Marker = "COUNCILAPI-DEMO-SAMPLE-DATA.txt"

// MarkerText explains the directory to whoever finds it.
const MarkerText = `This directory holds the councilapi demonstration: sample data written by the
councilapi project (invented suppliers, prices, people and generated geometry),
loaded by "councilapi demo". It is not real council data. Delete it freely;
"councilapi demo --reload" replaces it with a fresh copy.
`

// SampleNote starts the description of everything the demo writes.
const SampleNote = "SAMPLE DATA for the councilapi demonstration, written by the councilapi project; not real council data."

// SampleKeyword tags every sample dataset, so a search finds them all.
const SampleKeyword = "sample data"

// contactEmail is the contact of sample records: example.org is reserved
// (RFC 2606), so nobody mails a council about invented data.
const contactEmail = "councilapi-demo@example.org"

// actor is the system actor, with a request id that marks the demo's
// entries in the audit log.
var actor = audit.Actor{Principal: audit.System.Principal, RequestID: "demo-sample-load"}

// Key is a demonstration API key: its role, organisation and secret.
type Key struct {
	Role         domain.Role
	Organisation string // "" for the admin key
	Label        string
	Secret       string
}

// Load writes the whole sample through a's use cases; a must be started
// (uploads are processed by its job runner). Progress lines go to out.
// Load expects a fresh store: the partner councils seeded and nothing else.
func Load(ctx context.Context, a *app.App, out io.Writer) error {
	l := &loader{a: a, out: out, today: time.Now().UTC()}
	steps := []struct {
		what string
		run  func(context.Context) error
	}{
		{"the councils' contacts", l.contacts},
		{"open data", l.openData},
		{"ICT estates", l.estates},
		{"joint procurements", l.procurements},
		{"sourcing", l.sourcingSample},
		{"capital programmes", l.capitalProgrammes},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.run(ctx); err != nil {
			return fmt.Errorf("loading %s: %w", s.what, err)
		}
		fmt.Fprintf(out, "  %-22s %s (%.1fs)\n", s.what, l.done, time.Since(start).Seconds())
		l.done = ""
	}
	return nil
}

// Keys creates one demonstration key per role: an admin, an officer of
// each council and a publisher of the host. Only their hashes are stored;
// the secrets are returned once, to print.
func Keys(ctx context.Context, a *app.App) ([]Key, error) {
	wanted := []Key{
		{Role: domain.RoleAdmin, Label: "Demo admin"},
		{Role: domain.RoleOfficer, Organisation: "neddc", Label: "Demo officer, NEDDC (host)"},
		{Role: domain.RoleOfficer, Organisation: "bdc", Label: "Demo officer, BDC"},
		{Role: domain.RoleOfficer, Organisation: "dddc", Label: "Demo officer, DDDC"},
		{Role: domain.RolePublisher, Organisation: "neddc", Label: "Demo publisher, NEDDC"},
	}
	for i, k := range wanted {
		_, secret, err := a.Identity.CreateKey(ctx, actor, k.Role, k.Organisation, k.Label)
		if err != nil {
			return nil, fmt.Errorf("creating the %s key: %w", k.Label, err)
		}
		wanted[i].Secret = secret
	}
	return wanted, nil
}

// loader carries what the steps share.
type loader struct {
	a     *app.App
	out   io.Writer
	today time.Time
	// done is the step's one-line summary, printed after it.
	done string
	// Ids the later steps link to.
	procurementIDs map[string]string // by reference
}

// decoder hands v to a use case as the API would hand a request body: as
// JSON, decoded strictly, so a misspelt member fails here as it would there.
func decoder(v any) func(any) error {
	raw, err := json.Marshal(v)
	return func(into any) error {
		if err != nil {
			return err
		}
		return patch.Decode(bytes.NewReader(raw), into)
	}
}

// daysAgo is the time n days before the load, at 10:00 UTC, so dated
// records stay plausible whenever the demo runs.
func (l *loader) daysAgo(n int) time.Time {
	d := l.today.AddDate(0, 0, -n)
	return time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, time.UTC)
}

// dayAgo is daysAgo's date as the API writes it.
func (l *loader) dayAgo(n int) string { return l.daysAgo(n).Format(time.DateOnly) }

// contacts gives the councils the contact the contracts register dataset
// needs; an example.org address, as the sample's every contact.
func (l *loader) contacts(ctx context.Context) error {
	for _, org := range []string{"neddc", "bdc", "dddc"} {
		raw, _ := json.Marshal(map[string]any{"contact": domain.Contact{Name: "Joint ICT Service (sample contact)", Email: contactEmail}})
		if _, _, err := l.a.Identity.PatchOrganisation(ctx, actor, org, 0, raw); err != nil {
			return fmt.Errorf("%s: %w", org, err)
		}
	}
	l.done = "3 partner councils (seeded), with a sample contact"
	return nil
}
