// Package opendata holds the pure model of the open data catalogue: datasets
// and their INSPIRE metadata, versions and publishing jobs, the controlled
// vocabularies the harvesters expect (data.gov.uk themes, CKAN licences, EU and
// Dublin Core frequencies), streaming CSV profiling, the Local Government
// Transparency Code 2015 templates and the dataset search query. It performs
// no I/O beyond the io.Reader it is handed.
package opendata

import (
	"strings"
)

// Theme is one of data.gov.uk's dataset themes. Slug is what data.gov.uk's
// CKAN stores in the theme-primary extra and what the API takes.
type Theme struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
}

// Themes is data.gov.uk's theme list, in its own order.
var Themes = []Theme{
	{"business-and-economy", "Business and economy"},
	{"crime-and-justice", "Crime and justice"},
	{"defence", "Defence"},
	{"education", "Education"},
	{"environment", "Environment"},
	{"government", "Government"},
	{"government-spending", "Government spending"},
	{"health", "Health"},
	{"mapping", "Mapping"},
	{"society", "Society"},
	{"towns-and-cities", "Towns and cities"},
	{"transport", "Transport"},
	{"digital-service-performance", "Digital service performance"},
	{"government-reference-data", "Government reference data"},
}

// LookupTheme finds a theme by slug or, case-insensitively, by title, so that
// imports carrying data.gov.uk's display titles map onto the slugs.
func LookupTheme(s string) (Theme, bool) {
	for _, t := range Themes {
		if t.Slug == s || strings.EqualFold(t.Title, strings.TrimSpace(s)) {
			return t, true
		}
	}
	return Theme{}, false
}

// ThemeSlugs lists the slugs, for "must be one of" messages.
func ThemeSlugs() []string {
	out := make([]string, len(Themes))
	for i, t := range Themes {
		out[i] = t.Slug
	}
	return out
}

// Licence is one entry of the licence list, with the fields CKAN's
// license_list action exposes, plus the SPDX identifier DCAT-AP prefers.
type Licence struct {
	ID             string   `json:"id"`
	Title          string   `json:"title"`
	URL            string   `json:"url"`
	SPDX           string   `json:"spdx,omitempty"`
	Family         string   `json:"family"`
	Status         string   `json:"status"`
	Maintainer     string   `json:"maintainer"`
	ODConformance  string   `json:"od_conformance"`
	OSDConformance string   `json:"osd_conformance"`
	DomainContent  bool     `json:"domain_content"`
	DomainData     bool     `json:"domain_data"`
	DomainSoftware bool     `json:"domain_software"`
	IsGeneric      bool     `json:"is_generic"`
	IsOKDCompliant bool     `json:"is_okd_compliant"`
	IsOSICompliant bool     `json:"is_osi_compliant"`
	Aliases        []string `json:"-"` // CKAN's older ids, accepted on input
}

// DefaultLicence is the licence a dataset gets when none is given: the
// Transparency Code asks councils to publish under the OGL.
const DefaultLicence = "OGL-UK-3.0"

// OGLv3URI is the Open Government Licence v3.0 as data.gov.uk links it.
const OGLv3URI = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

// Licences is the licence list, OGL first because it is the one councils use.
var Licences = []Licence{
	{ID: "OGL-UK-3.0", Title: "Open Government Licence v3.0", URL: OGLv3URI, SPDX: "OGL-UK-3.0",
		Maintainer: "The National Archives", Aliases: []string{"uk-ogl", "ogl", "ogl-uk-3.0", "ogl3"},
		ODConformance: "approved", DomainContent: true, DomainData: true, IsOKDCompliant: true},
	{ID: "OGL-UK-2.0", Title: "Open Government Licence v2.0",
		URL: "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/2/", SPDX: "OGL-UK-2.0",
		Maintainer: "The National Archives", ODConformance: "approved", DomainContent: true, DomainData: true,
		IsOKDCompliant: true},
	{ID: "CC-BY-4.0", Title: "Creative Commons Attribution 4.0", URL: "https://creativecommons.org/licenses/by/4.0/",
		SPDX: "CC-BY-4.0", Maintainer: "Creative Commons", Aliases: []string{"cc-by"}, ODConformance: "approved",
		DomainContent: true, DomainData: true, IsOKDCompliant: true},
	{ID: "CC-BY-SA-4.0", Title: "Creative Commons Attribution Share-Alike 4.0",
		URL: "https://creativecommons.org/licenses/by-sa/4.0/", SPDX: "CC-BY-SA-4.0", Maintainer: "Creative Commons",
		Aliases: []string{"cc-by-sa"}, ODConformance: "approved", DomainContent: true, DomainData: true, IsOKDCompliant: true},
	{ID: "CC0-1.0", Title: "Creative Commons CCZero", URL: "https://creativecommons.org/publicdomain/zero/1.0/",
		SPDX: "CC0-1.0", Maintainer: "Creative Commons", Aliases: []string{"cc-zero"}, ODConformance: "approved",
		DomainContent: true, DomainData: true, IsOKDCompliant: true},
	{ID: "ODC-BY", Title: "Open Data Commons Attribution License", URL: "https://opendatacommons.org/licenses/by/1-0/",
		SPDX: "ODC-By-1.0", Maintainer: "Open Data Commons", Aliases: []string{"odc-by"}, ODConformance: "approved",
		DomainData: true, IsOKDCompliant: true},
	{ID: "ODbL", Title: "Open Data Commons Open Database License (ODbL)",
		URL: "https://opendatacommons.org/licenses/odbl/1-0/", SPDX: "ODbL-1.0", Maintainer: "Open Data Commons",
		Aliases: []string{"odc-odbl"}, ODConformance: "approved", DomainData: true, IsOKDCompliant: true},
	{ID: "PDDL", Title: "Open Data Commons Public Domain Dedication and License (PDDL)",
		URL: "https://opendatacommons.org/licenses/pddl/1-0/", SPDX: "PDDL-1.0", Maintainer: "Open Data Commons",
		Aliases: []string{"odc-pddl"}, ODConformance: "approved", DomainData: true, IsOKDCompliant: true},
	{ID: "other-open", Title: "Other (Open)", ODConformance: "not reviewed", DomainContent: true, DomainData: true,
		IsGeneric: true, IsOKDCompliant: true},
	{ID: "other-closed", Title: "Other (Not Open)", ODConformance: "not reviewed", DomainContent: true,
		DomainData: true, IsGeneric: true},
}

