package api

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
)

// The publishers' pages: their council's datasets, creating one, a
// dataset's page with its versions and the upload form, a version's page
// (the job's progress, then the validation report), publishing, and what
// each harvest format says of the dataset. Publishers and admins sign in;
// every read and write is app/opendata's as that person, so the pages
// allow exactly what the JSON API allows with their key, audited the same.

type publishingPages struct {
	s   *Server
	svc *appod.Service
}

func (s *Server) publishingPagesRoutes() {
	p := &publishingPages{s: s, svc: s.app.OpenData}
	e := s.Echo
	in := []echo.MiddlewareFunc{s.requireSignIn, requireArea(domain.AreaOpenData)}
	e.GET("/publishing", p.list, in...)
	e.GET("/publishing/new", p.createForm, in...)
	e.POST("/publishing/new", p.create, in...)
	e.GET("/publishing/datasets/:id", p.dataset, in...)
	e.GET("/publishing/datasets/:id/edit", p.editForm, in...)
	e.POST("/publishing/datasets/:id/edit", p.edit, in...)
	// The upload's path ends in /versions, which the JSON body limit leaves
	// to the upload's own limit.
	e.POST("/publishing/datasets/:id/versions", p.upload, in...)
	e.GET("/publishing/datasets/:id/versions/:n", p.version, in...)
	e.POST("/publishing/datasets/:id/publish", p.status(od.StatusPublished), in...)
	e.GET("/publishing/datasets/:id/withdraw", p.withdrawForm, in...)
	e.POST("/publishing/datasets/:id/withdraw", p.status(od.StatusWithdrawn), in...)
	e.GET("/publishing/datasets/:id/harvest", p.harvest, in...)
}

var publishingCrumbs = []pageLink{{"/", "Home"}, {"/publishing", "Publishing"}}

func datasetBase(id string) string { return "/publishing/datasets/" + url.PathEscape(id) }

func datasetCrumbs(d appod.DatasetRecord) []pageLink {
	return append(append([]pageLink{}, publishingCrumbs...), pageLink{datasetBase(d.ID), d.Title})
}

// publishingList is the reader's datasets, by council, found with the
// list's own search: a publisher with hundreds of drafts finds one by its
// title and pages through a council's list, as a CKAN organisation page
// lets its editors do.
type publishingList struct {
	Query    od.Query
	Statuses []option
	Councils []councilDatasets
	// Choices are the councils the reader publishes for, to narrow the
	// list to one; only shown when there are several.
	Choices []option
	Paging  pagination // when one council is listed
	Total   int
}

type councilDatasets struct {
	Organisation domain.Organisation
	// Datasets are the page shown; Total counts every match, and All links
	// to the council's own paged list when it holds more than the page.
	Datasets []appod.DatasetRecord
	Total    int64
	All      string
}

// every status a publisher's list shows.
var allStatuses = []od.Status{od.StatusDraft, od.StatusPublished, od.StatusWithdrawn}

// publishingPageSize is the datasets per council on the list; a council
// chosen alone pages through all of them at this size.
var publishingPageSize = 50

