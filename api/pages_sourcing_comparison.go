package api

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appsrc "github.com/jointict/councilapi/app/sourcing"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/sourcing"
	"github.com/jointict/councilapi/store"
)

// A comparison's pages: its results, chart and state with the forms that
// move it on, and the form that builds or edits it. The form's inputs are
// named by the use case's own paths (pages_sourcing_codec.go), so every
// problem the use case finds is shown beside the input it names.

// comparisonData is a comparison's page.
type comparisonData struct {
	View    appsrc.ComparisonView
	Rows    []resultRow
	Chart   template.HTML
	Options []option // for the recommendation
	Version int64
	Edit    string
	Report  string
	// ReportText is the form of the report's own sections.
	ReportText string
	CSV, XLSX  string
	Decided    *sourcing.DecisionRecord
	// ExemptFields are what may be marked exempt information.
	ExemptFields []option
}

// resultRow is one option in the results table.
type resultRow struct {
	Name, Kind, WholeLife, NPV, Saving, Carbon, Score, Evidence string
	Rank                                                        int
	Recommended                                                 bool
}

func (sp *sourcingPages) comparison(c echo.Context) error {
	return sp.showComparison(c, c.Param("id"), nil)
}

func (sp *sourcingPages) showComparison(c echo.Context, id string, form *pageForm) error {
	ctx, who := c.Request().Context(), actor(c)
	v, err := sp.s.app.Sourcing.GetComparison(ctx, who, id)
	if err != nil {
		return err
	}
	chart, err := sp.s.app.Sourcing.ComparisonChart(ctx, who, id)
	if err != nil {
		return err
	}
	api := "/api/v1/comparisons/" + url.PathEscape(id)
	d := comparisonData{View: v, Version: v.Meta.Version, Edit: comparisonPath(id) + "/edit", Report: comparisonPath(id) + "/report",
		ReportText: reportTextPath(id), CSV: api + "/export.csv", XLSX: api + "/export.xlsx", Decided: v.Decided,
		// The chart is our own SVG, its text escaped by ChartSVG, as in the report.
		Chart: template.HTML(chart)}
	recommended := v.RecommendedOption
	if top, ok := v.Result.TopRanked(); ok && recommended == "" {
		recommended = top.ID
	}
	d.Options = append(d.Options, option{Value: "", Text: "the top-ranked option", Selected: v.RecommendedOption == ""})
	for _, o := range v.Result.Options {
		s := o.Summary
		score, saving := s.BestValueScore.Fixed(1), s.SavingVsBaseline.Display()
		if v.IsWithheld("results.bestValueScore") {
			score = "withheld"
		}
		if v.IsWithheld("results.savingVsBaseline") {
			saving = "withheld"
		}
		kind := "G-Cloud"
		if o.Kind != "gcloud" {
			kind = "On-premise"
		}
		d.Rows = append(d.Rows, resultRow{Name: o.Name, Kind: kind, WholeLife: s.WholeLifeCost.Display(), NPV: s.NPV.Display(),
			Saving: saving, Carbon: thousands(int64(s.TotalKgCO2e.Round(0).Float())) + " kg", Score: score,
			Evidence: s.Quality.Evidence, Rank: s.Rank, Recommended: o.ID == recommended})
		d.Options = append(d.Options, option{Value: o.ID, Text: o.Name, Selected: o.ID == v.RecommendedOption})
	}
	d.ExemptFields = []option{{Value: "purpose", Text: "the purpose"}, {Value: "risks", Text: "the risks"},
		{Value: "justification", Text: "the justification"}, {Value: "serviceReasons", Text: "the service reasons"}}
	for _, o := range v.Result.Options {
		d.ExemptFields = append(d.ExemptFields, option{Value: "options." + o.ID, Text: o.Name + ": its prices and costs (a supplier's quote)"},
			option{Value: "rejectionReasons." + o.ID, Text: o.Name + ": the reason it was not recommended"})
	}
	slices.SortStableFunc(d.Rows, func(a, b resultRow) int { return a.Rank - b.Rank })
	if form == nil {
		form = sourcingForm(formOf(struct {
			sourcing.Recommendation
			Decision string `json:"decision"`
		}{Recommendation: v.Recommendation}))
	}
	return sp.render(c, http.StatusOK, "comparison", v.Input.Title, []pageLink{{sourcingPath + "/comparisons", "Comparisons"}}, form, d)
}