func init() {
	for i := range Licences {
		Licences[i].Status = "active"
		if Licences[i].OSDConformance == "" {
			Licences[i].OSDConformance = "not reviewed"
		}
	}
}

// LookupLicence finds a licence by id, by one of CKAN's older ids, or by URL,
// ignoring case, so harvested or imported values map onto the list.
func LookupLicence(s string) (Licence, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Licence{}, false
	}
	norm := func(u string) string {
		u = strings.TrimPrefix(strings.TrimPrefix(strings.ToLower(u), "https://"), "http://")
		return strings.TrimSuffix(strings.TrimPrefix(u, "www."), "/")
	}
	for _, l := range Licences {
		if strings.EqualFold(l.ID, s) || (l.URL != "" && norm(l.URL) == norm(s)) {
			return l, true
		}
		for _, a := range l.Aliases {
			if strings.EqualFold(a, s) {
				return l, true
			}
		}
	}
	return Licence{}, false
}

// LicenceIDs lists the licence ids.
func LicenceIDs() []string {
	out := make([]string, len(Licences))
	for i, l := range Licences {
		out[i] = l.ID
	}
	return out
}

// Frequency is one update frequency of the controlled list, with its
// equivalents in each vocabulary a representation needs.
type Frequency struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	// EU is the EU Publications Office frequency authority URI (DCAT-AP).
	EU string `json:"eu"`
	// DublinCore is the Dublin Core Collection Description Frequency term for
	// dct:accrualPeriodicity; empty where that vocabulary has no term.
	DublinCore string `json:"dublinCore,omitempty"`
	// ISO is the ISO 19115 MD_MaintenanceFrequencyCode GEMINI records use.
	ISO string `json:"iso"`
	// Repeat is the ISO 8601 repeating duration Project Open Data's
	// accrualPeriodicity takes ("irregular" is its one word value).
	Repeat string `json:"repeat,omitempty"`
}

const (
	euFreq = "http://publications.europa.eu/resource/authority/frequency/"
	cldFrq = "http://purl.org/cld/freq/"
)

// Frequencies is the controlled update-frequency list.
var Frequencies = []Frequency{
	{"continuous", "Continuously updated", euFreq + "UPDATE_CONT", cldFrq + "continuous", "continual", "R/PT1S"},
	{"daily", "Daily", euFreq + "DAILY", cldFrq + "daily", "daily", "R/P1D"},
	{"weekly", "Weekly", euFreq + "WEEKLY", cldFrq + "weekly", "weekly", "R/P1W"},
	{"fortnightly", "Every two weeks", euFreq + "BIWEEKLY", cldFrq + "biweekly", "fortnightly", "R/P2W"},
	{"monthly", "Monthly", euFreq + "MONTHLY", cldFrq + "monthly", "monthly", "R/P1M"},
	{"quarterly", "Quarterly", euFreq + "QUARTERLY", cldFrq + "quarterly", "quarterly", "R/P3M"},
	{"biannual", "Every six months", euFreq + "ANNUAL_2", cldFrq + "semiannual", "biannually", "R/P6M"},
	{"annual", "Annually", euFreq + "ANNUAL", cldFrq + "annual", "annually", "R/P1Y"},
	// ISO 19139's code list has no two-yearly code; "irregular" is the
	// nearest that does not promise a schedule it cannot express.
	{"biennial", "Every two years", euFreq + "BIENNIAL", cldFrq + "biennial", "irregular", "R/P2Y"},
	{"irregular", "Irregularly", euFreq + "IRREG", cldFrq + "irregular", "irregular", "irregular"},
	{"asNeeded", "As needed", euFreq + "OTHER", "", "asNeeded", "irregular"},
	{"never", "Not updated (one-off)", euFreq + "NEVER", "", "notPlanned", ""},
	{"unknown", "Unknown", euFreq + "UNKNOWN", "", "unknown", ""},
}

// LookupFrequency finds a frequency by code (case-insensitive) or by any of
// its vocabulary values.
func LookupFrequency(s string) (Frequency, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Frequency{}, false
	}
	for _, f := range Frequencies {
		if strings.EqualFold(f.Code, s) || f.EU == s || (f.DublinCore != "" && f.DublinCore == s) {
			return f, true
		}
	}
	return Frequency{}, false
}

// FrequencyCodes lists the frequency codes.
func FrequencyCodes() []string {
	out := make([]string, len(Frequencies))
	for i, f := range Frequencies {
		out[i] = f.Code
	}
	return out
}
