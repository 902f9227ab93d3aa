// Package gemini encodes UK GEMINI 2.3 discovery metadata as ISO 19139 XML:
// one record per published spatial dataset and one for the OGC API – Features
// download service that serves them.
//
// data.gov.uk validates harvested records against the ISO 19139 EDEN XSD, the
// MEDIN 1.4 constraints schematron and the GEMINI 2.1 (R1r3) schematron, while
// its guidance asks for GEMINI 2.3. The encoding here is the combination that
// passes all four; where they disagree the choice is explained next to the
// element that needed it. Values are written as gco:CharacterString because
// data.gov.uk's harvester does not read gmx:Anchor text; the two places where
// GEMINI 2.3 insists on an Anchor (limitations on public access, and the licence
// link) carry the same text again as a CharacterString.
package gemini

import "time"

// Namespaces and fixed vocabularies used in the records.
const (
	NamespaceGMD = "http://www.isotc211.org/2005/gmd"

	// InspireThemesThesaurus is the GEMET INSPIRE themes thesaurus citation that
	// data.gov.uk and the INSPIRE validator recognise.
	InspireThemesThesaurus     = "GEMET - INSPIRE themes, version 1.0"
	InspireThemesThesaurusDate = "2008-06-01"

	// Regulation1089 is the exact title GEMINI 2.3 requires for the INSPIRE
	// interoperability conformity statement (MI-41o), published 2010-12-08.
	Regulation1089     = "Commission Regulation (EU) No 1089/2010 of 23 November 2010 implementing Directive 2007/2/EC of the European Parliament and of the Council as regards interoperability of spatial data sets and services"
	Regulation1089Date = "2010-12-08"

	OGLTitle = "Open Government Licence v3.0"
	OGLURL   = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
	OGLText  = "This dataset is released under the Open Government Licence v3.0: you may copy, publish, distribute, transmit and adapt the information, commercially or not, provided you acknowledge the source."

	// NoLimitationsURI is the INSPIRE LimitationsOnPublicAccess code for open data.
	NoLimitationsURI  = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations"
	NoLimitationsText = "No limitations on public access"

	CRSBritishNationalGrid = "http://www.opengis.net/def/crs/EPSG/0/27700"
	CRSETRS89              = "http://www.opengis.net/def/crs/EPSG/0/4258"
)

// DatasetRecord is everything a GEMINI 2.3 dataset record says. Field comments
// give the GEMINI metadata item number.
type DatasetRecord struct {
	FileIdentifier          string          // AT-3: a UUID, stable per dataset and never reused
	Title                   string          // MI-1
	AlternativeTitle        string          // MI-2, optional
	Abstract                string          // MI-4: at least 100 characters, not the title
	Language                string          // MI-3: ISO 639-2/B code; "eng" when empty
	MetadataLanguage        string          // MI-33: "eng" when empty
	TopicCategories         []string        // MI-5: ISO 19115 codes, e.g. "environment", "boundaries"
	Keywords                []KeywordSet    // MI-6: one set must be INSPIRE themes
	TemporalExtent          TemporalExtent  // MI-7
	ReferenceDates          []ReferenceDate // MI-8
	Lineage                 string          // MI-10
	BBox                    BBox            // MI-11..14, WGS84 degrees
	SpatialReferenceSystems []string        // MI-17: CRS URIs, e.g. CRSBritishNationalGrid
	SpatialResolution       SpatialResolution
	ResourceLocators        []ResourceLocator // MI-19
	DataFormats             []DataFormat      // MI-21
	ResponsibleOrganisation Party             // MI-23
	UpdateFrequency         string            // MI-24, MD_MaintenanceFrequencyCode; "asNeeded" when empty
	// MI-25. Empty means no limitations (the INSPIRE noLimitations code).
	LimitationsOnPublicAccess LimitationOnPublicAccess
	UseConstraints            UseConstraints // MI-26; the OGL v3.0 when empty
	MetadataDate              time.Time      // MI-30: changes only when the record's content changes
	MetadataContact           Party          // MI-35
	ResourceIdentifier        Identifier     // MI-36
	Conformity                []Conformity   // MI-41; 1089/2010 "not evaluated" when empty
	// MI-50: "vector", "grid", "tin" or "textTable".
	SpatialRepresentationType string
}

