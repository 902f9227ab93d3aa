package api

import (
	"encoding/json"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/estate"
	"github.com/jointict/councilapi/domain/procurement"
)

// An organisation's ICT estate: the register, adding and editing an
// asset, and importing the register from a spreadsheet with each row's
// problems shown.

func (p *procurementPages) estateRoutes(in []echo.MiddlewareFunc) {
	e := p.s.Echo
	e.GET("/procurement/estate/:org", p.estate, in...)
	e.GET("/procurement/estate/:org/new", p.assetForm, in...)
	e.POST("/procurement/estate/:org/new", p.saveAsset, in...)
	e.GET("/procurement/estate/:org/assets/:asset", p.assetForm, in...)
	e.POST("/procurement/estate/:org/assets/:asset", p.saveAsset, in...)
	// The upload's path ends in /import, which the JSON body limit leaves
	// to the import's own limit.
	e.GET("/procurement/estate/:org/import", p.importForm, in...)
	e.POST("/procurement/estate/:org/import", p.importAssets, in...)
}

func estateBase(org string) string { return "/procurement/estate/" + url.PathEscape(org) }

// orgName is the organisation's name for a page title (its id if unknown:
// the use case says whether it exists).
func (p *procurementPages) orgName(c echo.Context, org string) string {
	names, _ := p.names(c.Request().Context())
	if n := names[org]; n != "" {
		return n
	}
	return org
}

func estateCrumbs(org, name string) []pageLink {
	return append(append([]pageLink{}, procurementCrumbs...), pageLink{estateBase(org), name + " estate"})
}

// estateData is the estate register page.
type estateData struct {
	Org, Name string
	Assets    []estate.Asset
	// Needs are the refresh needs by asset id.
	Needs map[string]estate.RefreshNeed
	Done  string
}

func (p *procurementPages) estate(c echo.Context) error {
	ctx, org := c.Request().Context(), c.Param("org")
	assets, err := p.svc.Assets(ctx, actor(c), org)
	if err != nil {
		return err
	}
	needs, err := p.svc.RefreshNeeds(ctx, actor(c), org, 0)
	if err != nil {
		return err
	}
	d := estateData{Org: org, Name: p.orgName(c, org), Assets: assets, Needs: map[string]estate.RefreshNeed{},
		Done: map[string]string{"saved": "The asset is saved."}[c.QueryParam("done")]}
	for _, n := range needs {
		d.Needs[n.AssetID] = n
	}
	return p.s.renderWorkbench(c, 200, "procurement/estate", page{Title: d.Name + ": ICT estate", Crumbs: procurementCrumbs,
		Data: d})
}

// assetInputs is the asset form; editing leaves the id out (it cannot change).
func assetInputs(editing bool) []formInput {
	var cats []option
	for _, c := range estate.Categories {
		cats = append(cats, option{Value: string(c), Text: categoryName(c)})
	}
	in := []formInput{versionInput}
	if !editing {
		in = append(in, formInput{Name: "id", Label: "Asset id", Hint: "The council's own reference, e.g. srv-fs01", Kind: "text", Width: 20})
	}
	return append(in,
		formInput{Name: "category", Label: "Category", Kind: "select", Options: cats},
		formInput{Name: "product", Label: "Product", Hint: "e.g. Windows Server 2016 or Dell PowerEdge R740", Kind: "text"},
		// "edition": the form's "version" is the record's, for If-Match.
		formInput{Name: "edition", Label: "Version or edition", Kind: "text", Width: 20},
		formInput{Name: "vendor", Label: "Vendor", Kind: "text", Width: 20},
		formInput{Name: "quantity", Label: "Quantity", Kind: "number", Width: 10},
		formInput{Name: "acquired", Label: "Date acquired", Kind: "date"},
		formInput{Name: "replacementCost", Label: "Replacement cost of one unit", Hint: "Excluding VAT, today; a year's subscription for subscription software", Kind: "money"},
		formInput{Name: "refreshYears", Label: "Refresh cycle in years", Hint: "Replaced after this many years even if still supported; leave empty if only end of support decides", Kind: "number", Width: 4},
		formInput{Name: "endOfSupport", Label: "End of support", Hint: "Leave empty to use the vendors' published dates", Kind: "date"},
		formInput{Name: "licence", Label: "Licence (software only)", Kind: "select", Options: []option{{Value: "", Text: "Not software"},
			{Value: string(estate.Perpetual), Text: "Perpetual"}, {Value: string(estate.Subscription), Text: "Subscription"}}},
		formInput{Name: "powerWatts", Label: "Average power of one unit in watts", Kind: "number", Width: 10},
		formInput{Name: "location", Label: "Location", Kind: "text", Width: 20},
		formInput{Name: "notes", Label: "Notes", Kind: "textarea"},
	)
}

