package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/catalogue/csw"
	"github.com/jointict/councilapi/catalogue/gemini"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/store"
)

// INSPIRE collections: one stamp per served record, and the download
// service's identity.
const (
	collInspireRecords  = "inspire_records"
	collInspireSettings = "inspire_settings"
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

// inspireRecord is one served GEMINI document with its CSW summary.
type inspireRecord struct {
	csw.Record
	datasetID string // empty for the service
}

// inspireSet is everything WAF and CSW serve, datasets sorted by file
// identifier, then the service record.
type inspireSet struct {
	records []inspireRecord
	service string // the service record's file identifier; empty when there are no datasets
}

func (s inspireSet) find(fileID string) (inspireRecord, bool) {
	for _, r := range s.records {
		if r.Identifier == fileID {
			return r, true
		}
	}
	return inspireRecord{}, false
}

var errFileIDTaken = errors.New("the file identifier already belongs to another dataset's record")

func today() time.Time {
	y, m, d := time.Now().UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (a *inspireAPI) fingerprintBase() string {
	if a.s.cfg.BaseURL != "" {
		return strings.TrimRight(a.s.cfg.BaseURL, "/")
	}
	return fingerprintBase
}

// rebase moves an entry's absolute URLs from one base to another.
func rebase(e catalogue.Entry, from, to string) catalogue.Entry {
	if from == to {
		return e
	}
	move := func(u string) string {
		if rest, ok := strings.CutPrefix(u, from); ok {
			return to + rest
		}
		return u
	}
	e.URI, e.LandingPage = move(e.URI), move(e.LandingPage)
	e.OGCCollectionURL, e.MetadataRecordURL = move(e.OGCCollectionURL), move(e.MetadataRecordURL)
	e.Distributions = slices.Clone(e.Distributions)
	for i := range e.Distributions {
		e.Distributions[i].AccessURL = move(e.Distributions[i].AccessURL)
		e.Distributions[i].DownloadURL = move(e.Distributions[i].DownloadURL)
	}
	return e
}

// sourceCRS is the CRS the dataset's version n was uploaded in.
func (a *inspireAPI) sourceCRS(ctx context.Context, datasetID string, n int) (string, error) {
	if n < 1 {
		return "", nil
	}
	rec, err := a.s.store.Get(ctx, collVersions, versionID(datasetID, n))
	if err != nil {
		return "", err
	}
	var v versionDoc
	return v.Source, rec.Decode(&v)
}

// records builds every served record for base: one per published spatial
// dataset whose GEMINI record is complete, and the service coupled to them.
func (a *inspireAPI) records(ctx context.Context, base string) (inspireSet, error) {
	entries, err := a.s.catalogueSource.Published(ctx, base)
	if err != nil {
		return inspireSet{}, err
	}
	stamps, err := a.loadStamps(ctx)
	if err != nil {
		return inspireSet{}, err
	}
	fpBase := a.fingerprintBase()
	var served, canonical []gemini.DatasetRecord
	var set inspireSet
	for _, e := range entries {
		if e.Dataset.Inspire == nil || e.BBox == nil {
			continue
		}
		src, err := a.sourceCRS(ctx, e.Dataset.ID, e.Current.Number)
		if err != nil {
			return inspireSet{}, err
		}
		rec := datasetRecord(e, src, base)
		rec.MetadataDate = today()
		if len(gemini.Missing(rec)) > 0 {
			continue // reported through the datasets API; never served half-made
		}
		canon := datasetRecord(rebase(e, base, fpBase), src, fpBase)
		date, err := a.stamp(ctx, stamps, rec.FileIdentifier, e.Dataset.ID, gemini.Fingerprint(canon))
		if errors.Is(err, errFileIDTaken) {
			a.s.log.Warn("GEMINI record withheld", "dataset", e.Dataset.ID, "fileIdentifier", rec.FileIdentifier, "err", err)
			continue
		}
		if err != nil {
			return inspireSet{}, err
		}
		rec.MetadataDate, canon.MetadataDate = date, date
		xml, err := gemini.Marshal(rec)
		if err != nil {
			return inspireSet{}, err
		}
		served, canonical = append(served, rec), append(canonical, canon)
		set.records = append(set.records, inspireRecord{Record: datasetCSW(rec, xml), datasetID: e.Dataset.ID})
	}
	slices.SortFunc(set.records, func(x, y inspireRecord) int { return strings.Compare(x.Identifier, y.Identifier) })
	if len(served) == 0 {
		return set, nil
	}
	svc, err := a.service(ctx, entries, served, canonical, stamps, base, fpBase)
	if err != nil {
		return inspireSet{}, err
	}
	set.records = append(set.records, svc)
	set.service = svc.Identifier
	return set, nil
}

func (a *inspireAPI) service(ctx context.Context, entries []catalogue.Entry, served, canonical []gemini.DatasetRecord,
	stamps map[string]store.Record, base, fpBase string) (inspireRecord, error) {
	id, err := a.serviceIdentity(ctx)
	if err != nil {
		return inspireRecord{}, err
	}
	orgs, err := a.s.catalogueSource.Organisations(ctx)
	if err != nil {
		return inspireRecord{}, err
	}
	provider, email := serviceProvider(orgs, entries, served)
	recordURL := func(b string) func(string) string {
		return func(fileID string) string { return b + "/inspire/records/" + fileID + ".xml" }
	}
	rec := serviceRecord(id.FileIdentifier, id.Created, provider, email, served, recordURL(base), base)
	canon := serviceRecord(id.FileIdentifier, id.Created, provider, email, canonical, recordURL(fpBase), fpBase)
	rec.MetadataDate = today()
	if missing := gemini.MissingService(rec); len(missing) > 0 {
		return inspireRecord{}, fmt.Errorf("the download service record lacks %s", strings.Join(missing, ", "))
	}
	date, err := a.stamp(ctx, stamps, rec.FileIdentifier, "", gemini.ServiceFingerprint(canon))
	if err != nil {
		return inspireRecord{}, err
	}
	rec.MetadataDate = date
	xml, err := gemini.MarshalService(rec)
	if err != nil {
		return inspireRecord{}, err
	}
	b := rec.BBox
	return inspireRecord{Record: csw.Record{Identifier: rec.FileIdentifier, Title: rec.Title, Abstract: rec.Abstract,
		Subjects: []string{"infoFeatureAccessService", "OGC API"}, Type: "service", Formats: []string{"GeoJSON"},
		Modified: rec.MetadataDate, BBox: csw.BBox{West: b.West, South: b.South, East: b.East, North: b.North},
		Links: []csw.Link{{URL: base + "/ogc/", Scheme: "OGC API - Features"}}, XML: xml}}, nil
}

// serviceProvider is the host authority, which runs the shared service for
// its partners; failing that, the first dataset's publisher. Its email is
// the organisation's, else the contact of one of its datasets.
func serviceProvider(orgs []domain.Organisation, entries []catalogue.Entry, served []gemini.DatasetRecord) (domain.Organisation, string) {
	var provider domain.Organisation
	for _, o := range orgs {
		if o.Host {
			provider = o
			break
		}
	}
	if provider.ID == "" {
		for _, e := range entries {
			if e.Dataset.Inspire != nil && e.Dataset.Inspire.FileIdentifier == served[0].FileIdentifier {
				provider = e.Publisher
			}
		}
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
func (a *inspireAPI) serviceIdentity(ctx context.Context) (inspireService, error) {
	for range 3 {
		rec, err := a.s.store.Get(ctx, collInspireSettings, inspireServiceKey)
		if err == nil {
			var svc inspireService
			return svc, rec.Decode(&svc)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return inspireService{}, err
		}
		svc := inspireService{FileIdentifier: opendata.NewFileIdentifier(), Created: now()}
		if _, err := a.s.store.Insert(ctx, collInspireSettings, inspireServiceKey, svc); err != nil {
			if errors.Is(err, store.ErrExists) {
				continue
			}
			return inspireService{}, err
		}
		_ = a.s.store.AppendAudit(ctx, store.AuditEntry{Actor: "system", Action: "inspire.service.create",
			Collection: collInspireSettings, RecordID: inspireServiceKey, After: mustJSON(svc)})
		return svc, nil
	}
	return inspireService{}, errors.New("the download service identity could not be stored")
}

func (a *inspireAPI) loadStamps(ctx context.Context) (map[string]store.Record, error) {
	page, err := a.s.store.List(ctx, collInspireRecords, store.Query{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]store.Record, len(page.Records))
	for _, r := range page.Records {
		out[r.ID] = r
	}
	return out, nil
}

// stamp returns the record's metadata date: the stored one while the
// fingerprint is unchanged, otherwise today, written back with the
// record's optimistic version (a concurrent writer makes us re-read).
// known holds the stamps already read and is kept up to date.
func (a *inspireAPI) stamp(ctx context.Context, known map[string]store.Record, fileID, datasetID, fingerprint string) (time.Time, error) {
	for range 5 {
		rec, ok := known[fileID]
		next := inspireStamp{FileIdentifier: fileID, DatasetID: datasetID, Fingerprint: fingerprint,
			MetadataDate: today().Format(time.DateOnly)}
		if !ok {
			written, err := a.s.store.Insert(ctx, collInspireRecords, fileID, next)
			if errors.Is(err, store.ErrExists) {
				if known[fileID], err = a.s.store.Get(ctx, collInspireRecords, fileID); err != nil {
					return time.Time{}, err
				}
				continue
			}
			if err != nil {
				return time.Time{}, err
			}
			known[fileID] = written
			a.auditStamp(ctx, fileID, nil, next)
			return today(), nil
		}
		var cur inspireStamp
		if err := rec.Decode(&cur); err != nil {
			return time.Time{}, err
		}
		if cur.DatasetID != datasetID {
			return time.Time{}, fmt.Errorf("%w (%s)", errFileIDTaken, cur.DatasetID)
		}
		if cur.Fingerprint == fingerprint {
			return time.Parse(time.DateOnly, cur.MetadataDate)
		}
		written, err := a.s.store.Update(ctx, collInspireRecords, fileID, rec.Version, next)
		if errors.Is(err, store.ErrStale) {
			if known[fileID], err = a.s.store.Get(ctx, collInspireRecords, fileID); err != nil {
				return time.Time{}, err
			}
			continue
		}
		if err != nil {
			return time.Time{}, err
		}
		known[fileID] = written
		a.auditStamp(ctx, fileID, cur, next)
		return today(), nil
	}
	return time.Time{}, fmt.Errorf("the metadata date of %s kept changing under us", fileID)
}

func (a *inspireAPI) auditStamp(ctx context.Context, fileID string, before any, after inspireStamp) {
	e := store.AuditEntry{Actor: "system", Action: "inspire.record.stamp", Collection: collInspireRecords,
		RecordID: fileID, After: mustJSON(after)}
	if before != nil {
		e.Before = mustJSON(before)
	}
	_ = a.s.store.AppendAudit(ctx, e)
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
