package api

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"

	appsrc "github.com/jointict/councilapi/app/sourcing"
)

// The README's worked example, with report text, a recommendation and
// lists, goes through the form and back unchanged.
func TestTheFormCodecRoundTripsAComparison(t *testing.T) {
	_, req := readmeWorkedExample(t)
	var in appsrc.ComparisonInput
	if err := json.Unmarshal(req, &in); err != nil {
		t.Fatal(err)
	}
	in.Risks = []string{"Migration of 20 years of claims", "Supplier lock-in"}
	in.RejectionReasons = map[string]string{"saas": "No document management integration"}
	in.Report.Recommendations = []string{"That Cabinet approves it.", "That the officer signs."}
	in.Report.SignificantInTwoOrMoreWards = true
	form := formOf(in)
	if form.Get("cloudOptions[0].carbon.declaredKwhPerYear") == "" && form.Get("cloudOptions[0].fixedQuantity") == "" {
		t.Fatalf("the form has no cloud option inputs: %v", form)
	}
	if form.Get("risks") != "Migration of 20 years of claims\nSupplier lock-in" || form.Get("rejectionReasons.saas") == "" ||
		form.Get("report.significantInTwoOrMoreWards") != "yes" {
		t.Errorf("lists, maps and checkboxes: %q %q %q", form.Get("risks"), form.Get("rejectionReasons.saas"), form.Get("report.significantInTwoOrMoreWards"))
	}
	var back appsrc.ComparisonInput
	if p := decodeForm(form, &back); len(p) > 0 {
		t.Fatalf("problems: %v", p)
	}
	a, _ := json.Marshal(in)
	b, _ := json.Marshal(back)
	if !reflect.DeepEqual(jsonValue(t, a), jsonValue(t, b)) {
		t.Errorf("round trip changed the input:\n%s\n%s", a, b)
	}
}

func jsonValue(t *testing.T, raw []byte) any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Text that is not of a member's type is a problem named by the input;
// blank items of a list are dropped and the rest renumbered.
func TestTheFormCodecNamesBadInputsAndCompactsLists(t *testing.T) {
	form := url.Values{"horizonYears": {"five"}, "discountRate": {"3.5%"}, "title": {"Backup"}, "csrf": {"x"},
		"drivers[0].id": {""}, "drivers[1].id": {"users"}, "drivers[1].baseQuantity": {"250"},
		"drivers[2].id": {"devices"}, "drivers[2].baseQuantity": {"abc"}}
	kept := compactList(form, "drivers", func(item url.Values) bool { return filled(item, "id", "name") })
	if !reflect.DeepEqual(kept, []int{1, 2}) || form.Get("drivers[0].id") != "users" || form.Get("drivers[1].baseQuantity") != "abc" || listLen(form, "drivers") != 2 {
		t.Fatalf("compacted: %v %v", kept, form)
	}
	var in appsrc.ComparisonInput
	probs := decodeForm(form, &in)
	got := map[string]bool{}
	for _, p := range probs {
		got[p.Field] = true
	}
	for _, want := range []string{"horizonYears", "discountRate", "drivers[1].baseQuantity"} {
		if !got[want] {
			t.Errorf("no problem on %s: %v", want, probs)
		}
	}
	if in.Title != "Backup" || len(in.Drivers) != 2 || in.Drivers[0].ID != "users" || in.Drivers[0].BaseQuantity.String() != "250" {
		t.Errorf("decoded %+v", in)
	}
}

// A form its template draws takes a use case's refusal as a declared form
// does: each problem in the summary links to the input its field names and
// says the field in words, and the input shows the same sentence.
func TestADrawnFormPutsEachProblemBesideTheInputItsFieldNames(t *testing.T) {
	var in appsrc.ComparisonInput
	err := decodeForm(url.Values{"horizonYears": {"five"}, "cloudOptions[1].carbon.vcpus": {"two"}}, &in).Err()
	f := sourcingForm(url.Values{"horizonYears": {"five"}, "cloudOptions[1].carbon.vcpus": {"two"}, "title": {"Backup"}, "csrf": {"x"}})
	if !f.refused(err) || f.Status != 400 || f.ok() {
		t.Fatalf("the codec's problems are not a refusal of the form: %v %+v", err, f)
	}
	want := map[string]formProblem{
		"horizonYears": {Field: "horizonYears", Href: "#horizonYears", Text: "Horizon year must be a whole number, such as 5"},
		"cloudOptions[1].carbon.vcpus": {Field: "cloudOptions[1].carbon.vcpus", Href: "#cloudOptions-1-carbon-vcpus",
			Text: "Cloud option 2, carbon, vcpu must be a decimal number such as 12.50 (at most 12 digits before the point and 6 after)"},
	}
	if len(f.Problems) != len(want) {
		t.Fatalf("problems %+v", f.Problems)
	}
	for _, p := range f.Problems {
		if p != want[p.Field] {
			t.Errorf("problem %+v, want %+v", p, want[p.Field])
		}
		if got := f.Input(p.Field, "", "").Error; got != p.Text || "#"+f.Input(p.Field, "", "").ID != p.Href {
			t.Errorf("input %s shows %q as #%s", p.Field, got, f.Input(p.Field, "", "").ID)
		}
	}
	// The title was not drawn: it goes on as a hidden input, the CSRF
	// token does not.
	if rest := f.Rest(); !reflect.DeepEqual(rest, [][2]string{{"title", "Backup"}}) {
		t.Errorf("rest %v", rest)
	}
}
