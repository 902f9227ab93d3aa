package sourcing

import (
	"cmp"
	"slices"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// Audiences of a stored comparison, the rows of the authorisation matrix.
const (
	AudienceAnonymous    = "anonymous"     // no key, or a key without the sourcing role
	AudienceOtherOfficer = "other-officer" // an officer of another council
	AudiencePartner      = "partner"       // an officer of a party to the linked joint procurement
	AudienceOwnOfficer   = "own-officer"   // an officer of the comparison's organisation
	AudienceAdmin        = "admin"
)

// AudienceOf places the caller: p is nil for an anonymous request;
// linkedParties are the parties (host and partners) of the joint procurement
// the record links to, or nil when it links to none.
func AudienceOf(p *domain.Principal, r Record, linkedParties []string) string {
	switch {
	case p == nil:
		return AudienceAnonymous
	case p.Role == domain.RoleAdmin:
		return AudienceAdmin
	case p.Role != domain.RoleOfficer:
		return AudienceAnonymous
	case p.Organisation == r.Organisation:
		return AudienceOwnOfficer
	case r.JointProcurement != "" && slices.Contains(linkedParties, p.Organisation):
		return AudiencePartner
	}
	return AudienceOtherOfficer
}

// Access is what an audience may do with a record. The API answers 404
// (not 403) when Read is false, so that a draft's existence is not disclosed.
type Access struct {
	Audience string `json:"audience"`
	Read     bool   `json:"read"`
	// Full is reading the whole record, exempt fields included; otherwise
	// the reader gets Public().
	Full        bool `json:"full"`
	Edit        bool `json:"edit"`   // Revise (PATCH with If-Match)
	Delete      bool `json:"delete"` // drafts only, audited
	Decide      bool `json:"decide"`
	Publish     bool `json:"publish"`
	MarkExempt  bool `json:"markExempt"`
	Release     bool `json:"release"`
	RecordAward bool `json:"recordAward"`
}

// AccessFor is the one rule for every route that shows a comparison (JSON,
// report, chart, CSV, XLSX) or changes it: call it, answer 404 when !Read,
// serve Public() when !Full, 403 for a change it does not allow.
func AccessFor(p *domain.Principal, r Record, linkedParties []string) Access {
	a := Access{Audience: AudienceOf(p, r, linkedParties)}
	insider := a.Audience == AudienceAdmin || a.Audience == AudienceOwnOfficer
	switch {
	case insider || a.Audience == AudiencePartner:
		a.Read, a.Full = true, true
	case r.State == StatePublished:
		a.Read = true
	}
	if insider {
		a.Edit = r.State == StateDraft
		a.Delete = r.State == StateDraft
		a.Decide = r.State == StateDraft
		a.Publish = r.State == StateDecided
		a.MarkExempt = r.State == StateDraft || r.State == StateDecided
		a.Release = r.State == StatePublished
		a.RecordAward = r.State != StateDraft
	}
	return a
}

// Listable reports whether a record appears in the audience's listing:
// anonymous and other councils' lists never show a draft or decided record.
func (a Access) Listable() bool { return a.Read }

// Withheld is what the public view leaves out, so a reader knows something
// is withheld and why.
type Withheld struct {
	Field     string `json:"field"`
	Paragraph int    `json:"paragraph"`
	Reason    string `json:"reason"`
}

// PublicRecord is a published comparison as the public sees it: the record
// less the exempt fields not yet released, and the list of what is withheld.
type PublicRecord struct {
	Record
	Withheld []Withheld `json:"withheld"`
}

// Public strips every exempt field still withheld: text fields are emptied,
// and an exempt option (a supplier's quote) is removed from the input, the
// result and the reasons, so no export or report built from the projection
// can print it. The creator's key id is internal and always removed.
func (r Record) Public() PublicRecord {
	out := r
	out.CreatedBy = ""
	out.Risks = slices.Clone(r.Risks)
	out.RejectionReasons = map[string]string{}
	for k, v := range r.RejectionReasons {
		out.RejectionReasons[k] = v
	}
	out.Input.CloudOptions = slices.Clone(r.Input.CloudOptions)
	out.Input.OnPremOptions = slices.Clone(r.Input.OnPremOptions)
	out.Result.Options = slices.Clone(r.Result.Options)
	out.Result.Assumptions = slices.Clone(r.Result.Assumptions)
	pr := PublicRecord{Withheld: []Withheld{}}
	hidden := map[string]int{} // withheld option: its paragraph
	for _, e := range r.Exempt {
		if !e.Withheld() {
			continue
		}
		pr.Withheld = append(pr.Withheld, Withheld{Field: e.Field, Paragraph: e.Paragraph, Reason: e.Reason})
		switch e.Field {
		case "purpose":
			out.Purpose = ""
		case "risks":
			out.Risks = nil
		case "justification":
			out.Justification = ""
		case "serviceReasons":
			out.ServiceReasons = ""
		}
		if id, ok := strings.CutPrefix(e.Field, "rejectionReasons."); ok {
			delete(out.RejectionReasons, id)
		}
		if id, ok := strings.CutPrefix(e.Field, "options."); ok {
			out.withholdOption(id)
			hidden[id] = e.Paragraph
		}
	}
	pr.Withheld = append(pr.Withheld, out.withholdRelativeFigures(r.Result, hidden)...)
	pr.Record = out
	return pr
}

// withholdRelativeFigures removes from the visible options the figures
// that are relative to a withheld option and so would disclose it: price
// points are weight x lowest NPV / NPV, so when the lowest NPV is a
// withheld quote's, any visible option's price points and NPV give it
// away; the environmental score is likewise relative to the lowest carbon;
// savings and break-even are against the baseline. Each is zeroed and
// listed as withheld with the option's paragraph. Ranks stay: they say
// where the withheld option stood, not what it cost.
func (r *Record) withholdRelativeFigures(all Result, hidden map[string]int) []Withheld {
	if len(hidden) == 0 || len(all.Options) == 0 {
		return nil
	}
	// lowestHidden is the paragraph of a withheld option holding the
	// lowest value of a figure, when no visible option shares it.
	lowestHidden := func(figure func(Summary) int64) (int, bool) {
		low := figure(all.Options[0].Summary)
		for _, o := range all.Options[1:] {
			low = min(low, figure(o.Summary))
		}
		para, found := 0, false
		for _, o := range all.Options {
			if figure(o.Summary) != low {
				continue
			}
			p, withheld := hidden[o.ID]
			if !withheld {
				return 0, false
			}
			para, found = p, true
		}
		return para, found
	}
	var out []Withheld
	clear := func(field string, para int, reason string, zero func(*Summary)) {
		for i := range r.Result.Options {
			zero(&r.Result.Options[i].Summary)
		}
		out = append(out, Withheld{Field: field, Paragraph: para, Reason: reason})
	}
	priceHidden, pricePara := false, 0
	if para, ok := lowestHidden(func(s Summary) int64 { return int64(s.NPV) }); ok {
		priceHidden, pricePara = true, para
		clear("results.pricePoints", para, "price points are relative to the lowest whole-life cost, which is a withheld option's", func(s *Summary) {
			s.PricePoints = 0
		})
	}
	envHidden, envPara := false, 0
	if para, ok := lowestHidden(func(s Summary) int64 { return int64(s.TotalKgCO2e) }); ok {
		envHidden, envPara = true, para
		clear("results.environmentalScore", para, "environmental scores are relative to the lowest emissions, which are a withheld option's", func(s *Summary) {
			s.EnvironmentalScore, s.EnvironmentPoints = 0, 0
		})
	}
	if priceHidden || envHidden {
		clear("results.bestValueScore", cmp.Or(pricePara, envPara), "the best-value score adds the points withheld above", func(s *Summary) {
			s.BestValueScore = 0
		})
	}
	if para, ok := hidden[all.BaselineID]; ok && all.BaselineID != "" {
		clear("results.savingVsBaseline", para, "savings and break-even are against the baseline, which is withheld", func(s *Summary) {
			s.SavingVsBaseline, s.SavingVsBaselineNominal, s.BreakEvenYear = 0, 0, nil
		})
	}
	return out
}

func (r *Record) withholdOption(id string) {
	r.Input.CloudOptions = slices.DeleteFunc(r.Input.CloudOptions, func(o CloudOption) bool { return o.ID == id })
	r.Input.OnPremOptions = slices.DeleteFunc(r.Input.OnPremOptions, func(o OnPremOption) bool { return o.ID == id })
	name := ""
	if o, ok := r.Result.Option(id); ok {
		name = o.Name
	}
	r.Result.Options = slices.DeleteFunc(r.Result.Options, func(o OptionResult) bool { return o.ID == id })
	delete(r.RejectionReasons, id)
	// Assumptions name options ("<name>: price basis"); those of a
	// withheld option go with it.
	if name != "" {
		r.Result.Assumptions = slices.DeleteFunc(r.Result.Assumptions, func(a Assumption) bool { return strings.HasPrefix(a.Name, name+": ") })
	}
	var flags []Flag
	for _, f := range r.Result.Flags {
		if name == "" || !strings.Contains(f.Message, name) {
			flags = append(flags, f)
		}
	}
	r.Result.Flags = flags
}
