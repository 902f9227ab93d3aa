package opendata

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/jointict/councilapi/domain"
)

// Status is a dataset's place in its publishing lifecycle.
type Status string

const (
	StatusDraft     Status = "draft"     // visible to its publisher only
	StatusPublished Status = "published" // listed, downloadable and harvested
	StatusWithdrawn Status = "withdrawn" // delisted but kept for audit; its URLs answer 410
)

// transitions are the legal status changes. A published dataset never goes
// back to draft: harvesters have copied it, so it can only be withdrawn,
// and a withdrawn one may be reinstated.
var transitions = map[Status][]Status{
	StatusDraft:     {StatusPublished, StatusWithdrawn},
	StatusPublished: {StatusWithdrawn},
	StatusWithdrawn: {StatusPublished},
}

// NextStatuses lists the statuses a dataset in s may move to.
func NextStatuses(s Status) []Status { return slices.Clone(transitions[s]) }

// ContactPoint is who answers questions about a dataset (dcat:contactPoint).
type ContactPoint struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// BBox is a WGS 84 (CRS84, longitude first) bounding box.
type BBox struct {
	MinX float64 `json:"minX"`
	MinY float64 `json:"minY"`
	MaxX float64 `json:"maxX"`
	MaxY float64 `json:"maxY"`
}

// Intersects reports whether two boxes share at least a point.
func (b BBox) Intersects(o BBox) bool {
	return b.MinX <= o.MaxX && o.MinX <= b.MaxX && b.MinY <= o.MaxY && o.MinY <= b.MaxY
}

func (b BBox) problems() domain.Problems {
	var p domain.Problems
	if b.MinX < -180 || b.MaxX > 180 || b.MinY < -90 || b.MaxY > 90 {
		p.Add("bbox", "must be longitude/latitude in degrees (CRS84), e.g. -1.6,53.1,-1.2,53.3")
	} else if b.MinX > b.MaxX || b.MinY > b.MaxY {
		p.Add("bbox", "must be minX,minY,maxX,maxY with each minimum no greater than its maximum")
	}
	return p
}

// SpatialCoverage is where a dataset applies: a bounding box, a named place,
// an ONS GSS code, or any of them together.
type SpatialCoverage struct {
	BBox    *BBox  `json:"bbox,omitempty"`
	Place   string `json:"place,omitempty"`
	GSSCode string `json:"gssCode,omitempty"`
}

// TemporalCoverage is the period the data describes; either end may be open.
type TemporalCoverage struct {
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
}

// Dataset is one entry of the catalogue.
type Dataset struct {
	ID              string            `json:"id"`
	Slug            string            `json:"slug"`
	Title           string            `json:"title"`
	Description     string            `json:"description"`
	Publisher       string            `json:"publisher"` // organisation id
	ContactPoint    ContactPoint      `json:"contactPoint"`
	Keywords        []string          `json:"keywords,omitempty"`
	Themes          []string          `json:"themes,omitempty"` // data.gov.uk theme slugs
	Licence         string            `json:"licence"`          // licence id
	UpdateFrequency string            `json:"updateFrequency,omitempty"`
	Spatial         *SpatialCoverage  `json:"spatial,omitempty"`
	Temporal        *TemporalCoverage `json:"temporal,omitempty"`
	Issued          *time.Time        `json:"issued,omitempty"` // first publication
	Modified        time.Time         `json:"modified"`
	Status          Status            `json:"status"`
	Inspire         *Inspire          `json:"inspire,omitempty"`
	// ErrorThreshold is how many rows with errors an uploaded file may have
	// and still publish; nil means DefaultErrorThreshold.
	ErrorThreshold *ErrorThreshold `json:"errorThreshold,omitempty"`
}

// IsSpatial reports whether the dataset carries INSPIRE metadata.
func (d Dataset) IsSpatial() bool { return d.Inspire != nil }

var (
	slugRe    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	gssRe     = regexp.MustCompile(`^[EWSNK][0-9]{8}$`)
	keywordRe = regexp.MustCompile(`^[\pL\pN][\pL\pN _.\-'&/()]*$`)
)

// Limits of the text fields. MaxSlugLen is CKAN's limit on a package name,
// which is what harvesters will try to store the slug as.
const (
	MaxSlugLen     = 100
	MaxTitleLen    = 200
	MaxDescLen     = 20000
	MaxKeywords    = 50
	MaxKeywordLen  = 100
	minSlugLen     = 2
	maxAbstractLen = MaxDescLen
)

