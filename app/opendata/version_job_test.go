package opendata_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jointict/councilapi/app/audit"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/store"
)

// VersionJob finds the job of each version, the newest version's being
// its own, for the dataset's publisher only; a version with no job is not
// found.
func TestVersionJobIsEachVersionsOwn(t *testing.T) {
	a := newApp(t)
	ctx := context.Background()
	d := publish(t, a, 3)
	vs, _, err := a.OpenData.Versions(ctx, audit.System, d.ID, 10, 0)
	if err != nil || len(vs) == 0 {
		t.Fatalf("versions: %v %d", err, len(vs))
	}
	for _, v := range vs {
		j, err := a.OpenData.VersionJob(ctx, audit.System, d.ID, v.Number)
		if err != nil || j.DatasetID != d.ID || j.Version != v.Number {
			t.Errorf("version %d: job %+v, %v", v.Number, j, err)
		}
	}
	if _, err := a.OpenData.VersionJob(ctx, audit.System, d.ID, len(vs)+1); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a version with no job: %v", err)
	}
	other := audit.Actor{Principal: domain.Principal{KeyID: "k", Role: domain.RolePublisher, Organisation: "nobody-" + d.Publisher}}
	if _, err := a.OpenData.VersionJob(ctx, other, d.ID, 1); domain.ErrorCode(err) != domain.CodeForbidden {
		t.Errorf("another council's publisher: %v", err)
	}
}
