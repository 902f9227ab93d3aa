package sourcing

import (
	"fmt"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// ReportText is what the officer writes for the Cabinet or committee report
// the comparison supports, section by section of the councils' report
// template (North East Derbyshire's, as in report PW/01/15/NB): what the
// figures cannot say. It is stored with the comparison and, like its
// inputs, frozen when the comparison is decided, so the report of a
// decision reads as it was put to the meeting. Every field is optional; an
// empty section prints as not stated.
type ReportText struct {
	// Meeting is the body the report goes to, e.g. "Cabinet" or "Joint ICT Committee".
	Meeting string `json:"meeting,omitempty"`
	// MeetingDate is the date of the meeting, YYYY-MM-DD.
	MeetingDate string `json:"meetingDate,omitempty"`
	// ReportOf names the officer the report is of, e.g. "Assistant Director of ICT".
	ReportOf string `json:"reportOf,omitempty"`
	// PortfolioHolder is the Cabinet member whose portfolio the decision falls in.
	PortfolioHolder string `json:"portfolioHolder,omitempty"`
	// Reference is the report's own reference, e.g. "PW/01/15/NB".
	Reference string `json:"reference,omitempty"`
	// Background is the report details: what the service is today and why a decision is needed.
	Background string `json:"background,omitempty"`
	// Conclusions are the officer's conclusions and reasons for the recommendation, beyond the ranking.
	Conclusions string `json:"conclusions,omitempty"`
	// Consultation says who was consulted (partners, staff, unions, users) and what they said.
	Consultation string `json:"consultation,omitempty"`
	// EqualityImpact is the equality impact assessment's conclusion.
	EqualityImpact string `json:"equalityImpact,omitempty"`
	// Finance adds to the financial implications the figures state (budget lines, funding).
	Finance string `json:"finance,omitempty"`
	// Legal is the legal implications: the contract, the procurement route, powers.
	Legal string `json:"legal,omitempty"`
	// DataProtection is the data protection implications: personal data, the DPIA, where data is held.
	DataProtection string `json:"dataProtection,omitempty"`
	// HumanResources is the human resources implications: posts, TUPE, training.
	HumanResources string `json:"humanResources,omitempty"`
	// Recommendations are the numbered recommendations as the meeting will vote on them;
	// without them the report recommends the officer's recommended option.
	Recommendations []string `json:"recommendations,omitempty"`
	// WardsAffected names the district wards affected (default "All").
	WardsAffected string `json:"wardsAffected,omitempty"`
	// SignificantInTwoOrMoreWards makes the decision a Key Decision whatever it costs.
	SignificantInTwoOrMoreWards bool `json:"significantInTwoOrMoreWards,omitempty"`
	// CorporatePlanPriorities are the links to the corporate plan priorities or policy framework.
	CorporatePlanPriorities string `json:"corporatePlanPriorities,omitempty"`
	// Appendices are the report's further appendices (A, the options appraisal, and B, the
	// assumptions, are always there).
	Appendices []string `json:"appendices,omitempty"`
	// BackgroundPapers are the unpublished documents relied on in preparing the report.
	BackgroundPapers []string `json:"backgroundPapers,omitempty"`
	// Author is the report's author; Contact their telephone number or e-mail address.
	Author  string `json:"author,omitempty"`
	Contact string `json:"contact,omitempty"`
}

// Lengths of the officer's report text: a heading's worth for the short
// fields, a few paragraphs for a section, a sentence or two per list item.
const (
	maxShortText   = 200
	maxSectionText = 6000
	maxListItems   = 20
	maxListItem    = 1000
)

// Validate returns every problem with the report text, named report.<field>.
func (t ReportText) Validate() error {
	var p domain.Problems
	for _, f := range []struct {
		name, value string
		max         int
	}{{"meeting", t.Meeting, maxShortText}, {"reportOf", t.ReportOf, maxShortText}, {"portfolioHolder", t.PortfolioHolder, maxShortText},
		{"reference", t.Reference, maxShortText}, {"wardsAffected", t.WardsAffected, maxSectionText}, {"author", t.Author, maxShortText},
		{"contact", t.Contact, maxShortText}, {"background", t.Background, maxSectionText}, {"conclusions", t.Conclusions, maxSectionText},
		{"consultation", t.Consultation, maxSectionText}, {"equalityImpact", t.EqualityImpact, maxSectionText},
		{"finance", t.Finance, maxSectionText}, {"legal", t.Legal, maxSectionText}, {"dataProtection", t.DataProtection, maxSectionText},
		{"humanResources", t.HumanResources, maxSectionText}, {"corporatePlanPriorities", t.CorporatePlanPriorities, maxSectionText}} {
		if len(f.value) > f.max {
			p.Add("report."+f.name, "must be at most %d characters (it has %d)", f.max, len(f.value))
		}
	}
	if t.MeetingDate != "" {
		if _, err := time.Parse(time.DateOnly, t.MeetingDate); err != nil {
			p.Add("report.meetingDate", "must be a date written YYYY-MM-DD, such as 2026-03-12")
		}
	}
	for _, l := range []struct {
		name  string
		items []string
	}{{"recommendations", t.Recommendations}, {"appendices", t.Appendices}, {"backgroundPapers", t.BackgroundPapers}} {
		if len(l.items) > maxListItems {
			p.Add("report."+l.name, "at most %d items", maxListItems)
		}
		for i, it := range l.items {
			if strings.TrimSpace(it) == "" || len(it) > maxListItem {
				p.Add(fmt.Sprintf("report.%s[%d]", l.name, i), "must be 1 to %d characters", maxListItem)
			}
		}
	}
	return p.Err()
}
