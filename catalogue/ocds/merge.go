package ocds

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// wholeListMerge are the fields the release schema marks "wholeListMerge":
// their arrays of objects are replaced, not merged by id.
var wholeListMerge = map[string]bool{"additionalIdentifiers": true, "additionalClassifications": true}

// omitWhenMerged are release fields that describe a release, not the
// contracting process, and so are left out of a compiled release.
var omitWhenMerged = map[string]bool{"id": true, "date": true, "tag": true}

// Merge applies the OCDS merge routine to generic JSON values (as decoded by
// encoding/json into map[string]any and []any), later releases winning:
// objects are merged field by field recursively; arrays whose items are all
// objects with an "id" are merged item by item, matched by id, with new ids
// appended in order; any other array (and wholeListMerge fields) replaces the
// earlier one; a null removes the field.
func Merge(base, update map[string]any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range update {
		switch uv := v.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			if bv, ok := out[k].(map[string]any); ok {
				out[k] = Merge(bv, uv)
			} else {
				out[k] = Merge(nil, uv)
			}
		case []any:
			bv, _ := out[k].([]any)
			if !wholeListMerge[k] && identified(uv) && (bv == nil || identified(bv)) {
				out[k] = mergeByID(bv, uv)
			} else {
				out[k] = uv
			}
		default:
			out[k] = v
		}
	}
	return out
}

func identified(a []any) bool {
	if len(a) == 0 {
		return false
	}
	for _, x := range a {
		m, ok := x.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := m["id"]; !ok {
			return false
		}
	}
	return true
}

// idKey compares ids by value whatever their JSON type ("1" and 1 are
// different ids, as the OCDS merge reference implementation treats them).
func idKey(v any) string { b, _ := json.Marshal(v); return string(b) }

func mergeByID(base, update []any) []any {
	out := make([]any, 0, len(base)+len(update))
	index := map[string]int{}
	for _, x := range base {
		m := x.(map[string]any)
		index[idKey(m["id"])] = len(out)
		out = append(out, m)
	}
	for _, x := range update {
		m := x.(map[string]any)
		k := idKey(m["id"])
		if i, ok := index[k]; ok {
			out[i] = Merge(out[i].(map[string]any), m)
		} else {
			index[k] = len(out)
			out = append(out, Merge(nil, m))
		}
	}
	return out
}

// toGeneric turns a typed release into generic JSON for merging.
func toGeneric(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytesReader(b))
	dec.UseNumber() // amounts keep their exact decimal text through the merge
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// Compile builds the compiled release of one ocid: releases sorted by date
// (equal dates, which ReleaseDate no longer makes, by release id, whose
// zero-padded sequence number keeps the order of the changes), merged in order without their omitWhenMerged
// fields, then given tag "compiled", the latest date and an id made of the
// ocid and that date.
func Compile(releases []Release) (map[string]any, error) {
	if len(releases) == 0 {
		return nil, fmt.Errorf("a record needs at least one release")
	}
	rs := sortedByDate(releases)
	var out map[string]any
	for _, r := range rs {
		if r.OCID != rs[0].OCID {
			return nil, fmt.Errorf("release %s has ocid %s, not %s", r.ID, r.OCID, rs[0].OCID)
		}
		g, err := toGeneric(r)
		if err != nil {
			return nil, err
		}
		for k := range omitWhenMerged {
			delete(g, k)
		}
		out = Merge(out, g)
	}
	last := rs[len(rs)-1]
	out["tag"] = []any{"compiled"}
	out["date"] = last.Date
	out["id"] = last.OCID + "-" + last.Date
	return out, nil
}

func sortedByDate(releases []Release) []Release {
	rs := append([]Release(nil), releases...)
	sort.SliceStable(rs, func(i, j int) bool {
		ti, _ := time.Parse(time.RFC3339, rs[i].Date)
		tj, _ := time.Parse(time.RFC3339, rs[j].Date)
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return rs[i].ID < rs[j].ID
	})
	return rs
}
