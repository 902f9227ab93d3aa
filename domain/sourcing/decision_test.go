package sourcing

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/domain"
)

func workedResult(t *testing.T) Result {
	t.Helper()
	r, err := Compare(workedExample())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestARejectionOfTheTopRankedOptionNeedsAnotherRecommendation(t *testing.T) {
	r := workedResult(t)
	top, _ := r.TopRanked()
	if top.ID != "iaas" {
		t.Fatalf("the worked example's top option is %s", top.ID)
	}
	rec := Recommendation{RejectionReasons: map[string]string{"iaas": "covers the servers only: desktop licences still needed"}}
	err := rec.Validate(r, Policy{})
	if domain.ErrorCode(err) != domain.CodeInvalid || !slices.Contains(fieldsOf(err), "rejectionReasons.iaas") {
		t.Fatalf("rejecting rank 1 without a recommendation: %v, want a problem on rejectionReasons.iaas", err)
	}
	// Naming another option needs a justification, and then holds.
	rec.RecommendedOption = "saas"
	if got := fieldsOf(rec.Validate(r, Policy{})); !slices.Equal(got, []string{"justification"}) {
		t.Fatalf("recommending rank 2 without a justification: problems %v", got)
	}
	rec.Justification = "Only the SaaS service includes the desktop licences the council needs."
	d, err := rec.Decide(r, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Recommended.ID != "saas" || d.FollowsRank || d.TopRanked.ID != "iaas" {
		t.Errorf("decision = recommended %s, follows rank %v", d.Recommended.ID, d.FollowsRank)
	}
	// Every option appears, by rank, each rejected one with its reason: the
	// officer's where given, else one stated from the figures.
	var got []string
	for _, o := range d.Options {
		got = append(got, o.ID)
		switch o.ID {
		case "saas":
			if !o.Recommended || o.Reason != "" {
				t.Errorf("saas: %+v", o)
			}
		case "iaas":
			if o.Reason != rec.RejectionReasons["iaas"] || !o.ReasonGiven {
				t.Errorf("iaas reason %q", o.Reason)
			}
		case "onprem":
			if o.ReasonGiven || !strings.HasPrefix(o.Reason, "Ranked 3 of 3") || !strings.Contains(o.Reason, "Hosted R&B (SaaS)") {
				t.Errorf("onprem reason %q", o.Reason)
			}
		}
	}
	if strings.Join(got, ",") != "iaas,saas,onprem" {
		t.Errorf("options by rank: %v", got)
	}
	bad := Recommendation{RecommendedOption: "nope", RejectionReasons: map[string]string{"ghost": "x", "saas": " "}}
	for _, f := range []string{"recommendedOption", "rejectionReasons.ghost", "rejectionReasons.saas"} {
		if !slices.Contains(fieldsOf(bad.Validate(r, Policy{})), f) {
			t.Errorf("problems lack %s", f)
		}
	}
}

func TestCloudFirstPolicyStatesTheBenefitOfAnOnPremiseRecommendation(t *testing.T) {
	r := workedResult(t)
	rec := Recommendation{RecommendedOption: "onprem", Justification: "The hosts were refreshed last year."}
	if err := rec.Validate(r, Policy{}); err != nil {
		t.Fatalf("without the policy: %v", err)
	}
	policy := Policy{CloudFirst: true}
	if got := fieldsOf(rec.Validate(r, policy)); !slices.Equal(got, []string{"serviceReasons"}) {
		t.Fatalf("cloud first, no service reasons: problems %v", got)
	}
	rec.ServiceReasons = "The document management integration runs only on the council's network."
	d, err := rec.Decide(r, policy)
	if err != nil {
		t.Fatal(err)
	}
	onprem, _ := r.Option("onprem")
	iaas, _ := r.Option("iaas")
	c := d.CloudFirst
	if c == nil || c.BestCloud != "iaas" || c.NPVBenefit != iaas.Summary.NPV-onprem.Summary.NPV ||
		c.CarbonBenefitKgCO2e != iaas.Summary.TotalKgCO2e-onprem.Summary.TotalKgCO2e {
		t.Fatalf("check = %+v", c)
	}
	if !strings.Contains(c.Statement, "costs £"+(-c.NPVBenefit).Display()[len("£"):]+" more") || !strings.Contains(c.Statement, rec.ServiceReasons) {
		t.Errorf("statement %q", c.Statement)
	}
	rec.RecommendedOption, rec.Justification = "", ""
	if d, _ := rec.Decide(r, policy); d.CloudFirst != nil {
		t.Error("the check applies to a cloud recommendation")
	}
}

var (
	t0      = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	own     = &domain.Principal{KeyID: "k1", Role: domain.RoleOfficer, Organisation: "neddc"}
	partner = &domain.Principal{KeyID: "k2", Role: domain.RoleOfficer, Organisation: "bdc"}
	other   = &domain.Principal{KeyID: "k3", Role: domain.RoleOfficer, Organisation: "nwl"}
	admin   = &domain.Principal{KeyID: "k4", Role: domain.RoleAdmin}
	pub     = &domain.Principal{KeyID: "k5", Role: domain.RolePublisher, Organisation: "neddc"}
)

func draftRecord(t *testing.T) Record {
	t.Helper()
	in := workedExample()
	r, err := NewRecord("c1", "neddc", "k1", t0, in, workedResult(t), "To choose how to host R&B.", []string{"Data migration risk"},
		Recommendation{RejectionReasons: map[string]string{"saas": "No document management integration."}}, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	r.JointProcurement = "jp-rb"
	return r
}

func TestLifecycleFreezesDecidedComparisons(t *testing.T) {
	r := draftRecord(t)
	if err := r.Revise(r.Input, r.Result, "Revised purpose", nil, r.Recommendation, Policy{}, t0.Add(time.Hour)); err != nil || r.Version != 2 {
		t.Fatalf("revising a draft: %v (version %d)", err, r.Version)
	}
	if err := r.Decide(DecisionRecord{}, Policy{}, nil); !slices.Equal(fieldsOf(err), []string{"decision", "by", "at"}) {
		t.Errorf("an empty decision: %v", err)
	}
	if err := r.Publish(Stamp{By: "k1", At: t0}); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("publishing a draft: %v", err)
	}
	if err := r.Decide(DecisionRecord{Decision: "Approve IaaS", By: "Head of ICT", At: t0.Add(48 * time.Hour)}, Policy{}, nil); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"revise": r.Revise(r.Input, r.Result, "x", nil, r.Recommendation, Policy{}, t0),
		"delete": r.CheckDelete(),
		"decide": r.Decide(DecisionRecord{Decision: "again", By: "x", At: t0}, Policy{}, nil),
	} {
		var de *domain.Error
		if domain.ErrorCode(err) != domain.CodeConflict || !strings.Contains(err.Error(), "frozen") {
			t.Errorf("%s a decided comparison: %v", name, err)
		} else if errorsAs(err, &de) && !slices.Contains(de.Allowed, "publish") {
			t.Errorf("%s: allowed %v", name, de.Allowed)
		}
	}
	if err := r.MarkExempt(ExemptField{Field: "options.iaas", Reason: "the supplier's price before award"}); err != nil {
		t.Fatal(err)
	}
	if err := r.MarkExempt(ExemptField{Field: "options.ghost", Reason: "x"}); !slices.Contains(fieldsOf(err), "field") {
		t.Errorf("an unknown field: %v", err)
	}
	if err := r.Publish(Stamp{By: "k1", At: t0.Add(72 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := r.MarkExempt(ExemptField{Field: "risks", Reason: "x"}); domain.ErrorCode(err) != domain.CodeConflict {
		t.Errorf("marking exempt after publication: %v", err)
	}
	if err := r.Release([]string{"options.iaas"}, Stamp{By: "k1", At: t0.Add(30 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := r.Release([]string{"options.iaas"}, Stamp{By: "k1", At: t0}); !slices.Contains(fieldsOf(err), "fields") {
		t.Errorf("releasing twice: %v", err)
	}
}

func errorsAs(err error, de **domain.Error) bool {
	e, ok := err.(*domain.Error)
	*de = e
	return ok
}

// TestAccessMatrix is the domain half of the authorisation matrix: every
// audience against every state, with exempt fields.
func TestAccessMatrix(t *testing.T) {
	parties := []string{"neddc", "bdc", "dddc"}
	type row struct{ read, full, edit, publish, release bool }
	want := map[string]map[string]row{
		StateDraft: {
			AudienceAnonymous: {}, AudienceOtherOfficer: {}, AudiencePartner: {read: true, full: true},
			AudienceOwnOfficer: {read: true, full: true, edit: true}, AudienceAdmin: {read: true, full: true, edit: true},
		},
		StateDecided: {
			AudienceAnonymous: {}, AudienceOtherOfficer: {}, AudiencePartner: {read: true, full: true},
			AudienceOwnOfficer: {read: true, full: true, publish: true}, AudienceAdmin: {read: true, full: true, publish: true},
		},
		StatePublished: {
			AudienceAnonymous: {read: true}, AudienceOtherOfficer: {read: true}, AudiencePartner: {read: true, full: true},
			AudienceOwnOfficer: {read: true, full: true, release: true}, AudienceAdmin: {read: true, full: true, release: true},
		},
	}
	callers := map[string]*domain.Principal{AudienceAnonymous: nil, AudienceOtherOfficer: other, AudiencePartner: partner,
		AudienceOwnOfficer: own, AudienceAdmin: admin}
	for state, rows := range want {
		r := draftRecord(t)
		r.State = state
		for audience, w := range rows {
			a := AccessFor(callers[audience], r, parties)
			if a.Audience != audience {
				t.Errorf("%s: placed as %s", audience, a.Audience)
			}
			got := row{a.Read, a.Full, a.Edit, a.Publish, a.Release}
			if got != w {
				t.Errorf("%s, %s: %+v, want %+v", state, audience, got, w)
			}
			if a.Delete != (w.edit) {
				t.Errorf("%s, %s: delete %v", state, audience, a.Delete)
			}
		}
	}
	r := draftRecord(t)
	r.State = StatePublished
	if a := AccessFor(pub, r, parties); a.Audience != AudienceAnonymous || a.Full {
		t.Errorf("a publisher key reads as %+v", a)
	}
	r.JointProcurement = ""
	if a := AccessFor(partner, r, parties); a.Audience != AudienceOtherOfficer {
		t.Errorf("an unlinked record: bdc is %s", a.Audience)
	}
}

func TestPublicViewWithholdsExemptFieldsUntilReleased(t *testing.T) {
	r := draftRecord(t)
	must(t, r.Decide(DecisionRecord{Decision: "Approve IaaS", By: "Head of ICT", At: t0}, Policy{}, nil))
	must(t, r.MarkExempt(ExemptField{Field: "options.iaas", Reason: "Example Hosting Ltd's price before award"}))
	must(t, r.MarkExempt(ExemptField{Field: "risks", Paragraph: 3, Reason: "commercial risk notes"}))
	must(t, r.Publish(Stamp{By: "k1", At: t0}))
	b, err := json.Marshal(r.Public())
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, secret := range []string{"IaaS virtual machines", "498765432109876", "0.21", "Data migration risk", `"createdBy":"k1"`} {
		if strings.Contains(text, secret) {
			t.Errorf("the public view shows %q", secret)
		}
	}
	for _, shown := range []string{"512345678901234", `"field":"options.iaas"`, `"paragraph":3`, "No document management integration."} {
		if !strings.Contains(text, shown) {
			t.Errorf("the public view lacks %q", shown)
		}
	}
	// The full record still has everything, and release discloses it.
	if full, _ := json.Marshal(r); !strings.Contains(string(full), "IaaS virtual machines") {
		t.Error("the record itself lost the option")
	}
	must(t, r.Release([]string{"options.iaas"}, Stamp{By: "k1", At: t0.Add(24 * time.Hour)}))
	p := r.Public()
	if _, ok := p.Result.Option("iaas"); !ok || len(p.Withheld) != 1 || p.Risks != nil {
		t.Errorf("after release: iaas shown %v, withheld %v, risks %v", ok, p.Withheld, p.Risks)
	}
}

// TestPublicViewWithholdsFiguresRelativeToAWithheldQuote: price points are
// weight x lowest NPV / NPV, so when the withheld quote is the cheapest,
// any visible option's price points and NPV would give its NPV away; the
// same for carbon and the environmental score, and for savings against a
// withheld baseline. Figures relative to a visible option stay.
func TestPublicViewWithholdsFiguresRelativeToAWithheldQuote(t *testing.T) {
	publicWith := func(t *testing.T, withheld string) PublicRecord {
		r := draftRecord(t)
		must(t, r.Decide(DecisionRecord{Decision: "Approve", By: "Head of ICT", At: t0}, Policy{}, nil))
		must(t, r.MarkExempt(ExemptField{Field: "options." + withheld, Reason: "a price before award"}))
		must(t, r.Publish(Stamp{By: "k1", At: t0}))
		return r.Public()
	}
	r := draftRecord(t)
	lowest := func(figure func(Summary) int64) string {
		best := r.Result.Options[0]
		for _, o := range r.Result.Options[1:] {
			if figure(o.Summary) < figure(best.Summary) {
				best = o
			}
		}
		return best.ID
	}
	cheapest := lowest(func(s Summary) int64 { return int64(s.NPV) })
	greenest := lowest(func(s Summary) int64 { return int64(s.TotalKgCO2e) })
	withheldFields := func(p PublicRecord) map[string]bool {
		out := map[string]bool{}
		for _, w := range p.Withheld {
			out[w.Field] = true
		}
		return out
	}

	p := publicWith(t, cheapest)
	got := withheldFields(p)
	if !got["results.pricePoints"] || !got["results.bestValueScore"] {
		t.Errorf("the cheapest option %s withheld: withheld %v, want the price points and best-value scores too", cheapest, p.Withheld)
	}
	for _, o := range p.Result.Options {
		if o.Summary.PricePoints != 0 || o.Summary.BestValueScore != 0 {
			t.Errorf("%s shows price points %v and score %v relative to the withheld quote", o.ID, o.Summary.PricePoints, o.Summary.BestValueScore)
		}
	}
	if got["results.environmentalScore"] != (greenest == cheapest) {
		t.Errorf("environmental scores withheld %v; the greenest option is %s", got["results.environmentalScore"], greenest)
	}
	if got["results.savingVsBaseline"] != (cheapest == r.Result.BaselineID) {
		t.Errorf("savings withheld %v; the baseline is %s", got["results.savingVsBaseline"], r.Result.BaselineID)
	}

	// Withholding an option that is neither the cheapest, the greenest nor
	// the baseline leaves every other figure as decided.
	for _, o := range r.Result.Options {
		if o.ID == cheapest || o.ID == greenest || o.ID == r.Result.BaselineID {
			continue
		}
		p := publicWith(t, o.ID)
		if len(p.Withheld) != 1 {
			t.Errorf("withholding %s withholds %v, want the option only", o.ID, p.Withheld)
		}
		for _, v := range p.Result.Options {
			full, _ := r.Result.Option(v.ID)
			if v.Summary.PricePoints != full.Summary.PricePoints || v.Summary.BestValueScore != full.Summary.BestValueScore {
				t.Errorf("%s's figures changed though they are relative to a visible option", v.ID)
			}
		}
		return
	}
	t.Log("every option is the cheapest, the greenest or the baseline: the second half has nothing to withhold")
}
