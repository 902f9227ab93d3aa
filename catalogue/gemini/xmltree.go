package gemini

import (
	"bytes"
	"encoding/xml"
)

// node is a tiny XML element tree. ISO 19139 nests every value three or four
// levels deep; building a tree and printing it once keeps the encoders close to
// the shape of the schema and makes the indentation (and so the golden files)
// deterministic.
type node struct {
	name  string
	attrs [][2]string
	text  string
	kids  []*node
}

func el(name string, kids ...*node) *node {
	n := &node{name: name}
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

func txt(name, text string) *node { return &node{name: name, text: text} }

func (n *node) attr(k, v string) *node {
	n.attrs = append(n.attrs, [2]string{k, v})
	return n
}

func (n *node) add(kids ...*node) *node {
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

func (n *node) write(b *bytes.Buffer, depth int) {
	for i := 0; i < depth; i++ {
		b.WriteString("  ")
	}
	b.WriteByte('<')
	b.WriteString(n.name)
	for _, a := range n.attrs {
		b.WriteByte(' ')
		b.WriteString(a[0])
		b.WriteString(`="`)
		escape(b, a[1])
		b.WriteByte('"')
	}
	switch {
	case len(n.kids) > 0:
		b.WriteString(">\n")
		for _, k := range n.kids {
			k.write(b, depth+1)
		}
		for i := 0; i < depth; i++ {
			b.WriteString("  ")
		}
		b.WriteString("</" + n.name + ">\n")
	case n.text != "":
		b.WriteByte('>')
		escape(b, n.text)
		b.WriteString("</" + n.name + ">\n")
	default:
		b.WriteString("/>\n")
	}
}

func escape(b *bytes.Buffer, s string) {
	// EscapeText also escapes newlines as &#xA;, which keeps multi-line
	// abstracts and lineage statements intact through the round trip.
	_ = xml.EscapeText(b, []byte(s))
}

func document(root *node) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	root.write(&b, 0)
	return b.Bytes()
}
