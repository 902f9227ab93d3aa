package ocds

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jointict/councilapi/catalogue/ocds/ocdstest"
	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/domain/procurement"
)

func TestEveryCouncilPartyCarriesAnOrgID(t *testing.T) {
	want := map[string]string{"North East Derbyshire District Council": "NED", "Bolsover District Council": "BOS",
		"Derbyshire Dales District Council": "DEB"}
	for _, r := range allReleases(t) {
		if r.Buyer == nil || r.Buyer.ID != "GB-LAE-NED" {
			t.Errorf("%s: buyer %+v", r.ID, r.Buyer)
		}
		for _, p := range r.Parties {
			if !slices.Contains(p.Roles, "buyer") {
				continue
			}
			if p.Identifier == nil || p.Identifier.Scheme != "GB-LAE" || p.Identifier.ID != want[p.Name] || p.ID != "GB-LAE-"+want[p.Name] ||
				p.Identifier.LegalName != p.Name || p.Details["gssCode"] == "" {
				t.Errorf("%s: party %+v identifier %+v", r.ID, p, p.Identifier)
			}
		}
	}
	// A council the table does not know, or without a GSS code, is named.
	os := orgs()
	nwl := domain.Organisation{ID: "nwldc", Name: "North West Leicestershire District Council", GSSCode: "E07000134"}
	far := domain.Organisation{ID: "far", Name: "Far Away Council", GSSCode: "E07000999"}
	none := domain.Organisation{ID: "none", Name: "No Code Council"}
	os[nwl.ID], os[far.ID], os[none.ID] = nwl, far, none
	got := IdentifierProblems([]string{"neddc", "nwldc", "far", "none", "ghost"}, os)
	if len(got) != 3 || !strings.Contains(got[0], "E07000999 is not in the GB-LAE table") || !strings.Contains(got[1], "no GSS code") ||
		!strings.Contains(got[2], `"ghost" is unknown`) {
		t.Errorf("problems %q", got)
	}
	if id, ok := CouncilIdentifier(nwl); !ok || id.ID != "NWL" {
		t.Errorf("North West Leicestershire: %+v", id)
	}
}

func TestReleaseDatesStrictlyIncreaseAndFollowTheChange(t *testing.T) {
	for _, rels := range [][]Release{lifecycle(t, "JICT-2026-001", procurement.StateClosed, false),
		lifecycle(t, "JICT-2026-003", procurement.StateLive, true)} {
		for i := 1; i < len(rels); i++ {
			a, _ := time.Parse(time.RFC3339, rels[i-1].Date)
			b, _ := time.Parse(time.RFC3339, rels[i].Date)
			if !b.After(a) {
				t.Errorf("%s dated %s, not after %s", rels[i].ID, rels[i].Date, rels[i-1].Date)
			}
		}
	}
	// Each release is dated by its change...
	rels := lifecycle(t, "JICT-2026-001", procurement.StateClosed, false)
	if rels[5].Tag[0] != "award" || rels[5].Date != "2026-05-01T09:00:00Z" {
		t.Errorf("the award release is %s dated %s, want the award decision's 2026-05-01T09:00:00Z", rels[5].Tag[0], rels[5].Date)
	}
	// ...unless that would not follow the previous release: two changes in
	// one second, or a move recorded after a later edit was published.
	prev := "2026-05-01T09:00:00Z"
	cases := map[string]string{"2026-05-01T09:00:00.4Z": "2026-05-01T09:00:01Z", "2026-04-30T12:00:00Z": "2026-05-01T09:00:01Z",
		"2026-05-01T09:00:02Z": "2026-05-01T09:00:02Z"}
	for at, want := range cases {
		tm, _ := time.Parse(time.RFC3339Nano, at)
		if got := ReleaseDate(tm, prev); got != want {
			t.Errorf("a change at %s after a release at %s is dated %s, want %s", at, prev, got, want)
		}
	}
	if got := ReleaseDate(at("2026-05-01T10:00:00+01:00"), ""); got != "2026-05-01T09:00:00Z" {
		t.Errorf("the first release is dated %s", got)
	}
}

