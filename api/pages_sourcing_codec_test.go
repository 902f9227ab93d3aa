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
