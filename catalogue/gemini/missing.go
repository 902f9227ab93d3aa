package gemini

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Names of GEMINI 2.3 metadata items as the standard spells them, so a
// publisher can look each one up in the GEMINI guidance.
const (
	ItemTitle                     = "Title"
	ItemDatasetLanguage           = "Dataset language"
	ItemAbstract                  = "Abstract"
	ItemTopicCategory             = "Topic category"
	ItemKeyword                   = "Keyword"
	ItemInspireTheme              = "Keyword (INSPIRE theme from the GEMET INSPIRE themes thesaurus)"
	ItemTemporalExtent            = "Temporal extent"
	ItemDatasetReferenceDate      = "Dataset reference date"
	ItemLineage                   = "Lineage"
	ItemBoundingBox               = "Bounding box"
	ItemSpatialReferenceSystem    = "Spatial reference system"
	ItemResourceLocator           = "Resource locator"
	ItemDataFormat                = "Data format"
	ItemResponsibleOrganisation   = "Responsible organisation"
	ItemFrequencyOfUpdate         = "Frequency of update"
	ItemLimitationsOnPublicAccess = "Limitations on public access"
	ItemMetadataDate              = "Metadata date"
	ItemMetadataLanguage          = "Metadata language"
	ItemMetadataPointOfContact    = "Metadata point of contact"
	ItemResourceIdentifier        = "Resource identifier"
	ItemSpatialDataServiceType    = "Spatial data service type"
	ItemCoupledResource           = "Coupled resource"
	ItemConformity                = "Conformity"
	ItemSpatialRepresentationType = "Spatial representation type"
	ItemFileIdentifier            = "File identifier"
)

