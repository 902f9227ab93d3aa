package ingest

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/jointict/councilapi/gis/crs"
)

// gmlReader streams GML simple features: WFS 2.0 wfs:member, GML 3.1 / GDAL
// gml:featureMember and gml:featureMembers. Each feature element is read
// into a small bounded tree, then its geometry and simple properties are
// taken out.
//
// Axis order follows the srsName: URNs (urn:ogc:def:crs:EPSG::4258) and OGC
// URIs (http://www.opengis.net/def/crs/EPSG/0/4326) of latitude-first EPSG
// CRSs are read as latitude,longitude and swapped; the short "EPSG:4326" and
// the GML 2 "http://www.opengis.net/gml/srs/epsg.xml#4326" forms are read as
// longitude,latitude, the convention of WFS 1.0 and GeoServer.
type gmlReader struct {
	dec         *xml.Decoder
	opts        Options
	crs         string
	fromFile    bool // crs came from a geometry srsName
	depth       int
	memberDepth int
	index       int
	pending     *Feature
	pendingErr  error
	done        bool
	// What the notices report.
	matched, returned int64 // numberMatched / numberReturned, -1 unknown
	transformed       map[string]int
	extraDims         int
}

func openGML(src io.Reader, opts Options) (Reader, error) {
	w := &windowReader{r: bufio.NewReaderSize(src, 64<<10), max: opts.Limits.MaxFeatureBytes}
	dec := xml.NewDecoder(w)
	w.consumed = dec.InputOffset
	g := &gmlReader{dec: dec, opts: opts, memberDepth: -1, crs: opts.CRS, matched: -1, returned: -1, transformed: map[string]int{}}
	// Read ahead one feature, so CRS() is known before the first Next.
	f, err := g.read()
	if err != nil && err != io.EOF {
		var fe *FeatureError
		if !errors.As(err, &fe) {
			return nil, err
		}
	}
	if err != io.EOF {
		g.pending, g.pendingErr = &f, err
	}
	return g, nil
}

func (g *gmlReader) CRS() string  { return g.crs }
func (g *gmlReader) Close() error { return nil }

func (g *gmlReader) Next() (Feature, error) {
	if g.pending != nil {
		f, err := *g.pending, g.pendingErr
		g.pending, g.pendingErr = nil, nil
		return f, err
	}
	return g.read()
}

func isGMLNamespace(space string) bool { return strings.Contains(space, "opengis.net/gml") }

func (g *gmlReader) read() (Feature, error) {
	for !g.done {
		tok, err := g.dec.Token()
		if err == io.EOF {
			g.done = true
			if g.index == 0 && g.depth != 0 {
				return Feature{}, errors.New("GML ends inside an element")
			}
			return Feature{}, io.EOF
		}
		if err != nil {
			g.done = true
			return Feature{}, fmt.Errorf("GML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case g.depth == 0:
				if err := g.root(t); err != nil {
					g.done = true
					return Feature{}, err
				}
			case g.memberDepth >= 0 && g.depth == g.memberDepth+1 && isCollectionElement(t.Name.Local):
				g.memberDepth = -1 // a collection nested in a member: its members are the features
			case g.memberDepth >= 0 && g.depth == g.memberDepth+1:
				return g.feature(t)
			case isMemberElement(t.Name.Local):
				g.memberDepth = g.depth
			case t.Name.Local == "boundedBy" && g.depth == 1 && g.crs == "":
				if n, err := readNode(g.dec, t, g.opts.Limits); err == nil {
					g.crs = findSRS(n)
				}
				continue
			}
			g.depth++
		case xml.EndElement:
			g.depth--
			if g.depth == g.memberDepth {
				g.memberDepth = -1
			}
		}
	}
	return Feature{}, io.EOF
}

// root reads the counts a WFS response states on its FeatureCollection:
// numberReturned (WFS 2.0) or numberOfFeatures (WFS 1.1) is this file's
// count, so a file over the limit fails before its first feature;
// numberMatched is the whole result's, larger when the file is one page.
func (g *gmlReader) root(t xml.StartElement) error {
	for _, a := range t.Attr {
		n, err := strconv.ParseInt(strings.TrimSpace(a.Value), 10, 64)
		if err != nil || n < 0 {
			continue // "unknown" is allowed
		}
		switch a.Name.Local {
		case "numberReturned", "numberOfFeatures":
			g.returned = n
			if n > int64(g.opts.Limits.MaxFeatures) {
				return g.opts.Limits.tooMany(n, "its "+a.Name.Local+" attribute")
			}
		case "numberMatched":
			g.matched = n
		}
	}
	return nil
}

func (g *gmlReader) axisOrder() AxisOrder {
	if g.opts.AxisOrder != AxisAuto {
		return g.opts.AxisOrder
	}
	if axisLatFirst(g.crs) {
		return AxisLatLon
	}
	return AxisLonLat
}

func (g *gmlReader) notices() []Notice {
	var out []Notice
	if g.matched > g.returned && g.returned >= 0 {
		out = append(out, Notice{Code: NoticePartialPage, Message: fmt.Sprintf(
			"the file is one page of a WFS response: it holds %d of the %d features the server matched (numberMatched); ask the WFS for all of them (count/maxFeatures) to publish the whole layer",
			g.returned, g.matched)})
	}
	srs := make([]string, 0, len(g.transformed))
	for s := range g.transformed {
		srs = append(srs, s)
	}
	sort.Strings(srs)
	for _, s := range srs {
		out = append(out, Notice{Code: NoticeTransformed, Features: g.transformed[s], Message: fmt.Sprintf(
			"%d geometries have srsName %q, unlike the file's %q, and were transformed to it", g.transformed[s], s, g.crs)})
	}
	if g.extraDims > 0 {
		out = append(out, Notice{Code: NoticeDimensions, Features: g.extraDims,
			Message: fmt.Sprintf("%d geometries have more than 2 dimensions (srsDimension); their Z values were dropped and they are published in 2D", g.extraDims)})
	}
	return out
}

