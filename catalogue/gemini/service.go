package gemini

import "strconv"

func itoa(i int) string { return strconv.Itoa(i) }

// MarshalService encodes the download service record (hierarchyLevel service,
// srv:serviceType download) coupled to its datasets by srv:operatesOn.
func MarshalService(rec ServiceRecord) ([]byte, error) {
	if missing := MissingService(rec); len(missing) > 0 {
		return nil, incomplete(missing)
	}
	return document(serviceTree(rec)), nil
}

func serviceTree(rec ServiceRecord) *node {
	ident := el("srv:SV_ServiceIdentification",
		citation(rec.Title, "", rec.ReferenceDates, rec.ResourceIdentifier),
		cs("gmd:abstract", rec.Abstract),
		party("gmd:pointOfContact", rec.ResponsibleOrganisation),
		maintenance(rec.UpdateFrequency))
	ident.Add(keywords(rec.Keywords)...)
	ident.Add(constraints(rec.LimitationsOnPublicAccess, rec.UseConstraints)...)
	ident.Add(el("srv:serviceType", txt("gco:LocalName", orDefault(rec.ServiceType, "download"))))
	ident.Add(extent("srv:extent", rec.BBox, rec.TemporalExtent))
	ident.Add(el("srv:couplingType", txt("srv:SV_CouplingType", "tight").
		Attr("codeList", couplingCodeList).Attr("codeListValue", "tight")))
	ident.Add(el("srv:containsOperations", el("srv:SV_OperationMetadata",
		cs("srv:operationName", "GetCapabilities"),
		el("srv:DCP", txt("srv:DCPList", "WebServices").Attr("codeList", dcpCodeList).Attr("codeListValue", "WebServices")),
		el("srv:connectPoint", el("gmd:CI_OnlineResource", el("gmd:linkage", txt("gmd:URL", serviceEndpoint(rec))))))))
	for _, c := range rec.OperatesOn {
		op := el("srv:operatesOn").Attr("uuidref", c.FileIdentifier).Attr("xlink:href", c.RecordURL)
		if c.Title != "" {
			op.Attr("xlink:title", c.Title)
		}
		ident.Add(op)
	}

	quality := el("gmd:DQ_DataQuality", el("gmd:scope", el("gmd:DQ_Scope",
		code("gmd:level", "MD_ScopeCode", "service"),
		el("gmd:levelDescription", el("gmd:MD_ScopeDescription", cs("gmd:other", "service"))))))
	quality.Add(conformityReports(rec.Conformity)...)

	r := root(header(rec.FileIdentifier, rec.MetadataLanguage, "service", rec.MetadataContact, rec.MetadataDate)...)
	r.Add(referenceSystems(rec.SpatialReferenceSystems)...)
	r.Add(el("gmd:identificationInfo", ident),
		distribution(rec.DataFormats, rec.ResourceLocators),
		el("gmd:dataQualityInfo", quality))
	return r
}

// serviceEndpoint is the URL a client starts from: the first download locator
// (the OGC API landing page), else the first locator.
func serviceEndpoint(rec ServiceRecord) string {
	for _, l := range rec.ResourceLocators {
		if orDefault(l.Function, "download") == "download" {
			return l.URL
		}
	}
	return rec.ResourceLocators[0].URL
}
