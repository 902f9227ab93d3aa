package crs

import (
	"strings"
	"unicode"
)

// The WKT handled here is what arrives in .prj files and
// gpkg_spatial_ref_sys: ESRI WKT1 ("British_National_Grid",
// "GCS_WGS_1984"), GDAL/OGC WKT1 with AUTHORITY nodes, and WKT2 with ID
// nodes. The CRS is recognised by the top-level authority code when there is
// one, and otherwise by the datum and, for projected CRSs, the projection
// parameters of the National Grid, so a renamed BNG definition still
// matches but a different Transverse Mercator does not.

func looksLikeWKT(s string) bool {
	i := strings.IndexByte(s, '[')
	if i <= 0 {
		return false
	}
	switch strings.ToUpper(strings.TrimSpace(s[:i])) {
	case "PROJCS", "GEOGCS", "PROJCRS", "GEOGCRS", "GEODCRS", "GEODETICCRS",
		"PROJECTEDCRS", "GEOGRAPHICCRS", "COMPD_CS", "COMPOUNDCRS", "BOUNDCRS":
		return true
	}
	return false
}

// wktNode is one KEYWORD[...] element; values are its quoted strings and
// numbers (as text) and child nodes, in order.
type wktNode struct {
	keyword  string
	bare     bool // written without brackets, like NORTH in AXIS["x",NORTH]
	values   []string
	children []*wktNode
}

// maxWKTDepth bounds recursion on hostile input; real CRS WKT nests about six.
const maxWKTDepth = 32

func parseWKTTree(s string) (*wktNode, bool) {
	p := wktParser{s: s}
	n, ok := p.node(0)
	if !ok {
		return nil, false
	}
	p.space()
	return n, p.i == len(p.s)
}

type wktParser struct {
	s string
	i int
}

func (p *wktParser) space() {
	for p.i < len(p.s) && unicode.IsSpace(rune(p.s[p.i])) {
		p.i++
	}
}

func (p *wktParser) node(depth int) (*wktNode, bool) {
	if depth > maxWKTDepth {
		return nil, false
	}
	p.space()
	start := p.i
	for p.i < len(p.s) && (isWordByte(p.s[p.i])) {
		p.i++
	}
	if p.i == start {
		return nil, false
	}
	n := &wktNode{keyword: strings.ToUpper(p.s[start:p.i])}
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '[' && p.s[p.i] != '(') {
		n.bare = true
		return n, true
	}
	closer := byte(']')
	if p.s[p.i] == '(' {
		closer = ')'
	}
	p.i++
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch c := p.s[p.i]; {
		case c == '"':
			end := p.i + 1
			for end < len(p.s) {
				if p.s[end] == '"' {
					// WKT escapes a quote by doubling it.
					if end+1 < len(p.s) && p.s[end+1] == '"' {
						end += 2
						continue
					}
					break
				}
				end++
			}
			if end >= len(p.s) {
				return nil, false
			}
			n.values = append(n.values, strings.ReplaceAll(p.s[p.i+1:end], `""`, `"`))
			p.i = end + 1
		case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
			start := p.i
			for p.i < len(p.s) && strings.IndexByte("+-.0123456789eE", p.s[p.i]) >= 0 {
				p.i++
			}
			n.values = append(n.values, p.s[start:p.i])
		case isWordByte(c):
			child, ok := p.node(depth + 1)
			if !ok {
				return nil, false
			}
			if child.bare {
				n.values = append(n.values, child.keyword)
			} else {
				n.children = append(n.children, child)
			}
		default:
			return nil, false
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, false
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case closer:
			p.i++
			return n, true
		default:
			return nil, false
		}
	}
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

func (n *wktNode) child(keywords ...string) *wktNode {
	for _, c := range n.children {
		for _, k := range keywords {
			if c.keyword == k {
				return c
			}
		}
	}
	return nil
}

func (n *wktNode) name() string {
	if len(n.values) == 0 {
		return ""
	}
	return n.values[0]
}

