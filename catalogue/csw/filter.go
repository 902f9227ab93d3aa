package csw

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// expr is a parsed constraint, from either OGC Filter 1.1 or CQL text.
type expr interface {
	match(r *Record) bool
}

type (
	andExpr  []expr
	orExpr   []expr
	notExpr  struct{ e expr }
	likeExpr struct {
		prop string
		re   *regexp.Regexp
	}
	compareExpr struct {
		prop, op, value string
		matchCase       bool
	}
	bboxExpr struct{ box BBox }
)

func (a andExpr) match(r *Record) bool {
	for _, e := range a {
		if !e.match(r) {
			return false
		}
	}
	return true
}

func (o orExpr) match(r *Record) bool {
	for _, e := range o {
		if e.match(r) {
			return true
		}
	}
	return false
}

func (n notExpr) match(r *Record) bool { return !n.e.match(r) }

func (l likeExpr) match(r *Record) bool {
	for _, v := range values(r, l.prop) {
		if l.re.MatchString(v) {
			return true
		}
	}
	return false
}

func (b bboxExpr) match(r *Record) bool { return r.BBox.intersects(b.box) }

func (c compareExpr) match(r *Record) bool {
	if c.prop == "modified" {
		want, ok := parseTime(c.value)
		if !ok || r.Modified.IsZero() {
			return false
		}
		return compare(r.Modified.Compare(want), c.op)
	}
	for _, v := range values(r, c.prop) {
		a, b := v, c.value
		if !c.matchCase {
			a, b = strings.ToLower(a), strings.ToLower(b)
		}
		if compare(strings.Compare(a, b), c.op) {
			return true
		}
	}
	return false
}

