package dcat

import (
	"strconv"
	"strings"

	"github.com/jointict/councilapi/catalogue"
	"github.com/jointict/councilapi/domain/opendata"
)

// statisticalGeography is where the ONS publishes GSS codes as linked data.
const statisticalGeography = "http://statistics.data.gov.uk/id/statistical-geography/"

// WKT writes a bounding box as a GeoSPARQL WKT polygon (CRS84, longitude
// first, the default CRS of gsp:wktLiteral).
func WKT(b opendata.BBox) string {
	x0, y0, x1, y1 := num(b.MinX), num(b.MinY), num(b.MaxX), num(b.MaxY)
	return "POLYGON((" + x0 + " " + y0 + ", " + x1 + " " + y0 + ", " + x1 + " " + y1 + ", " +
		x0 + " " + y1 + ", " + x0 + " " + y0 + "))"
}

// GeoJSON writes a bounding box as a GeoJSON Polygon, as ckanext-spatial
// stores in a dataset's "spatial" extra.
func GeoJSON(b opendata.BBox) string {
	x0, y0, x1, y1 := num(b.MinX), num(b.MinY), num(b.MaxX), num(b.MaxY)
	pt := func(x, y string) string { return "[" + x + "," + y + "]" }
	return `{"type":"Polygon","coordinates":[[` + strings.Join([]string{
		pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1), pt(x0, y0)}, ",") + `]]}`
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// addSpatial writes the GeoDCAT-AP extent: a dct:Location with the box as
// WKT (dcat:bbox) and GeoJSON (locn:geometry), and the ONS statistical
// geography for a GSS code.
func addSpatial(g *Graph, ds Term, e catalogue.Entry) {
	s := e.Dataset.Spatial
	if b := e.Extent(); b != nil {
		loc := g.Blank()
		g.Add(ds, NSDCT+"spatial", loc)
		rdfType(g, loc, NSDCT+"Location")
		g.Add(loc, NSDCAT+"bbox", Typed(WKT(*b), NSGSP+"wktLiteral"))
		if g.profile == AP211 {
			// DCAT-AP 3.0.0 wants locn:geometry to be a locn:Geometry node;
			// dcat:bbox says the same there.
			g.Add(loc, NSLOCN+"geometry", Typed(GeoJSON(*b), NSGSP+"geoJSONLiteral"))
		}
		if s != nil && s.GSSCode == "" {
			g.AddText(loc, NSSKOS+"prefLabel", s.Place, "en")
		}
	}
	if s == nil {
		return
	}
	if s.GSSCode != "" {
		loc := IRI(statisticalGeography + s.GSSCode)
		g.Add(ds, NSDCT+"spatial", loc)
		rdfType(g, loc, NSDCT+"Location")
		g.AddText(loc, NSSKOS+"prefLabel", s.Place, "en")
		g.Add(loc, NSSKOS+"notation", Literal(s.GSSCode))
	} else if s.Place != "" && e.Extent() == nil {
		loc := g.Blank()
		g.Add(ds, NSDCT+"spatial", loc)
		rdfType(g, loc, NSDCT+"Location")
		g.AddText(loc, NSSKOS+"prefLabel", s.Place, "en")
	}
}

// addInspire adds what GeoDCAT-AP maps from the INSPIRE fields: lineage as
// provenance, the reference system and conformity as dct:conformsTo, the
// resolution in metres and the unique resource identifier.
func addInspire(g *Graph, ds Term, d opendata.Dataset) {
	in := d.Inspire
	if in == nil {
		return
	}
	if strings.TrimSpace(in.Lineage) != "" {
		pv := g.Blank()
		g.Add(ds, NSDCT+"provenance", pv)
		rdfType(g, pv, NSDCT+"ProvenanceStatement")
		g.AddText(pv, NSRDFS+"label", in.Lineage, "en")
	}
	if rs := in.ReferenceSystem; rs != "" {
		uri := rs
		if code, ok := strings.CutPrefix(rs, "EPSG:"); ok {
			uri = "http://www.opengis.net/def/crs/EPSG/0/" + code
		}
		crs := IRI(uri)
		g.Add(ds, NSDCT+"conformsTo", crs)
		rdfType(g, crs, NSDCT+"Standard")
		g.AddText(crs, NSRDFS+"label", rs, "")
	}
	for _, c := range in.Conformity {
		if c.Result != opendata.ConformityPass {
			continue // GeoDCAT-AP states conformity only when it holds
		}
		st := g.Blank()
		g.Add(ds, NSDCT+"conformsTo", st)
		rdfType(g, st, NSDCT+"Standard")
		g.AddText(st, NSDCT+"title", c.Specification, "en")
		g.Add(st, NSDCT+"issued", Typed(c.Date, NSXSD+"date"))
	}
	if r := in.Resolution; r != nil && r.DistanceMetres > 0 {
		g.Add(ds, NSDCAT+"spatialResolutionInMeters", Typed(num(r.DistanceMetres), NSXSD+"decimal"))
	}
	if ri := in.ResourceIdentifier; ri != nil && ri.Code != "" {
		id := g.Blank()
		g.Add(ds, NSADMS+"identifier", id)
		rdfType(g, id, NSADMS+"Identifier")
		g.Add(id, NSSKOS+"notation", Literal(ri.Namespace+ri.Code))
	}
}

