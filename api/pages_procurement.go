package api

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// The joint procurement pages: the register, a procurement with its
// assessment as a checklist and the forms of its lifecycle, the partners'
// summaries, the ICT estate and the capital programmes. Officers and admins
// sign in; every read and write is the procurement use cases' as that
// person, so the pages show and allow exactly what the JSON API does. The
// committee's printable pages (procurement_pages.go) are linked, not copied.

type procurementPages struct {
	s   *Server
	svc *appproc.Service
}

func (s *Server) procurementPagesRoutes() {
	p := &procurementPages{s: s, svc: s.app.Procurement}
	e := s.Echo
	in := []echo.MiddlewareFunc{s.requireSignIn, requireArea(domain.AreaProcurement)}
	e.GET("/procurement", p.register, in...)
	e.GET("/procurement/new", p.createForm, in...)
	e.POST("/procurement/new", p.create, in...)
	e.GET("/procurement/:id", p.procurement, in...)
	for _, a := range procurementActions {
		e.GET("/procurement/:id/"+a.path, p.actionForm(a), in...)
		e.POST("/procurement/:id/"+a.path, p.act(a), in...)
	}
	e.GET("/procurement/partners/:org", p.partner, in...)
	p.estateRoutes(in)
	p.capitalRoutes(in)
}

var procurementCrumbs = []pageLink{{"/", "Home"}, {"/procurement", "Joint procurement"}}

// crumbsTo is the breadcrumb trail through the register to a procurement.
func crumbsTo(p appproc.Procurement) []pageLink {
	return append(slices.Clone(procurementCrumbs), pageLink{"/procurement/" + p.ID, p.Reference})
}

// registerData is the register page.
type registerData struct {
	Filter  *pageForm
	Entries []procurement.RegisterEntry
	orgNames
	CSV       string
	Printable string
	// Councils are the councils whose summaries, estate and programme the
	// reader may open: their own, or every one for admins.
	Councils  []domain.Organisation
	CanCreate bool
}

// orgNames are the organisations' names by id, for the pages.
type orgNames map[string]string

// Name is an organisation's name, or its id when it has none.
func (n orgNames) Name(id string) string {
	if name := n[id]; name != "" {
		return name
	}
	return id
}

func (p *procurementPages) councils(ctx context.Context) ([]domain.Organisation, error) {
	orgs, _, err := p.s.app.Identity.Organisations(ctx, "", 0, 0)
	return orgs, err
}

// host is the host authority among orgs.
func host(orgs []domain.Organisation) string {
	for _, o := range orgs {
		if o.Host {
			return o.ID
		}
	}
	return ""
}

func filterInputs(orgs []domain.Organisation, today procurement.Date) []formInput {
	partners := []option{{Value: "", Text: "Any council"}}
	for _, o := range orgs {
		partners = append(partners, option{Value: o.ID, Text: o.Name})
	}
	var states, routes []option
	for _, s := range procurement.States {
		states = append(states, option{Value: string(s), Text: stateName(s)})
	}
	for _, r := range procurement.Routes {
		routes = append(routes, option{Value: string(r), Text: r.Label()})
	}
	years := []option{{Value: "", Text: "Any year"}}
	now := procurement.FinancialYearOf(today)
	for y := now - 3; y <= now+5; y++ {
		years = append(years, option{Value: y.String(), Text: y.String()})
	}
	return []formInput{
		{Name: "partner", Label: "Council", Hint: "Host or partner", Kind: "select", Options: partners},
		{Name: "state", Label: "State", Kind: "checkboxes", Options: states},
		{Name: "route", Label: "Route", Kind: "checkboxes", Options: routes},
		{Name: "year", Label: "Financial year", Hint: "With commitments in that year", Kind: "select", Options: years},
	}
}

