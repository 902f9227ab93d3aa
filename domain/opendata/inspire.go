package opendata

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/domain"
)

// TopicCategories is ISO 19115's MD_TopicCategoryCode list as ISO 19139 (and
// so GEMINI 2.3) defines it.
var TopicCategories = []string{"farming", "biota", "boundaries", "climatologyMeteorologyAtmosphere", "economy",
	"elevation", "environment", "geoscientificInformation", "health", "imageryBaseMapsEarthCover",
	"intelligenceMilitary", "inlandWaters", "location", "oceans", "planningCadastre", "society", "structure",
	"transportation", "utilitiesCommunication"}

// InspireTheme is one of the 34 INSPIRE spatial data themes.
type InspireTheme struct {
	Code  string `json:"code"`
	Title string `json:"title"` // the English label of "GEMET - INSPIRE themes, version 1.0"
	Annex string `json:"annex"`
}

// URI is the theme's identifier in the INSPIRE registry, which GEMINI 2.3
// keywords may carry as a gmx:Anchor.
func (t InspireTheme) URI() string { return "http://inspire.ec.europa.eu/theme/" + t.Code }

// GEMETURI is the theme's page in GEMET, the thesaurus GEMINI cites.
func (t InspireTheme) GEMETURI() string {
	return "https://www.eionet.europa.eu/gemet/en/inspire-theme/" + t.Code
}

// GEMETThesaurus and GEMETThesaurusDate are the thesaurus citation a GEMINI
// INSPIRE-theme keyword must carry.
const (
	GEMETThesaurus     = "GEMET - INSPIRE themes, version 1.0"
	GEMETThesaurusDate = "2008-06-01"
)

// InspireThemes lists the themes of Annexes I, II and III of the Directive.
var InspireThemes = []InspireTheme{
	{"rs", "Coordinate reference systems", "I"}, {"gg", "Geographical grid systems", "I"},
	{"gn", "Geographical names", "I"}, {"au", "Administrative units", "I"}, {"ad", "Addresses", "I"},
	{"cp", "Cadastral parcels", "I"}, {"tn", "Transport networks", "I"}, {"hy", "Hydrography", "I"},
	{"ps", "Protected sites", "I"},
	{"el", "Elevation", "II"}, {"lc", "Land cover", "II"}, {"oi", "Orthoimagery", "II"}, {"ge", "Geology", "II"},
	{"su", "Statistical units", "III"}, {"bu", "Buildings", "III"}, {"so", "Soil", "III"}, {"lu", "Land use", "III"},
	{"hh", "Human health and safety", "III"}, {"us", "Utility and governmental services", "III"},
	{"ef", "Environmental monitoring facilities", "III"}, {"pf", "Production and industrial facilities", "III"},
	{"af", "Agricultural and aquaculture facilities", "III"}, {"pd", "Population distribution — demography", "III"},
	{"am", "Area management/restriction/regulation zones and reporting units", "III"},
	{"nz", "Natural risk zones", "III"}, {"ac", "Atmospheric conditions", "III"},
	{"mf", "Meteorological geographical features", "III"}, {"of", "Oceanographic geographical features", "III"},
	{"sr", "Sea regions", "III"}, {"br", "Bio-geographical regions", "III"}, {"hb", "Habitats and biotopes", "III"},
	{"sd", "Species distribution", "III"}, {"er", "Energy resources", "III"}, {"mr", "Mineral resources", "III"},
}

// LookupInspireTheme finds a theme by code, title (case-insensitive) or URI.
func LookupInspireTheme(s string) (InspireTheme, bool) {
	s = strings.TrimSpace(s)
	for _, t := range InspireThemes {
		if t.Code == s || strings.EqualFold(t.Title, s) || t.URI() == s || t.GEMETURI() == s {
			return t, true
		}
	}
	return InspireTheme{}, false
}

// Conformity results, INSPIRE's degree of conformity in plain words.
const (
	ConformityPass         = "pass"
	ConformityFail         = "fail"
	ConformityNotEvaluated = "notEvaluated"
)

