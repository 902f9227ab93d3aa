package gemini

import "github.com/jointict/councilapi/catalogue/xmltree"

// Records are printed indented, so golden files and diffs stay readable.
type node = xmltree.Node

var (
	el  = xmltree.El
	txt = xmltree.Text
)

func document(root *node) []byte { return xmltree.Document(root, true) }