var (
	uuidPattern     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	languagePattern = regexp.MustCompile(`^[a-z]{3}$`)
	emailPattern    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	// The ISO 8601 lengths GEMINI 2.3 accepts in a temporal extent (MI-7c/e).
	temporalPattern = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2})?)?)?$`)
)

var topicCategories = set("farming", "biota", "boundaries", "climatologyMeteorologyAtmosphere", "economy",
	"elevation", "environment", "geoscientificInformation", "health", "imageryBaseMapsEarthCover",
	"intelligenceMilitary", "inlandWaters", "location", "oceans", "planningCadastre", "society", "structure",
	"transportation", "utilitiesCommunication")

var (
	dateTypes          = set("creation", "publication", "revision")
	roles              = set("resourceProvider", "custodian", "owner", "user", "distributor", "originator", "pointOfContact", "principalInvestigator", "processor", "publisher", "author")
	frequencies        = set("continual", "daily", "weekly", "fortnightly", "monthly", "quarterly", "biannually", "annually", "asNeeded", "irregular", "notPlanned", "unknown")
	inspireRepresentns = set("vector", "grid", "tin", "textTable")
	serviceTypes       = set("discovery", "view", "download", "transformation", "invoke", "other")
	degrees            = set(Conformant, NotConformant, NotEvaluated, "")
	functions          = set("download", "information", "offlineAccess", "order", "search", "")
)

func set(vs ...string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

type checklist []string

func (c *checklist) need(ok bool, item string) {
	if ok {
		return
	}
	for _, have := range *c {
		if have == item {
			return
		}
	}
	*c = append(*c, item)
}

// Missing names, in GEMINI's words, each mandatory item of a dataset record
// that is absent or holds a value GEMINI does not accept (an abstract under 100
// characters, a bounding box off the globe, a file identifier that is not a
// UUID). An empty result means Marshal will produce a valid record.
func Missing(rec DatasetRecord) []string {
	var c checklist
	c.need(uuidPattern.MatchString(rec.FileIdentifier), ItemFileIdentifier)
	c.need(!blank(rec.Title), ItemTitle)
	c.need(rec.Language == "" || languagePattern.MatchString(rec.Language), ItemDatasetLanguage)
	checkAbstract(&c, rec.Title, rec.Abstract)
	c.need(len(rec.TopicCategories) > 0, ItemTopicCategory)
	for _, t := range rec.TopicCategories {
		c.need(topicCategories[t], ItemTopicCategory)
	}
	checkKeywords(&c, rec.Keywords)
	c.need(hasInspireTheme(rec.Keywords), ItemInspireTheme)
	checkTemporal(&c, rec.TemporalExtent, true)
	checkReferenceDates(&c, rec.ReferenceDates)
	c.need(!blank(rec.Lineage), ItemLineage)
	c.need(rec.BBox.Valid(), ItemBoundingBox)
	checkCommon(&c, rec.SpatialReferenceSystems, rec.ResourceLocators, rec.DataFormats,
		rec.ResponsibleOrganisation, rec.MetadataContact, rec.UpdateFrequency, rec.MetadataLanguage)
	c.need(!rec.MetadataDate.IsZero(), ItemMetadataDate)
	c.need(!blank(rec.ResourceIdentifier.Code), ItemResourceIdentifier)
	c.need(!blank(rec.LimitationsOnPublicAccess.URI) == !blank(rec.LimitationsOnPublicAccess.Text) &&
		(rec.LimitationsOnPublicAccess.URI == "" ||
			strings.HasPrefix(rec.LimitationsOnPublicAccess.URI, "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/")),
		ItemLimitationsOnPublicAccess)
	checkConformity(&c, rec.Conformity)
	c.need(inspireRepresentns[rec.SpatialRepresentationType], ItemSpatialRepresentationType)
	return c
}

// MissingService is Missing for the service record.
func MissingService(rec ServiceRecord) []string {
	var c checklist
	c.need(uuidPattern.MatchString(rec.FileIdentifier), ItemFileIdentifier)
	c.need(!blank(rec.Title), ItemTitle)
	checkAbstract(&c, rec.Title, rec.Abstract)
	c.need(len(rec.Keywords) > 0, ItemKeyword)
	checkKeywords(&c, rec.Keywords)
	checkTemporal(&c, rec.TemporalExtent, false)
	checkReferenceDates(&c, rec.ReferenceDates)
	c.need(rec.BBox.Valid(), ItemBoundingBox)
	checkCommon(&c, rec.SpatialReferenceSystems, rec.ResourceLocators, rec.DataFormats,
		rec.ResponsibleOrganisation, rec.MetadataContact, rec.UpdateFrequency, rec.MetadataLanguage)
	c.need(!rec.MetadataDate.IsZero(), ItemMetadataDate)
	c.need(rec.ServiceType == "" || serviceTypes[rec.ServiceType], ItemSpatialDataServiceType)
	for _, o := range rec.OperatesOn {
		c.need(uuidPattern.MatchString(o.FileIdentifier) && isURL(o.RecordURL), ItemCoupledResource)
	}
	checkConformity(&c, rec.Conformity)
	return c
}

func checkAbstract(c *checklist, title, abstract string) {
	a := strings.TrimSpace(abstract)
	c.need(utf8.RuneCountInString(a) >= 100 && a != strings.TrimSpace(title), ItemAbstract)
}

func checkKeywords(c *checklist, sets []KeywordSet) {
	n := 0
	for _, s := range sets {
		for _, k := range s.Keywords {
			c.need(!blank(k), ItemKeyword)
			n++
		}
		if s.Thesaurus != (Thesaurus{}) {
			c.need(!blank(s.Thesaurus.Title) && temporalPattern.MatchString(s.Thesaurus.Date) &&
				(s.Thesaurus.DateType == "" || dateTypes[s.Thesaurus.DateType]), ItemKeyword)
		}
	}
	c.need(n > 0, ItemKeyword)
}

func hasInspireTheme(sets []KeywordSet) bool {
	for _, s := range sets {
		if s.Thesaurus.Title == InspireThemesThesaurus && len(s.Keywords) > 0 {
			return true
		}
	}
	return false
}

func checkTemporal(c *checklist, t TemporalExtent, mandatory bool) {
	if !mandatory && t == (TemporalExtent{}) {
		return
	}
	c.need(temporalPattern.MatchString(t.Begin) && (t.End == "" || temporalPattern.MatchString(t.End)) &&
		(t.End == "" || len(t.Begin) != len(t.End) || t.Begin <= t.End), ItemTemporalExtent)
}

func checkReferenceDates(c *checklist, dates []ReferenceDate) {
	c.need(len(dates) > 0, ItemDatasetReferenceDate)
	seen := map[string]bool{}
	for _, d := range dates {
		// At most one creation and one revision date (AT-5, AT-7).
		c.need(dateTypes[d.Type] && !d.Date.IsZero() && (d.Type == "publication" || !seen[d.Type]), ItemDatasetReferenceDate)
		seen[d.Type] = true
	}
}

func checkCommon(c *checklist, crs []string, locators []ResourceLocator, formats []DataFormat,
	org, contact Party, freq, metaLang string) {
	c.need(len(crs) > 0, ItemSpatialReferenceSystem)
	for _, s := range crs {
		c.need(!blank(s), ItemSpatialReferenceSystem)
	}
	c.need(len(locators) > 0, ItemResourceLocator)
	for _, l := range locators {
		c.need(isURL(l.URL) && functions[l.Function], ItemResourceLocator)
	}
	c.need(len(formats) > 0, ItemDataFormat)
	for _, f := range formats {
		c.need(!blank(f.Name), ItemDataFormat)
	}
	c.need(validParty(org), ItemResponsibleOrganisation)
	c.need(validParty(contact), ItemMetadataPointOfContact)
	c.need(freq == "" || frequencies[freq], ItemFrequencyOfUpdate)
	c.need(metaLang == "" || languagePattern.MatchString(metaLang), ItemMetadataLanguage)
}

func checkConformity(c *checklist, cs []Conformity) {
	n1089 := 0
	for _, x := range cs {
		if orDefault(x.SpecificationTitle, Regulation1089) == Regulation1089 {
			n1089++
		}
		c.need(degrees[x.Degree] && n1089 <= 1, ItemConformity)
		// Only 1089/2010 may omit its date: the encoder knows it.
		c.need(x.SpecificationTitle == "" || x.SpecificationTitle == Regulation1089 ||
			temporalPattern.MatchString(x.SpecificationDate), ItemConformity)
	}
}

func validParty(p Party) bool {
	return !blank(p.Organisation) && emailPattern.MatchString(p.Email) && (p.Role == "" || roles[p.Role])
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "ftp://")
}
