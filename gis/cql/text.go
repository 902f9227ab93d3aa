package cql

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseText reads a cql2-text filter. Keywords and standard function names
// are case-insensitive. Two legacy forms CSW clients send are accepted too:
// ILIKE (a case-insensitive LIKE) and BBOX(property, x1, y1, x2, y2 [, 'crs']),
// read as S_INTERSECTS(property, BBOX(...)). An error is an *Error naming
// the character where the filter went wrong and what was expected there.
func ParseText(s string) (Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &textParser{toks: toks}
	e, err := p.condition()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errAt(t, "expected AND, OR or the end of the filter, found %s", t.describe())
	}
	return e, nil
}

type textParser struct {
	toks  []token
	i     int
	depth int
}

// maxDepth bounds nesting, so a hostile filter cannot exhaust the stack.
const maxDepth = 100

// enter counts one level of nesting at t, refusing too deep a filter.
func (p *textParser) enter(t token) error {
	if p.depth++; p.depth > maxDepth {
		return p.errAt(t, "the filter nests parentheses, functions or operators more than %d deep", maxDepth)
	}
	return nil
}

func (p *textParser) leave() { p.depth-- }

func (p *textParser) peek() token  { return p.toks[p.i] }
func (p *textParser) peek2() token { return p.toks[min(p.i+1, len(p.toks)-1)] }

