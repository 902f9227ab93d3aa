package ckan

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/dcat"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

func marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Tag is a keyword.
type Tag struct {
	Name        string `json:"name"`
	DisplayName string `json:"display_name"`
	State       string `json:"state"`
}

// Extra is a free key/value pair; ckanext-spatial reads "spatial" as GeoJSON.
type Extra struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Resource is a distribution.
type Resource struct {
	ID           string  `json:"id"`
	PackageID    string  `json:"package_id"`
	URL          string  `json:"url"`
	Name         string  `json:"name"`
	Description  string  `json:"description"`
	Format       string  `json:"format"`
	Mimetype     string  `json:"mimetype"`
	Size         *int64  `json:"size"`
	Hash         string  `json:"hash"`
	Created      string  `json:"created"`
	LastModified string  `json:"last_modified"`
	Position     int     `json:"position"`
	State        string  `json:"state"`
	ResourceType string  `json:"resource_type,omitempty"`
	URLType      *string `json:"url_type"`
}

// Group is a data.gov.uk theme, which CKAN sites keep as groups.
type Group struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Title           string `json:"title"`
	DisplayName     string `json:"display_name"`
	Description     string `json:"description"`
	ImageDisplayURL string `json:"image_display_url"`
}

// Organization is a publisher.
type Organization struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Title          string    `json:"title"`
	DisplayName    string    `json:"display_name"`
	Description    string    `json:"description"`
	ImageURL       string    `json:"image_url"`
	Type           string    `json:"type"`
	IsOrganization bool      `json:"is_organization"`
	ApprovalStatus string    `json:"approval_status"`
	State          string    `json:"state"`
	PackageCount   int       `json:"package_count"`
	Extras         []Extra   `json:"extras,omitempty"`
	Packages       []Package `json:"packages,omitempty"`
}

// Package is a dataset as package_show returns it.
type Package struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	Title            string        `json:"title"`
	Notes            string        `json:"notes"`
	Type             string        `json:"type"`
	State            string        `json:"state"`
	Private          bool          `json:"private"`
	OwnerOrg         string        `json:"owner_org"`
	Organization     *Organization `json:"organization"`
	LicenseID        string        `json:"license_id"`
	LicenseTitle     string        `json:"license_title"`
	LicenseURL       string        `json:"license_url,omitempty"`
	IsOpen           bool          `json:"isopen"`
	URL              string        `json:"url"`
	Version          string        `json:"version"`
	Author           string        `json:"author"`
	AuthorEmail      string        `json:"author_email"`
	Maintainer       string        `json:"maintainer"`
	MaintainerEmail  string        `json:"maintainer_email"`
	MetadataCreated  string        `json:"metadata_created"`
	MetadataModified string        `json:"metadata_modified"`
	Tags             []Tag         `json:"tags"`
	Groups           []Group       `json:"groups"`
	Extras           []Extra       `json:"extras"`
	Resources        []Resource    `json:"resources"`
	NumResources     int           `json:"num_resources"`
	NumTags          int           `json:"num_tags"`
	RelAsObject      []any         `json:"relationships_as_object"`
	RelAsSubject     []any         `json:"relationships_as_subject"`
}

// FromOrganisation describes an organisation; its CKAN name is its id.
func FromOrganisation(base string, o domain.Organisation, packages int) Organization {
	out := Organization{ID: o.ID, Name: o.ID, Title: o.Name, DisplayName: o.Name, Type: "organization",
		IsOrganization: true, ApprovalStatus: "approved", State: "active", PackageCount: packages,
		Description: o.Name + " publishes its open data through " + base + "."}
	if o.Website != "" {
		out.Extras = append(out.Extras, Extra{"website", o.Website})
	}
	if o.GSSCode != "" {
		out.Extras = append(out.Extras, Extra{"gss_code", o.GSSCode})
	}
	return out
}

