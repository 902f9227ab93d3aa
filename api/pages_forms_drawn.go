package api

import (
	"slices"
	"strings"
)

// Forms their template draws. Most forms declare their inputs in Go
// (newForm's inputs, laid out with "form-field"); the sourcing forms
// instead name their inputs by the JSON path of the use case's input
// ("cloudOptions[0].carbon.vcpus"), read them with the form codec
// (pages_sourcing_codec.go) and let the template ask for each input by
// that name: {{$f.Input "lot" "Lot" "" "select" "" "cloud-hosting"}}
// gets its id, value as typed and problem, so the label, the error message
// and the error summary's link agree as they do for declared inputs. A
// form with no declared inputs is such a form: a problem's field is its
// input's name, and its label is the field in words.

// drawnInput is one input as the sourcing "input" partial draws it.
type drawnInput struct {
	Name, ID, Label, Hint, Value, Error string
	// Kind is text (default), number, textarea, checkbox, select or date.
	Kind    string
	Options []string // a select's values, "" for none chosen
	List    string   // the id of a datalist of suggestions
}

// Input describes the input called name. opts is its kind and, for a
// select, its values.
func (f *pageForm) Input(name, label, hint string, opts ...string) drawnInput {
	f.shown[name] = true
	in := drawnInput{Name: name, ID: inputID(name), Label: label, Hint: hint,
		Value: f.Values.Get(name), Error: f.Error(name), Kind: "text"}
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

// Error is the problem with the input named name, as the summary says it.
func (f *pageForm) Error(name string) string {
	if f == nil {
		return ""
	}
	for _, p := range f.Problems {
		if p.Field == name {
			return p.Text
		}
	}
	return ""
}

// Value is an input's value as typed.
func (f *pageForm) Value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Items numbers the items of a list input to draw: those the form has and
// extra blank ones to fill in (no script needed to add a row).
func (f *pageForm) Items(list string, extra int) []listItem {
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
func (f *pageForm) Rest() [][2]string {
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
