package ingest_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/crs"
	"github.com/jointict/councilapi/gis/ingest"
)

// The calls an upload job makes: open (header limits, id rule), read every
// feature through the Validator (repairs), check the report, then the
// place and axis order before publishing.
func Example() {
	file := `<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ps="urn:ps" numberMatched="2" numberReturned="2">
 <wfs:member><ps:CA gml:id="CA"><ps:geometry><gml:MultiSurface srsName="EPSG:4258"><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing>
  <gml:posList>53.40 -2.30 53.40 -2.29 53.41 -2.29 53.41 -2.30 53.40 -2.30</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
  <gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>53.42 -2.3 53.42 -2.3 53.42 -2.3 53.42 -2.3</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>
 </gml:MultiSurface></ps:geometry></ps:CA></wfs:member>
 <wfs:member><ps:CA gml:id="CA"><ps:geometry><gml:Point srsName="EPSG:4258"><gml:pos>53.45 -2.31</gml:pos></gml:Point></ps:geometry></ps:CA></wfs:member>
</wfs:FeatureCollection>`
	opts := ingest.Options{} // the upload said no axisOrder
	r, err := ingest.Open(ingest.FormatGML, strings.NewReader(file), int64(len(file)), opts)
	if err != nil {
		panic(err) // a *LimitError (too many features) or an unreadable file
	}
	defer r.Close()
	v := ingest.NewValidator(r, opts.Limits)
	for {
		f, err := v.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err) // the file cannot be read on; also in Report().Fatal
		}
		fmt.Println("feature", f.ID, "source id", f.SourceID, f.Geometry.GeoJSONType())
	}
	rep := v.Report()
	fmt.Println("publishable:", rep.Err() == nil)
	fmt.Println("ids:", rep.IDs.Message)
	for _, rf := range rep.Repaired {
		fmt.Printf("repaired feature %d (%s): %s\n", rf.Index, rf.SourceID, rf.Fixes[0].Detail)
	}
	from, _ := crs.Parse(rep.CRS)
	bbox := orb.Bound{Min: orb.Point{rep.BBox[0], rep.BBox[1]}, Max: orb.Point{rep.BBox[2], rep.BBox[3]}}
	pc := ingest.CheckPlace(bbox, from, rep.AxisOrder, opts.AxisOrder != ingest.AxisAuto, ingest.GreatBritainAndNorthernIreland)
	fmt.Println("placement:", pc.Placement, "stop:", pc.Stop, "confirm with:", pc.Swap, "or", pc.Keep)
	// Output:
	// feature 1 source id CA MultiPolygon
	// feature 2 source id CA Point
	// publishable: true
	// ids: 1 feature repeats another's gml:id (for example "CA"), so features are numbered 1 to 2 in file order and each gml:id is kept in the property "source_id"
	// repaired feature 0 (CA): dropped polygon 1: its exterior ring has zero area: its 4 positions lie on one point
	// placement: axes-swapped stop: true confirm with: axisOrder=latlon or axisOrder=lonlat
}
