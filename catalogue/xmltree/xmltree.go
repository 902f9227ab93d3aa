// Package xmltree builds small XML documents as element trees and prints
// them once. ISO 19139 and CSW nest every value several levels deep; a tree
// keeps the encoders close to the shape of the schemas, and printing it in
// one place makes the output (and so golden files) deterministic.
package xmltree

import (
	"bytes"
	"encoding/xml"
)

// Node is an element, or (from Raw) an embedded document written verbatim.
type Node struct {
	name  string
	attrs [][2]string
	text  string
	kids  []*Node
	raw   []byte
	// from and to: raw is written with every from as to.
	from, to []byte
}

// El makes an element with children; nil children are skipped, so optional
// parts can be written inline.
func El(name string, kids ...*Node) *Node { return (&Node{name: name}).Add(kids...) }

// Text makes an element holding escaped text.
func Text(name, text string) *Node { return &Node{name: name, text: text} }

// Raw embeds a whole document (its XML declaration dropped) as a child.
func Raw(doc []byte) *Node { return &Node{raw: stripDeclaration(doc)} }

// RawReplacing is Raw with every occurrence of from written as to, as the
// document is printed: the document is not copied to be changed first.
func RawReplacing(doc, from, to []byte) *Node {
	n := Raw(doc)
	if len(from) > 0 {
		n.from, n.to = from, to
	}
	return n
}

// Attr adds an attribute and returns the node, for chaining.
func (n *Node) Attr(k, v string) *Node {
	n.attrs = append(n.attrs, [2]string{k, v})
	return n
}

// Add appends children, skipping nils.
func (n *Node) Add(kids ...*Node) *Node {
	for _, k := range kids {
		if k != nil {
			n.kids = append(n.kids, k)
		}
	}
	return n
}

// Document prints the tree after an XML declaration, indented two spaces a
// level when indent is set, otherwise compact.
func Document(root *Node, indent bool) []byte {
	var b bytes.Buffer
	// Sized first: a CSW page of 100 embedded records (a megabyte) grew its
	// buffer a dozen times, a quarter of the page's CPU and most of the
	// garbage that made its p99 six times its median.
	b.Grow(len(xml.Header) + root.sizeHint() + 1)
	b.WriteString(xml.Header)
	depth := 0
	if !indent {
		depth = -1
	}
	root.write(&b, depth)
	if !indent {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// sizeHint is about the length n prints at: exact for embedded documents,
// without the indentation and escapes of elements.
func (n *Node) sizeHint() int {
	if n.raw != nil {
		size := len(n.raw) + 1
		if n.from != nil && len(n.to) > len(n.from) {
			size += bytes.Count(n.raw, n.from) * (len(n.to) - len(n.from))
		}
		return size
	}
	size := 2*len(n.name) + 6 + len(n.text)
	for _, a := range n.attrs {
		size += len(a[0]) + len(a[1]) + 4
	}
	for _, k := range n.kids {
		size += k.sizeHint()
	}
	return size
}

// write prints n; depth < 0 means compact output.
func (n *Node) write(b *bytes.Buffer, depth int) {
	pad := func(d int) {
		for range d {
			b.WriteString("  ")
		}
	}
	newline := func() {
		if depth >= 0 {
			b.WriteByte('\n')
		}
	}
	pad(depth)
	if n.raw != nil {
		raw := n.raw
		for n.from != nil {
			i := bytes.Index(raw, n.from)
			if i < 0 {
				break
			}
			b.Write(raw[:i])
			b.Write(n.to)
			raw = raw[i+len(n.from):]
		}
		b.Write(raw)
		newline()
		return
	}
	b.WriteByte('<')
	b.WriteString(n.name)
	for _, a := range n.attrs {
		b.WriteString(" " + a[0] + `="`)
		// EscapeText also escapes newlines as &#xA;, which keeps multi-line
		// abstracts and lineage statements intact through a round trip.
		_ = xml.EscapeText(b, []byte(a[1]))
		b.WriteByte('"')
	}
	switch {
	case len(n.kids) == 0 && n.text == "":
		b.WriteString("/>")
		newline()
		return
	case len(n.kids) == 0:
		b.WriteByte('>')
		_ = xml.EscapeText(b, []byte(n.text))
	default:
		b.WriteByte('>')
		_ = xml.EscapeText(b, []byte(n.text))
		newline()
		child := depth + 1
		if depth < 0 {
			child = -1
		}
		for _, k := range n.kids {
			k.write(b, child)
		}
		pad(depth)
	}
	b.WriteString("</" + n.name + ">")
	newline()
}

// stripDeclaration drops a leading <?xml ...?> so a document can be embedded.
func stripDeclaration(b []byte) []byte {
	t := bytes.TrimSpace(b)
	if bytes.HasPrefix(t, []byte("<?xml")) {
		if i := bytes.Index(t, []byte("?>")); i >= 0 {
			t = bytes.TrimSpace(t[i+2:])
		}
	}
	return t
}
