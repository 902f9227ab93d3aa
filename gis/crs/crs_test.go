package crs

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/jointict/councilapi/domain"
)

// Spellings as written by ESRI/ArcGIS and QGIS .prj files, GDAL
// (gpkg_spatial_ref_sys, ogr2ogr) and PROJ's WKT2 output.
const (
	esriBNG = `PROJCS["British_National_Grid",GEOGCS["GCS_OSGB_1936",DATUM["D_OSGB_1936",SPHEROID["Airy_1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",400000.0],PARAMETER["False_Northing",-100000.0],PARAMETER["Central_Meridian",-2.0],PARAMETER["Scale_Factor",0.9996012717],PARAMETER["Latitude_Of_Origin",49.0],UNIT["Meter",1.0]]`
	gdalBNG = `PROJCS["OSGB 1936 / British National Grid",
    GEOGCS["OSGB 1936",
        DATUM["OSGB_1936",
            SPHEROID["Airy 1830",6377563.396,299.3249646,AUTHORITY["EPSG","7001"]],
            TOWGS84[446.448,-125.157,542.06,0.15,0.247,0.842,-20.489],
            AUTHORITY["EPSG","6277"]],
        PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],
        UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],
        AUTHORITY["EPSG","4277"]],
    PROJECTION["Transverse_Mercator"],
    PARAMETER["latitude_of_origin",49],
    PARAMETER["central_meridian",-2],
    PARAMETER["scale_factor",0.9996012717],
    PARAMETER["false_easting",400000],
    PARAMETER["false_northing",-100000],
    UNIT["metre",1,AUTHORITY["EPSG","9001"]],
    AXIS["Easting",EAST],
    AXIS["Northing",NORTH],
    AUTHORITY["EPSG","27700"]]`
	wkt2BNG = `PROJCRS["OSGB36 / British National Grid",BASEGEOGCRS["OSGB36",DATUM["Ordnance Survey of Great Britain 1936",ELLIPSOID["Airy 1830",6377563.396,299.3249646,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4277]],CONVERSION["British National Grid",METHOD["Transverse Mercator",ID["EPSG",9807]],PARAMETER["Latitude of natural origin",49,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8801]],PARAMETER["Longitude of natural origin",-2,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8802]],PARAMETER["Scale factor at natural origin",0.9996012717,SCALEUNIT["unity",1],ID["EPSG",8805]],PARAMETER["False easting",400000,LENGTHUNIT["metre",1],ID["EPSG",8806]],PARAMETER["False northing",-100000,LENGTHUNIT["metre",1],ID["EPSG",8807]]],CS[Cartesian,2],AXIS["(E)",east,ORDER[1],LENGTHUNIT["metre",1]],AXIS["(N)",north,ORDER[2],LENGTHUNIT["metre",1]],ID["EPSG",27700]]`
	// A National Grid definition under another name and no authority: the
	// parameters and datum identify it.
	renamedBNG = `PROJCS["My council grid",GEOGCS["OSGB36",DATUM["OSGB_1936",SPHEROID["Airy 1830",6377563.396,299.3249646]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",49],PARAMETER["central_meridian",-2],PARAMETER["scale_factor",0.9996012717],PARAMETER["false_easting",400000],PARAMETER["false_northing",-100000],UNIT["metre",1]]`
	esriWGS84  = `GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	gdalWGS84  = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`
	esriETRS89 = `GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]`
	wkt2CRS84  = `GEOGCRS["WGS 84 (CRS84)",ENSEMBLE["World Geodetic System 1984 ensemble",MEMBER["World Geodetic System 1984 (Transit)"],ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]],ENSEMBLEACCURACY[2.0]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],CS[ellipsoidal,2],AXIS["geodetic longitude (Lon)",east,ORDER[1],ANGLEUNIT["degree",0.0174532925199433]],AXIS["geodetic latitude (Lat)",north,ORDER[2],ANGLEUNIT["degree",0.0174532925199433]],ID["OGC","CRS84"]]`
	compound   = `COMPD_CS["OSGB 1936 / British National Grid + ODN height",` + esriBNG + `,VERT_CS["ODN height",VERT_DATUM["Ordnance Datum Newlyn",2005],UNIT["metre",1],AXIS["Up",UP]]]`
	// Irish Grid: Transverse Mercator, but not the National Grid.
	irishGrid = `PROJCS["TM65 / Irish Grid",GEOGCS["TM65",DATUM["TM65",SPHEROID["Airy Modified 1849",6377340.189,299.3249646]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",53.5],PARAMETER["central_meridian",-8],PARAMETER["scale_factor",1.000035],PARAMETER["false_easting",200000],PARAMETER["false_northing",250000],UNIT["metre",1]]`
)

