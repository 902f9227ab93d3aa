package domain

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
)

// Organisation is a council (or other public body) taking part in the joint
// service. The GSS code is the ONS identifier used across government data.
type Organisation struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	ShortName string  `json:"shortName"`
	GSSCode   string  `json:"gssCode,omitempty"`
	Website   string  `json:"website,omitempty"`
	Contact   Contact `json:"contact"`
	// Host marks the host authority that runs procurements for the partners.
	Host bool `json:"host"`
	// Extent is the area the council's spatial data should fall in
	// (longitude/latitude, WGS84); uploads outside it are questioned. Empty:
	// Great Britain and Northern Ireland.
	Extent *Extent `json:"extent,omitempty"`
}

// Extent is a longitude/latitude box (WGS84 degrees).
type Extent struct {
	MinLon float64 `json:"minLon"`
	MinLat float64 `json:"minLat"`
	MaxLon float64 `json:"maxLon"`
	MaxLat float64 `json:"maxLat"`
}

func (e Extent) problems() Problems {
	var p Problems
	if e.MinLon < -180 || e.MaxLon > 180 || e.MinLon >= e.MaxLon {
		p.Add("minLon", "and maxLon must be longitudes from -180 to 180 with minLon below maxLon")
	}
	if e.MinLat < -90 || e.MaxLat > 90 || e.MinLat >= e.MaxLat {
		p.Add("minLat", "and maxLat must be latitudes from -90 to 90 with minLat below maxLat")
	}
	return p
}

// Contact is a named point of contact.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

var (
	gssCode   = regexp.MustCompile(`^[EWSN][0-9]{8}$`)
	shortName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9&-]{1,19}$`)
)

// Validate reports every problem with the organisation.
func (o Organisation) Validate() error {
	var p Problems
	if strings.TrimSpace(o.Name) == "" {
		p.Add("name", "is required, e.g. \"Bolsover District Council\"")
	} else if len(o.Name) > 200 {
		p.Add("name", "must be at most 200 characters")
	}
	if !shortName.MatchString(o.ShortName) {
		p.Add("shortName", "must be 2-20 letters, digits, '&' or '-', starting with a letter, e.g. \"BDC\"")
	}
	if o.GSSCode != "" && !gssCode.MatchString(o.GSSCode) {
		p.Add("gssCode", "must be an ONS GSS code: a letter E, W, S or N and 8 digits, e.g. E07000033")
	}
	if o.Website != "" {
		if u, err := url.Parse(o.Website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.Add("website", "must be an absolute http(s) URL, e.g. https://www.bolsover.gov.uk")
		}
	}
	p = append(p, o.Contact.problems().Prefix("contact.")...)
	if o.Extent != nil {
		p = append(p, o.Extent.problems().Prefix("extent.")...)
	}
	return p.Err()
}

func (c Contact) problems() Problems {
	var p Problems
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			p.Add("email", "must be a plain email address such as ict@example.gov.uk")
		}
	}
	if len(c.Phone) > 40 {
		p.Add("phone", "must be at most 40 characters")
	}
	return p
}

// IDFromShortName derives the stable record id of an organisation.
func IDFromShortName(short string) string { return strings.ToLower(short) }

// SeedOrganisations are the Joint ICT Service partners a fresh store starts
// with: North East Derbyshire hosts the service for Bolsover and Derbyshire Dales.
func SeedOrganisations() []Organisation {
	return []Organisation{
		{ID: "bdc", Name: "Bolsover District Council", ShortName: "BDC", GSSCode: "E07000033",
			Website: "https://www.bolsover.gov.uk"},
		{ID: "dddc", Name: "Derbyshire Dales District Council", ShortName: "DDDC", GSSCode: "E07000035",
			Website: "https://www.derbyshiredales.gov.uk"},
		{ID: "neddc", Name: "North East Derbyshire District Council", ShortName: "NEDDC", GSSCode: "E07000038",
			Website: "https://www.ne-derbyshire.gov.uk", Host: true},
	}
}
