package ingest

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/jointict/councilapi/domain"
	"github.com/paulmach/orb"
)

// Report summarises one upload. It is built while the Validator reads, so a
// caller can stage features, then commit them only when OK reports true:
// nothing half-imported.
type Report struct {
	CRS      string `json:"crs"`
	Features int    `json:"features"` // every feature met, valid or not
	// BBox is [minX, minY, maxX, maxY] of the valid features in the source
	// CRS; nil when no valid feature had a geometry.
	BBox          []float64      `json:"bbox,omitempty"`
	GeometryTypes map[string]int `json:"geometryTypes"` // "Point", "Polygon", ..., "null"
	// Invalid lists up to Limits.MaxInvalidReport problems; InvalidCount
	// counts them all.
	Invalid      []Problem  `json:"invalid,omitempty"`
	InvalidCount int        `json:"invalidCount"`
	Reoriented   int        `json:"reoriented"` // polygons rewound to RFC 7946 order
	Properties   []Property `json:"properties"`
	// Fatal holds the error that stopped reading early, if any.
	Fatal string `json:"fatal,omitempty"`

	bound    orb.Bound
	hasBound bool
	propIdx  map[string]int
	maxList  int
}

// Problem is one invalid feature.
type Problem struct {
	Index  int    `json:"index"` // 0-based position in the file
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

// Property is the inferred schema of one property, in first-seen order.
type Property struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
	// Nulls counts features where the property was missing or null.
	Nulls int `json:"nulls"`
}

// OK reports whether every feature was valid and the file was read to the end.
func (r *Report) OK() bool { return r.InvalidCount == 0 && r.Fatal == "" && r.Features > 0 }

// Err returns nil when OK, else an invalid-input domain.Error naming each
// bad feature as "features[i]" so the upload endpoint can answer 422.
func (r *Report) Err() error {
	if r.OK() {
		return nil
	}
	var p domain.Problems
	if r.Fatal != "" {
		p.Add("file", "%s", r.Fatal)
	}
	if r.Features == 0 && r.Fatal == "" {
		p.Add("file", "the file holds no features")
	}
	for _, pr := range r.Invalid {
		p.Add(fmt.Sprintf("features[%d]", pr.Index), "%s", pr.Reason)
	}
	if r.InvalidCount > len(r.Invalid) {
		p.Add("features", "%d more invalid features not listed", r.InvalidCount-len(r.Invalid))
	}
	return &domain.Error{Code: domain.CodeInvalid,
		Message: fmt.Sprintf("the file has %d invalid of %d features; nothing was imported", r.InvalidCount, r.Features),
		Fields:  []domain.FieldProblem(p)}
}

func (r *Report) addProblem(index int, id, reason string) {
	r.InvalidCount++
	if len(r.Invalid) < r.maxList {
		r.Invalid = append(r.Invalid, Problem{Index: index, ID: id, Reason: reason})
	}
}

// Validator wraps a Reader: Next returns only valid features, with polygon
// rings rewound to RFC 7946 (outer counter-clockwise, holes clockwise), and
// records everything else in the Report.
type Validator struct {
	r     Reader
	rep   Report
	index int
	check coordCheck
	done  bool
}

// NewValidator starts a report over r. limits bound the problem list.
func NewValidator(r Reader, limits Limits) *Validator {
	l := limits.withDefaults()
	v := &Validator{r: r, check: coordCheckFor(r.CRS())}
	v.rep = Report{CRS: r.CRS(), GeometryTypes: map[string]int{}, propIdx: map[string]int{}, maxList: l.MaxInvalidReport}
	return v
}

// Report returns the report so far; complete once Next has returned io.EOF.
func (v *Validator) Report() *Report {
	rep := v.rep
	if v.rep.hasBound {
		b := v.rep.bound
		rep.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	// Copy, so the caller's snapshot does not change as reading goes on.
	rep.Properties = append([]Property(nil), v.rep.Properties...)
	return &rep
}

// Next returns the next valid feature, io.EOF at the end, or the error that
// made the file unreadable (also recorded as Report.Fatal).
func (v *Validator) Next() (Feature, error) {
	for !v.done {
		f, err := v.r.Next()
		if err == io.EOF {
			v.done = true
			return Feature{}, io.EOF
		}
		var fe *FeatureError
		if errors.As(err, &fe) {
			v.rep.Features++
			v.rep.addProblem(fe.Index, fe.ID, fe.Reason)
			v.index = fe.Index + 1
			continue
		}
		if err != nil {
			v.done = true
			v.rep.Fatal = err.Error()
			return Feature{}, err
		}
		idx := v.index
		v.index++
		v.rep.Features++
		g, rewound, reason := v.check.geometry(f.Geometry)
		if reason != "" {
			v.rep.addProblem(idx, f.ID, reason)
			continue
		}
		f.Geometry = g
		if rewound {
			v.rep.Reoriented++
		}
		if g == nil {
			v.rep.GeometryTypes["null"]++
		} else {
			v.rep.GeometryTypes[g.GeoJSONType()]++
			if b := g.Bound(); !v.rep.hasBound {
				v.rep.bound, v.rep.hasBound = b, true
			} else {
				v.rep.bound = v.rep.bound.Union(b)
			}
		}
		v.inferProperties(f.Properties)
		return f, nil
	}
	return Feature{}, io.EOF
}

func (v *Validator) inferProperties(props map[string]any) {
	valid := v.rep.Features - v.rep.InvalidCount // includes this feature
	seen := 0
	for name, val := range props {
		i, ok := v.rep.propIdx[name]
		if !ok {
			i = len(v.rep.Properties)
			v.rep.propIdx[name] = i
			// Earlier valid features lacked this property: they count as nulls.
			v.rep.Properties = append(v.rep.Properties, Property{Name: name, Type: TypeNull, Nulls: valid - 1})
		}
		seen++
		p := &v.rep.Properties[i]
		t := TypeOf(val)
		if t == TypeNull {
			p.Nulls++
			continue
		}
		p.Type = Widen(p.Type, t)
	}
	if seen < len(v.rep.Properties) {
		for i := range v.rep.Properties {
			if _, ok := props[v.rep.Properties[i].Name]; !ok {
				v.rep.Properties[i].Nulls++
			}
		}
	}
}

// Collect reads every feature through a Validator and returns them only when
// the report is OK, so a bad file yields no features at all. It suits files
// that fit in memory; stream with Validator otherwise.
func Collect(r Reader, limits Limits) ([]Feature, *Report, error) {
	v := NewValidator(r, limits)
	var out []Feature
	for {
		f, err := v.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, v.Report(), err
		}
		out = append(out, f)
	}
	rep := v.Report()
	if err := rep.Err(); err != nil {
		return nil, rep, err
	}
	return out, rep, nil
}

// coordCheck holds the coordinate range the source CRS allows.
type coordCheck struct {
	bound orb.Bound
	what  string
}

func coordCheckFor(crs string) coordCheck {
	switch crsKind(crs) {
	case kindGeographic:
		return coordCheck{orb.Bound{Min: orb.Point{-180, -90}, Max: orb.Point{180, 90}}, "longitude/latitude"}
	case kindBNG:
		// The National Grid's false origin and the OSTN15 extent.
		return coordCheck{orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{700000, 1250000}}, "British National Grid easting/northing"}
	}
	return coordCheck{bound: orb.Bound{Min: orb.Point{math.Inf(-1), math.Inf(-1)}, Max: orb.Point{math.Inf(1), math.Inf(1)}}}
}