// list is the datasets of the reader's council (every council's for admins),
// drafts included, filtered by q (title, description, keywords), status and
// publisher; with one council, paged.
func (p *publishingPages) list(c echo.Context) error {
	ctx := c.Request().Context()
	params := c.QueryParams()
	// The list's page size stands in for the search's default, so ?page=
	// is read at it (the links it writes leave limit out).
	asked := params
	if !params.Has("limit") {
		asked = maps.Clone(params)
		asked.Set("limit", strconv.Itoa(publishingPageSize))
	}
	q, err := od.ParseQuery(asked)
	if err != nil {
		return err
	}
	if len(q.Status) == 0 {
		q.Status = allStatuses
	}
	if q.Sort == "" && q.Q == "" {
		q.Sort = od.SortTitle
	}
	orgs, err := p.svc.Organisations(ctx)
	if err != nil {
		return err
	}
	d := publishingList{Query: q}
	for _, s := range allStatuses {
		d.Statuses = append(d.Statuses, option{Value: string(s), Text: strings.ToUpper(string(s[:1])) + string(s[1:]),
			Selected: len(q.Status) == 1 && q.Status[0] == s})
	}
	var mine []domain.Organisation
	for _, o := range orgs {
		if actor(c).Authorize(domain.AreaOpenData, o.ID) == nil {
			mine = append(mine, o)
		}
	}
	chosen := map[string]bool{}
	for _, id := range q.Publisher {
		chosen[id] = true
	}
	if len(mine) > 1 {
		for _, o := range mine {
			d.Choices = append(d.Choices, option{Value: o.ID, Text: o.Name, Selected: len(q.Publisher) == 1 && chosen[o.ID]})
		}
	}
	var listed []domain.Organisation
	for _, o := range mine {
		if len(chosen) == 0 || chosen[o.ID] {
			listed = append(listed, o)
		}
	}
	if len(listed) != 1 {
		q.Offset = 0 // paging is for one council's list
	}
	for _, o := range listed {
		oq := q
		oq.Publisher = []string{o.ID}
		sets, total, err := p.svc.Search(ctx, actor(c), oq)
		if err != nil {
			return err
		}
		cd := councilDatasets{Organisation: o, Datasets: sets, Total: total}
		if len(listed) > 1 && total > int64(len(sets)) {
			v := url.Values{}
			for k, vals := range params {
				if k != "page" && k != "offset" && k != "publisher" {
					v[k] = vals
				}
			}
			v.Set("publisher", o.ID)
			cd.All = "/publishing" + queryString(v)
		}
		d.Councils = append(d.Councils, cd)
		d.Total += int(total)
		if len(listed) == 1 {
			d.Paging = paginate("/publishing", "Pages of datasets", params, oq, int(total))
		}
	}
	return p.s.renderWorkbench(c, 200, "publishing/list", page{Title: "Publishing", Crumbs: []pageLink{{"/", "Home"}}, Data: d})
}

// datasetInputs is the new dataset form; admins choose the publisher.
func datasetInputs(pr domain.Principal, orgs []domain.Organisation) []formInput {
	const about, use, tmpl, spatial = "The dataset", "Use and upkeep", "Transparency Code", "Spatial data (INSPIRE)"
	var in []formInput
	if pr.Role == domain.RoleAdmin {
		var pubs []option
		for _, o := range orgs {
			pubs = append(pubs, option{Value: o.ID, Text: o.Name})
		}
		in = append(in, formInput{Name: "publisher", Label: "Publisher", Kind: "select", Options: pubs, Section: about})
	}
	var themes, licences, freqs, templates, topics, inspireThemes []option
	for _, t := range od.Themes {
		themes = append(themes, option{Value: t.Slug, Text: t.Title})
	}
	for _, l := range od.Licences {
		licences = append(licences, option{Value: l.ID, Text: l.Title})
	}
	freqs = append(freqs, option{Value: "", Text: "Not stated"})
	for _, f := range od.Frequencies {
		freqs = append(freqs, option{Value: f.Code, Text: f.Title})
	}
	templates = append(templates, option{Value: "", Text: "None: check the file on its own"})
	for _, t := range od.Templates {
		templates = append(templates, option{Value: t.ID, Text: t.Title})
	}
	topics = append(topics, option{Value: "", Text: "Choose a topic category"})
	for _, t := range od.TopicCategories {
		topics = append(topics, option{Value: t, Text: t})
	}
	inspireThemes = append(inspireThemes, option{Value: "", Text: "Choose an INSPIRE theme"})
	for _, t := range od.InspireThemes {
		inspireThemes = append(inspireThemes, option{Value: t.Code, Text: t.Title + " (Annex " + t.Annex + ")"})
	}
	return append(in,
		formInput{Name: "title", Label: "Title", Hint: "What a search result shows, e.g. Spend over £500 2026-27", Kind: "text", Section: about},
		formInput{Name: "description", Label: "Description", Hint: "What the data is, where it comes from and how often it changes; a spatial dataset's GEMINI record needs at least 100 characters", Kind: "textarea", Section: about},
		formInput{Name: "slug", Label: "Web address name", Hint: "Leave empty to make it from the title; lower-case words joined by hyphens, e.g. spend-over-500", Kind: "text", Width: 20, Section: about},
		formInput{Name: "keywords", Label: "Keywords", Hint: "Separated by commas", Kind: "text", Section: about},
		formInput{Name: "themes", Label: "Themes", Hint: "data.gov.uk's themes, for harvesters", Kind: "checkboxes", Options: themes, Section: about},
		formInput{Name: "licence", Label: "Licence", Kind: "select", Options: licences, Section: use},
		formInput{Name: "updateFrequency", Label: "How often it is updated", Kind: "select", Options: freqs, Section: use},
		formInput{Name: "contactPoint.name", Label: "Contact name", Hint: "A team rather than a person, e.g. Open data team", Kind: "text", Section: use},
		formInput{Name: "contactPoint.email", Label: "Contact email", Kind: "email", Autocomplete: "email", Section: use},
		formInput{Name: "temporal.start", Label: "The data covers from", Kind: "date", Section: use},
		formInput{Name: "temporal.end", Label: "The data covers to", Kind: "date", Section: use},
		formInput{Name: "template", Label: "Template", Hint: "Uploads are checked against the Code's template: headings, types and required values", Kind: "select", Options: templates, Section: tmpl},
		formInput{Name: "spatial", Label: "This is a spatial dataset: publish a GEMINI record and an OGC API collection", Kind: "checkbox", Section: spatial},
		formInput{Name: "inspire.topicCategories", Label: "Topic category", Kind: "select", Options: topics, Section: spatial},
		formInput{Name: "inspire.inspireThemes", Label: "INSPIRE theme", Kind: "select", Options: inspireThemes, Section: spatial},
		formInput{Name: "inspire.lineage", Label: "Lineage", Hint: "How the data was made and kept, e.g. Digitised from OS MasterMap by the planning team", Kind: "textarea", Section: spatial},
		formInput{Name: "inspire.referenceSystem", Label: "Spatial reference system", Hint: "The CRS the data is kept in, e.g. EPSG:27700", Kind: "text", Width: 20, Section: spatial},
		formInput{Name: "inspire.spatialResolution.equivalentScale", Label: "Equivalent scale", Hint: "The denominator, e.g. 1250 for 1:1250", Kind: "number", Width: 10, Section: spatial},
		formInput{Name: "inspire.resourceIdentifier.code", Label: "Resource identifier", Hint: "The council's own code for the dataset, e.g. conservation-areas", Kind: "text", Width: 20, Section: spatial},
		formInput{Name: "inspire.conformity", Label: "Conformity with Commission Regulation (EU) No 1089/2010", Kind: "select", Section: spatial,
			Options: []option{{Value: "", Text: "Not stated"}, {Value: od.ConformityNotEvaluated, Text: "Not evaluated"},
				{Value: od.ConformityPass, Text: "Conformant"}, {Value: od.ConformityFail, Text: "Not conformant"}}},
	)
}

