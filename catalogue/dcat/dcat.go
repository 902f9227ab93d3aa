package dcat

import (
	"strconv"
	"strings"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
)

// Catalog describes the catalogue itself (the dcat:Catalog node).
type Catalog struct {
	BaseURL     string // absolute, no trailing slash
	Title       string
	Description string
	// Publisher runs the catalogue: the host authority of the shared service.
	Publisher domain.Organisation
	// Homepage is the catalogue's HTML home page for people.
	Homepage string
	// Issued and Modified are the first publication and the latest change
	// of any dataset in the whole catalogue, not only the page served.
	Issued, Modified time.Time
	// Profile is the DCAT-AP release the description follows.
	Profile Profile
}

// URI is the catalogue's identifier, which dereferences by content
// negotiation: {base}/catalog.
func (c Catalog) URI() string { return c.BaseURL + "/catalog" }

// Paging is one page of a paged catalogue. PageURL builds the URL of page n
// in the representation being served, so hydra links keep the client's format.
type Paging struct {
	Page    int // 1-based
	PerPage int
	Total   int // datasets in the whole catalogue
	PageURL func(n int) string
}

// PageBounds returns the slice bounds of page (1-based) of total items and
// the last page number (1 when there are no items). A page past the end
// gives lo == hi: an empty page, which harvesters read as "no more".
func PageBounds(total, page, perPage int) (lo, hi, last int) {
	last = max(1, (total+perPage-1)/perPage)
	lo = min(total, (page-1)*perPage)
	hi = min(total, lo+perPage)
	return lo, hi, last
}

// PublisherURI identifies an organisation as a foaf:Agent; it dereferences
// to the organisation's JSON record.
func PublisherURI(base string, o domain.Organisation) string {
	return base + "/api/v1/organisations/" + o.ID
}

// ThemeSchemeURI is the concept scheme of data.gov.uk's themes as this
// catalogue publishes it; ThemeURI one of its concepts.
func ThemeSchemeURI(base string) string      { return base + "/def/theme" }
func ThemeURI(base, slug string) string      { return ThemeSchemeURI(base) + "/" + slug }
func xsdTime(t time.Time) Term               { return Typed(t.UTC().Format(time.RFC3339), NSXSD+"dateTime") }
func rdfType(g *Graph, s Term, class string) { g.Add(s, NSRDF+"type", IRI(class)) }

// CatalogGraph describes one page of the catalogue: the dcat:Catalog with
// the page's datasets (page, already cut to p) and a hydra:PagedCollection
// node carrying the links ckanext-dcat's RDF harvester follows (hydra:next,
// or the older hydra:nextPage) and the totals.
func CatalogGraph(cat Catalog, page []catalogue.Entry, p Paging) *Graph {
	g := newGraph(64 + 70*len(page))
	g.profile = cat.Profile
	c := catalogHead(g, cat, p)
	for _, e := range page {
		g.Add(c, NSDCAT+"dataset", IRI(e.URI))
		addDataset(g, cat.BaseURL, e)
	}
	addPaging(g, p)
	return g
}

// catalogHead describes the catalogue at the head of a page of its
// datasets, with the whole catalogue's dates when it has any.
func catalogHead(g *Graph, cat Catalog, p Paging) Term {
	c := catalogNode(g, cat)
	if p.Total > 0 {
		g.Add(c, NSDCT+"issued", xsdTime(cat.Issued))
		g.Add(c, NSDCT+"modified", xsdTime(cat.Modified))
	}
	return c
}

// catalogNode describes the catalogue itself.
func catalogNode(g *Graph, cat Catalog) Term {
	c := IRI(cat.URI())
	rdfType(g, c, NSDCAT+"Catalog")
	g.AddText(c, NSDCT+"title", cat.Title, "en")
	g.AddText(c, NSDCT+"description", cat.Description, "en")
	g.Add(c, NSDCT+"publisher", agent(g, cat.BaseURL, cat.Publisher))
	if cat.Homepage != "" {
		home := IRI(cat.Homepage)
		g.Add(c, NSFOAF+"homepage", home)
		rdfType(g, home, NSFOAF+"Document")
	}
	lang := IRI(euLanguage("eng"))
	g.Add(c, NSDCT+"language", lang)
	concept(g, lang, NSDCT+"LinguisticSystem", EULanguage, "English")
	eu := IRI(EUDataTheme)
	g.Add(c, NSDCAT+"themeTaxonomy", eu)
	rdfType(g, eu, NSSKOS+"ConceptScheme")
	g.AddText(eu, NSDCT+"title", "Data theme", "en")
	dgu := IRI(ThemeSchemeURI(cat.BaseURL))
	g.Add(c, NSDCAT+"themeTaxonomy", dgu)
	rdfType(g, dgu, NSSKOS+"ConceptScheme")
	g.AddText(dgu, NSDCT+"title", "data.gov.uk themes", "en")
	return c
}