// resourceID names a resource stably across versions by its format, so a
// harvester updates the resource in place when a new version is published.
func resourceID(e catalogue.Entry, d catalogue.Distribution) string {
	if d.IsService {
		return e.Dataset.ID + "-api"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(d.Format) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return e.Dataset.ID + "-" + b.String()
}

// FromEntry describes a dataset; counts gives each organisation's number of
// published datasets. A withdrawn dataset is a deleted package, whose
// files are gone.
func FromEntry(e catalogue.Entry, counts map[string]int) Package {
	d := e.Dataset
	org := FromOrganisation(strings.TrimSuffix(strings.TrimSuffix(e.URI, "/dataset/"+d.Slug), "/"), e.Publisher, counts[e.Publisher.ID])
	state := "active"
	if d.Status == opendata.StatusWithdrawn {
		state = "deleted"
		e.Distributions = nil
	}
	p := Package{ID: d.ID, Name: d.Slug, Title: d.Title, Notes: d.Description, Type: "dataset", State: state,
		OwnerOrg: e.Publisher.ID, Organization: &org, URL: e.LandingPage, Author: e.Publisher.Name,
		Maintainer: d.ContactPoint.Name, MaintainerEmail: d.ContactPoint.Email,
		MetadataCreated: Timestamp(e.Issued()), MetadataModified: Timestamp(e.Modified()),
		Tags: []Tag{}, Groups: []Group{}, Extras: []Extra{}, Resources: []Resource{},
		RelAsObject: []any{}, RelAsSubject: []any{}}
	if e.Current.Number > 0 {
		p.Version = "v" + itoa(e.Current.Number)
	}
	if l, ok := opendata.LookupLicence(d.Licence); ok {
		p.LicenseID, p.LicenseTitle, p.LicenseURL, p.IsOpen = l.ID, l.Title, l.URL, l.IsOKDCompliant
	}
	for _, k := range d.Keywords {
		p.Tags = append(p.Tags, Tag{Name: k, DisplayName: k, State: "active"})
	}
	p.NumTags = len(p.Tags)
	for _, slug := range d.Themes {
		if th, ok := opendata.LookupTheme(slug); ok {
			p.Groups = append(p.Groups, Group{ID: th.Slug, Name: th.Slug, Title: th.Title, DisplayName: th.Title})
		}
	}
	add := func(k, v string) {
		if v != "" {
			p.Extras = append(p.Extras, Extra{k, v})
		}
	}
	add("guid", d.ID)
	add("uri", e.URI)
	for i, slug := range d.Themes {
		if i == 0 {
			add("theme-primary", slug)
		} else {
			add("theme-secondary", slug)
		}
	}
	if f, ok := opendata.LookupFrequency(d.UpdateFrequency); ok {
		add("update_frequency", f.Code)
		add("frequency", f.EU)
	}
	if b := e.Extent(); b != nil {
		add("spatial", dcat.GeoJSON(*b))
		add("bbox-west-long", num(b.MinX))
		add("bbox-south-lat", num(b.MinY))
		add("bbox-east-long", num(b.MaxX))
		add("bbox-north-lat", num(b.MaxY))
	}
	if s := d.Spatial; s != nil {
		add("spatial_text", s.Place)
		if s.GSSCode != "" {
			add("spatial_uri", "http://statistics.data.gov.uk/id/statistical-geography/"+s.GSSCode)
		}
	}
	if t := d.Temporal; t != nil {
		if t.Start != nil {
			add("temporal_start", t.Start.UTC().Format("2006-01-02"))
		}
		if t.End != nil {
			add("temporal_end", t.End.UTC().Format("2006-01-02"))
		}
	}
	if in := d.Inspire; in != nil {
		add("spatial-reference-system", in.ReferenceSystem)
		add("metadata-record", e.MetadataRecordURL)
		add("lineage", in.Lineage)
		add("resource-type", "dataset")
		add("inspire-file-identifier", in.FileIdentifier)
	}
	for i, dist := range e.Distributions {
		r := Resource{ID: resourceID(e, dist), PackageID: d.ID, Name: dist.Title, Format: dist.Format,
			Mimetype: dist.MediaType, Position: i, State: "active", Created: Timestamp(dist.Issued),
			LastModified: Timestamp(dist.Modified)}
		r.URL = dist.DownloadURL
		if dist.IsService || r.URL == "" {
			r.URL, r.ResourceType = dist.AccessURL, "api"
		}
		if dist.ByteSize > 0 {
			n := dist.ByteSize
			r.Size = &n
		}
		if dist.SHA256 != "" {
			r.Hash = "sha256:" + dist.SHA256
		}
		if dist.Version > 0 {
			r.Description = "Version " + itoa(dist.Version) + " of " + d.Title
		}
		p.Resources = append(p.Resources, r)
	}
	p.NumResources = len(p.Resources)
	return p
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func itoa(n int) string { return strconv.Itoa(n) }
