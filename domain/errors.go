// Package domain holds the pure types and rules of councilapi. It performs no
// I/O and imports nothing else of ours, so every rule can be tested alone and
// every adapter (HTTP, SQLite, MongoDB) depends on it rather than the reverse.
package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error the way a client needs to react to it. The api
// package maps each code to one HTTP status in one place.
type Code string

const (
	CodeInvalid      Code = "invalid"      // the input breaks a rule: 400 with field problems
	CodeMalformed    Code = "malformed"    // the body is not valid JSON of the right shape: 400
	CodeNotFound     Code = "not_found"    // no such record
	CodeConflict     Code = "conflict"     // the request clashes with the record's state (duplicate, illegal transition)
	CodeStale        Code = "stale"        // an optimistic version / If-Match did not match
	CodeForbidden    Code = "forbidden"    // authenticated, but outside role or organisation
	CodeUnauthorized Code = "unauthorized" // no or unknown credentials
	CodeTooLarge     Code = "too_large"    // a body or file beyond a configured limit
	CodeUnavailable  Code = "unavailable"  // a dependency is down; retrying later may work

	// CodeUnprocessable is well-formed, valid input that contradicts what
	// the server computed from it (a recommendation that rejects the option
	// ranked first, an option on an expired framework): 422 with field problems.
	CodeUnprocessable Code = "unprocessable"
)

// FieldProblem names one field of the input and what is wrong with it, in
// words that tell the user how to fix it.
type FieldProblem struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// Error is the error type the domain returns. Allowed lists the values that
// would have been accepted, when there is a short list (for example the legal
// next states of a lifecycle).
type Error struct {
	Code    Code
	Message string
	Fields  []FieldProblem
	Allowed []string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.Problem
	}
	return e.Message + " (" + strings.Join(parts, "; ") + ")"
}

// Errorf builds an Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the Code of err, or "" when err is not (or does not wrap)
// a domain Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Problems collects field problems during validation so that a client learns
// about every bad field at once, not one per round trip.
type Problems []FieldProblem

// Add records a problem with field.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, FieldProblem{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// Prefix returns the problems with every field name prefixed, for validating
// nested values ("contact.email", "options[2].quantity").
func (p Problems) Prefix(prefix string) Problems {
	out := make(Problems, len(p))
	for i, f := range p {
		out[i] = FieldProblem{Field: prefix + f.Field, Problem: f.Problem}
	}
	return out
}

// Err returns nil when there are no problems, or an invalid-input Error
// carrying all of them.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: "the request has invalid fields", Fields: []FieldProblem(p)}
}