func compare(cmp int, op string) bool {
	switch op {
	case "=":
		return cmp == 0
	case "<>":
		return cmp != 0
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	case ">=":
		return cmp >= 0
	}
	return false
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

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

func values(r *Record, prop string) []string {
	switch prop {
	case "title":
		return []string{r.Title}
	case "identifier":
		return []string{r.Identifier}
	case "abstract":
		return []string{r.Abstract}
	case "subject":
		return r.Subjects
	case "type":
		return []string{r.Type}
	case "format":
		return r.Formats
	case "anytext":
		return []string{strings.Join(append([]string{r.Identifier, r.Title, r.Abstract, r.Type},
			append(r.Subjects, r.Formats...)...), " ")}
	}
	return nil
}

// likePattern turns an OGC PropertyIsLike pattern into an anchored regexp.
func likePattern(pattern, wild, single, escape string, matchCase bool) *regexp.Regexp {
	var b strings.Builder
	if !matchCase {
		b.WriteString("(?is)")
	} else {
		b.WriteString("(?s)")
	}
	b.WriteByte('^')
	for i := 0; i < len(pattern); {
		rest := pattern[i:]
		switch {
		case escape != "" && strings.HasPrefix(rest, escape) && len(rest) > len(escape):
			size := writeLiteral(&b, rest[len(escape):])
			i += len(escape) + size
		case wild != "" && strings.HasPrefix(rest, wild):
			b.WriteString(".*")
			i += len(wild)
		case single != "" && strings.HasPrefix(rest, single):
			b.WriteByte('.')
			i += len(single)
		default:
			i += writeLiteral(&b, rest)
		}
	}
	b.WriteByte('$')
	return regexp.MustCompile(b.String())
}

// writeLiteral writes the first character of s as a literal in the
// pattern and returns its length in bytes. A byte that is not UTF-8 stands
// for U+FFFD, as it does when Go reads such text, so the pattern compiles.
func writeLiteral(b *strings.Builder, s string) int {
	r, size := utf8.DecodeRuneInString(s)
	b.WriteString(regexp.QuoteMeta(string(r)))
	return size
}

func parseFilterXML(b []byte) (expr, *exception) {
	var doc xnode
	if err := xml.NewDecoder(bytes.NewReader(b)).Decode(&doc); err != nil {
		return nil, invalidParam("constraint", "the constraint is not well-formed XML: %v", err)
	}
	if doc.XMLName.Local != "Filter" {
		return nil, invalidParam("constraint", "the constraint must be an ogc:Filter")
	}
	return parseFilter(&doc)
}

func parseFilter(f *xnode) (expr, *exception) {
	if len(f.Kids) != 1 {
		return nil, invalidParam("constraint", "ogc:Filter must hold exactly one predicate")
	}
	return parsePredicate(&f.Kids[0])
}

var comparisons = map[string]string{
	"PropertyIsEqualTo": "=", "PropertyIsNotEqualTo": "<>",
	"PropertyIsLessThan": "<", "PropertyIsLessThanOrEqualTo": "<=",
	"PropertyIsGreaterThan": ">", "PropertyIsGreaterThanOrEqualTo": ">=",
}

func parsePredicate(n *xnode) (expr, *exception) {
	name := n.XMLName.Local
	switch name {
	case "And", "Or":
		var parts []expr
		for i := range n.Kids {
			e, ex := parsePredicate(&n.Kids[i])
			if ex != nil {
				return nil, ex
			}
			parts = append(parts, e)
		}
		if len(parts) < 2 {
			return nil, invalidParam("constraint", "ogc:%s needs at least two operands", name)
		}
		if name == "And" {
			return andExpr(parts), nil
		}
		return orExpr(parts), nil
	case "Not":
		if len(n.Kids) != 1 {
			return nil, invalidParam("constraint", "ogc:Not needs exactly one operand")
		}
		e, ex := parsePredicate(&n.Kids[0])
		if ex != nil {
			return nil, ex
		}
		return notExpr{e}, nil
	case "PropertyIsLike":
		prop, ex := property(n)
		if ex != nil {
			return nil, ex
		}
		esc := n.Attr("escapeChar")
		if esc == "" {
			esc = n.Attr("escape")
		}
		return likeExpr{prop: prop, re: likePattern(literal(n), n.Attr("wildCard"), n.Attr("singleChar"), esc,
			n.Attr("matchCase") == "true")}, nil
	case "BBOX":
		return parseBBOXFilter(n)
	}
	if op, ok := comparisons[name]; ok {
		prop, ex := property(n)
		if ex != nil {
			return nil, ex
		}
		if prop == "bbox" {
			return nil, invalidParam("constraint", "compare ows:BoundingBox with ogc:BBOX")
		}
		return compareExpr{prop: prop, op: op, value: literal(n), matchCase: n.Attr("matchCase") != "false"}, nil
	}
	return nil, &exception{status: 400, code: "InvalidParameterValue", locator: "constraint",
		text: "unsupported filter operator ogc:" + name}
}

func property(n *xnode) (string, *exception) {
	name := text(n.child("PropertyName"))
	if name == "" {
		return "", missingParam("PropertyName")
	}
	q := queryable(name)
	if q == "" {
		return "", invalidParam("constraint", "unknown queryable %q", name)
	}
	return q, nil
}

func literal(n *xnode) string { return text(n.child("Literal")) }

// parseBBOXFilter reads gml:Envelope corners. EPSG:4326 named by URN or
// http URI is latitude-first, as in pycsw; EPSG:4326, CRS84 or no srsName is
// longitude-first.
func parseBBOXFilter(n *xnode) (expr, *exception) {
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
	if latFirst(env.Attr("srsName")) {
		lo[0], lo[1], hi[0], hi[1] = lo[1], lo[0], hi[1], hi[0]
	}
	return bboxExpr{BBox{West: lo[0], South: lo[1], East: hi[0], North: hi[1]}}, nil
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

func latFirst(srs string) bool {
	s := strings.ToLower(srs)
	return strings.HasSuffix(s, "4326") && (strings.HasPrefix(s, "urn:") || strings.HasPrefix(s, "http"))
}
