package ingest

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"
)

// Notice is a fact about the whole file that a publisher should know:
// something assumed or dropped on reading, never an error.
type Notice struct {
	Code    NoticeCode `json:"code"`
	Message string     `json:"message"`
	// Features counts the features concerned, when the notice is about
	// some features rather than the file.
	Features int `json:"features,omitempty"`
}

// NoticeCode classifies a Notice.
type NoticeCode string

// The notices readers give.
const (
	NoticeEncodingAssumed NoticeCode = "encoding-assumed"   // a DBF without .cpg
	NoticeDimensions      NoticeCode = "dimensions-dropped" // Z or M values dropped
	NoticeLegacyCRS       NoticeCode = "legacy-crs-member"  // GeoJSON crs member
	NoticeTransformed     NoticeCode = "srs-transformed"    // GML geometry in another srsName
	NoticePartialPage     NoticeCode = "partial-wfs-page"   // numberMatched > numberReturned
	NoticeAxisSwapped     NoticeCode = "axis-order-applied" // Options.AxisOrder swapped positions
)

// noticer is implemented by readers that have notices.
type noticer interface{ notices() []Notice }

// source wraps every format's reader with what applies to all of them:
// the feature limit, the id rule and a declared axis order.
type source struct {
	inner     Reader
	opts      Options
	ids       IDReport
	assign    bool // publish 1-based positions as ids
	n         int  // features (and undecodable features) met
	swap      bool
	swapped   int
	closeAlso io.Closer
}

func newSource(format Format, inner Reader, src io.ReaderAt, size int64, opts Options) (Reader, error) {
	s := &source{inner: inner, opts: opts, swap: opts.AxisOrder == AxisLatLon && format != FormatGML}
	ids, err := planIDs(format, src, size, opts)
	if err != nil {
		inner.Close()
		return nil, err
	}
	s.ids, s.assign = ids, ids.Rule == IDsByPosition
	return s, nil
}

func (s *source) CRS() string { return s.inner.CRS() }

func (s *source) Close() error {
	err := s.inner.Close()
	if s.closeAlso != nil {
		err = errors.Join(err, s.closeAlso.Close())
	}
	return err
}

func (s *source) Next() (Feature, error) {
	f, err := s.inner.Next()
	var fe *FeatureError
	if err != nil && !errors.As(err, &fe) {
		if errors.Is(err, ErrLimit) && s.n == s.opts.Limits.MaxFeatures {
			// A reader's own count (the CSV reader's) got there first.
			return Feature{}, s.opts.Limits.tooMany(0, "")
		}
		return f, err
	}
	idx := s.n
	s.n++
	if s.n > s.opts.Limits.MaxFeatures {
		return Feature{}, s.opts.Limits.tooMany(0, "")
	}
	if fe != nil {
		return f, err
	}
	f.SourceID = f.ID
	if s.assign {
		f.ID = strconv.Itoa(idx + 1)
		if f.SourceID != "" {
			if f.Properties == nil {
				f.Properties = map[string]any{}
			}
			f.Properties[s.ids.Property] = f.SourceID
		}
	}
	if s.swap && f.Geometry != nil {
		f.Geometry = project.Geometry(f.Geometry, func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
		s.swapped++
	}
	return f, nil
}

// AxisOrder is the order positions were read in: AxisLatLon when they
// were swapped to longitude first (a latitude-first GML srsName, or the
// upload's axisOrder=latlon), else AxisLonLat. CheckPlace needs it to name
// the parameter that reads the file the other way.
func (s *source) AxisOrder() AxisOrder {
	if a, ok := s.inner.(interface{ axisOrder() AxisOrder }); ok {
		return a.axisOrder()
	}
	if s.opts.AxisOrder == AxisLatLon {
		return AxisLatLon
	}
	return AxisLonLat
}

// IDs says how feature ids were chosen.
func (s *source) IDs() IDReport { return s.ids }

// Notices lists the file-level notices so far.
func (s *source) Notices() []Notice {
	var out []Notice
	if n, ok := s.inner.(noticer); ok {
		out = append(out, n.notices()...)
	}
	if s.swapped > 0 {
		out = append(out, Notice{Code: NoticeAxisSwapped, Features: s.swapped,
			Message: fmt.Sprintf("positions were read latitude (or northing) first and swapped, as the upload's axisOrder=%s said", AxisLatLon)})
	}
	return out
}
