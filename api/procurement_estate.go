package api

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appproc "github.com/jointict/councilapi/app/procurement"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/estate"
)

// estateImportLimit caps an imported estate register: a council's whole
// register is a few thousand rows, well under a megabyte.
const estateImportLimit = 16 << 20

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (a *procurementAPI) estateRoutes(v1 *echo.Group) {
	s := a.s
	v1.GET("/estate/support-table", a.supportTable)
	v1.GET("/organisations/:id/estate", a.assets, s.authenticate)
	v1.POST("/organisations/:id/estate", a.createAsset, s.authenticate)
	v1.POST("/organisations/:id/estate/import", a.importAssets, s.authenticate)
	v1.GET("/organisations/:id/estate/refresh-needs", a.refreshNeeds, s.authenticate)
	v1.GET("/organisations/:id/estate/:asset", a.asset, s.authenticate)
	v1.PATCH("/organisations/:id/estate/:asset", a.patchAsset, s.authenticate)
	v1.DELETE("/organisations/:id/estate/:asset", a.deleteAsset, s.authenticate)
}

// supportTable is the shipped end-of-support table.
//
//	@Summary		Vendors' end-of-support dates of well-known products (versioned, each with its source)
//	@Description	An asset's own endOfSupport overrides the table.
//	@Tags			estate
//	@Produce		json
//	@Success		200	{object}	estate.SupportTable
//	@Router			/api/v1/estate/support-table [get]
func (a *procurementAPI) supportTable(c echo.Context) error {
	return c.JSON(http.StatusOK, a.svc.SupportTable())
}

// assets lists an organisation's estate.
//
//	@Summary	An organisation's ICT estate register (its officers and admins)
//	@Tags		estate
//	@Produce	json
//	@Param		id	path		string	true	"organisation id, e.g. bdc"
//	@Success	200	{object}	listResponse[estate.Asset]
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/estate [get]
func (a *procurementAPI) assets(c echo.Context) error {
	items, err := a.svc.Assets(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listResponse[estate.Asset]{Items: items, Total: int64(len(items)), Limit: len(items)})
}

// asset reads one asset.
//
//	@Summary	One asset of an organisation's estate
//	@Tags		estate
//	@Produce	json
//	@Param		id		path		string	true	"organisation id"
//	@Param		asset	path		string	true	"asset id"
//	@Success	200		{object}	estate.Asset
//	@Failure	401		{object}	Problem
//	@Failure	403		{object}	Problem
//	@Failure	404		{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/estate/{asset} [get]
func (a *procurementAPI) asset(c echo.Context) error {
	as, m, err := a.svc.Asset(c.Request().Context(), actor(c), c.Param("id"), c.Param("asset"))
	if err != nil {
		return err
	}
	return withETag(c, m.ETag(), as)
}

