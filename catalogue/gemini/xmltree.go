package gemini

import (
	"bytes"

	"github.com/jointict/councilapi/catalogue/xmltree"
)

// Records are printed indented, so golden files and diffs stay readable.
type node = xmltree.Node

var (
	el  = xmltree.El
	txt = xmltree.Text
)

// document is exactly sized: records are kept in memory for WAF and CSW,
// and the doubling buffer they are written into holds up to twice each one.
func document(root *node) []byte { return bytes.Clone(xmltree.Document(root, true)) }