func (p *textParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *textParser) errAt(t token, format string, args ...any) error {
	return &Error{Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func isKeyword(t token, words ...string) bool {
	if t.kind != tokIdent {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.text, w) {
			return true
		}
	}
	return false
}

func isOp(t token, ops ...string) bool {
	if t.kind != tokOp {
		return false
	}
	for _, op := range ops {
		if t.text == op {
			return true
		}
	}
	return false
}

func (p *textParser) expectOp(op, context string) error {
	if t := p.peek(); !isOp(t, op) {
		return p.errAt(t, "expected '%s' %s, found %s", op, context, t.describe())
	}
	p.next()
	return nil
}

// reserved words cannot name a property unless double-quoted.
var reserved = []string{"AND", "OR", "NOT", "LIKE", "ILIKE", "BETWEEN", "IN", "IS", "NULL", "DIV", "TRUE", "FALSE"}

// condition is a boolean expression at the lowest precedence, checked to be
// a condition rather than a bare value.
func (p *textParser) condition() (Expr, error) {
	start := p.peek()
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if !isCondition(e) {
		return nil, p.errAt(start, "expected a condition (such as floors > 5), found a value")
	}
	return e, nil
}

func (p *textParser) or() (Expr, error) {
	return p.joined("OR", p.and, func(args []Expr) Expr { return Or{args} })
}

func (p *textParser) and() (Expr, error) {
	return p.joined("AND", p.not, func(args []Expr) Expr { return And{args} })
}

// joined reads operand (word operand)*; with more than one operand each
// must be a condition.
func (p *textParser) joined(word string, operand func() (Expr, error), join func([]Expr) Expr) (Expr, error) {
	var args []Expr
	var start token
	for {
		start = p.peek()
		e, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
		if !isKeyword(p.peek(), word) {
			break
		}
		if !isCondition(e) {
			return nil, p.errAt(start, "expected a condition before %s, found a value", word)
		}
		p.next()
		if isKeyword(p.peek(), "OR", "AND") || p.peek().kind == tokEOF {
			return nil, p.errAt(p.peek(), "expected a condition after %s, found %s", word, p.peek().describe())
		}
	}
	if len(args) == 1 {
		return args[0], nil
	}
	if !isCondition(args[len(args)-1]) {
		return nil, p.errAt(start, "expected a condition after %s, found a value", word)
	}
	return join(args), nil
}

func (p *textParser) not() (Expr, error) {
	if t := p.peek(); isKeyword(t, "NOT") {
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		e, err := p.not()
		if err != nil {
			return nil, err
		}
		if !isCondition(e) {
			return nil, p.errAt(t, "expected a condition after NOT, found a value")
		}
		return Not{e}, nil
	}
	return p.predicate()
}

// predicate reads a scalar expression and whatever comparison follows it.
func (p *textParser) predicate() (Expr, error) {
	left, err := p.additive()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	if isOp(t, "=", "<>", "<", "<=", ">", ">=") {
		p.next()
		right, err := p.operand("after '" + t.text + "'")
		if err != nil {
			return nil, err
		}
		return Compare{t.text, left, right}, nil
	}
	negate := false
	if isKeyword(t, "NOT") && isKeyword(p.peek2(), "LIKE", "ILIKE", "BETWEEN", "IN") {
		negate = true
		p.next()
		t = p.peek()
	}
	var e Expr
	switch {
	case isKeyword(t, "LIKE", "ILIKE"):
		p.next()
		pattern, err := p.operand("after LIKE")
		if err != nil {
			return nil, err
		}
		e = Like{left, pattern}
		if isKeyword(t, "ILIKE") {
			e = Like{Call{"casei", []Expr{left}}, Call{"casei", []Expr{pattern}}}
		}
	case isKeyword(t, "BETWEEN"):
		p.next()
		lo, err := p.operand("after BETWEEN")
		if err != nil {
			return nil, err
		}
		if and := p.peek(); !isKeyword(and, "AND") {
			return nil, p.errAt(and, "expected AND between the bounds of BETWEEN, found %s", and.describe())
		}
		p.next()
		hi, err := p.operand("after BETWEEN ... AND")
		if err != nil {
			return nil, err
		}
		e = Between{left, lo, hi}
	case isKeyword(t, "IN"):
		p.next()
		list, err := p.list("after IN")
		if err != nil {
			return nil, err
		}
		e = In{left, list}
	case isKeyword(t, "IS"):
		p.next()
		if isKeyword(p.peek(), "NOT") {
			negate = true
			p.next()
		}
		if n := p.peek(); !isKeyword(n, "NULL") {
			return nil, p.errAt(n, "expected NULL or NOT NULL after IS, found %s", n.describe())
		}
		p.next()
		e = IsNull{left}
	default:
		return left, nil
	}
	if negate {
		return Not{e}, nil
	}
	return e, nil
}

// operand reads the scalar expression a predicate needs after a keyword or
// operator, with an error saying so when there is none.
func (p *textParser) operand(context string) (Expr, error) {
	if t := p.peek(); t.kind == tokEOF || isOp(t, ")", ",") || isKeyword(t, "AND", "OR") {
		return nil, p.errAt(t, "expected a value %s, found %s", context, t.describe())
	}
	return p.additive()
}

// list reads "(" expr {"," expr} ")".
func (p *textParser) list(context string) ([]Expr, error) {
	if err := p.expectOp("(", context); err != nil {
		return nil, err
	}
	var items []Expr
	for {
		e, err := p.operand("in the list")
		if err != nil {
			return nil, err
		}
		items = append(items, e)
		if t := p.next(); isOp(t, ")") {
			return items, nil
		} else if !isOp(t, ",") {
			return nil, p.errAt(t, "expected ',' or ')' in the list, found %s", t.describe())
		}
	}
}

func (p *textParser) additive() (Expr, error) {
	return p.binary(p.multiplicative, "+", "-")
}

func (p *textParser) multiplicative() (Expr, error) {
	return p.binary(p.power, "*", "/", "%", "div")
}

func (p *textParser) power() (Expr, error) {
	return p.binary(p.unary, "^")
}

// binary reads one left-associative level of arithmetic.
func (p *textParser) binary(operand func() (Expr, error), ops ...string) (Expr, error) {
	left, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		op := ""
		switch {
		case isOp(t, ops...):
			op = t.text
		case isKeyword(t, "DIV") && ops[len(ops)-1] == "div":
			op = "div"
		default:
			return left, nil
		}
		p.next()
		if n := p.peek(); n.kind == tokEOF || isOp(n, ")", ",") || isKeyword(n, "AND", "OR") {
			return nil, p.errAt(n, "expected a value after '%s', found %s", op, n.describe())
		}
		right, err := operand()
		if err != nil {
			return nil, err
		}
		right, err = p.scalarOnly(right, t)
		if err != nil {
			return nil, err
		}
		if left, err = p.scalarOnly(left, t); err != nil {
			return nil, err
		}
		left = Arith{op, left, right}
	}
}