// addPaging adds the hydra:PagedCollection node of a page.
func addPaging(g *Graph, p Paging) {
	_, _, last := PageBounds(p.Total, p.Page, p.PerPage)
	pc := IRI(p.PageURL(p.Page))
	rdfType(g, pc, NSHYDRA+"PagedCollection")
	g.Add(pc, NSHYDRA+"totalItems", Typed(strconv.Itoa(p.Total), NSXSD+"integer"))
	g.Add(pc, NSHYDRA+"itemsPerPage", Typed(strconv.Itoa(p.PerPage), NSXSD+"integer"))
	link := func(old, cur string, n int) {
		// ckanext-dcat writes the deprecated *Page predicates as plain
		// literals and reads either; the current Hydra terms are links.
		u := p.PageURL(n)
		g.Add(pc, NSHYDRA+old, Literal(u))
		g.Add(pc, NSHYDRA+cur, IRI(u))
	}
	link("firstPage", "first", 1)
	link("lastPage", "last", last)
	if p.Page < last {
		link("nextPage", "next", p.Page+1)
	}
	if p.Page > 1 {
		link("previousPage", "previous", min(p.Page-1, last))
	}
}

// DatasetGraph describes one dataset on its own, as /dataset/{slug} serves it.
func DatasetGraph(base string, e catalogue.Entry, prof Profile) *Graph {
	g := newGraph(80)
	g.profile = prof
	addDataset(g, base, e)
	return g
}

// Withdrawn is the ADMS status of a withdrawn dataset's catalogue record.
const Withdrawn = "http://purl.org/adms/status/Withdrawn"

// WithdrawnGraph lists a page of withdrawn datasets as DCAT-AP catalogue
// records with adms:status Withdrawn and the withdrawal as dct:modified, so
// a harvester that copies incrementally learns what to delete. The
// datasets are named with their title and description only: their files
// are gone. cat.Modified is the latest withdrawal.
func WithdrawnGraph(cat Catalog, page []catalogue.Entry, p Paging) *Graph {
	g := newGraph(32 + 16*len(page))
	g.profile = cat.Profile
	c := catalogNode(g, cat)
	if p.Total > 0 {
		g.Add(c, NSDCT+"modified", xsdTime(cat.Modified))
	}
	status := IRI(Withdrawn)
	for _, e := range page {
		rec := IRI(e.URI + "#record")
		g.Add(c, NSDCAT+"record", rec)
		rdfType(g, rec, NSDCAT+"CatalogRecord")
		g.Add(rec, NSFOAF+"primaryTopic", IRI(e.URI))
		g.Add(rec, NSDCT+"modified", xsdTime(e.Dataset.Modified))
		g.Add(rec, NSADMS+"status", status)
		concept(g, status, NSSKOS+"Concept", "http://purl.org/adms/status/1.0", "Withdrawn")
		ds := IRI(e.URI)
		rdfType(g, ds, NSDCAT+"Dataset")
		if g.profile == AP300 {
			rdfType(g, ds, NSDCAT+"Resource") // the class 3.0.0's shape checks, without inference
		}
		g.Add(ds, NSDCT+"identifier", Literal(e.Dataset.ID))
		g.AddText(ds, NSDCT+"title", e.Dataset.Title, "en")
		g.AddText(ds, NSDCT+"description", e.Dataset.Description, "en")
	}
	addPaging(g, p)
	return g
}

// concept describes a controlled-vocabulary value the way the DCAT-AP
// vocabulary shapes check it: its class, a label and the scheme it is in.
func concept(g *Graph, t Term, class, scheme, label string) {
	if !g.once(description{"concept", t.Value, class, scheme, label}) {
		return
	}
	rdfType(g, t, class)
	if class != NSSKOS+"Concept" {
		rdfType(g, t, NSSKOS+"Concept")
	}
	g.AddText(t, NSSKOS+"prefLabel", label, "en")
	g.Add(t, NSSKOS+"inScheme", IRI(scheme))
}

// agent describes an organisation as a foaf:Agent of publisher type "local
// authority".
func agent(g *Graph, base string, o domain.Organisation) Term {
	a := IRI(PublisherURI(base, o))
	if !g.once(description{"agent", a.Value, o.Name, o.Website, ""}) {
		return a
	}
	rdfType(g, a, NSFOAF+"Agent")
	rdfType(g, a, NSFOAF+"Organization")
	g.AddText(a, NSFOAF+"name", o.Name, "en")
	if o.Website != "" {
		g.Add(a, NSFOAF+"homepage", IRI(o.Website))
	}
	pt := IRI(publisherType + "LocalAuthority")
	g.Add(a, NSDCT+"type", pt)
	concept(g, pt, NSSKOS+"Concept", publisherType+"1.0", "Local Authority")
	return a
}

