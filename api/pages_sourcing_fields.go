package api

import (
	"slices"
	"strings"
)

// The sourcing forms draw their inputs from the form itself: a template
// asks for an input by its use-case name ("cloudOptions[0].carbon.vcpus")
// and gets the id, value as typed and problem to show, so the label, the
// error message and the error summary's link always agree.

// sourcingInput is one input as the "input" partial draws it.
type sourcingInput struct {
	Name, ID, Label, Hint, Value, Error string
	// Kind is text (default), number, textarea, checkbox, select or date.
	Kind    string
	Options []string // a select's values, "" for none chosen
	List    string   // the id of a datalist of suggestions
}

// Input describes the input called name. opts is its kind and, for a
// select, its values: {{$f.Input "lot" "Lot" "" "select" "" "cloud-hosting"}}.
func (f *sourcingForm) Input(name, label, hint string, opts ...string) sourcingInput {
	f.shown[name] = true
	in := sourcingInput{Name: name, ID: sourcingInputID(name), Label: label, Hint: hint,
		Value: f.Values.Get(name), Error: f.errs[name], Kind: "text"}
	if len(opts) > 0 {
		in.Kind = opts[0]
	}
	if in.Kind == "list" { // a text input with suggestions: "list" <datalist id>
		in.Kind, in.List = "text", opts[1]
		return in
	}
	if len(opts) > 1 {
		in.Options = opts[1:]
	}
	return in
}

// Items numbers the items of a list input to draw: those the form has and
// extra blank ones to fill in (no script needed to add a row).
func (f *sourcingForm) Items(list string, extra int) []listItem {
	n := listLen(f.Values, list) + extra
	out := make([]listItem, n)
	for i := range out {
		out[i] = listItem{Index: i, Number: i + 1}
	}
	return out
}

// listItem is a row of a list: its index in the input names, its number
// in the legend.
type listItem struct{ Index, Number int }

// Rest is every value the page has not drawn as an input, as hidden
// inputs: the parts of a comparison the form does not show survive an
// edit unchanged. Call it last in the form.
func (f *sourcingForm) Rest() [][2]string {
	var out [][2]string
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range f.Values {
			if !yield(k) {
				return
			}
		}
	}) {
		if f.shown[k] || k == "csrf" || k == "version" || strings.HasPrefix(k, "_") {
			continue
		}
		if _, ok := parsePath(k); !ok {
			continue
		}
		out = append(out, [2]string{k, f.Values.Get(k)})
	}
	return out
}
