package ingest

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
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
	fromFile    bool // crs came from a geometry srsName, so others must match
	depth       int
	memberDepth int
	index       int
	pending     *Feature
	pendingErr  error
	done        bool
}

func openGML(src io.Reader, opts Options) (Reader, error) {
	w := &windowReader{r: bufio.NewReaderSize(src, 64<<10), max: opts.Limits.MaxFeatureBytes}
	dec := xml.NewDecoder(w)
	w.consumed = dec.InputOffset
	g := &gmlReader{dec: dec, opts: opts, memberDepth: -1, crs: opts.CRS}
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
			case g.memberDepth >= 0 && g.depth == g.memberDepth+1:
				return g.feature(t)
			case t.Name.Local == "member" || t.Name.Local == "featureMember" || t.Name.Local == "featureMembers":
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
	if g.index > g.opts.Limits.MaxFeatures {
		return Feature{}, limitErr("more than %d features", g.opts.Limits.MaxFeatures)
	}
	n, err := readNode(g.dec, start, g.opts.Limits)
	if err != nil {
		g.done = true
		return Feature{}, fmt.Errorf("GML feature %d: %w", idx, err)
	}
	f := Feature{ID: n.attr("id"), Properties: map[string]any{}}
	if f.ID == "" {
		f.ID = n.attr("fid")
	}
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
			case srs != g.crs:
				return fail("geometry srsName %q differs from the file's %q; split the file by CRS", srs, g.crs)
			}
		}
		gc := gmlConv{lim: g.opts.Limits, latFirst: axisLatFirst(srs)}
		geom, err := gc.geometry(geomNode, 2)
		if err != nil {
			return fail("%s: %v", geomNode.name.Local, err)
		}
		f.Geometry = geom
	}
	return f, nil
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
