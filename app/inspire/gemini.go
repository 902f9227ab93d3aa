package inspire

import (
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/gis/crs"
)

// lopaBase is the INSPIRE register of limitations on public access.
const lopaBase = "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/"

// datasetRecord maps a published spatial dataset to its GEMINI record.
// sourceCRS is the CRS the current version was uploaded in (a URI); the
// metadata date is left for the caller, who knows whether the content changed.
func datasetRecord(e catalogue.Entry, sourceCRS, base string) gemini.DatasetRecord {
	d := e.Dataset
	in := d.Inspire
	if in == nil {
		in = &od.Inspire{}
	}
	contact := gemini.Party{Organisation: e.Publisher.Name, Email: d.ContactPoint.Email,
		Position: d.ContactPoint.Name, Phone: e.Publisher.Contact.Phone, Role: "pointOfContact"}
	rec := gemini.DatasetRecord{
		FileIdentifier:            in.FileIdentifier,
		Title:                     d.Title,
		Abstract:                  d.Description,
		Language:                  in.Language,
		MetadataLanguage:          "eng",
		TopicCategories:           in.TopicCategories,
		Keywords:                  datasetKeywords(d),
		TemporalExtent:            temporalExtent(d.Temporal),
		ReferenceDates:            referenceDates(d),
		Lineage:                   in.Lineage,
		SpatialReferenceSystems:   referenceSystems(sourceCRS, in.ReferenceSystem),
		ResponsibleOrganisation:   contact,
		MetadataContact:           contact,
		LimitationsOnPublicAccess: limitation(in.AccessConstraints),
		UseConstraints:            useConstraints(d.Licence, e.LandingPage),
		ResourceIdentifier:        resourceIdentifier(d, base),
		Conformity:                conformity(in.Conformity),
		SpatialRepresentationType: "vector",
	}
	if f, ok := od.LookupFrequency(d.UpdateFrequency); ok {
		rec.UpdateFrequency = f.ISO
	}
	if b := e.BBox; b != nil {
		rec.BBox = gemini.BBox{West: b.MinX, East: b.MaxX, South: b.MinY, North: b.MaxY}
	}
	if r := in.Resolution; r != nil {
		rec.SpatialResolution = gemini.SpatialResolution{ScaleDenominator: r.EquivalentScale, DistanceMetres: r.DistanceMetres}
	}
	rec.DataFormats, rec.ResourceLocators = distributionsOf(e)
	return rec
}

func datasetKeywords(d od.Dataset) []gemini.KeywordSet {
	var themes []string
	if d.Inspire != nil {
		for _, code := range d.Inspire.Themes {
			if t, ok := od.LookupInspireTheme(code); ok {
				themes = append(themes, t.Title)
			}
		}
	}
	var sets []gemini.KeywordSet
	if len(themes) > 0 {
		sets = append(sets, gemini.InspireThemes(themes...))
	}
	if len(d.Keywords) > 0 {
		sets = append(sets, gemini.KeywordSet{Keywords: d.Keywords})
	}
	return sets
}

func temporalExtent(t *od.TemporalCoverage) gemini.TemporalExtent {
	var out gemini.TemporalExtent
	if t == nil {
		return out
	}
	if t.Start != nil {
		out.Begin = t.Start.UTC().Format(time.DateOnly)
	}
	if t.End != nil {
		out.End = t.End.UTC().Format(time.DateOnly)
	}
	return out
}

// referenceDates gives publication (the first publication) and revision (the
// last change). A draft has no publication date yet; publishing sets it, so
// its last change stands in for it when the status of a draft is worked out.
func referenceDates(d od.Dataset) []gemini.ReferenceDate {
	published := d.Modified
	if d.Issued != nil {
		published = *d.Issued
	}
	var out []gemini.ReferenceDate
	if !published.IsZero() {
		out = append(out, gemini.ReferenceDate{Type: "publication", Date: published})
	}
	if !d.Modified.IsZero() && d.Modified.After(published) {
		out = append(out, gemini.ReferenceDate{Type: "revision", Date: d.Modified})
	}
	return out
}

