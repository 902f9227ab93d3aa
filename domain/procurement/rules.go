package procurement

import (
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// Threshold is an amount a value is compared with, with the basis the rule
// states it on.
type Threshold struct {
	Amount Pence `json:"amount"`
	// IncVAT compares the value including VAT (the Procurement Act 2023
	// thresholds) rather than excluding it.
	IncVAT bool `json:"incVat"`
	// Over makes the rule "more than Amount" (the Transparency Code's
	// "exceeds £5,000"); otherwise it is "Amount or more".
	Over bool `json:"over"`
}

// Met reports whether a value with the given net and gross amounts reaches the threshold.
func (t Threshold) Met(net, gross Pence) bool {
	v := net
	if t.IncVAT {
		v = gross
	}
	if t.Over {
		return v > t.Amount
	}
	return v >= t.Amount
}

// RuleSet is one dated version of the rules. A new version is added when a
// threshold or rule changes; old versions stay so that past decisions can be
// explained with the rules then in force.
type RuleSet struct {
	Version       string `json:"version"`
	EffectiveFrom Date   `json:"effectiveFrom"`
	Source        string `json:"source"`
	// SubCentral is the Procurement Act 2023 threshold for sub-central
	// authorities' public contracts for goods and services.
	SubCentral Threshold `json:"subCentral"`
	// Notifiable is where a below-threshold contract must be notified.
	Notifiable Threshold `json:"notifiable"`
	// TransparencyCode is where the Local Government Transparency Code 2015
	// requires the contract in the published contracts register.
	TransparencyCode Threshold `json:"transparencyCode"`
	// KeyDecision is the default threshold of a party's share; KeyDecisionByOrg
	// overrides it where an organisation's constitution sets another figure.
	KeyDecision      Threshold        `json:"keyDecision"`
	KeyDecisionByOrg map[string]Pence `json:"keyDecisionByOrg,omitempty"`
	// StandstillWorkingDays is the mandatory standstill after a contract award notice.
	StandstillWorkingDays int `json:"standstillWorkingDays"`
	// ContractDetailsNoticeDays is the period, beginning with the day of
	// signing, within which the contract details notice is due.
	ContractDetailsNoticeDays int         `json:"contractDetailsNoticeDays"`
	VAT                       BasisPoints `json:"vatBasisPoints"`
}

// DefaultRuleSets are the rule versions shipped with the service, oldest first.
func DefaultRuleSets() []RuleSet {
	base := RuleSet{
		Notifiable:                Threshold{Amount: Pounds(30000), IncVAT: true},
		TransparencyCode:          Threshold{Amount: Pounds(5000), Over: true},
		KeyDecision:               Threshold{Amount: Pounds(50000)},
		StandstillWorkingDays:     8,
		ContractDetailsNoticeDays: 30,
		VAT:                       StandardVAT,
	}
	v1 := base
	v1.Version = "pa2023-2025"
	v1.EffectiveFrom = NewDate(2025, time.February, 24)
	v1.Source = "Procurement Act 2023 (commenced 24 February 2025), Schedule 1 thresholds as first set: sub-central £214,904 incl. VAT"
	v1.SubCentral = Threshold{Amount: Pence(214904_00), IncVAT: true}
	v2 := base
	v2.Version = "pa2023-2026"
	v2.EffectiveFrom = NewDate(2026, time.January, 1)
	v2.Source = "Procurement Act 2023 Schedule 1 thresholds from 1 January 2026: sub-central £207,720 incl. VAT"
	v2.SubCentral = Threshold{Amount: Pence(207720_00), IncVAT: true}
	return []RuleSet{v1, v2}
}

// RuleSetAt picks the version in force on day: the latest effective on or before it.
func RuleSetAt(sets []RuleSet, day Date) (RuleSet, error) {
	var best *RuleSet
	for i := range sets {
		s := &sets[i]
		if !s.EffectiveFrom.After(day) && (best == nil || s.EffectiveFrom.After(best.EffectiveFrom)) {
			best = s
		}
	}
	if best == nil {
		return RuleSet{}, domain.Errorf(domain.CodeNotFound, "no procurement rule set is in force on %s", day)
	}
	return *best, nil
}

// KeyDecisionThreshold is the threshold that applies to org.
func (rs RuleSet) KeyDecisionThreshold(org string) Threshold {
	t := rs.KeyDecision
	if v, ok := rs.KeyDecisionByOrg[org]; ok {
		t.Amount = v
	}
	return t
}

// Regime is which part of the Act a contract falls under.
type Regime string

const (
	AboveThreshold           Regime = "aboveThreshold"
	NotifiableBelowThreshold Regime = "notifiableBelowThreshold"
	BelowThreshold           Regime = "belowThreshold"
)

// Notice is a publication the rules require.
type Notice string

const (
	NoticePreliminaryMarketEngagement Notice = "preliminaryMarketEngagementNotice"
	NoticeTender                      Notice = "tenderNotice"
	NoticeBelowThresholdTender        Notice = "belowThresholdTenderNotice"
	NoticeContractAward               Notice = "contractAwardNotice"
	NoticeContractDetails             Notice = "contractDetailsNotice"
	NoticeTransparencyRegister        Notice = "transparencyCodeContractsRegister"
)

// AllNotices lists the notices in lifecycle order.
var AllNotices = []Notice{NoticePreliminaryMarketEngagement, NoticeTender, NoticeBelowThresholdTender,
	NoticeContractAward, NoticeContractDetails, NoticeTransparencyRegister}

func joinNotices(ns []Notice) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}
