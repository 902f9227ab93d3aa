package ingest

import (
	"errors"
	"io"

	"github.com/jointict/councilapi/gis/repair"
)

// Validator wraps a Reader: Next returns only publishable features,
// repaired as gis/repair does (rings closed and wound to RFC 7946, collapsed
// parts dropped, self-crossing polygons rebuilt), and records every repair
// and every feature left out in the Report.
type Validator struct {
	r      Reader
	rep    Report
	index  int
	check  coordCheck
	repair repair.Options
	done   bool
}

// NewValidator starts a report over r. limits bound the lists and set the
// share of features that may be left out.
func NewValidator(r Reader, limits Limits) *Validator {
	l := limits.withDefaults()
	v := &Validator{r: r, check: coordCheckFor(r.CRS())}
	v.repair = repair.Options{CloseTolerance: v.check.closeTolerance()}
	v.rep = Report{CRS: r.CRS(), GeometryTypes: map[string]int{}, propIdx: map[string]int{},
		maxList: l.MaxInvalidReport, MaxRejectedPercent: l.MaxRejectedPercent}
	return v
}

// Report returns the report so far; complete once Next has returned io.EOF.
func (v *Validator) Report() *Report {
	rep := v.rep
	if v.rep.hasBound {
		b := v.rep.bound
		rep.BBox = []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	}
	if s, ok := v.r.(interface{ IDs() IDReport }); ok {
		rep.IDs = s.IDs()
	}
	if s, ok := v.r.(interface{ Notices() []Notice }); ok {
		rep.Notices = s.Notices()
	}
	rep.AxisOrder = AxisLonLat
	if s, ok := v.r.(interface{ AxisOrder() AxisOrder }); ok {
		rep.AxisOrder = s.AxisOrder()
	}
	// Copy, so the caller's snapshot does not change as reading goes on.
	rep.Properties = append([]Property(nil), v.rep.Properties...)
	rep.Invalid = append([]Problem(nil), v.rep.Invalid...)
	rep.Repaired = append([]RepairedFeature(nil), v.rep.Repaired...)
	return &rep
}

// Next returns the next publishable feature, io.EOF at the end, or the
// error that made the file unreadable (also recorded as Report.Fatal).
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
		sourceID := f.SourceID
		if sourceID == "" {
			sourceID = f.ID
		}
		if reason := v.check.coords(f.Geometry); reason != "" {
			v.rep.addProblem(idx, sourceID, reason)
			continue
		}
		g, fixes, err := repair.Geometry(f.Geometry, v.repair)
		if err != nil {
			v.rep.addProblem(idx, sourceID, err.Error())
			continue
		}
		f.Geometry = g
		if len(fixes) > 0 {
			v.rep.addRepair(RepairedFeature{Index: idx, ID: f.ID, SourceID: f.SourceID, Fixes: fixes})
		}
		v.rep.Kept++
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
	kept := v.rep.Kept // includes this feature
	seen := 0
	for name, val := range props {
		i, ok := v.rep.propIdx[name]
		if !ok {
			i = len(v.rep.Properties)
			v.rep.propIdx[name] = i
			// Earlier kept features lacked this property: they count as nulls.
			v.rep.Properties = append(v.rep.Properties, Property{Name: name, Type: TypeNull, Nulls: kept - 1})
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
