package ingest

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/repair"
)

// Report summarises one upload. It is built while the Validator reads, so a
// caller can stage features, then commit them only when OK reports true:
// nothing half-imported.
//
// Every list has a count beside it. The lists stop at
// Limits.MaxInvalidReport entries; the counts go on, so that
// InvalidCount == len(Invalid) + InvalidNotListed and
// RepairedCount == len(Repaired) + RepairedNotListed always hold.
type Report struct {
	CRS string `json:"crs"`
	// Features counts every feature met; Kept those returned by the
	// Validator (Features - InvalidCount).
	Features int `json:"features"`
	Kept     int `json:"kept"`
	// BBox is [minX, minY, maxX, maxY] of the kept features in the source
	// CRS as read (x = longitude or easting); nil when none had a geometry.
	BBox          []float64      `json:"bbox,omitempty"`
	GeometryTypes map[string]int `json:"geometryTypes"` // "Point", "Polygon", ..., "null"
	// Invalid lists the features left out because nothing valid remained
	// of them or they could not be decoded.
	Invalid          []Problem `json:"invalid,omitempty"`
	InvalidCount     int       `json:"invalidCount"`
	InvalidNotListed int       `json:"invalidNotListed,omitempty"`
	// Repaired lists each repaired feature once with every fix made to it.
	Repaired          []RepairedFeature `json:"repaired,omitempty"`
	RepairedCount     int               `json:"repairedCount"`
	RepairedNotListed int               `json:"repairedNotListed,omitempty"`
	// Fixes counts the fixes of all repaired features by action.
	Fixes map[repair.Action]int `json:"fixes,omitempty"`
	// Reoriented counts features whose rings were rewound to RFC 7946.
	Reoriented int `json:"reoriented"`
	// AxisOrder is the order positions were read in (AxisLatLon when they
	// were swapped to longitude first); CheckPlace needs it.
	AxisOrder AxisOrder `json:"axisOrder"`
	// IDs says whether the file's ids were kept or features numbered.
	IDs IDReport `json:"ids"`
	// Notices are file-level facts: an encoding assumed, Z values dropped,
	// geometries transformed from another srsName, a partial WFS page.
	Notices    []Notice   `json:"notices,omitempty"`
	Properties []Property `json:"properties"`
	// Fatal holds the error that stopped reading early, if any.
	Fatal string `json:"fatal,omitempty"`
	// MaxRejectedPercent is the threshold OK applied.
	MaxRejectedPercent int `json:"maxRejectedPercent"`

	bound    orb.Bound
	hasBound bool
	propIdx  map[string]int
	maxList  int
}

// Problem is one feature left out.
type Problem struct {
	Index  int    `json:"index"`        // 0-based position in the file
	ID     string `json:"id,omitempty"` // the feature's id in the file
	Reason string `json:"reason"`
}

// RepairedFeature is one feature published after repair.
type RepairedFeature struct {
	Index    int          `json:"index"`              // 0-based position in the file
	ID       string       `json:"id"`                 // the id it is published under
	SourceID string       `json:"sourceId,omitempty"` // the id in the file
	Fixes    []repair.Fix `json:"fixes"`
}

// Property is the inferred schema of one property, in first-seen order.
type Property struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
	// Nulls counts kept features where the property was missing or null.
	Nulls int `json:"nulls"`
}

// OK reports whether the file may be published: it was read to the end,
// at least one feature is kept, and no more than MaxRejectedPercent of its
// features were left out.
func (r *Report) OK() bool {
	return r.Fatal == "" && r.Kept > 0 && r.InvalidCount*100 <= r.MaxRejectedPercent*r.Features
}

// Err returns nil when OK, else an invalid-input domain.Error naming each
// left-out feature as "features[i]" so the upload endpoint can answer 422.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	var p domain.Problems
	if r.Fatal != "" {
		p.Add("file", "%s", r.Fatal)
	}
	if r.Kept == 0 && r.Fatal == "" {
		if r.Features == 0 {
			p.Add("file", "the file holds no features")
		} else {
			p.Add("file", "no feature of the file could be read or repaired")
		}
	}
	for _, pr := range r.Invalid {
		p.Add(fmt.Sprintf("features[%d]", pr.Index), "%s", pr.Reason)
	}
	if r.InvalidNotListed > 0 {
		p.Add("features", "%d more features left out, not listed", r.InvalidNotListed)
	}
	msg := fmt.Sprintf("%d of the file's %d features cannot be read or repaired, more than the %d%% allowed; nothing was imported",
		r.InvalidCount, r.Features, r.MaxRejectedPercent)
	if r.Fatal != "" {
		msg = "the file cannot be read to the end; nothing was imported"
	} else if r.Kept == 0 {
		msg = "the file has no feature that can be published; nothing was imported"
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: msg, Fields: []domain.FieldProblem(p)}
}

func (r *Report) addProblem(index int, id, reason string) {
	r.InvalidCount++
	if len(r.Invalid) < r.maxList {
		r.Invalid = append(r.Invalid, Problem{Index: index, ID: id, Reason: reason})
	} else {
		r.InvalidNotListed++
	}
}

func (r *Report) addRepair(f RepairedFeature) {
	r.RepairedCount++
	rewound := false
	for _, x := range f.Fixes {
		if r.Fixes == nil {
			r.Fixes = map[repair.Action]int{}
		}
		r.Fixes[x.Action]++
		rewound = rewound || x.Action == repair.ActionRewound
	}
	if rewound {
		r.Reoriented++
	}
	if len(r.Repaired) < r.maxList {
		r.Repaired = append(r.Repaired, f)
	} else {
		r.RepairedNotListed++
	}
}
