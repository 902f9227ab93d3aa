package csw

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// request is a parsed CSW request, whichever encoding it arrived in.
type request struct {
	operation     string
	outputSchema  string // NamespaceCSW or NamespaceGMD
	elementSet    string // brief, summary, full
	resultType    string // hits, results, validate
	startPosition int
	maxRecords    int
	typeNames     []string
	filter        *constraint // nil: everything
	sortBy        []sortKey
	ids           []string
	requestID     string
}

type sortKey struct {
	property string
	desc     bool
}

const (
	defaultMaxRecords = 10
	// limitMaxRecords caps a page as pycsw's server.maxrecords does; a larger
	// maxRecords is served in pages of this size with nextRecord set.
	limitMaxRecords = 100
)

type exception struct {
	status  int
	code    string
	locator string
	text    string
}

func missingParam(name string) *exception {
	return &exception{status: statusBadRequest, code: "MissingParameterValue", locator: name,
		text: "missing parameter " + name}
}

func invalidParam(name, format string, args ...any) *exception {
	return &exception{status: statusBadRequest, code: "InvalidParameterValue", locator: name,
		text: fmt.Sprintf(format, args...)}
}

func noApplicable(status int, format string, args ...any) *exception {
	return &exception{status: status, code: "NoApplicableCode", text: fmt.Sprintf(format, args...)}
}

func (e *exception) response() (int, string, []byte) {
	ex := el("ows:Exception", txt("ows:ExceptionText", e.text)).Attr("exceptionCode", e.code)
	if e.locator != "" {
		ex.Attr("locator", e.locator)
	}
	rep := el("ows:ExceptionReport", ex).
		Attr("xmlns:ows", nsOWS).Attr("xmlns:xsi", nsXSI).
		Attr("version", "1.2.0").Attr("language", "en").
		Attr("xsi:schemaLocation", nsOWS+" http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd")
	return e.status, ContentType, document(rep)
}

var operations = map[string]string{
	"getcapabilities": "GetCapabilities", "describerecord": "DescribeRecord",
	"getrecords": "GetRecords", "getrecordbyid": "GetRecordById",
}

// parseKVP reads a GET (or form POST) request. Parameter names are
// case-insensitive, as OGC KVP encoding requires.
func parseKVP(q url.Values) (*request, *exception) {
	p := map[string]string{}
	for k, v := range q {
		if len(v) > 0 {
			p[strings.ToLower(k)] = strings.TrimSpace(v[0])
		}
	}
	if p["service"] == "" {
		return nil, missingParam("service")
	}
	if !strings.EqualFold(p["service"], "CSW") {
		return nil, invalidParam("service", "service must be CSW, not %q", p["service"])
	}
	if p["request"] == "" {
		return nil, missingParam("request")
	}
	r := &request{operation: operationName(p["request"]), requestID: p["requestid"]}
	if r.operation == "GetCapabilities" {
		if v := p["acceptversions"]; v != "" && !strings.Contains(v, Version) {
			return nil, &exception{status: statusBadRequest, code: "VersionNegotiationFailed",
				locator: "acceptversions", text: "only version " + Version + " is supported"}
		}
		return r, nil
	}
	if _, known := operations[strings.ToLower(r.operation)]; !known {
		return r, nil // serve answers OperationNotSupported
	}
	if p["version"] == "" {
		return nil, missingParam("version")
	}
	if p["version"] != Version {
		return nil, invalidParam("version", "version must be %s, not %q", Version, p["version"])
	}
	if ex := checkOutputFormat(p["outputformat"]); ex != nil {
		return nil, ex
	}
	var ex *exception
	if r.outputSchema, ex = parseSchema(p["outputschema"]); ex != nil {
		return nil, ex
	}
	switch r.operation {
	case "DescribeRecord":
		r.typeNames = splitList(firstOf(p["typename"], p["typenames"]))
		if lang := p["schemalanguage"]; lang != "" && !isXMLSchema(lang) {
			return nil, invalidParam("schemaLanguage", "schemaLanguage must be XMLSCHEMA")
		}
	case "GetRecordById":
		if p["id"] == "" {
			return nil, missingParam("id")
		}
		r.ids = splitList(p["id"])
		if r.elementSet, ex = parseElementSet(p["elementsetname"], "summary"); ex != nil {
			return nil, ex
		}
	case "GetRecords":
		if p["typenames"] == "" {
			return nil, missingParam("typeNames")
		}
		if r.typeNames, ex = parseTypeNames(p["typenames"]); ex != nil {
			return nil, ex
		}
		if r.elementSet, ex = parseElementSet(p["elementsetname"], "summary"); ex != nil {
			return nil, ex
		}
		if ex = r.paging(p["resulttype"], p["startposition"], p["maxrecords"]); ex != nil {
			return nil, ex
		}
		if r.sortBy, ex = parseKVPSort(p["sortby"]); ex != nil {
			return nil, ex
		}
		if c := p["constraint"]; c != "" {
			lang := strings.ToUpper(p["constraintlanguage"])
			switch lang {
			case "CQL_TEXT":
				r.filter, ex = parseCQL(c)
			case "FILTER":
				r.filter, ex = parseFilterXML([]byte(c))
			case "":
				return nil, missingParam("constraintLanguage")
			default:
				return nil, invalidParam("constraintLanguage", "constraintLanguage must be FILTER or CQL_TEXT")
			}
			if ex != nil {
				return nil, ex
			}
		}
	}
	return r, nil
}