func (p *textParser) scalarOnly(e Expr, at token) (Expr, error) {
	if _, isCall := e.(Call); isCondition(e) && !isCall {
		return nil, p.errAt(at, "arithmetic needs numbers, not a condition")
	}
	return e, nil
}

func (p *textParser) unary() (Expr, error) {
	t := p.peek()
	if !isOp(t, "-", "+") {
		return p.primary()
	}
	if err := p.enter(t); err != nil {
		return nil, err
	}
	defer p.leave()
	p.next()
	if n := p.peek(); n.kind == tokNumber {
		p.next()
		v, _ := strconv.ParseFloat(n.text, 64)
		if t.text == "-" {
			v = -v
		}
		return Number(v), nil
	}
	e, err := p.unary()
	if err != nil || t.text == "+" {
		return e, err
	}
	return Arith{"*", Number(-1), e}, nil
}

func (p *textParser) primary() (Expr, error) {
	t := p.peek()
	switch t.kind {
	case tokNumber:
		p.next()
		v, _ := strconv.ParseFloat(t.text, 64)
		return Number(v), nil
	case tokString:
		p.next()
		return String(t.text), nil
	case tokQuoted:
		p.next()
		return Property{t.text}, nil
	case tokOp:
		if t.text == "(" {
			return p.parenthesised()
		}
	case tokIdent:
		return p.named()
	}
	return nil, p.errAt(t, "expected a property, a literal or a function, found %s", t.describe())
}

// parenthesised reads a grouped expression or, with commas, an array.
func (p *textParser) parenthesised() (Expr, error) {
	if err := p.enter(p.peek()); err != nil {
		return nil, err
	}
	defer p.leave()
	p.next()
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if !isOp(p.peek(), ",") {
		return e, p.expectOp(")", "to close the parenthesis")
	}
	items := Array{e}
	for isOp(p.peek(), ",") {
		p.next()
		item, err := p.operand("in the list")
		if err != nil {
			return nil, err
		}
		items = append(items, item)
	}
	return items, p.expectOp(")", "to close the list")
}

// named reads what starts with a bare name: a boolean, a typed literal, a
// geometry, a function call or a property.
func (p *textParser) named() (Expr, error) {
	t := p.peek()
	word := strings.ToUpper(t.text)
	call := isOp(p.peek2(), "(")
	switch {
	case word == "TRUE" || word == "FALSE":
		p.next()
		return Bool(word == "TRUE"), nil
	case call && (word == "DATE" || word == "TIMESTAMP"):
		return p.instant(word)
	case call && word == "INTERVAL":
		return p.interval()
	case call && word == "BBOX":
		return p.bbox()
	case wktTypes[word] && (call || isKeyword(p.peek2(), "Z", "M", "ZM", "EMPTY")):
		return p.wkt()
	case call:
		if err := p.enter(t); err != nil {
			return nil, err
		}
		defer p.leave()
		p.next()
		p.next()
		var args []Expr
		if isOp(p.peek(), ")") {
			p.next()
			return Call{standardName(t.text), nil}, nil
		}
		for {
			e, err := p.or()
			if err != nil {
				return nil, err
			}
			args = append(args, e)
			if n := p.next(); isOp(n, ")") {
				return Call{standardName(t.text), args}, nil
			} else if !isOp(n, ",") {
				return nil, p.errAt(n, "expected ',' or ')' in the arguments of %s, found %s", t.text, n.describe())
			}
		}
	}
	for _, r := range reserved {
		if word == r {
			return nil, p.errAt(t, "expected a property, a literal or a function, found the keyword %s (write \"%s\" for a property of that name)", t.text, t.text)
		}
	}
	p.next()
	return Property{t.text}, nil
}

// isCondition reports whether e yields true or false: a predicate, a
// boolean literal or a function that is not one of the string functions.
func isCondition(e Expr) bool {
	switch e := e.(type) {
	case And, Or, Not, Compare, Like, Between, In, IsNull, Bool:
		return true
	case Call:
		return !stringFuncs[e.Name]
	}
	return false
}
