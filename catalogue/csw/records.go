package csw

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/jointict/councilapi/catalogue/xmltree"
)

func (e *engine) getRecords(r *request) ([]byte, *exception) {
	all, ex := e.records()
	if ex != nil {
		return nil, ex
	}
	// The matches are pointers into the catalogue's records, so paging
	// through a large set copies only the page.
	matched := make([]*Record, 0, len(all))
	for i := range all {
		rec := &all[i]
		if r.outputSchema == NamespaceGMD && len(rec.XML) == 0 {
			continue // nothing to serve in ISO 19139
		}
		if r.filter == nil || r.filter.Match(recordView{rec}) {
			matched = append(matched, rec)
		}
	}
	sortRecords(matched, r.sortBy)

	m := len(matched)
	var page []*Record
	next := 0
	if r.resultType == "results" {
		if from := r.startPosition - 1; from < m {
			page = matched[from:min(from+r.maxRecords, m)]
		}
		if after := r.startPosition + len(page); after <= m {
			next = after
		}
	} else if r.startPosition <= m {
		next = r.startPosition
	}

	results := el("csw:SearchResults").
		Attr("numberOfRecordsMatched", strconv.Itoa(m)).
		Attr("numberOfRecordsReturned", strconv.Itoa(len(page))).
		Attr("nextRecord", strconv.Itoa(next)).
		Attr("recordSchema", r.outputSchema).
		Attr("elementSet", r.elementSet)
	for _, rec := range page {
		results.Add(encodeRecord(e.present(rec, r.outputSchema, r.elementSet), r.outputSchema, r.elementSet))
	}
	resp := responseRoot("csw:GetRecordsResponse")
	if r.requestID != "" {
		resp.Add(txt("csw:RequestId", r.requestID))
	}
	resp.Add(el("csw:SearchStatus").Attr("timestamp", e.now.Format("2006-01-02T15:04:05Z")), results)
	return document(resp), nil
}

func (e *engine) getRecordByID(r *request) ([]byte, *exception) {
	all, ex := e.records()
	if ex != nil {
		return nil, ex
	}
	resp := responseRoot("csw:GetRecordByIdResponse")
	// Records come back in the order the ids were asked for; unknown ids are
	// skipped, leaving an empty response, as CSW 2.0.2 and pycsw do.
	for _, id := range r.ids {
		for i := range all {
			if all[i].Identifier == id && (r.outputSchema != NamespaceGMD || len(all[i].XML) > 0) {
				resp.Add(encodeRecord(e.present(&all[i], r.outputSchema, r.elementSet), r.outputSchema, r.elementSet))
				break
			}
		}
	}
	return document(resp), nil
}

func responseRoot(name string) *node {
	return el(name).Attr("xmlns:csw", NamespaceCSW).Attr("xmlns:dc", nsDC).Attr("xmlns:dct", nsDCT).
		Attr("xmlns:ows", nsOWS).Attr("xmlns:xsi", nsXSI).Attr("version", Version).
		Attr("xsi:schemaLocation", NamespaceCSW+" http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd")
}

func sortRecords(recs []*Record, keys []sortKey) {
	if len(keys) == 0 {
		return
	}
	slices.SortStableFunc(recs, func(a, b *Record) int {
		for _, k := range keys {
			var c int
			switch queryable(k.property) {
			case "identifier":
				c = strings.Compare(a.Identifier, b.Identifier)
			case "title":
				c = cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
			case "modified":
				c = a.Modified.Compare(b.Modified)
			}
			if k.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	})
}

// encodeRecord writes one record in the requested schema. In ISO 19139 the
// brief element set is the ISO application profile's brief record, when the
// catalogue has one; summary and full are the whole GEMINI record.
func encodeRecord(rec *Record, schema, set string) *node {
	if schema == NamespaceGMD {
		doc := rec.XML
		if set == "brief" && rec.BriefXML != nil {
			doc = rec.BriefXML
		}
		return xmltree.RawReplacing(doc, rec.XMLFrom, rec.XMLTo)
	}
	name := map[string]string{"brief": "csw:BriefRecord", "summary": "csw:SummaryRecord", "full": "csw:Record"}[set]
	n := el(name, txt("dc:identifier", rec.Identifier), txt("dc:title", rec.Title))
	if rec.Type != "" {
		n.Add(txt("dc:type", rec.Type))
	}
	if set != "brief" {
		for _, s := range rec.Subjects {
			n.Add(txt("dc:subject", s))
		}
		for _, f := range rec.Formats {
			n.Add(txt("dc:format", f))
		}
		if set == "full" {
			for _, l := range rec.Links {
				ref := txt("dct:references", l.URL)
				if l.Scheme != "" {
					ref.Attr("scheme", l.Scheme)
				}
				n.Add(ref)
			}
		}
		if !rec.Modified.IsZero() {
			n.Add(txt("dct:modified", rec.Modified.UTC().Format("2006-01-02")))
		}
		if rec.Abstract != "" {
			n.Add(txt("dct:abstract", rec.Abstract))
		}
	}
	if !rec.BBox.IsZero() {
		// pycsw's form: the EPSG 6.11 URN with latitude first.
		b := rec.BBox
		n.Add(el("ows:BoundingBox",
			txt("ows:LowerCorner", num(b.South)+" "+num(b.West)),
			txt("ows:UpperCorner", num(b.North)+" "+num(b.East))).
			Attr("crs", "urn:x-ogc:def:crs:EPSG:6.11:4326").Attr("dimensions", "2"))
	}
	return n
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
