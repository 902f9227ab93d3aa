package csw

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

const (
	trees = "6f1c3e0a-8d2b-4c57-9a41-3b2e7d9c5f10"
	wards = "0b7a6f0e-2c4d-4d1e-8f3a-5e9b1c2d3a4f"
	ds01  = "00000000-0000-4000-8000-000000000001"
	ds02  = "00000000-0000-4000-8000-000000000002"
	ds03  = "00000000-0000-4000-8000-000000000003"
)

func getRecordsXML(constraint string) string {
	return `<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc"
  xmlns:gml="http://www.opengis.net/gml" service="CSW" version="2.0.2" resultType="results" maxRecords="50"
  outputSchema="http://www.opengis.net/cat/csw/2.0.2">
  <csw:Query typeNames="csw:Record"><csw:ElementSetName>full</csw:ElementSetName>
  <csw:Constraint version="1.1.0">` + constraint + `</csw:Constraint>
  <ogc:SortBy><ogc:SortProperty><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>
  </csw:Query></csw:GetRecords>`
}

func TestConstraints(t *testing.T) {
	cat := memCatalogue{recs: testRecords(t, 3)}
	cases := []struct {
		name, filter, cql string
		want              []string
	}{
		{"AnyText like, case-insensitive",
			`<ogc:Filter><ogc:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\"><ogc:PropertyName>csw:AnyText</ogc:PropertyName><ogc:Literal>*SPECIES*</ogc:Literal></ogc:PropertyIsLike></ogc:Filter>`,
			`AnyText LIKE '%species%'`, []string{trees}},
		{"escaped wildcard is literal",
			`<ogc:Filter><ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="!"><ogc:PropertyName>AnyText</ogc:PropertyName><ogc:Literal>%100!%%</ogc:Literal></ogc:PropertyIsLike></ogc:Filter>`,
			`AnyText LIKE '%100\%%'`, []string{trees}},
		{"single character on apiso:Title",
			`<ogc:Filter><ogc:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\"><ogc:PropertyName>apiso:Title</ogc:PropertyName><ogc:Literal>Dataset 0?</ogc:Literal></ogc:PropertyIsLike></ogc:Filter>`,
			`dc:title LIKE 'Dataset 0_'`, []string{ds01, ds02, ds03}},
		{"identifier equality",
			`<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:Identifier</ogc:PropertyName><ogc:Literal>` + wards + `</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>`,
			`dc:identifier = '` + wards + `'`, []string{wards}},
		{"title equality",
			`<ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>dc:title</ogc:PropertyName><ogc:Literal>Trafford highway trees</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>`,
			`title = 'Trafford highway trees'`, []string{trees}},
		{"modified range",
			`<ogc:Filter><ogc:And><ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyName>dct:modified</ogc:PropertyName><ogc:Literal>2024-01-02</ogc:Literal></ogc:PropertyIsGreaterThanOrEqualTo><ogc:PropertyIsLessThanOrEqualTo><ogc:PropertyName>apiso:Modified</ogc:PropertyName><ogc:Literal>2024-03-05</ogc:Literal></ogc:PropertyIsLessThanOrEqualTo></ogc:And></ogc:Filter>`,
			`dct:modified >= '2024-01-02' AND apiso:Modified <= '2024-03-05'`, []string{ds02, ds03, trees}},
		{"bbox lat/lon URN around Trafford",
			`<ogc:Filter><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>53.40 -2.40</gml:lowerCorner><gml:upperCorner>53.45 -2.30</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>`,
			`BBOX(ows:BoundingBox, -2.40, 53.40, -2.30, 53.45)`, []string{trees}},
		{"bbox lon/lat without srsName over Derbyshire",
			`<ogc:Filter><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope><gml:lowerCorner>-1.5 53.2</gml:lowerCorner><gml:upperCorner>-1.4 53.3</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>`,
			`BBOX(ows:BoundingBox, 53.2, -1.5, 53.3, -1.4, 'urn:ogc:def:crs:EPSG::4326')`, []string{wards}},
		{"or and not",
			`<ogc:Filter><ogc:Or><ogc:PropertyIsEqualTo><ogc:PropertyName>dc:identifier</ogc:PropertyName><ogc:Literal>` + ds01 + `</ogc:Literal></ogc:PropertyIsEqualTo><ogc:Not><ogc:PropertyIsLike wildCard="*" singleChar="?" escapeChar="\"><ogc:PropertyName>AnyText</ogc:PropertyName><ogc:Literal>*highways*</ogc:Literal></ogc:PropertyIsLike></ogc:Not></ogc:Or></ogc:Filter>`,
			`identifier = '` + ds01 + `' OR NOT (AnyText LIKE '%highways%')`, []string{ds01, wards, trees}},
	}
	for _, c := range cases {
		_, doc := post(t, cat, getRecordsXML(c.filter))
		if got := results(t, doc).ids; !slices.Equal(got, c.want) {
			t.Errorf("%s (Filter): %q, want %q", c.name, got, c.want)
		}
		_, doc = post(t, cat, getRecordsXML(`<csw:CqlText>`+strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(c.cql)+`</csw:CqlText>`))
		if got := results(t, doc).ids; !slices.Equal(got, c.want) {
			t.Errorf("%s (CQL in XML): %q, want %q", c.name, got, c.want)
		}
		q := url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"}, "typeNames": {"csw:Record"},
			"resultType": {"results"}, "maxRecords": {"50"}, "sortBy": {"dc:identifier:A"},
			"constraintLanguage": {"CQL_TEXT"}, "constraint": {c.cql}}
		_, doc = get(t, cat, q.Encode())
		if got := results(t, doc).ids; !slices.Equal(got, c.want) {
			t.Errorf("%s (CQL KVP): %q, want %q", c.name, got, c.want)
		}
		q.Set("constraintLanguage", "FILTER")
		q.Set("constraint", strings.Replace(c.filter, "<ogc:Filter>", `<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml">`, 1))
		_, doc = get(t, cat, q.Encode())
		if got := results(t, doc).ids; !slices.Equal(got, c.want) {
			t.Errorf("%s (Filter KVP): %q, want %q", c.name, got, c.want)
		}
	}
}

