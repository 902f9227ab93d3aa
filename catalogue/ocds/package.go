package ocds

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"time"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// Publisher is the organisation publishing the data.
type Publisher struct {
	Name string `json:"name"`
	URI  string `json:"uri,omitempty"`
}

// ReleasePackage wraps releases for publication.
type ReleasePackage struct {
	URI           string    `json:"uri"`
	Version       string    `json:"version"`
	PublishedDate string    `json:"publishedDate"`
	Publisher     Publisher `json:"publisher"`
	Releases      []Release `json:"releases"`
}

// Record is every release of one ocid with their compiled release.
type Record struct {
	OCID            string         `json:"ocid"`
	Releases        []Release      `json:"releases"`
	CompiledRelease map[string]any `json:"compiledRelease"`
}

// RecordPackage wraps records for publication.
type RecordPackage struct {
	URI           string    `json:"uri"`
	Version       string    `json:"version"`
	PublishedDate string    `json:"publishedDate"`
	Publisher     Publisher `json:"publisher"`
	Records       []Record  `json:"records"`
}

// NewReleasePackage wraps releases; uri is the URL this package is served at.
// The schema requires at least one release: a page with none (a "since"
// beyond the last change) is valid JSON for clients but not a valid OCDS
// package, so serve it with that understanding or answer 404.
func NewReleasePackage(cfg Config, uri string, published time.Time, releases []Release) ReleasePackage {
	if releases == nil {
		releases = []Release{}
	}
	return ReleasePackage{URI: uri, Version: Version, PublishedDate: ts(published),
		Publisher: Publisher{Name: cfg.PublisherName, URI: cfg.PublisherURI}, Releases: releases}
}

// NewRecord builds the record of one ocid, releases oldest first. Release
// ids must be unique within the ocid.
func NewRecord(releases []Release) (Record, error) {
	seen := map[string]bool{}
	for _, r := range releases {
		if seen[r.ID] {
			return Record{}, fmt.Errorf("release id %s appears twice in %s", r.ID, r.OCID)
		}
		seen[r.ID] = true
	}
	compiled, err := Compile(releases)
	if err != nil {
		return Record{}, err
	}
	return Record{OCID: releases[0].OCID, Releases: sortedByDate(releases), CompiledRelease: compiled}, nil
}

// NewRecordPackage groups releases by ocid into records, ordered by ocid.
func NewRecordPackage(cfg Config, uri string, published time.Time, releases []Release) (RecordPackage, error) {
	byOCID := map[string][]Release{}
	for _, r := range releases {
		byOCID[r.OCID] = append(byOCID[r.OCID], r)
	}
	ocids := make([]string, 0, len(byOCID))
	for o := range byOCID {
		ocids = append(ocids, o)
	}
	sort.Strings(ocids)
	pkg := RecordPackage{URI: uri, Version: Version, PublishedDate: ts(published),
		Publisher: Publisher{Name: cfg.PublisherName, URI: cfg.PublisherURI}, Records: []Record{}}
	for _, o := range ocids {
		rec, err := NewRecord(byOCID[o])
		if err != nil {
			return RecordPackage{}, err
		}
		pkg.Records = append(pkg.Records, rec)
	}
	return pkg, nil
}
