package csw

import (
	"bytes"
	"encoding/xml"
)

const (
	nsOWS   = "http://www.opengis.net/ows"
	nsOGC   = "http://www.opengis.net/ogc"
	nsXSI   = "http://www.w3.org/2001/XMLSchema-instance"
	nsDC    = "http://purl.org/dc/elements/1.1/"
	nsDCT   = "http://purl.org/dc/terms/"
	nsXLink = "http://www.w3.org/1999/xlink"
	nsGML   = "http://www.opengis.net/gml"
	nsXS    = "http://www.w3.org/2001/XMLSchema"
)

// node is a small XML element tree; raw holds an embedded document (a GEMINI
// record) written verbatim.
type node struct {
	name  string
	attrs [][2]string
	text  string
	kids  []*node
	raw   []byte
}

func el(name string, kids ...*node) *node {
	n := &node{name: name}
	return n.add(kids...)
}

func txt(name, text string) *node { return &node{name: name, text: text} }

func raw(b []byte) *node { return &node{raw: stripDeclaration(b)} }

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

func (n *node) write(b *bytes.Buffer) {
	if n.raw != nil {
		b.Write(n.raw)
		return
	}
	b.WriteByte('<')
	b.WriteString(n.name)
	for _, a := range n.attrs {
		b.WriteString(" " + a[0] + `="`)
		_ = xml.EscapeText(b, []byte(a[1]))
		b.WriteByte('"')
	}
	if len(n.kids) == 0 && n.text == "" {
		b.WriteString("/>")
		return
	}
	b.WriteByte('>')
	_ = xml.EscapeText(b, []byte(n.text))
	for _, k := range n.kids {
		k.write(b)
	}
	b.WriteString("</" + n.name + ">")
}

func document(root *node) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	root.write(&b)
	b.WriteByte('\n')
	return b.Bytes()
}

// stripDeclaration drops a leading <?xml ...?> so a record can be embedded.
func stripDeclaration(b []byte) []byte {
	t := bytes.TrimSpace(b)
	if bytes.HasPrefix(t, []byte("<?xml")) {
		if i := bytes.Index(t, []byte("?>")); i >= 0 {
			t = bytes.TrimSpace(t[i+2:])
		}
	}
	return t
}
