// Package csw is an OGC Catalogue Service for the Web 2.0.2 engine over a
// Catalogue of records: GetCapabilities, DescribeRecord, GetRecords and
// GetRecordById, as KVP GET or XML POST, answering in Dublin Core
// (csw:Record) or ISO 19139 (the GEMINI record itself). It behaves as pycsw
// does towards the clients that matter to councils: data.gov.uk's gemini-csw
// harvester (OWSLib getrecords2 + getrecordbyid), QGIS MetaSearch and GDAL.
//
// Handle is pure: it takes the request's parts and returns the response's, so
// the HTTP layer mounts it with one line and tests drive it without a server.
package csw

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// The HTTP statuses the engine answers with. It speaks HTTP only through the
// status and body it returns, so it keeps net/http out of the application
// layer that embeds it.
const (
	statusOK                  = 200
	statusBadRequest          = 400
	statusMethodNotAllowed    = 405
	statusInternalServerError = 500
	statusNotImplemented      = 501
)

// Namespaces and the two output schemas.
const (
	NamespaceCSW = "http://www.opengis.net/cat/csw/2.0.2"
	NamespaceGMD = "http://www.isotc211.org/2005/gmd"
	Version      = "2.0.2"
	ContentType  = "application/xml; charset=UTF-8"
)

// Catalogue supplies the records. The engine filters, sorts and pages them in
// memory: a council catalogue holds hundreds of spatial records, not millions.
type Catalogue interface {
	Records(ctx context.Context) ([]Record, error)
}

// Presenter may be implemented by a Catalogue whose records need finishing
// for the request before they are written out: filters and sorting read
// the records as Records returns them, and only those answered are
// presented (the INSPIRE record set keeps its links on one base URL and
// moves them to the request's).
type Presenter interface {
	Present(Record) Record
}

// Describer may be implemented by a Catalogue to name the service in
// GetCapabilities; without it the capabilities use neutral defaults.
type Describer interface {
	ServiceInfo() ServiceInfo
}

// ServiceInfo is what GetCapabilities says about the service and its provider.
type ServiceInfo struct {
	Title        string
	Abstract     string
	Keywords     []string
	Provider     string
	ProviderSite string
	ContactName  string
	ContactEmail string
	Fees         string
	Constraints  string
}

// Record is one catalogue entry: the Dublin Core summary that csw:Record
// output and the filters use, and the ISO 19139 (GEMINI) document served for
// outputSchema gmd.
type Record struct {
	Identifier string // the GEMINI fileIdentifier
	Title      string
	Abstract   string
	Subjects   []string
	Type       string // "dataset" or "service"
	Formats    []string
	Modified   time.Time
	BBox       BBox // WGS84; zero when unknown
	Links      []Link
	XML        []byte // the gmd:MD_Metadata document
	// BriefXML is the record's brief element set in ISO 19139 (see
	// gemini.MarshalBrief); without it a brief answer carries XML.
	BriefXML []byte
	// XMLFrom, when set, is a URL prefix the documents hold in place of
	// XMLTo (both as XML text): they are written out with every XMLFrom
	// as XMLTo, which costs no copy of the documents per request.
	XMLFrom, XMLTo []byte
}

// Link is a dct:references entry.
type Link struct {
	URL    string
	Scheme string // e.g. "OGC API - Features", "WWW:DOWNLOAD-1.0-http--download"
}

// BBox is a WGS84 box in decimal degrees.
type BBox struct {
	West, South, East, North float64
}

// IsZero reports whether the box is unset.
func (b BBox) IsZero() bool { return b == BBox{} }

func (b BBox) intersects(o BBox) bool {
	return !b.IsZero() && b.West <= o.East && o.West <= b.East && b.South <= o.North && o.South <= b.North
}

// Handle answers one CSW request. method is the HTTP method, query the URL
// query, body the request body (XML for POST). baseURL is the absolute URL the
// service is mounted at (e.g. https://data.example.gov.uk/csw); capabilities
// advertise it for both GET and POST.
func Handle(ctx context.Context, cat Catalogue, baseURL, method string, query url.Values, body []byte) (int, string, []byte) {
	e := engine{ctx: ctx, cat: cat, base: baseURL, now: time.Now().UTC()}
	var (
		req *request
		ex  *exception
	)
	switch method {
	case "GET", "HEAD":
		req, ex = parseKVP(query)
	case "POST":
		trimmed := strings.TrimSpace(string(body))
		switch {
		case strings.HasPrefix(trimmed, "<"):
			req, ex = parseXML(body)
		case trimmed != "":
			form, err := url.ParseQuery(trimmed)
			if err != nil {
				ex = noApplicable(statusBadRequest, "the POST body is neither XML nor a form: %v", err)
			} else {
				req, ex = parseKVP(form)
			}
		default:
			req, ex = parseKVP(query)
		}
	default:
		ex = &exception{status: statusMethodNotAllowed, code: "NoApplicableCode",
			text: "CSW accepts GET and POST, not " + method}
	}
	if ex != nil {
		return ex.response()
	}
	out, ex := e.serve(req)
	if ex != nil {
		return ex.response()
	}
	return statusOK, ContentType, out
}

type engine struct {
	ctx  context.Context
	cat  Catalogue
	base string
	now  time.Time
}

func (e *engine) serve(r *request) ([]byte, *exception) {
	switch r.operation {
	case "GetCapabilities":
		return e.capabilities(), nil
	case "DescribeRecord":
		return e.describeRecord(r)
	case "GetRecords":
		return e.getRecords(r)
	case "GetRecordById":
		return e.getRecordByID(r)
	}
	return nil, &exception{status: statusNotImplemented, code: "OperationNotSupported", locator: "request",
		text: "operation " + r.operation + " is not supported: use GetCapabilities, DescribeRecord, GetRecords or GetRecordById"}
}

func (e *engine) records() ([]Record, *exception) {
	recs, err := e.cat.Records(e.ctx)
	if err != nil {
		return nil, noApplicable(statusInternalServerError, "the catalogue could not be read: %v", err)
	}
	return recs, nil
}

// present finishes one record for the answer.
// present finishes a record for an answer in schema and element set,
// keeping only the document that answer writes: presenting (rebasing) a
// record costs a pass over each document it carries.
func (e *engine) present(r *Record, schema, set string) *Record {
	out := *r
	switch {
	case schema != NamespaceGMD:
		out.XML, out.BriefXML = nil, nil
	case set == "brief" && out.BriefXML != nil:
		out.XML = nil
	default:
		out.BriefXML = nil
	}
	if p, ok := e.cat.(Presenter); ok {
		out = p.Present(out)
	}
	return &out
}

func (e *engine) info() ServiceInfo {
	info := ServiceInfo{}
	if d, ok := e.cat.(Describer); ok {
		info = d.ServiceInfo()
	}
	if info.Title == "" {
		info.Title = "Spatial data catalogue"
	}
	if info.Abstract == "" {
		info.Abstract = "UK GEMINI 2.3 discovery metadata for the published spatial datasets and services."
	}
	if info.Fees == "" {
		info.Fees = "None"
	}
	if info.Constraints == "" {
		info.Constraints = "None"
	}
	return info
}
