package ogc

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/crs"
)

// Paging limits of the items endpoint.
const (
	DefaultLimit = 10
	MaxLimit     = 10000
)

// ItemsRequest is a parsed, validated items query.
type ItemsRequest struct {
	Query
	// CRS is the response CRS (crs parameter; CRS84 by default).
	CRS crs.CRS
	// BBoxCRS is the CRS the bbox was given in, when there was a bbox.
	BBoxCRS crs.CRS
}

// FormatParam is the format override parameter every resource accepts.
const FormatParam = "f"

// ParseItems reads the items query parameters for collection c. Every
// unknown, repeated or invalid parameter is reported at once, each naming
// the parameter and how to fix it.
func ParseItems(v url.Values, c *Collection) (ItemsRequest, error) {
	var p domain.Problems
	r := ItemsRequest{CRS: crs.CRS84, BBoxCRS: crs.CRS84, Query: Query{Limit: DefaultLimit}}
	var err error
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	var bbox []float64
	filter, filterLang, filterCRS := "", LangCQL2Text, crs.CRS84
	for _, name := range names {
		vals := v[name]
		if len(vals) > 1 {
			p.Add(name, "is given %d times; give it once", len(vals))
			continue
		}
		val := vals[0]
		switch name {
		case "limit":
			if r.Limit, err = ParseLimit(val); err != nil {
				p.Add(name, "%v", err)
			}
		case "offset":
			if r.Offset, err = ParseOffset(val); err != nil {
				p.Add(name, "%v", err)
			}
		case "bbox":
			if bbox, err = ParseBBox(val); err != nil {
				p.Add(name, "%v", err)
			}
		case "bbox-crs":
			if r.BBoxCRS, err = crs.Parse(val); err != nil {
				p.Add(name, "must be one of %s", strings.Join(crs.Allowed(), ", "))
			}
		case "crs":
			if r.CRS, err = crs.Parse(val); err != nil {
				p.Add(name, "must be one of %s", strings.Join(crs.Allowed(), ", "))
			}
		case "datetime":
			if c.TemporalProperty == "" {
				p.Add(name, "cannot be used: this collection has no temporal property")
				continue
			}
			iv, err := ParseDatetime(val)
			if err != nil {
				p.Add(name, "%v", err)
			}
			r.Time = &iv
		case FormatParam:
			if _, err := ParseFormat(val); err != nil {
				p.Add(name, "%v", err)
			}
		case "filter":
			filter = val
		case "filter-lang":
			if val != LangCQL2Text && val != LangCQL2JSON {
				p.Add(name, "must be %s or %s", LangCQL2Text, LangCQL2JSON)
			}
			filterLang = val
		case "filter-crs":
			if filterCRS, err = crs.Parse(val); err != nil {
				p.Add(name, "must be one of %s", strings.Join(crs.Allowed(), ", "))
			}
		case "sortby":
			if r.SortBy, err = ParseSortBy(val, c); err != nil {
				p.Add(name, "%v", err)
			}
		default:
			q, ok := c.queryable(name)
			if !ok {
				p.Add(name, "is not a parameter of this endpoint; use limit, offset, bbox, bbox-crs, datetime, crs, filter, filter-lang, filter-crs, sortby, f or a queryable property (see /queryables)")
				continue
			}
			key, err := ParseFilterValue(q.Type, val)
			if err != nil {
				p.Add(name, "%v", err)
			}
			r.Equals = append(r.Equals, Equal{Name: name, Key: key})
		}
	}
	if filter != "" && p.Err() == nil {
		if r.Filter, err = ParseFilter(filter, filterLang, filterCRS, c); err != nil {
			p.Add("filter", "%v", err)
		}
	}
	if bbox != nil && p.Err() == nil {
		b, err := bboxToCRS84(bbox, r.BBoxCRS)
		if err != nil {
			p.Add("bbox", "%v", err)
		}
		r.BBox = &b
	}
	if len(p) > 0 {
		fields := make([]string, len(p))
		for i, f := range p {
			fields[i] = f.Field
		}
		return r, &domain.Error{Code: domain.CodeInvalid, Fields: p,
			Message: "invalid query parameter: " + strings.Join(slices.Compact(fields), ", ")}
	}
	return r, nil
}

// ParseLimit reads limit: a whole number from 1; above MaxLimit it is
// clamped, as OGC API – Features asks, rather than refused.
func ParseLimit(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) || n < 1 || strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("must be a whole number from 1 (values above %d are treated as %d)", MaxLimit, MaxLimit)
	}
	return int(min(n, MaxLimit)), nil
}

// ParseOffset reads offset: a whole number from 0.
func ParseOffset(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return 0, fmt.Errorf("must be a whole number from 0 to %d", math.MaxInt32)
	}
	return int(n), nil
}