func operationName(v string) string {
	if op, ok := operations[strings.ToLower(v)]; ok {
		return op
	}
	return v
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func isXMLSchema(v string) bool {
	return strings.EqualFold(v, "XMLSCHEMA") || v == "http://www.w3.org/XML/Schema" || v == "http://www.w3.org/2001/XMLSchema"
}

func checkOutputFormat(v string) *exception {
	switch strings.ToLower(strings.TrimSpace(strings.Split(v, ";")[0])) {
	case "", "application/xml", "text/xml":
		return nil
	}
	return invalidParam("outputFormat", "outputFormat must be application/xml, not %q", v)
}

func parseSchema(v string) (string, *exception) {
	switch v {
	case "", NamespaceCSW, "csw:Record":
		return NamespaceCSW, nil
	case NamespaceGMD, "gmd:MD_Metadata":
		return NamespaceGMD, nil
	}
	return "", invalidParam("outputSchema", "outputSchema must be %s or %s", NamespaceCSW, NamespaceGMD)
}

func parseElementSet(v, def string) (string, *exception) {
	switch v = strings.ToLower(v); v {
	case "":
		return def, nil
	case "brief", "summary", "full":
		return v, nil
	}
	return "", invalidParam("ElementSetName", "ElementSetName must be brief, summary or full")
}

func parseTypeNames(v string) ([]string, *exception) {
	names := splitList(strings.ReplaceAll(v, " ", ","))
	for _, n := range names {
		switch localName(n) {
		case "Record", "MD_Metadata":
		default:
			return nil, invalidParam("typeNames", "typeNames must be csw:Record or gmd:MD_Metadata, not %q", n)
		}
	}
	return names, nil
}

func (r *request) paging(resultType, start, max string) *exception {
	switch r.resultType = strings.ToLower(resultType); r.resultType {
	case "":
		r.resultType = "hits" // the CSW 2.0.2 default
	case "hits", "results":
	default:
		return invalidParam("resultType", "resultType must be hits or results")
	}
	r.startPosition, r.maxRecords = 1, defaultMaxRecords
	if start != "" {
		n, err := strconv.Atoi(start)
		if err != nil || n < 1 {
			return invalidParam("startPosition", "startPosition must be a whole number from 1, not %q", start)
		}
		r.startPosition = n
	}
	if max != "" {
		n, err := strconv.Atoi(max)
		if err != nil || n < 0 {
			return invalidParam("maxRecords", "maxRecords must be a whole number from 0, not %q", max)
		}
		r.maxRecords = min(n, limitMaxRecords)
	}
	return nil
}

func parseKVPSort(v string) ([]sortKey, *exception) {
	var keys []sortKey
	for _, item := range splitList(v) {
		k := sortKey{property: item}
		if i := strings.LastIndex(item, ":"); i > 0 {
			switch strings.ToUpper(item[i+1:]) {
			case "A", "ASC":
				k.property = item[:i]
			case "D", "DESC":
				k.property, k.desc = item[:i], true
			}
		}
		if _, ok := sortable[queryable(k.property)]; !ok {
			return nil, invalidParam("sortBy", "cannot sort by %q: use dc:identifier, dc:title or dct:modified", k.property)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// xnode is a generic XML element, enough to read CSW requests and OGC filters
// without a struct per element.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Kids    []xnode    `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n *xnode) Attr(local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (n *xnode) child(local string) *xnode {
	for i := range n.Kids {
		if n.Kids[i].XMLName.Local == local {
			return &n.Kids[i]
		}
	}
	return nil
}

func (n *xnode) children(local string) []*xnode {
	var out []*xnode
	for i := range n.Kids {
		if n.Kids[i].XMLName.Local == local {
			out = append(out, &n.Kids[i])
		}
	}
	return out
}

func parseXML(body []byte) (*request, *exception) {
	var doc xnode
	dec := xml.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&doc); err != nil {
		return nil, noApplicable(statusBadRequest, "the request is not well-formed XML: %v", err)
	}
	r := &request{operation: doc.XMLName.Local, requestID: doc.Attr("requestId")}
	if r.operation == "GetCapabilities" {
		return r, nil
	}
	if _, known := operations[strings.ToLower(r.operation)]; !known {
		return r, nil
	}
	if s := doc.Attr("service"); s != "" && s != "CSW" {
		return nil, invalidParam("service", "service must be CSW, not %q", s)
	}
	if v := doc.Attr("version"); v != "" && v != Version {
		return nil, invalidParam("version", "version must be %s, not %q", Version, v)
	}
	if ex := checkOutputFormat(doc.Attr("outputFormat")); ex != nil {
		return nil, ex
	}
	var ex *exception
	if r.outputSchema, ex = parseSchema(doc.Attr("outputSchema")); ex != nil {
		return nil, ex
	}
	switch r.operation {
	case "DescribeRecord":
		for _, t := range doc.children("TypeName") {
			r.typeNames = append(r.typeNames, strings.TrimSpace(t.Text))
		}
	case "GetRecordById":
		for _, id := range doc.children("Id") {
			r.ids = append(r.ids, strings.TrimSpace(id.Text))
		}
		if len(r.ids) == 0 {
			return nil, missingParam("Id")
		}
		if r.elementSet, ex = parseElementSet(text(doc.child("ElementSetName")), "summary"); ex != nil {
			return nil, ex
		}
	case "GetRecords":
		return parseXMLGetRecords(r, &doc)
	}
	return r, nil
}

func text(n *xnode) string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.Text)
}