func addDataset(g *Graph, base string, e catalogue.Entry) {
	d := e.Dataset
	ds := IRI(e.URI)
	rdfType(g, ds, NSDCAT+"Dataset")
	g.Add(ds, NSDCT+"identifier", Literal(d.ID))
	g.AddText(ds, NSDCT+"title", d.Title, "en")
	g.AddText(ds, NSDCT+"description", d.Description, "en")
	g.Add(ds, NSDCT+"publisher", agent(g, base, e.Publisher))
	g.Add(ds, NSDCT+"issued", xsdTime(e.Issued()))
	g.Add(ds, NSDCT+"modified", xsdTime(e.Modified()))
	if e.LandingPage != "" {
		lp := IRI(e.LandingPage)
		g.Add(ds, NSDCAT+"landingPage", lp)
		rdfType(g, lp, NSFOAF+"Document")
	}
	if e.Current.Number > 0 {
		g.Add(ds, NSOWL+"versionInfo", Literal(strconv.Itoa(e.Current.Number)))
	}
	ar := IRI(EUAccessRight + "/PUBLIC")
	g.Add(ds, NSDCT+"accessRights", ar)
	concept(g, ar, NSDCT+"RightsStatement", EUAccessRight, "public")

	if cp := d.ContactPoint; cp.Email != "" {
		k := g.Blank()
		g.Add(ds, NSDCAT+"contactPoint", k)
		rdfType(g, k, NSVCARD+"Kind")
		name := cp.Name
		if name == "" {
			name = e.Publisher.Name
		}
		g.AddText(k, NSVCARD+"fn", name, "")
		g.Add(k, NSVCARD+"hasEmail", IRI("mailto:"+cp.Email))
	}
	for _, kw := range d.Keywords {
		g.AddText(ds, NSDCAT+"keyword", kw, "en")
	}
	for _, slug := range d.Themes {
		for _, t := range euThemes[slug] {
			th := IRI(EUDataTheme + "/" + t.Code)
			g.Add(ds, NSDCAT+"theme", th)
			concept(g, th, NSSKOS+"Concept", EUDataTheme, t.Label)
		}
		if t, ok := opendata.LookupTheme(slug); ok {
			th := IRI(ThemeURI(base, t.Slug))
			g.Add(ds, NSDCAT+"theme", th)
			concept(g, th, NSSKOS+"Concept", ThemeSchemeURI(base), t.Title)
			g.Add(th, NSSKOS+"notation", Literal(t.Slug))
		}
	}
	if f, ok := opendata.LookupFrequency(d.UpdateFrequency); ok {
		fr := IRI(f.EU)
		g.Add(ds, NSDCT+"accrualPeriodicity", fr)
		concept(g, fr, NSDCT+"Frequency", EUFrequency, f.Title)
	}
	language := "eng"
	if d.Inspire != nil && d.Inspire.Language != "" {
		language = d.Inspire.Language
	}
	lang := IRI(euLanguage(language))
	g.Add(ds, NSDCT+"language", lang)
	concept(g, lang, NSDCT+"LinguisticSystem", EULanguage, strings.ToUpper(language))
	addSpatial(g, ds, e)
	if t := d.Temporal; t != nil && (t.Start != nil || t.End != nil) {
		pt := g.Blank()
		g.Add(ds, NSDCT+"temporal", pt)
		rdfType(g, pt, NSDCT+"PeriodOfTime")
		if t.Start != nil {
			g.Add(pt, NSDCAT+"startDate", dateTerm(*t.Start))
		}
		if t.End != nil {
			g.Add(pt, NSDCAT+"endDate", dateTerm(*t.End))
		}
	}
	addInspire(g, ds, d)
	if e.MetadataRecordURL != "" {
		rec := IRI(e.MetadataRecordURL)
		g.Add(ds, NSFOAF+"page", rec)
		rdfType(g, rec, NSFOAF+"Document")
	}
	lic := licence(g, d.Licence)
	for _, dist := range e.Distributions {
		addDistribution(g, ds, e, dist, lic)
	}
}

// dateTerm writes a date when the instant is a whole UTC day, as temporal
// coverage usually is, and a date-time otherwise.
func dateTerm(t time.Time) Term {
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return Typed(t.Format(time.DateOnly), NSXSD+"date")
	}
	return xsdTime(t)
}

func licence(g *Graph, id string) *Term {
	l, ok := opendata.LookupLicence(id)
	if !ok || l.URL == "" {
		return nil
	}
	t := IRI(l.URL)
	if !g.once(description{"licence", l.ID, "", "", ""}) {
		return &t
	}
	rdfType(g, t, NSDCT+"LicenseDocument")
	g.AddText(t, NSRDFS+"label", l.Title, "en")
	typ := IRI(licenceType + "Attribution")
	if l.ID == "CC0-1.0" || l.ID == "PDDL" {
		typ = IRI(licenceType + "PublicDomain")
	}
	g.Add(t, NSDCT+"type", typ)
	concept(g, typ, NSSKOS+"Concept", licenceType+"1.0", strings.TrimPrefix(typ.Value, licenceType))
	return &t
}