// inspireSpecification is the specification a dataset's conformity
// states, and its publication date.
const inspireSpecification, inspireSpecificationDate = "Commission Regulation (EU) No 1089/2010 of 23 November 2010 implementing Directive 2007/2/EC of the European Parliament and of the Council as regards interoperability of spatial data sets and services", "2010-12-08"

func (p *publishingPages) createForm(c echo.Context) error {
	orgs, err := p.svc.Organisations(c.Request().Context())
	if err != nil {
		return err
	}
	return p.renderCreate(c, newForm("/publishing/new", url.Values{"licence": {od.DefaultLicence}}, datasetInputs(principal(c), orgs)...))
}

func (p *publishingPages) renderCreate(c echo.Context, f *pageForm) error {
	return p.s.renderWorkbench(c, max(f.Status, 200), "workbench-form", page{Title: f.title("Create a dataset"), Crumbs: publishingCrumbs,
		Data: formData{Form: f, Submit: "Create the dataset", Back: pageLink{"/publishing", "Back to your datasets"},
			Intro: []string{"The dataset starts as a draft only your council's publishers see. Upload a file on its page, read the report, then publish it."}}})
}

// datasetFrom reads the new dataset form.
func datasetFrom(f *pageForm) appod.DatasetInput {
	in := appod.DatasetInput{Dataset: od.Dataset{Publisher: f.text("publisher"), Title: f.text("title"), Description: f.text("description"),
		Slug: f.text("slug"), Keywords: f.list("keywords"), Themes: f.all("themes"), Licence: f.text("licence"),
		UpdateFrequency: f.text("updateFrequency"), ContactPoint: od.ContactPoint{Name: f.text("contactPoint.name"), Email: f.text("contactPoint.email")}},
		Template: f.text("template")}
	start, end := f.day("temporal.start"), f.day("temporal.end")
	if !start.IsZero() || !end.IsZero() {
		in.Temporal = &od.TemporalCoverage{}
		if !start.IsZero() {
			t := start.Time()
			in.Temporal.Start = &t
		}
		if !end.IsZero() {
			t := end.Time()
			in.Temporal.End = &t
		}
	}
	if !f.yes("spatial") {
		return in
	}
	ins := &od.Inspire{Lineage: f.text("inspire.lineage"), ReferenceSystem: f.text("inspire.referenceSystem")}
	if v := f.text("inspire.topicCategories"); v != "" {
		ins.TopicCategories = []string{v}
	}
	if v := f.text("inspire.inspireThemes"); v != "" {
		ins.Themes = []string{v}
	}
	if n := f.whole("inspire.spatialResolution.equivalentScale"); n != 0 {
		ins.Resolution = &od.Resolution{EquivalentScale: n}
	}
	if code := f.text("inspire.resourceIdentifier.code"); code != "" {
		ins.ResourceIdentifier = &od.ResourceIdentifier{Code: code}
	}
	if r := f.text("inspire.conformity"); r != "" {
		ins.Conformity = []od.Conformity{{Specification: inspireSpecification, Date: inspireSpecificationDate, Result: r}}
	}
	in.Inspire = ins
	return in
}

