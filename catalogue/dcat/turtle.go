package dcat

import (
	"bufio"
	"fmt"
	"strings"
)

// turtleWriter writes Turtle (RDF 1.1) a subject's block at a time (see
// nodeWriter).
type turtleWriter struct{}

func (turtleWriter) begin(bw *bufio.Writer, _ *Graph) error {
	for _, p := range prefixes {
		fmt.Fprintf(bw, "@prefix %s: <%s> .\n", p.Prefix, p.NS)
	}
	return nil
}

func (turtleWriter) node(bw *bufio.Writer, g *Graph, _ bool, s Term, block []int32) {
	bw.WriteString("\n")
	writeTurtleTerm(bw, s)
	for i, ti := range block {
		t := g.triples[ti]
		sep := " ;\n    "
		if i == 0 {
			sep = " "
		}
		bw.WriteString(sep)
		if t.P.Value == NSRDF+"type" {
			bw.WriteString("a")
		} else {
			writeTurtleIRI(bw, t.P.Value)
		}
		bw.WriteString(" ")
		writeTurtleTerm(bw, t.O)
	}
	bw.WriteString(" .\n")
}

func (turtleWriter) end(*bufio.Writer) {}

func writeTurtleTerm(w *bufio.Writer, t Term) {
	switch t.Kind {
	case KindIRI:
		writeTurtleIRI(w, t.Value)
		return
	case KindBlank:
		w.WriteString("_:")
		w.WriteString(t.Value)
		return
	}
	w.WriteByte('"')
	w.WriteString(turtleString(t.Value))
	w.WriteByte('"')
	switch {
	case t.Lang != "":
		w.WriteByte('@')
		w.WriteString(t.Lang)
	case t.Datatype != "":
		w.WriteString("^^")
		writeTurtleIRI(w, t.Datatype)
	}
}

// writeTurtleIRI writes a prefixed name when the IRI has a safe one,
// otherwise an IRIREF with the characters Turtle forbids there written as
// \u escapes.
func writeTurtleIRI(w *bufio.Writer, iri string) {
	if p, l, ok := compact(iri); ok {
		w.WriteString(p)
		w.WriteByte(':')
		w.WriteString(l)
		return
	}
	if !strings.ContainsFunc(iri, func(r rune) bool { return r <= 0x20 || turtleIRIForbidden(r) }) {
		w.WriteByte('<')
		w.WriteString(iri)
		w.WriteByte('>')
		return
	}
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range iri {
		if r <= 0x20 || turtleIRIForbidden(r) {
			fmt.Fprintf(&b, `\u%04X`, r)
			continue
		}
		b.WriteRune(r)
	}
	b.WriteByte('>')
	w.WriteString(b.String())
}

func turtleIRIForbidden(r rune) bool {
	switch r {
	case '<', '>', '"', '{', '}', '|', '^', '`', '\\':
		return true
	}
	return false
}

// turtleString escapes a string for a "..." literal: quotes, backslashes and
// line breaks by ECHAR, any other control character by \u.
func turtleString(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '"' || r == '\\' }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
