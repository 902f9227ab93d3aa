// Package patch applies JSON merge patches (RFC 7396) to stored records and
// decodes JSON strictly, turning every decoding failure into a problem that
// names the member at fault.
package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jointict/councilapi/domain"
)

// Merge applies an RFC 7396 merge patch to a JSON document.
func Merge(doc, patch json.RawMessage) (json.RawMessage, error) {
	var d, p any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, DecodeError(err)
	}
	return json.Marshal(mergeValue(d, p))
}

func mergeValue(doc, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	dm, ok := doc.(map[string]any)
	if !ok {
		dm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(dm, k)
		} else {
			dm[k] = mergeValue(dm[k], v)
		}
	}
	return dm
}

// Members returns the top-level members a patch sets (or removes).
func Members(patch json.RawMessage) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(patch, &fields); err != nil {
		return nil, DecodeError(err)
	}
	if fields == nil {
		return nil, &domain.Error{Code: domain.CodeMalformed, Message: "a merge patch must be a JSON object"}
	}
	return fields, nil
}

// Apply merges patch into the JSON form of cur and decodes the result
// strictly into next (unknown members are problems).
func Apply[T any](cur T, patch json.RawMessage, next *T) error {
	doc, err := json.Marshal(cur)
	if err != nil {
		return err
	}
	merged, err := Merge(doc, patch)
	if err != nil {
		return err
	}
	var out T
	if err := Decode(bytes.NewReader(merged), &out); err != nil {
		return err
	}
	*next = out
	return nil
}

// Decode reads exactly one JSON value from r into v, rejecting unknown
// members; errors name the member and the fix.
func Decode(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return DecodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &domain.Error{Code: domain.CodeMalformed, Message: "the body must hold exactly one JSON value"}
	}
	return nil
}

// DecodeError expresses an encoding/json error as a malformed-input problem.
func DecodeError(err error) error {
	var de *domain.Error
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	malformed := func(format string, args ...any) *domain.Error {
		return &domain.Error{Code: domain.CodeMalformed, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case errors.As(err, &de):
		return de
	case errors.As(err, &syn):
		return malformed("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		e := malformed("a value has the wrong type")
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		e.Fields = []domain.FieldProblem{{Field: field, Problem: fmt.Sprintf("must be a JSON %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)}}
		return e
	case errors.Is(err, io.EOF):
		return malformed("the body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return malformed("the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := malformed("unknown member %q", name)
		e.Fields = []domain.FieldProblem{{Field: name, Problem: "is not a member of this resource; remove it or check its spelling"}}
		return e
	}
	return malformed("%s", err.Error())
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	}
	return "number"
}
