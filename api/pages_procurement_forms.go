package api

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

// The forms of a procurement's lifecycle: create it, move it, record an
// approving body's decision, its award, a notice published outside a move,
// a realised saving. Each is one page, laid out by procurement/form.html
// from its inputs, posting to itself.

// formData is a page holding one form.
type formData struct {
	Form   *pageForm
	Intro  []string
	Submit string
	Back   pageLink
	// Moves are what each move needs (the move form shows them).
	Moves []procurement.NextMove
}

// createInputs is the new procurement form for these councils.
func createInputs(orgs []domain.Organisation) []formInput {
	hostID := host(orgs)
	var partners []option
	for _, o := range orgs {
		if o.ID != hostID {
			partners = append(partners, option{Value: o.ID, Text: o.Name})
		}
	}
	var routes []option
	for _, r := range procurement.Routes {
		routes = append(routes, option{Value: string(r), Text: r.Label()})
	}
	drivers := []option{{Value: "", Text: "Not a driver share"}}
	for _, d := range procurement.Drivers {
		drivers = append(drivers, option{Value: d, Text: d})
	}
	in := []formInput{
		{Name: "reference", Label: "Reference", Hint: "The host's reference, e.g. JICT-2026-004; it becomes part of the OCDS ocid", Kind: "text", Width: 20, Section: "The procurement"},
		{Name: "title", Label: "Title", Kind: "text", Section: "The procurement"},
		{Name: "description", Label: "Description", Kind: "textarea", Section: "The procurement"},
		{Name: "category", Label: "Category", Kind: "radios", Section: "The procurement",
			Options: []option{{Value: "goods", Text: "Goods"}, {Value: "services", Text: "Services", Selected: true}, {Value: "works", Text: "Works"}}},
		{Name: "cpv", Label: "CPV codes", Hint: "Separated by commas, e.g. 72000000-5, 48000000-8", Kind: "text", Section: "The procurement"},
		{Name: "partners", Label: "Partner councils", Hint: "The councils this procurement is for, besides the host", Kind: "checkboxes", Options: partners, Section: "The procurement"},
		{Name: "route", Label: "Route to market", Kind: "select", Options: routes, Section: "Route and value"},
		{Name: "framework", Label: "Framework", Hint: "For a framework route, e.g. G-Cloud 14 (RM1557.14)", Kind: "text", Section: "Route and value"},
		{Name: "estimatedValue", Label: "Estimated value excluding VAT", Hint: "Whole life, over the term with extensions", Kind: "money", Section: "Route and value"},
		{Name: "estimatedValueIncVat", Label: "Estimated value including VAT", Hint: "The Procurement Act's thresholds are judged on it", Kind: "money", Section: "Route and value"},
		{Name: "termMonths", Label: "Term in months", Hint: "Including extensions", Kind: "number", Width: 4, Section: "Route and value"},
		{Name: "shares.method", Label: "How the cost is shared", Kind: "radios", Section: "Shares and baselines",
			Options: []option{{Value: "equal", Text: "Equally", Selected: true}, {Value: "driver", Text: "In proportion to a count (users, devices or population)"},
				{Value: "explicit", Text: "By agreed percentages"}}},
		{Name: "shares.driver", Label: "Count the shares follow", Kind: "select", Options: drivers, Section: "Shares and baselines"},
	}
	for _, o := range orgs {
		in = append(in,
			formInput{Name: "shares.counts." + o.ID, Label: "Count for " + o.Name, Hint: "For a share in proportion to a count", Kind: "number", Width: 10, Section: "Shares and baselines"},
			formInput{Name: "shares.percentages." + o.ID, Label: "Percentage for " + o.Name, Hint: "For agreed percentages, e.g. 33.34", Kind: "text", Width: 10, Section: "Shares and baselines"},
			formInput{Name: "baseline." + o.ID, Label: "Current annual cost for " + o.Name, Hint: "What the council pays now for what is replaced, for its savings", Kind: "money", Section: "Shares and baselines"})
	}
	return in
}

func (p *procurementPages) createForm(c echo.Context) error {
	orgs, err := p.councils(c.Request().Context())
	if err != nil {
		return err
	}
	return p.renderCreate(c, createForm(newForm("/procurement/new", nil, createInputs(orgs)...)))
}