func categoryName(c estate.Category) string { return named(categoryNames, c) }

var categoryNames = map[estate.Category]string{estate.Server: "Server", estate.Storage: "Storage", estate.Network: "Network",
	estate.EndUserDevice: "End-user device", estate.Software: "Software"}

// assetValues are an asset's fields as its form shows them.
func assetValues(a estate.Asset, version int64) url.Values {
	v := url.Values{"version": {strconv.FormatInt(version, 10)}, "id": {a.ID}, "category": {string(a.Category)},
		"product": {a.Product}, "edition": {a.Version}, "vendor": {a.Vendor}, "licence": {string(a.Licence)},
		"location": {a.Location}, "notes": {a.Notes}}
	for name, n := range map[string]int{"quantity": a.Quantity, "refreshYears": a.RefreshYears, "powerWatts": a.PowerWatts} {
		if n != 0 {
			v.Set(name, strconv.Itoa(n))
		}
	}
	if a.ReplacementCost != 0 {
		v.Set("replacementCost", a.ReplacementCost.String())
	}
	for name, d := range map[string]procurement.Date{"acquired": a.Acquired, "endOfSupport": a.EndOfSupport} {
		if !d.IsZero() {
			v.Set(name, d.String())
		}
	}
	return v
}

func (p *procurementPages) assetForm(c echo.Context) error {
	org, id := c.Param("org"), c.Param("asset")
	f := newForm(c.Request().URL.Path, url.Values{"quantity": {"1"}}, assetInputs(id != "")...)
	if id != "" {
		a, m, err := p.svc.Asset(c.Request().Context(), actor(c), org, id)
		if err != nil {
			return err
		}
		f.Values = assetValues(a, m.Version)
	} else if _, err := p.svc.Assets(c.Request().Context(), actor(c), org); err != nil {
		return err // an unknown council, or one whose estate this reader may not see
	}
	return p.renderAsset(c, org, id, f)
}

func (p *procurementPages) renderAsset(c echo.Context, org, id string, f *pageForm) error {
	name := p.orgName(c, org)
	title, submit := "Add an asset", "Add the asset"
	if id != "" {
		title, submit = "Asset "+id, "Save the asset"
	}
	return p.s.renderWorkbench(c, max(f.Status, 200), "workbench-form", page{Title: f.title(title), Crumbs: estateCrumbs(org, name),
		Data: formData{Form: f, Submit: submit, Back: pageLink{estateBase(org), "Back to the " + name + " estate"}}})
}

// assetFrom reads the asset form.
func assetFrom(f *pageForm, org, id string) estate.Asset {
	a := estate.Asset{ID: id, Organisation: org, Category: estate.Category(f.text("category")), Product: f.text("product"),
		Version: f.text("edition"), Vendor: f.text("vendor"), Quantity: f.whole("quantity"), Acquired: f.day("acquired"),
		ReplacementCost: f.money("replacementCost"), RefreshYears: f.whole("refreshYears"), EndOfSupport: f.day("endOfSupport"),
		Licence: estate.LicenceModel(f.text("licence")), PowerWatts: f.whole("powerWatts"), Location: f.text("location"), Notes: f.text("notes")}
	if id == "" {
		a.ID = f.text("id")
	}
	return a
}