func findSRS(n *node) string {
	if s := n.attr("srsName"); s != "" {
		return s
	}
	for _, c := range n.children {
		if s := findSRS(c); s != "" {
			return s
		}
	}
	return ""
}

// feature reads one feature element whose start tag was just consumed.
func (g *gmlReader) feature(start xml.StartElement) (Feature, error) {
	idx := g.index
	g.index++
	n, err := readNode(g.dec, start, g.opts.Limits)
	if err != nil {
		g.done = true
		return Feature{}, fmt.Errorf("GML feature %d: %w", idx, err)
	}
	f := Feature{ID: featureID(n.attrs), Properties: map[string]any{}}
	fail := func(format string, args ...any) (Feature, error) {
		return Feature{}, &FeatureError{Index: idx, ID: f.ID, Reason: fmt.Sprintf(format, args...)}
	}
	for _, prop := range n.children {
		if isGMLNamespace(prop.name.Space) {
			continue // gml:boundedBy, gml:name, gml:description
		}
		if len(prop.children) == 0 {
			if len(f.Properties) >= g.opts.Limits.MaxProperties {
				return fail("more than %d properties", g.opts.Limits.MaxProperties)
			}
			if prop.attr("nil") == "true" {
				f.Properties[prop.name.Local] = nil
			} else if text := strings.TrimSpace(prop.text.String()); len(text) > g.opts.Limits.MaxStringBytes {
				return fail("property %q is longer than %d bytes", prop.name.Local, g.opts.Limits.MaxStringBytes)
			} else {
				f.Properties[prop.name.Local] = textValue(text)
			}
			continue
		}
		geomNode := prop.children[0]
		if !isGeometryNode(geomNode) {
			continue // a complex property: not a simple feature, skipped
		}
		if f.Geometry != nil {
			continue // the first geometry property is the feature's geometry
		}
		srs := g.opts.CRS
		if srs == "" {
			srs = findOwnSRS(geomNode)
			switch {
			case srs == "" && g.crs == "":
				return fail("geometry has no srsName and the file names no CRS")
			case srs == "":
				srs = g.crs
			case !g.fromFile:
				g.crs, g.fromFile = srs, true
			}
		}
		latFirst := axisLatFirst(srs)
		switch g.opts.AxisOrder {
		case AxisLatLon:
			latFirst = true
		case AxisLonLat:
			latFirst = false
		}
		gc := gmlConv{lim: g.opts.Limits, latFirst: latFirst}
		geom, err := gc.geometry(geomNode, 2)
		if err != nil {
			return fail("%s: %v", geomNode.name.Local, err)
		}
		if gc.extraDims {
			g.extraDims++
		}
		if srs != g.crs {
			var moved bool
			if geom, moved, err = toFileCRS(geom, srs, g.crs); err != nil {
				return fail("%v", err)
			}
			if moved {
				g.transformed[srs]++
			}
		}
		f.Geometry = geom
	}
	return f, nil
}

// toFileCRS transforms a geometry given in another srsName than the file's
// (both read x = longitude or easting) into the file's CRS; moved is false
// when the two name one CRS (spellings differ, or ETRS89 and WGS 84, taken
// as one).
func toFileCRS(g orb.Geometry, srs, fileSRS string) (out orb.Geometry, moved bool, err error) {
	from, err := crs.Parse(srs)
	if err != nil {
		return nil, false, fmt.Errorf("geometry srsName %q differs from the file's %q and cannot be transformed: %v", srs, fileSRS, err)
	}
	to, err := crs.Parse(fileSRS)
	if err != nil {
		return nil, false, fmt.Errorf("geometry srsName %q differs from the file's %q, which cannot be transformed to: %v", srs, fileSRS, err)
	}
	if from.XYOrder() == to.XYOrder() {
		return g, false, nil
	}
	out, err = crs.TransformGeometry(g, from.XYOrder(), to.XYOrder())
	if err != nil {
		return nil, false, fmt.Errorf("geometry in %s cannot be transformed to the file's %s: %v", from, to, err)
	}
	return out, true, nil
}

func findOwnSRS(n *node) string {
	if s := n.attr("srsName"); s != "" {
		return s
	}
	// Multi-geometries sometimes carry srsName on their members only.
	for _, m := range n.children {
		for _, c := range m.children {
			if s := c.attr("srsName"); s != "" {
				return s
			}
		}
	}
	return ""
}

// node is a bounded in-memory XML element.
type node struct {
	name     xml.Name
	attrs    []xml.Attr
	children []*node
	text     strings.Builder
}

func (n *node) attr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// readNode reads the element started by start up to its end tag. Element
// count and depth are capped; total bytes are capped by the windowReader.
func readNode(dec *xml.Decoder, start xml.StartElement, lim Limits) (*node, error) {
	root := &node{name: start.Name, attrs: start.Attr}
	stack := []*node{root}
	count := 0
	for len(stack) > 0 {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > lim.MaxPoints+lim.MaxProperties || len(stack) > 64 {
				return nil, limitErr("feature element too large or too deeply nested")
			}
			c := &node{name: t.Name, attrs: t.Attr}
			top.children = append(top.children, c)
			stack = append(stack, c)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if top.text.Len()+len(t) > int(lim.MaxFeatureBytes) {
				return nil, limitErr("text longer than %d bytes", lim.MaxFeatureBytes)
			}
			top.text.Write(t)
		}
	}
	return root, nil
}