// createForm names the fields of the use case's problems no input holds.
func createForm(f *pageForm) *pageForm {
	return f.label("shares.percentages", "The percentages").label("host", "Host")
}

func (p *procurementPages) renderCreate(c echo.Context, f *pageForm) error {
	title := "Register a new procurement"
	return p.s.renderWorkbench(c, max(f.Status, 200), "workbench-form", page{Title: f.title(title), Crumbs: procurementCrumbs,
		Data: formData{Form: f, Submit: "Add to the register", Back: pageLink{"/procurement", "Back to the register"},
			Intro: []string{"The procurement starts in the pipeline, which only its parties see. It is published in the register and as an OCDS release when it moves to planning."}}})
}

func (p *procurementPages) create(c echo.Context) error {
	ctx := c.Request().Context()
	orgs, err := p.councils(ctx)
	if err != nil {
		return err
	}
	f := createForm(posted(c, "/procurement/new", createInputs(orgs)...))
	jp := procurement.JointProcurement{Reference: f.text("reference"), Title: f.text("title"), Description: f.text("description"),
		Category: procurement.Category(f.text("category")), CPV: f.list("cpv"), Partners: f.all("partners"),
		Route: procurement.Route(f.text("route")), Framework: f.text("framework"), EstimatedValue: f.money("estimatedValue"),
		EstimatedValueIncVAT: f.money("estimatedValueIncVat"), TermMonths: f.whole("termMonths"),
		Shares: procurement.ShareBasis{Method: procurement.ShareMethod(f.text("shares.method")), Driver: f.text("shares.driver")}}
	jp.Host = host(orgs)
	for _, o := range jp.Parties() {
		if jp.Shares.Method == procurement.ShareDriver {
			if jp.Shares.Counts == nil {
				jp.Shares.Counts = map[string]int64{}
			}
			jp.Shares.Counts[o] = int64(f.whole("shares.counts." + o))
		}
		if jp.Shares.Method == procurement.ShareExplicit {
			if jp.Shares.Percentages == nil {
				jp.Shares.Percentages = map[string]procurement.Percent{}
			}
			v, err := procurement.ParsePercent(f.text("shares.percentages." + o))
			if err != nil {
				f.problem("shares.percentages."+o, "must be a percentage such as 33.34")
			}
			jp.Shares.Percentages[o] = v
		}
		if f.text("baseline."+o) != "" {
			if jp.Baseline == nil {
				jp.Baseline = map[string]procurement.Pence{}
			}
			jp.Baseline[o] = f.money("baseline." + o)
		}
	}
	if f.ok() {
		created, err := p.svc.Create(ctx, actor(c), given(jp))
		if err == nil {
			return seeOther(c, "/procurement/"+created.ID+"?done=created")
		}
		if !f.refused(err) {
			return err
		}
	}
	return p.renderCreate(c, f)
}

// procurementAction is one form of a procurement's page.
type procurementAction struct {
	path, title, done, button string
	intro                     []string
	// offered reports whether the procurement page offers the form.
	offered func(pr domain.Principal, p appproc.Procurement) bool
	// inputs are the form's inputs for p, and the values it starts with.
	inputs func(ctx context.Context, pp *procurementPages, pr domain.Principal, p appproc.Procurement) ([]formInput, url.Values, error)
	// submit reads the form and calls the use case; f.ok() false or an
	// error the form takes keeps the person on the form.
	submit func(ctx context.Context, pp *procurementPages, c echo.Context, f *pageForm, p appproc.Procurement) error
	// strip is the prefix of the use case's field names the inputs leave out.
	strip func(p appproc.Procurement) string
}

var procurementActions = []procurementAction{moveAction, approvalAction, awardAction, noticeAction, savingAction}

func runsLifecycle(pr domain.Principal, p appproc.Procurement) bool {
	return procurement.CanRunLifecycle(pr, p.JointProcurement) == nil && p.State.Open()
}

func (p *procurementPages) loadFull(c echo.Context) (appproc.Procurement, error) {
	pr, err := p.svc.Get(c.Request().Context(), actor(c), c.Param("id"))
	if err == nil && !pr.Full {
		err = domain.Errorf(domain.CodeForbidden, "this procurement's forms are for its parties' officers")
	}
	return pr, err
}