// normName folds a WKT name for comparison: "OSGB 1936", "OSGB_1936" and
// "osgb1936" all become "osgb1936".
func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func parseWKT(s string) (CRS, bool) {
	root, ok := parseWKTTree(s)
	if !ok {
		return 0, false
	}
	switch root.keyword {
	case "COMPD_CS", "COMPOUNDCRS", "BOUNDCRS":
		// Horizontal part first (a BNG + ODN height compound, or a
		// BOUNDCRS wrapping a TOWGS84 for the source CRS).
		for _, c := range root.children {
			if c.keyword == "SOURCECRS" && len(c.children) > 0 {
				c = c.children[0]
			}
			if looksLikeWKTKeyword(c.keyword) {
				if v, ok := identify(c); ok {
					return v, true
				}
			}
		}
		return 0, false
	}
	return identify(root)
}

func looksLikeWKTKeyword(k string) bool { return looksLikeWKT(k + "[") }

func identify(n *wktNode) (CRS, bool) {
	if id := n.child("AUTHORITY", "ID"); id != nil && len(id.values) >= 2 {
		switch strings.ToUpper(id.values[0]) {
		case "EPSG":
			return byEPSG(id.values[1])
		case "OGC":
			return CRS84, strings.EqualFold(id.values[1], "CRS84")
		}
	}
	switch n.keyword {
	case "PROJCS", "PROJCRS", "PROJECTEDCRS":
		if isNationalGrid(n) {
			return EPSG27700, true
		}
	case "GEOGCS", "GEOGCRS", "GEODCRS", "GEODETICCRS", "GEOGRAPHICCRS":
		return geographicDatum(n)
	}
	return 0, false
}

func geographicDatum(n *wktNode) (CRS, bool) {
	datum := n.child("DATUM", "GEODETICDATUM", "TRF", "ENSEMBLE", "DATUMENSEMBLE")
	names := []string{normName(n.name())}
	if datum != nil {
		names = append(names, normName(datum.name()))
	}
	for _, nm := range names {
		switch {
		case strings.Contains(nm, "wgs1984") || strings.Contains(nm, "wgs84") ||
			strings.Contains(nm, "worldgeodeticsystem1984"):
			return EPSG4326, true
		case strings.Contains(nm, "etrs1989") || strings.Contains(nm, "etrs89") ||
			strings.Contains(nm, "europeanterrestrialreferencesystem1989"):
			return EPSG4258, true
		}
	}
	return 0, false
}

// isNationalGrid accepts a projected CRS named as British National Grid or
// whose Transverse Mercator parameters and OSGB 1936 datum are the Grid's.
func isNationalGrid(n *wktNode) bool {
	if nm := normName(n.name()); strings.Contains(nm, "britishnationalgrid") {
		return true
	}
	base := n.child("GEOGCS", "BASEGEOGCRS", "BASEGEODCRS")
	if base == nil {
		return false
	}
	datum := base.child("DATUM", "GEODETICDATUM")
	osgb := strings.Contains(normName(base.name()), "osgb") ||
		(datum != nil && strings.Contains(normName(datum.name()), "osgb"))
	if !osgb {
		return false
	}
	want := map[string]string{
		"falseeasting": "400000", "falsenorthing": "-100000", "centralmeridian": "-2",
		"scalefactor": "0.9996012717", "latitudeoforigin": "49",
	}
	aliases := map[string]string{
		"longitudeofnaturalorigin": "centralmeridian", "latitudeofnaturalorigin": "latitudeoforigin",
		"scalefactoratnaturalorigin": "scalefactor",
	}
	found := 0
	params := n.children
	if conv := n.child("CONVERSION"); conv != nil {
		params = conv.children
	}
	for _, p := range params {
		if p.keyword != "PARAMETER" || len(p.values) < 2 {
			continue
		}
		k := normName(p.values[0])
		if a, ok := aliases[k]; ok {
			k = a
		}
		if w, ok := want[k]; ok {
			if !sameNumber(p.values[1], w) {
				return false
			}
			found++
		}
	}
	return found == len(want)
}

func sameNumber(a, b string) bool {
	trim := func(s string) string {
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	return trim(a) == trim(b)
}
