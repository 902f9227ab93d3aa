// Package cql reads and evaluates filter expressions in the OGC Common Query
// Language, CQL2 (OGC 21-065), as OGC API – Features Part 3 and CSW clients
// send them. ParseText reads cql2-text, ParseJSON reads cql2-json; both give
// the same syntax tree (Expr), so one Compile and one evaluator serve every
// encoding, and catalogue/csw maps its CQL_TEXT and Filter Encoding 1.1 onto
// the same tree.
//
// What is evaluated: comparisons (=, <>, <, <=, >, >=), LIKE with % and _
// (backslash escapes), BETWEEN, IN, IS NULL, AND/OR/NOT with SQL's
// three-valued logic, arithmetic (+ - * / % ^ div), CASEI and ACCENTI,
// timestamps, dates and intervals with every T_ function, the array
// functions, and S_INTERSECTS, S_DISJOINT, S_WITHIN, S_CONTAINS and S_EQUALS
// over every WKT geometry type and BBOX. S_TOUCHES, S_OVERLAPS, S_CROSSES and
// custom functions parse but are refused by Compile, naming what is supported.
package cql

import (
	"time"

	"github.com/paulmach/orb"
)

// Expr is one node of a CQL2 expression: a predicate, a scalar expression or
// a literal.
type Expr interface{ isExpr() }

// Boolean combinations. And and Or hold two or more arguments.
type (
	And struct{ Args []Expr }
	Or  struct{ Args []Expr }
	Not struct{ Arg Expr }
)

// Compare is a binary comparison; Op is one of = <> < <= > >=.
type Compare struct {
	Op          string
	Left, Right Expr
}

// Like matches a character expression against a pattern in which % stands
// for any run of characters, _ for one, and \ escapes either.
type Like struct{ Value, Pattern Expr }

// Between holds when Low <= Value <= High.
type Between struct{ Value, Low, High Expr }

// In holds when Value equals one of List.
type In struct {
	Value Expr
	List  []Expr
}

// IsNull holds when Value is missing or null.
type IsNull struct{ Value Expr }

// Call is a function: the spatial (s_*), temporal (t_*) and array (a_*)
// functions, casei and accenti (whose names are kept in lower case) or a
// custom function (kept as written).
type Call struct {
	Name string
	Args []Expr
}

// Arith is an arithmetic operation; Op is one of + - * / % ^ div. A unary
// minus on a non-literal is written as a multiplication by -1, as cql2-json
// does.
type Arith struct {
	Op          string
	Left, Right Expr
}

// Property names a property of the filtered item (a queryable).
type Property struct{ Name string }

// Literals.
type (
	String string
	Number float64
	Bool   bool
	// Timestamp is an instant (cql2-text TIMESTAMP('...')).
	Timestamp struct{ Time time.Time }
	// Date is a whole UTC day (cql2-text DATE('...')); Time is its midnight.
	Date struct{ Time time.Time }
	// Open is the ".." end of a half-bounded interval.
	Open struct{}
	// Interval has Timestamp, Date, Open or scalar-expression ends.
	Interval struct{ Start, End Expr }
	// Geometry is a WKT, GeoJSON or BBOX literal (a BBOX is an orb.Bound).
	// CRS names the CRS given with the literal itself, as the legacy
	// BBOX(property, x1, y1, x2, y2, 'crs') form does; empty means the
	// filter's CRS.
	Geometry struct {
		G   orb.Geometry
		CRS string
	}
	// Array is a list literal, for the array functions.
	Array []Expr
)

func (And) isExpr()       {}
func (Or) isExpr()        {}
func (Not) isExpr()       {}
func (Compare) isExpr()   {}
func (Like) isExpr()      {}
func (Between) isExpr()   {}
func (In) isExpr()        {}
func (IsNull) isExpr()    {}
func (Call) isExpr()      {}
func (Arith) isExpr()     {}
func (Property) isExpr()  {}
func (String) isExpr()    {}
func (Number) isExpr()    {}
func (Bool) isExpr()      {}
func (Timestamp) isExpr() {}
func (Date) isExpr()      {}
func (Open) isExpr()      {}
func (Interval) isExpr()  {}
func (Geometry) isExpr()  {}
func (Array) isExpr()     {}

// Standard function names, in the lower case both encodings are folded to.
var (
	spatialFuncs = map[string]bool{"s_intersects": true, "s_disjoint": true, "s_within": true, "s_contains": true,
		"s_equals": true, "s_touches": true, "s_overlaps": true, "s_crosses": true}
	temporalFuncs = map[string]bool{"t_after": true, "t_before": true, "t_contains": true, "t_disjoint": true,
		"t_during": true, "t_equals": true, "t_finishedby": true, "t_finishes": true, "t_intersects": true,
		"t_meets": true, "t_metby": true, "t_overlappedby": true, "t_overlaps": true, "t_startedby": true, "t_starts": true}
	arrayFuncs  = map[string]bool{"a_equals": true, "a_contains": true, "a_containedby": true, "a_overlaps": true}
	stringFuncs = map[string]bool{"casei": true, "accenti": true}
)

// standardName folds a function name to the canonical lower case when it is
// one CQL2 defines; custom function names are kept as written.
func standardName(name string) string {
	l := toLowerASCII(name)
	if spatialFuncs[l] || temporalFuncs[l] || arrayFuncs[l] || stringFuncs[l] {
		return l
	}
	return name
}

func toLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
