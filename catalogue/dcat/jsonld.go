package dcat

import (
	"bufio"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// jsonldWriter writes flattened JSON-LD 1.1 a node object at a time (see
// nodeWriter): a @context of the prefixes and a @graph with one node object
// per subject. Every value is an explicit value or node object, so no
// processor has to guess a datatype. Its predicate groups are reused from
// node to node.
type jsonldWriter struct {
	preds []string
	objs  [][]Term
}

func (*jsonldWriter) begin(bw *bufio.Writer, _ *Graph) error {
	bw.WriteString("{\n  \"@context\": {")
	for i, p := range prefixes {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %s: %s", jsonString(p.Prefix), jsonString(p.NS))
	}
	bw.WriteString("\n  },\n  \"@graph\": [")
	return nil
}

func (jw *jsonldWriter) node(bw *bufio.Writer, g *Graph, first bool, s Term, block []int32) {
	if !first {
		bw.WriteString(",")
	}
	bw.WriteString("\n    {\n      \"@id\": ")
	writeJSONString(bw, nodeID(s))
	// Group the objects by predicate in order of first appearance, with
	// rdf:type as @type. A node has a handful of predicates, so a scan
	// beats a map.
	jw.preds = jw.preds[:0]
	for j := range jw.objs {
		jw.objs[j] = jw.objs[j][:0]
	}
	for _, ti := range block {
		t := g.triples[ti]
		j := slices.Index(jw.preds, t.P.Value)
		if j < 0 {
			j = len(jw.preds)
			jw.preds = append(jw.preds, t.P.Value)
			if j == len(jw.objs) {
				jw.objs = append(jw.objs, nil)
			}
		}
		jw.objs[j] = append(jw.objs[j], t.O)
	}
	for pi, p := range jw.preds {
		bw.WriteString(",\n      ")
		if p == NSRDF+"type" && allIRIs(jw.objs[pi]) {
			bw.WriteString(`"@type": [`)
			for j, o := range jw.objs[pi] {
				if j > 0 {
					bw.WriteString(", ")
				}
				writeJSONName(bw, o.Value)
			}
			bw.WriteString("]")
			continue
		}
		writeJSONName(bw, p)
		bw.WriteString(": [")
		for j, o := range jw.objs[pi] {
			if j > 0 {
				bw.WriteString(", ")
			}
			writeJSONLDValue(bw, o)
		}
		bw.WriteString("]")
	}
	bw.WriteString("\n    }")
}

func (*jsonldWriter) end(bw *bufio.Writer) { bw.WriteString("\n  ]\n}\n") }

func allIRIs(ts []Term) bool {
	for _, t := range ts {
		if t.Kind != KindIRI {
			return false
		}
	}
	return true
}

func nodeID(t Term) string {
	if t.Kind == KindBlank {
		return "_:" + t.Value
	}
	return t.Value
}

// writeJSONName writes an IRI as a JSON string in its compact form when it
// has one (prefixes and local names never need escaping), without building
// the compact string.
func writeJSONName(w *bufio.Writer, iri string) {
	if p, l, ok := compact(iri); ok {
		w.WriteByte('"')
		w.WriteString(p)
		w.WriteByte(':')
		w.WriteString(l)
		w.WriteByte('"')
		return
	}
	writeJSONString(w, iri)
}

func writeJSONLDValue(w *bufio.Writer, t Term) {
	switch t.Kind {
	case KindIRI, KindBlank:
		w.WriteString(`{"@id": `)
		writeJSONString(w, nodeID(t))
		w.WriteByte('}')
		return
	}
	w.WriteString(`{"@value": `)
	writeJSONString(w, t.Value)
	switch {
	case t.Lang != "":
		w.WriteString(`, "@language": `)
		writeJSONString(w, t.Lang)
	case t.Datatype != "":
		w.WriteString(`, "@type": `)
		writeJSONName(w, t.Datatype)
	}
	w.WriteByte('}')
}

func writeJSONString(w *bufio.Writer, s string) {
	if jsonPlain(s) {
		w.WriteByte('"')
		w.WriteString(s)
		w.WriteByte('"')
		return
	}
	w.WriteString(jsonString(s))
}

// jsonPlain reports whether s needs no escaping in a JSON string.
func jsonPlain(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\':
			return false
		case c >= 0x80:
			ascii = false
		}
	}
	return ascii || utf8.ValidString(s) && !strings.Contains(s, "\u2028") && !strings.Contains(s, "\u2029")
}

// jsonString quotes s as a JSON string, leaving non-ASCII and <, >, & as
// they are (encoding/json's escaping without the HTML part).
func jsonString(s string) string {
	if jsonPlain(s) {
		return `"` + s + `"` // what the encoder would write
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