// TestCQL2Constraints checks what the shared CQL2 parser adds to CSW's
// CQL_TEXT and Filter Encoding: CQL2 spatial functions, BETWEEN, IN, and
// PropertyIsBetween / PropertyIsNull.
func TestCQL2Constraints(t *testing.T) {
	cat := memCatalogue{recs: testRecords(t, 3)}
	cases := []struct {
		name, cql string
		want      []string
	}{
		{"S_INTERSECTS with a BBOX literal", `S_INTERSECTS(ows:BoundingBox, BBOX(-2.40, 53.40, -2.30, 53.45))`, []string{trees}},
		{"BETWEEN on dates", `dct:modified BETWEEN '2024-01-02' AND '2024-03-05'`, []string{ds02, ds03, trees}},
		{"a keyword among several", `dc:subject = 'trees'`, []string{trees}},
		{"IN", `dc:title IN ('Dataset 01', 'Dataset 03')`, []string{ds01, ds03}},
		{"CASEI equality", `CASEI(dc:title) = CASEI('TRAFFORD HIGHWAY TREES')`, []string{trees}},
	}
	for _, c := range cases {
		q := url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"}, "typeNames": {"csw:Record"},
			"resultType": {"results"}, "maxRecords": {"50"}, "sortBy": {"dc:identifier:A"},
			"constraintLanguage": {"CQL_TEXT"}, "constraint": {c.cql}}
		_, doc := get(t, cat, q.Encode())
		if got := results(t, doc).ids; !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	_, doc := post(t, cat, getRecordsXML(`<ogc:Filter><ogc:PropertyIsBetween><ogc:PropertyName>dct:modified</ogc:PropertyName><ogc:LowerBoundary><ogc:Literal>2024-01-02</ogc:Literal></ogc:LowerBoundary><ogc:UpperBoundary><ogc:Literal>2024-03-05</ogc:Literal></ogc:UpperBoundary></ogc:PropertyIsBetween></ogc:Filter>`))
	if got := results(t, doc).ids; !slices.Equal(got, []string{ds02, ds03, trees}) {
		t.Errorf("PropertyIsBetween: %q", got)
	}
	_, doc = post(t, cat, getRecordsXML(`<ogc:Filter><ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>dct:modified</ogc:PropertyName></ogc:PropertyIsNull></ogc:Not></ogc:Filter>`))
	if got := results(t, doc).matched; got != 5 {
		t.Errorf("PropertyIsNull: every record has a date, matched %d", got)
	}
	q := url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"}, "typeNames": {"csw:Record"},
		"constraintLanguage": {"CQL_TEXT"}, "constraint": {"dc:title = 'a' AND"}}
	_, doc = get(t, cat, q.Encode())
	if msg := text(doc.child("Exception").child("ExceptionText")); msg != "CQL: at character 19: expected a condition after AND, found the end of the filter" {
		t.Errorf("CQL error text: %q", msg)
	}
}