// ApplyDefaults fills what a new dataset may omit: the OGL licence, draft
// status and, for a spatial dataset, a file identifier, access constraints
// and language. It derives the slug from the title when none is given; the
// store still makes it unique (see UniqueSlug).
func (d *Dataset) ApplyDefaults() {
	if d.Licence == "" {
		d.Licence = DefaultLicence
	} else if l, ok := LookupLicence(d.Licence); ok {
		d.Licence = l.ID
	}
	if d.Status == "" {
		d.Status = StatusDraft
	}
	if d.Slug == "" {
		d.Slug = Slugify(d.Title)
	}
	for i, t := range d.Themes {
		if th, ok := LookupTheme(t); ok {
			d.Themes[i] = th.Slug
		}
	}
	if d.Inspire != nil {
		if d.Inspire.FileIdentifier == "" {
			d.Inspire.FileIdentifier = NewFileIdentifier()
		}
		if d.Inspire.AccessConstraints == "" {
			d.Inspire.AccessConstraints = "no limitations"
		}
		if d.Inspire.Language == "" {
			d.Inspire.Language = "eng"
		}
	}
}

// Validate reports every problem with the dataset's fields.
func (d Dataset) Validate() error {
	var p domain.Problems
	if !slugRe.MatchString(d.Slug) || len(d.Slug) < minSlugLen || len(d.Slug) > MaxSlugLen {
		p.Add("slug", "must be %d-%d lower-case letters, digits and single hyphens, e.g. \"spend-over-500-2024\"", minSlugLen, MaxSlugLen)
	}
	switch t := strings.TrimSpace(d.Title); {
	case t == "":
		p.Add("title", "is required, e.g. \"Spending over £500\"")
	case len(d.Title) > MaxTitleLen:
		p.Add("title", "must be at most %d characters", MaxTitleLen)
	}
	switch t := strings.TrimSpace(d.Description); {
	case t == "":
		p.Add("description", "is required: say what the data is, how it is collected and its caveats")
	case len(d.Description) > maxAbstractLen:
		p.Add("description", "must be at most %d characters", maxAbstractLen)
	}
	if strings.TrimSpace(d.Publisher) == "" {
		p.Add("publisher", "is required: the id of the publishing organisation, e.g. \"bdc\"")
	}
	if e := d.ContactPoint.Email; e == "" {
		p.Add("contactPoint.email", "is required so users can ask about the data, e.g. opendata@bolsover.gov.uk")
	} else if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
		p.Add("contactPoint.email", "must be a plain email address such as opendata@bolsover.gov.uk")
	}
	if len(d.ContactPoint.Name) > 200 {
		p.Add("contactPoint.name", "must be at most 200 characters")
	}
	if len(d.Keywords) > MaxKeywords {
		p.Add("keywords", "must be at most %d keywords", MaxKeywords)
	}
	seen := map[string]bool{}
	for i, k := range d.Keywords {
		f := fmt.Sprintf("keywords[%d]", i)
		switch {
		case len(k) > MaxKeywordLen || !keywordRe.MatchString(k):
			p.Add(f, "must be 1-%d characters of letters, digits, spaces and - _ . ' & / ( ), starting with a letter or digit", MaxKeywordLen)
		case seen[strings.ToLower(k)]:
			p.Add(f, "%q is repeated", k)
		}
		seen[strings.ToLower(k)] = true
	}
	for i, t := range d.Themes {
		if th, ok := LookupTheme(t); !ok || th.Slug != t {
			p.Add(fmt.Sprintf("themes[%d]", i), "%q is not a data.gov.uk theme; use one of %s", t, strings.Join(ThemeSlugs(), ", "))
		}
	}
	if l, ok := LookupLicence(d.Licence); !ok || l.ID != d.Licence {
		p.Add("licence", "must be one of %s (default %s)", strings.Join(LicenceIDs(), ", "), DefaultLicence)
	}
	if d.UpdateFrequency != "" {
		if f, ok := LookupFrequency(d.UpdateFrequency); !ok || f.Code != d.UpdateFrequency {
			p.Add("updateFrequency", "must be one of %s", strings.Join(FrequencyCodes(), ", "))
		}
	}
	if s := d.Spatial; s != nil {
		if s.BBox == nil && s.Place == "" && s.GSSCode == "" {
			p.Add("spatial", "give a bbox, a place name or a GSS code, or leave spatial out")
		}
		if s.BBox != nil {
			p = append(p, s.BBox.problems().Prefix("spatial.")...)
		}
		if s.GSSCode != "" && !gssRe.MatchString(s.GSSCode) {
			p.Add("spatial.gssCode", "must be an ONS GSS code: E, W, S, N or K and 8 digits, e.g. E07000033")
		}
		if len(s.Place) > 200 {
			p.Add("spatial.place", "must be at most 200 characters")
		}
	}
	if t := d.Temporal; t != nil && t.Start != nil && t.End != nil && t.End.Before(*t.Start) {
		p.Add("temporal.end", "must not be before temporal.start")
	}
	if !slices.Contains([]Status{StatusDraft, StatusPublished, StatusWithdrawn}, d.Status) {
		p.Add("status", "must be draft, published or withdrawn")
	}
	if d.Status == StatusPublished && d.Issued == nil {
		p.Add("issued", "is set when the dataset is first published; publish through the status change")
	}
	if d.Issued != nil && !d.Modified.IsZero() && d.Modified.Before(*d.Issued) {
		p.Add("modified", "must not be before issued")
	}
	if d.ErrorThreshold != nil {
		p = append(p, d.ErrorThreshold.problems().Prefix("errorThreshold.")...)
	}
	if d.Inspire != nil {
		// The bounding box is not required here: publishing a version fills it
		// from the data, and GeminiMissing reports it until then.
		p = append(p, d.Inspire.problems().Prefix("inspire.")...)
	}
	return p.Err()
}

