package api

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/jointict/councilapi/domain"
)

// The sourcing pages' forms name their inputs by the JSON path of the use
// case's input ("cloudOptions[0].carbon.vcpus", "weights.price",
// "rejectionReasons.saas"), exactly as the use cases name the fields of
// their problems. One codec turns such a form into the input value and the
// value back into a form, reading the types from the Go value, so a form
// needs no field-by-field mapping and every problem finds its input. A list
// of strings is one textarea, an item per line; a checkbox says "yes".

// formOf flattens v's JSON form into input names and their text.
func formOf(v any) url.Values {
	out := url.Values{}
	raw, err := json.Marshal(v)
	if err != nil {
		return out
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return out
	}
	flatten(out, "", tree)
	return out
}

func flatten(out url.Values, prefix string, v any) {
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "." + name
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			flatten(out, join(k), e)
		}
	case []any:
		if isStrings(x) {
			lines := make([]string, len(x))
			for i, s := range x {
				lines[i] = s.(string)
			}
			out.Set(prefix, strings.Join(lines, "\n"))
			return
		}
		for i, e := range x {
			flatten(out, fmt.Sprintf("%s[%d]", prefix, i), e)
		}
	case string:
		out.Set(prefix, x)
	case json.Number:
		out.Set(prefix, x.String())
	case bool:
		if x {
			out.Set(prefix, "yes")
		}
	}
}

func isStrings(xs []any) bool {
	for _, x := range xs {
		if _, ok := x.(string); !ok {
			return false
		}
	}
	return len(xs) > 0
}

// pathSegment is one step of an input name: a member or an index.
type pathSegment struct {
	name  string
	index int // -1 for a member
}

var (
	segmentRe = regexp.MustCompile(`^([A-Za-z0-9_-]+)((?:\[\d+\])*)$`)
	indexRe   = regexp.MustCompile(`\d+`)
)

// parsePath reads "cloudOptions[0].carbon.vcpus"; ok is false for names
// that are not paths (the CSRF token, a button).
func parsePath(name string) ([]pathSegment, bool) {
	var out []pathSegment
	for _, part := range strings.Split(name, ".") {
		m := segmentRe.FindStringSubmatch(part)
		if m == nil {
			return nil, false
		}
		out = append(out, pathSegment{name: m[1], index: -1})
		for _, ix := range indexRe.FindAllString(m[2], -1) {
			n, _ := strconv.Atoi(ix)
			out = append(out, pathSegment{index: n})
		}
	}
	return out, true
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// jsonMembers maps a struct's JSON member names to their types, the
// members of embedded structs included, as encoding/json reads them.
var jsonFields sync.Map // reflect.Type -> map[string]reflect.Type

func jsonMembers(t reflect.Type) map[string]reflect.Type {
	if m, ok := jsonFields.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonMembers(f.Type) {
				if _, taken := m[k]; !taken {
					m[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	jsonFields.Store(t, m)
	return m
}

// leafType follows a path through t; ok is false when t has no such member.
func leafType(t reflect.Type, path []pathSegment) (reflect.Type, bool) {
	for _, seg := range path {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case seg.index >= 0 && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
			t = t.Elem()
		case seg.index < 0 && t.Kind() == reflect.Struct:
			ft, ok := jsonMembers(t)[seg.name]
			if !ok {
				return nil, false
			}
			t = ft
		case seg.index < 0 && t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
			t = t.Elem()
		default:
			return nil, false
		}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t, true
}

// leafValue converts an input's text to the JSON value of type t; a
// problem names what the text should be.
func leafValue(t reflect.Type, text string) (any, string) {
	switch {
	case reflect.PointerTo(t).Implements(unmarshalerType):
		// Decimal and money types read their own text, as in the API.
		v := reflect.New(t).Interface().(json.Unmarshaler)
		quoted, _ := json.Marshal(text)
		if err := v.UnmarshalJSON(quoted); err != nil {
			return nil, err.Error()
		}
		return text, ""
	case t.Kind() == reflect.String:
		return text, ""
	case t.Kind() == reflect.Bool:
		return slices.Contains([]string{"yes", "true", "on", "1"}, strings.ToLower(text)), ""
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		n, err := strconv.Atoi(text)
		if err != nil {
			return nil, "must be a whole number, such as 5"
		}
		return n, ""
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.String:
		var items []any
		for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				items = append(items, line)
			}
		}
		return items, ""
	}
	return nil, "cannot be entered here"
}

// decodeForm fills dst (a pointer) from the form's inputs that name its
// members; empty inputs are left out, as an absent member. Inputs whose
// text is not of the member's type are problems named by the input.
func decodeForm(values url.Values, dst any) domain.Problems {
	t := reflect.TypeOf(dst).Elem()
	tree := map[string]any{}
	var probs domain.Problems
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range values {
			if !yield(k) {
				return
			}
		}
	}) {
		text := strings.TrimSpace(values.Get(name))
		path, ok := parsePath(name)
		if !ok || text == "" {
			continue
		}
		lt, ok := leafType(t, path)
		if !ok {
			continue
		}
		v, problem := leafValue(lt, text)
		if problem != "" {
			probs.Add(name, "%s", problem)
			continue
		}
		setPath(tree, path, v)
	}
	raw, err := json.Marshal(arrays(tree))
	if err == nil {
		err = json.Unmarshal(raw, dst)
	}
	if err != nil {
		probs.Add("form", "cannot be read: %v", err)
	}
	return probs
}