func TestBadConstraints(t *testing.T) {
	cat := memCatalogue{recs: testRecords(t, 1)}
	for _, cql := range []string{"AnyText LIKE", "title = 'a' AND", "BBOX(ows:BoundingBox, 1, 2, 3)", "(title = 'a'", "title ~ 'a'", "AnyText LIKE 'unterminated"} {
		q := url.Values{"service": {"CSW"}, "version": {"2.0.2"}, "request": {"GetRecords"}, "typeNames": {"csw:Record"},
			"constraintLanguage": {"CQL_TEXT"}, "constraint": {cql}}
		status, doc := get(t, cat, q.Encode())
		if code, loc := exceptionOf(t, doc); status != 400 || code != "InvalidParameterValue" || loc != "constraint" {
			t.Errorf("%q: %d %s %s", cql, status, code, loc)
		}
	}
	status, doc := post(t, cat, getRecordsXML(`<ogc:Filter><ogc:PropertyIsBetween><ogc:PropertyName>dc:title</ogc:PropertyName></ogc:PropertyIsBetween></ogc:Filter>`))
	if code, _ := exceptionOf(t, doc); status != 400 || code != "InvalidParameterValue" {
		t.Errorf("unsupported operator: %d %s", status, code)
	}
}

func TestGetRecordByIdAndSchemas(t *testing.T) {
	cat := memCatalogue{recs: testRecords(t, 2)}
	_, doc := get(t, cat, "service=CSW&version=2.0.2&request=GetRecordById&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full&id="+trees+","+wards)
	if got := ids(doc); !slices.Equal(got, []string{trees, wards}) || doc.Kids[0].XMLName.Space != NamespaceGMD {
		t.Errorf("gmd GetRecordById: %q", got)
	}
	_, doc = get(t, cat, "service=CSW&version=2.0.2&request=GetRecordById&id="+trees)
	if len(doc.Kids) != 1 || doc.Kids[0].XMLName.Local != "SummaryRecord" || text(doc.Kids[0].child("abstract")) == "" {
		t.Errorf("default GetRecordById should be a csw:SummaryRecord with its abstract")
	}
	_, doc = get(t, cat, "service=CSW&version=2.0.2&request=GetRecordById&id=no-such-record")
	if doc.XMLName.Local != "GetRecordByIdResponse" || len(doc.Kids) != 0 {
		t.Errorf("unknown id should give an empty response")
	}
	_, doc = post(t, cat, `<csw:GetRecordById xmlns:csw="`+NamespaceCSW+`" service="CSW" version="2.0.2" outputSchema="`+NamespaceGMD+`"><csw:Id>`+wards+`</csw:Id><csw:ElementSetName>full</csw:ElementSetName></csw:GetRecordById>`)
	if got := ids(doc); !slices.Equal(got, []string{wards}) {
		t.Errorf("POST GetRecordById: %q", got)
	}
	for set, name := range map[string]string{"brief": "BriefRecord", "summary": "SummaryRecord", "full": "Record"} {
		_, doc = get(t, cat, "service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Record&resultType=results&ElementSetName="+set)
		r := doc.child("SearchResults").Kids[0]
		if r.XMLName.Local != name || r.child("BoundingBox") == nil || (set == "brief") != (r.child("abstract") == nil) {
			t.Errorf("%s: got %s", set, r.XMLName.Local)
		}
		if set == "full" && r.child("references") == nil {
			t.Errorf("full record lacks dct:references")
		}
	}
	_, doc = get(t, cat, "service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&resultType=results&outputSchema=http://www.isotc211.org/2005/gmd&sortBy=dc:identifier:A")
	if p := results(t, doc); p.returned != 4 || p.ids[0] != ds01 {
		t.Errorf("gmd GetRecords: %+v", p)
	}
	_, doc = get(t, cat, "service=CSW&version=2.0.2&request=DescribeRecord&typeName=csw:Record")
	if sc := doc.child("SchemaComponent"); sc == nil || sc.Attr("targetNamespace") != NamespaceCSW {
		t.Errorf("DescribeRecord lacks the csw:Record schema component")
	}
}

// FuzzParseCQL checks that no constraint text panics the parser or the matcher.
func FuzzParseCQL(f *testing.F) {
	for _, s := range []string{`AnyText LIKE '%tree%'`, `title = 'a' AND NOT (identifier <> 'b')`,
		`BBOX(ows:BoundingBox, -2.4, 53.4, -2.3, 53.5, 'urn:ogc:def:crs:EPSG::4326')`, `dct:modified >= '2024-01-01'`, `(((`} {
		f.Add(s)
	}
	recs := testRecords(f, 1)
	f.Fuzz(func(t *testing.T, s string) {
		e, ex := parseCQL(s)
		if ex == nil {
			for i := range recs {
				e.Match(recordView{&recs[i]})
			}
		}
	})
}
