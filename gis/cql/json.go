package cql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/paulmach/orb/geojson"
)

// ParseJSON reads a cql2-json filter. An error is an *Error whose Path is
// the JSON Pointer of the member at fault.
func ParseJSON(b []byte) (Expr, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &Error{Msg: "the filter is not JSON: " + err.Error()}
	}
	if dec.More() {
		return nil, &Error{Msg: "the filter has more than one JSON value"}
	}
	e, err := jsonNode(v, "")
	if err != nil {
		return nil, err
	}
	if !isCondition(e) {
		return nil, &Error{Path: "/", Msg: `expected a condition such as {"op": ">", "args": [{"property": "floors"}, 5]}, found a value`}
	}
	return e, nil
}

func jsonErr(path, format string, args ...any) error {
	if path == "" {
		path = "/"
	}
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

func jsonNode(v any, path string) (Expr, error) {
	switch v := v.(type) {
	case nil:
		return nil, jsonErr(path, "null is not a CQL2 value; test for a missing value with isNull")
	case bool:
		return Bool(v), nil
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return nil, jsonErr(path, "the number %s is out of range", v)
		}
		return Number(f), nil
	case string:
		return String(v), nil
	case []any:
		items := make(Array, len(v))
		for i, item := range v {
			e, err := jsonNode(item, fmt.Sprintf("%s/%d", path, i))
			if err != nil {
				return nil, err
			}
			items[i] = e
		}
		return items, nil
	case map[string]any:
		return jsonObject(v, path)
	}
	return nil, jsonErr(path, "unexpected JSON value")
}

func jsonObject(m map[string]any, path string) (Expr, error) {
	if op, ok := m["op"]; ok {
		return jsonOp(m, op, path)
	}
	one := func(key string) (string, error) {
		s, ok := m[key].(string)
		if !ok || len(m) != 1 {
			return "", jsonErr(path, `expected {"%s": "..."} with a string and no other member`, key)
		}
		return s, nil
	}
	switch {
	case m["property"] != nil:
		s, err := one("property")
		return Property{s}, err
	case m["timestamp"] != nil:
		s, err := one("timestamp")
		if err != nil {
			return nil, err
		}
		t, ok := parseInstant(s)
		if !ok {
			return nil, jsonErr(path+"/timestamp", "%s is not an RFC 3339 date-time with a zone", quote(s))
		}
		return Timestamp{t}, nil
	case m["date"] != nil:
		s, err := one("date")
		if err != nil {
			return nil, err
		}
		t, ok := parseDay(s)
		if !ok {
			return nil, jsonErr(path+"/date", "%s is not a date (YYYY-MM-DD)", quote(s))
		}
		return Date{t}, nil
	case m["interval"] != nil:
		return jsonInterval(m["interval"], path+"/interval")
	case m["bbox"] != nil:
		return jsonBBox(m["bbox"], path+"/bbox")
	case m["type"] != nil:
		raw, err := json.Marshal(m)
		if err != nil {
			return nil, jsonErr(path, "unreadable geometry: %v", err)
		}
		g, err := geojson.UnmarshalGeometry(raw)
		if err != nil {
			return nil, jsonErr(path, "not a GeoJSON geometry: %v", err)
		}
		if g.Geometry() == nil {
			return nil, jsonErr(path, "not a GeoJSON geometry")
		}
		return Geometry{G: g.Geometry()}, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return nil, jsonErr(path, "expected an object with op, property, timestamp, date, interval, bbox or a GeoJSON geometry, found the member(s) %s",
		strings.Join(keys, ", "))
}

// jsonArity is the number of arguments of each operator that is not a
// function; -2 means "two or more".
var jsonArity = map[string]int{"and": -2, "or": -2, "not": 1, "=": 2, "<>": 2, "<": 2, "<=": 2, ">": 2, ">=": 2,
	"like": 2, "between": 3, "in": 2, "isnull": 1, "+": 2, "-": 2, "*": 2, "/": 2, "%": 2, "^": 2, "div": 2}

func jsonOp(m map[string]any, opv any, path string) (Expr, error) {
	op, ok := opv.(string)
	if !ok || op == "" {
		return nil, jsonErr(path+"/op", "op must be a non-empty string")
	}
	for k := range m {
		if k != "op" && k != "args" {
			return nil, jsonErr(path, "an operation has only op and args, not %q", k)
		}
	}
	rawArgs, ok := m["args"].([]any)
	if _, present := m["args"]; present && !ok {
		return nil, jsonErr(path+"/args", "args must be an array")
	}
	lower := strings.ToLower(op)
	arity, fixed := jsonArity[lower]
	if fixed && (arity > 0 && len(rawArgs) != arity || arity == -2 && len(rawArgs) < 2) {
		want := fmt.Sprint(arity)
		if arity == -2 {
			want = "at least 2"
		}
		return nil, jsonErr(path+"/args", "%s takes %s arguments, not %d", op, want, len(rawArgs))
	}
	args := make([]Expr, len(rawArgs))
	for i, a := range rawArgs {
		if lower == "in" && i == 1 {
			if _, isList := a.([]any); !isList {
				return nil, jsonErr(fmt.Sprintf("%s/args/1", path), "the second argument of in must be an array")
			}
		}
		e, err := jsonNode(a, fmt.Sprintf("%s/args/%d", path, i))
		if err != nil {
			return nil, err
		}
		wantCond := lower == "and" || lower == "or" || lower == "not"
		if wantCond && !isCondition(e) {
			return nil, jsonErr(fmt.Sprintf("%s/args/%d", path, i), "%s needs conditions, found a value", lower)
		}
		args[i] = e
	}
	if !fixed {
		return Call{standardName(op), args}, nil
	}
	switch lower {
	case "and":
		return And{args}, nil
	case "or":
		return Or{args}, nil
	case "not":
		return Not{args[0]}, nil
	case "like":
		return Like{args[0], args[1]}, nil
	case "between":
		return Between{args[0], args[1], args[2]}, nil
	case "in":
		return In{args[0], []Expr(args[1].(Array))}, nil
	case "isnull":
		return IsNull{args[0]}, nil
	case "=", "<>", "<", "<=", ">", ">=":
		return Compare{op, args[0], args[1]}, nil
	}
	return Arith{lower, args[0], args[1]}, nil
}

func jsonInterval(v any, path string) (Expr, error) {
	ends, ok := v.([]any)
	if !ok || len(ends) != 2 {
		return nil, jsonErr(path, "an interval is an array of 2 ends")
	}
	var out [2]Expr
	for i, end := range ends {
		p := fmt.Sprintf("%s/%d", path, i)
		if s, isString := end.(string); isString {
			e, err := intervalEnd(s)
			if err != nil {
				return nil, jsonErr(p, "%s", err.(*Error).Msg)
			}
			out[i] = e
			continue
		}
		e, err := jsonNode(end, p)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return Interval{out[0], out[1]}, nil
}

func jsonBBox(v any, path string) (Expr, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, jsonErr(path, "a bbox is an array of 4 or 6 numbers")
	}
	nums := make([]float64, len(items))
	for i, item := range items {
		n, isNum := item.(json.Number)
		f, err := n.Float64()
		if !isNum || err != nil {
			return nil, jsonErr(fmt.Sprintf("%s/%d", path, i), "a bbox holds numbers only")
		}
		nums[i] = f
	}
	g, err := bboxGeometry(nums)
	if err != nil {
		return nil, jsonErr(path, "%s", err.(*Error).Msg)
	}
	return Geometry{G: g}, nil
}