// ServiceRecord describes the OGC API – Features download service.
type ServiceRecord struct {
	FileIdentifier            string
	Title                     string
	Abstract                  string
	MetadataLanguage          string
	Keywords                  []KeywordSet
	TemporalExtent            TemporalExtent
	ReferenceDates            []ReferenceDate
	BBox                      BBox // the union of the coupled datasets' boxes
	SpatialReferenceSystems   []string
	ResourceLocators          []ResourceLocator // the landing page, function "download"
	DataFormats               []DataFormat
	ResponsibleOrganisation   Party
	UpdateFrequency           string
	LimitationsOnPublicAccess LimitationOnPublicAccess
	UseConstraints            UseConstraints
	MetadataDate              time.Time
	MetadataContact           Party
	ResourceIdentifier        Identifier // optional for services
	Conformity                []Conformity
	// ServiceType is the INSPIRE spatial data service type (MI-37); "download"
	// when empty.
	ServiceType string
	// OperatesOn couples the service to its datasets (MI-38).
	OperatesOn []CoupledResource
}

// KeywordSet is one gmd:MD_Keywords block. A zero Thesaurus means free keywords.
type KeywordSet struct {
	Keywords  []string
	Thesaurus Thesaurus
}

// Thesaurus cites the controlled vocabulary the keywords come from.
type Thesaurus struct {
	Title    string
	Date     string // YYYY-MM-DD
	DateType string // publication, revision or creation
}

// InspireThemes returns the keyword set for INSPIRE themes (e.g.
// "Administrative units", "Land cover") cited from the GEMET thesaurus.
func InspireThemes(themes ...string) KeywordSet {
	return KeywordSet{Keywords: themes, Thesaurus: Thesaurus{
		Title: InspireThemesThesaurus, Date: InspireThemesThesaurusDate, DateType: "publication",
	}}
}

// TemporalExtent is a period; an empty End means the data is still current.
type TemporalExtent struct {
	Begin string // YYYY, YYYY-MM or YYYY-MM-DD
	End   string
}

// ReferenceDate is a dataset reference date: creation, publication or revision.
type ReferenceDate struct {
	Type string
	Date time.Time
}

// BBox is a WGS84 bounding box in decimal degrees.
type BBox struct {
	West, East, South, North float64
}

// IsZero reports whether the box was never set.
func (b BBox) IsZero() bool { return b == BBox{} }

// Valid reports whether the box lies on the globe and is not inverted.
func (b BBox) Valid() bool {
	return !b.IsZero() && b.West >= -180 && b.West <= 180 && b.East >= -180 && b.East <= 180 &&
		b.South >= -90 && b.North <= 90 && b.South <= b.North
}

// SpatialResolution is an equivalent scale denominator or a distance in metres.
type SpatialResolution struct {
	ScaleDenominator int
	DistanceMetres   float64
}

// ResourceLocator is a URL for getting at the data or finding out about it.
type ResourceLocator struct {
	URL         string
	Name        string
	Description string
	Protocol    string // optional, e.g. "OGC API - Features"
	Function    string // CI_OnLineFunctionCode: "download" or "information"
}

// DataFormat names an encoding; an empty Version means the format is not versioned.
type DataFormat struct {
	Name    string
	Version string
}

// Party is a responsible organisation or metadata contact.
type Party struct {
	Organisation string
	Email        string
	Role         string // CI_RoleCode; "pointOfContact" when empty
	Position     string // optional
	Phone        string // optional
}

// LimitationOnPublicAccess is an INSPIRE LimitationsOnPublicAccess code URI and
// its label. The zero value means no limitations.
type LimitationOnPublicAccess struct {
	URI  string
	Text string
}

// UseConstraints are the conditions for access and use. The zero value is the
// Open Government Licence v3.0.
type UseConstraints struct {
	Text string
	URL  string // the licence
	// LicenceTitle labels URL; OGLTitle when empty.
	LicenceTitle string
}

// Identifier is a unique resource identifier: a code in a namespace the
// council controls (e.g. code "trees", codeSpace "https://data.trafford.gov.uk/id/dataset/").
type Identifier struct {
	Code      string
	CodeSpace string
}

// Degree of conformity to a specification.
const (
	Conformant    = "pass"
	NotConformant = "fail"
	NotEvaluated  = "not evaluated"
)

// Conformity is a statement of conformity with a specification.
type Conformity struct {
	SpecificationTitle string
	SpecificationDate  string // YYYY-MM-DD publication date
	Degree             string // Conformant, NotConformant or NotEvaluated
	Explanation        string
}

// CoupledResource is a dataset the service operates on.
type CoupledResource struct {
	FileIdentifier string // the dataset record's fileIdentifier (uuidref)
	RecordURL      string // where that record is served (xlink:href)
	Title          string
}
