package dcat

import (
	"strings"

	"github.com/jointict/councilapi/domain/opendata"
)

// EU Publications Office authority tables DCAT-AP 2.1.1 requires for themes,
// frequencies, file types, languages and access rights.
const (
	euAuthority     = "http://publications.europa.eu/resource/authority/"
	EUDataTheme     = euAuthority + "data-theme"
	EUFrequency     = euAuthority + "frequency"
	EUFileType      = euAuthority + "file-type"
	EULanguage      = euAuthority + "language"
	EUAccessRight   = euAuthority + "access-right"
	ianaMediaTypes  = "http://www.iana.org/assignments/media-types/"
	publisherType   = "http://purl.org/adms/publishertype/"
	licenceType     = "http://purl.org/adms/licencetype/"
	ogcFeaturesCore = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
	ogcFeaturesJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
)

// euTheme is one concept of the EU data-theme table.
type euTheme struct{ Code, Label string }

// euThemes maps each data.gov.uk theme to the EU data themes that cover it.
// data.gov.uk's list has no exact EU twin for defence, mapping or digital
// service performance: those take the EU theme whose scope includes them
// (public sector for defence and service performance, regions and cities
// for mapping, as INSPIRE-style place data is filed there).
var euThemes = map[string][]euTheme{
	"business-and-economy":        {{"ECON", "Economy and finance"}},
	"crime-and-justice":           {{"JUST", "Justice, legal system and public safety"}},
	"defence":                     {{"GOVE", "Government and public sector"}},
	"education":                   {{"EDUC", "Education, culture and sport"}},
	"environment":                 {{"ENVI", "Environment"}},
	"government":                  {{"GOVE", "Government and public sector"}},
	"government-spending":         {{"GOVE", "Government and public sector"}, {"ECON", "Economy and finance"}},
	"health":                      {{"HEAL", "Health"}},
	"mapping":                     {{"REGI", "Regions and cities"}},
	"society":                     {{"SOCI", "Population and society"}},
	"towns-and-cities":            {{"REGI", "Regions and cities"}},
	"transport":                   {{"TRAN", "Transport"}},
	"digital-service-performance": {{"GOVE", "Government and public sector"}, {"TECH", "Science and technology"}},
	"government-reference-data":   {{"GOVE", "Government and public sector"}},
}

// fileType is a concept of the EU file-type table.
type fileType struct{ Code, Label string }

// euFileTypes maps the short format names distributions carry (opendata
// Format labels, plus the OGC API service) to EU file types.
var euFileTypes = map[string]fileType{
	"csv":        {"CSV", "CSV"},
	"json":       {"JSON", "JSON"},
	"xlsx":       {"XLSX", "XLSX"},
	"geojson":    {"GEOJSON", "GeoJSON"},
	"geopackage": {"GPKG", "GeoPackage"},
	"gpkg":       {"GPKG", "GeoPackage"},
	"shapefile":  {"SHP", "SHP"},
	"shp":        {"SHP", "SHP"},
	"gml":        {"GML", "GML"},
	"kml":        {"KML", "KML"},
	"zip":        {"ZIP", "ZIP"},
	// An OGC API - Features collection answers with GeoJSON by default.
	"ogc api - features": {"GEOJSON", "GeoJSON"},
}

// FileTypeURI is the EU file-type concept for a distribution format name,
// or "" when the table has none.
func FileTypeURI(format string) string {
	if ft, ok := euFileTypes[strings.ToLower(strings.TrimSpace(format))]; ok {
		return EUFileType + "/" + ft.Code
	}
	return ""
}

// MediaTypeURI is the IANA registry URI of a media type (parameters dropped).
func MediaTypeURI(mediaType string) string {
	mt := strings.TrimSpace(strings.SplitN(mediaType, ";", 2)[0])
	if !strings.Contains(mt, "/") {
		return ""
	}
	return ianaMediaTypes + strings.ToLower(mt)
}

// euLanguages maps ISO 639-2/B codes the datasets carry to EU language codes
// (ISO 639-2/T, upper case); Welsh differs between the two.
func euLanguage(code string) string {
	switch code = strings.ToLower(code); code {
	case "", "eng":
		return EULanguage + "/ENG"
	case "wel", "cym":
		return EULanguage + "/CYM"
	default:
		return EULanguage + "/" + strings.ToUpper(code)
	}
}

// LicenceURI is the licence document a dataset's licence id points to, or
// "" for the generic "other" licences, which have none.
func LicenceURI(id string) string {
	if l, ok := opendata.LookupLicence(id); ok {
		return l.URL
	}
	return ""
}