// setPath puts v in the tree; members are map[string]any, indexed items
// map[int]any until arrays turns them into lists.
func setPath(node map[string]any, path []pathSegment, v any) {
	var cur any = node
	for i, seg := range path {
		last := i == len(path)-1
		next := func() any {
			if path[i+1].index >= 0 {
				return map[int]any{}
			}
			return map[string]any{}
		}
		switch n := cur.(type) {
		case map[string]any:
			if last {
				n[seg.name] = v
				return
			}
			if _, ok := n[seg.name]; !ok {
				n[seg.name] = next()
			}
			cur = n[seg.name]
		case map[int]any:
			if last {
				n[seg.index] = v
				return
			}
			if _, ok := n[seg.index]; !ok {
				n[seg.index] = next()
			}
			cur = n[seg.index]
		}
	}
}

// arrays turns indexed items into lists in index order.
func arrays(v any) any {
	switch n := v.(type) {
	case map[string]any:
		for k, e := range n {
			n[k] = arrays(e)
		}
		return n
	case map[int]any:
		keys := make([]int, 0, len(n))
		for k := range n {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = arrays(n[k])
		}
		return out
	}
	return v
}

// compactList drops the blank items of the list input name ("drivers",
// "cloudOptions[0].otherCosts") and numbers the rest from 0 in order,
// renaming their inputs; an item is kept when present says so of its
// inputs. It returns the old index of each kept item by its new one.
func compactList(values url.Values, list string, present func(item url.Values) bool) []int {
	prefix := list + "["
	items := map[int]url.Values{}
	for k, v := range values {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		end := strings.IndexByte(rest, ']')
		n, err := strconv.Atoi(rest[:max(end, 0)])
		if end < 0 || err != nil {
			continue
		}
		if items[n] == nil {
			items[n] = url.Values{}
		}
		items[n][strings.TrimPrefix(rest[end+1:], ".")] = v
		delete(values, k)
	}
	old := make([]int, 0, len(items))
	for n := range items {
		old = append(old, n)
	}
	sort.Ints(old)
	var kept []int
	for _, n := range old {
		if !present(items[n]) {
			continue
		}
		i := len(kept)
		kept = append(kept, n)
		for member, v := range items[n] {
			name := fmt.Sprintf("%s[%d]", list, i)
			if member != "" {
				name += "." + member
			}
			values[name] = v
		}
	}
	return kept
}

// listLen is how many items the form has of list.
func listLen(values url.Values, list string) int {
	n := 0
	for k := range values {
		if rest, ok := strings.CutPrefix(k, list+"["); ok {
			if end := strings.IndexByte(rest, ']'); end > 0 {
				if i, err := strconv.Atoi(rest[:end]); err == nil && i+1 > n {
					n = i + 1
				}
			}
		}
	}
	return n
}

// filled reports whether any of the item's named inputs has text.
func filled(item url.Values, names ...string) bool {
	for _, n := range names {
		if strings.TrimSpace(item.Get(n)) != "" {
			return true
		}
	}
	return false
}