// Conformity states whether the data conforms to a specification, usually
// Commission Regulation (EU) No 1089/2010 for INSPIRE data.
type Conformity struct {
	Specification string `json:"specification"`
	Date          string `json:"date"` // publication date of the specification, yyyy-mm-dd
	Result        string `json:"result"`
	Explanation   string `json:"explanation,omitempty"`
}

// ResourceIdentifier is the unique resource identifier: a code within a
// namespace the publisher controls (GEMINI element 36).
type ResourceIdentifier struct {
	Namespace string `json:"namespace"`
	Code      string `json:"code"`
}

// Resolution is the spatial resolution: an equivalent scale denominator or a
// ground distance in metres, whichever suits the data (GEMINI element 18).
type Resolution struct {
	EquivalentScale int     `json:"equivalentScale,omitempty"`
	DistanceMetres  float64 `json:"distanceMetres,omitempty"`
}

// Inspire holds the metadata only spatial datasets carry. A dataset with a
// non-nil Inspire is a spatial dataset.
type Inspire struct {
	// FileIdentifier is the metadata record's UUID, assigned once and never
	// changed, because harvesters key their copies on it.
	FileIdentifier     string              `json:"fileIdentifier,omitempty"`
	TopicCategories    []string            `json:"topicCategories,omitempty"`
	Themes             []string            `json:"inspireThemes,omitempty"` // INSPIRE theme codes
	Lineage            string              `json:"lineage,omitempty"`
	ResourceIdentifier *ResourceIdentifier `json:"resourceIdentifier,omitempty"`
	Resolution         *Resolution         `json:"spatialResolution,omitempty"`
	Conformity         []Conformity        `json:"conformity,omitempty"`
	ReferenceSystem    string              `json:"referenceSystem,omitempty"` // e.g. EPSG:27700
	// AccessConstraints is the INSPIRE limitation on public access; most
	// council data has "no limitations".
	AccessConstraints string `json:"accessConstraints,omitempty"`
	Language          string `json:"language,omitempty"` // ISO 639-2, "eng"
}