// assetPatch is a merge patch setting every field of the form, emptied
// ones included (as null), so an edit can clear what it leaves empty.
func assetPatch(a estate.Asset) (map[string]any, error) {
	raw, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"version", "vendor", "acquired", "refreshYears", "endOfSupport", "licence", "powerWatts", "location", "notes"} {
		if _, ok := m[k]; !ok {
			m[k] = nil
		}
	}
	delete(m, "id")
	delete(m, "organisation")
	return m, nil
}

func (p *procurementPages) saveAsset(c echo.Context) error {
	ctx, org, id := c.Request().Context(), c.Param("org"), c.Param("asset")
	f := posted(c, c.Request().URL.Path, assetInputs(id != "")...)
	a := assetFrom(f, org, id)
	if f.ok() {
		var err error
		if id == "" {
			_, _, err = p.svc.CreateAsset(ctx, actor(c), org, given(a))
		} else {
			var patch map[string]any
			if patch, err = assetPatch(a); err == nil {
				_, _, err = p.svc.PatchAsset(ctx, actor(c), org, id, f.version(), patchOf(patch))
			}
		}
		if err == nil {
			return seeOther(c, estateBase(org)+"?done=saved")
		}
		if !f.refused(err) {
			return err
		}
	}
	return p.renderAsset(c, org, id, f)
}

// importData is the import form and, once a file is read, what it did.
type importData struct {
	Form   *pageForm
	Org    string
	Name   string
	Result *appproc.ImportResult
}

var importInputs = []formInput{{Name: "file", Label: "Estate register", Kind: "file",
	Hint: "A CSV or Excel (.xlsx) file with a header row: id, category, product, version, vendor, quantity, acquired, replacement cost, refresh years, end of support, licence, location, notes"}}

func (p *procurementPages) importForm(c echo.Context) error {
	org := c.Param("org")
	if _, err := p.svc.Assets(c.Request().Context(), actor(c), org); err != nil {
		return err
	}
	return p.renderImport(c, org, newForm(c.Request().URL.Path, nil, importInputs...), nil)
}

func (p *procurementPages) renderImport(c echo.Context, org string, f *pageForm, res *appproc.ImportResult) error {
	name := p.orgName(c, org)
	title := "Import the estate register"
	if res != nil {
		title = "Estate register imported"
	}
	return p.s.renderWorkbench(c, max(f.Status, 200), "procurement/import", page{Title: f.title(title), Crumbs: estateCrumbs(org, name),
		Data: importData{Form: f, Org: org, Name: name, Result: res}})
}

// importAssets reads an uploaded register; each good row is saved and each
// bad one reported by its row number, never stopping the others.
func (p *procurementPages) importAssets(c echo.Context) error {
	org := c.Param("org")
	f := newForm(c.Request().URL.Path, nil, importInputs...)
	res, err := p.svc.ImportAssets(c.Request().Context(), actor(c), org, func() (string, []byte, error) {
		fh, err := c.FormFile("file")
		if err != nil {
			return "", nil, &domain.Error{Code: domain.CodeInvalid, Message: "no file was sent",
				Fields: []domain.FieldProblem{{Field: "file", Problem: "choose the CSV or Excel file of the register"}}}
		}
		r, err := fh.Open()
		if err != nil {
			return "", nil, err
		}
		defer r.Close()
		body, err := io.ReadAll(io.LimitReader(r, estateImportLimit+1))
		if err != nil {
			return "", nil, err
		}
		if len(body) > estateImportLimit {
			return "", nil, domain.Errorf(domain.CodeTooLarge, "the file is larger than %d MB; an estate register is far smaller", estateImportLimit>>20)
		}
		format := strings.TrimPrefix(strings.ToLower(path.Ext(fh.Filename)), ".")
		if format != "xlsx" {
			format = "csv" // the import says so when the file is not CSV either
		}
		return format, body, nil
	})
	if err != nil {
		if !f.refused(err) {
			return err
		}
		return p.renderImport(c, org, f, nil)
	}
	return p.renderImport(c, org, f, &res)
}