func (p *publishingPages) create(c echo.Context) error {
	ctx := c.Request().Context()
	orgs, err := p.svc.Organisations(ctx)
	if err != nil {
		return err
	}
	// The use case's problems name nested members with brackets
	// ("inspire.topicCategories[0]"); the inputs hold the first of each.
	f := posted(c, "/publishing/new", datasetInputs(principal(c), orgs)...).label("inspire", "INSPIRE metadata")
	in := datasetFrom(f)
	if f.ok() {
		d, _, err := p.svc.Create(ctx, actor(c), in)
		if err == nil {
			return seeOther(c, datasetBase(d.ID)+"?done=created")
		}
		if !f.refused(err) {
			return err
		}
	}
	return p.renderCreate(c, f)
}

// publisherDatasetData is a dataset's page.
type publisherDatasetData struct {
	D          appod.DatasetRecord
	Publisher  string
	Versions   []appod.VersionRecord
	Upload     *pageForm
	Done       string
	CanPublish bool
	// GeminiMissing names what the GEMINI record still lacks (spatial only).
	GeminiMissing []string
	Licence       string
	CanWithdraw   bool
	// Version is the record's, for the publish form's If-Match.
	Version int64
}

var datasetDone = map[string]string{
	"created":   "The dataset is created as a draft. Upload its first file below.",
	"edited":    "The changes are saved.",
	"published": "The dataset is published: it is in the catalogue and every harvest format.",
	"withdrawn": "The dataset is withdrawn: its record stays, its files are no longer served.",
}

// uploadInputs is the upload form: how to read the file first (a
// multipart form is read in order, and the file is streamed), then the file.
var uploadInputs = []formInput{
	{Name: "crs", Label: "Coordinate reference system", Hint: "Only when the file does not say, e.g. EPSG:27700", Kind: "text", Width: 20, Section: "options"},
	{Name: "x", Label: "Column of eastings or longitudes", Hint: "A CSV file's coordinate columns, when their headings are not the usual ones", Kind: "text", Width: 20, Section: "options"},
	{Name: "y", Label: "Column of northings or latitudes", Kind: "text", Width: 20, Section: "options"},
	{Name: "layer", Label: "GeoPackage layer", Hint: "When the GeoPackage holds several", Kind: "text", Width: 20, Section: "options"},
	{Name: "axisOrder", Label: "Order of each position", Hint: "Only when the report asks you to confirm it", Kind: "select", Section: "options",
		Options: []option{{Value: "", Text: "As the file says"}, {Value: "lonlat", Text: "Longitude or easting first"}, {Value: "latlon", Text: "Latitude or northing first"}}},
	{Name: "file", Label: "File", Hint: "CSV, JSON, GeoJSON, GeoPackage, zipped Shapefile or GML", Kind: "file"},
}

func (p *publishingPages) dataset(c echo.Context) error {
	d, version, err := p.load(c)
	if err != nil {
		return err
	}
	return p.renderDataset(c, d, version, newForm(datasetBase(d.ID)+"/versions", nil, uploadInputs...))
}

// load reads the dataset of the page's path for the reader, who must be
// one of its publishers: anyone else is told it does not exist, as the
// API tells them of a draft.
func (p *publishingPages) load(c echo.Context) (appod.DatasetRecord, int64, error) {
	d, m, err := p.svc.Get(c.Request().Context(), actor(c), c.Param("id"))
	if err == nil {
		err = actor(c).Authorize(domain.AreaOpenData, d.Publisher)
	}
	return d, m.Version, err
}