// register is the host's register of joint procurements, filtered.
func (p *procurementPages) register(c echo.Context) error {
	ctx := c.Request().Context()
	orgs, err := p.councils(ctx)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	// The JSON API's comma lists and the form's repeated values both work.
	for _, k := range []string{"state", "route"} {
		q[k] = commaValues(q[k])
	}
	f := newForm("/procurement", q, filterInputs(orgs, procurement.DateOf(time.Now()))...)
	rf := procurement.RegisterFilter{Partner: f.text("partner"), States: typedValues[procurement.State](f.all("state")),
		Routes: typedValues[procurement.Route](f.all("route"))}
	if y := f.text("year"); y != "" {
		if rf.Year, err = procurement.ParseFinancialYear(y); err != nil {
			f.problem("year", err.Error())
		}
	}
	d := registerData{Filter: f, orgNames: orgNames{}}
	if f.ok() {
		v, err := p.svc.Register(ctx, actor(c), rf)
		if err != nil && !f.refused(err) {
			return err
		}
		d.Entries, d.orgNames = v.Entries, v.Names
	}
	api := url.Values{}
	for _, k := range []string{"partner", "state", "route", "year"} {
		if vs := f.all(k); len(vs) > 0 {
			api.Set(k, strings.Join(vs, ","))
		}
	}
	d.CSV, d.Printable = withQuery("/api/v1/procurement-register.csv", api), withQuery("/api/v1/procurement-register.html", api)
	pr := principal(c)
	for _, o := range orgs {
		if pr.Role == domain.RoleAdmin || o.ID == pr.Organisation {
			d.Councils = append(d.Councils, o)
		}
	}
	d.CanCreate = pr.Role == domain.RoleAdmin || pr.Organisation == host(orgs)
	title := "Joint procurement register"
	return p.s.renderWorkbench(c, max(f.Status, 200), "procurement/register", page{Title: f.title(title),
		Crumbs: []pageLink{{"/", "Home"}}, Data: d})
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// commaValues splits each value on commas.
func commaValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func typedValues[T ~string](vs []string) []T {
	out := make([]T, len(vs))
	for i, v := range vs {
		out[i] = T(v)
	}
	return out
}

// procurementData is a procurement's page.
type procurementData struct {
	P          appproc.Procurement
	Assessment *appproc.RuleAssessment
	Shares     *appproc.Shares
	// ShareRows join each party's share with its savings.
	ShareRows []shareRow
	// Recordable are the approving bodies whose decisions this reader records.
	Recordable map[string]bool
	// SharesMissing says why the shares cannot be computed yet.
	SharesMissing []domain.FieldProblem
	orgNames
	Done string
	// Moves are the moves the assessment allows, each with what it needs.
	Moves     []procurement.NextMove
	CanCancel bool
	// Forms are the forms this reader may use, by path.
	Forms map[string]bool
}

// shareRow is one party's share of the cost and its savings.
type shareRow struct {
	procurement.PartySavings
	Percent procurement.Percent
}

// done are the notices a form's redirect asks the procurement page to show.
var doneNotices = map[string]string{
	"created":  "The procurement is in the register, in the pipeline.",
	"moved":    "The move is recorded.",
	"approval": "The decision is recorded.",
	"award":    "The award is recorded.",
	"notice":   "The notice is recorded.",
	"saving":   "The realised saving is recorded.",
}

func (p *procurementPages) names(ctx context.Context) (orgNames, error) {
	orgs, err := p.councils(ctx)
	names := orgNames{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	return names, err
}

// procurement is one procurement with its assessment as a checklist.
func (p *procurementPages) procurement(c echo.Context) error {
	ctx := c.Request().Context()
	pr, err := p.svc.Get(ctx, actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	d := procurementData{P: pr, Done: doneNotices[c.QueryParam("done")], Forms: map[string]bool{}}
	if d.orgNames, err = p.names(ctx); err != nil {
		return err
	}
	if pr.Full {
		as, err := p.svc.Assess(ctx, actor(c), pr.ID)
		if err != nil {
			return err
		}
		d.Assessment = &as
		for _, m := range as.Next {
			if m.To == procurement.StateCancelled {
				d.CanCancel = true
			} else {
				d.Moves = append(d.Moves, m)
			}
		}
		sh, err := p.svc.Shares(ctx, actor(c), pr.ID)
		switch {
		case err == nil:
			d.Shares = &sh
			for i, s := range sh.Savings.Parties {
				row := shareRow{PartySavings: s}
				if i < len(sh.Shares) {
					row.Percent = sh.Shares[i].Percent
				}
				d.ShareRows = append(d.ShareRows, row)
			}
		case domain.ErrorCode(err) == domain.CodeConflict:
			d.SharesMissing = toProblem(err).Errors
		default:
			return err
		}
		for _, a := range procurementActions {
			d.Forms[a.path] = a.offered(principal(c), pr)
		}
		bodies, err := recordableBodies(ctx, p, principal(c), pr)
		if err != nil {
			return err
		}
		d.Recordable = map[string]bool{}
		for _, b := range bodies {
			d.Recordable[b.ID] = true
		}
	}
	return p.s.renderWorkbench(c, 200, "procurement/procurement", page{Title: pr.Title, Crumbs: procurementCrumbs,
		Data: d})
}

// partnerData is one council's summary of its joint procurements.
type partnerData struct {
	appproc.PartnerSummary
	CSV, Printable string
}

// partner is one council's share, baseline, savings and commitments.
func (p *procurementPages) partner(c echo.Context) error {
	v, err := p.svc.Partner(c.Request().Context(), actor(c), c.Param("org"))
	if err != nil {
		return err
	}
	base := "/api/v1/organisations/" + url.PathEscape(v.Organisation) + "/joint-procurements"
	return p.s.renderWorkbench(c, 200, "procurement/partner", page{Title: v.Name + ": joint procurements", Crumbs: procurementCrumbs,
		Data: partnerData{PartnerSummary: v, CSV: base + ".csv", Printable: base + ".html"}})
}

// stateName is a lifecycle state in words.
func stateName(s procurement.State) string { return named(stateNames, s) }

var stateNames = map[procurement.State]string{
	procurement.StatePipeline: "Pipeline", procurement.StatePlanning: "Planning (market engagement)",
	procurement.StateTender: "Tender", procurement.StateEvaluation: "Evaluation", procurement.StateAwardDecision: "Award decision",
	procurement.StateContractSigned: "Contract signed", procurement.StateLive: "Live", procurement.StateClosed: "Closed",
	procurement.StateCancelled: "Cancelled",
}

// noticeName is a notice in words.
func noticeName(n procurement.Notice) string { return named(noticeNames, n) }

var noticeNames = map[procurement.Notice]string{
	procurement.NoticePreliminaryMarketEngagement: "Preliminary market engagement notice",
	procurement.NoticeTender:                      "Tender notice",
	procurement.NoticeBelowThresholdTender:        "Below-threshold tender notice",
	procurement.NoticeContractAward:               "Contract award notice",
	procurement.NoticeContractDetails:             "Contract details notice",
	procurement.NoticeTransparencyRegister:        "Transparency Code contracts register entry",
}

// named is a code's name in words, or the code when it has none.
func named[T ~string](names map[T]string, v T) string {
	if n, ok := names[v]; ok {
		return n
	}
	return string(v)
}