// ParseBBox reads four or six comma-separated finite numbers and returns the
// four horizontal ones (min1, min2, max1, max2) in the CRS's axis order.
func ParseBBox(s string) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 && len(parts) != 6 {
		return nil, fmt.Errorf("must be 4 numbers (min1,min2,max1,max2) or 6 with heights, not %d", len(parts))
	}
	nums := make([]float64, len(parts))
	for i, part := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("value %d (%q) is not a number", i+1, part)
		}
		nums[i] = f
	}
	if len(nums) == 6 {
		if nums[2] > nums[5] {
			return nil, fmt.Errorf("the minimum height is above the maximum")
		}
		nums = []float64{nums[0], nums[1], nums[3], nums[4]}
	}
	if nums[0] > nums[2] || nums[1] > nums[3] {
		return nil, fmt.Errorf("each lower value must not exceed the upper one (boxes crossing the antimeridian are not supported)")
	}
	return nums, nil
}

func bboxToCRS84(v []float64, from crs.CRS) (orb.Bound, error) {
	b := orb.Bound{Min: orb.Point{v[0], v[1]}, Max: orb.Point{v[2], v[3]}}
	if from == crs.CRS84 {
		if b.Min[1] < -90 || b.Max[1] > 90 {
			return b, fmt.Errorf("latitudes must be within -90 to 90 (CRS84 is longitude,latitude)")
		}
		return b, nil
	}
	out, err := crs.TransformBound(b, from, crs.CRS84)
	if err != nil {
		return b, fmt.Errorf("cannot be converted from %s: %v", from, err)
	}
	return out, nil
}

// ParseDatetime reads an instant or an interval "start/end" where either end
// may be ".." or empty (open). Instants are RFC 3339 date-times or dates; a
// date covers its whole UTC day.
func ParseDatetime(s string) (Interval, error) {
	start, end, isInterval := strings.Cut(s, "/")
	if !isInterval {
		lo, hi, ok := parseTemporal(s)
		if !ok {
			return Interval{}, fmt.Errorf("%q is not an RFC 3339 date-time or date, nor an interval start/end", s)
		}
		return Interval{lo, hi}, nil
	}
	iv := Interval{Start: math.MinInt64, End: math.MaxInt64}
	if start != ".." && start != "" {
		lo, _, ok := parseTemporal(start)
		if !ok {
			return Interval{}, fmt.Errorf("interval start %q is not an RFC 3339 date-time, date or ..", start)
		}
		iv.Start = lo
	}
	if end != ".." && end != "" {
		_, hi, ok := parseTemporal(end)
		if !ok {
			return Interval{}, fmt.Errorf("interval end %q is not an RFC 3339 date-time, date or ..", end)
		}
		iv.End = hi
	}
	if iv.Start > iv.End {
		return Interval{}, fmt.Errorf("the interval ends before it starts")
	}
	return iv, nil
}

// ParseFilterValue turns a filter value into the canonical key the property
// index holds, per the queryable's type.
func ParseFilterValue(typ, s string) (string, error) {
	switch typ {
	case "number", "integer":
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("must be a number")
		}
		return canonicalNumber(f), nil
	case "boolean":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return "", fmt.Errorf("must be true or false")
		}
		return strconv.FormatBool(b), nil
	}
	return s, nil
}

// Format is a response representation.
type Format uint8

// Representations of every resource.
const (
	FormatJSON Format = iota + 1
	FormatHTML
)

// ParseFormat reads the f parameter.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "json", "geojson", "application/json", "application/geo+json":
		return FormatJSON, nil
	case "html", "text/html":
		return FormatHTML, nil
	}
	return 0, fmt.Errorf("must be json or html")
}

// carriedParams are items parameters GDAL's OAPIF driver carries from a
// connection URL ("OAPIF:.../collections/trees?filter=...") onto every
// request it makes, the collection's description included; refusing them
// there would make the filtered layer impossible to open, so non-items
// resources ignore them.
var carriedParams = []string{"filter", "filter-lang", "filter-crs", "sortby"}

// CheckParams refuses any parameter a non-items resource does not take.
func CheckParams(v url.Values, allowed ...string) error {
	var p domain.Problems
	for name, vals := range v {
		switch {
		case slices.Contains(carriedParams, name):
		case name == FormatParam:
			if _, err := ParseFormat(vals[0]); err != nil || len(vals) > 1 {
				p.Add(name, "must be given once, as json or html")
			}
		case slices.Contains(allowed, name):
		default:
			p.Add(name, "is not a parameter of this resource; only f=json|html is")
		}
	}
	if len(p) > 0 {
		slices.SortFunc(p, func(a, b domain.FieldProblem) int { return strings.Compare(a.Field, b.Field) })
		return &domain.Error{Code: domain.CodeInvalid, Message: "invalid query parameter: " + p[0].Field, Fields: p}
	}
	return nil
}

// timeStamp formats a time as OGC API responses write it.
func timeStamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
