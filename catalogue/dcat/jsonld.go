package dcat

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSONLD writes the graph as flattened JSON-LD 1.1: a @context of the
// prefixes and a @graph with one node object per subject. Every value is an
// explicit value or node object, so no processor has to guess a datatype.
func WriteJSONLD(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("{\n  \"@context\": {")
	for i, p := range prefixes {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %s: %s", jsonString(p.Prefix), jsonString(p.NS))
	}
	bw.WriteString("\n  },\n  \"@graph\": [")
	order, by := g.subjects()
	for i, s := range order {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    {\n      \"@id\": ")
		bw.WriteString(jsonString(nodeID(s)))
		// Group the objects by predicate in order of first appearance,
		// with rdf:type as @type.
		var preds []string
		objs := map[string][]Term{}
		for _, t := range by[s] {
			if _, ok := objs[t.P.Value]; !ok {
				preds = append(preds, t.P.Value)
			}
			objs[t.P.Value] = append(objs[t.P.Value], t.O)
		}
		for _, p := range preds {
			bw.WriteString(",\n      ")
			if p == NSRDF+"type" && allIRIs(objs[p]) {
				bw.WriteString(`"@type": [`)
				for j, o := range objs[p] {
					if j > 0 {
						bw.WriteString(", ")
					}
					bw.WriteString(jsonString(compactOrFull(o.Value)))
				}
				bw.WriteString("]")
				continue
			}
			bw.WriteString(jsonString(compactOrFull(p)))
			bw.WriteString(": [")
			for j, o := range objs[p] {
				if j > 0 {
					bw.WriteString(", ")
				}
				bw.WriteString(jsonldValue(o))
			}
			bw.WriteString("]")
		}
		bw.WriteString("\n    }")
	}
	bw.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

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

func compactOrFull(iri string) string {
	if p, l, ok := compact(iri); ok {
		return p + ":" + l
	}
	return iri
}

func jsonldValue(t Term) string {
	switch t.Kind {
	case KindIRI, KindBlank:
		return `{"@id": ` + jsonString(nodeID(t)) + `}`
	}
	s := `{"@value": ` + jsonString(t.Value)
	switch {
	case t.Lang != "":
		s += `, "@language": ` + jsonString(t.Lang)
	case t.Datatype != "":
		s += `, "@type": ` + jsonString(compactOrFull(t.Datatype))
	}
	return s + "}"
}

// jsonString quotes s as a JSON string, leaving non-ASCII and <, >, & as
// they are (encoding/json's escaping without the HTML part).
func jsonString(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
