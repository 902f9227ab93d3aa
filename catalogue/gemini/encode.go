package gemini

import (
	"strconv"
	"strings"
	"time"
)

const (
	codeListBase     = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"
	languageCodeList = "http://www.loc.gov/standards/iso639-2/php/code_list.php"
	couplingCodeList = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#SV_CouplingType"
	dcpCodeList      = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#DCPList"
	schemaLocation   = "http://www.isotc211.org/2005/gmd http://schemas.opengis.net/iso/19139/20060504/gmd/gmd.xsd " +
		"http://www.isotc211.org/2005/srv http://schemas.opengis.net/iso/19139/20060504/srv/srv.xsd"
)

func root(kids ...*node) *node {
	return el("gmd:MD_Metadata", kids...).
		Attr("xmlns:gmd", NamespaceGMD).
		Attr("xmlns:gco", "http://www.isotc211.org/2005/gco").
		Attr("xmlns:gmx", "http://www.isotc211.org/2005/gmx").
		Attr("xmlns:gml", "http://www.opengis.net/gml/3.2").
		Attr("xmlns:srv", "http://www.isotc211.org/2005/srv").
		Attr("xmlns:xlink", "http://www.w3.org/1999/xlink").
		Attr("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance").
		Attr("xsi:schemaLocation", schemaLocation)
}

// cs wraps a value in gco:CharacterString, the form data.gov.uk reads.
func cs(name, value string) *node { return el(name, txt("gco:CharacterString", value)) }

func anchor(name, href, text string) *node {
	return el(name, txt("gmx:Anchor", text).Attr("xlink:href", href))
}

func code(wrapper, codeType, value string) *node {
	return el(wrapper, txt("gmd:"+codeType, value).
		Attr("codeList", codeListBase+codeType).Attr("codeListValue", value))
}

func language(wrapper, lang string) *node {
	return el(wrapper, txt("gmd:LanguageCode", lang).
		Attr("codeList", languageCodeList).Attr("codeListValue", lang))
}

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

func isoDate(t time.Time) string { return t.UTC().Format("2006-01-02") }

func ciDate(date, dateType string) *node {
	return el("gmd:date", el("gmd:CI_Date",
		el("gmd:date", txt("gco:Date", date)),
		code("gmd:dateType", "CI_DateTypeCode", dateType)))
}

func party(wrapper string, p Party) *node {
	contact := el("gmd:CI_Contact")
	if p.Phone != "" {
		contact.Add(el("gmd:phone", el("gmd:CI_Telephone", cs("gmd:voice", p.Phone))))
	}
	contact.Add(el("gmd:address", el("gmd:CI_Address", cs("gmd:electronicMailAddress", p.Email))))
	rp := el("gmd:CI_ResponsibleParty", cs("gmd:organisationName", p.Organisation))
	if p.Position != "" {
		rp.Add(cs("gmd:positionName", p.Position))
	}
	rp.Add(el("gmd:contactInfo", contact), code("gmd:role", "CI_RoleCode", orDefault(p.Role, "pointOfContact")))
	return el(wrapper, rp)
}

func keywords(sets []KeywordSet) []*node {
	var out []*node
	for _, s := range sets {
		if len(s.Keywords) == 0 {
			continue
		}
		kw := el("gmd:MD_Keywords")
		for _, k := range s.Keywords {
			kw.Add(cs("gmd:keyword", k))
		}
		if s.Thesaurus.Title != "" {
			kw.Add(el("gmd:thesaurusName", el("gmd:CI_Citation",
				cs("gmd:title", s.Thesaurus.Title),
				ciDate(s.Thesaurus.Date, orDefault(s.Thesaurus.DateType, "publication")))))
		}
		out = append(out, el("gmd:descriptiveKeywords", kw))
	}
	return out
}