// referenceSystems lists the CRS the data was captured in, then the one the
// publisher declared, then ETRS89: the OGC API serves every collection in
// ETRS89 too, and it is the INSPIRE CRS for Europe. WGS84 in either axis order
// is written as EPSG:4326, since GEMINI cites EPSG codes.
func referenceSystems(source, declared string) []string {
	var out []string
	add := func(s string) {
		c, err := crs.Parse(s)
		if err != nil {
			return
		}
		if c == crs.CRS84 {
			c = crs.EPSG4326
		}
		if u := c.URI(); !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	add(source)
	add(declared)
	if len(out) > 0 {
		add(crs.EPSG4258.URI())
	}
	return out
}

// limitation maps the dataset's access constraint to the INSPIRE register.
// Free text that names no register entry is kept as text without a URI, which
// gemini.Missing reports as "Limitations on public access" so the publisher
// learns to pick a register value.
func limitation(s string) gemini.LimitationOnPublicAccess {
	v := strings.TrimSpace(s)
	code := strings.TrimPrefix(v, lopaBase)
	switch {
	case v == "", strings.EqualFold(v, "no limitations"), code == "noLimitations":
		return gemini.LimitationOnPublicAccess{}
	case strings.HasPrefix(code, "INSPIRE_Directive_Article13_1") && len(code) == len("INSPIRE_Directive_Article13_1a") &&
		code[len(code)-1] >= 'a' && code[len(code)-1] <= 'h':
		return gemini.LimitationOnPublicAccess{URI: lopaBase + code,
			Text: "Public access limited according to Article 13(1)(" + code[len(code)-1:] + ") of the INSPIRE Directive"}
	}
	return gemini.LimitationOnPublicAccess{Text: v}
}

// useConstraints states the dataset's licence; the zero value is the OGL v3.0.
func useConstraints(licence, landingPage string) gemini.UseConstraints {
	l, ok := od.LookupLicence(licence)
	if !ok || l.ID == od.DefaultLicence {
		return gemini.UseConstraints{}
	}
	u := gemini.UseConstraints{Text: "Released under the " + l.Title + ".", LicenceTitle: l.Title, URL: l.URL}
	if l.URL == "" {
		// Generic licences ("Other (Open)") have no page of their own; the
		// dataset's page is where the publisher states the terms.
		u.URL = landingPage
	}
	return u
}

// resourceIdentifier is the publisher's own identifier, or the dataset's
// slug in a namespace per council on this service (slugs never change once
// published, so the identifier is stable).
func resourceIdentifier(d od.Dataset, base string) gemini.Identifier {
	namespace := base + "/id/" + d.Publisher + "/"
	if ri := d.Inspire; ri != nil && ri.ResourceIdentifier != nil && strings.TrimSpace(ri.ResourceIdentifier.Code) != "" {
		id := gemini.Identifier{Code: ri.ResourceIdentifier.Code, CodeSpace: ri.ResourceIdentifier.Namespace}
		if id.CodeSpace == "" {
			id.CodeSpace = namespace
		}
		return id
	}
	return gemini.Identifier{Code: d.Slug, CodeSpace: namespace}
}

// conformity maps the publisher's statements. GEMINI requires the exact
// title of Regulation 1089/2010, so any citation of it is written that way.
func conformity(cs []od.Conformity) []gemini.Conformity {
	var out []gemini.Conformity
	for _, c := range cs {
		g := gemini.Conformity{SpecificationTitle: c.Specification, SpecificationDate: c.Date, Explanation: c.Explanation}
		if strings.Contains(c.Specification, "1089/2010") {
			g.SpecificationTitle, g.SpecificationDate = gemini.Regulation1089, gemini.Regulation1089Date
		}
		switch c.Result {
		case od.ConformityPass:
			g.Degree = gemini.Conformant
		case od.ConformityFail:
			g.Degree = gemini.NotConformant
		default:
			g.Degree = gemini.NotEvaluated
		}
		out = append(out, g)
	}
	return out
}

// distributionsOf gives the data formats (one per file format; the OGC API
// serves GeoJSON) and the resource locators: each download, the OGC API
// collection and the dataset's page.
func distributionsOf(e catalogue.Entry) ([]gemini.DataFormat, []gemini.ResourceLocator) {
	var formats []gemini.DataFormat
	var locators []gemini.ResourceLocator
	addFormat := func(name string) {
		f := gemini.DataFormat{Name: name}
		if name == "GeoJSON" {
			f.Version = "RFC 7946"
		}
		if !slices.Contains(formats, f) {
			formats = append(formats, f)
		}
	}
	for _, dist := range e.Distributions {
		if dist.IsService {
			continue
		}
		addFormat(dist.Format)
		locators = append(locators, gemini.ResourceLocator{URL: dist.DownloadURL, Name: dist.Title,
			Description: "Download the whole dataset as " + dist.Format, Function: "download"})
	}
	if e.OGCCollectionURL != "" {
		addFormat("GeoJSON")
		locators = append(locators, gemini.ResourceLocator{
			URL: e.OGCCollectionURL, Name: e.Dataset.Slug, Protocol: "OGC API - Features", Function: "download",
			Description: "OGC API - Features collection: query the features by area, time or property, as GeoJSON",
		})
	}
	if len(locators) > 0 && e.LandingPage != "" {
		locators = append(locators, gemini.ResourceLocator{URL: e.LandingPage, Name: "Dataset page",
			Description: "About this dataset, its versions and downloads", Function: "information"})
	}
	return formats, locators
}

// serviceRecord describes the OGC API – Features service coupled to every
// dataset record it serves. provider is the organisation that runs it.
func serviceRecord(fileID string, created time.Time, provider domain.Organisation, email string,
	datasets []gemini.DatasetRecord, recordURL func(string) string, base string) gemini.ServiceRecord {
	party := gemini.Party{Organisation: provider.Name, Email: email, Phone: provider.Contact.Phone, Role: "pointOfContact"}
	rec := gemini.ServiceRecord{
		FileIdentifier: fileID,
		Title:          provider.Name + " OGC API - Features download service",
		Abstract: "An OGC API - Features service giving direct access, as GeoJSON and in British National Grid, " +
			"ETRS89 or WGS84, to the spatial datasets published by " + publisherList(datasets) +
			". Each dataset is a collection whose features can be filtered by area, time and property.",
		MetadataLanguage: "eng",
		Keywords: []gemini.KeywordSet{
			{Keywords: []string{"infoFeatureAccessService"}, Thesaurus: gemini.Thesaurus{
				Title: "Classification of spatial data services", Date: "2008-12-03", DateType: "publication"}},
			{Keywords: []string{"OGC API", "open data", "download service"}},
		},
		ReferenceDates:          []gemini.ReferenceDate{{Type: "publication", Date: created}},
		ResourceLocators:        []gemini.ResourceLocator{{URL: base + "/ogc/", Name: "Landing page", Description: "OGC API - Features landing page", Protocol: "OGC API - Features", Function: "download"}},
		DataFormats:             []gemini.DataFormat{{Name: "GeoJSON", Version: "RFC 7946"}},
		ResponsibleOrganisation: party,
		MetadataContact:         party,
		ServiceType:             "download",
	}
	for i, d := range datasets {
		b := d.BBox
		if i == 0 {
			rec.BBox = b
		} else {
			rec.BBox = gemini.BBox{West: min(rec.BBox.West, b.West), East: max(rec.BBox.East, b.East),
				South: min(rec.BBox.South, b.South), North: max(rec.BBox.North, b.North)}
		}
		for _, s := range d.SpatialReferenceSystems {
			if !slices.Contains(rec.SpatialReferenceSystems, s) {
				rec.SpatialReferenceSystems = append(rec.SpatialReferenceSystems, s)
			}
		}
		rec.OperatesOn = append(rec.OperatesOn, gemini.CoupledResource{FileIdentifier: d.FileIdentifier,
			RecordURL: recordURL(d.FileIdentifier), Title: d.Title})
	}
	return rec
}

func publisherList(datasets []gemini.DatasetRecord) string {
	var names []string
	for _, d := range datasets {
		if n := d.ResponsibleOrganisation.Organisation; n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch len(names) {
	case 0:
		return "the councils"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
