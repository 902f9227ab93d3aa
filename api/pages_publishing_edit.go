package api

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
)

// Editing a dataset's metadata: the new dataset form filled in with what
// the dataset says, sent to the use case as a JSON merge patch of what the
// form holds, so what it does not show (the file identifier, a second
// topic category) is kept, and what the publisher emptied is cleared.

func (p *publishingPages) editForm(c echo.Context) error {
	d, version, err := p.load(c)
	if err != nil {
		return err
	}
	f := newForm(datasetBase(d.ID)+"/edit", datasetValues(d, version), editInputs(d)...)
	return p.renderEdit(c, d, f)
}

// editInputs is the new dataset form without the publisher (it cannot
// change), the web address once published, and with the record's version.
func editInputs(d appod.DatasetRecord) []formInput {
	in := []formInput{versionInput}
	for _, x := range datasetInputs(domain.Principal{}, nil) {
		if x.Name == "slug" && d.Issued != nil {
			continue
		}
		in = append(in, x)
	}
	return in
}

func (p *publishingPages) renderEdit(c echo.Context, d appod.DatasetRecord, f *pageForm) error {
	return p.s.renderWorkbench(c, max(f.Status, 200), "workbench-form", page{Title: f.title("Edit " + d.Title), Crumbs: datasetCrumbs(d),
		Data: formData{Form: f, Submit: "Save the changes", Back: pageLink{datasetBase(d.ID), "Back to the dataset"},
			Intro: []string{"A published dataset's harvesters see the changes at once; its download addresses stay as they are."}}})
}

func (p *publishingPages) edit(c echo.Context) error {
	d, _, err := p.load(c)
	if err != nil {
		return err
	}
	f := posted(c, datasetBase(d.ID)+"/edit", editInputs(d)...).label("inspire", "INSPIRE metadata")
	patch := datasetPatch(d, datasetFrom(f))
	if f.ok() {
		raw, err := json.Marshal(patch)
		if err != nil {
			return err
		}
		if _, _, err = p.svc.Patch(c.Request().Context(), actor(c), d.ID, f.version(), raw); err == nil {
			return seeOther(c, datasetBase(d.ID)+"?done=edited")
		}
		if !f.refused(err) {
			return err
		}
	}
	if f.Values.Get("version") == "" {
		_, version, _ := p.load(c)
		f.Values.Set("version", strconv.FormatInt(version, 10))
	}
	return p.renderEdit(c, d, f)
}

// datasetValues are a dataset's fields as the form shows them.
func datasetValues(d appod.DatasetRecord, version int64) map[string][]string {
	v := map[string][]string{"version": {strconv.FormatInt(version, 10)}, "title": {d.Title}, "description": {d.Description},
		"slug": {d.Slug}, "licence": {d.Licence}, "updateFrequency": {d.UpdateFrequency}, "template": {d.Template},
		"contactPoint.name": {d.ContactPoint.Name}, "contactPoint.email": {d.ContactPoint.Email}, "themes": d.Themes}
	if len(d.Keywords) > 0 {
		v["keywords"] = []string{joinAny(d.Keywords)}
	}
	if t := d.Temporal; t != nil {
		for name, at := range map[string]*time.Time{"temporal.start": t.Start, "temporal.end": t.End} {
			if at != nil {
				v[name] = []string{at.Format(time.DateOnly)}
			}
		}
	}
	in := d.Inspire
	if in == nil {
		return v
	}
	v["spatial"] = []string{"yes"}
	v["inspire.lineage"], v["inspire.referenceSystem"] = []string{in.Lineage}, []string{in.ReferenceSystem}
	if len(in.TopicCategories) > 0 {
		v["inspire.topicCategories"] = in.TopicCategories[:1]
	}
	if len(in.Themes) > 0 {
		v["inspire.inspireThemes"] = in.Themes[:1]
	}
	if in.Resolution != nil && in.Resolution.EquivalentScale > 0 {
		v["inspire.spatialResolution.equivalentScale"] = []string{strconv.Itoa(in.Resolution.EquivalentScale)}
	}
	if in.ResourceIdentifier != nil {
		v["inspire.resourceIdentifier.code"] = []string{in.ResourceIdentifier.Code}
	}
	if i := slices.IndexFunc(in.Conformity, func(c od.Conformity) bool { return c.Specification == inspireSpecification }); i >= 0 {
		v["inspire.conformity"] = []string{in.Conformity[i].Result}
	}
	return v
}

// datasetPatch is the merge patch that makes d say what the form says:
// every member the form holds, null where it was emptied.
func datasetPatch(d appod.DatasetRecord, in appod.DatasetInput) map[string]any {
	orNull := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	p := map[string]any{"title": in.Title, "description": in.Description, "keywords": in.Keywords, "themes": in.Themes,
		"licence": orNull(in.Licence), "updateFrequency": orNull(in.UpdateFrequency), "template": orNull(in.Template),
		"contactPoint": map[string]any{"name": orNull(in.ContactPoint.Name), "email": orNull(in.ContactPoint.Email)},
		"temporal":     nil}
	if in.Slug != "" && in.Slug != d.Slug {
		p["slug"] = in.Slug
	}
	if t := in.Temporal; t != nil {
		p["temporal"] = map[string]any{"start": t.Start, "end": t.End}
	}
	if in.Inspire == nil {
		if d.Inspire != nil {
			p["inspire"] = nil // the use case says a spatial dataset stays one
		}
		return p
	}
	ins := map[string]any{"lineage": orNull(in.Inspire.Lineage), "referenceSystem": orNull(in.Inspire.ReferenceSystem),
		"spatialResolution": nil, "resourceIdentifier": nil}
	// The form holds the equivalent scale; a distance stays.
	if r := in.Inspire.Resolution; r != nil {
		ins["spatialResolution"] = map[string]any{"equivalentScale": r.EquivalentScale}
	} else if d.Inspire != nil && d.Inspire.Resolution != nil && d.Inspire.Resolution.DistanceMetres > 0 {
		ins["spatialResolution"] = map[string]any{"equivalentScale": nil}
	}
	// The form holds the first topic category and theme; the others stay.
	var topics, themes []string
	var conformity []od.Conformity
	if d.Inspire != nil {
		topics, themes = slices.Clone(d.Inspire.TopicCategories), slices.Clone(d.Inspire.Themes)
		conformity = slices.DeleteFunc(slices.Clone(d.Inspire.Conformity), func(c od.Conformity) bool { return c.Specification == inspireSpecification })
	}
	ins["topicCategories"] = firstReplaced(topics, in.Inspire.TopicCategories)
	ins["inspireThemes"] = firstReplaced(themes, in.Inspire.Themes)
	ins["conformity"] = append(in.Inspire.Conformity, conformity...)
	if r := in.Inspire.ResourceIdentifier; r != nil {
		ins["resourceIdentifier"] = map[string]any{"code": r.Code}
	}
	p["inspire"] = ins
	return p
}

// firstReplaced is old with its first value replaced by the form's (or
// dropped when the form's is empty).
func firstReplaced(old, form []string) []string {
	if len(old) > 0 {
		old = old[1:]
	}
	return append(slices.Clone(form), old...)
}