func (p *publishingPages) renderDataset(c echo.Context, d appod.DatasetRecord, version int64, upload *pageForm) error {
	ctx := c.Request().Context()
	versions, _, err := p.svc.Versions(ctx, actor(c), d.ID, 100, 0)
	if err != nil {
		return err
	}
	data := publisherDatasetData{D: d, Publisher: p.orgName(ctx, d.Publisher), Versions: versions, Upload: upload, Version: version,
		Done: datasetDone[c.QueryParam("done")], CanPublish: slices.Contains(od.NextStatuses(d.Status), od.StatusPublished) && d.CurrentVersion > 0,
		CanWithdraw: slices.Contains(od.NextStatuses(d.Status), od.StatusWithdrawn)}
	if l, ok := od.LookupLicence(d.Licence); ok {
		data.Licence = l.Title
	}
	if d.IsSpatial() {
		data.GeminiMissing = p.s.app.Inspire.Missing(ctx, d, p.s.baseURL(c))
	}
	return p.s.renderWorkbench(c, max(upload.Status, 200), "publishing/dataset", page{Title: upload.title(d.Title), Crumbs: publishingCrumbs, Data: data})
}

func (p *publishingPages) orgName(ctx context.Context, id string) string {
	if o, _, err := p.svc.Organisation(ctx, id); err == nil && o.Name != "" {
		return o.Name
	}
	return id
}

// upload streams the posted file to the upload use case as a new version
// and sends the browser to the version's page, which follows its job.
func (p *publishingPages) upload(c echo.Context) error {
	d, version, err := p.load(c)
	if err != nil {
		return err
	}
	name, body, fields, err := uploadParts(c)
	f := newForm(datasetBase(d.ID)+"/versions", fields, uploadInputs...).alias("format", "file").alias("fileName", "file")
	switch {
	case err != nil:
		if !f.refused(err) {
			return err
		}
	case name == "" || name == ".":
		f.problem("file", "choose the file to upload")
	default:
		acc, err := p.svc.UploadVersion(c.Request().Context(), actor(c), d.ID, appod.Upload{FileName: name, Body: body,
			Options: appod.UploadOptions{CRS: f.text("crs"), XColumn: f.text("x"), YColumn: f.text("y"), Layer: f.text("layer"), AxisOrder: f.text("axisOrder")}})
		if err == nil {
			return seeOther(c, datasetBase(d.ID)+"/versions/"+strconv.Itoa(acc.Version.Number))
		}
		if !f.refused(err) {
			return err
		}
	}
	return p.renderDataset(c, d, version, f)
}

// withdrawForm asks the publisher to confirm a withdrawal, which takes the
// dataset's files out of every download and harvest.
func (p *publishingPages) withdrawForm(c echo.Context) error {
	d, version, err := p.load(c)
	if err != nil {
		return err
	}
	if !slices.Contains(od.NextStatuses(d.Status), od.StatusWithdrawn) {
		return seeOther(c, datasetBase(d.ID))
	}
	f := newForm(datasetBase(d.ID)+"/withdraw", url.Values{"version": {strconv.FormatInt(version, 10)}}, versionInput)
	return p.s.renderWorkbench(c, 200, "workbench-form", page{Title: "Withdraw " + d.Title, Crumbs: datasetCrumbs(d),
		Data: formData{Form: f, Submit: "Withdraw the dataset", Back: pageLink{datasetBase(d.ID), "Keep it published"},
			Intro: []string{"Its page will say it has been withdrawn and its files will no longer be served; harvesters are told it was withdrawn.",
				"Its record and versions are kept, and it can be published again."}}})
}

// status publishes or withdraws the dataset through the use cases the
// API's PATCH and DELETE call.
func (p *publishingPages) status(to od.Status) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		d, version, err := p.load(c)
		if err != nil {
			return err
		}
		if given, err := strconv.ParseInt(c.FormValue("version"), 10, 64); err == nil && given > 0 {
			version = given
		}
		f := newForm(datasetBase(d.ID)+"/versions", nil, uploadInputs...)
		if to == od.StatusWithdrawn {
			_, err = p.svc.Withdraw(ctx, actor(c), d.ID)
		} else {
			raw, _ := json.Marshal(map[string]od.Status{"status": to})
			_, _, err = p.svc.Patch(ctx, actor(c), d.ID, version, raw)
		}
		if err == nil {
			return seeOther(c, datasetBase(d.ID)+"?done="+string(to))
		}
		if !f.refused(err) {
			return err
		}
		if d, version, err = p.load(c); err != nil {
			return err
		}
		return p.renderDataset(c, d, version, f)
	}
}
