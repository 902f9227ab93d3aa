package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// Open data collections.
const (
	collDatasets = "datasets"
	collVersions = "dataset_versions"
	collJobs     = "jobs"
)

var datasetIndexes = []store.Index{
	{Collection: collDatasets, Unique: []string{"slug"}, Fields: []string{"publisher", "status", "modified", "title"}},
	{Collection: collVersions, Fields: []string{"datasetId", "number", "state"}},
	{Collection: collJobs, Fields: []string{"datasetId", "state"}},
}

// datasetDoc is a dataset as stored: the domain dataset plus the pointer to
// the published version readers see. Publishing writes the new version's
// files and record first and then moves CurrentVersion in this one
// document, so readers switch from the old version to the new one at once.
type datasetDoc struct {
	opendata.Dataset
	CurrentVersion int      `json:"currentVersion"`    // 0 until a version is published
	VersionCount   int      `json:"versionCount"`      // version numbers handed out so far
	Formats        []string `json:"formats,omitempty"` // download formats of the current version
	Template       string   `json:"template,omitempty"`
}

// datasetView is a dataset as the API shows it, with its links.
type datasetView struct {
	datasetDoc
	Links map[string]string `json:"links"`
	// GeminiMissing names the mandatory UK GEMINI 2.3 elements a spatial
	// dataset still lacks; harvesters reject its record until it is empty.
	GeminiMissing []string `json:"geminiMissing,omitempty"`
}

// datasetsAPI is the open data capability: catalogue, versions, jobs and downloads.
type datasetsAPI struct {
	s     *Server
	jobs  *jobRunner
	hooks []publishHook
}

// publishHook is told when a dataset's visible state changes (a version is
// published, metadata edited, the dataset withdrawn), so in-memory views
// such as the OGC API collections follow.
type publishHook func(ctx context.Context, d datasetDoc) error

func (s *Server) datasetsRoutes(v1 *echo.Group) *datasetsAPI {
	a := &datasetsAPI{s: s}
	a.jobs = newJobRunner(a, 2)
	s.starters = append(s.starters, a.recoverInterruptedJobs, a.jobs.start)
	s.stoppers = append(s.stoppers, a.jobs.stop)

	v1.GET("/datasets", a.list, s.optionalAuth)
	v1.POST("/datasets", a.create, s.authenticate)
	v1.GET("/datasets/:id", a.get, s.optionalAuth)
	v1.PATCH("/datasets/:id", a.patch, s.authenticate)
	v1.DELETE("/datasets/:id", a.withdraw, s.authenticate)
	v1.POST("/datasets/:id/versions", a.upload, s.authenticate)
	v1.GET("/datasets/:id/versions", a.listVersions, s.optionalAuth)
	v1.GET("/datasets/:id/versions/:n", a.getVersion, s.optionalAuth)
	v1.GET("/jobs/:id", a.getJob, s.authenticate)

	e := s.Echo
	e.GET("/datasets/:slug/versions/:n/:file", a.download, s.optionalAuth)
	e.GET("/datasets/:slug/:file", a.download, s.optionalAuth)
	return a
}

// optionalAuth authenticates when a key is sent, so publishers see their
// drafts, and lets anonymous readers through to published data.
func (s *Server) optionalAuth(next echo.HandlerFunc) echo.HandlerFunc {
	authed := s.authenticate(next)
	return func(c echo.Context) error {
		if c.Request().Header.Get(echo.HeaderAuthorization) == "" {
			return next(c)
		}
		return authed(c)
	}
}

// canSeeDrafts reports whether the caller may see unpublished data of org.
func canSeeDrafts(c echo.Context, org string) bool {
	p := principal(c)
	return p.KeyID != "" && p.Authorize(domain.AreaOpenData, org) == nil
}

