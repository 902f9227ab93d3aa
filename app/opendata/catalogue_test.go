package opendata_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/app"
	"github.com/jointict/councilapi/app/audit"
	appod "github.com/jointict/councilapi/app/opendata"
	od "github.com/jointict/councilapi/domain/opendata"
	"github.com/jointict/councilapi/internal/apptest"
	"github.com/jointict/councilapi/internal/cataloguefixture"
)

func newApp(t *testing.T) *app.App {
	t.Helper()
	return apptest.Start(t, app.Config{BaseURL: "https://opendata.example.gov.uk", FeedPoll: 5 * time.Millisecond})
}

// publish creates fixture n and publishes its versions through the use cases.
func publish(t *testing.T, a *app.App, n int) appod.DatasetRecord {
	t.Helper()
	ctx := context.Background()
	f := cataloguefixture.Make(n)
	raw, _ := json.Marshal(f.Meta)
	var in appod.DatasetInput
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatal(err)
	}
	in.Publisher = f.Org
	d, _, err := a.OpenData.Create(ctx, audit.System, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range f.Versions {
		acc, err := a.OpenData.UploadVersion(ctx, audit.System, d.ID, appod.Upload{FileName: file.Name, Body: strings.NewReader(string(file.Body))})
		if err != nil {
			t.Fatal(err)
		}
		for {
			j, err := a.OpenData.Job(ctx, audit.System, acc.Job.ID)
			if err != nil {
				t.Fatal(err)
			}
			if j.State == od.JobFailed {
				t.Fatalf("%s: %s", d.Slug, j.Error)
			}
			if j.State == od.JobSucceeded {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	d, _, err = a.OpenData.Patch(ctx, audit.System, d.ID, 0, json.RawMessage(`{"status":"published"}`))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The summary publishing keeps in the record describes the dataset exactly
// as its versions do: the entry of a record is the same whether it is
// made from the summary or (for records published before summaries) from
// the versions themselves.
func TestPublishedSummaryDescribesTheVersions(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	for _, n := range []int{5, 10, 6} { // spatial CSV in 3 versions, tabular in 2, GeoJSON
		d := publish(t, a, n)
		if d.Current == nil || d.Current.Number != d.CurrentVersion || len(d.Current.Files) == 0 {
			t.Fatalf("%s: summary %+v for version %d", d.Slug, d.Current, d.CurrentVersion)
		}
		fromSummary, err := a.OpenData.EntryOf(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		legacy := d
		legacy.Current = nil
		fromVersions, err := a.OpenData.EntryOf(ctx, legacy)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fromSummary, fromVersions) {
			t.Errorf("%s: the summary's entry\n%+v\ndiffers from the versions'\n%+v", d.Slug, fromSummary, fromVersions)
		}
		if fromSummary.FirstPublished == nil || d.Current.Published == nil || fromSummary.FirstPublished.After(*d.Current.Published) {
			t.Errorf("%s: first published %v, current published %v", d.Slug, fromSummary.FirstPublished, d.Current.Published)
		}
	}
	// Listings read the summary: a published dataset is found with its
	// files, and a search for its words ranks it.
	ix, err := a.OpenData.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 3 {
		t.Errorf("the catalogue index holds %d datasets, want 3", ix.Len())
	}
	docs, total, err := a.OpenData.Search(ctx, audit.Actor{}, od.Query{Q: "street lighting", Limit: 10})
	if err != nil || total != 1 || docs[0].Current == nil {
		t.Fatalf("search: %d %v %v", total, docs, err)
	}
}