// constraints encodes limitations on public access and use constraints as two
// gmd:MD_LegalConstraints blocks (GEMINI 2.3 AT-8 wants at least two).
//
// GEMINI 2.1 (R1r3) insists that every MD_LegalConstraints carries
// accessConstraints=otherRestrictions and that some resourceConstraints has a
// gmd:useLimitation, so the use block repeats the access code and also carries
// the licence text as useLimitation. GEMINI 2.3 (MI-25c) wants exactly one
// gmx:Anchor to the INSPIRE LimitationsOnPublicAccess register; data.gov.uk
// ignores Anchor text, so the label follows again as a CharacterString.
func constraints(lopa LimitationOnPublicAccess, use UseConstraints) []*node {
	lopaURI := orDefault(lopa.URI, NoLimitationsURI)
	lopaText := orDefault(lopa.Text, NoLimitationsText)
	useText := orDefault(use.Text, OGLText)
	licence := orDefault(use.URL, OGLURL)
	licenceTitle := orDefault(use.LicenceTitle, OGLTitle)
	if use.URL != "" && use.LicenceTitle == "" {
		licenceTitle = use.URL
	}
	access := el("gmd:resourceConstraints", el("gmd:MD_LegalConstraints",
		code("gmd:accessConstraints", "MD_RestrictionCode", "otherRestrictions"),
		anchor("gmd:otherConstraints", lopaURI, lopaText),
		cs("gmd:otherConstraints", lopaText)))
	useBlock := el("gmd:resourceConstraints", el("gmd:MD_LegalConstraints",
		cs("gmd:useLimitation", useText),
		code("gmd:accessConstraints", "MD_RestrictionCode", "otherRestrictions"),
		code("gmd:useConstraints", "MD_RestrictionCode", "otherRestrictions"),
		cs("gmd:otherConstraints", useText+" "+licenceTitle+": "+licence),
		anchor("gmd:otherConstraints", licence, licenceTitle)))
	return []*node{access, useBlock}
}

