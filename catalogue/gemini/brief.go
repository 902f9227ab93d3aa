package gemini

import "time"

// The brief element set of the OGC ISO Metadata Application Profile
// (OGC 07-045, 8.2.2): the record's identifier, type and title, its
// bounding box and, for a service, its service type. A CSW harvester pages
// through brief records to learn which file identifiers exist (ckanext-
// spatial and GeoNetwork do) and then fetches each full record by id, so a
// page of 100 brief records is a tenth of the bytes of the full ones.
//
// ISO 19139's schema makes a few more elements mandatory (contact,
// dateStamp, a citation date, the abstract, the resource language; for a
// service its coupling type and operations): they are kept, so a brief
// record still validates against gmd.xsd and srv.xsd, as GeoNetwork's do.

// MarshalBrief encodes the brief element set of a dataset record. The
// record is the one Marshal accepted; nothing is checked again.
func MarshalBrief(rec DatasetRecord) []byte {
	ident := el("gmd:MD_DataIdentification",
		citation(rec.Title, "", rec.ReferenceDates, Identifier{}),
		cs("gmd:abstract", rec.Abstract),
		language("gmd:language", orDefault(rec.Language, "eng")),
		extent("gmd:extent", rec.BBox, TemporalExtent{}))
	return document(briefRoot(rec.FileIdentifier, rec.MetadataLanguage, "dataset", rec.MetadataContact, rec.MetadataDate, ident))
}

// MarshalServiceBrief encodes the brief element set of a service record,
// with its service type (ISO AP's ServiceType) and endpoint.
func MarshalServiceBrief(rec ServiceRecord) []byte {
	ident := el("srv:SV_ServiceIdentification",
		citation(rec.Title, "", rec.ReferenceDates, Identifier{}),
		cs("gmd:abstract", rec.Abstract),
		el("srv:serviceType", txt("gco:LocalName", orDefault(rec.ServiceType, "download"))),
		extent("srv:extent", rec.BBox, TemporalExtent{}),
		el("srv:couplingType", txt("srv:SV_CouplingType", "tight").
			Attr("codeList", couplingCodeList).Attr("codeListValue", "tight")),
		el("srv:containsOperations", el("srv:SV_OperationMetadata",
			cs("srv:operationName", "GetCapabilities"),
			el("srv:DCP", txt("srv:DCPList", "WebServices").Attr("codeList", dcpCodeList).Attr("codeListValue", "WebServices")),
			el("srv:connectPoint", el("gmd:CI_OnlineResource", el("gmd:linkage", txt("gmd:URL", serviceEndpoint(rec))))))))
	return document(briefRoot(rec.FileIdentifier, rec.MetadataLanguage, "service", rec.MetadataContact, rec.MetadataDate, ident))
}

// briefRoot is the header of a brief record: the full record's header
// (identifier, hierarchy level, contact, date stamp) and its identification.
func briefRoot(fileID, lang, scope string, contact Party, stamp time.Time, ident *node) *node {
	r := root(header(fileID, lang, scope, contact, stamp)...)
	return r.Add(el("gmd:identificationInfo", ident))
}
