package csw

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/cql"
)

// queryables maps the local part of a property name (dc:title, apiso:Title,
// csw:AnyText ...) to the record field it reads, lower-cased.
var queryables = map[string]string{
	"anytext": "anytext", "csw:anytext": "anytext",
	"title": "title", "identifier": "identifier", "fileidentifier": "identifier",
	"abstract": "abstract", "description": "abstract",
	"subject": "subject", "keywords": "subject",
	"type": "type", "format": "format",
	"modified": "modified", "revisiondate": "modified",
	"boundingbox": "bbox", "envelope": "bbox",
}

var sortable = map[string]bool{"identifier": true, "title": true, "modified": true}

func queryable(name string) string {
	return queryables[strings.ToLower(localName(strings.TrimSpace(name)))]
}

func parseFilterXML(b []byte) (*constraint, *exception) {
	var doc xnode
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		return nil, invalidParam("constraint", "the constraint is not well-formed XML: %v", err)
	}
	if doc.XMLName.Local != "Filter" {
		return nil, invalidParam("constraint", "the constraint must be an ogc:Filter")
	}
	return parseFilter(&doc)
}

// parseFilter maps an OGC Filter Encoding 1.1 ogc:Filter onto the CQL2
// syntax tree and compiles it.
func parseFilter(f *xnode) (*constraint, *exception) {
	if len(f.Kids) != 1 {
		return nil, invalidParam("constraint", "ogc:Filter must hold exactly one predicate")
	}
	e, ex := filterPredicate(&f.Kids[0])
	if ex != nil {
		return nil, ex
	}
	return compileConstraint(e)
}

var comparisons = map[string]string{
	"PropertyIsEqualTo": "=", "PropertyIsNotEqualTo": "<>",
	"PropertyIsLessThan": "<", "PropertyIsLessThanOrEqualTo": "<=",
	"PropertyIsGreaterThan": ">", "PropertyIsGreaterThanOrEqualTo": ">=",
}

func filterPredicate(n *xnode) (cql.Expr, *exception) {
	name := n.XMLName.Local
	switch name {
	case "And", "Or":
		var parts []cql.Expr
		for i := range n.Kids {
			e, ex := filterPredicate(&n.Kids[i])
			if ex != nil {
				return nil, ex
			}
			parts = append(parts, e)
		}
		if len(parts) < 2 {
			return nil, invalidParam("constraint", "ogc:%s needs at least two operands", name)
		}
		if name == "And" {
			return cql.And{Args: parts}, nil
		}
		return cql.Or{Args: parts}, nil
	case "Not":
		if len(n.Kids) != 1 {
			return nil, invalidParam("constraint", "ogc:Not needs exactly one operand")
		}
		e, ex := filterPredicate(&n.Kids[0])
		if ex != nil {
			return nil, ex
		}
		return cql.Not{Arg: e}, nil
	case "PropertyIsLike":
		prop, ex := property(n)
		if ex != nil {
			return nil, ex
		}
		esc := n.Attr("escapeChar")
		if esc == "" {
			esc = n.Attr("escape")
		}
		pattern := cql.String(cql.LikeFromWildcards(literal(n), n.Attr("wildCard"), n.Attr("singleChar"), esc))
		if n.Attr("matchCase") == "true" {
			return cql.Like{Value: prop, Pattern: pattern}, nil
		}
		return caseInsensitiveLike(prop, pattern), nil
	case "PropertyIsNull":
		prop, ex := property(n)
		if ex != nil {
			return nil, ex
		}
		return cql.IsNull{Value: prop}, nil
	case "PropertyIsBetween":
		prop, ex := property(n)
		if ex != nil {
			return nil, ex
		}
		lo, hi := n.child("LowerBoundary"), n.child("UpperBoundary")
		if lo == nil || hi == nil {
			return nil, invalidParam("constraint", "ogc:PropertyIsBetween needs ogc:LowerBoundary and ogc:UpperBoundary")
		}
		return cql.Between{Value: prop, Low: modifiedLiteral(cql.String(literal(lo)), prop),
			High: modifiedLiteral(cql.String(literal(hi)), prop)}, nil
	case "BBOX":
		return bboxFilter(n)
	}
	if op, ok := comparisons[name]; ok {
		prop, ex := property(n)
		if ex != nil {
			return nil, ex
		}
		value := modifiedLiteral(cql.String(literal(n)), prop)
		if n.Attr("matchCase") == "false" {
			casei := func(x cql.Expr) cql.Expr { return cql.Call{Name: "casei", Args: []cql.Expr{x}} }
			return cql.Compare{Op: op, Left: casei(prop), Right: casei(value)}, nil
		}
		return cql.Compare{Op: op, Left: prop, Right: value}, nil
	}
	return nil, invalidParam("constraint", "unsupported filter operator ogc:%s: use And, Or, Not, PropertyIsEqualTo (and the other comparisons), PropertyIsLike, PropertyIsBetween, PropertyIsNull or BBOX", name)
}

func property(n *xnode) (cql.Expr, *exception) {
	name := text(n.child("PropertyName"))
	if name == "" {
		return nil, missingParam("PropertyName")
	}
	q := queryable(name)
	if q == "" {
		return nil, invalidParam("constraint", "unknown queryable %q", name)
	}
	return cql.Property{Name: q}, nil
}

func literal(n *xnode) string { return text(n.child("Literal")) }

// bboxFilter reads gml:Envelope corners, in the axis order of its srsName
// (see axisOrder).
func bboxFilter(n *xnode) (cql.Expr, *exception) {
	if name := text(n.child("PropertyName")); name != "" && queryable(name) != "bbox" {
		return nil, invalidParam("constraint", "ogc:BBOX applies to ows:BoundingBox, not %q", name)
	}
	env := n.child("Envelope")
	if env == nil {
		return nil, invalidParam("constraint", "ogc:BBOX needs a gml:Envelope")
	}
	lo, ok1 := corner(text(env.child("lowerCorner")))
	hi, ok2 := corner(text(env.child("upperCorner")))
	if !ok1 || !ok2 {
		return nil, invalidParam("constraint", "gml:Envelope corners must be two numbers each")
	}
	box := cql.Geometry{G: orb.Bound{Min: orb.Point(lo), Max: orb.Point(hi)}, CRS: env.Attr("srsName")}
	return cql.Call{Name: "s_intersects", Args: []cql.Expr{cql.Property{Name: "bbox"}, box}}, nil
}

func corner(s string) ([2]float64, bool) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return [2]float64{}, false
	}
	a, err1 := strconv.ParseFloat(f[0], 64)
	b, err2 := strconv.ParseFloat(f[1], 64)
	return [2]float64{a, b}, err1 == nil && err2 == nil
}