func (p *procurementPages) actionForm(a procurementAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		pr, err := p.loadFull(c)
		if err != nil {
			return err
		}
		in, vals, err := a.inputs(c.Request().Context(), p, principal(c), pr)
		if err != nil {
			return err
		}
		for k, v := range c.QueryParams() { // a link may choose a move or a body
			if slices.ContainsFunc(in, func(x formInput) bool { return x.Name == k }) {
				vals[k] = v
			}
		}
		return p.renderAction(c, a, pr, newForm(c.Request().URL.Path, vals, in...))
	}
}

func (p *procurementPages) act(a procurementAction) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		pr, err := p.loadFull(c)
		if err != nil {
			return err
		}
		in, _, err := a.inputs(ctx, p, principal(c), pr)
		if err != nil {
			return err
		}
		f := posted(c, c.Request().URL.Path, in...)
		if a.strip != nil {
			f.strip = a.strip(pr)
		}
		if err := a.submit(ctx, p, c, f, pr); err == nil && f.ok() {
			return seeOther(c, "/procurement/"+pr.ID+"?done="+a.done)
		} else if err != nil && !f.refused(err) {
			return err
		}
		if f.Values.Get("version") == "" {
			f.Values.Set("version", strconv.FormatInt(pr.Meta.Version, 10))
		}
		if pr, err = p.loadFull(c); err != nil { // show the record as it is now
			return err
		}
		return p.renderAction(c, a, pr, f)
	}
}

func (p *procurementPages) renderAction(c echo.Context, a procurementAction, pr appproc.Procurement, f *pageForm) error {
	title := a.title
	d := formData{Form: f, Intro: a.intro, Submit: a.button, Back: pageLink{"/procurement/" + pr.ID, "Back to " + pr.Reference}}
	if a.path == moveAction.path && pr.Assessment != nil {
		d.Moves = pr.Assessment.Next
	}
	return p.s.renderWorkbench(c, max(f.Status, 200), "workbench-form", page{Title: f.title(title), Crumbs: crumbsTo(pr),
		Data: d})
}

func versionOf(p appproc.Procurement) url.Values {
	return url.Values{"version": {strconv.FormatInt(p.Meta.Version, 10)}}
}

var versionInput = formInput{Name: "version", Kind: "hidden"}

// moveInstant is when a move dated day happened: now for today (or no
// date), midday for an earlier day; a later day is left for the rules to
// refuse as in the future.
func moveInstant(day procurement.Date, now time.Time) *time.Time {
	if day.IsZero() || day.Equal(procurement.DateOf(now)) {
		return nil
	}
	t := day.Time().Add(12 * time.Hour)
	return &t
}

var moveAction = procurementAction{path: "move", title: "Move the procurement on", done: "moved", button: "Record the move",
	intro:   []string{"Each move is recorded with who made it, when and why, and published in its OCDS release once the procurement has left the pipeline."},
	offered: runsLifecycle,
	inputs: func(_ context.Context, _ *procurementPages, _ domain.Principal, p appproc.Procurement) ([]formInput, url.Values, error) {
		var to []option
		for _, s := range p.State.Allowed() {
			to = append(to, option{Value: string(s), Text: stateName(s)})
		}
		return []formInput{versionInput,
			{Name: "to", Label: "Move to", Kind: "radios", Options: to},
			{Name: "reason", Label: "Why", Hint: "For the record, e.g. \"Tender notice published on Find a Tender\"", Kind: "textarea"},
			{Name: "at", Label: "Date of the move", Hint: "Leave it empty for today; give the day it happened if earlier, such as the day a notice was published", Kind: "date"},
		}, versionOf(p), nil
	},
	submit: func(ctx context.Context, pp *procurementPages, c echo.Context, f *pageForm, p appproc.Procurement) error {
		in := appproc.TransitionInput{To: procurement.State(f.text("to")), Reason: f.text("reason"), At: moveInstant(f.day("at"), time.Now())}
		if !f.ok() {
			return nil
		}
		_, err := pp.svc.Transition(ctx, actor(c), p.ID, f.version(), given(in))
		var de *domain.Error
		if errors.As(err, &de) && de.Code == domain.CodeConflict { // say the state as the page does
			named := *de
			named.Message = strings.ReplaceAll(de.Message, " to "+string(in.To), " to "+stateName(in.To))
			return &named
		}
		return err
	},
}