func (a *datasetsAPI) load(ctx context.Context, id string) (datasetDoc, store.Record, error) {
	rec, err := a.s.store.Get(ctx, collDatasets, id)
	if err != nil {
		return datasetDoc{}, rec, err
	}
	var d datasetDoc
	return d, rec, rec.Decode(&d)
}

// visible loads a dataset the caller may read: drafts only for their publisher.
func (a *datasetsAPI) visible(c echo.Context, id string) (datasetDoc, store.Record, error) {
	d, rec, err := a.load(c.Request().Context(), id)
	if err != nil {
		return d, rec, err
	}
	if d.Status == opendata.StatusDraft && !canSeeDrafts(c, d.Publisher) {
		return d, rec, store.ErrNotFound
	}
	return d, rec, nil
}

func (a *datasetsAPI) view(c echo.Context, d datasetDoc) datasetView {
	base := a.s.baseURL(c)
	links := map[string]string{
		"self":     base + "/api/v1/datasets/" + d.ID,
		"versions": base + "/api/v1/datasets/" + d.ID + "/versions",
		"page":     base + "/datasets/" + d.Slug,
	}
	if d.CurrentVersion > 0 {
		for _, f := range d.Formats {
			links["latest."+f] = base + "/datasets/" + d.Slug + "/latest." + f
		}
		if d.IsSpatial() {
			links["ogcapi"] = base + "/ogc/collections/" + d.Slug
		}
	}
	v := datasetView{datasetDoc: d, Links: links}
	if d.IsSpatial() {
		v.GeminiMissing = a.s.geminiMissing(c, d)
	}
	return v
}

type datasetInput struct {
	opendata.Dataset
	Template string `json:"template,omitempty"`
}

