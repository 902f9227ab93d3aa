package csw

func (e *engine) capabilities() []byte {
	info := e.info()
	ident := el("ows:ServiceIdentification", txt("ows:Title", info.Title), txt("ows:Abstract", info.Abstract))
	if len(info.Keywords) > 0 {
		kw := el("ows:Keywords")
		for _, k := range info.Keywords {
			kw.Add(txt("ows:Keyword", k))
		}
		ident.Add(kw)
	}
	ident.Add(txt("ows:ServiceType", "CSW"), txt("ows:ServiceTypeVersion", Version),
		txt("ows:Fees", info.Fees), txt("ows:AccessConstraints", info.Constraints))

	provider := el("ows:ServiceProvider", txt("ows:ProviderName", info.Provider))
	if info.ProviderSite != "" {
		provider.Add(el("ows:ProviderSite").Attr("xlink:type", "simple").Attr("xlink:href", info.ProviderSite))
	}
	contact := el("ows:ServiceContact")
	if info.ContactName != "" {
		contact.Add(txt("ows:IndividualName", info.ContactName))
	}
	if info.ContactEmail != "" {
		contact.Add(el("ows:ContactInfo", el("ows:Address", txt("ows:ElectronicMailAddress", info.ContactEmail))))
	}
	provider.Add(contact)

	schemas := []string{NamespaceCSW, NamespaceGMD}
	types := []string{"csw:Record", "gmd:MD_Metadata"}
	sets := []string{"brief", "summary", "full"}
	formats := []string{"application/xml"}
	ops := el("ows:OperationsMetadata",
		e.operation("GetCapabilities", param("sections", "All")),
		e.operation("DescribeRecord", param("typeName", types...), param("outputFormat", formats...),
			param("schemaLanguage", "http://www.w3.org/XML/Schema")),
		e.operation("GetRecords", param("typeNames", types...), param("outputSchema", schemas...),
			param("outputFormat", formats...), param("resultType", "hits", "results"),
			param("ElementSetName", sets...), param("CONSTRAINTLANGUAGE", "FILTER", "CQL_TEXT")).
			Add(el("ows:Constraint", owsValues("apiso:Title", "apiso:Identifier", "apiso:Modified", "apiso:Subject",
				"apiso:Abstract", "apiso:Type", "apiso:Format", "apiso:BoundingBox", "apiso:AnyText")...).
				Attr("name", "SupportedISOQueryables"),
				el("ows:Constraint", owsValues("dc:identifier", "dc:title", "dc:subject", "dc:type", "dc:format",
					"dct:abstract", "dct:modified", "ows:BoundingBox", "csw:AnyText")...).
					Attr("name", "SupportedDublinCoreQueryables")),
		e.operation("GetRecordById", param("outputSchema", schemas...), param("outputFormat", formats...),
			param("ElementSetName", sets...)),
		param("service", "CSW"), param("version", Version))

	filter := el("ogc:Filter_Capabilities",
		el("ogc:Spatial_Capabilities",
			el("ogc:GeometryOperands", txt("ogc:GeometryOperand", "gml:Envelope")),
			el("ogc:SpatialOperators", el("ogc:SpatialOperator").Attr("name", "BBOX"))),
		el("ogc:Scalar_Capabilities",
			el("ogc:LogicalOperators"),
			el("ogc:ComparisonOperators", txt("ogc:ComparisonOperator", "EqualTo"),
				txt("ogc:ComparisonOperator", "NotEqualTo"), txt("ogc:ComparisonOperator", "LessThan"),
				txt("ogc:ComparisonOperator", "GreaterThan"), txt("ogc:ComparisonOperator", "LessThanEqualTo"),
				txt("ogc:ComparisonOperator", "GreaterThanEqualTo"), txt("ogc:ComparisonOperator", "Like"),
				txt("ogc:ComparisonOperator", "Between"), txt("ogc:ComparisonOperator", "NullCheck"))),
		el("ogc:Id_Capabilities", el("ogc:EID"), el("ogc:FID")))

	root := el("csw:Capabilities", ident, provider, ops, filter).
		Attr("xmlns:csw", NamespaceCSW).Attr("xmlns:ows", nsOWS).Attr("xmlns:ogc", nsOGC).
		Attr("xmlns:gml", nsGML).Attr("xmlns:xlink", nsXLink).Attr("xmlns:xsi", nsXSI).
		Attr("version", Version).
		Attr("xsi:schemaLocation", NamespaceCSW+" http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd")
	return document(root)
}

func (e *engine) operation(name string, params ...*node) *node {
	href := func(verb string) *node {
		return el("ows:"+verb).Attr("xlink:type", "simple").Attr("xlink:href", e.base)
	}
	op := el("ows:Operation", el("ows:DCP", el("ows:HTTP", href("Get"), href("Post")))).Attr("name", name)
	return op.Add(params...)
}

func param(name string, vals ...string) *node {
	return el("ows:Parameter", owsValues(vals...)...).Attr("name", name)
}

func owsValues(vals ...string) []*node {
	out := make([]*node, 0, len(vals))
	for _, v := range vals {
		out = append(out, txt("ows:Value", v))
	}
	return out
}

// describeRecord points at the schemas of the two record types rather than
// inlining them; clients only check that the type is known.
func (e *engine) describeRecord(r *request) ([]byte, *exception) {
	types := r.typeNames
	if len(types) == 0 {
		types = []string{"csw:Record", "gmd:MD_Metadata"}
	}
	resp := el("csw:DescribeRecordResponse").
		Attr("xmlns:csw", NamespaceCSW).Attr("xmlns:xsi", nsXSI).
		Attr("xsi:schemaLocation", NamespaceCSW+" http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd")
	for _, t := range types {
		var ns, loc string
		switch localName(t) {
		case "Record":
			ns, loc = NamespaceCSW, "http://schemas.opengis.net/csw/2.0.2/record.xsd"
		case "MD_Metadata":
			ns, loc = NamespaceGMD, "http://schemas.opengis.net/iso/19139/20060504/gmd/gmd.xsd"
		default:
			return nil, &exception{status: statusBadRequest, code: "InvalidParameterValue", locator: "typeName",
				text: "typeName must be csw:Record or gmd:MD_Metadata, not " + t}
		}
		schema := el("xs:schema", el("xs:include").Attr("schemaLocation", loc)).
			Attr("xmlns:xs", nsXS).Attr("targetNamespace", ns).Attr("elementFormDefault", "qualified")
		resp.Add(el("csw:SchemaComponent", schema).
			Attr("targetNamespace", ns).Attr("schemaLanguage", "http://www.w3.org/XML/Schema"))
	}
	return document(resp), nil
}
