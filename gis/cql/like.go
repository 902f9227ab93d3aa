package cql

import (
	"strings"
	"unicode/utf8"
)

// likePattern is a compiled LIKE pattern: % matches any run of characters,
// _ exactly one, and \ makes the next character literal. It works on
// characters, so a multi-byte letter is one _, and a byte that is not UTF-8
// reads as U+FFFD, as Go reads such text, instead of failing.
type likePattern []likeElem

type likeElem struct {
	op byte // 'c' a literal character, '%' any run, '_' any one
	r  rune
}

func compileLike(p string) likePattern {
	var out likePattern
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		i += size
		switch {
		case r == '\\' && i < len(p):
			r, size = utf8.DecodeRuneInString(p[i:])
			i += size
			out = append(out, likeElem{'c', r})
		case r == '%':
			if len(out) == 0 || out[len(out)-1].op != '%' {
				out = append(out, likeElem{op: '%'})
			}
		case r == '_':
			out = append(out, likeElem{op: '_'})
		default:
			out = append(out, likeElem{'c', r})
		}
	}
	return out
}

// match runs the usual wildcard algorithm: on a mismatch, retry from the
// last % one character further on. Linear in practice, quadratic at worst.
func (p likePattern) match(s string) bool {
	text := []rune(s)
	ti, pi := 0, 0
	star, mark := -1, 0
	for ti < len(text) {
		switch {
		case pi < len(p) && (p[pi].op == '_' || p[pi].op == 'c' && p[pi].r == text[ti]):
			ti++
			pi++
		case pi < len(p) && p[pi].op == '%':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi].op == '%' {
		pi++
	}
	return pi == len(p)
}

// LikeFromWildcards rewrites a pattern written with other wildcard,
// single-character and escape characters (as OGC Filter Encoding's
// PropertyIsLike declares them) into CQL2's %, _ and \.
func LikeFromWildcards(pattern, wild, single, escape string) string {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		rest := pattern[i:]
		switch {
		case escape != "" && strings.HasPrefix(rest, escape) && len(rest) > len(escape):
			_, size := utf8.DecodeRuneInString(rest[len(escape):])
			b.WriteByte('\\')
			b.WriteString(rest[len(escape) : len(escape)+size])
			i += len(escape) + size
		case wild != "" && strings.HasPrefix(rest, wild):
			b.WriteByte('%')
			i += len(wild)
		case single != "" && strings.HasPrefix(rest, single):
			b.WriteByte('_')
			i += len(single)
		default:
			r, size := utf8.DecodeRuneInString(rest)
			if r == '%' || r == '_' || r == '\\' {
				b.WriteByte('\\')
			}
			b.WriteString(rest[:size])
			i += size
		}
	}
	return b.String()
}