var (
	uuidRe  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	crsRe   = regexp.MustCompile(`^(EPSG:[0-9]{4,6}|http://www\.opengis\.net/def/crs/EPSG/0/[0-9]{4,6})$`)
	langRe  = regexp.MustCompile(`^[a-z]{3}$`)
	isoDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// NewFileIdentifier returns a random (version 4) UUID.
func NewFileIdentifier() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (in Inspire) problems() domain.Problems {
	var p domain.Problems
	if in.FileIdentifier != "" && !uuidRe.MatchString(in.FileIdentifier) {
		p.Add("fileIdentifier", "must be a lower-case UUID such as 5b3a3d2e-8f0c-4d5e-9a1b-2c3d4e5f6a7b; leave it empty to have one assigned")
	}
	for i, c := range in.TopicCategories {
		if !slices.Contains(TopicCategories, c) {
			p.Add(fmt.Sprintf("topicCategories[%d]", i), "%q is not an ISO 19115 topic category; use one of %s",
				c, strings.Join(TopicCategories, ", "))
		}
	}
	for i, t := range in.Themes {
		if th, ok := LookupInspireTheme(t); !ok || th.Code != t {
			p.Add(fmt.Sprintf("inspireThemes[%d]", i), "%q is not an INSPIRE theme code such as \"bu\" (Buildings) or \"ps\" (Protected sites)", t)
		}
	}
	if len(in.Lineage) > 10000 {
		p.Add("lineage", "must be at most 10,000 characters")
	}
	if ri := in.ResourceIdentifier; ri != nil {
		if strings.TrimSpace(ri.Code) == "" {
			p.Add("resourceIdentifier.code", "is required when a resource identifier is given, e.g. \"trees-2024\"")
		}
		if ri.Namespace != "" && !strings.HasPrefix(ri.Namespace, "http://") && !strings.HasPrefix(ri.Namespace, "https://") {
			p.Add("resourceIdentifier.namespace", "must be an http(s) URI the council controls, e.g. https://data.bolsover.gov.uk/id/")
		}
	}
	if r := in.Resolution; r != nil {
		switch {
		case r.EquivalentScale == 0 && r.DistanceMetres == 0:
			p.Add("spatialResolution", "give an equivalentScale (e.g. 10000 for 1:10,000) or a distanceMetres")
		case r.EquivalentScale != 0 && r.DistanceMetres != 0:
			p.Add("spatialResolution", "give either equivalentScale or distanceMetres, not both")
		case r.EquivalentScale < 0 || r.DistanceMetres < 0:
			p.Add("spatialResolution", "must be positive")
		}
	}
	for i, c := range in.Conformity {
		f := fmt.Sprintf("conformity[%d].", i)
		if strings.TrimSpace(c.Specification) == "" {
			p.Add(f+"specification", "is required, e.g. \"Commission Regulation (EU) No 1089/2010\"")
		}
		if _, err := time.Parse(time.DateOnly, c.Date); err != nil || !isoDate.MatchString(c.Date) {
			p.Add(f+"date", "must be the specification's publication date as yyyy-mm-dd, e.g. 2010-12-08")
		}
		if !slices.Contains([]string{ConformityPass, ConformityFail, ConformityNotEvaluated}, c.Result) {
			p.Add(f+"result", "must be pass, fail or notEvaluated")
		}
	}
	if in.ReferenceSystem != "" && !crsRe.MatchString(in.ReferenceSystem) {
		p.Add("referenceSystem", "must be an EPSG code such as EPSG:27700 or its http://www.opengis.net/def/crs/EPSG/0/ URI")
	}
	if in.Language != "" && !langRe.MatchString(in.Language) {
		p.Add("language", "must be an ISO 639-2 code such as eng or cym")
	}
	return p
}

// GeminiMissing names, in GEMINI 2.3's own words, the mandatory elements a
// spatial dataset still lacks for its metadata record to pass data.gov.uk's
// checks. Elements the service fills in itself (metadata date, metadata
// language, resource type, character encoding, hierarchy level) are never
// listed, nor are Data format and Resource locator, which come from the
// published versions: the caller adds those when there is no published
// version. A dataset that is not spatial gets nil.
func (d Dataset) GeminiMissing() []string {
	in := d.Inspire
	if in == nil {
		return nil
	}
	var miss []string
	need := func(ok bool, name string) {
		if !ok {
			miss = append(miss, name)
		}
	}
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	need(!blank(d.Title), "Title")
	need(!blank(d.Description), "Abstract")
	need(len(in.TopicCategories) > 0, "Topic category")
	need(len(in.Themes) > 0, "Keyword (an INSPIRE theme from GEMET)")
	need(d.Temporal != nil && (d.Temporal.Start != nil || d.Temporal.End != nil), "Temporal extent")
	need(d.Issued != nil || !d.Modified.IsZero(), "Dataset reference date")
	need(!blank(in.Lineage), "Lineage")
	need(d.Spatial != nil && d.Spatial.BBox != nil, "Geographic bounding box")
	need(!blank(in.ReferenceSystem), "Spatial reference system")
	need(in.Resolution != nil && (in.Resolution.EquivalentScale > 0 || in.Resolution.DistanceMetres > 0), "Spatial resolution")
	need(!blank(d.Publisher) && !blank(d.ContactPoint.Email), "Responsible organisation")
	need(d.UpdateFrequency != "", "Frequency of update")
	need(!blank(in.AccessConstraints), "Limitations on public access")
	need(d.Licence != "", "Use constraints")
	need(!blank(d.ContactPoint.Email), "Metadata point of contact")
	need(in.ResourceIdentifier != nil && !blank(in.ResourceIdentifier.Code), "Resource identifier")
	need(len(in.Conformity) > 0, "Conformity")
	need(!blank(in.FileIdentifier), "File identifier")
	need(!blank(in.Language), "Dataset language")
	return miss
}
