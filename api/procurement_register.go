package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jointict/councilapi/app/audit"
	appod "github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/catalogue/ocds"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// registerSettingsID is the settings record that remembers the register's
// open data dataset and the checksum of the CSV last uploaded to it.
const registerSettingsID = "contracts-register"

type registerSettings struct {
	DatasetID string `json:"datasetId,omitempty"`
	SHA256    string `json:"sha256,omitempty"`
}

// registerFile is the file name of each uploaded version.
const registerFile = "contracts-register.csv"

// registerCSV builds the Transparency Code contracts register from every
// procurement, under the rules in force today.
func (a *procurementAPI) registerCSV(ctx context.Context) ([]byte, int, error) {
	var ps []procurement.JointProcurement
	err := a.s.store.Scan(ctx, collProcurements, nil, func(r store.Record) error {
		var d procurementDoc
		if err := r.Decode(&d); err != nil {
			return err
		}
		ps = append(ps, d.JointProcurement)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	rs, err := a.rules(procurement.DateOf(time.Now()))
	if err != nil {
		return nil, 0, err
	}
	cfg := ocds.Config{Prefix: a.prefix}
	rows := procurement.RegisterRows(ps, rs, cfg.OCID)
	var buf bytes.Buffer
	if err := procurement.WriteRegisterCSV(&buf, rows); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), len(rows), nil
}

// serveRegister serves the register at a stable URL.
//
//	@Summary		Transparency Code contracts register (contracts over £5,000) as CSV
//	@Description	One row per award of a signed, live or closed joint procurement whose value exceeds £5,000, with the Code's fields and the OCDS ocid. The same file is published as an open data dataset of the host authority, a new version on each change.
//	@Tags			procurement
//	@Produce		text/csv
//	@Success		200	{string}	string	"CSV"
//	@Router			/contracts-register.csv [get]
func (a *procurementAPI) serveRegister(c echo.Context) error {
	b, _, err := a.registerCSV(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+registerFile+`"`)
	return serveDocument(c, http.StatusOK, "text/csv; charset=utf-8", b)
}

// publishRegister uploads the register as a new version of the host
// authority's dataset when it differs from the last upload. The dataset is
// created the first time there is a contract to list. Uploads are written
// exactly as datasetsAPI.upload writes them (source blob, version record,
// job) and processed by the same job runner, against the Transparency
// Code's contracts template.
func (a *procurementAPI) publishRegister(ctx context.Context) error {
	a.registerMu.Lock()
	defer a.registerMu.Unlock()
	b, rows, err := a.registerCSV(ctx)
	if err != nil || rows == 0 {
		return err // a dataset version needs at least one row
	}
	sum := sha256.Sum256(b)
	digest := hex.EncodeToString(sum[:])
	set, setRec, err := a.loadRegisterSettings(ctx)
	if err != nil {
		return err
	}
	if set.SHA256 == digest {
		return nil
	}
	if set.DatasetID == "" {
		id, err := a.createRegisterDataset(ctx)
		if err != nil {
			return err
		}
		set.DatasetID = id
		if setRec, err = a.saveRegisterSettings(ctx, set, setRec); err != nil {
			return err
		}
	}
	d, _, err := a.s.app.OpenData.Datasets().Get(ctx, set.DatasetID)
	if err != nil {
		return err
	}
	if d.Status == opendata.StatusWithdrawn {
		return nil // the publisher withdrew it; publishing again would defy that
	}
	if err := a.uploadRegisterVersion(ctx, d.ID, b); err != nil {
		return err
	}
	set.SHA256 = digest
	_, err = a.saveRegisterSettings(ctx, set, setRec)
	return err
}

func (a *procurementAPI) loadRegisterSettings(ctx context.Context) (registerSettings, *store.Record, error) {
	rec, err := a.s.store.Get(ctx, collProcSettings, registerSettingsID)
	if errors.Is(err, store.ErrNotFound) {
		return registerSettings{}, nil, nil
	}
	if err != nil {
		return registerSettings{}, nil, err
	}
	var s registerSettings
	return s, &rec, rec.Decode(&s)
}

func (a *procurementAPI) saveRegisterSettings(ctx context.Context, s registerSettings, rec *store.Record) (*store.Record, error) {
	var out store.Record
	var err error
	if rec == nil {
		out, err = a.s.store.Insert(ctx, collProcSettings, registerSettingsID, s)
	} else {
		out, err = a.s.store.Update(ctx, collProcSettings, registerSettingsID, rec.Version, s)
	}
	return &out, err
}

// createRegisterDataset adds the draft dataset of the host authority; the
// publish hook makes it public once its first version is processed.
func (a *procurementAPI) createRegisterDataset(ctx context.Context) (string, error) {
	orgs, err := a.organisations(ctx)
	if err != nil {
		return "", err
	}
	host, ok := hostOf(orgs)
	if !ok {
		return "", errors.New("no organisation is marked as the host authority")
	}
	if host.Contact.Email == "" {
		return "", fmt.Errorf("the host authority %s has no contact email, which a dataset needs; set it with PATCH /api/v1/organisations/%s", host.ID, host.ID)
	}
	d := opendata.Dataset{Title: "Contracts exceeding £5,000: joint ICT procurements",
		Description: "The Local Government Transparency Code 2015 contracts register of the procurements " + host.Name +
			" runs as host authority for the Joint ICT Service partners: one row per contract over £5,000, with the OCDS ocid of its open contracting record. Updated automatically whenever the register changes.",
		Publisher: host.ID, ContactPoint: opendata.ContactPoint{Name: host.Contact.Name, Email: host.Contact.Email},
		Keywords: []string{"contracts", "procurement", "transparency code"}, Slug: opendata.Slugify("joint ict contracts register")}
	doc, _, err := a.s.app.OpenData.Create(ctx, audit.System, appod.DatasetInput{Dataset: d, Template: opendata.ContractsOver5000.ID})
	if err != nil {
		return "", err
	}
	return doc.ID, nil
}

// uploadRegisterVersion queues the register as a new version of its
// dataset; the job publishes the draft dataset together with its first
// version.
func (a *procurementAPI) uploadRegisterVersion(ctx context.Context, datasetID string, b []byte) error {
	_, err := a.s.app.OpenData.UploadVersion(ctx, audit.System, datasetID, appod.Upload{FileName: registerFile, Format: "csv",
		Body: bytes.NewReader(b), Options: appod.UploadOptions{PublishDataset: true}})
	return err
}