// independentMerge is the OCDS merge as the standard's reference
// implementation describes it, written apart from Merge: flatten every
// release into paths (an object in an array with an id is addressed by that
// id, any other array is a value), apply the releases in date order path by
// path (null deletes a path and everything under it), then rebuild the
// tree, keeping array items in the order their ids first appeared.
func independentMerge(t *testing.T, releases []Release) map[string]any {
	t.Helper()
	type step struct {
		Key string
		ID  string // json of the item id when this step enters an identified array item
	}
	str := func(p []step) string {
		b, _ := json.Marshal(p)
		return string(b)
	}
	type entry struct {
		path  []step
		value any
	}
	values := map[string]entry{}
	itemOrder := map[string][]string{} // array path -> item ids in order of first appearance
	var flatten func(prefix []step, v map[string]any, out map[string]entry)
	flatten = func(prefix []step, v map[string]any, out map[string]entry) {
		for k, x := range v {
			p := append(slices.Clone(prefix), step{Key: k})
			switch x := x.(type) {
			case map[string]any:
				if len(x) == 0 {
					out[str(p)] = entry{p, x}
				}
				flatten(p, x, out)
			case []any:
				byID := !wholeListMerge[k] && len(x) > 0
				for _, item := range x {
					m, ok := item.(map[string]any)
					_, hasID := m["id"]
					byID = byID && ok && hasID
				}
				if !byID {
					out[str(p)] = entry{p, x}
					continue
				}
				for _, item := range x {
					m := item.(map[string]any)
					idJSON, _ := json.Marshal(m["id"])
					id := string(idJSON)
					if !slices.Contains(itemOrder[str(p)], id) {
						itemOrder[str(p)] = append(itemOrder[str(p)], id)
					}
					flatten(append(slices.Clone(prefix), step{Key: k, ID: id}), m, out)
				}
			default:
				out[str(p)] = entry{p, x}
			}
		}
	}
	isUnder := func(p, prefix []step) bool {
		return len(p) > len(prefix) && reflect.DeepEqual(p[:len(prefix)], prefix)
	}
	rs := slices.Clone(releases)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Date < rs[j].Date }) // strictly increasing RFC 3339 UTC dates sort as text
	for _, r := range rs {
		g, err := toGeneric(r)
		if err != nil {
			t.Fatal(err)
		}
		delete(g, "id")
		delete(g, "date")
		delete(g, "tag")
		flat := map[string]entry{}
		flatten(nil, g, flat)
		for k, e := range flat {
			for old, oe := range values {
				if isUnder(oe.path, e.path) || isUnder(e.path, oe.path) {
					delete(values, old)
				}
			}
			if e.value == nil {
				delete(values, k)
			} else {
				values[k] = e
			}
		}
	}
	// Rebuild: identified arrays are first maps from id to item.
	type items map[string]map[string]any
	out := map[string]any{}
	for _, e := range values {
		obj := out
		for i, s := range e.path {
			if i == len(e.path)-1 && s.ID == "" {
				obj[s.Key] = e.value
				break
			}
			if s.ID == "" {
				if _, ok := obj[s.Key].(map[string]any); !ok {
					obj[s.Key] = map[string]any{}
				}
				obj = obj[s.Key].(map[string]any)
				continue
			}
			arr, ok := obj[s.Key].(items)
			if !ok {
				arr = items{}
				obj[s.Key] = arr
			}
			if arr[s.ID] == nil {
				var id any
				dec := json.NewDecoder(strings.NewReader(s.ID))
				dec.UseNumber()
				_ = dec.Decode(&id)
				arr[s.ID] = map[string]any{"id": id}
			}
			obj = arr[s.ID]
		}
	}
	var order func(path []step, m map[string]any)
	order = func(path []step, m map[string]any) {
		for k, v := range m {
			p := append(slices.Clone(path), step{Key: k})
			switch v := v.(type) {
			case map[string]any:
				order(p, v)
			case items:
				var arr []any
				for _, id := range itemOrder[str(p)] {
					if it, ok := v[id]; ok {
						order(append(slices.Clone(path), step{Key: k, ID: id}), it)
						arr = append(arr, it)
					}
				}
				m[k] = arr
			}
		}
	}
	order(nil, out)
	return out
}

func TestCompiledReleaseEqualsAnIndependentMerge(t *testing.T) {
	for _, rels := range [][]Release{lifecycle(t, "JICT-2026-001", procurement.StateClosed, false),
		lifecycle(t, "JICT-2026-004", procurement.StateAwardDecision, true)} {
		want := independentMerge(t, rels)
		last := rels[len(rels)-1]
		want["tag"], want["date"], want["id"] = []any{"compiled"}, last.Date, last.OCID+"-"+last.Date
		// The releases arrive in any order; the dates order them.
		shuffled := slices.Clone(rels)
		slices.Reverse(shuffled)
		rec, err := NewRecord(shuffled)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(want, rec.CompiledRelease) {
			a, _ := json.Marshal(want)
			b, _ := json.Marshal(rec.CompiledRelease)
			t.Errorf("compiled release of %s differs from the independent merge:\n%s\n%s", last.OCID, a, b)
		}
		ocdstest.Validate(t, ocdstest.Schemas(t), "release-schema.json", rec.CompiledRelease)
	}
}