// Transition moves the dataset to status to at now, refusing illegal changes
// with the allowed ones listed. Publishing validates the whole dataset first,
// and the first publication sets Issued.
func (d *Dataset) Transition(to Status, now time.Time) error {
	if !slices.Contains(transitions[d.Status], to) {
		allowed := transitions[d.Status]
		e := domain.Errorf(domain.CodeConflict, "a %s dataset cannot become %s", d.Status, to)
		for _, a := range allowed {
			e.Allowed = append(e.Allowed, string(a))
		}
		return e
	}
	next := *d
	next.Status = to
	if to == StatusPublished && next.Issued == nil {
		t := now.UTC()
		next.Issued = &t
	}
	next.Modified = now.UTC()
	if to == StatusPublished {
		if err := next.Validate(); err != nil {
			return err
		}
	}
	*d = next
	return nil
}

// CheckChange refuses an update that alters what must stay stable: the id,
// the publisher, the issued date, the status (which changes only through
// Transition), the slug once the dataset has been published (its URLs are
// cited and harvested) and a spatial dataset's file identifier.
func (d Dataset) CheckChange(next Dataset) error {
	var p domain.Problems
	if next.ID != d.ID {
		p.Add("id", "cannot change")
	}
	if next.Publisher != d.Publisher {
		p.Add("publisher", "cannot change; publish a new dataset under the other organisation")
	}
	if next.Status != d.Status {
		p.Add("status", "changes through the status transition, not an update")
	}
	if (d.Issued == nil) != (next.Issued == nil) || (d.Issued != nil && !d.Issued.Equal(*next.Issued)) {
		p.Add("issued", "is set by the first publication and cannot change")
	}
	if d.Issued != nil && next.Slug != d.Slug {
		p.Add("slug", "cannot change after the first publication: its download URLs are in use")
	}
	if d.Inspire != nil && d.Inspire.FileIdentifier != "" &&
		(next.Inspire == nil || next.Inspire.FileIdentifier != d.Inspire.FileIdentifier) {
		p.Add("inspire.fileIdentifier", "cannot change once assigned: harvesters key their copy on it")
	}
	if len(p) == 0 {
		return nil
	}
	return &domain.Error{Code: domain.CodeConflict, Message: "the update changes fields that must stay stable", Fields: p}
}

// Slugify derives a slug from a title: accents dropped, "&" read as "and",
// every other run of non-alphanumerics a single hyphen, at most MaxSlugLen
// characters, cut at a word boundary where possible.
func Slugify(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range norm.NFKD.String(strings.ReplaceAll(title, "&", " and ")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		default:
			hyphen = true
		}
	}
	s := b.String()
	if len(s) > MaxSlugLen {
		s = s[:MaxSlugLen]
		if i := strings.LastIndexByte(s, '-'); i > MaxSlugLen/2 {
			s = s[:i]
		}
		s = strings.TrimRight(s, "-")
	}
	if len(s) < minSlugLen {
		s = "dataset" + map[bool]string{true: "-" + s, false: ""}[s != ""]
	}
	return s
}

// UniqueSlug returns base, or base-2, base-3, … the first that taken reports
// free. The store calls it inside the transaction that enforces uniqueness.
func UniqueSlug(base string, taken func(string) bool) string {
	if !taken(base) {
		return base
	}
	for n := 2; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		stem := base
		if len(stem)+len(suffix) > MaxSlugLen {
			stem = strings.TrimRight(stem[:MaxSlugLen-len(suffix)], "-")
		}
		if s := stem + suffix; !taken(s) {
			return s
		}
	}
}
