// Package datajson writes the catalogue as a Project Open Data 1.1 data.json
// document, the format ckanext-dcat's dcat_json harvester reads: it takes
// the "dataset" array of each ?page=N until a page comes back empty.
//
// The documents validate against the POD 1.1 JSON Schemas except for two
// members the schema requires of every dataset but which only US federal
// agencies have: bureauCode and programCode (OMB Circular A-11 and the
// Federal Program Inventory codes). An English council has neither, and a
// made-up code would be worse than none, so both are left out.
package datajson

import (
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/domain/opendata"
)

// Schema URIs of Project Open Data 1.1.
const (
	Context     = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
	ConformsTo  = "https://project-open-data.cio.gov/v1.1/schema"
	DescribedBy = "https://project-open-data.cio.gov/v1.1/schema/catalog.json"
)

// Catalog is the top-level data.json object.
type Catalog struct {
	Context     string    `json:"@context"`
	ID          string    `json:"@id"`
	Type        string    `json:"@type"`
	ConformsTo  string    `json:"conformsTo"`
	DescribedBy string    `json:"describedBy"`
	Dataset     []Dataset `json:"dataset"`
}

// Publisher is a dataset's publishing organisation.
type Publisher struct {
	Type string `json:"@type"`
	Name string `json:"name"`
}

// ContactPoint is who answers questions about a dataset.
type ContactPoint struct {
	Type     string `json:"@type"`
	FN       string `json:"fn"`
	HasEmail string `json:"hasEmail"`
}

// Distribution is one way to get the data: a download or, for an API, an
// access URL.
type Distribution struct {
	Type        string `json:"@type"`
	Title       string `json:"title,omitempty"`
	DownloadURL string `json:"downloadURL,omitempty"`
	AccessURL   string `json:"accessURL,omitempty"`
	MediaType   string `json:"mediaType,omitempty"`
	Format      string `json:"format,omitempty"`
	ConformsTo  string `json:"conformsTo,omitempty"`
}

// Dataset is one entry of the "dataset" array.
type Dataset struct {
	Type               string         `json:"@type"`
	Identifier         string         `json:"identifier"`
	Title              string         `json:"title"`
	Description        string         `json:"description"`
	Keyword            []string       `json:"keyword"`
	Issued             string         `json:"issued,omitempty"`
	Modified           string         `json:"modified"`
	Publisher          Publisher      `json:"publisher"`
	ContactPoint       ContactPoint   `json:"contactPoint"`
	AccessLevel        string         `json:"accessLevel"`
	LandingPage        string         `json:"landingPage,omitempty"`
	License            string         `json:"license,omitempty"`
	Spatial            string         `json:"spatial,omitempty"`
	Temporal           string         `json:"temporal,omitempty"`
	AccrualPeriodicity string         `json:"accrualPeriodicity,omitempty"`
	Theme              []string       `json:"theme,omitempty"`
	Language           []string       `json:"language,omitempty"`
	DescribedBy        string         `json:"describedBy,omitempty"`
	Distribution       []Distribution `json:"distribution"`
}

// Build returns one page of the catalogue, page being its datasets. A page
// past the end has an empty dataset list, which is how the dcat_json
// harvester learns it has everything.
func Build(base string, page []catalogue.Entry) Catalog {
	c := Catalog{Context: Context, ID: base + "/data.json", Type: "dcat:Catalog", ConformsTo: ConformsTo,
		DescribedBy: DescribedBy, Dataset: []Dataset{}}
	for _, e := range page {
		c.Dataset = append(c.Dataset, FromEntry(e))
	}
	return c
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// FromEntry describes one dataset. The identifier is the dataset's id, not
// its URL, so the harvester's copy survives a move to a new domain.
func FromEntry(e catalogue.Entry) Dataset {
	d := e.Dataset
	out := Dataset{Type: "dcat:Dataset", Identifier: d.ID, Title: d.Title, Description: d.Description,
		Keyword: keywords(e), Issued: stamp(e.Issued()), Modified: stamp(e.Modified()),
		Publisher: Publisher{Type: "org:Organization", Name: e.Publisher.Name}, AccessLevel: "public",
		LandingPage: e.LandingPage, License: dcat.LicenceURI(d.Licence), Distribution: []Distribution{}}
	fn := d.ContactPoint.Name
	if fn == "" {
		fn = e.Publisher.Name
	}
	out.ContactPoint = ContactPoint{Type: "vcard:Contact", FN: fn, HasEmail: "mailto:" + d.ContactPoint.Email}
	if b := e.Extent(); b != nil {
		// POD's spatial takes a "W,S,E,N" bounding box or a place name.
		out.Spatial = num(b.MinX) + "," + num(b.MinY) + "," + num(b.MaxX) + "," + num(b.MaxY)
	} else if s := d.Spatial; s != nil {
		out.Spatial = s.Place
	}
	if t := d.Temporal; t != nil && t.Start != nil && t.End != nil {
		// POD has no open interval ("2024-04-01/.." fails its pattern), so
		// coverage still running is left out rather than given a made-up end.
		out.Temporal = interval(t)
	}
	if f, ok := opendata.LookupFrequency(d.UpdateFrequency); ok && f.Repeat != "" {
		out.AccrualPeriodicity = f.Repeat
	}
	for _, slug := range d.Themes {
		if th, ok := opendata.LookupTheme(slug); ok {
			out.Theme = append(out.Theme, th.Title)
		}
	}
	if d.Inspire != nil && d.Inspire.Language == "cym" || d.Inspire != nil && d.Inspire.Language == "wel" {
		out.Language = []string{"cy"}
	} else {
		out.Language = []string{"en-GB"}
	}
	for _, dist := range e.Distributions {
		x := Distribution{Type: "dcat:Distribution", Title: dist.Title, MediaType: bareMediaType(dist.MediaType), Format: dist.Format}
		if dist.IsService {
			x.AccessURL = dist.AccessURL
			x.Format = "API"
			x.ConformsTo = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
		} else {
			x.DownloadURL = dist.DownloadURL
		}
		out.Distribution = append(out.Distribution, x)
	}
	return out
}

// keywords are the dataset's keywords; POD requires at least one, so a
// dataset without any is given its themes' titles, or failing those its
// publisher's name.
func keywords(e catalogue.Entry) []string {
	out := append([]string{}, e.Dataset.Keywords...)
	if len(out) == 0 {
		for _, slug := range e.Dataset.Themes {
			if th, ok := opendata.LookupTheme(slug); ok {
				out = append(out, th.Title)
			}
		}
	}
	if len(out) == 0 && e.Publisher.Name != "" {
		out = append(out, e.Publisher.Name)
	}
	return out
}

// bareMediaType drops parameters: POD's mediaType pattern is type/subtype.
func bareMediaType(mt string) string {
	return strings.TrimSpace(strings.SplitN(mt, ";", 2)[0])
}

// interval writes temporal coverage, both ends known, as an ISO 8601
// interval of dates (or date-times when not whole days).
func interval(t *opendata.TemporalCoverage) string {
	end := func(p *time.Time) string {
		if u := p.UTC(); u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 {
			return u.Format(time.DateOnly)
		}
		return stamp(*p)
	}
	return end(t.Start) + "/" + end(t.End)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