// comparisonFormData is what the comparison form needs beside its values.
type comparisonFormData struct {
	Action, Submit string
	Version        int64
	// Shortlisted are the services of the council's exported shortlists,
	// offered as cloud options.
	Shortlisted []shortlisted
	// FromEstate fills the first on-premise option from the council's
	// estate register; EstateAssets is how many assets it read.
	FromEstate   string
	EstateAssets int
	// Admin readers name the council the comparison is for.
	Admin bool
}

type shortlisted struct{ ID, Text string }

// blankItems is how many empty rows each list offers to fill in.
const blankItems = 1

func (sp *sourcingPages) newComparison(c echo.Context) error {
	values := url.Values{"horizonYears": {"5"}}
	if id := c.QueryParam("service"); id != "" {
		values.Set("cloudOptions[0].id", "cloud-1")
		values.Set("cloudOptions[0].serviceId", id)
	}
	d := comparisonFormData{Action: sourcingPath + "/comparisons/new", Submit: "Create the comparison"}
	if org := actor(c).Organisation; org != "" {
		d.FromEstate = sourcingPath + "/comparisons/new?estate=yes"
		if c.QueryParam("estate") != "" {
			assets, err := sp.s.app.Procurement.Assets(c.Request().Context(), actor(c), org)
			if err != nil {
				return err
			}
			opt := sourcing.OnPremOptionFromEstate("onprem", "The estate as it is", assets)
			for k, v := range formOf(struct {
				OnPremOptions []sourcing.OnPremOption `json:"onPremOptions"`
			}{[]sourcing.OnPremOption{opt}}) {
				values[k] = v
			}
			d.EstateAssets = len(assets)
		}
	}
	f := sourcingForm(values)
	return sp.showComparisonForm(c, f, d)
}

func (sp *sourcingPages) showComparisonForm(c echo.Context, f *pageForm, d comparisonFormData) error {
	list, _, err := sp.s.app.Sourcing.ListSavedSearches(c.Request().Context(), actor(c), appsrc.SearchQueryFilter{Limit: 100})
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, s := range list {
		for _, r := range s.ExportedRows {
			if !seen[r.ServiceID] {
				seen[r.ServiceID] = true
				d.Shortlisted = append(d.Shortlisted, shortlisted{ID: r.ServiceID, Text: r.Service + " (" + r.Supplier + ", shortlist " + s.Name + ")"})
			}
		}
	}
	d.Admin = actor(c).Role == domain.RoleAdmin
	title := "New comparison"
	crumbs := []pageLink{{sourcingPath + "/comparisons", "Comparisons"}}
	if d.Version != 0 {
		title = "Edit " + f.Value("title")
	}
	return sp.render(c, http.StatusOK, "comparison-form", title, crumbs, f, d)
}

// comparisonInput reads the form into the use case's input, its blank
// rows dropped.
func comparisonInput(values url.Values) (appsrc.ComparisonInput, url.Values, error) {
	values = cloneValues(values)
	compactList(values, "drivers", func(item url.Values) bool { return filled(item, "id", "name") })
	compactList(values, "cloudOptions", func(item url.Values) bool { return filled(item, "id", "name", "serviceId") })
	compactList(values, "onPremOptions", func(item url.Values) bool { return filled(item, "id", "name") })
	var in appsrc.ComparisonInput
	err := decodeForm(values, &in).Err()
	return in, values, err
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vals := range v {
		out[k] = append([]string(nil), vals...)
	}
	return out
}

