package csw

import (
	"strconv"
	"strings"
	"unicode"
)

// parseCQL reads the CQL subset CSW clients send: comparisons and LIKE on
// queryables, BBOX(ows:BoundingBox, minx, miny, maxx, maxy), combined with
// AND, OR, NOT and parentheses. LIKE uses % and _ and, as on pycsw's SQL
// backends, ignores case.
func parseCQL(s string) (expr, *exception) {
	toks, ex := lexCQL(s)
	if ex != nil {
		return nil, ex
	}
	p := &cqlParser{toks: toks}
	e, ex := p.or()
	if ex != nil {
		return nil, ex
	}
	if p.pos != len(p.toks) {
		return nil, p.fail("unexpected %q", p.toks[p.pos].text)
	}
	return e, nil
}

type tokKind int

const (
	tokIdent tokKind = iota
	tokString
	tokNumber
	tokOp
)

type token struct {
	kind tokKind
	text string
}

func lexCQL(s string) ([]token, *exception) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j++
						continue
					}
					break
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, invalidParam("constraint", "unterminated string in CQL %q", s)
			}
			toks = append(toks, token{tokString, b.String()})
			i = j + 1
		case strings.ContainsRune("(),", rune(c)):
			toks = append(toks, token{tokOp, string(c)})
			i++
		case c == '<' || c == '>' || c == '=' || c == '!':
			j := i + 1
			if j < len(s) && (s[j] == '=' || (c == '<' && s[j] == '>')) {
				j++
			}
			op := s[i:j]
			if op == "!=" {
				op = "<>"
			}
			toks = append(toks, token{tokOp, op})
			i = j
		case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && strings.ContainsRune("0123456789.eE+-", rune(s[j])) {
				j++
			}
			if _, err := strconv.ParseFloat(s[i:j], 64); err != nil {
				return nil, invalidParam("constraint", "bad number %q in CQL", s[i:j])
			}
			toks = append(toks, token{tokNumber, s[i:j]})
			i = j
		case c == '_' || c == '"' || unicode.IsLetter(rune(c)):
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == ':' || s[j] == '.' || s[j] == '"' ||
				unicode.IsLetter(rune(s[j])) || unicode.IsDigit(rune(s[j]))) {
				j++
			}
			toks = append(toks, token{tokIdent, strings.Trim(s[i:j], `"`)})
			i = j
		default:
			return nil, invalidParam("constraint", "unexpected character %q in CQL", c)
		}
	}
	return toks, nil
}

type cqlParser struct {
	toks []token
	pos  int
}

func (p *cqlParser) fail(format string, args ...any) *exception {
	return invalidParam("constraint", "CQL: "+format, args...)
}

func (p *cqlParser) peekWord(w string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == tokIdent && strings.EqualFold(p.toks[p.pos].text, w)
}

func (p *cqlParser) peekOp(op string) bool {
	return p.pos < len(p.toks) && p.toks[p.pos].kind == tokOp && p.toks[p.pos].text == op
}

func (p *cqlParser) expectOp(op string) *exception {
	if !p.peekOp(op) {
		return p.fail("expected %q", op)
	}
	p.pos++
	return nil
}

func (p *cqlParser) or() (expr, *exception) {
	parts, ex := p.joined("OR", p.and)
	if ex != nil || len(parts) == 1 {
		return first(parts), ex
	}
	return orExpr(parts), nil
}

func (p *cqlParser) and() (expr, *exception) {
	parts, ex := p.joined("AND", p.unary)
	if ex != nil || len(parts) == 1 {
		return first(parts), ex
	}
	return andExpr(parts), nil
}

// joined parses operand (word operand)*, one precedence level of the
// grammar.
func (p *cqlParser) joined(word string, operand func() (expr, *exception)) ([]expr, *exception) {
	var parts []expr
	for {
		e, ex := operand()
		if ex != nil {
			return nil, ex
		}
		parts = append(parts, e)
		if !p.peekWord(word) {
			return parts, nil
		}
		p.pos++
	}
}

func first(parts []expr) expr {
	if len(parts) == 0 {
		return nil
	}
	return parts[0]
}

func (p *cqlParser) unary() (expr, *exception) {
	switch {
	case p.peekWord("NOT"):
		p.pos++
		e, ex := p.unary()
		if ex != nil {
			return nil, ex
		}
		return notExpr{e}, nil
	case p.peekOp("("):
		p.pos++
		e, ex := p.or()
		if ex != nil {
			return nil, ex
		}
		return e, p.expectOp(")")
	case p.peekWord("BBOX"):
		return p.bbox()
	}
	return p.predicate()
}

func (p *cqlParser) bbox() (expr, *exception) {
	p.pos++
	if ex := p.expectOp("("); ex != nil {
		return nil, ex
	}
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokIdent || queryable(p.toks[p.pos].text) != "bbox" {
		return nil, p.fail("BBOX applies to ows:BoundingBox")
	}
	p.pos++
	var n [4]float64
	for i := range n {
		if ex := p.expectOp(","); ex != nil {
			return nil, ex
		}
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokNumber {
			return nil, p.fail("BBOX needs four numbers")
		}
		n[i], _ = strconv.ParseFloat(p.toks[p.pos].text, 64)
		p.pos++
	}
	latFirstCRS := false
	if p.peekOp(",") {
		p.pos++
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokString {
			return nil, p.fail("the BBOX CRS must be a quoted string")
		}
		latFirstCRS = latFirst(p.toks[p.pos].text)
		p.pos++
	}
	if ex := p.expectOp(")"); ex != nil {
		return nil, ex
	}
	if latFirstCRS {
		n[0], n[1], n[2], n[3] = n[1], n[0], n[3], n[2]
	}
	return bboxExpr{BBox{West: n[0], South: n[1], East: n[2], North: n[3]}}, nil
}

func (p *cqlParser) predicate() (expr, *exception) {
	if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokIdent {
		return nil, p.fail("expected a property name")
	}
	name := p.toks[p.pos].text
	prop := queryable(name)
	if prop == "" || prop == "bbox" {
		return nil, p.fail("unknown queryable %q", name)
	}
	p.pos++
	negate := false
	if p.peekWord("NOT") {
		negate = true
		p.pos++
	}
	var e expr
	switch {
	case p.peekWord("LIKE") || p.peekWord("ILIKE"):
		p.pos++
		if p.pos >= len(p.toks) || p.toks[p.pos].kind != tokString {
			return nil, p.fail("LIKE needs a quoted pattern")
		}
		e = likeExpr{prop: prop, re: likePattern(p.toks[p.pos].text, "%", "_", `\`, false)}
		p.pos++
	case !negate && p.pos < len(p.toks) && p.toks[p.pos].kind == tokOp && p.toks[p.pos].text != "(" &&
		p.toks[p.pos].text != ")" && p.toks[p.pos].text != ",":
		op := p.toks[p.pos].text
		p.pos++
		if p.pos >= len(p.toks) || (p.toks[p.pos].kind != tokString && p.toks[p.pos].kind != tokNumber) {
			return nil, p.fail("%s needs a value", op)
		}
		e = compareExpr{prop: prop, op: op, value: p.toks[p.pos].text, matchCase: true}
		p.pos++
	default:
		return nil, p.fail("expected LIKE or a comparison after %q", name)
	}
	if negate {
		return notExpr{e}, nil
	}
	return e, nil
}
