package dcat

import (
	"bufio"
	"fmt"
	"strings"
)

// rdfxmlWriter writes RDF/XML, which ckanext-dcat's harvester parses by
// default, one rdf:Description per subject (blank nodes by rdf:nodeID; see
// nodeWriter).
// Predicates outside the prefix table get generated prefixes, because an
// RDF/XML property must be an element name; begin names them all.
type rdfxmlWriter struct {
	qname      map[string]string
	extra      map[string]string
	extraOrder []string
}

func (xw *rdfxmlWriter) begin(bw *bufio.Writer, g *Graph) error {
	if err := xw.name(g.triples); err != nil {
		return err
	}
	bw.WriteString("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF")
	for _, p := range prefixes {
		fmt.Fprintf(bw, "\n    xmlns:%s=\"%s\"", p.Prefix, xmlEscape(p.NS, true))
	}
	for _, ns := range xw.extraOrder {
		fmt.Fprintf(bw, "\n    xmlns:%s=\"%s\"", xw.extra[ns], xmlEscape(ns, true))
	}
	bw.WriteString(">\n")
	return nil
}

// name gives every predicate of triples its element name.
func (xw *rdfxmlWriter) name(triples []Triple) error {
	if xw.qname == nil {
		xw.qname, xw.extra = map[string]string{}, map[string]string{}
	}
	for _, t := range triples {
		p := t.P.Value
		if _, done := xw.qname[p]; done {
			continue
		}
		if pre, l, ok := compact(p); ok {
			xw.qname[p] = pre + ":" + l
			continue
		}
		i := strings.LastIndexAny(p, "#/")
		if i < 0 || !safeLocal(p[i+1:]) {
			return fmt.Errorf("dcat: predicate %s cannot be written as an RDF/XML element", p)
		}
		ns := p[:i+1]
		pre, ok := xw.extra[ns]
		if !ok {
			pre = "ns" + itoa(len(xw.extra)+1)
			xw.extra[ns] = pre
			xw.extraOrder = append(xw.extraOrder, ns)
		}
		xw.qname[p] = pre + ":" + p[i+1:]
	}
	return nil
}

func (xw *rdfxmlWriter) node(bw *bufio.Writer, g *Graph, _ bool, s Term, block []int32) {
	bw.WriteString("  <rdf:Description ")
	writeXMLNodeAttr(bw, s, "rdf:about")
	bw.WriteString(">\n")
	for _, ti := range block {
		t := g.triples[ti]
		el := xw.qname[t.P.Value]
		bw.WriteString("    <")
		bw.WriteString(el)
		switch t.O.Kind {
		case KindIRI:
			bw.WriteByte(' ')
			writeXMLNodeAttr(bw, t.O, "rdf:resource")
			bw.WriteString("/>\n")
			continue
		case KindBlank:
			bw.WriteByte(' ')
			writeXMLNodeAttr(bw, t.O, "")
			bw.WriteString("/>\n")
			continue
		}
		switch {
		case t.O.Lang != "":
			bw.WriteString(` xml:lang="`)
			bw.WriteString(xmlEscape(t.O.Lang, true))
			bw.WriteByte('"')
		case t.O.Datatype != "":
			bw.WriteString(` rdf:datatype="`)
			bw.WriteString(xmlEscape(t.O.Datatype, true))
			bw.WriteByte('"')
		}
		bw.WriteByte('>')
		bw.WriteString(xmlEscape(t.O.Value, false))
		bw.WriteString("</")
		bw.WriteString(el)
		bw.WriteString(">\n")
	}
	bw.WriteString("  </rdf:Description>\n")
}

func (*rdfxmlWriter) end(bw *bufio.Writer) { bw.WriteString("</rdf:RDF>\n") }

// writeXMLNodeAttr names a node: attr="IRI" for IRIs, rdf:nodeID for
// blank nodes.
func writeXMLNodeAttr(w *bufio.Writer, t Term, attr string) {
	if t.Kind == KindBlank {
		w.WriteString(`rdf:nodeID="`)
		w.WriteString(t.Value)
		w.WriteByte('"')
		return
	}
	w.WriteString(attr)
	w.WriteString(`="`)
	w.WriteString(xmlEscape(t.Value, true))
	w.WriteByte('"')
}

// xmlEscape escapes markup characters, and carriage returns (and, in
// attributes, tabs and line feeds) as character references so that XML's
// end-of-line and attribute normalisation cannot change the value.
func xmlEscape(s string, attr bool) string {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		switch s[i] {
		case '&', '<', '>', '"', '\r':
			plain = false
		case '\n', '\t':
			plain = !attr
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\r':
			b.WriteString("&#xD;")
		case '\n', '\t':
			if attr {
				fmt.Fprintf(&b, "&#x%X;", r)
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlSafe replaces the characters XML 1.0 cannot carry at all (most C0
// controls, lone surrogates, U+FFFE/U+FFFF) with U+FFFD. Graph.Add applies
// it to every literal so that all three serialisations hold the same text.
func xmlSafe(s string) string {
	ok := true
	for _, r := range s {
		if !xmlChar(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if xmlChar(r) {
			return r
		}
		return '\uFFFD'
	}, s)
}

func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