func TestParseSpellings(t *testing.T) {
	cases := map[string]CRS{
		"EPSG:27700":                      EPSG27700,
		"epsg:27700":                      EPSG27700,
		"  EPSG::27700 ":                  EPSG27700,
		"27700":                           EPSG27700,
		"[EPSG:27700]":                    EPSG27700,
		"urn:ogc:def:crs:EPSG::27700":     EPSG27700,
		"urn:ogc:def:crs:EPSG:6.18:27700": EPSG27700,
		"urn:x-ogc:def:crs:EPSG:27700":    EPSG27700,
		"http://www.opengis.net/def/crs/EPSG/0/27700":   EPSG27700,
		"https://www.opengis.net/def/crs/EPSG/0/27700/": EPSG27700,
		"http://www.opengis.net/gml/srs/epsg.xml#27700": EPSG27700,
		"EPSG:4326":                  EPSG4326,
		"urn:ogc:def:crs:EPSG::4326": EPSG4326,
		"http://www.opengis.net/def/crs/EPSG/0/4326": EPSG4326,
		"EPSG:4258":                  EPSG4258,
		"urn:ogc:def:crs:EPSG::4258": EPSG4258,
		"http://www.opengis.net/def/crs/EPSG/0/4258": EPSG4258,
		"CRS84":                         CRS84,
		"OGC:CRS84":                     CRS84,
		"[OGC:CRS84]":                   CRS84,
		"urn:ogc:def:crs:OGC:1.3:CRS84": CRS84,
		"urn:ogc:def:crs:OGC::CRS84":    CRS84,
		"http://www.opengis.net/def/crs/OGC/1.3/CRS84":  CRS84,
		"https://www.opengis.net/def/crs/OGC/1.3/CRS84": CRS84,
		esriBNG:                       EPSG27700,
		gdalBNG:                       EPSG27700,
		wkt2BNG:                       EPSG27700,
		renamedBNG:                    EPSG27700,
		compound:                      EPSG27700,
		esriWGS84:                     EPSG4326,
		gdalWGS84:                     EPSG4326,
		"\ufeff" + esriWGS84 + "\r\n": EPSG4326,
		esriETRS89:                    EPSG4258,
		wkt2CRS84:                     CRS84,
	}
	for in, want := range cases {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%.60q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestParseRejectsWithAllowedList(t *testing.T) {
	for _, in := range []string{
		"", "EPSG:3857", "EPSG:2770", "urn:ogc:def:crs:EPSG::3857", "http://www.opengis.net/def/crs/EPSG/0/",
		"http://example.com/def/crs/EPSG/0/27700", "CRS83", "WGS84?", irishGrid,
		`PROJCS["broken"`, `GEOGCS["GCS_NAD_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",6378137,298.257222101]]]`,
	} {
		c, err := Parse(in)
		if err == nil {
			t.Errorf("Parse(%.60q) = %v, want an error", in, c)
			continue
		}
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.CodeInvalid {
			t.Errorf("Parse(%.60q): error %v is not a domain invalid error", in, err)
			continue
		}
		if len(de.Allowed) != 4 || de.Allowed[0] != "http://www.opengis.net/def/crs/OGC/1.3/CRS84" {
			t.Errorf("Parse(%.60q): Allowed = %v", in, de.Allowed)
		}
	}
}

func TestIdentity(t *testing.T) {
	cases := []struct {
		c         CRS
		uri, urn  string
		axes      AxisOrder
		geo       bool
		xy        CRS
		epsgCode  int
		shortForm string
	}{
		{CRS84, "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84", LonLat, true, CRS84, 0, "OGC:CRS84"},
		{EPSG4326, "http://www.opengis.net/def/crs/EPSG/0/4326", "urn:ogc:def:crs:EPSG::4326", LatLon, true, CRS84, 4326, "EPSG:4326"},
		{EPSG4258, "http://www.opengis.net/def/crs/EPSG/0/4258", "urn:ogc:def:crs:EPSG::4258", LatLon, true, CRS84, 4258, "EPSG:4258"},
		{EPSG27700, "http://www.opengis.net/def/crs/EPSG/0/27700", "urn:ogc:def:crs:EPSG::27700", EastNorth, false, EPSG27700, 27700, "EPSG:27700"},
	}
	for _, c := range cases {
		if c.c.URI() != c.uri || c.c.URN() != c.urn || c.c.AxisOrder() != c.axes || c.c.Geographic() != c.geo ||
			c.c.XYOrder() != c.xy || c.c.EPSG() != c.epsgCode || c.c.String() != c.shortForm {
			t.Errorf("%v: got %s %s %v %v %v %d", c.c, c.c.URI(), c.c.URN(), c.c.AxisOrder(), c.c.Geographic(), c.c.XYOrder(), c.c.EPSG())
		}
		// Every canonical form parses back to the same CRS.
		for _, s := range []string{c.c.URI(), c.c.URN(), c.c.String()} {
			if got, err := Parse(s); err != nil || got != c.c {
				t.Errorf("Parse(%q) = %v, %v", s, got, err)
			}
		}
	}
	var zero CRS
	if zero.URI() != "" || zero.Geographic() {
		t.Errorf("zero CRS has URI %q", zero.URI())
	}
}

func TestJSONUsesURI(t *testing.T) {
	b, err := json.Marshal(struct{ CRS CRS }{EPSG27700})
	if err != nil || string(b) != `{"CRS":"http://www.opengis.net/def/crs/EPSG/0/27700"}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var v struct{ CRS CRS }
	if err := json.Unmarshal([]byte(`{"CRS":"urn:ogc:def:crs:EPSG::4258"}`), &v); err != nil || v.CRS != EPSG4258 {
		t.Fatalf("unmarshal: %v %v", v.CRS, err)
	}
	if err := json.Unmarshal([]byte(`{"CRS":"EPSG:3857"}`), &v); err == nil {
		t.Fatal("unmarshal accepted EPSG:3857")
	}
	if _, err := json.Marshal(struct{ CRS CRS }{}); err == nil {
		t.Fatal("marshalled the zero CRS")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"EPSG:27700", "urn:ogc:def:crs:OGC:1.3:CRS84", esriBNG, gdalBNG, wkt2BNG, compound, "[[[", `GEOGCS["a""b",(1,2)]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if c != 0 {
				t.Fatalf("Parse(%q) returned %v with error %v", s, c, err)
			}
			return
		}
		if !c.valid() {
			t.Fatalf("Parse(%q) returned invalid CRS %d without error", s, c)
		}
		if again, err := Parse(c.URI()); err != nil || again != c {
			t.Fatalf("URI %q of Parse(%q) does not parse back", c.URI(), s)
		}
	})
}