// createAsset adds an asset.
//
//	@Summary		Add an asset to an organisation's estate (its officers and admins)
//	@Description	Servers, storage, network, end-user devices and software (perpetual or subscription licences): quantity, acquisition date, replacement cost per unit excluding VAT, refresh cycle in years, power draw per unit, and the vendor's end of support when it differs from the shipped table.
//	@Tags			estate
//	@Accept			json
//	@Produce		json
//	@Param			id		path		string			true	"organisation id"
//	@Param			asset	body		estate.Asset	true	"the asset"
//	@Success		201		{object}	estate.Asset
//	@Failure		400		{object}	Problem
//	@Failure		401		{object}	Problem
//	@Failure		403		{object}	Problem
//	@Failure		409		{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/organisations/{id}/estate [post]
func (a *procurementAPI) createAsset(c echo.Context) error {
	org := c.Param("id")
	as, m, err := a.svc.CreateAsset(c.Request().Context(), actor(c), org, input(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", m.ETag())
	c.Response().Header().Set("Location", a.s.baseURL(c)+"/api/v1/organisations/"+org+"/estate/"+as.ID)
	return c.JSON(http.StatusCreated, as)
}

// patchAsset edits an asset.
//
//	@Summary	Edit an asset (JSON merge patch)
//	@Tags		estate
//	@Accept		json
//	@Produce	json
//	@Param		id			path		string			true	"organisation id"
//	@Param		asset		path		string			true	"asset id"
//	@Param		If-Match	header		string			false	"ETag from GET; 412 when stale"
//	@Param		patch		body		estate.Asset	true	"members to change"
//	@Success	200			{object}	estate.Asset
//	@Failure	400			{object}	Problem
//	@Failure	401			{object}	Problem
//	@Failure	403			{object}	Problem
//	@Failure	404			{object}	Problem
//	@Failure	409			{object}	Problem
//	@Failure	412			{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/estate/{asset} [patch]
func (a *procurementAPI) patchAsset(c echo.Context) error {
	version, err := a.assetPrecondition(c)
	if err != nil {
		return err
	}
	as, m, err := a.svc.PatchAsset(c.Request().Context(), actor(c), c.Param("id"), c.Param("asset"), version, patchInput(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", m.ETag())
	return c.JSON(http.StatusOK, as)
}

// assetPrecondition is the client's If-Match version of the asset in the
// path, read after the role check.
func (a *procurementAPI) assetPrecondition(c echo.Context) (int64, error) {
	if err := authorize(c, domain.AreaProcurement, ""); err != nil {
		return 0, err
	}
	return ifMatch(c, appproc.AssetKey(c.Param("id"), c.Param("asset")))
}

// deleteAsset removes an asset.
//
//	@Summary	Remove an asset from the estate
//	@Tags		estate
//	@Param		id			path	string	true	"organisation id"
//	@Param		asset		path	string	true	"asset id"
//	@Param		If-Match	header	string	false	"ETag from GET; 412 when stale"
//	@Success	204
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Failure	412	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/organisations/{id}/estate/{asset} [delete]
func (a *procurementAPI) deleteAsset(c echo.Context) error {
	version, err := a.assetPrecondition(c)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteAsset(c.Request().Context(), actor(c), c.Param("id"), c.Param("asset"), version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// importAssets reads an estate register file.
//
//	@Summary		Import an estate register from CSV or XLSX (its officers and admins)
//	@Description	Send the file as the body with Content-Type text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet. The first row names the columns (id, category, product, version, vendor, quantity, acquired, replacementCost, refreshYears, endOfSupport, licence, powerWatts, location, notes; common spellings such as "Qty" or "Purchase date" are understood). Each good row adds its asset or replaces the one with its id; each bad row is reported with its row number and field and never stops the others; every repair (a date read from another format, a category spelled otherwise) is reported too.
//	@Tags			estate
//	@Accept			text/csv
//	@Produce		json
//	@Param			id	path		string	true	"organisation id"
//	@Success		200	{object}	appproc.ImportResult
//	@Failure		400	{object}	Problem
//	@Failure		401	{object}	Problem
//	@Failure		403	{object}	Problem
//	@Failure		413	{object}	Problem
//	@Failure		415	{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/organisations/{id}/estate/import [post]
func (a *procurementAPI) importAssets(c echo.Context) error {
	read := func() (string, []byte, error) {
		mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
		format := map[string]string{"text/csv": "csv", "application/csv": "csv", xlsxType: "xlsx"}[mt]
		if format == "" {
			return "", nil, newProblem("unsupported", "send the estate register as text/csv or "+xlsxType)
		}
		body, err := io.ReadAll(io.LimitReader(c.Request().Body, estateImportLimit+1))
		if err != nil {
			return "", nil, err
		}
		if len(body) > estateImportLimit {
			return "", nil, newProblem("too-large", fmt.Sprintf("an estate register is at most %d bytes", estateImportLimit))
		}
		return format, body, nil
	}
	res, err := a.svc.ImportAssets(c.Request().Context(), actor(c), c.Param("id"), read)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// horizon reads horizonMonths (0 when absent: the default).
func horizon(c echo.Context) (int, error) {
	v := strings.TrimSpace(c.QueryParam("horizonMonths"))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		var pr domain.Problems
		pr.Add("horizonMonths", "must be a whole number of months from 1 to 120")
		return 0, pr.Err()
	}
	return n, nil
}

// refreshNeeds lists the assets to replace.
//
//	@Summary		Refresh needs: assets past or near the end of support or of their refresh cycle
//	@Description	Each with the date that drives it, the financial year the money is needed in (the current one when already past), the cost split into hardware, perpetual licences and yearly subscriptions, power and server count (what an on-premise option of a sourcing comparison needs).
//	@Tags			estate
//	@Produce		json
//	@Param			id				path		string	true	"organisation id"
//	@Param			horizonMonths	query		int		false	"how far ahead, 1-120 months (default 24)"
//	@Success		200				{array}		estate.RefreshNeed
//	@Failure		400				{object}	Problem
//	@Failure		401				{object}	Problem
//	@Failure		403				{object}	Problem
//	@Failure		404				{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/organisations/{id}/estate/refresh-needs [get]
func (a *procurementAPI) refreshNeeds(c echo.Context) error {
	h, err := horizon(c)
	if err != nil {
		return err
	}
	needs, err := a.svc.RefreshNeeds(c.Request().Context(), actor(c), c.Param("id"), h)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, needs)
}
