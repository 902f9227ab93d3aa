package cql

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokIdent          // a bare name: a keyword, function or property
	tokQuoted         // a "double-quoted" property name
	tokString         // a 'single-quoted' string
	tokNumber
	tokOp // punctuation and operators
)

type token struct {
	kind tokKind
	text string // the name, the unquoted string, the number as written, the operator
	pos  int    // 1-based character position in the input
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the filter"
	case tokString:
		return "the string " + quote(t.text)
	case tokQuoted:
		return `"` + t.text + `"`
	case tokOp:
		return "'" + t.text + "'"
	}
	return t.text
}

// lex splits cql2-text into tokens. Positions count characters, not bytes,
// so an error names the place a person sees in the filter.
func lex(s string) ([]token, error) {
	var toks []token
	pos := 1 // character position of s[i]
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		start, startPos := i, pos
		advance := func(n int) { // n bytes, all consumed by this token
			pos += utf8.RuneCountInString(s[i : i+n])
			i += n
		}
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, &Error{Pos: pos, Msg: "the filter is not valid UTF-8"}
		case unicode.IsSpace(r):
			advance(size)
		case r == '\'' || r == '"':
			text, n, ok := quoted(s[i:], byte(r))
			if !ok {
				what := "string"
				if r == '"' {
					what = "quoted property name"
				}
				return nil, &Error{Pos: pos, Msg: "unterminated " + what + ": add the closing " + string(r)}
			}
			kind := tokString
			if r == '"' {
				kind = tokQuoted
			}
			advance(n)
			toks = append(toks, token{kind, text, startPos})
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			n := numberLen(s[i:])
			if _, err := strconv.ParseFloat(s[i:i+n], 64); err != nil {
				return nil, &Error{Pos: pos, Msg: "malformed number " + s[i:i+n]}
			}
			advance(n)
			toks = append(toks, token{tokNumber, s[start:i], startPos})
		case unicode.IsLetter(r) || r == '_':
			n := size
			for n < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[i+n:])
				if !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '_' || r2 == ':' || r2 == '.') {
					break
				}
				n += sz
			}
			advance(n)
			toks = append(toks, token{tokIdent, s[start:i], startPos})
		default:
			op := operator(s[i:])
			if op == "" {
				return nil, &Error{Pos: pos, Msg: "unexpected character " + strconv.QuoteRune(r)}
			}
			advance(len(op))
			if op == "!=" {
				op = "<>"
			}
			toks = append(toks, token{tokOp, op, startPos})
		}
	}
	return append(toks, token{kind: tokEOF, pos: pos}), nil
}

// quoted reads a string opened by q at s[0], where a doubled q stands for
// one; it returns the text, the bytes consumed and whether it was closed.
func quoted(s string, q byte) (string, int, bool) {
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		if s[j] != q {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			b.WriteByte(q)
			j++
			continue
		}
		return b.String(), j + 1, true
	}
	return "", 0, false
}

// numberLen is the length of the unsigned number at the start of s: digits,
// an optional fraction and an optional exponent.
func numberLen(s string) int {
	n := 0
	digits := func() {
		for n < len(s) && s[n] >= '0' && s[n] <= '9' {
			n++
		}
	}
	digits()
	if n < len(s) && s[n] == '.' {
		n++
		digits()
	}
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		m := n + 1
		if m < len(s) && (s[m] == '+' || s[m] == '-') {
			m++
		}
		if m < len(s) && s[m] >= '0' && s[m] <= '9' {
			n = m
			digits()
		}
	}
	return n
}

func operator(s string) string {
	for _, op := range []string{"<>", "<=", ">=", "!=", "(", ")", ",", "=", "<", ">", "+", "-", "*", "/", "%", "^"} {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}
