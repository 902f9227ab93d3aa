package ingest

import (
	"fmt"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/crs"
)

// Area is where a publisher's data is expected to fall, in CRS84
// longitude/latitude: an organisation's stored extent, or by default
// GreatBritainAndNorthernIreland.
type Area struct {
	Name  string
	Bound orb.Bound
}

// GreatBritainAndNorthernIreland spans Scilly to Shetland and Lowestoft to
// Fermanagh, the extent of OSTN15 and OSNI data (the Channel Islands and
// the Isle of Man are not included: their councils set their own extent).
var GreatBritainAndNorthernIreland = Area{Name: "Great Britain and Northern Ireland",
	Bound: orb.Bound{Min: orb.Point{-8.75, 49.8}, Max: orb.Point{1.85, 60.95}}}

// placeMargin is how far, in degrees (about 5 km), data may stray past the
// area's edge and still count as inside: extents are drawn loosely and
// coastal features run offshore.
const placeMargin = 0.05

// Placement is where data falls relative to an Area.
type Placement string

const (
	PlaceInside  Placement = "inside"
	PlaceSwapped Placement = "axes-swapped" // outside as read, inside with x and y swapped
	PlaceOutside Placement = "outside"
)

// PlaceCheck is the verdict of CheckPlace.
type PlaceCheck struct {
	Placement Placement `json:"placement"`
	Area      string    `json:"area"`
	// BBox is the data's extent as read, and SwappedBBox with the axes
	// swapped, both [minLon, minLat, maxLon, maxLat] in CRS84.
	BBox        []float64 `json:"bbox,omitempty"`
	SwappedBBox []float64 `json:"swappedBBox,omitempty"`
	// Stop is true when publishing must wait for the uploader to confirm
	// the axis order: the data would publish in the wrong place otherwise.
	Stop bool `json:"stop"`
	// Swap is the upload parameter that reads the file with its axes
	// swapped; Keep the one that confirms the order as read.
	Swap    string `json:"swap,omitempty"`
	Keep    string `json:"keep,omitempty"`
	Message string `json:"message"`
}

// CheckPlace says whether data whose extent as read is bbox (x = longitude
// or easting, in from's CRS) lies in area; if not, whether swapping the
// axes would put it there. read is the order the positions were read in
// (Reader's AxisOrder); declared says the upload stated it, in which case
// a swapped fit is only a warning. It does no I/O.
func CheckPlace(bbox orb.Bound, from crs.CRS, read AxisOrder, declared bool, area Area) PlaceCheck {
	from = from.XYOrder()
	pc := PlaceCheck{Placement: PlaceOutside, Area: area.Name}
	asRead, ok := toCRS84(bbox, from)
	padded := area.Bound.Pad(placeMargin)
	if ok {
		pc.BBox = boundSlice(asRead)
		if padded.Contains(asRead.Min) && padded.Contains(asRead.Max) {
			pc.Placement = PlaceInside
			pc.Message = fmt.Sprintf("the data lies in %s", area.Name)
			return pc
		}
	}
	swapped := orb.Bound{Min: orb.Point{bbox.Min[1], bbox.Min[0]}, Max: orb.Point{bbox.Max[1], bbox.Max[0]}}
	if s, sok := toCRS84(swapped, from); sok {
		pc.SwappedBBox = boundSlice(s)
		if padded.Contains(s.Min) && padded.Contains(s.Max) && (!ok || !asRead.Intersects(padded)) {
			pc.Placement = PlaceSwapped
		}
	}
	where := "cannot be placed on the globe"
	if ok {
		where = "lies at " + describe(asRead)
	}
	if pc.Placement == PlaceOutside {
		pc.Message = fmt.Sprintf("the data %s, outside %s (%s); check that the file's CRS is right", where, area.Name, describe(area.Bound))
		return pc
	}
	swap, keep := AxisLatLon, AxisLonLat
	if read == AxisLatLon {
		swap, keep = AxisLonLat, AxisLatLon
	}
	pc.Swap, pc.Keep = "axisOrder="+string(swap), "axisOrder="+string(keep)
	pc.Stop = !declared
	pc.Message = fmt.Sprintf("the data %s, outside %s, but with its axes swapped it lies in %s at %s: "+
		"the file probably stores %s first. Upload it again with %s to read it that way, or with %s if it really lies where it was read",
		where, area.Name, area.Name, describe(orb.Bound{Min: orb.Point{pc.SwappedBBox[0], pc.SwappedBBox[1]}, Max: orb.Point{pc.SwappedBBox[2], pc.SwappedBBox[3]}}),
		firstAxis(swap, from), pc.Swap, pc.Keep)
	if declared {
		pc.Message = fmt.Sprintf("the data %s, outside %s; with its axes swapped it would lie inside, but the upload said %s",
			where, area.Name, "axisOrder="+string(read))
	}
	return pc
}

// Err is the problem that stops a job before publishing, or nil.
func (pc PlaceCheck) Err() error {
	if !pc.Stop {
		return nil
	}
	return &domain.Error{Code: domain.CodeInvalid, Message: pc.Message,
		Fields:  []domain.FieldProblem{{Field: "axisOrder", Problem: fmt.Sprintf("confirm the axis order: %s or %s", pc.Swap, pc.Keep)}},
		Allowed: []string{string(AxisLonLat), string(AxisLatLon)}}
}

func firstAxis(order AxisOrder, c crs.CRS) string {
	switch {
	case order == AxisLatLon && c == crs.EPSG27700:
		return "northing"
	case order == AxisLatLon:
		return "latitude"
	case c == crs.EPSG27700:
		return "easting"
	}
	return "longitude"
}

func toCRS84(b orb.Bound, from crs.CRS) (orb.Bound, bool) {
	if from == crs.CRS84 {
		return b, b.Min[0] >= -180 && b.Max[0] <= 180 && b.Min[1] >= -90 && b.Max[1] <= 90
	}
	out, err := crs.TransformBound(b, from, crs.CRS84)
	return out, err == nil
}

func boundSlice(b orb.Bound) []float64 { return []float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]} }

func describe(b orb.Bound) string {
	return fmt.Sprintf("longitude %.4g to %.4g, latitude %.4g to %.4g", b.Min[0], b.Max[0], b.Min[1], b.Max[1])
}