// create adds a draft dataset.
//
//	@Summary	Create a dataset (publisher); it starts as a draft
//	@Tags		open data
//	@Accept		json
//	@Produce	json
//	@Param		dataset	body		datasetInput	true	"metadata; publisher defaults to the key's organisation"
//	@Success	201		{object}	datasetView
//	@Failure	400		{object}	Problem
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Failure	409		{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/datasets [post]
func (a *datasetsAPI) create(c echo.Context) error {
	var in datasetInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	d := in.Dataset
	if d.Publisher == "" {
		d.Publisher = principal(c).Organisation
	}
	if err := authorize(c, domain.AreaOpenData, d.Publisher); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var p domain.Problems
	if d.Publisher == "" {
		p.Add("publisher", "is required for an admin key: the id of the publishing organisation, e.g. neddc")
	} else if _, err := a.s.store.Get(ctx, collOrganisations, d.Publisher); err != nil {
		p.Add("publisher", "no organisation has id %q; GET /api/v1/organisations lists them", d.Publisher)
	}
	if d.Status != "" && d.Status != opendata.StatusDraft {
		p.Add("status", "must be draft (or omitted) on creation; publish by uploading a version and setting status")
	}
	if d.Issued != nil {
		p.Add("issued", "is set by the first publication; omit it")
	}
	if in.Template != "" {
		if _, ok := opendata.LookupTemplate(in.Template); !ok {
			p.Add("template", "must be one of %s", strings.Join(opendata.TemplateIDs(), ", "))
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	explicitSlug := d.Slug != ""
	d.ID = store.NewID()
	d.Modified = now()
	d.ApplyDefaults()
	if err := d.Validate(); err != nil {
		return err
	}
	if !explicitSlug {
		d.Slug = opendata.UniqueSlug(d.Slug, func(s string) bool {
			pg, err := a.s.store.List(ctx, collDatasets, store.Query{Filters: []store.Filter{{Field: "slug", Op: store.Eq, Value: s}}, Limit: 1})
			return err != nil || pg.Total > 0
		})
	}
	doc := datasetDoc{Dataset: d, Template: in.Template}
	rec, err := a.s.store.Insert(ctx, collDatasets, d.ID, doc)
	if err != nil {
		return err
	}
	a.s.audit(c, "dataset.create", collDatasets, d.ID, nil, doc)
	c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/datasets/"+d.ID)
	c.Response().Header().Set("ETag", etag(rec))
	return c.JSON(http.StatusCreated, a.view(c, doc))
}

// now is the time stamps are taken at: whole seconds in UTC, so stored
// RFC 3339 text compares in time order.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// get reads one dataset.
//
//	@Summary	Get a dataset
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"dataset id"
//	@Success	200	{object}	datasetView
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/datasets/{id} [get]
func (a *datasetsAPI) get(c echo.Context) error {
	d, rec, err := a.visible(c, c.Param("id"))
	if err != nil {
		return err
	}
	return withETag(c, etag(rec), a.view(c, d))
}

// patch edits metadata with a JSON merge patch; "status" moves the dataset
// through its lifecycle (draft -> published -> withdrawn).
//
//	@Summary	Edit a dataset (publisher, JSON merge patch; status changes publish or withdraw)
//	@Tags		open data
//	@Accept		json
//	@Produce	json
//	@Param		id			path		string			true	"dataset id"
//	@Param		If-Match	header		string			false	"ETag from GET; 412 when stale"
//	@Param		patch		body		datasetInput	true	"members to change"
//	@Success	200			{object}	datasetView
//	@Failure	400			{object}	Problem
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	409			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/datasets/{id} [patch]
func (a *datasetsAPI) patch(c echo.Context) error {
	ctx := c.Request().Context()
	patch, err := readPatch(c)
	if err != nil {
		return err
	}
	before, rec, err := a.load(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := authorize(c, domain.AreaOpenData, before.Publisher); err != nil {
		return err
	}
	version, err := expectedVersion(c, rec)
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(patch, &fields)
	var p domain.Problems
	for _, locked := range []string{"currentVersion", "versionCount", "formats", "modified"} {
		if _, ok := fields[locked]; ok {
			p.Add(locked, "is maintained by the server; remove it from the patch")
		}
	}
	if err := p.Err(); err != nil {
		return err
	}
	var target opendata.Status
	if raw, ok := fields["status"]; ok {
		_ = json.Unmarshal(raw, &target)
		delete(fields, "status")
		patch, _ = json.Marshal(fields)
	}
	merged, err := mergePatch(rec.Data, patch)
	if err != nil {
		return err
	}
	var after datasetDoc
	if err := strictDecode(merged, &after); err != nil {
		return err
	}
	if err := before.CheckChange(after.Dataset); err != nil {
		return err
	}
	after.ApplyDefaults()
	if err := after.Validate(); err != nil {
		return err
	}
	if after.Template != "" {
		if _, ok := opendata.LookupTemplate(after.Template); !ok {
			p.Add("template", "must be one of %s", strings.Join(opendata.TemplateIDs(), ", "))
			return p.Err()
		}
	}
	// Harvesters see a new modified date only when the content changed.
	after.Modified = before.Modified
	if !reflect.DeepEqual(before, after) {
		after.Modified = now()
	}
	if target != "" && target != after.Status {
		if target == opendata.StatusPublished && after.CurrentVersion == 0 {
			return &domain.Error{Code: domain.CodeConflict, Message: "a dataset needs a published version before it is published",
				Fields: []domain.FieldProblem{{Field: "status", Problem: "upload a file with POST /api/v1/datasets/" + after.ID + "/versions first"}}}
		}
		if err := after.Transition(target, now()); err != nil {
			return err
		}
	}
	updated, err := a.s.store.Update(ctx, collDatasets, rec.ID, version, after)
	if err != nil {
		return err
	}
	a.s.audit(c, "dataset.update", collDatasets, rec.ID, before, after)
	a.notify(ctx, after)
	c.Response().Header().Set("ETag", etag(updated))
	return c.JSON(http.StatusOK, a.view(c, after))
}

// withdraw takes a dataset out of the catalogue; it stays stored and audited.
//
//	@Summary	Withdraw a dataset (publisher); it is kept for the audit trail
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"dataset id"
//	@Success	200	{object}	datasetView
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Failure	409	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/datasets/{id} [delete]
func (a *datasetsAPI) withdraw(c echo.Context) error {
	ctx := c.Request().Context()
	before, rec, err := a.load(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	if err := authorize(c, domain.AreaOpenData, before.Publisher); err != nil {
		return err
	}
	after := before
	if err := after.Transition(opendata.StatusWithdrawn, now()); err != nil {
		return err
	}
	if _, err := a.s.store.Update(ctx, collDatasets, rec.ID, rec.Version, after); err != nil {
		return err
	}
	a.s.audit(c, "dataset.withdraw", collDatasets, rec.ID, before, after)
	a.notify(ctx, after)
	return c.JSON(http.StatusOK, a.view(c, after))
}

func (a *datasetsAPI) notify(ctx context.Context, d datasetDoc) {
	for _, h := range a.hooks {
		if err := h(ctx, d); err != nil {
			a.s.log.Error("publish hook failed", "dataset", d.ID, "err", err)
		}
	}
}

// list searches the catalogue.
//
//	@Summary	Search datasets
//	@Tags		open data
//	@Produce	json
//	@Param		q				query		string	false	"words in title, description or keywords (all must appear)"
//	@Param		publisher		query		string	false	"organisation id; comma-separated = any of"
//	@Param		theme			query		string	false	"data.gov.uk theme slug; comma-separated = any of"
//	@Param		licence			query		string	false	"licence id"
//	@Param		format			query		string	false	"download format: csv, json, geojson"
//	@Param		bbox			query		string	false	"minLon,minLat,maxLon,maxLat (CRS84): datasets whose extent intersects"
//	@Param		modifiedSince	query		string	false	"RFC 3339 date or time"
//	@Param		status			query		string	false	"published (default), withdrawn, or draft (their publisher only)"
//	@Param		sort			query		string	false	"relevance (default), title, -title, modified, -modified, issued, -issued"
//	@Param		limit			query		int		false	"page size (1-100, default 20)"
//	@Param		offset			query		int		false	"items to skip"
//	@Success	200				{object}	listResponse[datasetView]
//	@Failure	400				{object}	Problem
//	@Router		/api/v1/datasets [get]
func (a *datasetsAPI) list(c echo.Context) error {
	q, err := opendata.ParseQuery(c.QueryParams())
	if err != nil {
		return err
	}
	if len(q.Status) == 0 {
		q.Status = []opendata.Status{opendata.StatusPublished}
	}
	if slices.Contains(q.Status, opendata.StatusDraft) && (len(q.Publisher) != 1 || !canSeeDrafts(c, q.Publisher[0])) {
		return &domain.Error{Code: domain.CodeInvalid, Message: "drafts are listed only to their publisher",
			Fields: []domain.FieldProblem{{Field: "status", Problem: "draft needs a publisher key and publisher=<that key's organisation>"}}}
	}
	docs, total, err := a.search(c.Request().Context(), q)
	if err != nil {
		return err
	}
	items := make([]datasetView, 0, len(docs))
	for _, d := range docs {
		items = append(items, a.view(c, d))
	}
	return c.JSON(http.StatusOK, listResponse[datasetView]{Items: items, Total: total, Limit: q.Limit, Offset: q.Offset,
		Links: a.s.pageLinks(c, q.Limit, q.Offset, total)})
}

// search runs a parsed query. Filters go to the store; words of q are
// matched and ranked here (title 3, keywords 2, description 1 per word),
// which is fine at the size of a council's catalogue.
func (a *datasetsAPI) search(ctx context.Context, q opendata.Query) ([]datasetDoc, int64, error) {
	sq := store.Query{}
	in := func(field string, vals []string) {
		if len(vals) == 0 {
			return
		}
		anyOf := make([]any, len(vals))
		for i, v := range vals {
			anyOf[i] = v
		}
		sq.Filters = append(sq.Filters, store.Filter{Field: field, Op: store.In, Values: anyOf})
	}
	statuses := make([]string, len(q.Status))
	for i, st := range q.Status {
		statuses[i] = string(st)
	}
	in("status", statuses)
	in("publisher", q.Publisher)
	in("themes", q.Theme)
	in("licence", q.Licence)
	in("formats", q.Format)
	if q.ModifiedSince != nil {
		sq.Filters = append(sq.Filters, store.Filter{Field: "modified", Op: store.Gte, Value: q.ModifiedSince.UTC().Format(time.RFC3339)})
	}
	if b := q.BBox; b != nil {
		sq.Filters = append(sq.Filters,
			store.Filter{Field: "spatial.bbox.minX", Op: store.Lte, Value: b.MaxX},
			store.Filter{Field: "spatial.bbox.maxX", Op: store.Gte, Value: b.MinX},
			store.Filter{Field: "spatial.bbox.minY", Op: store.Lte, Value: b.MaxY},
			store.Filter{Field: "spatial.bbox.maxY", Op: store.Gte, Value: b.MinY})
	}
	switch q.Sort {
	case opendata.SortTitle, opendata.SortTitleDesc:
		sq.Sort = []store.Sort{{Field: "title", Desc: q.Sort == opendata.SortTitleDesc}}
	case opendata.SortModified, opendata.SortModifiedDesc:
		sq.Sort = []store.Sort{{Field: "modified", Desc: q.Sort == opendata.SortModifiedDesc}}
	case opendata.SortIssued, opendata.SortIssuedDesc:
		sq.Sort = []store.Sort{{Field: "issued", Desc: q.Sort == opendata.SortIssuedDesc}}
	default:
		sq.Sort = []store.Sort{{Field: "modified", Desc: true}}
	}
	words := strings.Fields(strings.ToLower(q.Q))
	if len(words) == 0 {
		sq.Limit, sq.Offset = q.Limit, q.Offset
		page, err := a.s.store.List(ctx, collDatasets, sq)
		if err != nil {
			return nil, 0, err
		}
		docs, err := decodeDatasets(page.Records)
		return docs, page.Total, err
	}
	sq.Any = []store.Filter{{Field: "title", Op: store.Contains, Value: words[0]},
		{Field: "description", Op: store.Contains, Value: words[0]}, {Field: "keywords", Op: store.Contains, Value: words[0]}}
	page, err := a.s.store.List(ctx, collDatasets, sq)
	if err != nil {
		return nil, 0, err
	}
	all, err := decodeDatasets(page.Records)
	if err != nil {
		return nil, 0, err
	}
	type scored struct {
		d     datasetDoc
		score int
	}
	var hits []scored
	for _, d := range all {
		title, desc, kw := strings.ToLower(d.Title), strings.ToLower(d.Description), strings.ToLower(strings.Join(d.Keywords, " "))
		score := 0
		for _, w := range words {
			s := 3*strings.Count(title, w) + 2*strings.Count(kw, w) + strings.Count(desc, w)
			if s == 0 {
				score = 0
				break
			}
			score += s
		}
		if score > 0 {
			hits = append(hits, scored{d, score})
		}
	}
	if q.Sort == opendata.SortRelevance || q.Sort == "" {
		slices.SortStableFunc(hits, func(x, y scored) int { return y.score - x.score })
	}
	total := int64(len(hits))
	out := make([]datasetDoc, 0, q.Limit)
	for i := q.Offset; i < len(hits) && len(out) < q.Limit; i++ {
		out = append(out, hits[i].d)
	}
	return out, total, nil
}

func decodeDatasets(recs []store.Record) ([]datasetDoc, error) {
	out := make([]datasetDoc, 0, len(recs))
	for _, r := range recs {
		var d datasetDoc
		if err := r.Decode(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
