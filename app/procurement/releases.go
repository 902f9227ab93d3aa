package procurement

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jointict/councilapi/catalogue/ocds"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
	"github.com/jointict/councilapi/store"
)

// release adds the OCDS release of the change made at `at` to r when the
// procurement is published and the release says something the previous
// one did not. Pipeline entries are internal ideas and publish nothing;
// the move to planning (preliminary market engagement, a public notice)
// is the first release. Releases of one ocid are numbered in order and
// dated strictly after each other.
func (s *Service) release(r *Record, orgs map[string]domain.Organisation, at time.Time) error {
	public := r.Public || (r.State != procurement.StatePipeline && r.State != procurement.StateCancelled && r.State != "")
	if !public {
		return nil
	}
	host, _ := hostOf(orgs)
	cfg := ocds.Config{Prefix: s.prefix, PublisherName: host.Name}
	ch := ocds.Change{Seq: r.Releases + 1, At: at, PrevState: r.ReleasedState}
	if r.LastRelease != nil {
		ch.PrevDate = r.LastRelease.Date
	}
	rel, err := ocds.NewRelease(r.JointProcurement, orgs, cfg, ch)
	if err != nil {
		return err
	}
	if r.LastRelease != nil && sameContent(*r.LastRelease, rel) {
		return nil
	}
	r.Public, r.OCID, r.Releases, r.ReleasedState, r.LastRelease = true, rel.OCID, r.Releases+1, r.State, &rel
	return nil
}

// sameContent compares two releases without what names a release rather
// than the process (id, date, tag).
func sameContent(a, b ocds.Release) bool {
	a.ID, a.Date, a.Tag = "", "", nil
	b.ID, b.Date, b.Tag = "", "", nil
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	return erra == nil && errb == nil && bytes.Equal(ja, jb)
}

// releaseRecord is one immutable stored OCDS release.
type releaseRecord struct {
	OCID          string       `json:"ocid"`
	ReleaseID     string       `json:"releaseId"`
	Seq           int          `json:"seq"`
	Date          string       `json:"date"`
	Tag           []string     `json:"tag"`
	ProcurementID string       `json:"procurementId"`
	Release       ocds.Release `json:"release"`
}

// ReleaseRecordID is the store id of the seq-th release of ocid.
func ReleaseRecordID(ocid string, seq int) string { return fmt.Sprintf("%s.%06d", ocid, seq) }

// writeRelease stores r's last release once; a repeat finds it there.
func (s *Service) writeRelease(ctx context.Context, r Record) error {
	rel := r.LastRelease
	if rel == nil {
		return nil
	}
	doc := releaseRecord{OCID: rel.OCID, ReleaseID: rel.ID, Seq: r.Releases, Date: rel.Date, Tag: rel.Tag, ProcurementID: r.ID, Release: *rel}
	_, err := s.releases.Insert(ctx, ReleaseRecordID(rel.OCID, r.Releases), doc)
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// PackageConfig is the publication's configuration: the host authority
// publishes, under the configured ocid prefix, at baseURI.
func (s *Service) PackageConfig(ctx context.Context, baseURI string) (ocds.Config, error) {
	orgs, err := s.organisations(ctx)
	if err != nil {
		return ocds.Config{}, err
	}
	host, _ := hostOf(orgs)
	return ocds.Config{Prefix: s.prefix, PublisherName: host.Name, PublisherURI: host.Website, BaseURI: baseURI}, nil
}

func releasesOf(recs []releaseRecord) []ocds.Release {
	out := make([]ocds.Release, len(recs))
	for i, r := range recs {
		out[i] = r.Release
	}
	return out
}

// Releases is one page of every release as published, oldest first;
// since, when not zero, keeps those dated at or after it.
func (s *Service) Releases(ctx context.Context, since time.Time, limit, offset int) ([]ocds.Release, int64, error) {
	q := store.Query{Sort: []store.Sort{{Field: "date"}}, Offset: offset, Limit: limit}
	if !since.IsZero() {
		q.Filters = append(q.Filters, store.Filter{Field: "date", Op: store.Gte, Value: since.UTC().Format(time.RFC3339)})
	}
	recs, total, err := s.releases.List(ctx, q)
	return releasesOf(recs), total, err
}

// ReleasesOf are the stored releases of one ocid in the order made.
func (s *Service) ReleasesOf(ctx context.Context, ocid string) ([]ocds.Release, error) {
	recs, _, err := s.releases.List(ctx, store.Query{Filters: []store.Filter{{Field: "ocid", Op: store.Eq, Value: ocid}},
		Sort: []store.Sort{{Field: "seq"}}})
	return releasesOf(recs), err
}

// RecordReleases are the releases of one page of published procurements
// (by ocid), for record packages, and the number of published procurements.
func (s *Service) RecordReleases(ctx context.Context, limit, offset int) ([]ocds.Release, int64, error) {
	procs, total, err := s.procs.List(ctx, store.Query{Filters: []store.Filter{{Field: "public", Op: store.Eq, Value: true}},
		Sort: []store.Sort{{Field: "ocid"}}, Offset: offset, Limit: limit})
	if err != nil {
		return nil, 0, err
	}
	var all []ocds.Release
	for _, p := range procs {
		rels, err := s.ReleasesOf(ctx, p.OCID)
		if err != nil {
			return nil, 0, err
		}
		all = append(all, rels...)
	}
	return all, total, nil
}
