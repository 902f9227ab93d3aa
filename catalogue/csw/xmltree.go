package csw

import "github.com/jointict/councilapi/catalogue/xmltree"

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

// CSW responses are printed compact; records are embedded whole.
type node = xmltree.Node

var (
	el  = xmltree.El
	txt = xmltree.Text
	raw = xmltree.Raw
)

func document(root *node) []byte { return xmltree.Document(root, false) }
