package ingest

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/domain"
	"github.com/jointict/councilapi/gis/crs"
)

func TestCheckPlace(t *testing.T) {
	gb := GreatBritainAndNorthernIreland
	trafford := orb.Bound{Min: orb.Point{-2.48, 53.35}, Max: orb.Point{-2.25, 53.48}}
	swappedTrafford := orb.Bound{Min: orb.Point{53.35, -2.48}, Max: orb.Point{53.48, -2.25}}
	cases := []struct {
		name     string
		bbox     orb.Bound
		from     crs.CRS
		read     AxisOrder
		declared bool
		want     Placement
		stop     bool
		swap     string
	}{
		{"lon/lat in Trafford", trafford, crs.CRS84, AxisLonLat, false, PlaceInside, false, ""},
		{"EPSG:4258 read as lon/lat", trafford, crs.EPSG4258, AxisLonLat, false, PlaceInside, false, ""},
		{"lat/lon stored under EPSG:4258", swappedTrafford, crs.EPSG4258, AxisLonLat, false, PlaceSwapped, true, "axisOrder=latlon"},
		{"lon/lat stored under a lat-first URN", swappedTrafford, crs.EPSG4258, AxisLatLon, false, PlaceSwapped, true, "axisOrder=lonlat"},
		{"swap already declared", swappedTrafford, crs.CRS84, AxisLonLat, true, PlaceSwapped, false, "axisOrder=latlon"},
		{"National Grid in Trafford", orb.Bound{Min: orb.Point{370000, 390000}, Max: orb.Point{385000, 398000}}, crs.EPSG27700, AxisLonLat, false, PlaceInside, false, ""},
		{"northing, easting", orb.Bound{Min: orb.Point{390000, 100000}, Max: orb.Point{398000, 120000}}, crs.EPSG27700, AxisLonLat, false, PlaceInside, false, ""},
		{"Somalia", orb.Bound{Min: orb.Point{45, 2}, Max: orb.Point{46, 3}}, crs.CRS84, AxisLonLat, false, PlaceOutside, false, ""},
		{"Paris, partly overlapping nothing", orb.Bound{Min: orb.Point{2.2, 48.8}, Max: orb.Point{2.4, 48.9}}, crs.CRS84, AxisLonLat, false, PlaceOutside, false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pc := CheckPlace(c.bbox, c.from, c.read, c.declared, gb)
			if pc.Placement != c.want || pc.Stop != c.stop || pc.Swap != c.swap {
				t.Fatalf("CheckPlace = %+v, want %s stop=%v swap=%q", pc, c.want, c.stop, c.swap)
			}
			if pc.Message == "" {
				t.Error("no message")
			}
			err := pc.Err()
			if (err != nil) != c.stop {
				t.Errorf("Err = %v", err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), c.swap) || domain.ErrorCode(err) != domain.CodeInvalid {
					t.Errorf("Err %v does not name %s", err, c.swap)
				}
			}
			if c.want == PlaceOutside && !strings.Contains(pc.Message, "longitude") {
				t.Errorf("outside message names no bbox: %s", pc.Message)
			}
		})
	}
	// An organisation's own extent narrows the area.
	bolsover := Area{Name: "Bolsover District", Bound: orb.Bound{Min: orb.Point{-1.4, 53.1}, Max: orb.Point{-1.15, 53.33}}}
	if pc := CheckPlace(trafford, crs.CRS84, AxisLonLat, false, bolsover); pc.Placement != PlaceOutside || pc.Stop {
		t.Errorf("Trafford data for Bolsover: %+v", pc)
	}
}