func formatDecimal(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func extent(wrapper string, b BBox, t TemporalExtent) *node {
	ex := el("gmd:EX_Extent")
	if !b.IsZero() {
		ex.Add(el("gmd:geographicElement", el("gmd:EX_GeographicBoundingBox",
			el("gmd:westBoundLongitude", txt("gco:Decimal", formatDecimal(b.West))),
			el("gmd:eastBoundLongitude", txt("gco:Decimal", formatDecimal(b.East))),
			el("gmd:southBoundLatitude", txt("gco:Decimal", formatDecimal(b.South))),
			el("gmd:northBoundLatitude", txt("gco:Decimal", formatDecimal(b.North))))))
	}
	if t.Begin != "" {
		end := txt("gml:endPosition", t.End)
		if t.End == "" {
			end.Attr("indeterminatePosition", "now")
		}
		ex.Add(el("gmd:temporalElement", el("gmd:EX_TemporalExtent", el("gmd:extent",
			el("gml:TimePeriod", txt("gml:beginPosition", t.Begin), end).Attr("gml:id", "temporal-extent")))))
	}
	return el(wrapper, ex)
}

func referenceSystems(crs []string) []*node {
	var out []*node
	for _, c := range crs {
		// A URI with no codeSpace: GEMINI 2.3 (MI-17b/c) forbids codeSpace for
		// the INSPIRE default CRSs, and the URI form needs none for 27700 either.
		out = append(out, el("gmd:referenceSystemInfo", el("gmd:MD_ReferenceSystem",
			el("gmd:referenceSystemIdentifier", el("gmd:RS_Identifier", cs("gmd:code", c))))))
	}
	return out
}

func citation(title, alt string, dates []ReferenceDate, id Identifier) *node {
	c := el("gmd:CI_Citation", cs("gmd:title", title))
	if alt != "" {
		c.Add(cs("gmd:alternateTitle", alt))
	}
	for _, d := range dates {
		c.Add(ciDate(isoDate(d.Date), d.Type))
	}
	if id.Code != "" {
		ident := el("gmd:RS_Identifier", cs("gmd:code", id.Code))
		if id.CodeSpace != "" {
			ident.Add(cs("gmd:codeSpace", id.CodeSpace))
		}
		c.Add(el("gmd:identifier", ident))
	}
	return el("gmd:citation", c)
}

func maintenance(freq string) *node {
	return el("gmd:resourceMaintenance", el("gmd:MD_MaintenanceInformation",
		code("gmd:maintenanceAndUpdateFrequency", "MD_MaintenanceFrequencyCode", orDefault(freq, "asNeeded"))))
}

func distribution(formats []DataFormat, locators []ResourceLocator) *node {
	d := el("gmd:MD_Distribution")
	for _, f := range formats {
		version := el("gmd:version").Attr("gco:nilReason", "inapplicable")
		if f.Version != "" {
			version = cs("gmd:version", f.Version)
		}
		d.Add(el("gmd:distributionFormat", el("gmd:MD_Format", cs("gmd:name", f.Name), version)))
	}
	if len(locators) > 0 {
		opts := el("gmd:MD_DigitalTransferOptions")
		for _, l := range locators {
			r := el("gmd:CI_OnlineResource", el("gmd:linkage", txt("gmd:URL", l.URL)))
			if l.Protocol != "" {
				r.Add(cs("gmd:protocol", l.Protocol))
			}
			if l.Name != "" {
				r.Add(cs("gmd:name", l.Name))
			}
			if l.Description != "" {
				r.Add(cs("gmd:description", l.Description))
			}
			r.Add(code("gmd:function", "CI_OnLineFunctionCode", orDefault(l.Function, "download")))
			opts.Add(el("gmd:onLine", r))
		}
		d.Add(el("gmd:transferOptions", opts))
	}
	return el("gmd:distributionInfo", d)
}

// report encodes one conformity statement. GEMINI 2.3 encodes "not evaluated"
// as a nil pass (nilReason="unknown"), but GEMINI 2.1 R1r3 (Gemini2-mi41), which
// data.gov.uk still applies, rejects a nil pass; so "not evaluated" is written
// as pass=false with an explanation that says the conformity was not evaluated,
// which both accept and which makes no claim of conformance.
func report(c Conformity) *node {
	title := orDefault(c.SpecificationTitle, Regulation1089)
	date := c.SpecificationDate
	if date == "" && title == Regulation1089 {
		date = Regulation1089Date
	}
	pass := "false"
	explanation := c.Explanation
	switch c.Degree {
	case Conformant:
		pass = "true"
		explanation = orDefault(explanation, "The resource conforms to the specification.")
	case NotConformant:
		explanation = orDefault(explanation, "The resource does not conform to the specification.")
	default:
		explanation = orDefault(explanation, "Not evaluated: conformity with this specification has not been tested.")
	}
	return el("gmd:report", el("gmd:DQ_DomainConsistency", el("gmd:result", el("gmd:DQ_ConformanceResult",
		el("gmd:specification", el("gmd:CI_Citation", cs("gmd:title", title), ciDate(date, "publication"))),
		cs("gmd:explanation", explanation),
		el("gmd:pass", txt("gco:Boolean", pass))))))
}

// conformityReports always includes one statement about Regulation 1089/2010:
// GEMINI 2.3 requires it of datasets (MI-41o) and services (MI-41n), and "not
// evaluated" is the honest default.
func conformityReports(cs []Conformity) []*node {
	has1089 := false
	for _, c := range cs {
		has1089 = has1089 || orDefault(c.SpecificationTitle, Regulation1089) == Regulation1089
	}
	if !has1089 {
		cs = append([]Conformity{{Degree: NotEvaluated}}, cs...)
	}
	out := make([]*node, 0, len(cs))
	for _, c := range cs {
		out = append(out, report(c))
	}
	return out
}

func header(fileID, lang, scope string, contact Party, stamp time.Time) []*node {
	out := []*node{
		cs("gmd:fileIdentifier", fileID),
		language("gmd:language", orDefault(lang, "eng")),
		code("gmd:characterSet", "MD_CharacterSetCode", "utf8"),
		code("gmd:hierarchyLevel", "MD_ScopeCode", scope),
	}
	if scope == "service" {
		out = append(out, cs("gmd:hierarchyLevelName", "service"))
	}
	return append(out,
		party("gmd:contact", Party{Organisation: contact.Organisation, Email: contact.Email,
			Position: contact.Position, Phone: contact.Phone, Role: "pointOfContact"}),
		el("gmd:dateStamp", txt("gco:Date", isoDate(stamp))),
		cs("gmd:metadataStandardName", "UK GEMINI"),
		cs("gmd:metadataStandardVersion", "2.3"))
}