func (sp *sourcingPages) createComparison(c echo.Context) error {
	values, err := c.FormParams()
	if err != nil {
		return err
	}
	if values.Get("_more") != "" {
		return sp.moreRows(c, values, comparisonFormData{Action: sourcingPath + "/comparisons/new", Submit: "Create the comparison"})
	}
	in, values, err := comparisonInput(values)
	if err == nil {
		var v appsrc.ComparisonView
		if v, err = sp.s.app.Sourcing.CreateComparison(c.Request().Context(), actor(c), in); err == nil {
			return seeOther(c, comparisonPath(v.ID))
		}
	}
	return sp.refused(err, values, func(f *pageForm) error {
		return sp.showComparisonForm(c, f, comparisonFormData{Action: sourcingPath + "/comparisons/new", Submit: "Create the comparison"})
	})
}

func (sp *sourcingPages) editComparison(c echo.Context) error {
	id := c.Param("id")
	v, err := sp.s.app.Sourcing.GetComparison(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	if !v.Access.Edit {
		return sp.notEditable(c, v)
	}
	f := sourcingForm(formOf(v.Editable()))
	return sp.showComparisonForm(c, f, comparisonFormData{Action: comparisonPath(id) + "/edit", Submit: "Save and recompute", Version: v.Meta.Version})
}

// moreRows shows the form again as typed, with a blank row more in each
// list: adding a driver or an option needs no script.
func (sp *sourcingPages) moreRows(c echo.Context, values url.Values, d comparisonFormData) error {
	values.Del("_more")
	values.Del("csrf")
	f := sourcingForm(values)
	return sp.showComparisonForm(c, f, d)
}

func formVersion(values url.Values) int64 {
	n, _ := strconv.ParseInt(values.Get("version"), 10, 64)
	return n
}

func (sp *sourcingPages) saveComparison(c echo.Context) error {
	id := c.Param("id")
	values, err := c.FormParams()
	if err != nil {
		return err
	}
	version := formVersion(values)
	if values.Get("_more") != "" {
		return sp.moreRows(c, values, comparisonFormData{Action: comparisonPath(id) + "/edit", Submit: "Save and recompute", Version: version})
	}
	in, values, err := comparisonInput(values)
	if err == nil {
		if _, err = sp.s.app.Sourcing.ReplaceComparison(c.Request().Context(), actor(c), id, version, in); err == nil {
			return seeOther(c, comparisonPath(id))
		}
	}
	return sp.refused(err, values, func(f *pageForm) error {
		if errors.Is(err, store.ErrStale) {
			// Offer the officer's edit again over the version now stored.
			v, gerr := sp.s.app.Sourcing.GetComparison(c.Request().Context(), actor(c), id)
			if gerr != nil {
				return gerr
			}
			version = v.Meta.Version
		}
		return sp.showComparisonForm(c, f, comparisonFormData{Action: comparisonPath(id) + "/edit", Submit: "Save and recompute", Version: version})
	})
}

// saveRecommendation patches the officer's recommendation and reasons
// into the draft, as a JSON merge patch of those members only.
func (sp *sourcingPages) saveRecommendation(c echo.Context) error {
	id := c.Param("id")
	return sp.submitted(c, func(values url.Values) (string, error) {
		next := comparisonPath(id) + "#recommendation"
		var rec sourcing.Recommendation
		if err := decodeForm(values, &rec).Err(); err != nil {
			return next, err
		}
		// Every member is sent, so clearing an input clears it.
		raw, _ := json.Marshal(map[string]any{"recommendedOption": rec.RecommendedOption,
			"justification": rec.Justification, "serviceReasons": rec.ServiceReasons})
		_, err := sp.s.app.Sourcing.PatchComparison(c.Request().Context(), actor(c), id, formVersion(values), raw)
		return next, err
	}, func(f *pageForm) error { return sp.showComparison(c, id, f) })
}

func (sp *sourcingPages) decide(c echo.Context) error {
	id := c.Param("id")
	return sp.submitted(c, func(values url.Values) (string, error) {
		next := comparisonPath(id)
		in := appsrc.DecisionInput{Decision: strings.TrimSpace(values.Get("decision")), Reference: strings.TrimSpace(values.Get("reference")),
			By: strings.TrimSpace(values.Get("by"))}
		_, err := sp.s.app.Sourcing.Decide(c.Request().Context(), actor(c), id, formVersion(values), in)
		return next, err
	}, func(f *pageForm) error { return sp.showComparison(c, id, f) })
}

func (sp *sourcingPages) markExempt(c echo.Context) error {
	id := c.Param("id")
	return sp.submitted(c, func(values url.Values) (string, error) {
		next := comparisonPath(id) + "#exempt"
		var in appsrc.ExemptInput
		if err := decodeForm(values, &in).Err(); err != nil {
			return next, err
		}
		_, err := sp.s.app.Sourcing.MarkExempt(c.Request().Context(), actor(c), id, formVersion(values), in)
		return next, err
	}, func(f *pageForm) error { return sp.showComparison(c, id, f) })
}

func (sp *sourcingPages) publish(c echo.Context) error {
	id := c.Param("id")
	return sp.submitted(c, func(values url.Values) (string, error) {
		next := comparisonPath(id)
		_, err := sp.s.app.Sourcing.Publish(c.Request().Context(), actor(c), id, formVersion(values))
		return next, err
	}, func(f *pageForm) error { return sp.showComparison(c, id, f) })
}

// reportTextPath is where the officer writes the report's own sections.
func reportTextPath(id string) string { return comparisonPath(id) + "/report-text" }

func (sp *sourcingPages) reportText(c echo.Context) error {
	v, err := sp.s.app.Sourcing.GetComparison(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	if !v.Access.Edit {
		return sp.notEditable(c, v)
	}
	f := sourcingForm(formOf(struct {
		Report sourcing.ReportText `json:"report"`
	}{v.Report}))
	return sp.showReportText(c, v, f)
}

func (sp *sourcingPages) showReportText(c echo.Context, v appsrc.ComparisonView, f *pageForm) error {
	d := struct {
		Action, Report string
		Version        int64
	}{reportTextPath(v.ID), comparisonPath(v.ID) + "/report", v.Meta.Version}
	return sp.render(c, http.StatusOK, "report-text", "Report text", []pageLink{{sourcingPath + "/comparisons", "Comparisons"},
		{comparisonPath(v.ID), v.Input.Title}}, f, d)
}

// saveReportText patches the report's sections into the draft: every
// section is sent, an emptied one as null, so clearing an input clears it.
func (sp *sourcingPages) saveReportText(c echo.Context) error {
	ctx, id := c.Request().Context(), c.Param("id")
	return sp.submitted(c, func(values url.Values) (string, error) {
		next := comparisonPath(id)
		var in struct {
			Report sourcing.ReportText `json:"report"`
		}
		if err := decodeForm(values, &in).Err(); err != nil {
			return next, err
		}
		var report map[string]any
		raw, _ := json.Marshal(in.Report)
		_ = json.Unmarshal(raw, &report)
		for name := range jsonMembers(reflect.TypeFor[sourcing.ReportText]()) {
			if _, ok := report[name]; !ok {
				report[name] = nil
			}
		}
		raw, _ = json.Marshal(map[string]any{"report": report})
		_, err := sp.s.app.Sourcing.PatchComparison(ctx, actor(c), id, formVersion(values), raw)
		return next, err
	}, func(f *pageForm) error {
		v, err := sp.s.app.Sourcing.GetComparison(ctx, actor(c), id)
		if err != nil {
			return err
		}
		return sp.showReportText(c, v, f)
	})
}

// notEditable says why a comparison's form is not offered: it is no
// longer a draft, or the reader is a partner who may read but not edit.
func (sp *sourcingPages) notEditable(c echo.Context, v appsrc.ComparisonView) error {
	why := "only officers of " + v.Organisation + " can edit this comparison"
	if v.State != sourcing.StateDraft {
		why = "this comparison is " + v.State + ": its inputs and report text are the record of the decision and can no longer change"
	}
	return sp.s.pages.errorPage(c, http.StatusForbidden, why)
}
