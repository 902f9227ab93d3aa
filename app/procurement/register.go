package procurement

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/opendata"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue/ocds"
	od "github.com/jointict/councilapi/domain/opendata"
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

// RegisterFile is the file name of the register and of each uploaded version.
const RegisterFile = "contracts-register.csv"

// all reads every procurement.
func (s *Service) all(ctx context.Context) ([]Record, error) {
	var out []Record
	err := s.procs.Scan(ctx, nil, func(r Record, _ repo.Meta) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// ContractsRegister is the Transparency Code contracts register of every
// procurement and awarded G-Cloud call-off, under the rules in force today, as CSV, and its row count.
func (s *Service) ContractsRegister(ctx context.Context) ([]byte, int, error) {
	recs, err := s.all(ctx)
	if err != nil {
		return nil, 0, err
	}
	ps := make([]procurement.JointProcurement, len(recs))
	for i, r := range recs {
		ps[i] = r.JointProcurement
	}
	rs, err := s.rules(s.today())
	if err != nil {
		return nil, 0, err
	}
	cfg := ocds.Config{Prefix: s.prefix}
	rows := procurement.RegisterRows(ps, rs, cfg.OCID)
	callOffs, err := s.callOffRows(ctx, rs)
	if err != nil {
		return nil, 0, err
	}
	rows = append(rows, callOffs...)
	procurement.SortRegister(rows)
	var buf bytes.Buffer
	if err := procurement.WriteRegisterCSV(&buf, rows); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), len(rows), nil
}

// RegisterDataset is the id of the register's open data dataset ("" before
// there was a contract to list).
func (s *Service) RegisterDataset(ctx context.Context) (string, error) {
	set, _, err := s.settings.Get(ctx, registerSettingsID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	return set.DatasetID, err
}

// publishRegister uploads the register as a new version of the host
// authority's dataset when it differs from the last upload, through the
// open data capability's own use cases (and so its jobs, checks against
// the Transparency Code template and audit). The dataset is created the
// first time there is a contract to list, and published with its first
// version. When the host lacks what publication needs, every procurement
// answer and /readyz say so (RegisterPublicationProblems).
func (s *Service) publishRegister(ctx context.Context) error {
	s.registerMu.Lock()
	defer s.registerMu.Unlock()
	b, rows, err := s.ContractsRegister(ctx)
	if err != nil || rows == 0 {
		return err // a dataset version needs at least one row
	}
	sum := sha256.Sum256(b)
	digest := hex.EncodeToString(sum[:])
	set, m, err := s.settings.Get(ctx, registerSettingsID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if set.SHA256 == digest {
		return nil
	}
	if set.DatasetID == "" {
		orgs, err := s.organisations(ctx)
		if err != nil {
			return err
		}
		host, found := hostOf(orgs)
		if pr := procurement.RegisterPublicationProblems(host, found); len(pr) > 0 {
			return errors.New(strings.Join(pr, "; "))
		}
		id, err := s.createRegisterDataset(ctx, host.ID, host.Name, host.Contact.Name, host.Contact.Email)
		if err != nil {
			return err
		}
		set.DatasetID = id
		if m, err = s.saveRegisterSettings(ctx, set, m); err != nil {
			return err
		}
	}
	d, _, err := s.data.Datasets().Get(ctx, set.DatasetID)
	if err != nil {
		return err
	}
	if d.Status == od.StatusWithdrawn {
		return nil // the publisher withdrew it; publishing again would defy that
	}
	if _, err := s.data.UploadVersion(ctx, audit.System, d.ID, opendata.Upload{FileName: RegisterFile, Format: "csv",
		Body: bytes.NewReader(b), Options: opendata.UploadOptions{PublishDataset: true}}); err != nil {
		return err
	}
	set.SHA256 = digest
	_, err = s.saveRegisterSettings(ctx, set, m)
	return err
}

// saveRegisterSettings writes the settings at the version read (m.Version
// 0: not stored yet). Another instance that wrote first makes this
// ErrStale or ErrExists, and that instance's upload stands.
func (s *Service) saveRegisterSettings(ctx context.Context, set registerSettings, m repo.Meta) (repo.Meta, error) {
	if m.Version == 0 {
		return s.settings.Insert(ctx, registerSettingsID, set)
	}
	return s.settings.Replace(ctx, registerSettingsID, m.Version, set)
}

// createRegisterDataset adds the draft dataset of the host authority.
func (s *Service) createRegisterDataset(ctx context.Context, hostID, hostName, contactName, contactEmail string) (string, error) {
	d := od.Dataset{Title: "Contracts exceeding £5,000: joint ICT procurements",
		Description: "The Local Government Transparency Code 2015 contracts register of the procurements " + hostName +
			" runs as host authority for the Joint ICT Service partners: one row per contract over £5,000, with the OCDS ocid of its open contracting record. Updated automatically whenever the register changes.",
		Publisher: hostID, ContactPoint: od.ContactPoint{Name: contactName, Email: contactEmail},
		Keywords: []string{"contracts", "procurement", "transparency code"}, Slug: od.Slugify("joint ict contracts register")}
	doc, _, err := s.data.Create(ctx, audit.System, opendata.DatasetInput{Dataset: d, Template: od.ContractsOver5000.ID})
	if err != nil {
		return "", err
	}
	return doc.ID, nil
}
