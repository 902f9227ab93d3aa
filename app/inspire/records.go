package inspire

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/app/repo"
	"github.com/jointict/councilapi/catalogue/csw"
	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// INSPIRE collections: one stamp per served record, and the download
// service's identity; the organisations are read for the records' parties.
const (
	collInspireRecords  = "inspire_records"
	collInspireSettings = "inspire_settings"
	collOrganisations   = "organisations"
	inspireServiceKey   = "download-service"
)

// fingerprintBase stands in for the public base URL in fingerprints when
// none is configured, so a record reached under another host name (or behind
// a proxy) keeps its metadata date. Reserved by RFC 2606; never served.
const fingerprintBase = "https://councilapi.invalid"

// inspireStamp is kept per file identifier so that a record's dateStamp moves
// only when its content does, and so that a file identifier, once served for
// a dataset, is never served for another.
type inspireStamp struct {
	FileIdentifier string `json:"fileIdentifier"`
	DatasetID      string `json:"datasetId,omitempty"` // empty for the service record
	Fingerprint    string `json:"fingerprint"`
	MetadataDate   string `json:"metadataDate"` // yyyy-mm-dd
}

// inspireService is the download service's identity, chosen once.
type inspireService struct {
	FileIdentifier string    `json:"fileIdentifier"`
	Created        time.Time `json:"created"`
}

var errFileIDTaken = errors.New("the file identifier already belongs to another dataset's record")

func today() time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Service) fingerprintBase() string {
	if s.baseURL != "" {
		return s.baseURL
	}
	return fingerprintBase
}

// serviceProvider is the host authority, which runs the shared service for
// its partners; failing that, the first dataset's publisher. Its email is
// the organisation's, else the contact of one of its datasets.
// first is the publisher of served[0].
func serviceProvider(orgs []domain.Organisation, first domain.Organisation, served []gemini.DatasetRecord) (domain.Organisation, string) {
	var provider domain.Organisation
	for _, o := range orgs {
		if o.Host {
			provider = o
			break
		}
	}
	if provider.ID == "" {
		provider = first
	}
	if provider.Contact.Email != "" {
		return provider, provider.Contact.Email
	}
	for _, d := range served {
		if d.ResponsibleOrganisation.Organisation == provider.Name {
			return provider, d.ResponsibleOrganisation.Email
		}
	}
	return provider, served[0].ResponsibleOrganisation.Email
}

// serviceIdentity reads the service's file identifier, choosing it on first
// use. Two servers starting together both try to insert; the loser reads
// the winner's.
func (s *Service) serviceIdentity(ctx context.Context) (inspireService, error) {
	for range 3 {
		svc, _, err := s.settings.Get(ctx, inspireServiceKey)
		if err == nil {
			return svc, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return inspireService{}, err
		}
		svc = inspireService{FileIdentifier: od.NewFileIdentifier(), Created: time.Now().UTC().Truncate(time.Second)}
		if _, err := s.settings.Insert(ctx, inspireServiceKey, svc); err != nil {
			if errors.Is(err, store.ErrExists) {
				continue
			}
			return inspireService{}, err
		}
		s.audit.Record(ctx, audit.System, "inspire.service.create", collInspireSettings, inspireServiceKey, nil, svc)
		return svc, nil
	}
	return inspireService{}, errors.New("the download service identity could not be stored")
}

func (s *Service) loadStamps(ctx context.Context) (map[string]inspireStamp, error) {
	out := map[string]inspireStamp{}
	err := s.stamps.Scan(ctx, nil, func(st inspireStamp, m repo.Meta) error {
		out[m.ID] = st
		return nil
	})
	return out, err
}

// stamp returns the record's metadata date: the stored one while the
// fingerprint is unchanged, otherwise today, written back optimistically.
// known holds the stamps already read and is kept up to date.
func (s *Service) stamp(ctx context.Context, known map[string]inspireStamp, fileID, datasetID, fingerprint string) (time.Time, error) {
	next := inspireStamp{FileIdentifier: fileID, DatasetID: datasetID, Fingerprint: fingerprint,
		MetadataDate: today().Format(time.DateOnly)}
	if cur, ok := known[fileID]; ok {
		if cur.DatasetID != datasetID {
			return time.Time{}, fmt.Errorf("%w (%s)", errFileIDTaken, cur.DatasetID)
		}
		if cur.Fingerprint == fingerprint {
			return time.Parse(time.DateOnly, cur.MetadataDate)
		}
	} else {
		_, err := s.stamps.Insert(ctx, fileID, next)
		if err == nil {
			known[fileID] = next
			s.audit.Record(ctx, audit.System, "inspire.record.stamp", collInspireRecords, fileID, nil, next)
			return today(), nil
		}
		if !errors.Is(err, store.ErrExists) {
			return time.Time{}, err
		}
	}
	before, after, _, err := s.stamps.Update(ctx, fileID, func(cur *inspireStamp) error {
		if cur.DatasetID != datasetID {
			return fmt.Errorf("%w (%s)", errFileIDTaken, cur.DatasetID)
		}
		if cur.Fingerprint == fingerprint {
			return repo.Unchanged
		}
		*cur = next
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	known[fileID] = after
	if before != after {
		s.audit.Record(ctx, audit.System, "inspire.record.stamp", collInspireRecords, fileID, before, after)
	}
	return time.Parse(time.DateOnly, after.MetadataDate)
}

// datasetCSW is the Dublin Core summary CSW filters and lists.
func datasetCSW(rec gemini.DatasetRecord, xml []byte) csw.Record {
	out := csw.Record{Identifier: rec.FileIdentifier, Title: rec.Title, Abstract: rec.Abstract, Type: "dataset",
		Modified: rec.MetadataDate, XML: xml,
		BBox: csw.BBox{West: rec.BBox.West, South: rec.BBox.South, East: rec.BBox.East, North: rec.BBox.North}}
	for _, k := range rec.Keywords {
		out.Subjects = append(out.Subjects, k.Keywords...)
	}
	out.Subjects = append(out.Subjects, rec.TopicCategories...)
	for _, f := range rec.DataFormats {
		out.Formats = append(out.Formats, f.Name)
	}
	for _, l := range rec.ResourceLocators {
		scheme := l.Protocol
		if scheme == "" && l.Function == "download" {
			scheme = "WWW:DOWNLOAD-1.0-http--download"
		} else if scheme == "" {
			scheme = "WWW:LINK-1.0-http--link"
		}
		out.Links = append(out.Links, csw.Link{URL: l.URL, Scheme: scheme})
	}
	return out
}

// Indexes declares the INSPIRE collections to the store (which tracks
// declared collections in its change feed).
var Indexes = []store.Index{{Collection: collInspireRecords}, {Collection: collInspireSettings}}
