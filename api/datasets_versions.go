package api

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/domain"
)

type uploadAccepted struct {
	appod.Accepted
	Links map[string]string `json:"links"`
}

// upload accepts a file as a new version and queues its processing.
//
//	@Summary		Upload a new version (publisher): multipart field "file" or a raw body
//	@Description	The file is streamed to storage, checksummed, then parsed and validated in a background job (poll the job). Readers keep seeing the previous version until the new one is complete.
//	@Tags			open data
//	@Accept			mpfd
//	@Produce		json
//	@Param			id			path		string	true	"dataset id"
//	@Param			filename	query		string	false	"file name for a raw body (its extension gives the format)"
//	@Param			format		query		string	false	"csv, json, geojson, gpkg, shp (zip), gml"
//	@Param			crs			query		string	false	"source CRS when the file does not say, e.g. EPSG:27700"
//	@Param			x			query		string	false	"CSV column of eastings or longitudes"
//	@Param			y			query		string	false	"CSV column of northings or latitudes"
//	@Param			layer		query		string	false	"GeoPackage layer"
//	@Param			axisOrder	query		string	false	"lonlat or latlon: how the file stores each position, when the job asks you to confirm it (a file outside your area that would fit with its axes swapped)"
//	@Success		202			{object}	uploadAccepted
//	@Failure		400			{object}	Problem
//	@Failure		401			{object}	Problem
//	@Failure		403			{object}	Problem
//	@Failure		413			{object}	Problem
//	@Security		bearer
//	@Router			/api/v1/datasets/{id}/versions [post]
func (a *datasetsAPI) upload(c echo.Context) error {
	qp := c.QueryParams()
	fileName, body, err := uploadBody(c)
	if err != nil {
		return err
	}
	acc, err := a.svc.UploadVersion(c.Request().Context(), actor(c), c.Param("id"), appod.Upload{
		FileName: fileName, Format: qp.Get("format"), Body: body,
		Options: appod.UploadOptions{CRS: qp.Get("crs"), XColumn: qp.Get("x"), YColumn: qp.Get("y"), Layer: qp.Get("layer"),
			AxisOrder: qp.Get("axisOrder")}})
	if err != nil {
		return err
	}
	base := a.s.baseURL(c)
	job := base + "/api/v1/jobs/" + acc.Job.ID
	c.Response().Header().Set("Location", job)
	return c.JSON(http.StatusAccepted, uploadAccepted{Accepted: acc, Links: map[string]string{
		"job": job, "version": base + "/api/v1/datasets/" + acc.Version.DatasetID + "/versions/" + strconv.Itoa(acc.Version.Number)}})
}

// uploadBody finds the file in a multipart form (field "file", streamed,
// never buffered whole) or takes the raw body.
func uploadBody(c echo.Context) (string, io.Reader, error) {
	name, body, _, err := uploadParts(c)
	return name, body, err
}

// uploadFieldLimit bounds each form field read before the file (the
// publishing page's options: CRS, coordinate columns, layer).
const uploadFieldLimit = 4 << 10

// uploadParts is uploadBody with the multipart form's other fields that
// come before the file, which a page's upload form places there so they
// are read without buffering the file.
func uploadParts(c echo.Context) (string, io.Reader, url.Values, error) {
	r := c.Request()
	fields := url.Values{}
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return "", nil, fields, newProblem("invalid", "the multipart body cannot be read: "+err.Error())
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return "", nil, fields, &domain.Error{Code: domain.CodeInvalid, Message: "no file in the form",
					Fields: []domain.FieldProblem{{Field: "file", Problem: "add the file as the multipart field named \"file\""}}}
			}
			if err != nil {
				return "", nil, fields, newProblem("invalid", "the multipart body cannot be read: "+err.Error())
			}
			if part.FormName() == "file" {
				name := path.Base(strings.ReplaceAll(part.FileName(), "\\", "/"))
				if name == "." || name == "/" {
					name = r.URL.Query().Get("filename")
				}
				return name, part, fields, nil
			}
			if part.FileName() == "" {
				v, err := io.ReadAll(io.LimitReader(part, uploadFieldLimit))
				if err != nil {
					return "", nil, fields, newProblem("invalid", "the multipart body cannot be read: "+err.Error())
				}
				fields.Add(part.FormName(), string(v))
			}
		}
	}
	name := r.URL.Query().Get("filename")
	if name == "" {
		if _, params, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentDisposition)); err == nil {
			name = params["filename"]
		}
	}
	return path.Base(name), r.Body, fields, nil
}

// listVersions lists a dataset's versions (published ones for the public).
//
//	@Summary	List a dataset's versions
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"dataset id"
//	@Success	200	{object}	listResponse[appod.VersionRecord]
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/datasets/{id}/versions [get]
func (a *datasetsAPI) listVersions(c echo.Context) error {
	limit, offset, err := paging(c)
	if err != nil {
		return err
	}
	items, total, err := a.svc.Versions(c.Request().Context(), actor(c), c.Param("id"), limit, offset)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listResponse[appod.VersionRecord]{Items: items, Total: total, Limit: limit, Offset: offset,
		Links: a.s.pageLinks(c, limit, offset, total)})
}

// getVersion reads one version with its validation report.
//
//	@Summary	Get a version with its validation report and files
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"dataset id"
//	@Param		n	path		int		true	"version number"
//	@Success	200	{object}	appod.VersionRecord
//	@Failure	404	{object}	Problem
//	@Router		/api/v1/datasets/{id}/versions/{n} [get]
func (a *datasetsAPI) getVersion(c echo.Context) error {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil {
		return newProblem("not-found", "version numbers are whole numbers")
	}
	v, m, err := a.svc.Version(c.Request().Context(), actor(c), c.Param("id"), n)
	if err != nil {
		return err
	}
	return withETag(c, m.ETag(), v)
}

// getJob reports an upload's processing.
//
//	@Summary	Poll a background job: state, progress percent, counts and validation report
//	@Tags		open data
//	@Produce	json
//	@Param		id	path		string	true	"job id"
//	@Success	200	{object}	opendata.Job
//	@Failure	401	{object}	Problem
//	@Failure	403	{object}	Problem
//	@Failure	404	{object}	Problem
//	@Security	bearer
//	@Router		/api/v1/jobs/{id} [get]
func (a *datasetsAPI) getJob(c echo.Context) error {
	j, err := a.svc.Job(c.Request().Context(), actor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}