// distributionURI names a distribution stably across versions by its
// format, as a fragment of the dataset URI (so it dereferences with the
// dataset). ckanext-dcat matches harvested resources on this URI, keeping
// their ids when a new version replaces the file.
func distributionURI(e catalogue.Entry, d catalogue.Distribution) string {
	name := "api"
	if !d.IsService {
		var b strings.Builder
		for _, r := range strings.ToLower(d.Format) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		name = b.String()
	}
	return e.URI + "#distribution-" + name
}

// resource is a URL a DCAT-AP 3.0.0 property wants as an rdfs:Resource:
// its shapes check the class, and harvesters do no RDFS inference.
func resource(g *Graph, url string) Term {
	t := IRI(url)
	if g.profile == AP300 {
		rdfType(g, t, NSRDFS+"Resource")
	}
	return t
}

func addDistribution(g *Graph, ds Term, e catalogue.Entry, d catalogue.Distribution, lic *Term) {
	dist := IRI(distributionURI(e, d))
	g.Add(ds, NSDCAT+"distribution", dist)
	rdfType(g, dist, NSDCAT+"Distribution")
	g.AddText(dist, NSDCT+"title", d.Title, "en")
	if d.AccessURL != "" {
		g.Add(dist, NSDCAT+"accessURL", resource(g, d.AccessURL))
	}
	if d.DownloadURL != "" {
		g.Add(dist, NSDCAT+"downloadURL", resource(g, d.DownloadURL))
	}
	if ft := FileTypeURI(d.Format); ft != "" {
		f := IRI(ft)
		g.Add(dist, NSDCT+"format", f)
		concept(g, f, NSDCT+"MediaTypeOrExtent", EUFileType, euFileTypes[strings.ToLower(strings.TrimSpace(d.Format))].Label)
	}
	if mt := MediaTypeURI(d.MediaType); mt != "" {
		m := IRI(mt)
		g.Add(dist, NSDCAT+"mediaType", m)
		rdfType(g, m, NSDCT+"MediaType")
	}
	if d.ByteSize > 0 {
		// DCAT-AP 2.1.1's shapes want xsd:decimal here; 3.0.0 went back to
		// DCAT's xsd:nonNegativeInteger.
		typ := NSXSD + "decimal"
		if g.profile == AP300 {
			typ = NSXSD + "nonNegativeInteger"
		}
		g.Add(dist, NSDCAT+"byteSize", Typed(strconv.FormatInt(d.ByteSize, 10), typ))
	}
	// DCAT-AP 2.1.1 allows one checksum per distribution and pins its
	// algorithm to SHA-1; data.json and CKAN carry the SHA-256 instead.
	if d.SHA1 != "" {
		cs := g.Blank()
		g.Add(dist, NSSPDX+"checksum", cs)
		rdfType(g, cs, NSSPDX+"Checksum")
		alg := IRI(NSSPDX + "checksumAlgorithm_sha1")
		g.Add(cs, NSSPDX+"algorithm", alg)
		rdfType(g, alg, NSSPDX+"ChecksumAlgorithm")
		g.Add(cs, NSSPDX+"checksumValue", Typed(strings.ToLower(d.SHA1), NSXSD+"hexBinary"))
	}
	if lic != nil {
		g.Add(dist, NSDCT+"license", *lic)
	}
	if !d.Issued.IsZero() {
		g.Add(dist, NSDCT+"issued", xsdTime(d.Issued))
	}
	if !d.Modified.IsZero() {
		g.Add(dist, NSDCT+"modified", xsdTime(d.Modified))
	}
	if d.IsService {
		svc := IRI(d.AccessURL + "#service")
		g.Add(dist, NSDCAT+"accessService", svc)
		rdfType(g, svc, NSDCAT+"DataService")
		g.AddText(svc, NSDCT+"title", "OGC API - Features: "+e.Dataset.Title, "en")
		g.Add(svc, NSDCAT+"endpointURL", resource(g, d.AccessURL))
		g.Add(svc, NSDCAT+"servesDataset", ds)
		for _, c := range []string{ogcFeaturesCore, ogcFeaturesJSON} {
			st := IRI(c)
			g.Add(svc, NSDCT+"conformsTo", st)
			g.Add(dist, NSDCT+"conformsTo", st)
			rdfType(g, st, NSDCT+"Standard")
		}
		if lic != nil {
			g.Add(svc, NSDCT+"license", *lic)
		}
	}
}