func parseXMLGetRecords(r *request, doc *xnode) (*request, *exception) {
	if ex := r.paging(doc.Attr("resultType"), doc.Attr("startPosition"), doc.Attr("maxRecords")); ex != nil {
		return nil, ex
	}
	q := doc.child("Query")
	if q == nil {
		return nil, missingParam("Query")
	}
	var ex *exception
	if r.typeNames, ex = parseTypeNames(firstOf(q.Attr("typeNames"), "csw:Record")); ex != nil {
		return nil, ex
	}
	if r.elementSet, ex = parseElementSet(text(q.child("ElementSetName")), "summary"); ex != nil {
		return nil, ex
	}
	if c := q.child("Constraint"); c != nil {
		switch {
		case c.child("Filter") != nil:
			r.filter, ex = parseFilter(c.child("Filter"))
		case c.child("CqlText") != nil:
			r.filter, ex = parseCQL(text(c.child("CqlText")))
		default:
			ex = invalidParam("Constraint", "Constraint must hold an ogc:Filter or csw:CqlText")
		}
		if ex != nil {
			return nil, ex
		}
	}
	if s := q.child("SortBy"); s != nil {
		for _, sp := range s.children("SortProperty") {
			k := sortKey{property: text(sp.child("PropertyName")), desc: strings.EqualFold(text(sp.child("SortOrder")), "DESC")}
			if _, ok := sortable[queryable(k.property)]; !ok {
				return nil, invalidParam("SortBy", "cannot sort by %q: use dc:identifier, dc:title or dct:modified", k.property)
			}
			r.sortBy = append(r.sortBy, k)
		}
	}
	return r, nil
}

func localName(qname string) string {
	if i := strings.LastIndexAny(qname, ":/#"); i >= 0 {
		return qname[i+1:]
	}
	return qname
}
