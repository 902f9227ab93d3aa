package sourcing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Framework is a G-Cloud framework agreement and the last day a call-off can
// be made under it.
type Framework struct {
	Slug      string `json:"slug"`
	Name      string `json:"name"`
	Reference string `json:"reference"` // Crown Commercial Service agreement number
	Live      string `json:"live"`      // YYYY-MM-DD
	Expiry    string `json:"expiry"`    // YYYY-MM-DD, the last day of the agreement (with extensions)
	Withdrawn bool   `json:"withdrawn"` // ended early
	Source    string `json:"source"`
}

// Frameworks are the G-Cloud agreements a council may meet in a catalogue
// export. A new iteration (G-Cloud 15) is a new row; an extension changes
// Expiry with the notice that made it.
var Frameworks = []Framework{
	{Slug: "g-cloud-12", Name: "G-Cloud 12", Reference: "RM1557.12", Live: "2020-09-28", Expiry: "2022-11-27",
		Source: "CCS: G-Cloud 12 stayed open for call-offs two months after its planned end date, until 27 November 2022, as G-Cloud 13 replaced it (Eversheds Sutherland, 'Launch of G-Cloud 13', 2022)"},
	{Slug: "g-cloud-13", Name: "G-Cloud 13", Reference: "RM1557.13", Live: "2022-11-09", Expiry: "2024-11-08",
		Source: "CCS contract notice RM1557.13 (Contracts Finder, 9 December 2022): initial term to 8 November 2023, extendable by up to 12 months, extended to its maximum; replaced by G-Cloud 14 in November 2024"},
	{Slug: "g-cloud-14", Name: "G-Cloud 14", Reference: "RM1557.14", Live: "2024-10-29", Expiry: "2026-10-28",
		Source: "CCS notice 'G-Cloud 14 Lots 1-3 extension' (Contracts Finder, 25 July 2025): extended by 6 months from 28 April 2026 to 28 October 2026 to allow G-Cloud 15 to be procured"},
}

// LookupFramework finds a framework by slug.
func LookupFramework(slug string) (Framework, bool) {
	i := slices.IndexFunc(Frameworks, func(f Framework) bool { return f.Slug == slug })
	if i < 0 {
		return Framework{}, false
	}
	return Frameworks[i], true
}

// FrameworkStatus is whether a service can still be bought on a given day.
type FrameworkStatus struct {
	Framework string `json:"framework"`
	Expiry    string `json:"expiry,omitempty"` // "" when unknown
	Expired   bool   `json:"expired"`
	Withdrawn bool   `json:"withdrawn"`
	Source    string `json:"source,omitempty"`
}

// Closed reports a framework a call-off can no longer be made under.
func (s FrameworkStatus) Closed() bool { return s.Expired || s.Withdrawn }

// frameworkStatus judges a slug and an optional expiry recorded with the
// service (which wins over the table: it is what the supplier's record
// said) on day, a date as YYYY-MM-DD.
func frameworkStatus(slug, recordedExpiry, day string) FrameworkStatus {
	s := FrameworkStatus{Framework: slug, Expiry: recordedExpiry}
	if f, ok := LookupFramework(slug); ok {
		if s.Expiry == "" {
			s.Expiry, s.Source = f.Expiry, f.Source
		}
		s.Withdrawn = f.Withdrawn
	}
	// Dates as YYYY-MM-DD compare as strings.
	s.Expired = s.Expiry != "" && day != "" && s.Expiry < day
	return s
}

// FrameworkStatusOn is the service's framework status on a day.
func (s Service) FrameworkStatusOn(day time.Time) FrameworkStatus {
	return frameworkStatus(s.FrameworkSlug, s.FrameworkExpiry, dayOf(day))
}

func dayOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// FrameworkOverride is an officer's explicit, reported decision to keep
// options on a closed framework in a comparison (for instance to compare
// with the call-off the council has today). It is printed with the record.
type FrameworkOverride struct {
	Options []string  `json:"options"` // option ids
	Reason  string    `json:"reason"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// FrameworkProblems checks every cloud option's framework on day: a
// closed one is a problem on cloudOptions[i].frameworkSlug unless the
// override names the option with a reason, in which case it becomes a flag
// for the report.
func FrameworkProblems(c Comparison, day time.Time, o *FrameworkOverride) (domain.Problems, []Flag) {
	var p domain.Problems
	var flags []Flag
	if o != nil && strings.TrimSpace(o.Reason) == "" {
		p.Add("frameworkOverride.reason", "is required: say why an option on a closed framework stays in the comparison")
	}
	for i, opt := range c.CloudOptions {
		st := frameworkStatus(opt.FrameworkSlug, opt.FrameworkExpiry, dayOf(day))
		if !st.Closed() {
			continue
		}
		name := st.Framework
		if f, ok := LookupFramework(st.Framework); ok {
			name = f.Name
		}
		why := fmt.Sprintf("%s's framework %s expired on %s", opt.Name, name, st.Expiry)
		if st.Withdrawn {
			why = fmt.Sprintf("%s's framework %s was withdrawn", opt.Name, name)
		}
		if o != nil && slices.Contains(o.Options, opt.ID) && strings.TrimSpace(o.Reason) != "" {
			flags = append(flags, Flag{"framework-override", fmt.Sprintf("%s: a call-off can no longer be made under it. Kept in the comparison by %s on %s: %s",
				why, o.By, o.At.Format(time.DateOnly), o.Reason)})
			continue
		}
		p.Add(fmt.Sprintf("cloudOptions[%d].frameworkSlug", i), "%s: a call-off can no longer be made under it; choose a service on a live framework, or record a frameworkOverride naming %s with the reason", why, opt.ID)
	}
	return p, flags
}
