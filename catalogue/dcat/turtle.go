package dcat

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteTurtle writes the graph as Turtle (RDF 1.1), one block per subject.
func WriteTurtle(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	for _, p := range prefixes {
		fmt.Fprintf(bw, "@prefix %s: <%s> .\n", p.Prefix, p.NS)
	}
	order, by := g.subjects()
	for _, s := range order {
		bw.WriteString("\n")
		bw.WriteString(turtleTerm(s))
		for i, t := range by[s] {
			sep := " ;\n    "
			if i == 0 {
				sep = " "
			}
			bw.WriteString(sep)
			if t.P.Value == NSRDF+"type" {
				bw.WriteString("a")
			} else {
				bw.WriteString(turtleIRI(t.P.Value))
			}
			bw.WriteString(" ")
			bw.WriteString(turtleTerm(t.O))
		}
		bw.WriteString(" .\n")
	}
	return bw.Flush()
}

func turtleTerm(t Term) string {
	switch t.Kind {
	case KindIRI:
		return turtleIRI(t.Value)
	case KindBlank:
		return "_:" + t.Value
	}
	s := `"` + turtleString(t.Value) + `"`
	switch {
	case t.Lang != "":
		return s + "@" + t.Lang
	case t.Datatype != "":
		return s + "^^" + turtleIRI(t.Datatype)
	}
	return s
}

// turtleIRI writes a prefixed name when the IRI has a safe one, otherwise
// an IRIREF with the characters Turtle forbids there written as \u escapes.
func turtleIRI(iri string) string {
	if p, l, ok := compact(iri); ok {
		return p + ":" + l
	}
	var b strings.Builder
	b.WriteByte('<')
	for _, r := range iri {
		if r <= 0x20 || strings.ContainsRune("<>\"{}|^`\\", r) {
			fmt.Fprintf(&b, `\u%04X`, r)
			continue
		}
		b.WriteRune(r)
	}
	b.WriteByte('>')
	return b.String()
}

// turtleString escapes a string for a "..." literal: quotes, backslashes and
// line breaks by ECHAR, any other control character by \u.
func turtleString(s string) string {
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
